//! The async accept loop every async TCP server of the course runs on
//! (feature `tokio`): one thread, a task per connection, a cap past which
//! a newcomer is turned away politely (the refusal, our FIN, a short
//! drain: lesson 1's lingering close, on tokio). The chapter "The same
//! lessons, async" teaches it.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use crate::{Context, Failure, Narrator, Room, WhenFull, say};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout};

/// A current-thread runtime with I/O and timers: every async binary of the
/// course runs all its tasks on the one thread that calls it.
pub fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .context("start the runtime")
}

/// What the accept loop admits: how many at once, whether to stop after
/// one, and what a client turned away hears.
pub struct Rules {
    /// Serve at most this many at once.
    pub max_clients: usize,
    /// What to do with a newcomer past `max_clients` (see [`Room`]).
    pub when_full: WhenFull,
    /// Serve one client, then return.
    pub once: bool,
    /// The refusal past `max_clients`, in the lesson's own framing.
    pub busy: Vec<u8>,
}

// ANCHOR: accept_tasks
/// Accept clients and run `handle` for each as a task of this thread's
/// runtime: every async TCP server of the course runs on it. Past
/// `max_clients`, the connection waited on longest makes room (see
/// [`Room`]: its task is dropped, which closes its socket), or the
/// newcomer is turned away.
pub async fn accept_tasks<H, F>(
    listener: std::net::TcpListener,
    rules: Rules,
    say: Narrator,
    handle: H,
) -> Result<(), Failure>
where
    H: Fn(TcpStream, Narrator) -> F,
    F: Future<Output = Result<(), Failure>> + Send + 'static,
{
    // tokio registers the socket with epoll; it must not block the thread.
    listener.set_nonblocking(true).context("set_nonblocking")?;
    let listener = TcpListener::from_std(listener).context("register")?;
    let room = Room::new(rules.max_clients, rules.when_full);
    let busy: Arc<[u8]> = rules.busy.into();
    for id in 1u64.. {
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // EMFILE past the open-file limit, or a reset while queued:
                // one connection lost, not the server; the pause keeps the
                // first kind from spinning.
                say.problem(format_args!("accept: {e}"));
                sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let say = say.tagged(format_args!("#{id}"));
        say!(say, accepted(peer), "accepted a connection from {peer}");
        let Some(tenant) = room.admit(id, None, &say) else {
            turn_away(stream, room.max(), Arc::clone(&busy), &say);
            continue;
        };
        // The task runs as its tenant, so that its reads say whose they
        // are; evicted, it ends (None) wherever it waits.
        let served = tenant.serve(handle(stream, say.clone()));
        let task = async move {
            if let Some(Err(failure)) = served.await {
                say.problem(failure);
            }
            say.event("done", &[]);
        };
        if rules.once {
            task.await;
            return Ok(());
        }
        // A task, not a thread: a few hundred bytes, run on this thread
        // whenever its socket is ready.
        tokio::spawn(task);
        // Let it run before the next accept: its first read tells the
        // room whether it waits on its client. Without this, a burst of
        // accepts could fill a full room with tasks never yet polled,
        // which cannot be told from busy ones, and turn honest clients
        // away behind them.
        tokio::task::yield_now().await;
    }
    Ok(())
}
// ANCHOR_END: accept_tasks

/// Past --max-clients: the refusal, our FIN, and whatever the client still
/// sends, read and dropped for 100 ms at most (closing with unread bytes
/// would send RST, which can destroy the refusal). A task of its own, so
/// the accept loop never waits for it.
fn turn_away(
    mut stream: TcpStream,
    max: usize,
    busy: Arc<[u8]>,
    say: &Narrator,
) {
    say!(
        say,
        turned_away(max),
        "turned away: {max} clients already (--max-clients)"
    );
    let linger = async move {
        stream.write_all(&busy).await?;
        stream.shutdown().await?;
        let (mut sink, mut drained) = ([0u8; 4096], 0);
        while drained < 64 * 1024 {
            match stream.read(&mut sink).await? {
                0 => break,
                n => drained += n,
            }
        }
        io::Result::Ok(())
    };
    tokio::spawn(async move {
        // Errors and the time limit end it the same way: with the close.
        let _ = timeout(Duration::from_millis(100), linger).await;
    });
}
