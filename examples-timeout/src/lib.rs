//! # Lesson 2: timeouts
//!
//! A TCP connection can stay open forever with nothing flowing through it,
//! and a blocking call on it waits just as long. A timeout turns "nothing
//! happened" into an error a program can act on. But each timeout answers
//! one question only:
//!
//! | question | mechanism |
//! |---|---|
//! | is the server there at all? | connect timeout |
//! | did it answer this read? | read timeout (per call) |
//! | is it taking my data? | write timeout (per call) |
//! | will the whole exchange finish in time? | a deadline, recomputed before every call |
//! | is the peer still alive while we both wait? | TCP keepalive, `TCP_USER_TIMEOUT` |
//! | did my datagram get there? | nothing: UDP retries, with backoff |
//!
//! The server misbehaves on purpose, one `--mode` per question; the client
//! has a flag for each timeout. Read [`client`], then [`server`]; the book's
//! chapter "Timeouts" walks through them, and every behaviour it states is
//! proven by a test in `tests/` that runs both binaries over loopback.
//!
//! With no flags the pair shows a read timeout firing: the server answers
//! a second late (`--mode slow`), the client's 400 ms read timeout fires
//! twice, and each time it reads again on the same connection:
//!
//! ```text
//! cargo run -p examples-timeout --bin timeout-server
//! cargo run -p examples-timeout --bin timeout-client
//! ```
//!
//! ## The protocol
//!
//! Lines: the client sends one line, the server answers with the same line
//! (mode `echo`), late (`slow`, the default), in two halves with a pause between them
//! (`halves`), one byte at a time forever (`trickle`), or not at all
//! (`silent`, `full`). Over UDP (`--udp`), one datagram each way.
//!
//! ## The chapter, the proofs, the exercises
//!
//! - The book's chapter "Timeouts" is `docs/src/timeouts.md` in the repository;
//!   `mdbook serve docs` shows it rendered, with this crate's code included
//!   from the source.
//! - `tests/` holds one test per behaviour the chapter states, each running
//!   both binaries over loopback: `cargo test -p examples-timeout`.
//! - `examples/` holds the chapter's exercises, a starter and a tested
//!   solution each: `cargo test -p examples-timeout --example deadline_reader_start` checks
//!   your answer to the first, `--example backoff_start` to the second.

pub mod async_client;
pub mod async_server;
pub mod client;
pub mod options;
pub mod server;

/// Where the pair meets unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7102";

/// Where the async pair meets unless told otherwise: a port of its own, so
/// that both servers can run at once (`--addr` joins any client to any
/// server: the bytes are the same).
pub const DEFAULT_ASYNC_ADDR: &str = "127.0.0.1:7202";

/// The longest request line the server accepts, and the longest reply the
/// client accepts: far more than this lesson sends, and a bound on memory.
pub const MAX_LINE: usize = 64 * 1024;

/// The end of both binaries' `--help`: the commands to copy into two
/// terminals.
pub const PAIR_HELP: &str = "\
The pair, in two terminals, from the repository's root:
  cargo run -p examples-timeout --bin timeout-server -- --mode silent
  cargo run -p examples-timeout --bin timeout-client -- --read-timeout 250ms

Each --mode of the server calls for one of the client's timeouts:
  silent   --read-timeout 250ms, or --flood 64MiB --write-timeout 250ms
  slow     --read-timeout 400ms --retries 5
  trickle  --read-timeout 200ms --deadline 1s
  halves   --read-timeout 400ms --retries 5 (and the same with --exact)
  full     --connect-timeout 500ms
  --udp --drop-first 2   with the client's --udp --retries 4
(see the book's chapter \"Timeouts\").";

/// The end of the async binaries' `--help`.
pub const ASYNC_PAIR_HELP: &str = "\
The async pair, in two terminals, from the repository's root:
  cargo run -p examples-timeout --bin timeout-async-server
  cargo run -p examples-timeout --bin timeout-async-client -- hello

The cancel-safety trap, against the blocking server (then without --exact):
  timeout-server --mode halves
  timeout-async-client --addr 127.0.0.1:7102 --exact --read-timeout 300ms \\
    --retries 5 \"hello world\"
A deadline against a trickle:
  timeout-server --mode trickle --interval 100ms
  timeout-async-client --addr 127.0.0.1:7102 --read-timeout 300ms --deadline 1s
(see the book's chapter \"The same lessons, async\").";
