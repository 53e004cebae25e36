//! # Lesson 1: half-open sockets
//!
//! A TCP connection is two independent byte streams, one each way.
//! `shutdown` closes one of them and leaves the other open: a socket in
//! that state is *half-open* (the notes' word; TCP calls it half-closed).
//! This lesson's pair uses that to build a protocol with no lengths at all:
//! the client sends its request and shuts down its write half; the server
//! reads until `read()` returns 0, which is how it knows the request is
//! complete, and replies on the half that is still open.
//!
//! Read [`client`] and then [`server`], top to bottom. The chapter
//! "Half-open sockets" of the book (`docs/`) walks through them, and every
//! behaviour it states is proven by a test in `tests/` that runs the two
//! binaries over loopback.
//!
//! Run the pair in two terminals, from the repository's root:
//!
//! ```text
//! cargo run -p examples-shutdown --bin shutdown-server
//! cargo run -p examples-shutdown --bin shutdown-client -- "hello, half-open world"
//! ```
//!
//! ## The protocol
//!
//! ```text
//! client → server   the request: any bytes, then the client's FIN (shutdown(Write))
//! server → client   "received 22 bytes in 1 line\n", the request upper-cased,
//!                   then the server's FIN
//! ```
//!
//! A request longer than the server's `--max-request` gets the single line
//! `error: request exceeds N bytes` instead.
//!
//! ## On tokio
//!
//! [`async_client`] and [`async_server`] are the same pair on tokio, byte
//! for byte (`shutdown-async-client`, `shutdown-async-server`): where
//! tokio's `shutdown()` is shutdown(Write) only, dropping a write half sends
//! the FIN, and a deadline does the watchdog's work. The book's chapter
//! "The same lessons, async" walks through them.
//!
//! ## The chapter, the proofs, the exercises
//!
//! - The book's chapter "Half-open sockets" is `docs/src/shutdown.md` in the repository;
//!   `mdbook serve docs` shows it rendered, with this crate's code included
//!   from the source.
//! - `tests/` holds one test per behaviour the chapter states, each running
//!   both binaries over loopback: `cargo test -p examples-shutdown`.
//! - `examples/` holds the chapter's exercises, a starter and a tested
//!   solution each: `cargo test -p examples-shutdown --example half_close_client_start` checks
//!   your answer to the first, `--example gentle_close_start` to the second.

pub mod async_client;
pub mod async_server;
pub mod client;
pub mod options;
pub mod server;

/// Where the pair meets unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7101";

/// Where the async pair meets unless told otherwise: a port of its own, so
/// that both servers can run at once (`--addr` joins any client to any
/// server: the bytes are the same).
pub const DEFAULT_ASYNC_ADDR: &str = "127.0.0.1:7201";

/// The end of both binaries' `--help`: the commands to copy into two
/// terminals.
pub const PAIR_HELP: &str = "\
The pair, in two terminals, from the repository's root:
  cargo run -p examples-shutdown --bin shutdown-server
  cargo run -p examples-shutdown --bin shutdown-client -- \"hello, half-open world\"

Each flag shows one more behaviour; the book's chapter \"Half-open sockets\"
runs each. The wrong-on-purpose ones need a server to match:
  shutdown-server --max-request 16 --close-early
  shutdown-client \"more than sixteen bytes\"
  shutdown-server --max-time 1s --watchdog-drop
  shutdown-client --no-shutdown --read-timeout 3s hello";

/// The end of the async binaries' `--help`.
pub const ASYNC_PAIR_HELP: &str = "\
The async pair, in two terminals, from the repository's root:
  cargo run -p examples-shutdown --bin shutdown-async-server
  cargo run -p examples-shutdown --bin shutdown-async-client -- hello

Where tokio differs, one flag each:
  shutdown-async-client --drop-write-half hello   (the drop sends the FIN)
  shutdown-async-client --shutdown-read hello     (through socket2's SockRef)
  shutdown-async-server --max-time 1s
  shutdown-async-client --no-shutdown hello       (a deadline, no watchdog)
Each half works with the blocking pair's other half, given its --addr (the
async pair's default port is its own; see the book's chapter \"The same
lessons, async\").";

// ANCHOR: protocol
/// The server's answer to a complete request: one header line with what it
/// received, then the request upper-cased (ASCII only, so any bytes survive).
///
/// ```
/// let reply = examples_shutdown::reply_to(b"hi\nthere");
/// assert_eq!(reply, b"received 8 bytes in 2 lines\nHI\nTHERE");
/// ```
pub fn reply_to(request: &[u8]) -> Vec<u8> {
    let newlines = request.iter().filter(|&&b| b == b'\n').count();
    let lines = newlines
        + usize::from(!request.is_empty() && !request.ends_with(b"\n"));
    let plural = if lines == 1 { "" } else { "s" };
    let mut reply =
        format!("received {} bytes in {lines} line{plural}\n", request.len())
            .into_bytes();
    reply.extend(request.iter().map(u8::to_ascii_uppercase));
    reply
}

/// The server's refusal of a request longer than its limit.
pub fn refusal(limit: usize) -> Vec<u8> {
    format!("error: request exceeds {limit} bytes\n").into_bytes()
}

/// What a client hears when the server already serves its maximum.
pub fn busy(max: usize) -> Vec<u8> {
    format!("error: server busy: {max} clients already; try again later\n")
        .into_bytes()
}
// ANCHOR_END: protocol

/// What a reply says, read back by the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Reply<'a> {
    /// The server received this many bytes; `body` is the upper-cased request.
    Received {
        /// The byte count in the header line: the server's confirmation.
        bytes: usize,
        /// Everything after the header line.
        body: &'a [u8],
    },
    /// The server refused the request, for this reason.
    Refused(&'a str),
    /// Not a reply of this protocol (another server, or a truncated reply).
    Garbled,
}

impl<'a> Reply<'a> {
    /// Parse a complete reply.
    ///
    /// ```
    /// use examples_shutdown::{Reply, reply_to};
    /// let reply = reply_to(b"abc");
    /// assert_eq!(Reply::parse(&reply), Reply::Received { bytes: 3, body: b"ABC" });
    /// ```
    pub fn parse(reply: &'a [u8]) -> Reply<'a> {
        let Some(end) = reply.iter().position(|&b| b == b'\n') else {
            return Reply::Garbled;
        };
        let (header, body) = (&reply[..end], &reply[end + 1..]);
        let Ok(header) = std::str::from_utf8(header) else {
            return Reply::Garbled;
        };
        if let Some(reason) = header.strip_prefix("error: ") {
            return Reply::Refused(reason);
        }
        let bytes = header
            .strip_prefix("received ")
            .and_then(|rest| rest.split_once(" bytes in "))
            .and_then(|(n, _)| n.parse().ok());
        match bytes {
            Some(bytes) => Reply::Received { bytes, body },
            None => Reply::Garbled,
        }
    }

    /// How long the whole reply is, once its header line has arrived: the
    /// header tells. `None` while the header is incomplete.
    pub fn expected_len(partial: &[u8]) -> Option<usize> {
        let end = partial.iter().position(|&b| b == b'\n')?;
        match Reply::parse(&partial[..=end]) {
            Reply::Received { bytes, .. } => Some(end + 1 + bytes),
            Reply::Refused(_) | Reply::Garbled => Some(end + 1),
        }
    }
}

/// `size` bytes of numbered text lines, for `shutdown-client --size`: easy
/// to recognise in a capture, and the server's line count can be checked.
///
/// ```
/// let r = examples_shutdown::sample_request(100);
/// assert_eq!(r.len(), 100);
/// assert!(r.starts_with(b"line 1: "));
/// ```
pub fn sample_request(size: usize) -> Vec<u8> {
    let mut text = Vec::with_capacity(size);
    for n in 1.. {
        if text.len() >= size {
            break;
        }
        text.extend_from_slice(
            format!("line {n}: the quick brown fox jumps over the lazy dog\n")
                .as_bytes(),
        );
    }
    text.truncate(size);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_counts_bytes_and_lines() {
        assert_eq!(reply_to(b""), b"received 0 bytes in 0 lines\n");
        assert_eq!(reply_to(b"a\n"), b"received 2 bytes in 1 line\nA\n");
        assert_eq!(reply_to(b"a\nb\n"), b"received 4 bytes in 2 lines\nA\nB\n");
        assert_eq!(
            reply_to(&[0xff, b'x']),
            b"received 2 bytes in 1 line\n\xffX"
        );
    }

    #[test]
    fn replies_parse_back() {
        let reply = reply_to(b"hello\nworld\n");
        assert_eq!(
            Reply::parse(&reply),
            Reply::Received {
                bytes: 12,
                body: b"HELLO\nWORLD\n"
            }
        );
        assert_eq!(Reply::expected_len(&reply[..5]), None);
        assert_eq!(Reply::expected_len(&reply[..30]), Some(reply.len()));
        let refusal = refusal(16);
        assert_eq!(
            Reply::parse(&refusal),
            Reply::Refused("request exceeds 16 bytes")
        );
        assert_eq!(
            Reply::parse(b"HTTP/1.1 400 Bad Request\r\n"),
            Reply::Garbled
        );
        assert_eq!(Reply::parse(b"no newline"), Reply::Garbled);
    }
}
