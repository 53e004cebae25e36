//! Demonstration 5: the usual mistakes, each failing beside the right code.

use std::fs;

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

const MESSAGE: &str = "a message of forty bytes, more or less..";

#[test]
fn read_instead_of_read_exact_takes_part_of_a_message_for_all_of_it() {
    let mut server = Server::start(SERVER, &["--events", "--mistake", "read"]);
    // The bytes trickle in 5 ms apart: read() returns the few that have
    // arrived, and the server answers that fragment, then takes the rest of
    // the message for the next header, and gives up on the connection.
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--trickle",
            "--pause",
            "5ms",
            "--read-timeout",
            "2s",
            MESSAGE,
        ])
        .assert()
        .code(1);
    let first = server.wait_for_event_where("frame", |e| e.num("n") == 1);
    assert_ne!(first.num("bytes"), 40, "read() got the whole message");
    server.wait_for_line("#1 error: frame 2");
    // The right code, same trickle: whole.
    let right = Server::start(SERVER, &[]);
    client(CLIENT)
        .args([
            "--addr",
            &right.addr_arg(),
            "--trickle",
            "--pause",
            "5ms",
            MESSAGE,
        ])
        .assert()
        .success();
}

#[test]
fn read_exact_into_with_capacity_reads_nothing() {
    let mut server =
        Server::start(SERVER, &["--events", "--mistake", "capacity"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--read-timeout",
            "2s",
            MESSAGE,
        ])
        .assert()
        .code(1)
        .stderr(contains(
            "error: reply 1 is not our message reversed: sent 40 bytes, got 0",
        ));
    server.wait_for_event_where("frame", |e| {
        (e.num("n"), e.num("bytes")) == (1, 0)
    });
}

#[test]
fn a_bufreader_per_message_loses_what_it_read_ahead() {
    let server = Server::start(
        SERVER,
        &["--mistake", "bufreader", "--idle-timeout", "2s"],
    );
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--burst",
            "--read-timeout",
            "500ms",
            "one",
            "two",
            "three",
        ])
        .assert()
        .code(1)
        .stderr(contains("error: no reply 2 within 500 ms"));
    // The right code, one BufReader per connection, same burst: all three.
    let right = Server::start(SERVER, &[]);
    client(CLIENT)
        .args([
            "--addr",
            &right.addr_arg(),
            "--burst",
            "-q",
            "one",
            "two",
            "three",
        ])
        .assert()
        .success()
        .stdout("eno\nowt\neerht\n");
}

#[test]
fn write_instead_of_write_all_sends_part_of_a_frame() {
    // The server waits 600 ms before reading, so a write() of an 8 MiB frame
    // fills the buffers, waits out the 400 ms write timeout, and returns a
    // short count. The mistake ignores it; write_all writes again, and its
    // second write gets room once the server reads.
    let big = std::env::temp_dir()
        .join(format!("framing-big-{}.bin", std::process::id()));
    fs::write(&big, vec![b'z'; 8 << 20]).expect("write the message file");
    let run = |timeout: &str, mistake: &[&str]| {
        let server = Server::start(
            SERVER,
            &[
                "--max-frame",
                "16MiB",
                "--max-memory",
                "96MiB",
                "--read-delay",
                "600ms",
            ],
        );
        client(CLIENT)
            .args([
                "--addr",
                &server.addr_arg(),
                "--max-frame",
                "16MiB",
                "--read-timeout",
                timeout,
                "--file",
            ])
            .arg(&big)
            .args(mistake)
            .output()
            .expect("run the client")
    };
    let wrong = run("400ms", &["--mistake", "write"]);
    // The right code needs no race to win: a generous timeout, so that a
    // busy machine's slow 8 MiB reply cannot fail it (a soak run saw the
    // reply take longer than 400 ms to start).
    let right = run("10s", &["-q"]);
    fs::remove_file(&big).expect("remove the message file");

    let stdout = String::from_utf8_lossy(&wrong.stdout);
    let stderr = String::from_utf8_lossy(&wrong.stderr);
    assert_eq!(wrong.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("--mistake write: write() took "),
        "{stdout}"
    );
    assert!(
        stderr.contains("error: no reply 1 within 400 ms"),
        "{stderr}"
    );
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
}
