//! # common: what the lessons share
//!
//! Each lesson's own calls stay in that lesson's story, where a reader sees
//! them: the client's `shutdown(Write)` in lesson 1, `set_read_timeout` in
//! lesson 2, the codec in lesson 3, `set_broadcast` in lesson 4. What lives
//! here is what more than one lesson needs, so that no lesson reaches into
//! another's crate; each item's docs name the lesson and the chapter that
//! teach its idea:
//!
//! - [`HostPort`]: the `--addr HOST:PORT` argument, and turning it into
//!   socket addresses;
//! - [`args`]: clap value parsers for humane durations (`250ms`) and sizes
//!   (`64KiB`);
//! - [`ready`]: the `listening on ADDR` line that tests and the tour wait for;
//! - [`Narrator`], [`say!`] and [`detail!`]: the `[server]` / `[client]` story;
//! - [`Failure`], [`Context`] and [`exit`]: one `error: ...` line, a hint,
//!   exit code 1;
//! - [`Slots`]: a count of connections served at once (`--max-clients`);
//! - [`Budget`]: the bytes all connections may buffer at once (`--max-memory`);
//! - [`warn`] and [`warn_if_reachable`]: warnings that are not failures;
//! - [`net`]: the listening socket with a deep accept queue ([`bind`],
//!   lesson 1's hardening), the timeout test ([`is_timeout`], lesson 2),
//!   the lingering close ([`lingering_close`], lesson 1), and a socket
//!   call retried when a signal interrupts it ([`uninterrupted`], lesson 2);
//! - [`accept`]: the blocking accept loop with its admission and polite
//!   turn-away ([`accept_loop`], lesson 2's server; [`TurnAway`], lesson 1);
//! - `tasks` (feature `tokio`): the async runtime and accept loop of every
//!   async server (`runtime`, `accept_tasks`; the chapter "The same
//!   lessons, async");
//! - `testing` (feature `testing`): the harness the lessons' tests use.

//! ## The conventions every binary keeps
//!
//! Users' scripts, the tests and the book rely on these:
//!
//! - servers take `--addr HOST:PORT` (port 0 lets the OS choose) and print
//!   `listening on <bound address>` as their first line on stdout, flushed,
//!   before they serve;
//! - clients take `--addr HOST:PORT`, the server to reach;
//! - narration lines start with `[server]` or `[client]`; `-q` keeps only
//!   results, `-v` adds detail;
//! - a failure is one line on stderr, `error: <what failed>: <the OS's
//!   reason>`, maybe followed by a `hint:` line, and exit code 1; usage errors
//!   are clap's, exit code 2.

pub mod accept;
mod addr;
pub mod args;
mod budget;
mod error;
mod files;
mod narrate;
pub mod net;
pub mod room;
mod slots;
#[cfg(feature = "tokio")]
pub mod tasks;
#[cfg(feature = "testing")]
pub mod testing;

use std::io::{self, Write};
use std::net::SocketAddr;

pub use accept::{Admission, TurnAway, accept_loop, stop_a_stopped_reader};
pub use addr::HostPort;
pub use budget::{Budget, Share, Short, return_large_blocks};
pub use error::{Context, Failure, exit};
pub use files::{FileLimit, raise_open_file_limit};
pub use narrate::{Narrator, Verbosity, count, fmt_duration, fmt_size};
pub use net::{
    BACKLOG, LINGER_LIMIT, bind, is_timeout, lingering_close,
    shutdown_or_closed, uninterrupted,
};
pub use room::{Room, Tenant, WhenFull};
pub use slots::{Slot, Slots};

/// What a server's first stdout line starts with. The rest is its address.
pub const READY_PREFIX: &str = "listening on ";

/// Print the ready line, `listening on ADDR`, and flush it.
///
/// A server calls this once, after `bind` and `listen` succeeded and before it
/// accepts anyone: from then on a client's `connect` is queued by the kernel
/// even if the server has not reached `accept` yet, so whoever reads this line
/// may connect at once. Pass the *bound* address (`local_addr()`), not the
/// requested one: with port 0 only the bound address names the real port.
pub fn ready(bound: SocketAddr) {
    let mut out = io::stdout().lock();
    // A closed stdout (the reader went away) must not kill a server.
    let _ = writeln!(out, "{READY_PREFIX}{bound}");
    let _ = out.flush();
}

/// Warn, once, when a server's bound address can be reached from other
/// machines: anything but loopback. Servers default to 127.0.0.1; this is
/// for the user who asked for more, so they know.
pub fn warn_if_reachable(bound: SocketAddr) {
    if !bound.ip().is_loopback() {
        warn(format_args!(
            "{bound} can be reached from other machines on your network; \
             127.0.0.1 keeps a server to this one"
        ));
    }
}

/// A warning on stderr, `warning: ...`, whatever the verbosity: for what
/// the user should know but is not a failure (an address reachable from
/// other machines, say).
pub fn warn(what: impl std::fmt::Display) {
    let _ = writeln!(io::stderr().lock(), "warning: {what}");
}
