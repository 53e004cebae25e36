//! `--keepalive` and `--user-timeout`: is the peer still alive while we
//! both wait? And what a read says when the kernel has decided it is not.

use std::io;
use std::net::TcpStream;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};
use socket2::{SockRef, TcpKeepalive};

use super::Options;

// ANCHOR: keepalive
/// Turn keepalive (and TCP_USER_TIMEOUT) on as asked, then read back what
/// the kernel holds.
///
/// A read timeout notices a peer that is silent; it cannot tell a slow peer
/// from a vanished one (a machine that lost power sends no FIN). Keepalive
/// probes an idle connection, and a peer that is gone fails to answer them.
pub fn configure(
    stream: &TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let sock = SockRef::from(stream);
    if let Some(idle) = opts.keepalive {
        let mut params = TcpKeepalive::new().with_time(idle);
        if let Some(interval) = opts.keepalive_interval {
            params = params.with_interval(interval);
        }
        if let Some(retries) = opts.keepalive_retries {
            params = params.with_retries(retries);
        }
        sock.set_tcp_keepalive(&params)
            .context("set TCP keepalive")?;
        // What the kernel holds now, read back: the event for the tests.
        let idle = sock.tcp_keepalive_time().context("TCP_KEEPIDLE")?;
        let every = sock.tcp_keepalive_interval().context("TCP_KEEPINTVL")?;
        let probes = sock.tcp_keepalive_retries().context("TCP_KEEPCNT")?;
        let on = sock.keepalive().context("SO_KEEPALIVE")?;
        say.event(
            "keepalive",
            &[
                ("on", &on),
                ("idle_s", &idle.as_secs()),
                ("interval_s", &every.as_secs()),
                ("probes", &probes),
            ],
        );
        say!(
            say,
            "keepalive {}: probe after {} idle, every {}; {} unanswered \
                end it",
            if sock.keepalive().context("SO_KEEPALIVE")? {
                "on"
            } else {
                "off"
            },
            fmt_duration(sock.tcp_keepalive_time().context("TCP_KEEPIDLE")?),
            fmt_duration(
                sock.tcp_keepalive_interval().context("TCP_KEEPINTVL")?
            ),
            sock.tcp_keepalive_retries().context("TCP_KEEPCNT")?
        );
    }
    #[cfg(target_os = "linux")]
    if let Some(limit) = opts.user_timeout {
        // Keepalive only probes an idle connection. With data sent and not
        // acknowledged, the retransmission timer decides instead, and by
        // default it keeps trying for about 15 minutes; TCP_USER_TIMEOUT
        // bounds that wait.
        sock.set_tcp_user_timeout(Some(limit))
            .context("TCP_USER_TIMEOUT")?;
        let set = sock.tcp_user_timeout().context("TCP_USER_TIMEOUT")?;
        say!(
            say,
            "TCP_USER_TIMEOUT: {}",
            set.map_or("off".to_owned(), fmt_duration)
        );
        let ms = set.map_or(0, |d| d.as_millis());
        say.event("user_timeout", &[("ms", &ms)]);
    }
    #[cfg(not(target_os = "linux"))]
    if opts.user_timeout.is_some() {
        return Err(Failure::msg(
            "--user-timeout (TCP_USER_TIMEOUT) exists on Linux only",
        ));
    }
    Ok(())
}
// ANCHOR_END: keepalive

// ANCHOR: dead
/// A read that failed with `TimedOut` after `waited`. On Unix that is
/// ETIMEDOUT: not our read timeout (that is WouldBlock) but the kernel's
/// verdict that the connection is dead, because a peer that vanished
/// without a FIN or RST stopped answering. What it stopped answering
/// depends on what was in flight.
pub fn dead(
    e: io::Error,
    waited: Duration,
    stream: &TcpStream,
    say: &Narrator,
) -> Failure {
    // What the socket was set to, as the kernel holds it.
    let sock = SockRef::from(stream);
    let keepalive = sock.keepalive().unwrap_or(false);
    let limit = sock.tcp_user_timeout().ok().flatten();
    let why = match (keepalive, limit) {
        // With data unacknowledged, retransmissions decide, bounded by
        // TCP_USER_TIMEOUT; on an idle connection, the keepalive probes do
        // (and TCP_USER_TIMEOUT, when set, bounds them too).
        (_, Some(limit)) => format!(
            "data or probes unacknowledged for {} (TCP_USER_TIMEOUT)",
            fmt_duration(limit)
        ),
        (true, None) => "the keepalive probes went unanswered".to_owned(),
        (false, None) => {
            "our data was resent until tcp_retries2 ran out".to_owned()
        }
    };
    let by = match (keepalive, limit) {
        (_, Some(_)) => "user_timeout",
        (true, None) => "keepalive",
        (false, None) => "retransmissions",
    };
    let ms = waited.as_millis();
    say.event("dead", &[("waited_ms", &ms), ("by", &by)]);
    let waited = fmt_duration(waited);
    say!(
        say,
        "read() failed after {waited}: ETIMEDOUT, the connection is dead"
    );
    say!(say, "why: {why}");
    Failure::new("read the reply", e).with_hint(
        "the peer vanished without FIN or RST: switched off, or cut off",
    )
}
// ANCHOR_END: dead
