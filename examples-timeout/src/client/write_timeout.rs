//! `--flood`: the write timeout. Is the other side taking our data?

use std::io::{self, Write};
use std::net::TcpStream;
use std::time::Instant;

use common::{Context, Failure, Narrator, fmt_duration, say};
use socket2::SockRef;

use super::{Deadline, Options};
use common::is_timeout;

// ANCHOR: flood
/// Send `size` bytes without reading anything, and count what the kernel
/// takes before a write waits longer than --write-timeout.
pub fn flood(
    mut stream: &TcpStream,
    size: usize,
    opts: &Options,
    deadline: &Deadline,
    say: &Narrator,
) -> Result<(), Failure> {
    let sndbuf = SockRef::from(stream)
        .send_buffer_size()
        .context("SO_SNDBUF")?;
    say!(
        say,
        flood(size, sndbuf),
        "flooding {size} bytes; our SO_SNDBUF holds {sndbuf}"
    );
    let chunk = [b'x'; 64 * 1024];
    let mut accepted = 0usize;
    while accepted < size {
        let wait = deadline.cap(opts.write_timeout)?;
        stream
            .set_write_timeout(Some(wait.timeout))
            .context("set_write_timeout")?;
        let n = (size - accepted).min(chunk.len());
        // write, not write_all, to count every byte the kernel takes. A
        // write that waits out its timeout after taking part of its buffer
        // returns that part (a short write), not an error; only a write that
        // could take nothing at all fails. So write_all, which loops on short
        // writes, can wait several timeouts in a row.
        let asked = Instant::now();
        match stream.write(&chunk[..n]) {
            Ok(written) => {
                accepted += written;
                if written < n {
                    say!(
                        say,
                        "short write: took {written} of {n} bytes, then \
                            waited {} for room",
                        fmt_duration(asked.elapsed())
                    );
                }
            }
            Err(e) if is_timeout(&e) && wait.by_deadline => {
                return Err(deadline.passed());
            }
            Err(e) if is_timeout(&e) => {
                let waited = fmt_duration(wait.timeout);
                say!(
                    say,
                    "write timeout: {accepted} bytes taken, then none for \
                        {waited}"
                );
                say!(
                    say,
                    "both buffers are full: ours, and the server's, which \
                        never reads"
                );
                return Err(Failure::msg(format!(
                    "write timeout: the server took nothing for {} after \
                        {accepted} bytes",
                    fmt_duration(wait.timeout)
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Failure::new(
                    format!("write after {accepted} bytes"),
                    e,
                ));
            }
        }
    }
    say!(
        say,
        "the kernel took all {size} bytes (not that the server read them)"
    );
    Ok(())
}
// ANCHOR_END: flood
