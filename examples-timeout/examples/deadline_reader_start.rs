//! Exercise 1 of "Timeouts", the starting point: give a line reader that only
//! has per-call timeouts a deadline. Fix `read_line_by`; then `cargo test
//! -p examples-timeout --example deadline_reader_start` runs the solution's
//! tests against your code; `--example deadline_reader` shows them passing on
//! the reference solution.
// A starter: unused parameters and `todo!()` bodies are the point.
#![allow(unused)]

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::time::{Duration, Instant};

// ANCHOR: starter
/// Read one line from `stream`, but give up with a TimedOut error once
/// `deadline` has passed, however steadily bytes keep arriving. Each read
/// may also wait at most `per_read`. The reader is the caller's, so bytes
/// that arrive after the newline stay buffered for the next line.
fn read_line_by(
    reader: &mut BufReader<&TcpStream>,
    per_read: Duration,
    deadline: Instant,
) -> io::Result<Vec<u8>> {
    // The version with per-call timeouts only, which a trickle defeats:
    // every byte restarts the clock, so this never times out.
    reader.get_ref().set_read_timeout(Some(per_read))?;
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    Ok(line)
}
// ANCHOR_END: starter

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

// The solution's tests, run against this file: they fail until the
// `todo!()`s are gone.
#[cfg(test)]
#[path = "tests/deadline_reader.rs"]
mod tests;
