//! # Lesson 3: transmitting variable-length messages
//!
//! TCP carries a stream of bytes, not messages. One `write` may arrive in
//! several `read`s, and several `write`s in one `read`: the receiver has to
//! be told where each message ends. The notes give two families of answers:
//!
//! - **a terminator** after each message, with the problem that it may occur
//!   inside the data, and three fixes: escape it ([`codecs::Escaped`]),
//!   encode the data so it cannot contain it ([`codecs::Base64`]), or pick a
//!   terminator the data lacks and announce it first ([`codecs::Delimiter`]);
//!   the naive version is [`codecs::Line`];
//! - **a length** before each message, fixed-width, as padded decimal
//!   characters ([`codecs::AsciiLength`]) or as binary
//!   ([`codecs::U32Length`]); [`codecs::Netstring`] is the classic
//!   self-delimiting compromise.
//!
//! Each is a small module behind one interface, [`codec::Codec`]: a
//! sans-IO encoder and decoder, driven over a socket by
//! [`codec::FrameReader`] and [`codec::FrameWriter`], and (feature `tokio`)
//! by tokio-util's `FramedRead` and `FramedWrite`. The pair
//! (`framing-server`, `framing-client`) runs any of them over TCP, with
//! flags that split, coalesce and delay the stream, and deliberate mistakes
//! to show what goes wrong; `framing-bench` measures what each costs.
//!
//! ```text
//! cargo run -p examples-framing --bin framing-server -- --strategy netstring
//! cargo run -p examples-framing --bin framing-client -- --strategy netstring hello "two words"
//! ```
//!
//! The book's chapter "Transmitting variable-length messages" draws each
//! wire format byte by byte and names the test behind every claim.
//!
//! ## The chapter, the proofs, the exercises
//!
//! - The book's chapter "Transmitting variable-length messages" is `docs/src/framing.md` in the repository;
//!   `mdbook serve docs` shows it rendered, with this crate's code included
//!   from the source.
//! - `tests/` holds one test per behaviour the chapter states, each running
//!   both binaries over loopback: `cargo test -p examples-framing`.
//! - `examples/` holds the chapter's exercises, a starter and a tested
//!   solution each: `cargo test -p examples-framing --example cobs_start` checks
//!   your answer to the first, `--example varint_start` to the second.

#[cfg(feature = "tokio")]
pub mod async_client;
#[cfg(feature = "tokio")]
pub mod async_server;
pub mod bench;
pub mod client;
pub mod codec;
pub mod codecs;
pub mod mistakes;
pub mod options;
pub mod server;
#[cfg(feature = "tokio")]
pub mod tokio_codec;

/// Where the pair meets unless told otherwise.
pub const DEFAULT_ADDR: &str = "127.0.0.1:7103";

/// Where the async pair meets unless told otherwise: a port of its own, so
/// that both servers can run at once (`--addr` joins any client to any
/// server: the bytes are the same).
pub const DEFAULT_ASYNC_ADDR: &str = "127.0.0.1:7203";

/// The end of both binaries' `--help`: the commands to copy into two
/// terminals.
pub const PAIR_HELP: &str = "\
The pair, in two terminals, from the repository's root:
  cargo run -p examples-framing --bin framing-server -- --strategy netstring
  cargo run -p examples-framing --bin framing-client -- --strategy netstring hello \"two words\"

Both sides must use the same --strategy. Then try the client's --trickle,
--burst, --split-writes, --stall and --repeat, a payload with a newline in
it under --strategy line, and the server's --read-timeout and --mistake
(see the book's chapter \"Transmitting variable-length messages\").";

/// The end of the async binaries' `--help`.
pub const ASYNC_PAIR_HELP: &str = "\
The async pair, in two terminals, from the repository's root:
  cargo run -p examples-framing --bin framing-async-server
  cargo run -p examples-framing --bin framing-async-client -- hello world

A frame cut by the server's --read-timeout resumes where it stopped:
  framing-async-server --read-timeout 500ms
  framing-client --stall 1500ms \"hello frame\"
Each half works with the blocking pair's other half, for every --strategy,
given its --addr (the async pair's default port is its own; see the book's
chapter \"The same lessons, async\").";

/// What the server does to each message before sending it back: reverse
/// it, so a reply is visibly an answer and not an accidental echo. Into
/// `reply` (cleared first), a buffer kept from frame to frame.
///
/// ```
/// let mut reply = Vec::new();
/// examples_framing::transform(b"abc", &mut reply);
/// assert_eq!(reply, b"cba");
/// ```
pub fn transform(payload: &[u8], reply: &mut Vec<u8>) {
    reply.clear();
    reply.extend(payload.iter().rev());
}
