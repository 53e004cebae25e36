//! Demonstrations 1 to 3: TCP splits a message across reads (--trickle) and
//! puts several in one (--burst), and every codec still finds the frames;
//! a newline inside a message breaks `line` and no other codec.

use common::testing::{Event, Server, client};
use examples_framing::codecs::Strategy;
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

#[test]
fn frames_sent_one_byte_per_write_are_read_whole_by_every_codec() {
    for strategy in Strategy::ALL {
        let name = strategy.name();
        let mut server =
            Server::start(SERVER, &["--events", "--strategy", name]);
        client(CLIENT)
            .args([
                "--addr",
                &server.addr_arg(),
                "--strategy",
                name,
                "--trickle",
                "--pause",
                "1ms",
                "-q",
                "hello",
                "framing",
            ])
            .assert()
            .success()
            .stdout("olleh\ngnimarf\n");
        server.wait_for_event_where("frame", |e| {
            (e.num("n"), e.num("bytes")) == (1, 5)
        });
        server.wait_for_event_where("frame", |e| {
            (e.num("n"), e.num("bytes")) == (2, 7)
        });
    }
}

#[test]
fn frames_sent_in_one_write_are_separated_by_every_codec() {
    for strategy in Strategy::ALL {
        let name = strategy.name();
        let mut server =
            Server::start(SERVER, &["--events", "--strategy", name]);
        client(CLIENT)
            .args([
                "--addr",
                &server.addr_arg(),
                "--strategy",
                name,
                "--burst",
                "--events",
                "one",
                "two",
                "three",
            ])
            .assert()
            .success()
            .stdout(contains("[client] event burst frames=3 "))
            .stdout(contains("eno\nowt\neerht\n"));
        server.wait_for_event_where("frame", |e| {
            (e.num("n"), e.num("bytes")) == (3, 5)
        });
    }
}

#[test]
fn a_newline_inside_a_message_breaks_line_framing() {
    let mut server = Server::start(SERVER, &["--events", "--strategy", "line"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--strategy", "line", "two\nlines"])
        .assert()
        .code(1)
        .stderr(contains("error: reply 1 is not our message reversed: sent 9 bytes, got 3 (\"owt\")"));
    // One message sent, two arrived.
    server.wait_for_event_where("frame", |e| {
        (e.num("n"), e.num("bytes")) == (1, 3)
    });
    server.wait_for_event_where("frame", |e| {
        (e.num("n"), e.num("bytes")) == (2, 5)
    });
}

#[test]
fn a_newline_inside_a_message_survives_every_other_codec() {
    for strategy in Strategy::ALL.into_iter().filter(|s| *s != Strategy::Line) {
        let name = strategy.name();
        let mut server =
            Server::start(SERVER, &["--events", "--strategy", name]);
        client(CLIENT)
            .args([
                "--addr",
                &server.addr_arg(),
                "--strategy",
                name,
                "-q",
                "two\nlines",
            ])
            .assert()
            .success()
            .stdout("senil\nowt\n");
        server.wait_for_event_where("frame", |e| {
            (e.num("n"), e.num("bytes")) == (1, 9)
        });
        let second = |e: &Event| e.name == "frame" && e.num("n") == 2;
        assert!(!server.events().iter().any(second), "{name}");
    }
}

#[test]
fn binary_replies_are_shown_as_a_hex_dump() {
    let server = Server::start(SERVER, &[]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "--size", "40"])
        .assert()
        .success()
        .stdout(contains("00000000  ").and(contains("00000020  ")));
}
