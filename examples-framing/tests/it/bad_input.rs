//! A client and server on different strategies end with a clear error, not
//! a hang; unknown strategies and misplaced mistakes are refused.

use std::time::{Duration, Instant};

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

#[test]
fn mismatched_strategies_end_with_a_clear_error() {
    // u32-length reads "hell" as a length of 1.7 GB: refused at once.
    let server = Server::start(SERVER, &["--strategy", "u32-length"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--strategy", "line", "hello"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: the server closed the connection before reply 1",
        ))
        .stderr(contains("it may use another --strategy"));

    // line waits for a newline that u32-length never sends: the client's
    // read timeout ends it.
    let server = Server::start(SERVER, &["--strategy", "line"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--strategy",
            "u32-length",
            "--read-timeout",
            "500ms",
            "hello",
        ])
        .assert()
        .code(1)
        .stderr(contains("error: no reply 1 within 500 ms"))
        .stderr(contains("same --strategy on both sides?"));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn unknown_strategies_list_the_known_ones() {
    client(CLIENT)
        .args(["--strategy", "smoke-signals", "hi"])
        .assert()
        .code(2)
        .stderr(contains("[possible values: line, escaped, base64, delimiter, ascii-length, u32-length, netstring]"));
}

#[test]
fn mistakes_need_u32_length() {
    client(SERVER)
        .args([
            "--addr",
            "127.0.0.1:0",
            "--strategy",
            "line",
            "--mistake",
            "read",
        ])
        .assert()
        .code(1)
        .stderr(contains("error: --mistake needs --strategy u32-length"));
}

#[test]
fn both_servers_refuse_a_frame_bound_past_a_gibibyte_and_a_budget_below_a_frame()
 {
    for server in [SERVER, env!("CARGO_BIN_EXE_framing-async-server")] {
        client(server)
            .args(["--addr", "127.0.0.1:0", "--max-frame", "2GiB"])
            .assert()
            .code(1)
            .stderr(contains("--max-frame above 1GiB is refused"));
        client(server)
            .args(["--addr", "127.0.0.1:0", "--max-memory", "1MiB"])
            .assert()
            .code(1)
            .stderr(contains("cannot hold one frame of --max-frame 1 MiB"));
    }
}
