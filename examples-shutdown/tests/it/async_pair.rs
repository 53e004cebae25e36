//! The async pair: lesson 1 on tokio, interoperating with the blocking
//! pair both ways, and where async differs: `shutdown()` is
//! shutdown(Write) only, and a read shutdown goes through socket2;
//! dropping an `into_split` write half sends the FIN; a deadline that
//! cancels the connection's future ends a read blocked on a silent client
//! (no watchdog thread); and a socket dropped with unread bytes still
//! sends RST.

use std::io::Write;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::testing::{Server, client, event, names, proc_status, run_events};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_shutdown-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-client");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_shutdown-async-server");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_shutdown-async-client");

const HELLO: &str = "hello, half-open world";
const REPLY: &str = "received 22 bytes in 1 line\nHELLO, HALF-OPEN WORLD\n";

#[test]
fn the_async_pair_interoperates_with_the_blocking_pair_both_ways() {
    let blocking = Server::start(SERVER, &[]);
    let asynchronous = Server::start(ASYNC_SERVER, &[]);
    for (bin, server) in [
        (ASYNC_CLIENT, &blocking),
        (CLIENT, &asynchronous),
        (ASYNC_CLIENT, &asynchronous),
    ] {
        client(bin)
            .args(["--addr", &server.addr_arg(), "-q", HELLO])
            .assert()
            .success()
            .stdout(REPLY);
    }
}

#[test]
fn tokio_shutdown_half_closes_and_the_reply_still_arrives() {
    let mut server = Server::start(ASYNC_SERVER, &["--events"]);
    let args = ["--addr", &server.addr_arg(), "--events", HELLO];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(names(&events), ["sent", "shutdown_write", "reply_end"]);
    assert_eq!(event(&events, "shutdown_write").get("how"), "shutdown");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (50, "eof"));
    let request = server.wait_for_event("request_end");
    assert_eq!((request.num("bytes"), request.get("end")), (22, "eof"));
    assert_eq!(server.wait_for_event("closed").get("how"), "fin");
}

#[test]
fn dropping_the_into_split_write_half_sends_the_fin() {
    // The blocking server waits for a FIN, up to --idle-timeout (30 s).
    let mut server =
        Server::start(SERVER, &["--events", "--idle-timeout", "30s"]);
    let started = Instant::now();
    let args = [
        "--addr",
        &server.addr_arg(),
        "--drop-write-half",
        "--events",
        HELLO,
    ];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(event(&events, "shutdown_write").get("how"), "drop");
    // The drop's FIN ended the request, long before the idle timeout.
    let request = server.wait_for_event("request_end");
    assert_eq!((request.num("bytes"), request.get("end")), (22, "eof"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_read_shutdown_through_sockref_makes_read_return_zero_at_once() {
    let server = Server::start(ASYNC_SERVER, &[]);
    let started = Instant::now();
    let args = [
        "--addr",
        &server.addr_arg(),
        "--shutdown-read",
        "--read-timeout",
        "30s",
        "--events",
        HELLO,
    ];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    // read() = 0 with no FIN from anyone, not after the 30 s timeout.
    let shut = event(&events, "shutdown_read");
    assert_eq!(shut.num("read"), 0);
    assert!(shut.num("us") < 5_000_000, "{}", shut.num("us"));
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_deadline_cancels_a_read_blocked_on_a_silent_client() {
    let mut server = Server::start(
        ASYNC_SERVER,
        &["--events", "--max-time", "500ms", "--idle-timeout", "30s"],
    );
    let started = Instant::now();
    let args = [
        "--addr",
        &server.addr_arg(),
        "--no-shutdown",
        "--read-timeout",
        "30s",
        "--events",
        "hello",
    ];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    let took = started.elapsed();
    // The server's read waited for a FIN that never came; the deadline
    // dropped it, and the socket with it: the client got a FIN, no reply.
    assert_eq!(code, Some(1), "{stderr}");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (0, "eof"));
    assert_eq!(server.wait_for_event("ended").get("why"), "max_time");
    assert!(took >= Duration::from_millis(400), "{took:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[test]
fn each_connection_is_a_task_not_a_thread() {
    let mut server = Server::start(ASYNC_SERVER, &["--events"]);
    let silent: Vec<TcpStream> = (0..20)
        .map(|_| TcpStream::connect(server.addr()).unwrap())
        .collect();
    for _ in &silent {
        server.wait_for_event("accepted");
    }
    let (threads, _) = proc_status(server.pid());
    assert_eq!(threads, 1, "20 waiting connections, one thread");
    client(ASYNC_CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", HELLO])
        .assert()
        .success()
        .stdout(REPLY);
}

#[test]
fn closing_with_unread_bytes_still_resets_the_connection_on_tokio() {
    let args = ["--events", "--max-request", "16", "--close-early"];
    let mut server = Server::start(ASYNC_SERVER, &args);
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "more than sixteen bytes, much more",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    // The refusal arrived, then an RST where the FIN should be.
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (32, "ConnectionReset"));
    assert_eq!(server.wait_for_event("closed").get("how"), "unread");
}

#[test]
fn the_lingering_close_delivers_the_refusal_cleanly_on_tokio() {
    let mut server =
        Server::start(ASYNC_SERVER, &["--events", "--max-request", "16"]);
    let (code, events, stderr) = run_events(client(CLIENT).args([
        "--addr",
        &server.addr_arg(),
        "--events",
        "more than sixteen bytes, much more",
    ]));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("request exceeds 16 bytes"), "{stderr}");
    let end = event(&events, "reply_end");
    assert_eq!((end.num("bytes"), end.get("end")), (32, "eof"));
    // 17 bytes read (one past the limit), the other 17 drained to the FIN.
    let drained = server.wait_for_event("drained");
    assert_eq!((drained.num("bytes"), drained.get("end")), (17, "eof"));
}

#[test]
fn a_request_that_finds_no_memory_is_refused_politely() {
    // Room for one request of 100 KiB and its reply, and no more.
    let args = [
        "--events",
        "--max-request",
        "100KiB",
        "--max-memory",
        "240KiB",
    ];
    let mut server = Server::start(ASYNC_SERVER, &args);
    // The first client's request outgrows its first chunk and takes the
    // room of a largest request; it holds it, sending no FIN.
    let mut first = TcpStream::connect(server.addr()).unwrap();
    first.write_all(&[b'x'; 50 * 1024]).unwrap();
    server.wait_for_event("memory");
    client(ASYNC_CLIENT)
        .args(["--addr", &server.addr_arg(), "--size", "50KiB"])
        .assert()
        .code(1)
        .stderr(contains("server busy: no memory for the request"));
    assert_eq!(server.wait_for_event("refused").get("why"), "memory");
    assert_eq!(server.wait_for_event("drained").get("end"), "eof");
    // Once the first is done, the budget serves again.
    first.shutdown(std::net::Shutdown::Write).unwrap();
    server.wait_for_event("closed");
    client(ASYNC_CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", HELLO])
        .assert()
        .success()
        .stdout(REPLY);
}

#[test]
fn a_budget_too_small_for_one_request_is_refused_at_start() {
    client(ASYNC_SERVER)
        .args(["--addr", "127.0.0.1:0", "--max-memory", "64KiB"])
        .assert()
        .code(1)
        .stderr(contains("cannot hold one request"));
}
