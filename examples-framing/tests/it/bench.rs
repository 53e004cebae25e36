//! The bench runs and its tables are well formed (in --quick mode, whose
//! numbers are not to be trusted; the chapter gives a release run's). It
//! checks that every row is there with a figure in each column, never how
//! fast anything is: a benchmark is not a timed test.

use common::testing::client;
use examples_framing::codecs::Strategy;

const BENCH: &str = env!("CARGO_BIN_EXE_framing-bench");

/// The numbers of the row named `name` in the section that starts with
/// `section`, read from the end of the line.
fn figures(table: &str, section: &str, name: &str) -> Vec<f64> {
    let rows = table.split_once(section).map_or("", |(_, rest)| rest);
    let line = rows
        .lines()
        .take_while(|l| !l.is_empty())
        .find(|l| l.trim_start().starts_with(name))
        .unwrap_or_else(|| panic!("no row {name:?} under {section:?}"));
    line[line.find(name).unwrap_or(0) + name.len()..]
        .split(|c: char| c.is_whitespace() || "()-".contains(c))
        .filter_map(|word| word.parse().ok())
        .collect()
}

#[test]
fn the_bench_prints_every_row_well_formed() {
    let out = client(BENCH)
        .arg("--quick")
        .output()
        .expect("run the bench");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{table}");
    let codecs = Strategy::ALL.map(Strategy::name);
    for size in ["64 B", "64 KiB"] {
        // The sweep: each write size, a median for each read size; then
        // the best shape, which the rows are paired with.
        let sweep = format!("raw over loopback TCP, {size}:");
        for write in ["8 KiB", "64 KiB", "256 KiB", "1 MiB"] {
            let row = figures(&table, &sweep, write);
            assert_eq!(row.len(), 2, "{sweep} {write}: {row:?}");
            assert!(row.iter().all(|x| x.is_finite() && *x > 0.0));
        }
        let section =
            format!("over loopback TCP, {size}: ratios to raw at its best");
        assert!(table.contains(&section), "{table}");
        // MB/s, Mmsg/s, the median ratio, its quartiles, the pairs.
        for name in std::iter::once("raw, 8 KiB/256 KiB").chain(codecs) {
            let row = figures(&table, &section, name);
            assert_eq!(row.len(), 6, "{section} {name}: {row:?}");
            assert!(row.iter().all(|x| x.is_finite() && *x >= 0.0));
            assert!(row[3] <= row[2] && row[2] <= row[4], "{name}: {row:?}");
            assert_eq!(row[5], 2.0, "--quick runs 2 pairs a row");
        }
    }
    let small = "over loopback TCP, 64 B: ratios";
    assert_eq!(figures(&table, small, "framing-server").len(), 6);
    for hand in ["u32-length", "line", "netstring"] {
        let name = format!("{hand}, hand-written");
        assert_eq!(figures(&table, small, &name).len(), 6, "{name}");
    }
    let large = "over loopback TCP, 64 KiB: ratios";
    for hand in ["u32-length", "base64"] {
        let name = format!("{hand}, hand-written");
        assert_eq!(figures(&table, large, &name).len(), 6, "{name}");
    }
    for flush in ["8 KiB", "64 KiB", "1 MiB"] {
        let name = format!("u32-length, flush {flush}");
        assert_eq!(figures(&table, small, &name).len(), 6, "{name}");
    }
    // Decode ns, encode ns, allocations per frame.
    let memory = "in memory, 64 B frames";
    for name in codecs
        .into_iter()
        .chain(["tokio-util LengthDelimitedCodec"])
    {
        let row = figures(&table, memory, name);
        assert_eq!(row.len(), 3, "{name}: {row:?}");
        assert!(row[0] > 0.0 && row[1] > 0.0, "{name}: {row:?}");
    }
    // The decoder against its floor: nanoseconds a frame, each way.
    let floor = "the u32-length decoder, 64 B frames in memory";
    for way in [
        "hand-written, from one buffer",
        "the codec's decode, from one buffer",
        "hand-written, through",
        "FrameReader, through",
    ] {
        let ns = figures(&table, floor, way);
        assert!(ns.last().is_some_and(|ns| *ns > 0.0), "{way}: {ns:?}");
    }
    // On tokio: MB/s and Mmsg/s for theirs; for ours, the ratio too.
    let tokio = "on tokio, 64 B over loopback, in FramedRead:";
    assert_eq!(figures(&table, tokio, "LengthDelimitedCodec").len(), 2);
    let ours = figures(&table, tokio, "u32-length");
    assert_eq!(ours.len(), 6, "{ours:?}");
    assert!(ours[3] <= ours[2] && ours[2] <= ours[4], "{ours:?}");
    for trip in [
        "one write per frame",
        "client splits header and body",
        "both sides split",
        "client splits, TCP_NODELAY on both",
    ] {
        assert!(table.contains(trip), "no round trip {trip:?}:\n{table}");
    }
    let targets = table.split_once("targets:\n").expect("targets").1;
    let verdicts: Vec<&str> = targets.lines().collect();
    assert!(verdicts.len() >= 15, "{targets}");
    assert!(
        verdicts.iter().all(|l| ["  met ", "  floor ", "  MISSED "]
            .iter()
            .any(|mark| l.starts_with(mark))),
        "{targets}"
    );
}

#[test]
fn a_closed_stdout_ends_the_bench_quietly() {
    // `framing-bench --quick | head -1`: the reader goes away early. The
    // bench must not panic on the broken pipe.
    use std::process::{Command, Stdio};
    let mut bench = Command::new(BENCH)
        .arg("--quick")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the bench");
    drop(bench.stdout.take());
    let out = bench.wait_with_output().expect("wait for the bench");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}
