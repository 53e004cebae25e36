//! Exercise 1 of "Timeouts", solved: a line reader with a deadline.

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// ANCHOR: solution
/// Read one line from `stream`, but give up with a TimedOut error once
/// `deadline` has passed, however steadily bytes keep arriving. Each read
/// may also wait at most `per_read`. The reader is the caller's, so bytes
/// that arrive after the newline stay buffered for the next line.
fn read_line_by(
    reader: &mut BufReader<&TcpStream>,
    per_read: Duration,
    deadline: Instant,
) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    loop {
        // Before every read: the time left, or the per-read limit if less.
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "deadline passed",
            ));
        }
        reader
            .get_ref()
            .set_read_timeout(Some(per_read.min(left)))?;
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            // This read was cut short to the time left, so its timeout is
            // the deadline's: say so, rather than a platform's EAGAIN. We
            // decide by the limit we set, not by comparing clocks: the
            // kernel's timer and `Instant` need not agree to the tick.
            Err(e) if common::is_timeout(&e) && left <= per_read => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "deadline passed",
                ));
            }
            // A signal (a stop and a continue, even) interrupts a read
            // with a timeout: read again, within the same deadline.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        match available.iter().position(|&b| b == b'\n') {
            Some(end) => {
                line.extend_from_slice(&available[..=end]);
                reader.consume(end + 1);
                return Ok(line);
            }
            None => {
                let n = available.len();
                line.extend_from_slice(available);
                reader.consume(n);
            }
        }
    }
}
// ANCHOR_END: solution

/// Try it against `timeout-server --mode trickle` (or `--mode echo`):
/// `cargo run -p examples-timeout --example deadline_reader -- 127.0.0.1:7102`
fn main() -> ExitCode {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:7102".into());
    let run = || -> io::Result<Vec<u8>> {
        let mut stream = TcpStream::connect(&addr)?;
        stream.write_all(b"ping\n")?;
        let started = Instant::now();
        read_line_by(
            &mut BufReader::new(&stream),
            Duration::from_secs(1),
            started + Duration::from_secs(3),
        )
    };
    match run() {
        Ok(line) => {
            println!("[client] got {:?}", String::from_utf8_lossy(&line));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

// The same tests run against the starter (`--example deadline_reader_start`).
#[cfg(test)]
#[path = "tests/deadline_reader.rs"]
mod tests;
