//! The flags of `framing-server` and `framing-client`. Each field is a flag;
//! its doc comment is the flag's `--help`. Nothing here touches a socket.

use std::time::Duration;

use common::args::{parse_duration, parse_size, parse_timeout};

use std::net::TcpStream;

use common::{Context, Failure, HostPort, Narrator, say};

#[cfg(feature = "tokio")]
use crate::async_client;
use crate::client::{self, Outcome, Sending};
use crate::codecs::Strategy;
use crate::mistakes::{ReadMistake, WriteMistake};

/// How the server behaves. Each field is also a command-line flag of
/// `framing-server`; the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct ServerOptions {
    /// How messages are framed (the client must use the same).
    #[arg(long, value_enum, default_value = "u32-length")]
    pub strategy: Strategy,

    /// Refuse frames larger than this.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_frame: usize,

    /// Drop a client that sends nothing, or takes nothing, for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// How long one read waits. A timeout mid-frame loses nothing: the
    /// bytes so far are kept, and the next read resumes the frame.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "1s")]
    pub read_timeout: Duration,

    /// Wait this long before reading a new connection, like a busy server.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub read_delay: Option<Duration>,

    /// Wrong on purpose: send each reply's header and body in two writes.
    #[arg(long)]
    pub split_writes: bool,

    /// Set TCP_NODELAY on every connection (turn Nagle's algorithm off).
    #[arg(long)]
    pub nodelay: bool,

    /// Wrong on purpose: read requests the way this mistake says
    /// (u32-length framing only).
    #[arg(long, value_enum, value_name = "MISTAKE")]
    pub mistake: Option<ReadMistake>,

    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,

    /// Serve at most this many clients at once; past that, make room or turn
    /// the newcomer away, as --when-full says.
    #[arg(long, value_name = "N", default_value = "256")]
    pub max_clients: usize,

    /// At --max-clients, when a client arrives: close the connection the
    /// server has waited on longest for its client's bytes (evict), or
    /// refuse the newcomer politely (turn-away).
    #[arg(long, value_name = "WHAT", value_enum, default_value = "evict")]
    pub when_full: common::WhenFull,

    /// Hold at most this many bytes of frames and replies for all clients
    /// together. A large frame waits for room (reading nothing meanwhile)
    /// up to --idle-timeout, then is refused politely.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_memory: usize,
}

impl Default for ServerOptions {
    /// The defaults of `framing-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// How the client sends (`framing-client --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ClientOptions {
    /// How messages are framed (the server must use the same).
    #[arg(long, value_enum, default_value = "u32-length")]
    pub strategy: Strategy,

    /// Refuse frames larger than this.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_frame: usize,

    /// Give up when a read or write waits this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub read_timeout: Duration,

    /// Send the encoded stream one byte per write, pausing --pause between
    /// bytes: TCP splitting a message to the extreme.
    #[arg(long, conflicts_with_all = ["burst", "split_writes"])]
    pub trickle: bool,

    /// With --trickle: the pause between two bytes.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, default_value = "2ms")]
    pub pause: Duration,

    /// Send every frame in one single write, then read the replies: TCP
    /// coalescing messages.
    #[arg(long)]
    pub burst: bool,

    /// Wrong on purpose: write each frame's header and body separately.
    #[arg(long)]
    pub split_writes: bool,

    /// Send the first half of each frame, wait this long, then the rest: a
    /// sender that stalls mid-frame, past the server's --read-timeout.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, conflicts_with_all = ["burst", "trickle"])]
    pub stall: Option<Duration>,

    /// Set TCP_NODELAY (turn Nagle's algorithm off).
    #[arg(long)]
    pub nodelay: bool,

    /// Send the messages this many times over, and report the round trips
    /// (at most 1000000 frames in all).
    #[arg(long, value_name = "N", default_value = "1", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub repeat: u32,

    /// Wrong on purpose: send the way this mistake says (u32-length only).
    #[arg(long, value_enum, value_name = "MISTAKE")]
    pub mistake: Option<WriteMistake>,
}

impl Default for ClientOptions {
    /// The defaults of `framing-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

impl ClientOptions {
    /// How each frame is written, from the flags.
    pub fn sending(&self) -> Sending {
        match (self.stall, self.trickle, self.split_writes, self.mistake) {
            (Some(pause), ..) => Sending::Stall(pause),
            (None, true, ..) => Sending::Trickle(self.pause),
            (None, false, _, Some(WriteMistake::Write)) => Sending::OneWrite,
            (None, false, true, _) => Sending::SplitWrites,
            _ => Sending::Whole,
        }
    }

    /// The exchange these flags ask for: connect to `addr` with the
    /// timeouts and TCP_NODELAY they set, then run the story,
    /// [`client::run`], or `--burst`'s sibling, over `messages` (`--repeat`
    /// times over); report the round trips.
    pub fn exchange(
        &self,
        addr: &HostPort,
        messages: &[Vec<u8>],
        say: &Narrator,
        on_reply: &mut dyn FnMut(&[u8]),
    ) -> Result<Outcome, Failure> {
        client::guards::check(messages, self)?;
        let addrs = addr.resolve()?;
        let stream = TcpStream::connect(&addrs[..])
            .with_context(|| format!("connect to {addr}"))?;
        let limit = Some(self.read_timeout);
        stream.set_read_timeout(limit).context("set_read_timeout")?;
        stream
            .set_write_timeout(limit)
            .context("set_write_timeout")?;
        stream.set_nodelay(self.nodelay).context("TCP_NODELAY")?;
        let peer = stream.peer_addr().context("peer_addr")?;
        let framing = self.strategy.name();
        say!(say, "connected to {peer}; framing: {framing}");
        let sequence =
            (0..self.repeat).flat_map(|_| messages.iter().map(Vec::as_slice));
        let (burst, sending) = (self.burst, self.sending());
        // The codec as its own type (with_codec!): no dynamic call per
        // frame.
        let outcome = crate::with_codec!(self.strategy, |new| {
            let codec = &mut new(self.max_frame);
            if burst {
                client::burst::run(&stream, codec, sequence, say, on_reply)
            } else {
                client::run(&stream, codec, sending, sequence, say, on_reply)
            }
        })?;
        if burst {
            return Ok(outcome);
        }
        let trips = &outcome.round_trips;
        // Timing is what --repeat asks for; a plain run of a few messages
        // would show figures too few to mean anything.
        if self.repeat > 1 {
            say!(say, "{}", client::round_trip_summary(trips));
            let (count, us) = (trips.len(), client::median(trips).as_micros());
            say.event("round_trips", &[("count", &count), ("median_us", &us)]);
        }
        Ok(outcome)
    }
}

/// How the async server behaves (`framing-async-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncServerOptions {
    /// How messages are framed (the client must use the same).
    #[arg(long, value_enum, default_value = "u32-length")]
    pub strategy: Strategy,

    /// Refuse frames larger than this.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_frame: usize,

    /// How long one wait for the next frame lasts. When it passes mid-frame
    /// the wait is cancelled, and FramedRead's buffer keeps what arrived.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "1s")]
    pub read_timeout: Duration,

    /// Drop a client that sends nothing, or takes nothing, for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// Serve at most this many clients at once; past that, make room or turn
    /// the newcomer away, as --when-full says.
    #[arg(long, value_name = "N", default_value = "10000", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_clients: u32,

    /// At --max-clients, when a client arrives: close the connection the
    /// server has waited on longest for its client's bytes (evict), or
    /// refuse the newcomer politely (turn-away).
    #[arg(long, value_name = "WHAT", value_enum, default_value = "evict")]
    pub when_full: common::WhenFull,

    /// Hold at most this many bytes of frames and replies for all clients
    /// together. A frame that outgrows its first 32 KiB needs room for the
    /// largest frame and its reply; without it, it is refused politely.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_memory: usize,

    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,
}

/// How the async client sends (`framing-async-client --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncClientOptions {
    /// How messages are framed (the server must use the same).
    #[arg(long, value_enum, default_value = "u32-length")]
    pub strategy: Strategy,

    /// Refuse frames larger than this.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_frame: usize,

    /// Give up when connecting, sending a frame or waiting for a reply
    /// takes this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub read_timeout: Duration,
}

#[cfg(feature = "tokio")]
impl AsyncClientOptions {
    /// The exchange, on a runtime of this thread: connect, then the story,
    /// [`async_client::exchange`].
    pub fn run(
        &self,
        addr: &HostPort,
        messages: &[Vec<u8>],
        say: &Narrator,
        on_reply: &mut dyn FnMut(&[u8]),
    ) -> Result<usize, Failure> {
        let (strategy, max, wait) =
            (self.strategy, self.max_frame, self.read_timeout);
        common::tasks::runtime()?.block_on(async {
            let stream =
                async_client::connect(addr, strategy, wait, say).await?;
            // The codec as its own type (with_codec!): no dynamic call per
            // frame.
            crate::with_codec!(strategy, |new| {
                let exchange = async_client::exchange;
                exchange(stream, new, max, messages, wait, say, on_reply).await
            })
        })
    }
}
