//! The async pair: discovery and announcements on tokio's `UdpSocket`,
//! interoperating with the blocking pair both ways; the window that is one
//! deadline however many datagrams come; a server whose two tasks share
//! one socket. (The hardening against foreign datagrams is foreign.rs's.)

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::testing::{Server, client, event, run_events};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_broadcast-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-client");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_broadcast-async-server");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_broadcast-async-client");

#[test]
fn the_async_pair_interoperates_with_the_blocking_pair_both_ways() {
    // A blocking and an async server share one port; each client, blocking
    // and async, finds both with one broadcast.
    let alpha = Server::start(
        SERVER,
        &["--addr", "0.0.0.0:0", "--name", "alpha", "--events"],
    );
    let port = alpha.addr().port().to_string();
    let shared = format!("0.0.0.0:{port}");
    let _beta = Server::start(
        ASYNC_SERVER,
        &["--addr", &shared, "--name", "beta", "--events"],
    );
    // Both clients at once: each has its own port and query id.
    let runs: Vec<_> = [ASYNC_CLIENT, CLIENT]
        .map(|bin| {
            let port = port.clone();
            thread::spawn(move || {
                let args =
                    ["discover", "--port", &port, "--wait", "1s", "--events"];
                (bin, run_events(client(bin).args(args)))
            })
        })
        .into_iter()
        .map(|run| run.join().expect("a client"))
        .collect();
    for (bin, (code, events, stderr)) in runs {
        assert_eq!(code, Some(0), "{stderr}");
        let mut names: Vec<_> = events
            .iter()
            .filter(|e| e.name == "reply")
            .map(|e| e.get("name").to_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["alpha", "beta"], "{bin}");
        assert_eq!(event(&events, "found").num("count"), 2);
    }
}

#[test]
fn async_announcements_reach_the_blocking_listener() {
    let mut server = Server::start(
        ASYNC_SERVER,
        &[
            "--addr",
            "0.0.0.0:0",
            "--name",
            "herald",
            "--announce-every",
            "100ms",
            "--events",
        ],
    );
    let shared = format!("0.0.0.0:{}", server.addr().port());
    let mut listener = Server::start(
        CLIENT,
        &["listen", "--addr", &shared, "--for", "3s", "--events"],
    );
    let new =
        listener.wait_for_event_where("new", |e| e.get("name") == "herald");
    assert_eq!(new.num("port"), 8000);
    // Announced every 100 ms, believed for three intervals: at least 1 s.
    assert!(new.num("ttl_ms") >= 1000, "{}", new.num("ttl_ms"));
    // The announcer's task and the answering loop share the socket: a
    // query is still answered while it announces.
    // (By broadcast: a unicast would reach only the listener, bound last.)
    let port = server.addr().port().to_string();
    client(ASYNC_CLIENT)
        .args(["discover", "--port", &port])
        .assert()
        .success()
        .stdout(contains("herald"));
    server.wait_for_event("answered");
}

#[test]
fn the_window_is_one_deadline_however_many_datagrams_come() {
    // A fake server that answers the query with a datagram every 20 ms,
    // none of them a reply to it, until the client is done (10 s at most):
    // each would renew a per-read timeout of 500 ms for ever.
    let fake = UdpSocket::bind("0.0.0.0:0").expect("bind");
    let port = fake.local_addr().expect("addr").port().to_string();
    let done = Arc::new(AtomicBool::new(false));
    let chatter = thread::spawn({
        let done = Arc::clone(&done);
        move || {
            let mut query = [0u8; 600];
            let (_, client) = fake.recv_from(&mut query).expect("the query");
            let started = Instant::now();
            let mut sent = 0u32;
            while !done.load(Ordering::SeqCst)
                && started.elapsed() < Duration::from_secs(10)
            {
                if fake.send_to(b"ASOCK/1 chatter", client).is_err() {
                    break;
                }
                sent += 1;
                thread::sleep(Duration::from_millis(20));
            }
            sent
        }
    });
    let started = Instant::now();
    let args = ["discover", "--port", &port, "--wait", "500ms", "--events"];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    let took = started.elapsed();
    done.store(true, Ordering::SeqCst);
    let sent = chatter.join().expect("the fake");
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(event(&events, "found").num("count"), 0);
    assert!(took >= Duration::from_millis(500), "{took:?}");
    assert!(took < Duration::from_millis(1800), "{took:?}");
    // The chatter went on through the window: about 25 datagrams.
    assert!(sent >= 10, "{sent}");
}

#[test]
fn the_async_server_goes_away_after_for_and_says_how_often_it_announced() {
    let mut server = Server::start(
        ASYNC_SERVER,
        &[
            "--addr",
            "0.0.0.0:0",
            "--announce-every",
            "100ms",
            "--for",
            "600ms",
            "--events",
        ],
    );
    let gone = server.wait_for_event("gone");
    // The first at once, then one each 100 ms: about 6, never a burst.
    let announced = gone.num("announced");
    assert!((2..=8).contains(&announced), "{announced}");
    assert!(server.wait_for_exit(Duration::from_secs(10)).success());
}
