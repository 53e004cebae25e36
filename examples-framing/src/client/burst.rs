//! `--burst`: every frame in one buffer, one write. The server's first
//! read may well return all of them at once; its decoder must separate
//! them.

use std::io::Write;
use std::net::TcpStream;

use common::{Context, Failure, Narrator, say};

use crate::codec::Codec;

// ANCHOR: burst
/// Encode every message into one buffer and send it with one write.
pub(super) fn send(
    stream: &TcpStream,
    codec: &mut dyn Codec,
    sequence: &[&[u8]],
    say: &Narrator,
) -> Result<(), Failure> {
    // Every frame in one buffer, one write: the server's first read may
    // well return all of them at once, and its decoder must separate them.
    let mut all = Vec::new();
    for message in sequence {
        codec.encode(message, &mut all).context("encode")?;
    }
    (&*stream).write_all(&all).context("send the burst")?;
    say!(
        say,
        "sent {} frames in one write of {} bytes",
        sequence.len(),
        all.len()
    );
    let (frames, bytes) = (sequence.len(), all.len());
    say.event("burst", &[("frames", &frames), ("bytes", &bytes)]);
    Ok(())
}
// ANCHOR_END: burst
