//! `--max-time`: a watchdog that ends a connection still open after that
//! long, from a thread of its own, through a second handle to the same
//! socket; and `--watchdog-drop`, the wrong version that ends nothing.
//!
//! One watchdog thread watches every connection, so a connection costs one
//! thread, its handler, however many are open.

use std::collections::BTreeMap;
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::Options;
use common::shutdown_or_closed;

/// The watchdog thread, shared by every connection of the server.
#[derive(Clone)]
pub(super) struct Watchdog {
    shared: Arc<Shared>,
    limit: Duration,
    wrong: bool,
}

/// The connections being watched, the soonest deadline first.
#[derive(Default)]
struct Shared {
    watched: Mutex<BTreeMap<(Instant, u64), Watched>>,
    changed: Condvar,
}

struct Watched {
    handle: TcpStream,
    fired: Arc<AtomicBool>,
    say: Narrator,
}

/// One connection under watch; dropping it (when the connection ends) stops
/// the watch and drops the watchdog's handle.
pub(super) struct Watch {
    shared: Arc<Shared>,
    key: (Instant, u64),
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    /// Start the watchdog thread.
    pub(super) fn start(opts: &Options) -> Result<Watchdog, Failure> {
        let dog = Watchdog {
            shared: Arc::default(),
            limit: opts.max_time,
            wrong: opts.watchdog_drop,
        };
        let thread = dog.clone();
        thread::Builder::new()
            .name("watchdog".into())
            .spawn(move || thread.run())
            .context("start the watchdog thread")?;
        Ok(dog)
    }

    // ANCHOR: watchdog
    /// Watch `stream`: it is ended once it is still open after --max-time.
    pub(super) fn watch(
        &self,
        stream: &TcpStream,
        id: u64,
        say: &Narrator,
    ) -> Result<Watch, Failure> {
        // try_clone gives a second handle (a dup'ed file descriptor) to the
        // *same* socket. Closing one handle closes nothing while another
        // lives; shutdown through either acts on the connection itself,
        // for every handle, and wakes a thread blocked in read() on any.
        let handle = stream.try_clone().context("try_clone")?;
        let fired = Arc::new(AtomicBool::new(false));
        // A deadline past any clock's end is never reached.
        let at = Instant::now().checked_add(self.limit);
        let Some(at) = at else {
            return Ok(Watch::idle(&self.shared, id, fired));
        };
        let (say, flag) = (say.clone(), Arc::clone(&fired));
        let watched = Watched {
            handle,
            fired: flag,
            say,
        };
        self.shared.lock().insert((at, id), watched);
        self.shared.changed.notify_one();
        Ok(Watch {
            shared: Arc::clone(&self.shared),
            key: (at, id),
            fired,
        })
    }

    /// Time is up for this connection.
    fn fire(&self, conn: Watched) {
        let (open, say) = (fmt_duration(self.limit), &conn.say);
        if self.wrong {
            say!(
                say,
                watchdog(action = "drop"),
                "watchdog: {open} up; dropping its handle ends nothing"
            );
            drop(conn.handle);
            return;
        }
        say!(
            say,
            watchdog(action = "shutdown"),
            "watchdog: {open} up; shutdown(Both) wakes the read()"
        );
        // Set before the shutdown, so the woken thread sees it.
        conn.fired.store(true, Ordering::SeqCst);
        if let Err(e) = shutdown_or_closed(&conn.handle, Shutdown::Both) {
            say.problem(format_args!("watchdog: shutdown(Both): {e}"));
        }
    }
    // ANCHOR_END: watchdog

    /// The watchdog thread: sleep until the soonest deadline, or until a
    /// connection is added, and end whatever is due.
    fn run(self) {
        let mut watched = self.shared.lock();
        loop {
            let now = Instant::now();
            let due = match watched.first_key_value() {
                Some((&(at, id), _)) if at <= now => Some((at, id)),
                _ => None,
            };
            if let Some(key) = due {
                let conn = watched.remove(&key).expect("the key just seen");
                drop(watched);
                self.fire(conn);
                watched = self.shared.lock();
                continue;
            }
            let wait = watched
                .first_key_value()
                .map_or(Duration::MAX, |(&(at, _), _)| at - now);
            watched = self
                .shared
                .changed
                .wait_timeout(watched, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<(Instant, u64), Watched>> {
        // Every update is one insert or remove: a panic cannot leave the
        // map half-changed.
        self.watched.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Watch {
    /// A watch that never fires (--max-time beyond what a clock holds).
    fn idle(shared: &Arc<Shared>, id: u64, fired: Arc<AtomicBool>) -> Watch {
        Watch {
            shared: Arc::clone(shared),
            key: (Instant::now(), id),
            fired,
        }
    }

    /// True once the watchdog has shut the connection down.
    pub(super) fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        // Ended in time: the watchdog's handle is dropped here. The thread
        // may wake for nothing at this deadline; it finds nothing due.
        drop(self.shared.lock().remove(&self.key));
    }
}
