//! `--deadline`: a bound on the whole exchange, not on one call.

use std::time::{Duration, Instant};

use common::{Failure, fmt_duration};

// ANCHOR: deadline
/// The moment by which the whole exchange must be over.
///
/// A per-call timeout bounds one read or write; a peer that sends one byte
/// just before each timeout would pass every check forever. A deadline
/// bounds them all: before every call, the time left becomes that call's
/// timeout, if it is shorter than the per-call one.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    at: Instant,
    total: Duration,
}

/// The timeout for the next call, and which limit it comes from.
#[derive(Clone, Copy, Debug)]
pub struct Wait {
    /// How long the call may wait.
    pub timeout: Duration,
    /// True when the deadline, not the per-call timeout, sets it.
    pub by_deadline: bool,
}

impl Deadline {
    /// A deadline `total` from now.
    pub fn after(total: Duration) -> Self {
        Deadline {
            at: Instant::now() + total,
            total,
        }
    }

    /// The timeout for the next call: `per_call`, or the time left if that
    /// is shorter; an error once no time is left (a socket timeout cannot be
    /// zero).
    pub fn cap(&self, per_call: Duration) -> Result<Wait, Failure> {
        let left = self.at.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(self.passed());
        }
        Ok(Wait {
            timeout: per_call.min(left),
            by_deadline: left < per_call,
        })
    }

    /// The failure when the deadline has passed.
    pub fn passed(&self) -> Failure {
        Failure::msg(format!(
            "deadline: the exchange took longer than {}",
            fmt_duration(self.total)
        ))
    }
}
// ANCHOR_END: deadline
