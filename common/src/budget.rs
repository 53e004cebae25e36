//! A server-wide memory budget: how many bytes of requests and replies all
//! connections together may hold (`--memory`).

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Up to `total` bytes, shared by every connection of one server.
///
/// A connection takes a [`Share`] before it buffers bytes and gives it back
/// when the share is dropped. When the budget is spent, a connection waits
/// for others to finish (and reads nothing meanwhile, so TCP's own flow
/// control holds its client back), or, after a while, gives up: the server
/// never grows past the budget.
///
/// ```
/// use std::time::Duration;
/// let budget = common::Budget::new(100);
/// let mut a = budget.take(60, Duration::ZERO).unwrap();
/// assert!(budget.take(60, Duration::ZERO).is_err()); // only 40 left
/// a.grow_to(100, Duration::ZERO).unwrap();
/// assert_eq!(budget.in_use(), 100);
/// drop(a);
/// assert!(budget.take(60, Duration::ZERO).is_ok());
/// ```
#[derive(Clone)]
pub struct Budget {
    shared: Arc<Shared>,
    total: usize,
    /// Bytes only first shares may use: growth stops short of them.
    reserve: usize,
}

struct Shared {
    used: Mutex<usize>,
    freed: Condvar,
    waiting: AtomicUsize,
}

/// Bytes held from a [`Budget`], given back when dropped.
pub struct Share {
    budget: Budget,
    bytes: usize,
}

/// Why a share could not be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Short {
    /// More than the whole budget was asked for: waiting would not help.
    TooLarge,
    /// The budget stayed spent for as long as we were willing to wait.
    Full,
}

impl fmt::Display for Short {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Short::TooLarge => "more memory than the whole budget",
            Short::Full => "the memory budget stayed full",
        })
    }
}

impl Budget {
    /// A budget of `total` bytes.
    pub fn new(total: usize) -> Self {
        Budget {
            shared: Arc::new(Shared {
                used: Mutex::new(0),
                freed: Condvar::new(),
                waiting: AtomicUsize::new(0),
            }),
            total,
            reserve: 0,
        }
    }

    /// A budget of `total` bytes that keeps part of them for first shares
    /// ([`Budget::take`]): a share may grow ([`Share::grow_to`]) only while
    /// all shares together leave that part free. So while the largest
    /// requests hold all they may, a small one still finds room at once,
    /// instead of waiting behind them (about 4 s in lesson 1's test) or
    /// being refused. The part kept is a quarter of the budget, or what
    /// one request of `largest` bytes leaves, whichever is less: one
    /// largest request always fits.
    ///
    /// ```
    /// use std::time::Duration;
    /// let budget = common::Budget::with_reserve(100, 50);
    /// let mut big = budget.take(10, Duration::ZERO).unwrap();
    /// assert!(big.grow_to(76, Duration::ZERO).is_err()); // 25 are kept
    /// big.grow_to(75, Duration::ZERO).unwrap();
    /// let small = budget.take(25, Duration::ZERO).unwrap(); // room at once
    /// ```
    pub fn with_reserve(total: usize, largest: usize) -> Self {
        Budget {
            reserve: (total / 4).min(total.saturating_sub(largest)),
            ..Budget::new(total)
        }
    }

    /// The whole budget, in bytes.
    pub fn total(&self) -> usize {
        self.total
    }

    /// How many bytes all shares hold now.
    pub fn in_use(&self) -> usize {
        *self.lock()
    }

    /// How many shares are waiting for room now.
    pub fn waiting(&self) -> usize {
        self.shared.waiting.load(Ordering::SeqCst)
    }

    /// Take `bytes`, waiting up to `wait` for them to be free.
    pub fn take(&self, bytes: usize, wait: Duration) -> Result<Share, Short> {
        let mut share = Share {
            budget: self.clone(),
            bytes: 0,
        };
        share.resize(bytes, wait, self.total)?;
        Ok(share)
    }

    /// Ask for bytes with `ask` (a [`Budget::take`] or a
    /// [`Share::grow_to`], given how long it may wait): at once if they are
    /// free; otherwise say so and wait up to `wait`. Tells the events
    /// `memory` (granted: `in_use`, `waited`) and `memory_wait`.
    pub fn ask_or_wait<T>(
        &self,
        wait: Duration,
        say: &crate::Narrator,
        mut ask: impl FnMut(Duration) -> Result<T, Short>,
    ) -> Result<T, Short> {
        let granted = |got: T, waited: bool| {
            let used = self.in_use();
            say.event("memory", &[("in_use", &used), ("waited", &waited)]);
            got
        };
        match ask(Duration::ZERO) {
            Ok(got) => Ok(granted(got, false)),
            Err(Short::Full) => {
                let (used, total) = (self.in_use(), self.total);
                crate::say!(
                    say,
                    memory_wait(in_use = used),
                    "waiting for memory: {} of {} in use (--max-memory)",
                    crate::fmt_size(used),
                    crate::fmt_size(total)
                );
                ask(wait).map(|got| granted(got, true))
            }
            Err(short) => Err(short),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        // A panic elsewhere cannot leave the count half-updated: every
        // update is one assignment.
        self.shared
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl Share {
    /// How many bytes this share holds.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Hold `bytes` in all, all or nothing: wait up to `wait` for the
    /// difference to be free. Asking for less gives the rest back.
    pub fn grow_to(
        &mut self,
        bytes: usize,
        wait: Duration,
    ) -> Result<(), Short> {
        let limit = self.budget.total - self.budget.reserve;
        self.resize(bytes, wait, limit)
    }

    /// Hold `bytes` in all, so long as all shares stay within `limit`.
    fn resize(
        &mut self,
        bytes: usize,
        wait: Duration,
        limit: usize,
    ) -> Result<(), Short> {
        let budget = &self.budget;
        if bytes > limit && bytes > self.bytes {
            return Err(Short::TooLarge);
        }
        let deadline = Instant::now().checked_add(wait);
        let mut used = budget.lock();
        // What the others hold, and so what this share may still reach.
        while bytes > self.bytes && *used - self.bytes + bytes > limit {
            let left = match deadline {
                Some(at) => at.saturating_duration_since(Instant::now()),
                None => Duration::MAX,
            };
            if left.is_zero() {
                return Err(Short::Full);
            }
            let waiting = &budget.shared.waiting;
            waiting.fetch_add(1, Ordering::SeqCst);
            used = budget
                .shared
                .freed
                .wait_timeout(used, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
            waiting.fetch_sub(1, Ordering::SeqCst);
        }
        *used = *used - self.bytes + bytes;
        let shrank = bytes < self.bytes;
        self.bytes = bytes;
        drop(used);
        if shrank {
            budget.shared.freed.notify_all();
        }
        Ok(())
    }
}

impl Drop for Share {
    fn drop(&mut self) {
        if self.bytes > 0 {
            // Growing to 0 never waits and never fails.
            let _ = self.grow_to(0, Duration::ZERO);
        }
    }
}

impl fmt::Debug for Budget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Budget({} of {} bytes)", self.in_use(), self.total)
    }
}

impl fmt::Debug for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Share({} bytes)", self.bytes)
    }
}

/// Give large freed blocks back to the kernel at once, so that a server's
/// resident memory follows what its connections hold: a server that keeps
/// a [`Budget`] calls this first thing.
///
/// glibc's malloc serves a block of 128 KiB or more with a mapping of its
/// own, unmapped when freed, but the first such free raises that threshold,
/// and from then on large blocks come from per-thread arenas that keep
/// freed memory for reuse by the same arena. With 250 connection threads
/// holding 64 MiB in all, the process then peaked 40 MiB higher. Setting
/// the threshold turns the raising off.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only sets a tuning value of the allocator; it is
    // called before the server starts any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    #[test]
    fn a_waiting_share_is_granted_when_another_is_dropped() {
        let budget = Budget::new(10);
        let held = budget.take(8, Duration::ZERO).unwrap();
        let other = budget.clone();
        let waiter = thread::spawn(move || {
            other.take(5, Duration::from_secs(30)).map(|s| s.bytes())
        });
        drop(held);
        assert_eq!(waiter.join().unwrap(), Ok(5));
        assert_eq!(budget.in_use(), 0);
    }

    #[test]
    fn a_share_never_takes_more_than_the_budget() {
        let budget = Budget::new(10);
        assert_eq!(
            budget.take(11, Duration::from_secs(30)).unwrap_err(),
            Short::TooLarge
        );
        let _a = budget.take(6, Duration::ZERO).unwrap();
        let start = Instant::now();
        let got = budget.take(6, Duration::from_millis(50));
        assert_eq!(got.unwrap_err(), Short::Full);
        assert!(start.elapsed() >= Duration::from_millis(50));
        assert_eq!(budget.in_use(), 6);
    }

    #[test]
    fn shrinking_gives_bytes_back() {
        let budget = Budget::new(10);
        let mut a = budget.take(10, Duration::ZERO).unwrap();
        a.grow_to(3, Duration::ZERO).unwrap();
        assert_eq!(budget.in_use(), 3);
        let b = budget.take(7, Duration::ZERO).unwrap();
        assert_eq!((a.bytes(), b.bytes()), (3, 7));
    }
}
