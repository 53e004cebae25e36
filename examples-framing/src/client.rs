//! The client: sends each message as one frame, reads the server's reply
//! frame, and checks that it is the message reversed. Its flags reshape how
//! the bytes travel (one at a time, all at once, header apart from body)
//! without changing what a correct receiver must make of them.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::args::{parse_duration, parse_size, parse_timeout};
use common::{
    Context, Failure, HostPort, Narrator, count, detail, fmt_duration, say,
};
use examples_timeout::is_timeout;

use crate::codec::{Codec, send};
use crate::codecs::Strategy;
use crate::mistakes::{self, WriteMistake};
use crate::transform;

/// How the client sends. Each field is also a flag of `framing-client`;
/// the doc comments are its `--help`.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
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

    /// Set TCP_NODELAY (turn Nagle's algorithm off).
    #[arg(long)]
    pub nodelay: bool,

    /// Send the messages this many times over, and report the round trips.
    #[arg(long, value_name = "N", default_value = "1")]
    pub repeat: u32,

    /// Wrong on purpose: send the way this mistake says (u32-length only).
    #[arg(long, value_enum, value_name = "MISTAKE")]
    pub mistake: Option<WriteMistake>,
}

impl Default for Options {
    /// The defaults of `framing-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// What the exchange brought back.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The replies, in order.
    pub replies: Vec<Vec<u8>>,
    /// How long each request took to be answered (not with --burst).
    pub round_trips: Vec<Duration>,
}

/// Send `messages` (`repeat` times over) and check every reply.
pub fn run(
    addr: &HostPort,
    messages: &[Vec<u8>],
    opts: &Options,
    say: &Narrator,
) -> Result<Outcome, Failure> {
    if opts.mistake.is_some() && opts.strategy != Strategy::U32Length {
        return Err(Failure::msg("--mistake needs --strategy u32-length"));
    }
    let codec = opts.strategy.codec(opts.max_frame);
    let addrs = addr.resolve()?;
    let stream = TcpStream::connect(&addrs[..])
        .with_context(|| format!("connect to {addr}"))?;
    stream
        .set_read_timeout(Some(opts.read_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.read_timeout))
        .context("set_write_timeout")?;
    stream.set_nodelay(opts.nodelay).context("TCP_NODELAY")?;
    say!(
        say,
        "connected to {}; framing: {}",
        stream.peer_addr().context("peer_addr")?,
        codec.name()
    );

    let sequence: Vec<&[u8]> = (0..opts.repeat)
        .flat_map(|_| messages.iter().map(Vec::as_slice))
        .collect();
    // One BufReader for the whole connection, as on the server.
    let mut replies = BufReader::new(&stream);
    let mut outcome = Outcome::default();

    if opts.burst {
        // ANCHOR: burst
        // Every frame in one buffer, one write: the server's first read may
        // well return all of them at once, and its decoder must separate them.
        let mut all = Vec::new();
        for message in &sequence {
            codec.encode(message, &mut all).context("encode")?;
        }
        (&stream).write_all(&all).context("send the burst")?;
        say!(
            say,
            "sent {} frames in one write of {} bytes",
            sequence.len(),
            all.len()
        );
        // ANCHOR_END: burst
        for (number, message) in sequence.iter().enumerate() {
            let reply =
                receive(codec.as_ref(), &mut replies, number + 1, opts, say)?;
            check(number + 1, message, &reply)?;
            outcome.replies.push(reply);
        }
    } else {
        for (number, message) in sequence.iter().enumerate() {
            let mut frame = Vec::new();
            codec.encode(message, &mut frame).context("encode")?;
            let started = Instant::now();
            transmit(&stream, &frame, codec.as_ref(), opts, say)?;
            detail!(say, "sent frame {} ({} bytes)", number + 1, frame.len());
            let reply =
                receive(codec.as_ref(), &mut replies, number + 1, opts, say)?;
            outcome.round_trips.push(started.elapsed());
            check(number + 1, message, &reply)?;
            outcome.replies.push(reply);
        }
    }
    // Done: our FIN tells the server so (lesson 1).
    let _ = stream.shutdown(std::net::Shutdown::Write);
    say!(
        say,
        "{}, each our message reversed",
        count(outcome.replies.len(), "reply", "replies")
    );
    if outcome.round_trips.len() > 1 || opts.repeat > 1 {
        say!(say, "{}", round_trip_summary(&outcome.round_trips));
    }
    Ok(outcome)
}

// ANCHOR: transmit
/// Put one encoded frame on the wire, the way the flags say.
fn transmit(
    mut stream: &TcpStream,
    frame: &[u8],
    codec: &dyn Codec,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    if opts.trickle {
        // One byte per write, with a pause: each byte leaves in a segment of
        // its own, and the server's reads return a byte at a time.
        for (i, byte) in frame.iter().enumerate() {
            stream
                .write_all(std::slice::from_ref(byte))
                .context("send a byte")?;
            detail!(say, "sent byte {} of {}", i + 1, frame.len());
            thread::sleep(opts.pause);
        }
        say!(
            say,
            "trickled a {}-byte frame, one byte per write, {} apart",
            frame.len(),
            fmt_duration(opts.pause)
        );
        return Ok(());
    }
    if opts.mistake == Some(WriteMistake::Write) {
        let took =
            mistakes::write_frame_wrongly(stream, frame).context("write")?;
        if took < frame.len() {
            say!(
                say,
                "--mistake write: write() took {took} of {} bytes; carrying on as if it took them all",
                frame.len()
            );
        }
        return Ok(());
    }
    send(&mut stream, frame, codec, opts.split_writes).context("send the frame")
}
// ANCHOR_END: transmit

/// Read one reply frame, turning the ways it can fail into clear errors.
fn receive(
    codec: &dyn Codec,
    replies: &mut dyn BufRead,
    number: usize,
    opts: &Options,
    say: &Narrator,
) -> Result<Vec<u8>, Failure> {
    let mut reply = Vec::new();
    match codec.decode(replies, &mut reply) {
        Ok(true) => Ok(reply),
        Ok(false) => Err(Failure::msg(format!(
            "the server closed the connection before reply {number}"
        ))
        .with_hint("it may use another --strategy, or it refused our frame: see its log")),
        Err(e) if is_timeout(&e) => {
            say!(
                say,
                "no reply {number} within {}",
                fmt_duration(opts.read_timeout)
            );
            Err(Failure::msg(format!("no reply {number} within {}", fmt_duration(opts.read_timeout)))
                .with_hint("is the server using the same --strategy? A server that waits for the rest of a frame never answers"))
        }
        Err(e) => Err(Failure::new(format!("read reply {number}"), e)),
    }
}

/// Every reply must be the message reversed.
fn check(number: usize, message: &[u8], reply: &[u8]) -> Result<(), Failure> {
    if reply == transform(message) {
        return Ok(());
    }
    if let Some(reason) = reply.strip_prefix(b"error: ") {
        return Err(Failure::msg(format!(
            "the server refused: {}",
            String::from_utf8_lossy(reason)
        )));
    }
    Err(Failure::msg(format!(
        "reply {number} is not our message reversed: we sent {} bytes, got back {} bytes ({})",
        message.len(),
        reply.len(),
        preview(reply)
    ))
    .with_hint(
        "the server read a different message than we sent: the frames' boundaries were lost",
    ))
}

/// A short, printable view of some bytes.
fn preview(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(24)];
    let more = if bytes.len() > shown.len() { "..." } else { "" };
    format!("{:?}{more}", String::from_utf8_lossy(shown))
}

/// Median, mean and slowest round trip.
pub fn round_trip_summary(trips: &[Duration]) -> String {
    if trips.is_empty() {
        return "no round trips measured".to_owned();
    }
    let mut sorted = trips.to_vec();
    sorted.sort();
    let mean = trips.iter().sum::<Duration>()
        / u32::try_from(trips.len()).unwrap_or(u32::MAX);
    format!(
        "round trips: {}, median {}, mean {}, slowest {}",
        trips.len(),
        fmt_duration(sorted[sorted.len() / 2]),
        fmt_duration(mean),
        fmt_duration(sorted[sorted.len() - 1])
    )
}

/// Show a reply: as text when it is printable, as a hex dump otherwise.
pub fn render(reply: &[u8]) -> String {
    let text = std::str::from_utf8(reply).ok().filter(|t| {
        t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t')
    });
    if let Some(text) = text {
        return text.to_owned();
    }
    let mut out = String::new();
    for (row, chunk) in reply.chunks(16).enumerate() {
        let hex: Vec<String> =
            chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<47}  |{ascii}|\n",
            row * 16,
            hex.join(" ")
        ));
    }
    out
}
