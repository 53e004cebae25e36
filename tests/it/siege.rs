//! `siege`, the benchmark of "Fair at the cap" (the chapter "Half-open
//! sockets"), laid small: it starts each server it is given, lays the
//! siege, and prints a row (and an event) per server and attack. With the
//! servers' default (evict) every honest client is served; turning
//! newcomers away, none is.

use std::process::Command;

use common::testing::events;

use crate::support::workspace_bin;

fn siege(when_full: &str) -> Vec<common::testing::Event> {
    workspace_bin("timeout-server");
    let out = Command::new(env!("CARGO_BIN_EXE_siege"))
        .args([
            "--server",
            "timeout-server",
            "--server",
            "framing-async-server",
        ])
        .args([
            "--attack",
            "silent",
            "--attackers",
            "12",
            "--max-clients",
            "8",
        ])
        .args(["--honest", "10", "--every", "20ms", "--patience", "3s"])
        // As the lessons' small sieges: a machine whose every core is
        // busy must pass too.
        .args(["--reconnect-after", "20ms"])
        .args(["--when-full", when_full, "--events"])
        .output()
        .expect("run siege");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows = stdout.lines().filter(|l| l.contains(" silent ")).count();
    assert_eq!(rows, 2, "a row per server:\n{stdout}");
    let sieges: Vec<_> = events(&stdout)
        .into_iter()
        .filter(|e| e.name == "siege")
        .collect();
    assert_eq!(sieges.len(), 2, "{stdout}");
    sieges
}

#[test]
fn the_siege_bench_finds_honest_clients_served_and_turned_away() {
    let _heavy = common::testing::heavy();
    for e in siege("evict") {
        assert!(e.num("served") >= 9 && e.num("honest") == 10, "{e:?}");
        assert!(e.num("attacks") >= 12, "{e:?}");
    }
    for e in siege("turn-away") {
        assert!(e.num("served") <= 2, "{e:?}");
    }
}
