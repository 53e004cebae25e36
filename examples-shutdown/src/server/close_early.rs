//! `--close-early`: the story, wrong on purpose where it refuses a request
//! that is too long: it closes at once, with the rest of the request
//! unread, instead of the lingering close of `refuse.rs`.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};

use common::{Context, Failure, Narrator, say};

use super::{gone, refuse};
use crate::{refusal, reply_to};

// ANCHOR: close_early
/// [`answer`](super::answer), closing early on a request that is too long.
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
        refuse::say_too_long(request.len(), max_request, say);
        (&*stream)
            .write_all(&refusal(max_request))
            .context("send the refusal")?;
        // Wrong on purpose. Closing a socket whose receive buffer still
        // holds unread bytes makes the kernel send RST instead of FIN (RFC
        // 2525, 2.17): the data would be lost, so it tells the peer at
        // once. The client sees ConnectionReset instead of a clean end of
        // the reply, and may lose the reply itself.
        say!(
            say,
            closed(how = "unread"),
            "--close-early: closing with the rest unread: the kernel sends RST"
        );
        return Ok(());
    }
    say!(
        say,
        request_end(bytes = request.len(), end = "eof"),
        "read {bytes} bytes, then read() = 0: the client's FIN"
    );
    let reply = reply_to(&request);
    let wrote = (&*stream).write_all(&reply);
    wrote.map_err(|e| gone::reply_failed(e, say))?;
    let shut = stream.shutdown(Shutdown::Write);
    shut.map_err(|e| gone::shutdown_failed(stream, e, say))?;
    say!(
        say,
        closed(how = "fin", reply = reply.len()),
        "sent a {reply}-byte reply, then shutdown(Write): our FIN"
    );
    Ok(())
}
// ANCHOR_END: close_early
