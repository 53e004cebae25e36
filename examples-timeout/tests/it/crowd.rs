//! `timeout-crowd`, the benchmark of the thread-per-client and the
//! event-driven server under crowds, runs and prints a well-formed table.
//! Its figures are measurements, printed, not asserted: this checks only
//! what holds on any machine.

use assert_cmd::Command;

#[test]
fn the_crowd_bench_prints_a_row_per_server_and_the_event_driven_one_serves_everyone()
 {
    let _heavy = common::testing::heavy();
    let out = Command::cargo_bin("timeout-crowd")
        .expect("the bench is built")
        .args(["--idle", "200", "--hold", "400ms", "--honest", "5"])
        .args([
            "--slowloris",
            "20",
            "--every",
            "200ms",
            "--request-timeout",
            "400ms",
        ])
        .output()
        .expect("run it");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .filter(|l| l.starts_with("  timeout-"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    // Two crowds, three servers each: name, (max), honest, p50, p99,
    // peak, MiB, per conn, B, threads.
    assert_eq!(rows.len(), 6, "{stdout}");
    for row in &rows {
        assert_eq!(row.len(), 10, "{row:?}");
        let (served, of) = row[2].split_once('/').expect("served/honest");
        assert!(
            served.parse::<u32>().expect("a count")
                <= of.parse().expect("a count")
        );
        assert!(row[9].parse::<u32>().expect("threads") >= 1);
    }
    for event_driven in rows.iter().filter(|r| r[0] == "timeout-async-server") {
        assert_eq!(
            (event_driven[2], event_driven[9]),
            ("5/5", "1"),
            "{stdout}"
        );
    }
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command as Std, Stdio};
    // `timeout-crowd | head -1`: the first line read, the pipe closed.
    let mut child = Std::new(env!("CARGO_BIN_EXE_timeout-crowd"))
        .args(["--idle", "1", "--hold", "100ms", "--honest", "1"])
        .args(["--slowloris", "1", "--every", "100ms"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run it");
    let mut first = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout)
        .read_line(&mut first)
        .expect("a line");
    assert!(first.starts_with("idle crowd"), "{first}");
    // The reader is gone: the next line finds the pipe closed.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
