//! The tour (`cargo run`) runs every finished lesson's pair on loopback and
//! ends with a summary of what each lesson showed.

use crate::support::{words, workspace_bin};
use common::testing::client;
use predicates::prelude::*;
use predicates::str::contains;

const TOUR: &str = env!("CARGO_BIN_EXE_advanced-sockets");

/// What lesson 1's summary must say, one line per behaviour.
const LESSON_ONE: [&str; 13] = [
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
    "shown: on tokio, dropping the write half sent the FIN: the blocking server read to EOF and replied",
    "shown: on tokio, --max-time dropped the server's waiting read and closed the connection after",
];

/// One lesson of the tour, run alone (`cargo run -- LESSON`): its steps show
/// every behaviour in `shown`, its summary keeps `tries` of them with their
/// two commands, and nothing of it runs on past its end. The four lessons
/// are four tests, so they run at once; the whole tour's order is
/// `the_whole_tour_announces_every_lesson_in_the_courses_order`.
fn tour_of(
    lesson: &str,
    title: &str,
    chapter: &str,
    shown: &[&str],
    tries: usize,
    count: &str,
) -> String {
    let out = client(TOUR).arg(lesson).output().expect("run the tour");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}");
    let (body, summary) = stdout
        .split_once("== Summary: what you saw on this machine ==")
        .unwrap_or_else(|| panic!("no summary in:\n{stdout}"));
    assert!(body.starts_with("This tour runs"), "no opening:\n{body}");
    assert!(summary.contains(title), "{summary}");
    assert!(summary.contains(chapter), "{summary}");
    // Every behaviour is checked in the body; the summary keeps the key
    // ones, each with the two commands that show it.
    for line in shown {
        assert!(body.contains(line), "missing {line:?} in:\n{body}");
    }
    assert_eq!(summary.matches("      try:  ").count(), tries, "{summary}");
    assert_eq!(summary.matches("      then: ").count(), tries, "{summary}");
    // Each is a command a fresh shell at the repository's root runs: cargo
    // run of the lesson's binary, with arguments that binary parses.
    let prefix = format!("cargo run -q -p examples-{lesson} --bin ");
    for line in summary.lines() {
        let Some(command) = line
            .strip_prefix("      try:  ")
            .or_else(|| line.strip_prefix("      then: "))
        else {
            continue;
        };
        let rest = command
            .strip_prefix(&prefix)
            .unwrap_or_else(|| panic!("not {prefix}...: {command}"));
        let (bin, args) = rest.split_once(" -- ").unwrap_or((rest, ""));
        // --help makes clap parse every argument shown, then exit 0.
        client(workspace_bin(bin))
            .args(words(args))
            .arg("--help")
            .assert()
            .success();
    }
    assert!(summary.contains(count), "{count}: {summary}");
    assert!(!stdout.contains("NOT SHOWN"), "{summary}");
    // Nothing of the lesson runs on past its end: no narration after the
    // summary's heading, none between the lesson's banner and its first
    // step, and every step heading under the lesson's banner.
    assert!(!summary.contains("[server]") && !summary.contains("[client]"));
    let sections: Vec<&str> = body.split("#### Lesson: ").skip(1).collect();
    assert_eq!(sections.len(), 1, "{body}");
    let before_first_step = sections[0].split("\n== ").next().unwrap_or("");
    assert!(
        !before_first_step.contains("[server]")
            && !before_first_step.contains("[client]"),
        "lines before {lesson}'s first step:\n{before_first_step}"
    );
    for heading in sections[0].lines().filter(|l| l.starts_with("== ")) {
        assert!(heading.starts_with(&format!("== {lesson} ")), "{heading}");
    }
    // Nothing of a step prints after its verdict, its last `[tour]` line:
    // its servers have said all they will before the tour judges.
    for step in sections[0].split("\n== ").skip(1) {
        let after = step.rsplit_once("\n[tour] ").map_or("", |(_, v)| v);
        assert!(
            !after.contains("[server]") && !after.contains("[client]"),
            "a line after the verdict of step {step}"
        );
    }
    // Errors a step causes on purpose are marked so.
    assert!(stdout.contains("(expected: this step causes it)"));
    stdout
}

#[test]
fn the_tour_of_lesson_one_shows_every_behaviour() {
    let out = tour_of(
        "shutdown",
        "shutdown (half-open sockets",
        "docs/src/shutdown.md",
        &LESSON_ONE,
        3,
        "13 of 13",
    );
    // The steps narrate with the binaries' own voices.
    assert!(out.contains("[server] #1 read 22 bytes, then read() = 0"));
    assert!(out.contains("[client] shutdown(Write) after"));
}

#[test]
fn the_tour_of_lesson_two_shows_every_behaviour() {
    tour_of(
        "timeout",
        "timeout (timeouts:",
        "docs/src/timeouts.md",
        &LESSON_TWO,
        4,
        "14 of 14",
    );
}

#[test]
fn the_tour_of_lesson_three_shows_every_behaviour() {
    tour_of(
        "framing",
        "framing (transmitting variable-length messages",
        "docs/src/framing.md",
        &LESSON_THREE,
        3,
        "8 of 8 behaviours shown; read the chapter Trans",
    );
}

#[test]
fn the_tour_of_lesson_four_shows_every_behaviour() {
    tour_of(
        "broadcast",
        "broadcast (UDP broadcast",
        "docs/src/broadcast.md",
        &LESSON_FOUR,
        3,
        "8 of 8 behaviours shown; read the chapter UDP",
    );
}

#[test]
fn the_whole_tour_announces_every_lesson_in_the_courses_order() {
    // With no lesson named, the tour runs all four, in the course's order;
    // --pause with no input shows that order and stops before the first.
    let out = client(TOUR)
        .arg("--pause")
        .write_stdin("")
        .output()
        .expect("run the tour");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with(
            "This tour runs the client and server of each lesson \
             (shutdown, timeout, framing, broadcast)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("Next: half-open sockets"), "{stdout}");
    // Stopped before the first lesson: no step ran.
    assert!(!stdout.contains("#### Lesson: "), "{stdout}");
}

/// What lesson 2's summary must say.
const LESSON_TWO: [&str; 14] = [
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
    "shown: on tokio, timeout(read_exact) cancelled mid-message lost its head",
    "shown: on tokio, a reply kept outside the cancelled read was completed",
    "shown: two requests were lost; the third, sent after a longer wait, was answered",
];

/// What lesson 3's summary must say.
const LESSON_THREE: [&str; 8] = [
    "shown: u32-length frames sent a byte at a time came back whole",
    "shown: three netstrings sent in one write came back as three replies",
    "shown: line framing cut \"two\\nlines\" into two messages",
    "shown: escaped framing carried the same message whole",
    "with split writes",
    "shown: the first BufReader took the whole burst with it: replies 2 and 3 never came",
    "shown: the server refused a 4 GiB length after reading its 4 bytes, and closed",
    "shown: on tokio, FramedRead kept the half frame through cancelled next() calls and resumed it",
];

/// What lesson 4's summary must say.
const LESSON_FOUR: [&str; 8] = [
    "shown: sending to 127.255.255.255 without SO_BROADCAST failed with PermissionDenied (EACCES)",
    "shown: one broadcast query reached all three servers; each answered once, unicast",
    "shown: sent to 127.0.0.1, the query reached gamma alone, the last server bound",
    "shown: the server bound to 127.0.0.1 did not answer; those bound to 0.0.0.0 did",
    "shown: the listener heard herald's announcements, then reported it gone once its TTL passed",
    "shown: no replies, no error: the kernel drops a broadcast nobody wants",
    "shown: a query to 239.255.71.4 on loopback reached the server that joined the group, not the one beside it",
    "shown: on tokio, one timeout_at window collected the blocking server's reply and the async one's",
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
        .stdout(contains("13 of 13 behaviours shown"))
        .stdout(predicate::function(|out: &str| {
            // The lesson's line, 3 key findings with their two commands,
            // the count: nothing else with -q.
            out.lines().count() == 1 + 3 * 3 + 1
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

#[test]
fn pause_waits_for_enter_before_each_lesson() {
    // Enter: the lesson runs.
    client(TOUR)
        .args(["shutdown", "--pause", "-q"])
        .write_stdin("\n")
        .assert()
        .success()
        .stdout(contains("Press Enter").and(contains("13 of 13")));
    // The end of input instead: the tour stops before the lesson.
    client(TOUR)
        .args(["shutdown", "--pause", "-q"])
        .write_stdin("")
        .assert()
        .success()
        .stdout(contains("Press Enter").and(contains("of 13").not()));
}
