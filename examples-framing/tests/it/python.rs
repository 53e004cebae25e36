//! The notes' Python, run: lesson 3's peers in `python/` (the seven
//! framings in `framings.py`, with `struct.pack('!I', n)`, `b'%06d'`,
//! `readline()`, `base64.b64encode`, `uuid4().hex`...) against the Rust
//! binaries, every framing both ways on 127.0.0.1 and [::1]; and the
//! Python learner's framing pitfalls, each a script of `python/`.

use std::thread;

use common::testing::{Server, client, python_client, python_server};

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_framing-async-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_framing-async-client");

/// A script of `python/`.
fn script(name: &str) -> String {
    format!("{}/python/{name}", env!("CARGO_MANIFEST_DIR"))
}

const HOSTS: [&str; 2] = ["127.0.0.1", "[::1]"];

const STRATEGIES: [&str; 7] = [
    "line",
    "escaped",
    "base64",
    "delimiter",
    "ascii-length",
    "u32-length",
    "netstring",
];

/// Messages every framing but `line` carries whole: a space, a backslash,
/// a newline. (Reversed, each is text the Rust clients print as it is.)
fn messages(strategy: &str) -> Vec<&'static str> {
    let mut all = vec!["hello", "two words", "a\\b"];
    if strategy != "line" {
        all.push("x\ny");
    }
    all
}

/// Each message reversed, byte by byte, one per line: what the clients
/// print.
fn reversed(messages: &[&str]) -> Vec<u8> {
    let mut all = Vec::new();
    for message in messages {
        all.extend(message.bytes().rev());
        all.push(b'\n');
    }
    all
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn the_python_client_speaks_every_framing_to_both_servers() {
    // Each server and host on a thread of its own: 28 exchanges.
    thread::scope(|threads| {
        for bin in [SERVER, ASYNC_SERVER] {
            for host in HOSTS {
                threads.spawn(move || python_client_against(bin, host));
            }
        }
    });
}

fn python_client_against(bin: &str, host: &str) {
    let addr = format!("{host}:0");
    for strategy in STRATEGIES {
        let args = ["--addr", &addr, "--strategy", strategy, "--events"];
        let mut server = Server::start(bin, &args);
        let sent = messages(strategy);
        let out = python_client(script("client.py"))
            .args(["--addr", &server.addr_arg(), "--strategy", strategy])
            .args(&sent)
            .output()
            .expect("run python3");
        assert!(out.status.success(), "{strategy} on {host}: {out:?}");
        assert!(out.stdout.ends_with(&reversed(&sent)), "{out:?}");
        // The server read each frame as the Python client framed it.
        for (n, message) in (1..).zip(&sent) {
            let frame =
                server.wait_for_event_where("frame", |e| e.num("n") == n);
            assert_eq!(frame.num("bytes"), message.len() as u64, "{strategy}");
        }
    }
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn both_rust_clients_speak_every_framing_to_the_python_server() {
    thread::scope(|threads| {
        for host in HOSTS {
            for strategy in STRATEGIES {
                threads.spawn(move || {
                    let args = ["--addr", &format!("{host}:0")];
                    let args = [&args[..], &["--strategy", strategy]].concat();
                    let server = python_server(script("server.py"), &args);
                    let sent = messages(strategy);
                    for bin in [CLIENT, ASYNC_CLIENT] {
                        let out = client(bin)
                            .args(["--addr", &server.addr_arg(), "-q"])
                            .args(["--strategy", strategy])
                            .args(&sent)
                            .output()
                            .expect("run the client");
                        assert!(out.status.success(), "{strategy}: {out:?}");
                        assert_eq!(out.stdout, reversed(&sent), "{strategy}");
                    }
                });
            }
        }
    });
}

/// Start a framing-server with `strategy`, run the pitfall `name` against
/// it, and return what the script printed, and the server.
fn pitfall(name: &str, strategy: &str) -> (String, Server) {
    let args = ["--strategy", strategy, "--events"];
    let server = Server::start(SERVER, &args);
    let out = python_client(script(name))
        .args(["--addr", &server.addr_arg()])
        .output()
        .expect("run python3");
    assert!(out.status.success(), "{name}: {out:?}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), server)
}

/// The milliseconds printed after `label` on a line of `said`.
fn millis(said: &str, label: &str) -> f64 {
    let line = said.lines().find(|l| l.starts_with(label));
    let number = line.and_then(|l| l.split_whitespace().nth_back(1));
    number
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no figure after {label:?} in {said}"))
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn header_and_body_in_two_sendalls_wait_for_a_delayed_ack_each_round_trip() {
    let (said, _server) = pitfall("two_sendalls.py", "u32-length");
    let (one, two) = (millis(&said, "one"), millis(&said, "two"));
    // As framing-client's --split-writes (nagle.rs): 40 ms or so.
    assert!(one < 10.0, "one sendall: median {one} ms");
    assert!(
        (30.0..250.0).contains(&two),
        "two sendalls: median {two} ms"
    );
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn percent_6d_pads_with_spaces_and_the_ascii_length_server_refuses_it() {
    let (said, mut server) = pitfall("percent_6d.py", "ascii-length");
    assert!(said.contains("'     5': reply b''"), "{said}");
    assert!(said.contains("'000005': reply b'000005olleh'"), "{said}");
    // One connection refused without a frame; the other's one frame.
    let frame = server.wait_for_event("frame");
    assert_eq!(frame.num("bytes"), 5);
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn encodebytes_splits_one_message_into_two_base64_frames() {
    let (said, mut server) = pitfall("encodebytes.py", "base64");
    assert!(said.contains("encodebytes: 2 lines sent, replies of [57, 43]"));
    assert!(said.contains("b64encode: 1 lines sent, replies of [100]"));
    // The server read 57 and 43 bytes from the first connection, 100 from
    // the second (which it reached last).
    server.wait_for_event_where("frame", |e| e.num("bytes") == 100);
    let frames: Vec<u64> = (server.events().iter())
        .filter(|e| e.name == "frame")
        .map(|e| e.num("bytes"))
        .collect();
    assert_eq!(frames, [57, 43, 100], "{said}");
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn crlf_leaves_a_carriage_return_in_the_line_framings_payload() {
    let (said, mut server) = pitfall("crlf.py", "line");
    assert!(said.contains(r"reply b'\rolleh\n'"), "{said}");
    assert_eq!(server.wait_for_event("frame").num("bytes"), 6);
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn str_uuid4_is_refused_as_a_delimiter_and_uuid4_hex_works() {
    let (said, mut server) = pitfall("uuid_delimiter.py", "delimiter");
    assert!(said.contains("str: a 36-byte delimiter, 0 bytes back"));
    assert!(said.contains("hex: a 32-byte delimiter, 22 bytes back"));
    assert_eq!(server.wait_for_event("frame").num("bytes"), 5);
}
