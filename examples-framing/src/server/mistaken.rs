//! `--mistake`: the story, reading each u32-length frame one of the usual
//! wrong ways (`mistakes.rs`) instead of with the codec's `FrameReader`.
//! Each loses bytes, or frame boundaries, that the story keeps.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{Context, Failure, Narrator, fmt_duration, is_timeout, say};

use super::frames_said;
use crate::codec::Codec;
use crate::codecs::Strategy;
use crate::mistakes::{self, ReadMistake};
use crate::transform;

// ANCHOR: mistaken
/// [`answer`](super::answer), reading frames the way `mistake` says.
pub fn answer(
    mut stream: &TcpStream,
    mistake: ReadMistake,
    max_frame: usize,
    idle: Duration,
    say: &Narrator,
) -> Result<(), Failure> {
    let mut codec = Strategy::U32Length.codec(max_frame);
    let (mut payload, mut number, mut heard) = (Vec::new(), 1, Instant::now());
    loop {
        match mistakes::read_frame_wrongly(
            mistake,
            stream,
            max_frame,
            &mut payload,
        ) {
            Ok(true) => heard = Instant::now(),
            Ok(false) => break,
            // What the wrong read had taken is gone with it.
            Err(e) if is_timeout(&e) && heard.elapsed() < idle => {
                if mistake == ReadMistake::ReadExact {
                    say!(
                        say,
                        "frame {number}: read_exact timed out, keeping nothing"
                    );
                }
                say.event("timeout", &[("n", &number), ("held", &0)]);
                continue;
            }
            Err(e) if is_timeout(&e) => {
                let silent = fmt_duration(idle);
                say.event("idle", &[("n", &number)]);
                return Err(Failure::msg(format!(
                    "frame {number}: nothing from the client for {silent}; closing"
                )));
            }
            Err(e) => {
                let kind = format!("{:?}", e.kind());
                say.event("failed", &[("n", &number), ("kind", &kind)]);
                return Err(Failure::new(format!("frame {number}"), e));
            }
        }
        say!(
            say,
            frame(n = number, bytes = payload.len()),
            "frame {n}: {bytes} bytes; sending them back reversed"
        );
        let (mut reply, mut frame) = (Vec::new(), Vec::new());
        transform(&payload, &mut reply);
        codec
            .encode(&reply, &mut frame)
            .context("encode the reply")?;
        stream.write_all(&frame).context("send the reply")?;
        number += 1;
    }
    say!(say, "the client finished after {}", frames_said(number - 1));
    Ok(())
}
// ANCHOR_END: mistaken
