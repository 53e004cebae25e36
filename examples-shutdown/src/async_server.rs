//! The async server: `shutdown-server`'s protocol on tokio, every
//! connection a task on one thread. [`answer`] is the story: it reads each
//! request until the client's FIN and answers with `shutdown().await` after
//! the reply, as the blocking server does with `shutdown(Write)`.
//! `--close-early` is a whole sibling of it (`async_server/close_early.rs`).
//! Below the story, the hardening that wraps it: the accept loop every
//! async server shares (`common::tasks`), a deadline around the whole
//! connection where the blocking server has a watchdog thread, and a
//! [`Guarded`] stream that times out a silent client and charges
//! `--max-memory`.

use std::sync::Arc;

use common::tasks::{Rules, accept_tasks, runtime};
use common::{Budget, Failure, Narrator, fmt_duration, say};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::server::memory::{FIRST, check_sizes};
use crate::server::{gone, refuse::read_failed};
use crate::{busy, reply_to};

pub mod close_early; // --close-early: dropping the stream with bytes unread
mod guard; // the stream the story uses: --idle-timeout, --max-memory
mod refuse; // --max-request, --max-memory: the lingering close

pub use crate::options::AsyncServerOptions as Options;
pub use crate::server::bind;
pub use guard::Guarded;

// ANCHOR: story
/// One connection: read the request to the client's FIN, answer, then
/// shutdown(): our FIN. `stream` is the socket as the hardening lets us
/// use it (see [`Guarded`]).
pub async fn answer(
    stream: &mut (impl AsyncRead + AsyncWrite + Unpin),
    max_request: usize,
    say: &Narrator,
) -> Result<(), Failure> {
    // read() returns 0 once the client's FIN arrived and every byte before
    // it was read. One byte past the limit says the request is too long.
    let mut request = Vec::new();
    let limit = max_request as u64 + 1;
    let read = (&mut *stream).take(limit).read_to_end(&mut request).await;
    if let Err(e) = read {
        return Err(read_failed(e, request.len(), say));
    }
    if request.len() > max_request {
        return refuse::too_long(stream, max_request, say).await;
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
    // tokio's shutdown() flushes what it buffered (a TcpStream buffers
    // nothing), then calls shutdown(Write): our FIN after the reply. It is
    // the only shutdown tokio offers; the async client shows the other.
    let shut = stream.shutdown().await;
    shut.map_err(|e| gone::after_shutdown(e, say))?;
    say!(
        say,
        closed(how = "fin", reply = reply.len()),
        "sent a {reply}-byte reply, then shutdown(): our FIN"
    );
    Ok(())
}
// ANCHOR_END: story

/// Accept clients on one thread until the process is killed (or one, with
/// `--once`).
pub fn serve(
    listener: std::net::TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check_sizes(opts.max_request, opts.max_memory)?;
    let max = opts.max_clients as usize;
    let rules = Rules {
        max_clients: max,
        when_full: opts.when_full,
        once: opts.once,
        busy: busy(max),
    };
    // Part of the budget stays free for first chunks (see the blocking
    // server's): a small request is served while the largest ones hold
    // the rest.
    let largest = crate::server::memory::room_for(opts.max_request);
    let budget = Budget::with_reserve(opts.max_memory, largest);
    let opts = Arc::new(opts.clone());
    runtime()?.block_on(accept_tasks(
        listener,
        rules,
        say.clone(),
        move |stream, say| {
            let (opts, budget) = (Arc::clone(&opts), budget.clone());
            async move { connection(stream, &opts, &budget, &say).await }
        },
    ))
}

// ANCHOR: connection
/// One connection, hardened: room in the budget, the stream guarded, and
/// the story (or the variant the flags chose) within --max-time.
async fn connection(
    stream: TcpStream,
    opts: &Options,
    budget: &Budget,
    say: &Narrator,
) -> Result<(), Failure> {
    let Ok(share) = budget.take(FIRST, std::time::Duration::ZERO) else {
        return refuse::no_memory(stream, budget, say).await;
    };
    let mut conn = Guarded::new(stream, share, opts, say);
    let max = opts.max_request;
    let story = async {
        if opts.close_early {
            close_early::answer(&mut conn, max, say).await
        } else {
            answer(&mut conn, max, say).await
        }
    };
    // The blocking server's watchdog is a thread that calls shutdown(Both)
    // to wake a read blocked on a silent client. Here one deadline does it:
    // when it passes, `timeout` drops the story wherever it waits, and the
    // socket, owned by `conn`, is closed when it goes: the client gets our
    // FIN.
    match timeout(opts.max_time, story).await {
        Ok(Err(_)) if conn.out_of_memory() => {
            refuse::no_memory(conn.into_inner(), budget, say).await
        }
        Ok(done) => done,
        Err(_) => {
            let max = fmt_duration(opts.max_time);
            let what = "the read cancelled, the socket dropped: our FIN";
            say!(say, ended(why = "max_time"), "--max-time {max}: {what}");
            Ok(())
        }
    }
}
// ANCHOR_END: connection
