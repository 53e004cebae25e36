//! `--mode slow`: the story, answering each request `delay` late. Against
//! a client whose read timeout is shorter, the timeout fires first.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::read_line;

// ANCHOR: slow
/// [`echo`](super::echo), each answer `delay` late.
pub fn echo(
    mut stream: &TcpStream,
    idle: Duration,
    delay: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    stream
        .set_read_timeout(Some(idle))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(idle))
        .context("set_write_timeout")?;
    let mut requests = BufReader::new(stream);
    let mut line = Vec::new();
    while read_line(&mut requests, &mut line, idle, say)? {
        let (delay_ms, late) = (delay.as_millis(), fmt_duration(delay));
        say!(say, slow(delay_ms), "slow: answering in {late}");
        thread::sleep(delay);
        stream.write_all(&line).context("send the answer")?;
        say!(say, "echoed {} bytes, {late} late", line.len());
    }
    Ok(())
}
// ANCHOR_END: slow
