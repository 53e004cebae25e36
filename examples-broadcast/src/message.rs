//! The discovery protocol: one line of text per datagram, so it can be read
//! in a `tcpdump -A` capture.
//!
//! ```text
//! ASOCK/1 QUERY id=5f3a9c21d4e07b18                     client → broadcast
//! ASOCK/1 HERE id=5f3a9c21d4e07b18 name=alpha port=8001  server → that client
//! ASOCK/1 ANNOUNCE name=alpha port=8001 ttl=3            server → broadcast
//! ```
//!
//! `ASOCK` is the magic word: a datagram that does not start with it is
//! someone else's (other programs use broadcast ports too) and is ignored.
//! `/1` is the version: a future `/2` is recognised as ours, and refused
//! with a reason rather than misread. The `id` ties a reply to its query,
//! so a late reply to an earlier query is not taken for a new one.
//!
//! Nothing in a datagram is evidence of anything: any host can send any
//! text. A reply's sender address (from `recv_from`) is what the kernel
//! saw; its `name` and `port` are only what the sender claims.

use std::fmt;

/// The longest datagram this protocol sends or accepts.
///
/// 512 bytes always fit: IPv4 guarantees that a host can reassemble 576-byte
/// datagrams, which leaves 508 bytes after the largest IP header and the
/// UDP header, and a few bytes over that have always been safe in practice
/// (DNS used 512 for decades). 1472 bytes is what fits in one Ethernet frame
/// (1500, less 20 for IP and 8 for UDP) without fragmentation; 65507 is
/// UDP's absolute limit over IPv4.
pub const MAX_DATAGRAM: usize = 512;

/// The magic word and version every datagram starts with.
pub const MAGIC: &str = "ASOCK/1";

/// The longest service name.
pub const MAX_NAME: usize = 64;

/// One datagram of the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// "Who is there?", with an id the replies must repeat.
    Query {
        /// Chosen by the client, at random.
        id: u64,
    },
    /// "I am", in answer to the query with this id.
    Here {
        /// The query's id.
        id: u64,
        /// The service.
        service: Service,
    },
    /// "I am here", unprompted, every so often.
    Announce {
        /// The service.
        service: Service,
        /// How long to believe this announcement, in seconds.
        ttl: u32,
    },
}

/// A service as servers describe themselves.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Service {
    /// Its name: letters, digits, '.', '-', '_', at most [`MAX_NAME`].
    pub name: String,
    /// The port it serves on (the discovery port is another).
    pub port: u16,
}

/// Why a datagram was not taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refused {
    /// It does not start with the magic word: not ours.
    Foreign,
    /// It is ours, but not well formed (or another version).
    Malformed(String),
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refused::Foreign => {
                write!(f, "not ours (no {MAGIC})")
            }
            Refused::Malformed(why) => write!(f, "malformed: {why}"),
        }
    }
}

impl Message {
    /// The answer to query `id`: `service` is here.
    pub fn here(id: u64, service: &Service) -> Message {
        Message::Here {
            id,
            service: service.clone(),
        }
    }

    /// The datagram's bytes.
    ///
    /// ```
    /// use examples_broadcast::message::{Message, Service};
    /// let here = Message::Here { id: 0xabc, service: Service { name: "alpha".into(), port: 8001 } };
    /// assert_eq!(here.encode(), b"ASOCK/1 HERE id=0000000000000abc name=alpha port=8001");
    /// assert_eq!(Message::parse(&here.encode()), Ok(here));
    /// ```
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Message::Query { id } => format!("{MAGIC} QUERY id={id:016x}"),
            Message::Here { id, service } => {
                format!(
                    "{MAGIC} HERE id={id:016x} name={} port={}",
                    service.name, service.port
                )
            }
            Message::Announce { service, ttl } => {
                format!(
                    "{MAGIC} ANNOUNCE name={} port={} ttl={ttl}",
                    service.name, service.port
                )
            }
        }
        .into_bytes()
    }

    /// Parse a datagram. Anything that is not ours, or not well formed, is
    /// refused with the reason; nothing panics, whatever the bytes.
    pub fn parse(datagram: &[u8]) -> Result<Message, Refused> {
        if !datagram.starts_with(b"ASOCK") {
            return Err(Refused::Foreign);
        }
        let malformed = |why: String| Refused::Malformed(why);
        if datagram.len() > MAX_DATAGRAM {
            return Err(malformed(format!(
                "{} bytes, more than {MAX_DATAGRAM}",
                datagram.len()
            )));
        }
        let text = std::str::from_utf8(datagram)
            .map_err(|_| malformed("not UTF-8 text".to_owned()))?;
        // One space between words: an empty word would shift every word
        // after it, and be blamed on the wrong one.
        if let Some(at) = text.find("  ") {
            return Err(malformed(format!(
                "two spaces at byte {at}: words are separated by one"
            )));
        }
        if text.ends_with(' ') {
            return Err(malformed("a space at the end".to_owned()));
        }
        let mut words = text.split(' ');
        let magic = words.next().unwrap_or_default();
        if magic != MAGIC {
            return Err(malformed(format!(
                "version {magic:?}, this program speaks {MAGIC}"
            )));
        }
        let kind = words
            .next()
            .ok_or_else(|| malformed("no message type".to_owned()))?;
        let mut fields = Fields::default();
        for word in words {
            let (key, value) = word.split_once('=').ok_or_else(|| {
                malformed(format!("expected key=value, got {word:?}"))
            })?;
            fields.set(key, value).map_err(malformed)?;
        }
        match kind {
            "QUERY" => Ok(Message::Query { id: fields.id()? }),
            "HERE" => Ok(Message::Here {
                id: fields.id()?,
                service: fields.service()?,
            }),
            "ANNOUNCE" => Ok(Message::Announce {
                service: fields.service()?,
                ttl: fields.ttl()?,
            }),
            other => Err(malformed(format!("unknown message type {other:?}"))),
        }
    }
}

/// The key=value fields of a datagram, each at most once.
#[derive(Default)]
struct Fields<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    port: Option<&'a str>,
    ttl: Option<&'a str>,
}

impl<'a> Fields<'a> {
    fn set(&mut self, key: &str, value: &'a str) -> Result<(), String> {
        let slot = match key {
            "id" => &mut self.id,
            "name" => &mut self.name,
            "port" => &mut self.port,
            "ttl" => &mut self.ttl,
            other => return Err(format!("unknown field {other:?}")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("field {key:?} given twice"));
        }
        Ok(())
    }

    fn id(&self) -> Result<u64, Refused> {
        let id = self
            .id
            .ok_or_else(|| Refused::Malformed("no id".to_owned()))?;
        // from_str_radix would take a sign: `+000000000000001`.
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Refused::Malformed(format!(
                "id {id:?} is not 16 hex digits"
            )));
        }
        u64::from_str_radix(id, 16).map_err(|_| {
            Refused::Malformed(format!("id {id:?} is not 16 hex digits"))
        })
    }

    fn service(&self) -> Result<Service, Refused> {
        let name = self
            .name
            .ok_or_else(|| Refused::Malformed("no name".to_owned()))?;
        check_name(name).map_err(Refused::Malformed)?;
        let port = self
            .port
            .ok_or_else(|| Refused::Malformed("no port".to_owned()))?;
        let digits = port.bytes().all(|b| b.is_ascii_digit());
        let port = port.parse().ok().filter(|_| digits).ok_or_else(|| {
            Refused::Malformed(format!(
                "port {port:?} is not a number from 0 to 65535"
            ))
        })?;
        Ok(Service {
            name: name.to_owned(),
            port,
        })
    }

    fn ttl(&self) -> Result<u32, Refused> {
        let ttl = self
            .ttl
            .ok_or_else(|| Refused::Malformed("no ttl".to_owned()))?;
        let digits = ttl.bytes().all(|b| b.is_ascii_digit());
        ttl.parse().ok().filter(|_| digits).ok_or_else(|| {
            Refused::Malformed(format!(
                "ttl {ttl:?} is not a number of seconds"
            ))
        })
    }
}

/// A service name: 1 to 64 letters, digits, '.', '-' or '_'.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > MAX_NAME {
        return Err(format!(
            "a name must be 1 to {MAX_NAME} characters, not {}",
            name.len()
        ));
    }
    match name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        Some(bad) => Err(format!(
            "{bad:?} is not allowed in a name (letters, digits, '.', '-', '_')"
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alpha() -> Service {
        Service {
            name: "alpha".into(),
            port: 8001,
        }
    }

    #[test]
    fn every_message_round_trips() {
        for message in [
            Message::Query { id: u64::MAX },
            Message::Here {
                id: 1,
                service: alpha(),
            },
            Message::Announce {
                service: alpha(),
                ttl: 3,
            },
        ] {
            assert_eq!(Message::parse(&message.encode()), Ok(message));
        }
    }

    #[test]
    fn foreign_and_malformed_datagrams_are_refused_with_a_reason() {
        assert_eq!(
            Message::parse(b"M-SEARCH * HTTP/1.1"),
            Err(Refused::Foreign)
        );
        assert_eq!(Message::parse(b""), Err(Refused::Foreign));
        for (datagram, why) in [
            (
                &b"ASOCK/2 QUERY id=0000000000000001"[..],
                "version \"ASOCK/2\"",
            ),
            (b"ASOCK/1 QUERY", "no id"),
            (b"ASOCK/1 QUERY id=12", "is not 16 hex digits"),
            (
                b"ASOCK/1 HERE id=0000000000000001 name=a port=99999",
                "port \"99999\"",
            ),
            (
                b"ASOCK/1 HERE id=0000000000000001 name=a/b port=1",
                "'/' is not allowed",
            ),
            (b"ASOCK/1 ANNOUNCE name=a port=1", "no ttl"),
            (b"ASOCK/1 SHOUT id=0000000000000001", "unknown message type"),
            (
                b"ASOCK/1 QUERY id=0000000000000001 id=0000000000000002",
                "given twice",
            ),
            (b"ASOCK/1 QUERY junk", "expected key=value"),
            (b"ASOCK\xff", "not UTF-8"),
        ] {
            match Message::parse(datagram) {
                Err(Refused::Malformed(reason)) => {
                    assert!(reason.contains(why), "{reason}")
                }
                other => panic!("{datagram:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("printer-2.lab_1").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(&"x".repeat(65)).is_err());
        assert!(check_name("two words").is_err());
    }
}
