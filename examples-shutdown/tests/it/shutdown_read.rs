//! Point 4: after its own shutdown(Read) a socket's read() returns 0 at
//! once, yet on Linux data the peer sends afterwards is still delivered,
//! as long as the write half is open. Point 5: shutdowns add up; once both
//! halves are shut, arriving data resets the connection.

use common::testing::{Server, client, event, run_events};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

const LONG: &str = "more than sixteen bytes";

#[test]
fn after_shutdown_read_read_returns_zero_at_once_yet_later_data_is_delivered() {
    // This server answers before the client's FIN only to refuse a request:
    // a 16-byte limit makes it speak while the client's write half is open.
    let server = Server::start(SERVER, &["--max-request", "16"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--shutdown-read",
        "--no-shutdown",
        LONG,
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(event(&events, "shutdown_read").num("read"), 0);
    // The 32-byte refusal came after our shutdown(Read), and was read.
    let late = event(&events, "late_data");
    assert_eq!((late.num("bytes"), late.get("end")), (32, "complete"));
    assert!(stderr.contains("request exceeds 16 bytes"), "{stderr}");
}

#[test]
fn read_then_write_shutdown_is_both_and_arriving_data_resets_the_connection() {
    let server = Server::start(SERVER, &[]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "--shutdown-read",
        "hello",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(event(&events, "shutdown_read").num("read"), 0);
    assert_eq!(event(&events, "late_data").get("end"), "ConnectionReset");
}

#[test]
fn the_help_names_the_server_that_shows_late_data() {
    client(CLIENT)
        .arg("--help")
        .assert()
        .success()
        .stdout(contains("shutdown-server --max-request 16"));
}
