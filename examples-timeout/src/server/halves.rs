//! `--mode halves`: the story, sending each answer in two halves `pause`
//! apart. A client whose read timeout is shorter than the pause times out
//! holding the first half: what it does with it is the lesson.

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, fmt_duration, say};

use super::read_line;

// ANCHOR: halves
/// [`echo`](super::echo), each answer in two halves `pause` apart.
pub fn echo(
    mut stream: &TcpStream,
    idle: Duration,
    pause: Duration,
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
        let (head, tail) = line.split_at(line.len() / 2);
        stream.write_all(head).context("send the answer")?;
        let (sent, rest, after) = (head.len(), tail.len(), fmt_duration(pause));
        say!(
            say,
            "halves: sent the first {sent} bytes; the other {rest} follow in \
             {after}"
        );
        thread::sleep(pause);
        stream.write_all(tail).context("send the answer")?;
        say!(say, "halves: sent the last {rest} bytes");
    }
    Ok(())
}
// ANCHOR_END: halves
