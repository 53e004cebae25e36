use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::str::FromStr;

use crate::Failure;

/// `HOST:PORT` as a user types it after `--addr`: a host name or an IP
/// address (IPv6 in brackets, `[::1]:7101`) and a port number.
///
/// Parsing checks only the shape, so a typo is a usage error (exit code 2)
/// before anything happens. Looking the name up is a separate step,
/// [`HostPort::resolve`], because it can fail for reasons outside the user's
/// typing (exit code 1).
///
/// ```
/// use common::HostPort;
/// let a: HostPort = "127.0.0.1:7101".parse().unwrap();
/// assert_eq!(a.port(), 7101);
/// let b: HostPort = "[::1]:0".parse().unwrap();
/// assert_eq!(b.to_string(), "[::1]:0");
/// assert!("localhost".parse::<HostPort>().is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostPort {
    host: String,
    port: u16,
}

impl HostPort {
    /// The host part, without brackets.
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port part.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The socket addresses the host name stands for.
    ///
    /// An IP literal is returned as it is, without asking anyone. A name is
    /// looked up by the system resolver (`/etc/hosts`, then DNS), which may
    /// return several addresses, IPv6 and IPv4; connecting code tries them in
    /// order.
    pub fn resolve(&self) -> Result<Vec<SocketAddr>, Failure> {
        if let Ok(ip) = self.host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, self.port)]);
        }
        let found: Vec<SocketAddr> = (self.host.as_str(), self.port)
            .to_socket_addrs()
            .map_err(|e| {
                Failure::new(format!("cannot resolve {self}"), e)
                    .with_hint("check the host name; 127.0.0.1 (or localhost) is this machine")
            })?
            .collect();
        if found.is_empty() {
            return Err(Failure::msg(format!("{self} has no addresses")));
        }
        Ok(found)
    }
}

impl From<SocketAddr> for HostPort {
    fn from(addr: SocketAddr) -> Self {
        HostPort {
            host: addr.ip().to_string(),
            port: addr.port(),
        }
    }
}

impl FromStr for HostPort {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let shape = || {
            format!(
                "'{s}' is not HOST:PORT; write it like 127.0.0.1:7101 or [::1]:7101"
            )
        };
        let (host, port) = s.rsplit_once(':').ok_or_else(shape)?;
        let host = match host.strip_prefix('[') {
            Some(inner) => inner.strip_suffix(']').ok_or_else(shape)?,
            // An unbracketed IPv6 address is ambiguous: which colon starts the port?
            None if host.contains(':') => return Err(shape()),
            None => host,
        };
        if host.is_empty() {
            return Err(shape());
        }
        let port = port.parse::<u16>().map_err(|_| {
            format!("'{port}' is not a port number (0 to 65535; 0 lets the OS choose)")
        })?;
        Ok(HostPort {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_shapes_users_type() {
        let a: HostPort = "localhost:7101".parse().unwrap();
        assert_eq!((a.host(), a.port()), ("localhost", 7101));
        let b: HostPort = "[::1]:7101".parse().unwrap();
        assert_eq!((b.host(), b.port()), ("::1", 7101));
        assert_eq!(b.to_string(), "[::1]:7101");
    }

    #[test]
    fn refuses_what_is_not_host_and_port() {
        for bad in [
            "",
            "7101",
            "localhost",
            ":7101",
            "host:",
            "host:99999",
            "::1:7101",
            "[::1:7101",
        ] {
            assert!(bad.parse::<HostPort>().is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn ip_literals_resolve_without_a_lookup() {
        let a: HostPort = "127.0.0.1:0".parse().unwrap();
        assert_eq!(a.resolve().unwrap(), vec!["127.0.0.1:0".parse().unwrap()]);
    }
}
