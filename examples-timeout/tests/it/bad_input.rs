//! Nonsense durations and modes are usage errors that say what was
//! expected; a zero timeout is refused with the reason.

use common::testing::client;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn nonsense_durations_say_what_a_duration_looks_like() {
    for bad in ["banana", "-1s", "5"] {
        client(CLIENT)
            .args(["--read-timeout", bad])
            .assert()
            .code(2)
            .stderr(contains(format!("'{bad}' is not a duration")))
            .stderr(contains("such as 250ms, 2s or 1m"));
    }
}

#[test]
fn a_zero_timeout_is_refused_with_the_reason() {
    for flag in [
        "--read-timeout",
        "--write-timeout",
        "--connect-timeout",
        "--deadline",
    ] {
        client(CLIENT)
            .args([flag, "0s"])
            .assert()
            .code(2)
            .stderr(contains(
                "a timeout of zero is not allowed: std refuses Some(0)",
            ));
    }
}

#[test]
fn an_unknown_mode_lists_the_modes() {
    client(SERVER)
        .args(["--mode", "rude"])
        .assert()
        .code(2)
        .stderr(contains(
            "[possible values: echo, silent, slow, trickle, halves, full]",
        ));
}

#[test]
fn a_request_must_be_one_line() {
    client(CLIENT)
        .args(["--addr", "127.0.0.1:9", "two\nlines"])
        .assert()
        .code(1)
        .stderr(contains("error: the request must be one line"));
}
