//! The tour (`cargo run`) runs every finished lesson's pair on loopback and
//! ends with a summary of what each lesson showed.

use common::testing::client;
use predicates::prelude::*;
use predicates::str::contains;

const TOUR: &str = env!("CARGO_BIN_EXE_advanced-sockets");

/// What lesson 1's summary must say, one line per behaviour.
const LESSON_ONE: [&str; 10] = [
    "shown: after the client's shutdown(Write), the server read to EOF and the client still read the whole reply",
    "shown: without shutdown(Write) both sides waited",
    "shown: a write after shutdown(Write) failed with BrokenPipe, and the reply still arrived",
    "shown: after shutdown(Read), read() returned 0 at once, yet the refusal the server sent later was delivered",
    "shown: shut down both ways, the client's kernel answered the reply with RST",
    "shown: repeating shutdown(Write) was Ok while the server's FIN was outstanding, NotConnected once both FINs were exchanged",
    "shown: shutdown(Write) returned after",
    "shown: the watchdog's shutdown(Both) woke the server's blocked read()",
    "shown: a server that closed with part of the request unread made the client see ConnectionReset",
    "shown: shutdown(Write), draining to the client's FIN, then closing delivered the refusal cleanly",
];

#[test]
fn tour_runs_lesson_one_and_ends_with_a_summary() {
    let out = client(TOUR).output().expect("run the tour");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let summary = stdout
        .split_once("== Summary ==")
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"))
        .1;
    assert!(summary.contains("shutdown (half-open sockets"), "{summary}");
    for line in LESSON_ONE {
        assert!(summary.contains(line), "missing {line:?} in:\n{summary}");
    }
    assert!(!summary.contains("NOT SHOWN"), "{summary}");
    // The steps narrate with the binaries' own voices.
    assert!(stdout.contains("[server] #1 read 22 bytes, then read() returned 0"));
    assert!(stdout.contains("[client] shutdown(Write) returned after"));
}

#[test]
fn tour_runs_one_lesson_by_name_and_quietly() {
    client(TOUR)
        .args(["shutdown", "-q"])
        .assert()
        .success()
        .stdout(contains("shutdown (half-open sockets").and(contains("[client]").not()))
        .stdout(predicate::function(|out: &str| {
            out.lines().count() == 1 + LESSON_ONE.len()
        }));
}

#[test]
fn tour_lists_the_lessons() {
    client(TOUR)
        .arg("--list")
        .assert()
        .success()
        .stdout(contains("shutdown").and(contains("half-open sockets")));
}

#[test]
fn unknown_lesson_is_a_usage_error() {
    client(TOUR)
        .arg("nope")
        .assert()
        .code(2)
        .stderr(contains("no lesson 'nope'; the lessons are: shutdown"));
}
