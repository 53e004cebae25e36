//! The async pair: FramedRead and FramedWrite with the lesson's own
//! codecs put on the wire what the blocking pair puts there, so for every
//! strategy each client works against each server; and a timeout that
//! cancels FramedRead's next() mid-frame loses nothing.

use common::testing::{Server, client, run_events};
use examples_framing::codecs::Strategy;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_framing-async-server");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_framing-async-client");

#[test]
fn every_strategy_interoperates_with_the_blocking_pair_both_ways() {
    let messages = ["hello", "", "a:b,c", "x y z"];
    for strategy in Strategy::ALL {
        let name = strategy.name();
        let servers = [
            Server::start(SERVER, &["--strategy", name]),
            Server::start(ASYNC_SERVER, &["--strategy", name]),
        ];
        for server in &servers {
            let mut shown = Vec::new();
            for bin in [CLIENT, ASYNC_CLIENT] {
                let out = client(bin)
                    .args([
                        "--addr",
                        &server.addr_arg(),
                        "--strategy",
                        name,
                        "-q",
                    ])
                    .args(messages)
                    .output()
                    .expect("run a client");
                assert!(
                    out.status.success(),
                    "{name} {bin}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                shown.push(out.stdout);
            }
            // The same replies, printed the same way, from either client.
            assert_eq!(shown[0], shown[1], "{name}");
            assert!(!shown[0].is_empty(), "{name}");
        }
    }
}

#[test]
fn a_timeout_that_cancels_next_mid_frame_loses_nothing() {
    // The blocking client sends half of each frame, stalls 1.5 s, then the
    // rest; the async server's next() is cancelled by its 500 ms timeout
    // while the half waits in FramedRead's buffer, and resumes.
    let mut server =
        Server::start(ASYNC_SERVER, &["--events", "--read-timeout", "500ms"]);
    let args = [
        "--addr",
        &server.addr_arg(),
        "--stall",
        "1500ms",
        "-q",
        "hello frame",
    ];
    let (code, _, stderr) = run_events(client(CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    let held = server.wait_for_event_where("timeout", |e| e.num("held") > 0);
    // u32-length: a 4-byte header and 11 bytes, half of 15 sent.
    assert_eq!((held.num("n"), held.num("held")), (1, 7));
    let frame = server.wait_for_event("frame");
    assert_eq!((frame.num("n"), frame.num("bytes")), (1, 11));
}
