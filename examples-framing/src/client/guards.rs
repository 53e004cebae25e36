//! What one run may hold. Every frame's round trip is kept for the summary,
//! and `--burst` builds every frame in one buffer: both grow with `--repeat`
//! times the messages, so both are bounded before anything is sent.

use common::{Failure, count};

use super::Options;
use crate::codecs::Strategy;

/// The most frames one run sends: 16 MB of round-trip times at most.
pub const MAX_FRAMES: usize = 1_000_000;

/// The most payload bytes one `--burst` encodes into its single buffer.
pub const MAX_BURST: usize = 64 << 20;

/// Refuse a run that would hold more than the limits, or mixes flags that
/// do not go together.
pub(crate) fn check(
    messages: &[Vec<u8>],
    opts: &Options,
) -> Result<(), Failure> {
    if opts.mistake.is_some() && opts.strategy != Strategy::U32Length {
        return Err(Failure::msg("--mistake needs --strategy u32-length"));
    }
    let repeat = usize::try_from(opts.repeat).unwrap_or(usize::MAX);
    let frames = repeat.saturating_mul(messages.len());
    if frames > MAX_FRAMES {
        return Err(Failure::msg(format!(
            "{} in one run is too many: at most {MAX_FRAMES}",
            count(frames, "frame", "frames")
        ))
        .with_hint("lower --repeat, or send fewer messages"));
    }
    let bytes: usize = messages.iter().map(Vec::len).sum();
    if opts.burst && bytes.saturating_mul(repeat) > MAX_BURST {
        return Err(Failure::msg(format!(
            "--burst would hold more than {MAX_BURST} bytes in one buffer"
        ))
        .with_hint("lower --repeat, or send without --burst"));
    }
    Ok(())
}
