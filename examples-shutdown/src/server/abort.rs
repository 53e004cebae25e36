//! `--abort`: the abortive close. SO_LINGER with a zero timeout makes
//! close() send RST instead of FIN, and throw away whatever is still queued
//! to send.

use std::net::TcpStream;
use std::time::Duration;

use common::{Context, Failure, Narrator, say};
use socket2::SockRef;

// ANCHOR: abort
/// Close `stream` abortively, after the reply.
///
/// Rarely right: the peer's read ends in ConnectionReset rather than 0,
/// and bytes not yet sent are dropped, so the peer cannot tell a whole
/// reply from a cut one. That is exactly its use when a server must say
/// "this failed" rather than let a truncated answer look complete, or
/// must drop a misbehaving client at once, keeping no state for it
/// (no FIN-WAIT, no TIME-WAIT).
pub(super) fn close(stream: &TcpStream, say: &Narrator) -> Result<(), Failure> {
    // std has no set_linger; socket2 reaches the option on std's socket.
    SockRef::from(stream)
        .set_linger(Some(Duration::ZERO))
        .context("set SO_LINGER 0")?;
    say!(
        say,
        "--abort: SO_LINGER 0, so closing sends RST instead of FIN"
    );
    say.event("closed", &[("how", &"abort")]);
    // The RST goes out when the last handle to the socket is closed, when
    // `handle` returns: it drops ours and, ending the watch, the
    // watchdog's.
    Ok(())
}
// ANCHOR_END: abort
