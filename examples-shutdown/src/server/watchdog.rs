//! `--max-time`: a watchdog that ends a connection still open after that
//! long, from a thread of its own, through a second handle to the same
//! socket; and `--watchdog-drop`, the wrong version that ends nothing.

use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::Options;
use crate::shutdown_or_closed;

// ANCHOR: watchdog
/// Ends a connection that is still open after `--max-time`.
pub(super) struct Watchdog {
    // Dropped when `handle` returns: the watchdog thread wakes up and
    // drops its handle too.
    _done: mpsc::Sender<()>,
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    pub(super) fn start(
        stream: &TcpStream,
        opts: &Options,
        say: &Narrator,
    ) -> Result<Watchdog, Failure> {
        // try_clone gives a second handle (a dup'ed file descriptor) to the
        // *same* socket. Closing one handle closes nothing while another
        // lives; shutdown through either acts on the connection itself,
        // for every handle, and wakes a thread blocked in read() on any.
        let handle = stream.try_clone().context("try_clone")?;
        let (done, finished) = mpsc::channel::<()>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&fired);
        let (limit, wrong, say) =
            (opts.max_time, opts.watchdog_drop, say.clone());
        let watch = move || {
            if finished.recv_timeout(limit) != Err(RecvTimeoutError::Timeout) {
                return; // ended in time; `handle` is dropped here
            }
            let open = fmt_duration(limit);
            if wrong {
                say!(
                    say,
                    "watchdog: {open} up; dropping its handle ends nothing"
                );
                say.event("watchdog", &[("action", &"drop")]);
                drop(handle);
                return;
            }
            say!(say, "watchdog: {open} up; shutdown(Both) wakes the read()");
            say.event("watchdog", &[("action", &"shutdown")]);
            // Set before the shutdown, so the woken thread sees it.
            flag.store(true, Ordering::SeqCst);
            if let Err(e) = shutdown_or_closed(&handle, Shutdown::Both) {
                say.problem(format_args!("watchdog: shutdown(Both): {e}"));
            }
        };
        thread::Builder::new()
            .name("watchdog".into())
            .spawn(watch)
            .context("start the watchdog thread")?;
        Ok(Watchdog { _done: done, fired })
    }

    /// True, and said, once the watchdog has shut the connection down.
    pub(super) fn ended_it(&self, say: &Narrator) -> bool {
        let fired = self.fired.load(Ordering::SeqCst);
        if fired {
            say!(say, "the watchdog ended the connection; no reply");
            say.event("closed", &[("how", &"watchdog")]);
        }
        fired
    }
}
// ANCHOR_END: watchdog
