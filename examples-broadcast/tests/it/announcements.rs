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
        &[
            "listen", "--addr", &shared, "--for", "3s", "--ttl", "500ms",
            "--events",
        ],
    );

    for name in ["lasting", "fleeting"] {
        let new =
            listener.wait_for_event_where("new", |e| e.get("name") == name);
        assert_eq!(new.num("port"), 8000);
    }
    fleeting.kill();
    listener.wait_for_event_where("gone", |e| e.get("name") == "fleeting");
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
    let gone: Vec<_> = listener
        .events()
        .into_iter()
        .filter(|e| e.name == "gone")
        .map(|e| e.get("name").to_owned())
        .collect();
    assert_eq!(gone, ["fleeting"], "{table}");
    drop(lasting);
}

#[test]
fn a_service_is_gone_once_silent_for_the_ttl_it_announced() {
    use std::time::{Duration, Instant};
    // No --ttl on the listener: the TTL is the announcement's own. Every
    // 200 ms, the server announces three intervals rounded down to whole
    // seconds, at least 1 s. A first server, silent, picks the port.
    let holder = Server::start(SERVER, &["--addr", "0.0.0.0:0"]);
    let shared = format!("0.0.0.0:{}", holder.addr().port());
    let mut listener = Server::start(
        CLIENT,
        &["listen", "--addr", &shared, "--for", "5s", "--events"],
    );
    let mut fleeting = Server::start(
        SERVER,
        &[
            "--addr",
            &shared,
            "--name",
            "fleeting",
            "--announce-every",
            "200ms",
            "--for",
            "600ms",
        ],
    );
    let new =
        listener.wait_for_event_where("new", |e| e.get("name") == "fleeting");
    assert_eq!(new.num("ttl_ms"), 1000, "the announced TTL");
    assert!(fleeting.wait_for_exit(Duration::from_secs(5)).success());
    let silent = Instant::now();
    let gone =
        listener.wait_for_event_where("gone", |e| e.get("name") == "fleeting");
    let after = silent.elapsed();
    assert_eq!(gone.num("ttl_ms"), 1000);
    // Its last announcement was at most 200 ms before it exited; the
    // listener looks for silence every 100 ms.
    assert!(after >= Duration::from_millis(700), "gone after {after:?}");
    assert!(after <= Duration::from_millis(2500), "gone after {after:?}");
    drop(holder);
}
