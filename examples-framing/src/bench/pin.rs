//! Which CPU each end of a measurement runs on.
//!
//! Over loopback, the sender's thread also runs the kernel's receive path
//! for what it sends, and the receiver's thread copies the bytes out. Left
//! to the scheduler on a machine of two CPUs, the two threads sometimes
//! share one, and a row's ratio then moved from run to run by a third
//! (`line` at 64 B: 0.56, 0.66 and 0.89 in three runs). So the bench's own
//! thread stays on one CPU and every thread it starts for the other end of
//! a connection on another: the same placement for every row, and for raw.
//! `framing-bench --unpinned` leaves both to the scheduler.

// sched_getaffinity and sched_setaffinity have no safe wrapper in std.
#![allow(unsafe_code)]

use std::io;
use std::mem;
use std::sync::OnceLock;
use std::thread::{self, JoinHandle};

/// The two CPUs, once [`pin_ends`] pinned this thread to the first.
static CPUS: OnceLock<[usize; 2]> = OnceLock::new();

/// Pin the calling thread (the bench's own: senders and the in-memory
/// runs) to the first CPU this process may run on, and keep the second for
/// `other_end`. The two CPUs, or an error if there are fewer than two or
/// the kernel refuses.
pub fn pin_ends() -> io::Result<[usize; 2]> {
    let &[first, second, ..] = &allowed()?[..] else {
        let message = "one CPU only: both ends would share it";
        return Err(io::Error::other(message));
    };
    pin(first)?;
    let _ = CPUS.set([first, second]);
    Ok([first, second])
}

/// The CPUs the calling thread may run on.
fn allowed() -> io::Result<Vec<usize>> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set.
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    let size = mem::size_of::<libc::cpu_set_t>();
    // SAFETY: the kernel writes at most `size` bytes into `set`.
    if unsafe { libc::sched_getaffinity(0, size, &raw mut set) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let cpus = 0..libc::CPU_SETSIZE as usize;
    // SAFETY: CPU_ISSET reads the set, for a CPU below CPU_SETSIZE.
    Ok(cpus
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .collect())
}

/// Start a thread for the other end of a connection: on the second CPU if
/// [`pin_ends`] ran, wherever the scheduler likes if not.
pub fn other_end<T, F>(body: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    thread::spawn(move || {
        if let Some([_, second]) = CPUS.get() {
            // Unpinned if refused: the row still measures, less steadily.
            let _ = pin(*second);
        }
        body()
    })
}

/// Run the calling thread on `cpu` alone.
fn pin(cpu: usize) -> io::Result<()> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set; CPU_SET writes the
    // bit of a CPU below CPU_SETSIZE (the caller found it in a set).
    let mut set: libc::cpu_set_t = unsafe { mem::zeroed() };
    unsafe { libc::CPU_SET(cpu, &mut set) };
    let size = mem::size_of::<libc::cpu_set_t>();
    // SAFETY: the kernel reads `size` bytes of `set`.
    if unsafe { libc::sched_setaffinity(0, size, &raw const set) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_end_runs_on_a_cpu_of_its_own() {
        let before = allowed().expect("sched_getaffinity");
        let Ok([first, second]) = pin_ends() else {
            // Nothing to pin on a machine of one CPU: the bench says so.
            assert_eq!(before.len(), 1, "pinning failed with {before:?}");
            return;
        };
        assert_ne!(first, second);
        assert_eq!(allowed().ok(), Some(vec![first]), "this thread");
        let there = other_end(allowed).join().expect("the other end");
        assert_eq!(there.ok(), Some(vec![second]), "the other end's thread");
    }
}
