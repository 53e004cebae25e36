//! `--burst`: every frame in one buffer, one write. The server's first
//! read may well return all of them at once; its decoder must separate
//! them.

use std::io::Write;
use std::net::TcpStream;

use common::{Context, Failure, Narrator, say};

use crate::codec::Codec;

// ANCHOR: burst
/// Encode every message into one buffer and send it with one write.
pub(super) fn send<'m>(
    stream: &TcpStream,
    codec: &mut dyn Codec,
    sequence: impl Iterator<Item = &'m [u8]>,
    say: &Narrator,
) -> Result<(), Failure> {
    // Every frame in one buffer, one write: the server's first read may
    // well return all of them at once, and its decoder must separate them.
    let (mut all, mut frames) = (Vec::new(), 0);
    for message in sequence {
        codec.encode(message, &mut all).context("encode")?;
        frames += 1;
    }
    (&*stream).write_all(&all).context("send the burst")?;
    say!(
        say,
        "sent {frames} frames in one write of {} bytes",
        all.len()
    );
    say.event("burst", &[("frames", &frames), ("bytes", &all.len())]);
    Ok(())
}
// ANCHOR_END: burst
