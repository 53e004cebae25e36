//! Refusing a request on tokio: the refusal, then the lingering close (our
//! FIN, then the client's bytes read and dropped until its FIN), so that
//! nothing is unread when the socket closes.

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::time::timeout;

use common::{
    Budget, Context, Failure, LINGER_LIMIT, Narrator, fmt_duration, say,
};

use crate::refusal;
use crate::server::memory::no_memory as no_memory_message;
use crate::server::refuse::say_too_long;

/// The request passed `max_request`: say so, and close without an RST
/// destroying the refusal.
pub(super) async fn too_long(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    say_too_long(max_request + 1, max_request, say);
    stream
        .write_all(&refusal(max_request))
        .await
        .context("send the refusal")?;
    lingering_close(stream, say).await
}

/// No room in --max-memory for this request: say so, and close.
pub(super) async fn no_memory(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    say!(
        say,
        refused(why = "memory"),
        "no memory for this request: refusing it"
    );
    let message = no_memory_message(budget);
    // The client may be gone: the close below is all that is left to do.
    let _ = stream.write_all(message.as_bytes()).await;
    lingering_close(&mut stream, say).await?;
    Err(Failure::msg("refused the request: --max-memory is spent"))
}

// ANCHOR: lingering_close
/// Our FIN after the answer, then read and drop what the client still
/// sends until its FIN, or [`LINGER_LIMIT`] at most: one `timeout` around
/// the whole drain, where the blocking server recomputes a read timeout.
async fn lingering_close(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
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
            say!(
                say,
                drained(bytes = drained, end = "limit"),
                "still receiving after {limit}: closing anyway"
            );
            return Ok(());
        }
    }
    say!(
        say,
        drained(bytes = drained, end = "eof"),
        "FIN sent, drained {bytes} bytes to the client's FIN: no RST"
    );
    say.event("closed", &[("how", &"fin")]);
    Ok(())
}
// ANCHOR_END: lingering_close
