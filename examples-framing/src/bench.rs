//! `framing-bench`: what each framing costs, measured in pairs.
//!
//! Loopback throughput on a small machine swings between runs (here it
//! switches between a slow and a fast mode), so a row is never one run, nor
//! the best of many runs compared with the best of others. Each row is a
//! series of *pairs*: a baseline run and the row's run back to back, in
//! alternating order, over fresh connections, and the row reports the
//! median of the pairs' ratios with their spread. Two runs of a pair share
//! whatever mode the machine is in, and the rows of a table take turns, a
//! pair each, so that a slow spell falls on all of them. The sender runs
//! on one CPU and the receiver on another (`bench/pin.rs`), so the
//! scheduler cannot change the placement between the two runs.
//!
//! - Over loopback TCP, for 64 B and 64 KiB messages: first raw bytes (the
//!   receiver knows the size, so it only counts) in every shape of a sweep,
//!   write sizes from 8 KiB to 1 MiB by read sizes, interleaved; the best
//!   shape is the baseline. Then raw as this bench used to send it (8 KiB
//!   writes), each codec, `FrameWriter`'s flush sizes, `framing-server`
//!   itself, and each framing with a target written out by hand, its floor
//!   (`bench/hand.rs`), each paired with raw at its best. A codec runs as
//!   its own type (`with_codec!`), as the binaries run it.
//! - In memory, no socket: each codec decoding and encoding 64 B frames;
//!   the u32-length decoder alone, through `FrameReader`, and the
//!   hand-written floor of both; tokio-util's `LengthDelimitedCodec` and
//!   `LinesCodec` beside ours through the same `Decoder` trait (each
//!   returning an owned buffer), with the allocations each frame costs.
//! - Round trips of one request: one write per frame against split writes.
//! - On tokio (feature `tokio`): the u32-length decoder in `FramedRead`
//!   beside `LengthDelimitedCodec` in `FramedRead`, 64 B messages over
//!   loopback (`bench/framed.rs`).

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use common::{Narrator, Verbosity};

use crate::codec::{Codec, FLUSH_AT, FrameReader, FrameWriter, send};
use crate::codecs::Strategy;
use crate::server;

#[cfg(feature = "tokio")]
mod framed;
mod hand;
mod pin;

use pin::other_end;
pub use pin::pin_ends;

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
    /// Runs of each raw shape in the sweep.
    pub rounds: usize,
}

impl Plan {
    /// A run of a few seconds, to check the bench works (not to trust it).
    pub const QUICK: Plan = Plan {
        volume: 1 << 20,
        pairs: 2,
        frames: 4_000,
        trips: 4,
        rounds: 1,
    };
    /// The real measurement: about a minute on this project's machine.
    pub const FULL: Plan = Plan {
        volume: 64 << 20,
        pairs: 15,
        frames: 20_000,
        trips: 21,
        rounds: 7,
    };
}

/// The sizes the socket table compares.
pub const SIZES: [usize; 2] = [64, 64 * 1024];

/// The throughput targets (issue 28): a codec at a message size, and the
/// least ratio to raw at its best it should reach. Each also gets a row
/// written by hand, its floor.
pub const TARGETS: [(Strategy, usize, f64); 5] = [
    (Strategy::U32Length, 64, 0.8),
    (Strategy::Line, 64, 0.8),
    (Strategy::Netstring, 64, 0.7),
    (Strategy::U32Length, 64 * 1024, 0.9),
    (Strategy::Base64, 64 * 1024, 0.7),
];

/// The read buffer of the readers that do not take raw's best shape: the
/// in-memory table's, `framing-server`'s client, and `FramedRead`'s on
/// tokio (the same for both of its codecs).
const READ_BUFFER: usize = 256 * 1024;

/// The write sizes the raw sweep tries: what the sender gathers per write.
pub const WRITES: [usize; 4] = [8 << 10, 64 << 10, 256 << 10, 1 << 20];

/// The read sizes the raw sweep tries: what the receiver asks for per read.
pub const READS: [usize; 2] = [256 << 10, 1 << 20];

/// The flush sizes tried for `FrameWriter`, u32-length at 64 B.
pub const FLUSHES: [usize; 4] = [8 << 10, 64 << 10, 256 << 10, 1 << 20];

/// How raw bytes are moved: the sender gathers `write` bytes per write (a
/// message at least that large goes in a write of its own), the receiver
/// reads up to `read` bytes at a time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Raw {
    /// Bytes per write.
    pub write: usize,
    /// Bytes per read.
    pub read: usize,
}

impl Raw {
    /// How this bench sent raw before the sweep (std's 8 KiB `BufWriter`),
    /// kept as a reference row.
    pub const REFERENCE: Raw = Raw {
        write: 8 << 10,
        read: 256 << 10,
    };

    /// `8 KiB/256 KiB`: writes, then reads.
    pub fn shape(self) -> String {
        format!("{}/{}", size_label(self.write), size_label(self.read))
    }
}

/// What runs in one half of a pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// No framing: the receiver counts bytes.
    Raw(Raw),
    /// A codec, as its own type: `FrameWriter` writing once it has `flush`
    /// bytes, `FrameReader` reading `read` bytes at a time.
    Codec {
        /// Which codec.
        strategy: Strategy,
        /// The writer's flush size.
        flush: usize,
        /// The reader's buffer.
        read: usize,
    },
    /// A framing's floor: a hand-written sender (gathering `FLUSH_AT`
    /// bytes a write) and receiver (reading `read` bytes at a time), no
    /// codec, no `FrameWriter` or `FrameReader` (`bench/hand.rs`).
    Hand {
        /// Which framing.
        framing: Strategy,
        /// The receiver's buffer.
        read: usize,
    },
    /// `framing-server`'s connection handler as it ships (u32-length,
    /// 8 KiB reader, one reply per request), with a client that sends
    /// every request before reading.
    Server,
}

impl Subject {
    /// The row's name.
    pub fn name(self) -> String {
        match self {
            Subject::Raw(raw) => format!("raw, {}", raw.shape()),
            Subject::Codec {
                strategy, flush, ..
            } if flush != FLUSH_AT => {
                format!("{}, flush {}", strategy.name(), size_label(flush))
            }
            Subject::Codec { strategy, .. } => strategy.name().to_owned(),
            Subject::Hand { framing, .. } => {
                format!("{}, hand-written", framing.name())
            }
            Subject::Server => "framing-server".to_owned(),
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

/// The raw sweep at one message size: the median throughput of each shape
/// over `rounds` interleaved runs, and the best.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// Payload bytes per message.
    pub size: usize,
    /// Runs of each shape.
    pub rounds: usize,
    /// Each shape and its median MB/s (10^6 bytes per second).
    pub shapes: Vec<(Raw, f64)>,
    /// The shape with the highest median: raw at its best.
    pub best: Raw,
}

/// The socket tables: the sweep of each size, and the rows paired with its
/// best.
#[derive(Clone, Debug)]
pub struct Throughput {
    /// One per size.
    pub sweeps: Vec<Sweep>,
    /// Every row, sizes in order.
    pub rows: Vec<Row>,
}

/// For each size: the raw sweep, then raw's old shape, each codec, the
/// other flush sizes (u32-length, 64 B), `framing-server` and the
/// hand-written floors, each paired with raw at its best.
pub fn throughput(plan: Plan) -> io::Result<Throughput> {
    let (mut sweeps, mut rows) = (Vec::new(), Vec::new());
    for size in SIZES {
        let count = (plan.volume / size).max(1);
        let sweep = sweep(size, count, plan)?;
        let read = sweep.best.read;
        let mut subjects = vec![Subject::Raw(Raw::REFERENCE)];
        let codec = |strategy, flush| Subject::Codec {
            strategy,
            flush,
            read,
        };
        subjects.extend(Strategy::ALL.map(|s| codec(s, FLUSH_AT)));
        if size == SIZES[0] {
            let flushes = FLUSHES.into_iter().filter(|&f| f != FLUSH_AT);
            subjects.extend(flushes.map(|f| codec(Strategy::U32Length, f)));
            subjects.push(Subject::Server);
        }
        // The floor of each framing with a target at this size.
        let targets = TARGETS.iter().filter(|t| t.1 == size);
        subjects.extend(
            targets.map(|&(framing, _, _)| Subject::Hand { framing, read }),
        );
        let best = Subject::Raw(sweep.best);
        rows.extend(paired(best, &subjects, size, plan)?);
        sweeps.push(sweep);
    }
    Ok(Throughput { sweeps, rows })
}

/// Every raw shape, `plan.rounds` times, the order rotating from round to
/// round so that no shape always runs first.
fn sweep(size: usize, count: usize, plan: Plan) -> io::Result<Sweep> {
    let shapes: Vec<Raw> = WRITES
        .into_iter()
        .flat_map(|write| READS.map(|read| Raw { write, read }))
        .collect();
    let mut runs = vec![Vec::new(); shapes.len()];
    for round in 0..plan.rounds {
        for k in 0..shapes.len() {
            let i = (k + round) % shapes.len();
            let took = measure(Subject::Raw(shapes[i]), size, count)?;
            let secs = took.as_secs_f64().max(1e-9);
            runs[i].push((size * count) as f64 / secs / 1e6);
        }
    }
    let shapes: Vec<(Raw, f64)> = (shapes.into_iter())
        .zip(runs.iter().map(|r| Spread::of(r).median))
        .collect();
    let best = shapes
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(Raw::REFERENCE, |(raw, _)| *raw);
    Ok(Sweep {
        size,
        rounds: plan.rounds,
        shapes,
        best,
    })
}

/// `plan.pairs` pairs of runs of `baseline` and each of `subjects`, the
/// order within a pair alternating from pair to pair. The rows take turns,
/// a pair each: the machine's slow and fast spells fall on every row alike,
/// not on the few rows that happen to run through one.
fn paired(
    baseline: Subject,
    subjects: &[Subject],
    size: usize,
    plan: Plan,
) -> io::Result<Vec<Row>> {
    let count = (plan.volume / size).max(1);
    let mut ratios = vec![Vec::new(); subjects.len()];
    let mut times = vec![Vec::new(); subjects.len()];
    for pair in 0..plan.pairs {
        for (i, &subject) in subjects.iter().enumerate() {
            let (base, took) = if pair.is_multiple_of(2) {
                let base = measure(baseline, size, count)?;
                (base, measure(subject, size, count)?)
            } else {
                let took = measure(subject, size, count)?;
                (measure(baseline, size, count)?, took)
            };
            let took = took.as_secs_f64().max(1e-9);
            ratios[i].push(base.as_secs_f64() / took);
            times[i].push(took);
        }
    }
    let rows = subjects.iter().zip(ratios.iter().zip(&times));
    Ok(rows
        .map(|(&subject, (ratios, times))| {
            let secs = Spread::of(times).median;
            Row {
                subject,
                baseline,
                size,
                mb_per_s: (size * count) as f64 / secs / 1e6,
                msgs_per_s: count as f64 / secs,
                ratio: Spread::of(ratios),
                pairs: plan.pairs,
            }
        })
        .collect())
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
    match subject {
        Subject::Server => measure_server(size, count),
        Subject::Raw(raw) => measure_raw(raw, size, count),
        Subject::Hand { framing, read } => {
            measure_hand(framing, read, size, count)
        }
        Subject::Codec {
            strategy,
            flush,
            read,
        } => crate::with_codec!(strategy, |new| {
            let line = strategy == Strategy::Line;
            measure_codec(new, flush, read, &payload(line, size), count)
        }),
    }
}

/// Raw bytes in `raw`'s shape: `BufWriter` gathering `raw.write` bytes
/// (std writes a message at least that large straight from its buffer),
/// and reads of up to `raw.read` that only count.
fn measure_raw(raw: Raw, size: usize, count: usize) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let receiver = other_end(move || -> io::Result<usize> {
        let (stream, _) = listener.accept()?;
        let (mut buffer, mut bytes) = (vec![0u8; raw.read], 0);
        loop {
            match (&stream).read(&mut buffer)? {
                0 => return Ok(bytes / size),
                n => bytes += n,
            }
        }
    });
    let message = payload(false, size);
    let started = Instant::now();
    {
        let stream = TcpStream::connect(addr)?;
        let mut output = io::BufWriter::with_capacity(raw.write, &stream);
        for _ in 0..count {
            output.write_all(&message)?;
        }
        output.flush()?;
        // Dropped here: the FIN tells the receiver the run is over.
    }
    finished(receiver, started, count)
}

/// A framing written out by hand, sender and receiver: its floor over
/// loopback.
fn measure_hand(
    framing: Strategy,
    read: usize,
    size: usize,
    count: usize,
) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let receiver = other_end(move || -> io::Result<usize> {
        let (stream, _) = listener.accept()?;
        hand::receive(framing, &stream, read)
    });
    let message = payload(framing == Strategy::Line, size);
    let started = Instant::now();
    // Dropped at the end: the FIN tells the receiver the run is over.
    hand::send(framing, TcpStream::connect(addr)?, &message, count)?;
    finished(receiver, started, count)
}

/// One codec, as its own type `C` (`new` makes one): `FrameWriter`
/// flushing at `flush`, `FrameReader` reading `read` bytes at a time.
fn measure_codec<C: Codec + 'static>(
    new: fn(usize) -> C,
    flush: usize,
    read: usize,
    message: &[u8],
    count: usize,
) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let max = message.len() * 2;
    let receiver = other_end(move || -> io::Result<usize> {
        let (stream, _) = listener.accept()?;
        let mut codec = new(max);
        let mut input = FrameReader::with_capacity(read, stream);
        let mut frames = 0;
        while let Some(payload) = input.next(&mut codec)? {
            std::hint::black_box(payload);
            frames += 1;
        }
        Ok(frames)
    });
    let started = Instant::now();
    {
        let stream = TcpStream::connect(addr)?;
        let mut codec = new(max);
        let mut output = FrameWriter::with_flush(flush, &stream);
        for _ in 0..count {
            output.queue(&mut codec, message)?;
        }
        output.flush()?;
    }
    finished(receiver, started, count)
}

/// How long from `started` until `receiver` had all `count` messages.
fn finished(
    receiver: thread::JoinHandle<io::Result<usize>>,
    started: Instant,
    count: usize,
) -> io::Result<Duration> {
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
    let server = other_end(move || -> io::Result<()> {
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
        other_end(move || -> io::Result<()> {
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
/// each as its own type, then tokio-util's two codecs on the same bytes,
/// each paired with ours.
pub fn in_memory(plan: Plan, allocs: AllocCount) -> io::Result<Vec<Memory>> {
    let runs = (2 * plan.pairs).max(3);
    let mut rows = Vec::new();
    for strategy in Strategy::ALL {
        let line = strategy == Strategy::Line;
        let row = crate::with_codec!(strategy, |new| {
            memory_row(new, &payload(line, 64), plan, runs, allocs)
        })?;
        rows.push(row);
    }
    #[cfg(feature = "tokio")]
    rows.extend(tokio_rows(plan, runs, allocs)?);
    Ok(rows)
}

/// One codec's row of the in-memory table.
fn memory_row<C: Codec>(
    new: fn(usize) -> C,
    message: &[u8],
    plan: Plan,
    runs: usize,
    allocs: AllocCount,
) -> io::Result<Memory> {
    let mut codec = new(1 << 16);
    let mut stream = Vec::new();
    for _ in 0..plan.frames {
        codec.encode(message, &mut stream)?;
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
        encode.push(encode_ours(&mut codec, message, &mut out, plan.frames)?);
        counted = allocs() - before;
    }
    Ok(Memory {
        name: codec.name(),
        decode_ns: Spread::of(&decode).median,
        encode_ns: Spread::of(&encode).median,
        allocs: counted as f64 / (2 * plan.frames) as f64,
        ours_over_theirs: None,
    })
}

/// Nanoseconds per frame to decode every frame of `work`.
fn decode_ours<C: Codec + ?Sized>(
    codec: &mut C,
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
fn encode_ours<C: Codec + ?Sized>(
    codec: &mut C,
    message: &[u8],
    out: &mut Vec<u8>,
    frames: usize,
) -> io::Result<f64> {
    let started = Instant::now();
    for _ in 0..frames {
        codec.encode_vec(message, out)?;
    }
    std::hint::black_box(&out);
    Ok(started.elapsed().as_nanos() as f64 / frames as f64)
}

/// The u32-length decoder against its floor, 64 B frames in memory, in
/// nanoseconds per frame (medians of interleaved runs).
#[derive(Clone, Copy, Debug, Default)]
pub struct Floor {
    /// Hand-written: read the 4-byte length, take the payload, from one
    /// buffer holding every frame.
    pub hand: f64,
    /// The codec's `decode` alone, on the same buffer.
    pub alone: f64,
    /// Hand-written, with the frames read from memory into a 256 KiB
    /// buffer, as a socket's bytes would be: the floor of a reader.
    pub hand_reads: f64,
    /// `FrameReader` with the codec, reading the same way.
    pub reader: f64,
    /// `reader` over `hand_reads`, run by run.
    pub reader_over_hand: Spread,
}

/// The four ways of [`Floor`], `runs` times each, in rotation.
pub fn floor(plan: Plan) -> io::Result<Floor> {
    let runs = (2 * plan.pairs).max(3);
    let mut codec = crate::codecs::U32Length::new(1 << 16);
    let message = payload(false, 64);
    let mut stream = Vec::new();
    for _ in 0..plan.frames {
        codec.encode(&message, &mut stream)?;
    }
    let mut work = stream.clone();
    let mut times: [Vec<f64>; 4] = Default::default();
    for run in 0..runs {
        for k in 0..4 {
            let which = (k + run) % 4;
            let started = Instant::now();
            let found = match which {
                0 => hand_decode(&stream),
                1 => {
                    let ns = decode_ours(&mut codec, &mut work, plan.frames)?;
                    times[1].push(ns);
                    continue;
                }
                2 => hand_through_reads(&stream)?,
                _ => {
                    let mut input =
                        FrameReader::with_capacity(READ_BUFFER, &stream[..]);
                    let mut found = 0;
                    while let Some(payload) = input.next(&mut codec)? {
                        std::hint::black_box(payload);
                        found += 1;
                    }
                    found
                }
            };
            let ns = started.elapsed().as_nanos() as f64;
            if found != plan.frames {
                return Err(io::Error::other("a floor run lost frames"));
            }
            times[which].push(ns / plan.frames as f64);
        }
    }
    let over: Vec<f64> = (times[3].iter().zip(&times[2]))
        .map(|(reader, hand)| reader / hand.max(1e-9))
        .collect();
    let [hand, alone, hand_reads, reader] =
        times.map(|t| Spread::of(&t).median);
    Ok(Floor {
        hand,
        alone,
        hand_reads,
        reader,
        reader_over_hand: Spread::of(&over),
    })
}

/// How many u32-length frames `stream` holds, each taken as a slice.
fn hand_decode(stream: &[u8]) -> usize {
    let (mut at, mut found) = (0, 0);
    while let Some(used) = hand::u32_length(&stream[at..]) {
        (at, found) = (at + used, found + 1);
    }
    found
}

/// [`hand_decode`] on bytes read 256 KiB at a time from `stream`, a frame
/// cut by a read's end moved to the front before the next.
fn hand_through_reads(stream: &[u8]) -> io::Result<usize> {
    hand::through_reads(stream, READ_BUFFER, |b| hand::u32_length(b))
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
        let (mut decode, mut encode, mut ratios) =
            (Vec::new(), Vec::new(), Vec::new());
        let mut counted = 0;
        let mut lengths = LengthDelimitedCodec::new();
        let mut lines = LinesCodec::new();
        // Like for like: ours through the same Decoder trait, on the same
        // BytesMut, each frame split off as an owned BytesMut, as
        // LengthDelimitedCodec's are (LinesCodec makes a String).
        let mut u32_length = crate::codecs::U32Length::new(1 << 16);
        let mut line = crate::codecs::Line::new(1 << 16);
        for run in 0..runs {
            let mut theirs = BytesMut::from(&stream[..]);
            let mut mine = BytesMut::from(&stream[..]);
            let mut out = BytesMut::with_capacity(stream.len());
            let bytes = Bytes::from(message.clone());
            let mut ours_tokio = |src: &mut BytesMut| -> io::Result<f64> {
                let started = Instant::now();
                let mut found = 0;
                loop {
                    let frame = if strategy == Strategy::U32Length {
                        Decoder::decode(&mut u32_length, src)?
                    } else {
                        Decoder::decode(&mut line, src)?
                    };
                    let Some(frame) = frame else { break };
                    std::hint::black_box(frame);
                    found += 1;
                }
                Ok(started.elapsed().as_nanos() as f64 / found.max(1) as f64)
            };
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
                let mine = ours_tokio(&mut mine)?;
                (mine, one(&mut theirs)?)
            } else {
                let t = one(&mut theirs)?;
                (ours_tokio(&mut mine)?, t)
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
    let server = other_end(move || -> io::Result<()> {
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
    match size {
        _ if size >= 1 << 20 && size.is_multiple_of(1 << 20) => {
            format!("{} MiB", size >> 20)
        }
        _ if size >= 1024 => format!("{} KiB", size / 1024),
        _ => format!("{size} B"),
    }
}

/// The header of a table of paired rows.
const PAIRED: &str =
    "                              MB/s   Mmsg/s  ratio  (IQR)        pairs\n";

/// One paired row: its name, MB/s, Mmsg/s, the median ratio, its IQR, the
/// pairs.
fn paired_line(
    name: &str,
    mb: f64,
    msgs: f64,
    ratio: Spread,
    pairs: usize,
) -> String {
    format!(
        "  {name:<26} {mb:>7.0} {:>8.2}  {:>5.2}  ({:.2}-{:.2})  {pairs:>3}\n",
        msgs / 1e6,
        ratio.median,
        ratio.q1,
        ratio.q3,
    )
}

/// The tables, as the binary prints them.
pub fn render(
    throughput: &Throughput,
    memory: &[Memory],
    floor: &Floor,
    trips: &[Trip],
    on_tokio: Option<&OnTokio>,
) -> String {
    let mut out = String::new();
    for sweep in &throughput.sweeps {
        let size = size_label(sweep.size);
        out.push_str(&format!(
            "\nraw over loopback TCP, {size}: median MB/s of {} runs a shape\n",
            sweep.rounds
        ));
        out.push_str("  writes \\ reads");
        for read in READS {
            out.push_str(&format!(" {:>12}", size_label(read)));
        }
        out.push('\n');
        for write in WRITES {
            out.push_str(&format!("  {:<14}", size_label(write)));
            for read in READS {
                let mb = (sweep.shapes.iter())
                    .find(|(raw, _)| *raw == Raw { write, read })
                    .map_or(0.0, |(_, mb)| *mb);
                out.push_str(&format!(" {mb:>12.0}"));
            }
            out.push('\n');
        }
        out.push_str(&format!(
            "  best: {} writes, {} reads\n",
            size_label(sweep.best.write),
            size_label(sweep.best.read)
        ));
        out.push_str(&format!(
            "\nover loopback TCP, {size}: ratios to raw at its best ({})\n",
            sweep.best.shape()
        ));
        out.push_str(PAIRED);
        for r in throughput.rows.iter().filter(|r| r.size == sweep.size) {
            let name = r.subject.name();
            out.push_str(&paired_line(
                &name,
                r.mb_per_s,
                r.msgs_per_s,
                r.ratio,
                r.pairs,
            ));
        }
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
                "    ours, through the same Decoder, {:.2}x as fast (IQR \
                 {:.2}-{:.2})\n",
                s.median, s.q1, s.q3
            ));
        }
    }
    out.push_str("\nthe u32-length decoder, 64 B frames in memory  ns/frame\n");
    for (what, ns) in [
        ("hand-written, from one buffer", floor.hand),
        ("the codec's decode, from one buffer", floor.alone),
        ("hand-written, through 256 KiB reads", floor.hand_reads),
        ("FrameReader, through 256 KiB reads", floor.reader),
    ] {
        out.push_str(&format!("  {what:<44} {ns:>6.1}\n"));
    }
    let over = floor.reader_over_hand;
    out.push_str(&format!(
        "    FrameReader over hand-written, run by run: {:.2}x (IQR \
         {:.2}-{:.2})\n",
        over.median, over.q1, over.q3
    ));
    if let Some(t) = on_tokio {
        out.push_str(&format!(
            "\non tokio, {} over loopback, in FramedRead: ratios to \
             LengthDelimitedCodec\n",
            size_label(t.size)
        ));
        out.push_str(PAIRED);
        let mb = |msgs: f64| msgs * t.size as f64 / 1e6;
        let theirs = t.theirs_msgs_per_s;
        out.push_str(&format!(
            "  {:<26} {:>7.0} {:>8.2}\n",
            "LengthDelimitedCodec",
            mb(theirs),
            theirs / 1e6
        ));
        let ours = t.ours_msgs_per_s;
        out.push_str(&paired_line(
            "u32-length",
            mb(ours),
            ours,
            t.ratio,
            t.pairs,
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

/// What a run says of a target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Reached.
    Met,
    /// Not reached, and neither is the framing written by hand: the
    /// codec is within a tenth of that floor, so the framing stops it, not
    /// our code.
    Floor,
    /// Not reached, and our code is to blame.
    Missed,
}

impl Verdict {
    /// The mark the bench prints before the target's line.
    pub fn mark(self) -> &'static str {
        match self {
            Verdict::Met => "met   ",
            Verdict::Floor => "floor ",
            Verdict::Missed => "MISSED",
        }
    }

    fn of(met: bool) -> Verdict {
        if met { Verdict::Met } else { Verdict::Missed }
    }
}

/// The targets, checked against a run: one line per target.
pub fn verdicts(
    throughput: &Throughput,
    memory: &[Memory],
    floor: &Floor,
    on_tokio: Option<&OnTokio>,
) -> Vec<(Verdict, String)> {
    let mut out = Vec::new();
    let ratio = |name: String, size: usize| {
        (throughput.rows.iter())
            .find(|r| r.subject.name() == name && r.size == size)
            .map(|r| r.ratio.median)
    };
    for (strategy, size, target) in TARGETS {
        let name = strategy.name();
        let Some(codec) = ratio(name.to_owned(), size) else {
            continue;
        };
        let hand = ratio(format!("{name}, hand-written"), size);
        let verdict = match hand {
            _ if codec >= target => Verdict::Met,
            Some(hand) if hand < target && codec >= 0.9 * hand => {
                Verdict::Floor
            }
            _ => Verdict::Missed,
        };
        // Three decimals: 0.698 is a miss, and would print as 0.70.
        let hand = hand.map_or(String::new(), |h| format!("; by hand {h:.3}"));
        out.push((
            verdict,
            format!(
                "{name} at {}: {codec:.3} of best raw (target {target}{hand})",
                size_label(size),
            ),
        ));
    }
    out.push((
        Verdict::of(floor.alone <= 3.0),
        format!(
            "the u32-length decoder alone: {:.1} ns a frame (target 3)",
            floor.alone
        ),
    ));
    let over = floor.reader_over_hand;
    out.push((
        Verdict::of(over.median <= 2.0),
        format!(
            "FrameReader: {:.2}x the hand-written reader's time a frame \
             (target 2)",
            over.median
        ),
    ));
    if let Some(t) = on_tokio {
        out.push((
            Verdict::of(t.ratio.median >= 1.2),
            format!(
                "FramedRead: u32-length {:.2}x LengthDelimitedCodec's msgs/s \
                 (target 1.2)",
                t.ratio.median
            ),
        ));
    }
    for m in memory.iter().filter(|m| !m.name.starts_with("tokio")) {
        out.push((
            Verdict::of(m.allocs == 0.0),
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
