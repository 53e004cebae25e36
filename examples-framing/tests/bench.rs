//! The bench runs, and prints every row (in --quick mode, whose numbers
//! are not to be trusted; the chapter gives a release run's).

use common::testing::client;
use examples_framing::codecs::Strategy;

const BENCH: &str = env!("CARGO_BIN_EXE_framing-bench");

#[test]
fn the_bench_prints_every_row() {
    let out = client(BENCH)
        .arg("--quick")
        .output()
        .expect("run the bench");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for size in ["64 B", "64 KiB"] {
        for name in
            std::iter::once("raw").chain(Strategy::ALL.map(Strategy::name))
        {
            assert!(
                stdout
                    .lines()
                    .any(|l| l.starts_with(name) && l.contains(size)),
                "no row for {name} at {size} in:\n{stdout}"
            );
        }
    }
    for trip in [
        "one write per frame",
        "client splits header and body",
        "both sides split",
        "TCP_NODELAY",
    ] {
        assert!(
            stdout.contains(trip),
            "no round trip {trip:?} in:\n{stdout}"
        );
    }
    assert!(stdout.contains("targets:"));
}
