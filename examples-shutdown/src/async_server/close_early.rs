//! `--close-early`, on tokio: the story, wrong on purpose where it refuses
//! a request that is too long: it drops the stream with the rest of the
//! request unread, instead of the lingering close.

use common::{Context, Failure, Narrator, say};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::server::{gone, refuse::read_failed, refuse::say_too_long};
use crate::{refusal, reply_to};

// ANCHOR: close_early
/// [`answer`](super::answer), closing early on a request that is too long.
pub async fn answer(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    let mut request = Vec::new();
    let limit = max_request as u64 + 1;
    let read = (&mut *stream).take(limit).read_to_end(&mut request).await;
    if let Err(e) = read {
        return Err(read_failed(e, request.len(), say));
    }
    if request.len() > max_request {
        say_too_long(request.len(), max_request, say);
        let refused = stream.write_all(&refusal(max_request)).await;
        refused.context("send the refusal")?;
        // Wrong on purpose. Dropping a tokio TcpStream closes the socket,
        // as close() does, and a socket closed with unread bytes sends RST
        // instead of FIN: async changes nothing of that.
        say!(
            say,
            closed(how = "unread"),
            "--close-early: dropping it with the rest unread: the kernel sends RST"
        );
        return Ok(());
    }
    let got = request.len();
    say!(
        say,
        request_end(bytes = got, end = "eof"),
        "read {got} bytes, then read() = 0: the client's FIN"
    );
    let reply = reply_to(&request);
    let wrote = stream.write_all(&reply).await;
    wrote.map_err(|e| gone::reply_failed(e, say))?;
    let shut = stream.shutdown().await;
    shut.map_err(|e| gone::after_shutdown(e, say))?;
    say!(
        say,
        closed(how = "fin", reply = reply.len()),
        "sent a {reply}-byte reply, then shutdown(): our FIN"
    );
    Ok(())
}
// ANCHOR_END: close_early
