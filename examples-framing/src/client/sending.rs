//! How each encoded frame's bytes go out. The story sends every frame the
//! same way; these flags reshape the bytes on the wire without changing
//! what a correct receiver must make of them, so they are data the story
//! is given, not branches inside it.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use common::{Context, Failure, Narrator, detail, fmt_duration, say};

use crate::codec::{Codec, send};
use crate::mistakes;

/// How each frame is written (`framing-client --help`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sending {
    /// One `write_all` of the whole frame: the right way.
    Whole,
    /// Wrong on purpose (`--split-writes`): the header in one write, the
    /// body in another (Nagle and delayed ACK then cost a round trip).
    SplitWrites,
    /// `--trickle`: one byte per write, this long apart.
    Trickle(Duration),
    /// `--stall`: the first half, a pause this long, then the rest.
    Stall(Duration),
    /// Wrong on purpose (`--mistake write`): one `write()`, whatever it
    /// took.
    OneWrite,
}

impl Sending {
    /// Put one encoded frame on the wire this way.
    pub fn send(
        self,
        mut stream: &TcpStream,
        frame: &[u8],
        codec: &impl Codec,
        say: &Narrator,
    ) -> Result<(), Failure> {
        match self {
            Sending::Whole | Sending::SplitWrites => {
                let split = self == Sending::SplitWrites;
                send(&mut stream, frame, codec, split).context("send the frame")
            }
            Sending::Trickle(pause) => trickle(stream, frame, pause, say),
            Sending::Stall(pause) => {
                super::stall::send(stream, frame, pause, say)
            }
            Sending::OneWrite => {
                let took = mistakes::write_frame_wrongly(stream, frame)
                    .context("write")?;
                if took < frame.len() {
                    let all = frame.len();
                    say!(
                        say,
                        "--mistake write: write() took {took} of {all} bytes; \
                         we go on as if all"
                    );
                }
                Ok(())
            }
        }
    }
}

// ANCHOR: trickle
/// One byte per write, with a pause: each byte leaves in a segment of its
/// own, and the server's reads return a byte at a time.
fn trickle(
    mut stream: &TcpStream,
    frame: &[u8],
    pause: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    for (i, byte) in frame.iter().enumerate() {
        stream
            .write_all(std::slice::from_ref(byte))
            .context("send a byte")?;
        detail!(say, "sent byte {} of {}", i + 1, frame.len());
        thread::sleep(pause);
    }
    say!(
        say,
        "trickled a {}-byte frame, one byte per write, {} apart",
        frame.len(),
        fmt_duration(pause)
    );
    Ok(())
}
// ANCHOR_END: trickle
