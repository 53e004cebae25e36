//! Announcements: a listener hears several announcing servers, and reports
//! one gone once it has been silent longer than its TTL.

use common::testing::Server;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");

#[test]
fn a_listener_hears_announcing_servers_and_reports_a_silent_one_gone() {
    let lasting = Server::start(
        SERVER,
        &[
            "--addr",
            "0.0.0.0:0",
            "--name",
            "lasting",
            "--announce-every",
            "100ms",
        ],
    );
    let port = lasting.addr().port().to_string();
    let shared = format!("0.0.0.0:{port}");
    let mut fleeting = Server::start(
        SERVER,
        &[
            "--addr",
            &shared,
            "--name",
            "fleeting",
            "--announce-every",
            "100ms",
        ],
    );
    let mut listener = Server::start(
        CLIENT,
        &["listen", "--addr", &shared, "--for", "3s", "--ttl", "500ms"],
    );

    listener.wait_for_line("new: lasting on port 8000");
    listener.wait_for_line("new: fleeting on port 8000");
    fleeting.kill();
    listener.wait_for_line(
        "gone: fleeting at 127.0.0.1 (not heard for more than 500 ms)",
    );
    let status = listener.wait_for_exit(std::time::Duration::from_secs(10));
    assert!(status.success());
    let table = listener.output();
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("lasting") && l.ends_with("alive")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("fleeting") && l.ends_with("gone")),
        "{table}"
    );
    assert!(!table.contains("gone: lasting"), "{table}");
    drop(lasting);
}
