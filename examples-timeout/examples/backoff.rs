//! Exercise 2 of "Timeouts", solved: exponential backoff with full jitter.
//! The lesson's UDP client uses "equal jitter" (between half and all of
//! the backoff); "full jitter" spreads retries more, at the price of
//! sometimes retrying almost at once.

use std::time::Duration;

// ANCHOR: solution
/// How long to wait before attempt `attempt` (0 for the first retry):
/// a random duration between zero and `base * 2^attempt`, never more than
/// `cap`. `random` is a number in [0, 1).
fn wait(attempt: u32, base: Duration, cap: Duration, random: f64) -> Duration {
    // 2^attempt without overflow: past 31 doublings, the cap rules anyway.
    let ceiling = base
        .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
        .min(cap);
    ceiling.mul_f64(random.clamp(0.0, 1.0))
}
// ANCHOR_END: solution

fn main() {
    for attempt in 0..8 {
        let w = wait(
            attempt,
            Duration::from_millis(100),
            Duration::from_secs(2),
            fastrand::f64(),
        );
        println!("attempt {attempt}: wait {w:?}");
    }
}

// The same tests run against the starter (`--example backoff_start`).
#[cfg(test)]
#[path = "tests/backoff.rs"]
mod tests;
