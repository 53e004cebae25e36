//! `--no-shutdown`: the story without its half-close. Nothing tells the
//! server the request is over, so it waits for more, and we wait for its
//! reply: both sides sit until our read timeout.

use std::io::Write;
use std::time::Duration;

use common::{Failure, HostPort, Narrator, say};

use super::{Seen, Sent, check, connect, diagnose, read_reply};

// ANCHOR: no_shutdown
/// Connect, send `request`, and read the reply, without `shutdown(Write)`.
pub fn run(
    addr: &HostPort,
    request: &[u8],
    read_timeout: Duration,
    say: &Narrator,
) -> Result<Seen, Failure> {
    let mut stream = connect(addr, read_timeout, say)?;
    if let Err(e) = stream.write_all(request) {
        return Err(diagnose::sending_failed(&stream, e, say));
    }
    say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
    // Wrong on purpose: no FIN, and this protocol has no length either.
    say!(
        say,
        "--no-shutdown: no FIN, so the server cannot tell we are done"
    );
    let reply = read_reply(&stream, request.len(), Sent::StillOpen, say)?;
    check(&reply, request, say)?;
    Ok(Seen {
        reply,
        ..Seen::default()
    })
}
// ANCHOR_END: no_shutdown
