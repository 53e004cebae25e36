//! The limit on open files: a server that holds thousands of connections
//! needs one descriptor each.

use std::io;

/// A process's limit on open files, after [`raise_open_file_limit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileLimit {
    /// The soft limit now: what `open`, `socket` and `accept` are held to.
    pub soft: u64,
    /// The soft limit before.
    pub was: u64,
    /// The hard limit: how far an unprivileged process may raise the soft.
    pub hard: u64,
}

/// Raise this process's soft limit on open files (RLIMIT_NOFILE) to
/// `wanted`, or to the hard limit if that is lower. Never lowers it.
///
/// ```
/// let limit = common::raise_open_file_limit(64).unwrap();
/// assert!(limit.soft >= 64.min(limit.hard) && limit.soft <= limit.hard);
/// ```
pub fn raise_open_file_limit(wanted: u64) -> io::Result<FileLimit> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read or write the one struct given.
    #[allow(unsafe_code)]
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &raw mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    let was = limit.rlim_cur;
    let soft = wanted.min(limit.rlim_max).max(was);
    if soft > was {
        limit.rlim_cur = soft;
        #[allow(unsafe_code)]
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raw const limit) }
            != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(FileLimit {
        soft,
        was,
        hard: limit.rlim_max,
    })
}
