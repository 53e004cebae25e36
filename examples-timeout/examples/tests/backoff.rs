//! The tests of exercise `backoff`, shared by the starter and the solution:
//! `cargo test --example backoff_start` runs them against your code.

use super::wait;
use std::time::Duration;

const BASE: Duration = Duration::from_millis(100);
const CAP: Duration = Duration::from_secs(2);

#[test]
fn the_ceiling_doubles_then_stops_at_the_cap() {
    let ceilings: Vec<Duration> =
        (0..8).map(|a| wait(a, BASE, CAP, 0.999_999)).collect();
    for pair in ceilings.windows(2) {
        assert!(pair[1] >= pair[0]);
    }
    assert!(ceilings[0] < BASE && ceilings[0] > BASE * 99 / 100);
    assert!(ceilings[3] < BASE * 8 && ceilings[3] > BASE * 79 / 10);
    assert!(ceilings[7] <= CAP && ceilings[7] > CAP * 99 / 100);
}

#[test]
fn every_wait_lies_between_zero_and_its_ceiling() {
    for attempt in 0..40 {
        for _ in 0..100 {
            let w = wait(attempt, BASE, CAP, fastrand::f64());
            assert!(w <= CAP, "attempt {attempt}: {w:?}");
        }
    }
    assert_eq!(wait(5, BASE, CAP, 0.0), Duration::ZERO);
}
