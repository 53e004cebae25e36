//! The tour (`cargo run`) runs every finished lesson's pair on loopback and
//! ends with a summary of what each lesson showed.

use common::testing::client;
use predicates::prelude::*;
use predicates::str::contains;

mod lab;
mod support;

const TOUR: &str = env!("CARGO_BIN_EXE_advanced-sockets");

/// What lesson 1's summary must say, one line per behaviour.
const LESSON_ONE: [&str; 11] = [
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
    "shown: SO_LINGER 0 made the server's close send RST: the client's read ended in ConnectionReset",
];

// The longest test of this binary; its name sorts first, so that it starts
// first and the lab's tests run beside it.
#[test]
fn a_full_tour_runs_every_lesson_and_ends_with_a_summary() {
    let out = client(TOUR).output().expect("run the tour");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let summary = stdout
        .split_once("== Summary ==")
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"))
        .1;
    assert!(summary.contains("shutdown (half-open sockets"), "{summary}");
    assert!(summary.contains("timeout (timeouts:"), "{summary}");
    assert!(
        summary.contains("framing (transmitting variable-length messages"),
        "{summary}"
    );
    assert!(summary.contains("broadcast (UDP broadcast"), "{summary}");
    for line in LESSON_ONE
        .iter()
        .chain(&LESSON_TWO)
        .chain(&LESSON_THREE)
        .chain(&LESSON_FOUR)
    {
        assert!(summary.contains(line), "missing {line:?} in:\n{summary}");
    }
    assert!(!summary.contains("NOT SHOWN"), "{summary}");
    // The steps narrate with the binaries' own voices.
    assert!(stdout.contains("[server] #1 read 22 bytes, then read() = 0"));
    assert!(stdout.contains("[client] shutdown(Write) after"));
}

/// What lesson 2's summary must say.
const LESSON_TWO: [&str; 12] = [
    "shown: against a silent server, the 250 ms read timeout fired after",
    "shown: with no retries, the client gave up on a slow server",
    "shown: reading again on the same connection got the late answer",
    "shown: the 200 ms read timeout never fired; the 1 s deadline ended the exchange after",
    "shown: against a full accept queue, the 500 ms connect timeout fired after",
    "shown: a closed port refused at once",
    "shown: writes were taken until both buffers were full, then the 250 ms write timeout fired",
    "shown: the server closed a silent client's connection after",
    "shown: keepalive was set to probe after 10 s idle, every 2 s, 3 times, and read back",
    "shown: read_exact timed out mid-message and lost its head: the stream was out of step",
    "shown: a buffer that survives the timeout completed the message after retries",
    "shown: two requests were lost; the third, sent after a longer wait, was answered",
];

/// What lesson 3's summary must say.
const LESSON_THREE: [&str; 7] = [
    "shown: u32-length frames sent a byte at a time came back whole",
    "shown: three netstrings sent in one write came back as three replies",
    "shown: line framing cut \"two\\nlines\" into two messages",
    "shown: escaped framing carried the same message whole",
    "with split writes",
    "shown: the first BufReader took the whole burst with it: replies 2 and 3 never came",
    "shown: the server refused a 4 GiB length after reading its 4 bytes, and closed",
];

/// What lesson 4's summary must say.
const LESSON_FOUR: [&str; 7] = [
    "shown: sending to 127.255.255.255 without SO_BROADCAST failed with PermissionDenied (EACCES)",
    "shown: one broadcast query reached all three servers; each answered once, unicast",
    "shown: sent to 127.0.0.1, the query reached gamma alone, the last server bound",
    "shown: the server bound to 127.0.0.1 did not answer; those bound to 0.0.0.0 did",
    "shown: the listener heard herald's announcements, then reported it gone once its TTL passed",
    "shown: no replies, no error: the kernel drops a broadcast nobody wants",
    "shown: a query to 239.255.71.4 on loopback reached the server that joined the group, not the one beside it",
];

#[test]
fn tour_runs_one_lesson_by_name_and_quietly() {
    client(TOUR)
        .args(["shutdown", "-q"])
        .assert()
        .success()
        .stdout(
            contains("shutdown (half-open sockets")
                .and(contains("[client]").not()),
        )
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
        .stdout(contains("shutdown").and(contains("half-open sockets")))
        .stdout(
            contains("timeout").and(contains("timeouts: read, write, connect")),
        )
        .stdout(contains("framing").and(contains("seven framings")))
        .stdout(
            contains("broadcast").and(contains("discovery and announcements")),
        );
}

#[test]
fn unknown_lesson_is_a_usage_error() {
    client(TOUR).arg("nope").assert().code(2).stderr(contains(
        "no lesson 'nope'; the lessons are: shutdown, timeout",
    ));
}
