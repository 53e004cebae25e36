//! `--abort`: the story with the abortive close in place of the FIN.
//! SO_LINGER with a zero timeout makes close() send RST instead of FIN, and
//! throw away whatever is still queued to send.
//!
//! Rarely right: the peer's read ends in ConnectionReset rather than 0, and
//! bytes not yet sent are dropped, so the peer cannot tell a whole reply
//! from a cut one. That is exactly its use when a server must say "this
//! failed" rather than let a truncated answer look complete, or must drop a
//! misbehaving client at once, keeping no state for it (no FIN-WAIT, no
//! TIME-WAIT).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{Context, Failure, Narrator, say};
use socket2::SockRef;

use super::{gone, refuse};
use crate::reply_to;

// ANCHOR: abort
/// [`answer`](super::answer), closing abortively after the reply.
pub fn answer(
    stream: &TcpStream,
    from_client: impl Read,
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    let (mut request, mut chunk) = (Vec::new(), [0u8; 16 * 1024]);
    let mut from_client = from_client.take(max_request as u64 + 1);
    loop {
        match from_client.read(&mut chunk) {
            Ok(0) => break, // the client's FIN
            Ok(n) => request.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(refuse::read_failed(e, request.len(), say)),
        }
    }
    if request.len() > max_request {
        return refuse::too_long(stream, max_request, say);
    }
    say!(
        say,
        request_end(bytes = request.len(), end = "eof"),
        "read {bytes} bytes, then read() = 0: the client's FIN"
    );
    let reply = reply_to(&request);
    let wrote = (&*stream).write_all(&reply);
    wrote.map_err(|e| gone::reply_failed(e, say))?;
    // No shutdown(Write): std has no set_linger; socket2 reaches the
    // option on std's socket. The RST goes out when the last handle to the
    // socket is closed, when the connection ends: ours, and the watchdog's.
    SockRef::from(stream)
        .set_linger(Some(Duration::ZERO))
        .context("set SO_LINGER 0")?;
    say!(
        say,
        closed(how = "abort", reply = reply.len()),
        "--abort: SO_LINGER 0, so closing sends RST instead of FIN"
    );
    Ok(())
}
// ANCHOR_END: abort
