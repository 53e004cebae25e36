//! `framing-bench`: what each framing costs, measured side by side in one
//! run over loopback TCP.
//!
//! For each message size (64 B and 64 KiB) it sends the same volume of
//! messages over one connection, buffered on both ends, first with no
//! framing at all (the raw limit: the receiver only counts bytes), then with
//! each codec, and prints throughput, message rate and the ratio to raw.
//! Then it measures request/response round trips with one write per frame
//! and with the header and body split into two writes.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

use crate::codec::{send, write_frame_vectored};
use crate::codecs::Strategy;

/// One row of the throughput table.
#[derive(Clone, Debug)]
pub struct Row {
    /// `raw` or the strategy's name.
    pub name: &'static str,
    /// The payload size of each message.
    pub size: usize,
    /// Payload megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Messages per second.
    pub msgs_per_s: f64,
    /// This row's payload throughput divided by raw's, for the same size.
    pub ratio: f64,
}

/// One line of the round-trip table.
#[derive(Clone, Debug)]
pub struct Trip {
    /// What was measured.
    pub what: &'static str,
    /// The median round trip.
    pub median: Duration,
}

/// How much to measure.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Payload bytes sent per throughput measurement.
    pub volume: usize,
    /// Round trips per latency measurement.
    pub trips: usize,
    /// Runs of each throughput measurement; the best one counts.
    pub runs: usize,
}

impl Plan {
    /// A run of a few seconds, to check the bench works (not to trust it).
    pub const QUICK: Plan = Plan {
        volume: 8 << 20,
        trips: 4,
        runs: 1,
    };
    /// The real measurement. Many short runs rather than a few long ones:
    /// on this project's 2-core machine, loopback throughput jumps between
    /// a fast and a slow speed from run to run, and the best of twenty runs
    /// of 64 MiB is steadier than the best of five runs of 256 MiB (the
    /// framing chapter's bench section has both series).
    pub const FULL: Plan = Plan {
        volume: 64 << 20,
        trips: 21,
        runs: 20,
    };
}

/// From this payload size on, the sender writes frames with
/// [`write_frame_vectored`], saving a copy of each payload.
const VECTORED_FROM: usize = 8 * 1024;

/// How much the receiver's buffer asks the kernel for at a time. Large
/// reads matter: on this project's machine, raw TCP moved about 1.9 GB/s
/// reading 64 KiB at a time and 3.3 GB/s reading 256 KiB at a time.
const READ_BUFFER: usize = 256 * 1024;

/// The sizes the table compares.
pub const SIZES: [usize; 2] = [64, 64 * 1024];

/// Measure every row: raw, then each strategy, for each size. Each row is
/// the best of `plan.runs` runs, taken in turns (raw, codecs, raw, codecs,
/// ...), so that a passing disturbance does not favour one row.
pub fn throughput(plan: Plan) -> io::Result<Vec<Row>> {
    let mut rows = Vec::new();
    for size in SIZES {
        let count = (plan.volume / size).max(1);
        let subjects: Vec<Option<Strategy>> = std::iter::once(None)
            .chain(Strategy::ALL.map(Some))
            .collect();
        let mut best = vec![Duration::MAX; subjects.len()];
        for _ in 0..plan.runs {
            for (subject, best) in subjects.iter().zip(&mut best) {
                *best = (*best).min(measure(*subject, size, count)?);
            }
        }
        let raw = best[0];
        for (subject, took) in subjects.iter().zip(best) {
            let name = subject.map_or("raw", Strategy::name);
            rows.push(row(name, size, count, took, raw));
        }
    }
    Ok(rows)
}

fn row(
    name: &'static str,
    size: usize,
    count: usize,
    took: Duration,
    raw: Duration,
) -> Row {
    let secs = took.as_secs_f64().max(1e-9);
    Row {
        name,
        size,
        mb_per_s: (size * count) as f64 / secs / 1e6,
        msgs_per_s: count as f64 / secs,
        ratio: raw.as_secs_f64() / secs,
    }
}

/// The payload every message of a run carries: random bytes, except for
/// `line`, which cannot carry a newline and gets random letters.
fn payload(strategy: Option<Strategy>, size: usize) -> Vec<u8> {
    let mut rng = fastrand::Rng::with_seed(7103);
    if strategy == Some(Strategy::Line) {
        (0..size).map(|_| rng.alphabetic() as u8).collect()
    } else {
        (0..size).map(|_| rng.u8(..)).collect()
    }
}

/// Send `count` messages of `size` bytes over a fresh connection and return
/// how long until the receiver had them all.
fn measure(
    strategy: Option<Strategy>,
    size: usize,
    count: usize,
) -> io::Result<Duration> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let max = size * 2;
    let receiver = thread::spawn(move || -> io::Result<usize> {
        let (stream, _) = listener.accept()?;
        let mut input = BufReader::with_capacity(READ_BUFFER, stream);
        match strategy {
            None => {
                // Raw: the receiver knows every message is `size` bytes, so
                // it needs no framing at all, only to take each message out
                // of the stream, as the decoders do. (A receiver that only
                // counted bytes would be no fair limit: draining the socket
                // the moment anything arrives means many small reads, and
                // on this project's machine it moved less than half of what
                // a decoder did.)
                let mut message = vec![0u8; size];
                let mut messages = 0;
                loop {
                    match input.read_exact(&mut message) {
                        Ok(()) => messages += 1,
                        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
                            return Ok(messages);
                        }
                        Err(e) => return Err(e),
                    }
                }
            }
            Some(strategy) => {
                let codec = strategy.codec(max);
                let mut frames = 0;
                let mut payload = Vec::new();
                while codec.decode(&mut input, &mut payload)? {
                    frames += 1;
                }
                Ok(frames)
            }
        }
    });
    let message = payload(strategy, size);
    let started = Instant::now();
    {
        let stream = TcpStream::connect(addr)?;
        let mut output = BufWriter::new(stream);
        match strategy {
            None => {
                for _ in 0..count {
                    output.write_all(&message)?;
                }
            }
            Some(strategy) => {
                let codec = strategy.codec(max);
                if size >= VECTORED_FROM {
                    // Large frames: head, payload and tail in one writev,
                    // without copying the payload into a frame first.
                    for _ in 0..count {
                        write_frame_vectored(
                            codec.as_ref(),
                            &mut output,
                            &message,
                        )?;
                    }
                } else {
                    // Small frames: encoded into one buffer, which the
                    // BufWriter gathers with its neighbours.
                    let mut frame = Vec::with_capacity(size * 2);
                    for _ in 0..count {
                        frame.clear();
                        codec.encode(&message, &mut frame)?;
                        output.write_all(&frame)?;
                    }
                }
            }
        }
        output.flush()?;
        // Dropped here: the FIN tells the receiver the run is over.
    }
    let received = receiver
        .join()
        .map_err(|_| io::Error::other("the receiving thread panicked"))??;
    let took = started.elapsed();
    if received != count {
        return Err(io::Error::other(format!(
            "sent {count} messages, {received} arrived"
        )));
    }
    Ok(took)
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
        let codec = Strategy::U32Length.codec(1 << 16);
        let mut input = BufReader::new(&stream);
        let mut output = &stream;
        let mut payload = Vec::new();
        let mut frame = Vec::new();
        while codec.decode(&mut input, &mut payload)? {
            frame.clear();
            codec.encode(&payload, &mut frame)?;
            send(&mut output, &frame, codec.as_ref(), server_split)?;
        }
        Ok(())
    });
    let stream = TcpStream::connect(addr)?;
    stream.set_nodelay(nodelay)?;
    let codec = Strategy::U32Length.codec(1 << 16);
    let mut input = BufReader::new(&stream);
    let mut output = &stream;
    let mut frame = Vec::new();
    codec.encode(&[b'x'; 64], &mut frame)?;
    let mut reply = Vec::new();
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        send(&mut output, &frame, codec.as_ref(), client_split)?;
        if !codec.decode(&mut input, &mut reply)? {
            return Err(io::Error::other("the echo closed early"));
        }
        times.push(started.elapsed());
    }
    stream.shutdown(std::net::Shutdown::Write)?;
    server
        .join()
        .map_err(|_| io::Error::other("the echo thread panicked"))??;
    times.sort();
    Ok(times[times.len() / 2])
}

/// The table, as the binary prints it.
pub fn render(rows: &[Row], trips: &[Trip]) -> String {
    let mut out = String::new();
    out.push_str("strategy        size     MB/s      msgs/s   vs raw\n");
    for r in rows {
        let size = if r.size >= 1024 {
            format!("{} KiB", r.size / 1024)
        } else {
            format!("{} B", r.size)
        };
        out.push_str(&format!(
            "{:<13} {:>7} {:>8.0} {:>11.0}   {:>5.2}\n",
            r.name, size, r.mb_per_s, r.msgs_per_s, r.ratio
        ));
    }
    out.push_str("\nround trip, 64-byte request and reply (median):\n");
    for t in trips {
        out.push_str(&format!(
            "{:<38} {:>10}\n",
            t.what,
            common::fmt_duration(t.median)
        ));
    }
    out
}

/// The targets, checked against a run: one line per target.
pub fn verdicts(rows: &[Row]) -> Vec<(bool, String)> {
    let find = |name: &str, size: usize| {
        rows.iter().find(|r| r.name == name && r.size == size)
    };
    let mut out = Vec::new();
    for name in ["u32-length", "ascii-length"] {
        if let Some(r) = find(name, 64 * 1024) {
            out.push((
                r.ratio >= 0.9,
                format!(
                    "{name} at 64 KiB reaches {:.3} of raw (target 0.9)",
                    r.ratio
                ),
            ));
        }
        if let (Some(r), Some(raw)) = (find(name, 64), find("raw", 64)) {
            let ratio = r.msgs_per_s / raw.msgs_per_s;
            out.push((
                ratio >= 0.5,
                format!(
                    "{name} at 64 B reaches {ratio:.3} of raw's message \
                    rate (target 0.5)"
                ),
            ));
        }
    }
    for name in ["escaped", "base64", "delimiter"] {
        if let Some(r) = find(name, 64 * 1024) {
            out.push((
                r.ratio >= 1.0 / 3.0,
                format!(
                    "{name} at 64 KiB reaches {:.3} of raw (target 1/3)",
                    r.ratio
                ),
            ));
        }
    }
    for strategy in Strategy::ALL {
        if let Some(r) = find(strategy.name(), 64) {
            out.push((
                r.msgs_per_s >= 5e6,
                format!(
                    "{} moves {:.1} million 64 B messages a second (target 5)",
                    strategy.name(),
                    r.msgs_per_s / 1e6
                ),
            ));
        }
    }
    out
}
