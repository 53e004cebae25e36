//! Hardening: --max-memory bounds what all connections together hold. A
//! request that outgrows its first chunk waits for room, reading nothing
//! meanwhile, and is refused politely if none comes within --idle-timeout;
//! and a connection costs one thread, the watchdog being one for all.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::testing::{Server, client, hostile, proc_status, run_events};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");

/// Room for one largest request of 64 KiB and its reply, not for two.
const ONE_LARGE: [&str; 4] =
    ["--max-request", "64KiB", "--max-memory", "200KiB"];

/// Connect and send 20 KiB, more than a first chunk of 16 KiB, and no FIN.
fn large_request_in_progress(server: &mut Server, id: u64) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream.write_all(&[b'a'; 20 * 1024]).expect("send 20 KiB");
    // Its room for a largest request, not the first share every
    // connection takes.
    let large = |e: &common::testing::Event| {
        e.conn == Some(id) && e.num("in_use") > 100 * 1024
    };
    server.wait_for_event_where("memory", large);
    stream
}

#[test]
fn a_large_request_waits_for_room_and_is_served_once_another_ends() {
    let mut server =
        Server::start(SERVER, &[&["--events"][..], &ONE_LARGE].concat());
    let first = large_request_in_progress(&mut server, 1);
    let second = std::thread::spawn({
        let addr = server.addr_arg();
        move || {
            let message = "b".repeat(20 * 1024);
            run_events(
                client(CLIENT).args(["--addr", &addr, "--events", &message]),
            )
        }
    });
    // The second request finds the budget spent and waits, reading nothing.
    let wait =
        server.wait_for_event_where("memory_wait", |e| e.conn == Some(2));
    assert!(wait.num("in_use") > 100 * 1024, "{wait:?}");
    // The first ends: its room is free, and the second gets it.
    first.shutdown(Shutdown::Write).expect("shutdown(Write)");
    let (code, events, stderr) = second.join().expect("the second client");
    assert_eq!(code, Some(0), "{stderr}");
    let reply = events
        .iter()
        .find(|e| e.name == "reply_end")
        .expect("reply_end");
    assert_eq!(reply.get("end"), "eof");
    // It had waited for that room: the share it got after the wait.
    let waited = |e: &common::testing::Event| {
        e.conn == Some(2) && e.get("waited") == "true"
    };
    assert!(
        server.wait_for_event_where("memory", waited).num("in_use")
            > 100 * 1024
    );
}

#[test]
fn a_large_request_with_no_room_within_the_idle_timeout_is_refused_politely() {
    let args =
        [&["--events", "--idle-timeout", "500ms"][..], &ONE_LARGE].concat();
    let mut server = Server::start(SERVER, &args);
    let first = large_request_in_progress(&mut server, 1);
    // The first client must hold its room past the second's wait, which is
    // as long as its own idle timeout: a byte every 100 ms keeps it from
    // being idle (its request stays far below --max-request).
    let busy = hostile::keep_busy(&first, b'a', Duration::from_millis(100));
    let message = "b".repeat(20 * 1024);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), &message])
        .assert()
        .code(1)
        .stderr(contains("server busy: no memory for the request"));
    let refused = server.wait_for_event_where("refused", |e| e.conn == Some(2));
    assert_eq!(refused.get("why"), "memory");
    // Refused with the lingering close: the client read the refusal, no RST.
    let drained = server.wait_for_event_where("drained", |e| e.conn == Some(2));
    assert_eq!(drained.get("end"), "eof");
    drop((busy, first));
}

#[test]
fn a_budget_too_small_for_one_largest_request_is_refused_at_start() {
    client(SERVER)
        .args(["--addr", "127.0.0.1:0", "--max-memory", "1MiB"])
        .assert()
        .code(1)
        .stderr(contains(
            "error: --max-memory 1 MiB cannot hold one request",
        ));
}

#[test]
fn each_connection_costs_one_thread_and_the_watchdog_is_one_for_all() {
    // The watchdog was a thread per connection: 20 connections cost 41.
    let mut server = Server::start(SERVER, &["--events"]);
    let held: Vec<_> = (1..=20)
        .map(|id| {
            let mut stream = hostile::silent(server.addr());
            stream.write_all(b"x").expect("send a byte");
            server.wait_for_event_where("read", |e| e.conn == Some(id));
            stream
        })
        .collect();
    // The main thread (the accept loop), the watchdog, and one per client.
    let (threads, _) = proc_status(server.pid());
    assert_eq!(threads, 2 + held.len());
}
