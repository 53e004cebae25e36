//! Point 9: UDP has no connection to time out. The client resends with
//! exponential backoff and jitter, and gives up after its budget.

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use common::testing::{Server, client, events};
use predicates::prelude::*;
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn lost_requests_are_resent_with_growing_waits_until_answered() {
    let mut server = Server::start(SERVER, &["--udp", "--drop-first", "2"]);
    let started = Instant::now();
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--udp",
            "--read-timeout",
            "100ms",
            "--retries",
            "4",
            "--events",
        ])
        .assert()
        .success()
        .stdout(contains("[client] event attempt n=1 end=timeout "))
        .stdout(contains("[client] event attempt n=2 end=timeout "))
        .stdout(contains("[client] event attempt n=3 end=answered"))
        .stdout(predicate::str::ends_with("ping\n"));
    // Waits of 100 ms (the first is --read-timeout), then at least 100 ms:
    // half of 200 ms, the least the jitter allows.
    assert!(started.elapsed() >= Duration::from_millis(200));
    server.wait_for_line("request 3 from");
}

#[test]
fn the_client_gives_up_after_its_retries() {
    let server = Server::start(SERVER, &["--udp", "--drop-first", "100"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--udp",
            "--read-timeout",
            "50ms",
            "--retries",
            "3",
            "--events",
        ])
        .assert()
        .code(1)
        .stdout(contains("[client] event attempt n=4 end=timeout "))
        .stderr(contains("error: no answer after 4 attempts"));
}

#[test]
fn the_wait_between_attempts_stops_growing_at_max_backoff() {
    let server = Server::start(SERVER, &["--udp", "--drop-first", "100"]);
    let out = client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--udp",
            "--read-timeout",
            "50ms",
            "--retries",
            "5",
            "--max-backoff",
            "100ms",
            "--events",
        ])
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let waits: Vec<u64> = events(&stdout)
        .iter()
        .filter(|e| e.name == "attempt" && e.get("end") == "timeout")
        .map(|e| e.num("wait_ms"))
        .collect();
    assert_eq!(waits.len(), 6, "{stdout}");
    assert!(waits.iter().all(|&ms| ms <= 100), "{waits:?}");
}

#[test]
fn nobody_listening_on_the_udp_port_is_reported_at_once() {
    // The guard holds the port on 127.0.0.1, so that no other test's server
    // can take it; nothing is bound to it on 127.0.0.2, where we ask.
    let guard = UdpSocket::bind("127.0.0.1:0").expect("bind a guard");
    let port = guard.local_addr().expect("local_addr").port();
    client(CLIENT)
        .args([
            "--addr",
            &format!("127.0.0.2:{port}"),
            "--udp",
            "--read-timeout",
            "2s",
        ])
        .assert()
        .code(1)
        .stderr(contains("Connection refused"))
        .stderr(contains("ICMP port unreachable"));
}

#[test]
fn each_wait_lies_in_its_jitter_window_and_the_waits_grow() {
    // As --help says: the first wait is --read-timeout; then the backoff
    // doubles (up to --max-backoff, 16 s by default), and each wait is
    // drawn between half of it and all of it.
    let server = Server::start(SERVER, &["--udp", "--drop-first", "100"]);
    let started = Instant::now();
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--udp"])
        .args(["--read-timeout", "40ms", "--retries", "4", "--events"])
        .output()
        .expect("run the client");
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let attempts: Vec<(u64, u64)> = events(&stdout)
        .iter()
        .filter(|e| e.name == "attempt" && e.get("end") == "timeout")
        .map(|e| (e.num("wait_ms"), e.num("backoff_ms")))
        .collect();
    assert_eq!(attempts.len(), 5, "{stdout}");
    assert_eq!(attempts[0], (40, 40), "the first wait is --read-timeout");
    for (k, &(wait, backoff)) in attempts.iter().enumerate().skip(1) {
        assert_eq!(backoff, 40 << k, "attempt {}: {attempts:?}", k + 1);
        assert!(
            (backoff / 2..=backoff).contains(&wait),
            "attempt {}: {wait} ms outside {}..={backoff}: {attempts:?}",
            k + 1,
            backoff / 2
        );
    }
    let waits: Vec<u64> = attempts.iter().map(|&(w, _)| w).collect();
    assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
    // And the client really waited them out, one after the other.
    let waited: u64 = waits.iter().sum();
    assert!(
        took >= Duration::from_millis(waited),
        "{took:?} < {waited} ms"
    );
}

#[test]
fn with_once_the_udp_server_exits_after_its_first_answer() {
    // --once serves one client over TCP; over UDP, one answer. It was
    // silently ignored with --udp, and the server ran on.
    let mut server =
        Server::start(SERVER, &["--udp", "--drop-first", "1", "--once"]);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--udp", "--read-timeout"])
        .args(["100ms", "--retries", "4"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("ping\n"));
    let status = server.wait_for_exit(Duration::from_secs(10));
    assert!(status.success(), "{status:?}");
}
