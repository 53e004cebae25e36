//! `listen`: announcements, heard on the shared port, kept in a table that
//! forgets a service once it has not been heard for its TTL.

use std::collections::BTreeMap;
use std::net::{IpAddr, UdpSocket};
use std::time::{Duration, Instant};

use common::is_timeout;
use common::{Context, Failure, Narrator, detail, fmt_duration, say};

use super::ListenOptions;
use crate::message::{MAX_DATAGRAM, Message, Refused, Service};

/// A service heard announcing itself.
#[derive(Clone, Debug)]
pub struct Heard {
    /// What it announced.
    pub service: Service,
    /// Where its announcements came from.
    pub from: IpAddr,
    /// When it was last heard.
    pub last: Instant,
    /// How long its last announcement is to be believed.
    pub ttl: Duration,
    /// Whether it has been reported gone.
    pub gone: bool,
}

// ANCHOR: listen
/// Hear announcements on `socket` (bound to the discovery port) for
/// `--for`, report each new service once, and each service that falls
/// silent for longer than its TTL as gone. Returns the table.
pub fn listen(
    socket: &UdpSocket,
    opts: &ListenOptions,
    say: &Narrator,
) -> Result<Vec<Heard>, Failure> {
    let deadline = Instant::now() + opts.duration;
    let mut table: BTreeMap<(Service, IpAddr), Heard> = BTreeMap::new();
    let mut datagram = [0u8; MAX_DATAGRAM + 1];
    loop {
        let now = Instant::now();
        for heard in table.values_mut().filter(|h| !h.gone) {
            if now.duration_since(heard.last) > heard.ttl {
                heard.gone = true;
                let ttl_ms = heard.ttl.as_millis();
                let name = &heard.service.name;
                say.event("gone", &[("name", name), ("ttl_ms", &ttl_ms)]);
                say!(
                    say,
                    "gone: {} at {} (not heard for more than {})",
                    heard.service.name,
                    heard.from,
                    fmt_duration(heard.ttl)
                );
            }
        }
        let left = deadline.saturating_duration_since(now);
        if left.is_zero() {
            break;
        }
        // Wake up at least every 100 ms to notice silence.
        socket
            .set_read_timeout(Some(left.min(Duration::from_millis(100))))
            .context("set_read_timeout")?;
        let (n, from) = match socket.recv_from(&mut datagram) {
            Ok(received) => received,
            Err(e) if is_timeout(&e) => continue,
            Err(e) => {
                say.problem(format_args!("recv_from: {e}"));
                continue;
            }
        };
        match Message::parse(&datagram[..n]) {
            Ok(Message::Announce { service, ttl }) => {
                let ttl =
                    opts.ttl.unwrap_or(Duration::from_secs(u64::from(ttl)));
                let key = (service.clone(), from.ip());
                let heard = table.entry(key).or_insert_with(|| {
                    let (name, port) = (&service.name, service.port);
                    let ttl_ms = ttl.as_millis();
                    say.event(
                        "new",
                        &[
                            ("name", name),
                            ("port", &port),
                            ("from", &from),
                            ("ttl_ms", &ttl_ms),
                        ],
                    );
                    say!(
                        say,
                        "new: {} on port {}, announced from {from}",
                        service.name,
                        service.port
                    );
                    Heard {
                        service,
                        from: from.ip(),
                        last: Instant::now(),
                        ttl,
                        gone: false,
                    }
                });
                if heard.gone {
                    say!(say, "back: {} at {}", heard.service.name, heard.from);
                    heard.gone = false;
                }
                heard.last = Instant::now();
                heard.ttl = ttl;
            }
            Ok(Message::Query { .. } | Message::Here { .. }) => {
                detail!(say, "ignored a query or reply from {from}");
            }
            Err(Refused::Foreign) => {
                say!(
                    say,
                    "ignored a datagram from {from}: {}",
                    Refused::Foreign
                )
            }
            Err(refused) => {
                say!(say, "ignored a datagram from {from}: {refused}")
            }
        }
    }
    Ok(table.into_values().collect())
}
// ANCHOR_END: listen

/// The table `listen` prints at the end.
pub fn render(heard: &[Heard]) -> String {
    if heard.is_empty() {
        return "no announcements heard\n".to_owned();
    }
    let mut out =
        String::from("service              address          port  status\n");
    for h in heard {
        let status = if h.gone { "gone" } else { "alive" };
        out.push_str(&format!(
            "{:<20} {:<16} {:>5}  {status}\n",
            h.service.name,
            h.from.to_string(),
            h.service.port
        ));
    }
    out
}
