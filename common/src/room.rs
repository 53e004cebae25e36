//! Room at the cap: who gets in when a server already serves
//! `--max-clients`. Every TCP server of the course, blocking and async,
//! admits its clients through a [`Room`]; the chapter "Hardening" (lesson
//! 1's, section "Fair at the cap") teaches it.
//!
//! Turning a newcomer away (`--when-full turn-away`) is fair only if the
//! clients inside finish: 300 slowloris clients that send a byte every
//! three seconds, or that connect and never send, keep every slot, and
//! honest clients are turned away for as long as the attack lasts. So by
//! default (`--when-full evict`) a full server makes room: it closes the
//! connection it has been *waiting on longest*, the one blocked in a read
//! for its client's next bytes for the longest time, and admits the
//! newcomer. An honest client is waited on for a round trip; an attacker
//! for as long as it likes; so the attacker goes first. A connection the
//! server is busy with (answering, or its own pause) is never a
//! candidate: if every admitted connection is being answered, the newcomer
//! is turned away as before. nginx does the same with idle keep-alive
//! connections when it runs out of connections (`ngx_drain_connections`).
//!
//! The server says when it waits: each read of a client's bytes runs
//! inside [`wait_for_client`] (blocking) or [`wait_for_client_async`],
//! or through [`Reading`]. Which connection is asking is the thread's (or
//! the task's) [`Tenant`], set by the accept loop, so the stories'
//! signatures do not change: the same idea as `tracing`'s current span.

use std::cell::RefCell;
use std::io::{self, Read};
use std::net::Shutdown;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::{Narrator, fmt_duration, say};

/// What a full server does with a newcomer (`--when-full`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum WhenFull {
    /// Close the connection waited on longest, and admit the newcomer.
    #[default]
    Evict,
    /// Refuse the newcomer politely (the server-busy message, then a
    /// lingering close).
    TurnAway,
}

/// The connections a server serves at once: at most `max`.
pub struct Room {
    max: usize,
    when_full: WhenFull,
    epoch: Instant,
    tenants: Mutex<Vec<Weak<Entry>>>,
}

/// One admitted connection: its place in the [`Room`], given back when
/// every clone of it is dropped.
#[derive(Clone)]
pub struct Tenant(Arc<Entry>);

struct Entry {
    id: u64,
    epoch: Instant,
    /// Nanoseconds from `epoch` to when the server began waiting for this
    /// client's bytes, plus one; 0 while it is not waiting.
    since: AtomicU64,
    evicted: AtomicBool,
    /// A second handle to a blocking connection's socket: shutdown through
    /// it wakes a thread blocked in read() (lesson 1's watchdog does the
    /// same). Async connections have none: their task is woken instead.
    socket: Option<socket2::Socket>,
    waker: Mutex<Option<Waker>>,
    say: Narrator,
}

impl Room {
    /// Room for `max` connections at once.
    pub fn new(max: usize, when_full: WhenFull) -> Room {
        Room {
            max,
            when_full,
            epoch: Instant::now(),
            tenants: Mutex::new(Vec::new()),
        }
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.max
    }

    /// How many connections are being served (an evicted one counts
    /// until its thread or task has let it go).
    pub fn in_use(&self) -> usize {
        let mut tenants = self.lock();
        tenants.retain(|t| t.strong_count() > 0);
        tenants.len()
    }

    // ANCHOR: admit
    /// Admit connection `id`, evicting another if the room is full and
    /// `--when-full evict` allows; `None` if the newcomer must be turned
    /// away. `socket` is a second handle to a blocking connection's
    /// socket (`None` for an async one).
    pub fn admit(
        &self,
        id: u64,
        socket: Option<socket2::Socket>,
        say: &Narrator,
    ) -> Option<Tenant> {
        let mut tenants = self.lock();
        tenants.retain(|t| t.strong_count() > 0);
        let live: Vec<Arc<Entry>> =
            tenants.iter().filter_map(Weak::upgrade).collect();
        let serving = live.iter().filter(|e| !e.is_evicted()).count();
        if serving >= self.max {
            if self.when_full == WhenFull::TurnAway {
                return None;
            }
            // The connection waited on longest, among those with nothing
            // unread: bytes in the kernel's receive queue mean the client
            // has spoken and the server has not yet listened (its thread
            // has not reached read()), which is not the client's fault.
            let mut waiting: Vec<_> = live
                .iter()
                .filter(|e| !e.is_evicted())
                .map(|e| (e.since.load(Ordering::SeqCst), e))
                .filter(|&(since, _)| since > 0)
                .collect();
            waiting.sort_unstable_by_key(|&(since, _)| since);
            // If every candidate has bytes unread (the server's threads
            // all lag behind, as on a machine with no core to spare), the
            // one waited on longest still goes: turning the newcomer away
            // would be sure to fail an honest client; this rarely does.
            let victim = waiting
                .iter()
                .find(|(_, e)| !e.has_unread())
                .or_else(|| waiting.first());
            victim?.1.evict(id);
        }
        // A blocking connection counts as waiting from the start: its
        // thread may take a while to reach its first read, and until then
        // its slot is just as held. (An async one is polled at once.)
        let since = if socket.is_some() { now(self.epoch) } else { 0 };
        let entry = Arc::new(Entry {
            id,
            epoch: self.epoch,
            since: AtomicU64::new(since),
            evicted: AtomicBool::new(false),
            socket,
            waker: Mutex::new(None),
            say: say.clone(),
        });
        tenants.push(Arc::downgrade(&entry));
        Some(Tenant(entry))
    }

    // ANCHOR_END: admit

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Weak<Entry>>> {
        self.tenants.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Entry {
    fn is_evicted(&self) -> bool {
        self.evicted.load(Ordering::SeqCst)
    }

    fn now(&self) -> u64 {
        now(self.epoch)
    }

    /// True if the kernel holds bytes from this client that the server
    /// has not read yet (a peek that neither waits nor takes anything).
    fn has_unread(&self) -> bool {
        let Some(socket) = &self.socket else {
            return false;
        };
        let mut byte = [std::mem::MaybeUninit::uninit()];
        let flags = libc::MSG_PEEK | libc::MSG_DONTWAIT;
        matches!(socket.recv_with_flags(&mut byte, flags), Ok(1))
    }

    /// Close this connection to make room for `by`.
    fn evict(&self, by: u64) {
        let since = self.since.load(Ordering::SeqCst);
        let waited = Duration::from_nanos(self.now().saturating_sub(since));
        let (who, took) = (self.id, fmt_duration(waited));
        say!(
            self.say,
            evicted(by, waited_ms = waited.as_millis()),
            "evicted for #{by}: the server is full, and #{who} kept it \
             waiting longest ({took})"
        );
        self.evicted.store(true, Ordering::SeqCst);
        // shutdown(Both): a read blocked on this socket returns 0 at once,
        // which `wait_for_client` turns into an error, not a FIN.
        if let Some(socket) = &self.socket {
            let _ = socket.shutdown(Shutdown::Both);
        }
        let waker = self.waker.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(waker) = waker.as_ref() {
            waker.wake_by_ref();
        }
    }

    /// What a read of this client's bytes came to: still waiting
    /// (pending, or a read timeout: the server reads again, still
    /// waiting; framing resumes its frame), or done waiting.
    fn record<T>(&self, outcome: &Poll<io::Result<T>>) {
        if done(outcome) {
            self.since.store(0, Ordering::SeqCst);
        } else {
            // Waiting since the first of these reads, not the latest.
            let now = self.now();
            let _ = self.since.compare_exchange(
                0,
                now,
                Ordering::SeqCst,
                Ordering::SeqCst,
            );
        }
    }
}

/// Whether a read's outcome ends the wait: anything but pending or a
/// read timeout.
fn done<T>(outcome: &Poll<io::Result<T>>) -> bool {
    match outcome {
        Poll::Pending => false,
        Poll::Ready(Err(e)) => !crate::is_timeout(e),
        Poll::Ready(Ok(_)) => true,
    }
}

impl Tenant {
    /// True once the server closed this connection to make room.
    pub fn evicted(&self) -> bool {
        self.0.is_evicted()
    }

    /// Make this the connection of the calling thread (a blocking
    /// server's worker), until the returned guard is dropped.
    pub fn enter(&self) -> Entered {
        CURRENT.with(|c| *c.borrow_mut() = Some(self.clone()));
        Entered(())
    }

    /// Run `served`, this connection's task, as this tenant; `None` if it
    /// was evicted first (its future dropped, which closes its socket).
    pub fn serve<F: Future>(self, served: F) -> Served<F> {
        Served {
            tenant: self,
            served: Box::pin(served),
        }
    }
}

/// The thread's connection, until dropped (see [`Tenant::enter`]).
pub struct Entered(());

impl Drop for Entered {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

thread_local! {
    /// The connection this thread (or the task being polled) serves.
    static CURRENT: RefCell<Option<Tenant>> = const { RefCell::new(None) };
}

/// Nanoseconds since `epoch`, plus one (0 means "not waiting").
fn now(epoch: Instant) -> u64 {
    let nanos = epoch.elapsed().as_nanos();
    u64::try_from(nanos).unwrap_or(u64::MAX - 1) + 1
}

/// Run `f` with the current tenant, if there is one.
fn current<T>(f: impl FnOnce(&Entry) -> T) -> Option<T> {
    CURRENT.with(|c| c.borrow().as_ref().map(|t| f(&t.0)))
}

fn evicted_error() -> io::Error {
    io::Error::new(
        io::ErrorKind::ConnectionAborted,
        "evicted: the server was full, and this client had kept it \
         waiting longest",
    )
}

/// A blocking read of the client's bytes: while `read` runs, this
/// connection counts as waiting on its client. If it was evicted
/// meanwhile, an error (the read itself returned 0, which would pass for
/// the client's FIN).
pub fn wait_for_client<T>(
    read: impl FnOnce() -> io::Result<T>,
) -> io::Result<T> {
    current(|t| t.record::<T>(&Poll::Pending));
    let outcome = Poll::Ready(read());
    if current(|t| t.is_evicted()) == Some(true) {
        return Err(evicted_error());
    }
    current(|t| t.record(&outcome));
    match outcome {
        Poll::Ready(result) => result,
        Poll::Pending => unreachable!("a blocking read is never pending"),
    }
}

/// [`wait_for_client`] for a future: while `read` is pending, this
/// connection counts as waiting on its client.
pub async fn wait_for_client_async<T>(
    read: impl Future<Output = io::Result<T>>,
) -> io::Result<T> {
    let mut read = std::pin::pin!(read);
    std::future::poll_fn(|cx| {
        let outcome = read.as_mut().poll(cx);
        current(|t| t.record(&outcome));
        outcome
    })
    .await
}

/// A reader whose every read counts as waiting on the client: for the
/// readers a story is handed (a `FrameReader`'s socket, tokio's
/// `FramedRead`).
pub struct Reading<R>(pub R);

impl<R: Read> Read for Reading<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        wait_for_client(|| self.0.read(buf))
    }
}

#[cfg(feature = "tokio")]
impl<R: tokio::io::AsyncRead + Unpin> tokio::io::AsyncRead for Reading<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let outcome = Pin::new(&mut self.0).poll_read(cx, buf);
        current(|t| t.record(&outcome));
        outcome
    }
}

#[cfg(feature = "tokio")]
impl<W: tokio::io::AsyncWrite + Unpin> tokio::io::AsyncWrite for Reading<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

/// A connection's task, run as its tenant (see [`Tenant::serve`]): while
/// it is polled, it is the thread's current connection, so the reads
/// inside it say whose they are.
pub struct Served<F> {
    tenant: Tenant,
    served: Pin<Box<F>>,
}

impl<F: Future> Future for Served<F> {
    type Output = Option<F::Output>;

    fn poll(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Self::Output> {
        let this = &mut *self;
        let entry = &this.tenant.0;
        if entry.is_evicted() {
            return Poll::Ready(None);
        }
        let mut waker =
            entry.waker.lock().unwrap_or_else(PoisonError::into_inner);
        if !waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
            *waker = Some(cx.waker().clone());
        }
        drop(waker);
        let _entered = this.tenant.enter();
        this.served.as_mut().poll(cx).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Verbosity;

    fn quiet() -> Narrator {
        Narrator::server(Verbosity::Silent)
    }

    /// The tenant starts waiting on its client now.
    fn waits(tenant: &Tenant) {
        tenant.0.record::<()>(&Poll::Pending);
    }

    #[test]
    fn a_full_room_evicts_the_tenant_waited_on_longest() {
        let room = Room::new(3, WhenFull::Evict);
        let (a, b, c) = (
            room.admit(1, None, &quiet()).unwrap(),
            room.admit(2, None, &quiet()).unwrap(),
            room.admit(3, None, &quiet()).unwrap(),
        );
        // c is busy (not waiting); b began waiting before a.
        waits(&b);
        std::thread::sleep(Duration::from_millis(2));
        waits(&a);
        let d = room.admit(4, None, &quiet()).expect("room made");
        assert!(b.evicted() && !a.evicted() && !c.evicted() && !d.evicted());
        // A read that returns ends the wait: a is no longer a candidate,
        // c never was; the next newcomer is turned away.
        a.0.record(&Poll::Ready(io::Result::Ok(5)));
        assert!(room.admit(5, None, &quiet()).is_none());
        // An evicted tenant still counts until let go.
        assert_eq!(room.in_use(), 4);
        drop(b);
        assert_eq!(room.in_use(), 3);
    }

    #[test]
    fn a_read_timeout_does_not_restart_the_wait() {
        let room = Room::new(2, WhenFull::Evict);
        let (a, b) = (
            room.admit(1, None, &quiet()).unwrap(),
            room.admit(2, None, &quiet()).unwrap(),
        );
        waits(&a);
        std::thread::sleep(Duration::from_millis(2));
        waits(&b);
        // a's read times out and it reads again: still waiting since first.
        let timed_out = io::Error::from(io::ErrorKind::WouldBlock);
        a.0.record::<()>(&Poll::Ready(Err(timed_out)));
        waits(&a);
        room.admit(3, None, &quiet()).expect("room made");
        assert!(a.evicted() && !b.evicted());
    }

    #[test]
    fn turn_away_never_evicts() {
        let room = Room::new(1, WhenFull::TurnAway);
        let a = room.admit(1, None, &quiet()).unwrap();
        waits(&a);
        assert!(room.admit(2, None, &quiet()).is_none());
        assert!(!a.evicted());
    }

    #[test]
    fn an_evicted_read_is_an_error_not_an_end_of_stream() {
        let room = Room::new(1, WhenFull::Evict);
        let a = room.admit(1, None, &quiet()).unwrap();
        let _entered = a.enter();
        let read = wait_for_client(|| {
            // While this read "blocks", a newcomer makes room.
            room.admit(2, None, &quiet()).expect("room made");
            io::Result::Ok(0)
        });
        assert_eq!(read.unwrap_err().kind(), io::ErrorKind::ConnectionAborted);
    }
}
