//! `framing-bench`: what each framing costs, measured in pairs.
//!
//! Loopback throughput on a small machine swings between runs (here it
//! switches between a slow and a fast mode), so a row is never one run, nor
//! the best of many runs compared with the best of others. Each row is a
//! series of *pairs*: a baseline run and the row's run back to back, in
//! alternating order, over fresh connections, and the row reports the
//! median of the pairs' ratios with their spread. Two runs of a pair share
//! whatever mode the machine is in.
//!
//! - Over loopback TCP, for 64 B and 64 KiB messages: raw bytes (the
//!   receiver knows the size, so it only counts), raw with large reads
//!   (MSG_WAITALL, so every read waits for 128 KiB), then each codec
//!   against the better of the two; and `framing-server` itself, as it
//!   ships, answering a stream of requests.
//! - In memory, no socket: each codec decoding and encoding 64 B frames,
//!   beside tokio-util's `LengthDelimitedCodec` and `LinesCodec` on the
//!   same bytes, with the allocations each frame costs.
//! - Round trips of one request: one write per frame against split writes.
//! - On tokio (feature `tokio`): the u32-length decoder in `FramedRead`
//!   beside `LengthDelimitedCodec` in `FramedRead`, 64 B messages over
//!   loopback (`bench/framed.rs`).

use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::{Narrator, Verbosity};

use crate::codec::{Codec, FrameReader, FrameWriter, send};
use crate::codecs::Strategy;
use crate::server;

#[cfg(feature = "tokio")]
mod framed;

/// How much to measure.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Payload bytes per run.
    pub volume: usize,
    /// Pairs per row.
    pub pairs: usize,
    /// Frames per in-memory run: few enough (about 1.4 MB) to stay in the
    /// CPU's caches, so that the codec is measured and not the memory.
    pub frames: usize,
    /// Round trips per latency measurement.
    pub trips: usize,
}

impl Plan {
    /// A run of a few seconds, to check the bench works (not to trust it).
    pub const QUICK: Plan = Plan {
        volume: 1 << 20,
        pairs: 2,
        frames: 4_000,
        trips: 4,
    };
    /// The real measurement: about a minute on this project's machine.
    pub const FULL: Plan = Plan {
        volume: 64 << 20,
        pairs: 15,
        frames: 20_000,
        trips: 21,
    };
}

/// The sizes the socket table compares.
pub const SIZES: [usize; 2] = [64, 64 * 1024];

/// The read buffer of every throughput receiver, raw or framed: large
/// reads are what make loopback fast.
const READ_BUFFER: usize = 256 * 1024;

/// What each read of the raw, large-reads row waits for.
const LARGE_READ: usize = 128 * 1024;

/// What runs in one half of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// No framing: the receiver counts bytes.
    Raw,
    /// No framing, and every read waits for 128 KiB (MSG_WAITALL).
    RawLargeReads,
    /// A codec, driven by FrameWriter and FrameReader.
    Codec(Strategy),
    /// `framing-server`'s connection handler as it ships (u32-length,
    /// 8 KiB reader, one reply per request), with a client that sends
    /// every request before reading.
    Server,
}

impl Subject {
    /// The row's name.
    pub fn name(self) -> &'static str {
        match self {
            Subject::Raw => "raw",
            Subject::RawLargeReads => "raw, large reads",
            Subject::Codec(strategy) => strategy.name(),
            Subject::Server => "framing-server",
        }
    }
}

/// A row: the median of `pairs` paired ratios, and the absolute medians.
#[derive(Clone, Debug)]
pub struct Row {
    /// What was measured.
    pub subject: Subject,
    /// What it was paired with.
    pub baseline: Subject,
    /// Payload bytes per message.
    pub size: usize,
    /// Median payload megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Median messages per second.
    pub msgs_per_s: f64,
    /// Its throughput over the baseline's in the same pair: quartiles
    /// (first, median, third) and extremes (min, max).
    pub ratio: Spread,
    /// How many pairs.
    pub pairs: usize,
}

/// Quartiles and extremes of a series.
#[derive(Clone, Copy, Debug, Default)]
pub struct Spread {
    /// The smallest value.
    pub min: f64,
    /// The first quartile.
    pub q1: f64,
    /// The median.
    pub median: f64,
    /// The third quartile.
    pub q3: f64,
    /// The largest value.
    pub max: f64,
}

impl Spread {
    /// Of a non-empty series (an empty one gives zeros).
    pub fn of(values: &[f64]) -> Spread {
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if v.is_empty() {
                return 0.0;
            }
            let i = q * (v.len() - 1) as f64;
            let (lo, hi) = (i.floor() as usize, i.ceil() as usize);
            v[lo] + (v[hi] - v[lo]) * (i - lo as f64)
        };
        Spread {
            min: at(0.0),
            q1: at(0.25),
            median: at(0.5),
            q3: at(0.75),
            max: at(1.0),
        }
    }
}

/// Every socket row, for each size: raw against raw with large reads, then
/// each codec against raw (at 64 KiB, against the faster of the two).
pub fn throughput(plan: Plan) -> io::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for size in SIZES {
        let count = (plan.volume / size).max(1);
        let large =
            paired(Subject::Raw, Subject::RawLargeReads, size, count, plan)?;
        // Small messages are compared with raw as the codecs read (the
        // same buffer, reads as data comes); large ones with raw at its
        // best, whichever of the two that was in this run.
        let baseline = if size >= 64 * 1024 && large.ratio.median > 1.0 {
            Subject::RawLargeReads
        } else {
            Subject::Raw
        };
        rows.push(large);
        for strategy in Strategy::ALL {
            let subject = Subject::Codec(strategy);
            rows.push(paired(baseline, subject, size, count, plan)?);
        }
        if size == SIZES[0] {
            rows.push(paired(baseline, Subject::Server, size, count, plan)?);
        }
    }
    Ok(rows)
}

/// `plan.pairs` pairs of runs of `baseline` and `subject`, the order
/// alternating from pair to pair.
fn paired(
    baseline: Subject,
    subject: Subject,
    size: usize,
    count: usize,
    plan: Plan,
) -> io::Result<Row> {
    let (mut ratios, mut times) = (Vec::new(), Vec::new());
    for pair in 0..plan.pairs {
        let (base, took) = if pair.is_multiple_of(2) {
            let base = measure(baseline, size, count)?;
            (base, measure(subject, size, count)?)
        } else {
            let took = measure(subject, size, count)?;
            (measure(baseline, size, count)?, took)
        };
        ratios.push(base.as_secs_f64() / took.as_secs_f64().max(1e-9));
        times.push(took.as_secs_f64().max(1e-9));
    }
    let secs = Spread::of(&times).median;
    Ok(Row {
        subject,
        baseline,
        size,
        mb_per_s: (size * count) as f64 / secs / 1e6,
        msgs_per_s: count as f64 / secs,
        ratio: Spread::of(&ratios),
        pairs: plan.pairs,
    })
}

/// The payload every message of a run carries: random bytes, except for
/// `line`, which cannot carry a newline and gets random letters.
fn payload(line: bool, size: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7103);
    if line {
        (0..size).map(|_| rng.alphabetic() as u8).collect()
    } else {
        (0..size).map(|_| rng.u8(..)).collect()
    }
}

/// Send `count` messages of `size` bytes over a fresh connection and return
/// how long until the receiver had them all.
fn measure(
    subject: Subject,
    size: usize,
    count: usize,
) -> io::Result<Duration> {
    if subject == Subject::Server {
        return measure_server(size, count);
    }
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let max = size * 2;
    let receiver = thread::spawn(move || -> io::Result<usize> {
        let (stream, _) = listener.accept()?;
        match subject {
            Subject::Codec(strategy) => {
                let mut codec = strategy.codec(max);
                let mut input = FrameReader::with_capacity(READ_BUFFER, stream);
                let mut frames = 0;
                while let Some(payload) = input.next(&mut codec)? {
                    std::hint::black_box(payload);
                    frames += 1;
                }
                Ok(frames)
            }
            _ => {
                let mut bytes = 0;
                if subject == Subject::RawLargeReads {
                    // MSG_WAITALL: the kernel returns from recv only once
                    // the whole buffer is filled (or the stream ends).
                    let socket = socket2::SockRef::from(&stream);
                    let mut buffer = vec![MaybeUninit::uninit(); LARGE_READ];
                    loop {
                        match socket
                            .recv_with_flags(&mut buffer, libc::MSG_WAITALL)?
                        {
                            0 => return Ok(bytes / size),
                            n => bytes += n,
                        }
                    }
                }
                let mut buffer = vec![0u8; READ_BUFFER];
                loop {
                    match (&stream).read(&mut buffer)? {
                        0 => return Ok(bytes / size),
                        n => bytes += n,
                    }
                }
            }
        }
    });
    let line = subject == Subject::Codec(Strategy::Line);
    let message = payload(line, size);
    let started = Instant::now();
    {
        let stream = TcpStream::connect(addr)?;
        match subject {
            Subject::Codec(strategy) => {
                let mut codec = strategy.codec(max);
                let mut output = FrameWriter::new(&stream);
                for _ in 0..count {
                    output.queue(&mut codec, &message)?;
                }
                output.flush()?;
            }
            _ => {
                // The raw sender's best: 8 KiB gathered per write for small
                // messages, each large one written straight from its buffer.
                let mut output = io::BufWriter::new(&stream);
                for _ in 0..count {
                    output.write_all(&message)?;
                }
                output.flush()?;
            }
        }
        // Dropped here: the FIN tells the receiver the run is over.
    }
    let received = join(receiver)?;
    let took = started.elapsed();
    if received != count {
        return Err(io::Error::other(format!(
            "sent {count} messages, {received} arrived"
        )));
    }
    Ok(took)
}

/// `framing-server`'s handler on one connection: a thread sends `count`
/// u32-length requests, this one reads the replies.
fn measure_server(size: usize, count: usize) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let opts = server::Options {
        max_frame: size * 2,
        ..server::Options::default()
    };
    let server = thread::spawn(move || -> io::Result<()> {
        let (stream, _) = listener.accept()?;
        let say = Narrator::server(Verbosity::Silent);
        server::connection(
            &stream,
            &opts,
            &common::Budget::new(usize::MAX),
            &say,
        )
        .map_err(io::Error::other)
    });
    let message = payload(false, size);
    let started = Instant::now();
    let stream = TcpStream::connect(addr)?;
    let sender = {
        let stream = stream.try_clone()?;
        thread::spawn(move || -> io::Result<()> {
            let mut codec = Strategy::U32Length.codec(size * 2);
            let mut output = FrameWriter::new(&stream);
            for _ in 0..count {
                output.queue(&mut codec, &message)?;
            }
            output.flush()?;
            stream.shutdown(Shutdown::Write)
        })
    };
    let mut codec = Strategy::U32Length.codec(size * 2);
    let mut input = FrameReader::with_capacity(READ_BUFFER, &stream);
    let mut replies = 0;
    while let Some(reply) = input.next(&mut codec)? {
        std::hint::black_box(reply);
        replies += 1;
    }
    let took = started.elapsed();
    join(sender)?;
    join(server)?;
    if replies != count {
        return Err(io::Error::other(format!(
            "sent {count} requests, {replies} replies came"
        )));
    }
    Ok(took)
}

fn join<T>(thread: thread::JoinHandle<io::Result<T>>) -> io::Result<T> {
    thread
        .join()
        .map_err(|_| io::Error::other("a bench thread panicked"))?
}

/// One row of the in-memory table: nanoseconds per 64 B frame.
#[derive(Clone, Debug)]
pub struct Memory {
    /// The codec, ours or tokio-util's.
    pub name: &'static str,
    /// Median nanoseconds to decode one frame.
    pub decode_ns: f64,
    /// Median nanoseconds to encode one frame.
    pub encode_ns: f64,
    /// Allocations per frame, decoding and encoding, in steady state.
    pub allocs: f64,
    /// For tokio-util's rows: our decoder's speed over theirs, paired.
    pub ours_over_theirs: Option<Spread>,
}

/// How many allocations the process has made so far: the bench binary
/// counts them with its global allocator.
pub type AllocCount = fn() -> u64;

/// Every codec decoding and encoding `plan.frames` 64 B frames in memory,
/// then tokio-util's two codecs on the same bytes, each paired with ours.
pub fn in_memory(plan: Plan, allocs: AllocCount) -> io::Result<Vec<Memory>> {
    let runs = (2 * plan.pairs).max(3);
    let mut rows = Vec::new();
    for strategy in Strategy::ALL {
        let mut codec = strategy.codec(1 << 16);
        let message = payload(strategy == Strategy::Line, 64);
        let mut stream = Vec::new();
        for _ in 0..plan.frames {
            codec.encode(&message, &mut stream)?;
        }
        let (mut decode, mut encode) = (Vec::new(), Vec::new());
        let mut counted = 0;
        let mut work = stream.clone();
        let mut out = Vec::with_capacity(stream.len());
        for _ in 0..runs {
            work.copy_from_slice(&stream);
            out.clear();
            let before = allocs();
            decode.push(decode_ours(&mut codec, &mut work, plan.frames)?);
            encode.push(encode_ours(
                &mut codec,
                &message,
                &mut out,
                plan.frames,
            )?);
            counted = allocs() - before;
        }
        rows.push(Memory {
            name: strategy.name(),
            decode_ns: Spread::of(&decode).median,
            encode_ns: Spread::of(&encode).median,
            allocs: counted as f64 / (2 * plan.frames) as f64,
            ours_over_theirs: None,
        });
    }
    #[cfg(feature = "tokio")]
    rows.extend(tokio_rows(plan, runs, allocs)?);
    Ok(rows)
}

/// Nanoseconds per frame to decode every frame of `work`.
fn decode_ours(
    codec: &mut dyn Codec,
    work: &mut [u8],
    frames: usize,
) -> io::Result<f64> {
    let started = Instant::now();
    let (mut at, mut found) = (0, 0);
    while let Some(frame) = codec.decode(&mut work[at..])? {
        std::hint::black_box(
            &work[at + frame.payload.start..at + frame.payload.end],
        );
        at += frame.used;
        found += 1;
    }
    let took = started.elapsed();
    if found != frames {
        return Err(io::Error::other(format!("{found} of {frames} frames")));
    }
    Ok(took.as_nanos() as f64 / frames as f64)
}

/// Nanoseconds per frame to encode `frames` frames into `out`.
fn encode_ours(
    codec: &mut dyn Codec,
    message: &[u8],
    out: &mut Vec<u8>,
    frames: usize,
) -> io::Result<f64> {
    let started = Instant::now();
    for _ in 0..frames {
        codec.encode(message, out)?;
    }
    std::hint::black_box(&out);
    Ok(started.elapsed().as_nanos() as f64 / frames as f64)
}

#[cfg(feature = "tokio")]
fn tokio_rows(
    plan: Plan,
    runs: usize,
    allocs: AllocCount,
) -> io::Result<Vec<Memory>> {
    use bytes::{Bytes, BytesMut};
    use tokio_util::codec::{
        Decoder, Encoder, LengthDelimitedCodec, LinesCodec,
    };

    let mut rows = Vec::new();
    for strategy in [Strategy::U32Length, Strategy::Line] {
        let mut ours = strategy.codec(1 << 16);
        let message = payload(strategy == Strategy::Line, 64);
        let text = String::from_utf8(message.clone()).unwrap_or_default();
        let mut stream = Vec::new();
        for _ in 0..plan.frames {
            Codec::encode(ours.as_mut(), &message, &mut stream)?;
        }
        let mut work = stream.clone();
        let (mut decode, mut encode, mut ratios) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut counted = 0;
        let mut lengths = LengthDelimitedCodec::new();
        let mut lines = LinesCodec::new();
        for run in 0..runs {
            let mut theirs = BytesMut::from(&stream[..]);
            let mut out = BytesMut::with_capacity(stream.len());
            let bytes = Bytes::from(message.clone());
            work.copy_from_slice(&stream);
            let mut one = |theirs: &mut BytesMut| -> io::Result<f64> {
                let before = allocs();
                let started = Instant::now();
                let mut found = 0;
                if strategy == Strategy::U32Length {
                    while let Some(f) = lengths.decode(theirs)? {
                        std::hint::black_box(f);
                        found += 1;
                    }
                } else {
                    while let Some(f) =
                        lines.decode(theirs).map_err(io::Error::other)?
                    {
                        std::hint::black_box(f);
                        found += 1;
                    }
                }
                let ns =
                    started.elapsed().as_nanos() as f64 / found.max(1) as f64;
                counted = allocs() - before;
                Ok(ns)
            };
            // Paired, in alternating order.
            let (mine, theirs_ns) = if run.is_multiple_of(2) {
                let mine = decode_ours(&mut ours, &mut work, plan.frames)?;
                (mine, one(&mut theirs)?)
            } else {
                let t = one(&mut theirs)?;
                (decode_ours(&mut ours, &mut work, plan.frames)?, t)
            };
            decode.push(theirs_ns);
            ratios.push(theirs_ns / mine.max(1e-9));
            let started = Instant::now();
            for _ in 0..plan.frames {
                if strategy == Strategy::U32Length {
                    lengths.encode(bytes.clone(), &mut out)?;
                } else {
                    lines
                        .encode(text.as_str(), &mut out)
                        .map_err(io::Error::other)?;
                }
            }
            std::hint::black_box(&out);
            encode
                .push(started.elapsed().as_nanos() as f64 / plan.frames as f64);
        }
        rows.push(Memory {
            name: if strategy == Strategy::U32Length {
                "tokio-util LengthDelimitedCodec"
            } else {
                "tokio-util LinesCodec"
            },
            decode_ns: Spread::of(&decode).median,
            encode_ns: Spread::of(&encode).median,
            allocs: counted as f64 / plan.frames as f64,
            ours_over_theirs: Some(Spread::of(&ratios)),
        });
    }
    Ok(rows)
}

/// One line of the round-trip table.
#[derive(Clone, Debug)]
pub struct Trip {
    /// What was measured.
    pub what: &'static str,
    /// The median round trip.
    pub median: Duration,
}

/// Round trips of a 64-byte u32-length request and its reply: one write per
/// frame, then split writes on the client, on both sides, and with
/// TCP_NODELAY.
pub fn round_trips(plan: Plan) -> io::Result<Vec<Trip>> {
    let cases: [(&'static str, bool, bool, bool); 4] = [
        ("one write per frame", false, false, false),
        ("client splits header and body", true, false, false),
        ("both sides split", true, true, false),
        ("client splits, TCP_NODELAY on both", true, false, true),
    ];
    let mut trips = Vec::new();
    for (what, client_split, server_split, nodelay) in cases {
        let median =
            round_trip(plan.trips, client_split, server_split, nodelay)?;
        trips.push(Trip { what, median });
    }
    Ok(trips)
}

fn round_trip(
    n: usize,
    client_split: bool,
    server_split: bool,
    nodelay: bool,
) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = thread::spawn(move || -> io::Result<()> {
        let (stream, _) = listener.accept()?;
        stream.set_nodelay(nodelay)?;
        let mut codec = Strategy::U32Length.codec(1 << 16);
        let mut input = FrameReader::new(&stream);
        let mut output = &stream;
        let mut frame = Vec::new();
        while let Some(payload) = input.next(&mut codec)? {
            frame.clear();
            codec.encode(payload, &mut frame)?;
            send(&mut output, &frame, &codec, server_split)?;
        }
        Ok(())
    });
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(nodelay)?;
    let mut codec = Strategy::U32Length.codec(1 << 16);
    let mut input = FrameReader::new(&stream);
    let mut output = &stream;
    let mut frame = Vec::new();
    codec.encode(&[b'x'; 64], &mut frame)?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        send(&mut output, &frame, &codec, client_split)?;
        if input.next(&mut codec)?.is_none() {
            return Err(io::Error::other("the echo closed early"));
        }
        times.push(started.elapsed());
    }
    stream.shutdown(Shutdown::Write)?;
    join(server)?;
    times.sort();
    Ok(times[times.len() / 2])
}

fn size_label(size: usize) -> String {
    if size >= 1024 {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// The tables, as the binary prints them.
pub fn render(
    rows: &[Row],
    memory: &[Memory],
    trips: &[Trip],
    on_tokio: Option<&OnTokio>,
) -> String {
    let mut out = String::new();
    let mut size = 0;
    for r in rows {
        if r.size != size {
            size = r.size;
            // The raw row is always paired with raw; the others with the
            // baseline the codecs' rows name.
            let baseline = rows
                .iter()
                .find(|b| {
                    b.size == size && matches!(b.subject, Subject::Codec(_))
                })
                .map_or("raw", |b| b.baseline.name());
            out.push_str(&format!(
                "\nover loopback TCP, {}: ratios to {baseline}\n",
                size_label(size)
            ));
            out.push_str(
                "                            MB/s   Mmsg/s  ratio  (IQR)        pairs\n",
            );
        }
        let mut name = r.subject.name().to_owned();
        if r.subject == Subject::RawLargeReads {
            name.push_str(" /raw");
        }
        out.push_str(&format!(
            "  {name:<22} {:>7.0} {:>8.2}  {:>5.2}  ({:.2}-{:.2})  {:>3}\n",
            r.mb_per_s,
            r.msgs_per_s / 1e6,
            r.ratio.median,
            r.ratio.q1,
            r.ratio.q3,
            r.pairs
        ));
    }
    out.push_str(
        "\nin memory, 64 B frames      decode ns  encode ns  allocs/frame\n",
    );
    for m in memory {
        out.push_str(&format!(
            "  {:<31} {:>6.1} {:>10.1} {:>13.2}\n",
            m.name, m.decode_ns, m.encode_ns, m.allocs
        ));
        if let Some(s) = m.ours_over_theirs {
            out.push_str(&format!(
                "    ours decodes {:.1}x as fast (IQR {:.1}-{:.1})\n",
                s.median, s.q1, s.q3
            ));
        }
    }
    if let Some(t) = on_tokio {
        out.push_str(&format!(
            "\non tokio, {} over loopback, in FramedRead: ratios to \
             LengthDelimitedCodec\n",
            size_label(t.size)
        ));
        out.push_str(
            "                            MB/s   Mmsg/s  ratio  (IQR)        pairs\n",
        );
        let mb = |msgs: f64| msgs * t.size as f64 / 1e6;
        let theirs = t.theirs_msgs_per_s;
        out.push_str(&format!(
            "  {:<22} {:>7.0} {:>8.2}\n",
            "LengthDelimitedCodec",
            mb(theirs),
            theirs / 1e6
        ));
        let ours = t.ours_msgs_per_s;
        out.push_str(&format!(
            "  {:<22} {:>7.0} {:>8.2}  {:>5.2}  ({:.2}-{:.2})  {:>3}\n",
            "u32-length",
            mb(ours),
            ours / 1e6,
            t.ratio.median,
            t.ratio.q1,
            t.ratio.q3,
            t.pairs
        ));
    }
    out.push_str("\nround trip, 64-byte request and reply (median):\n");
    for t in trips {
        out.push_str(&format!(
            "  {:<38} {:>10}\n",
            t.what,
            common::fmt_duration(t.median)
        ));
    }
    out
}

/// The targets, checked against a run: one line per target.
pub fn verdicts(
    rows: &[Row],
    memory: &[Memory],
    on_tokio: Option<&OnTokio>,
) -> Vec<(bool, String)> {
    let find = |name: &str, size: usize| {
        rows.iter()
            .find(|r| r.subject.name() == name && r.size == size)
    };
    let mut out = Vec::new();
    let mut ratio = |name: &str, size: usize, target: f64| {
        if let Some(r) = find(name, size) {
            out.push((
                r.ratio.median >= target,
                format!(
                    "{name} at {}: {:.2} of {} (target {target})",
                    size_label(size),
                    r.ratio.median,
                    r.baseline.name()
                ),
            ));
        }
    };
    ratio("u32-length", 64, 0.95);
    ratio("line", 64, 0.85);
    for (name, target) in [
        ("u32-length", 0.9),
        ("ascii-length", 0.9),
        ("escaped", 0.5),
        ("delimiter", 0.5),
        ("base64", 0.4),
    ] {
        ratio(name, 64 * 1024, target);
    }
    for strategy in Strategy::ALL {
        if let Some(r) = find(strategy.name(), 64) {
            out.push((
                r.msgs_per_s >= 8e6,
                format!(
                    "{} moves {:.1} M 64 B messages/s (target 8)",
                    strategy.name(),
                    r.msgs_per_s / 1e6
                ),
            ));
        }
    }
    for m in memory {
        if m.name.starts_with("tokio-util LengthDelimited")
            && let Some(s) = m.ours_over_theirs
        {
            out.push((
                s.median >= 3.0,
                format!(
                    "in memory: u32-length decodes {:.1}x as fast as \
                        tokio-util's (target 3)",
                    s.median
                ),
            ));
        }
    }
    if let Some(t) = on_tokio {
        out.push((
            t.ratio.median >= 1.0,
            format!(
                "FramedRead: u32-length {:.2}x LengthDelimitedCodec's msgs/s \
                 (target 1)",
                t.ratio.median
            ),
        ));
    }
    for m in memory.iter().filter(|m| !m.name.starts_with("tokio")) {
        out.push((
            m.allocs == 0.0,
            format!(
                "{} allocates {:.2} times per frame (target 0)",
                m.name, m.allocs
            ),
        ));
    }
    out
}

/// The tokio section's figures: ours against `LengthDelimitedCodec`, both
/// in `FramedRead`.
#[derive(Clone, Debug)]
pub struct OnTokio {
    /// The message size.
    pub size: usize,
    /// Our decoder's median messages per second.
    pub ours_msgs_per_s: f64,
    /// `LengthDelimitedCodec`'s.
    pub theirs_msgs_per_s: f64,
    /// Ours over theirs in the same pair.
    pub ratio: Spread,
    /// How many pairs.
    pub pairs: usize,
}

/// The tokio section, or `None` without the `tokio` feature.
pub fn on_tokio(plan: Plan) -> io::Result<Option<OnTokio>> {
    #[cfg(feature = "tokio")]
    return framed::framed_read(plan).map(Some);
    #[cfg(not(feature = "tokio"))]
    {
        let _ = plan;
        Ok(None)
    }
}
