//! Refusing a request on tokio: the refusal, then the lingering close
//! (our FIN, then the client's bytes read and dropped until its FIN), so
//! that nothing is unread when the socket closes; or, with
//! `--close-early`, dropping it with bytes unread, and the RST that makes.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use common::{Budget, Context, Failure, Narrator, fmt_duration, say};

use super::Options;
use crate::refusal;
use crate::server::memory::no_memory as no_memory_message;
use common::LINGER_LIMIT;

/// The request passed `--max-request`: say so, and close.
pub(super) async fn too_long(
    mut stream: TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    let limit = opts.max_request;
    say!(
        say,
        "the request passed {limit} bytes: refusing it, the rest unread"
    );
    stream
        .write_all(&refusal(limit))
        .await
        .context("send the refusal")?;
    say.event("refused", &[("limit", &limit)]);
    // ANCHOR: close_early
    if opts.close_early {
        // Wrong on purpose. Dropping a tokio TcpStream closes the socket,
        // as close() does, and a socket closed with unread bytes sends RST
        // instead of FIN: async changes nothing of that.
        say!(
            say,
            "--close-early: dropping it with the rest unread: the kernel sends RST"
        );
        say.event("closed", &[("how", &"unread")]);
        return Ok(());
    }
    // ANCHOR_END: close_early
    lingering_close(stream, say).await
}

/// No room in --max-memory for this request: say so, and close.
pub(super) async fn no_memory(
    mut stream: TcpStream,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    say!(say, "no memory for this request: refusing it");
    say.event("refused", &[("why", &"memory")]);
    let message = no_memory_message(budget);
    // The client may be gone: the close below is all that is left to do.
    let _ = stream.write_all(message.as_bytes()).await;
    lingering_close(stream, say).await?;
    Err(Failure::msg("refused the request: --max-memory is spent"))
}

// ANCHOR: lingering_close
/// Our FIN after the answer, then read and drop what the client still
/// sends until its FIN, or [`LINGER_LIMIT`] at most: one `timeout` around
/// the whole drain, where the blocking server recomputes a read timeout.
async fn lingering_close(
    mut stream: TcpStream,
    say: &Narrator,
) -> Result<(), Failure> {
    match stream.shutdown().await {
        Err(e) if e.kind() != std::io::ErrorKind::NotConnected => {
            return Err(Failure::new("shutdown()", e));
        }
        _ => {}
    }
    let mut drained = 0usize;
    let drain = async {
        let mut sink = [0u8; 4096];
        loop {
            match stream.read(&mut sink).await? {
                0 => return std::io::Result::Ok(()),
                n => drained += n,
            }
        }
    };
    match timeout(LINGER_LIMIT, drain).await {
        Ok(drained_all) => drained_all.context("drain the refused request")?,
        Err(_) => {
            let limit = fmt_duration(LINGER_LIMIT);
            say!(say, "still receiving after {limit}: closing anyway");
            say.event("drained", &[("bytes", &drained), ("end", &"limit")]);
            return Ok(());
        }
    }
    say!(
        say,
        "FIN sent, drained {drained} bytes to the client's FIN: no RST"
    );
    say.event("drained", &[("bytes", &drained), ("end", &"eof")]);
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: lingering_close
