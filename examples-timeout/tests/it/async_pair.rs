//! The async pair: the same exchange on tokio, interoperating with the
//! blocking pair both ways, and the points where async differs: `timeout`
//! cancels a whole future (so a per-read timeout needs the bytes kept
//! outside it, and `timeout(read_exact)` loses them), a deadline is one
//! `timeout_at`, keepalive goes through socket2's `SockRef`, and one thread
//! holds many idle connections under an idle and a request deadline.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use common::testing::{
    Server, client, event, hostile, proc_status, run_events,
};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");
const ASYNC_SERVER: &str = env!("CARGO_BIN_EXE_timeout-async-server");
const ASYNC_CLIENT: &str = env!("CARGO_BIN_EXE_timeout-async-client");

#[test]
fn the_async_pair_interoperates_with_the_blocking_pair_both_ways() {
    let blocking = Server::start(SERVER, &["--mode", "echo"]);
    let asynchronous = Server::start(ASYNC_SERVER, &[]);
    for (bin, server) in [
        (ASYNC_CLIENT, &blocking),
        (CLIENT, &asynchronous),
        (ASYNC_CLIENT, &asynchronous),
    ] {
        client(bin)
            .args(["--addr", &server.addr_arg(), "-q", "hello async"])
            .assert()
            .success()
            .stdout("hello async\n");
    }
}

#[test]
fn a_read_cancelled_by_timeout_loses_nothing_when_the_bytes_live_outside_it() {
    let server = Server::start(SERVER, &["--mode", "halves", "--pause", "1s"]);
    let args = [
        "--addr",
        &server.addr_arg(),
        "--read-timeout",
        "300ms",
        "--retries",
        "5",
        "--events",
        "hello world",
    ];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    // Cancelled with 6 bytes in hand, each time (the pause outlasts three
    // timeouts), kept, and completed by the read after the pause.
    let cancelled: Vec<_> =
        events.iter().filter(|e| e.name == "read_timeout").collect();
    assert!(
        !cancelled.is_empty() && cancelled.iter().all(|e| e.num("got") == 6)
    );
    let reply = event(&events, "reply");
    assert_eq!(reply.num("bytes"), 12);
    assert_eq!(reply.num("timeouts"), cancelled.len() as u64);
}

#[test]
fn timeout_around_read_exact_loses_the_head_and_the_stream_is_out_of_step() {
    let server = Server::start(SERVER, &["--mode", "halves", "--pause", "1s"]);
    let args = [
        "--addr",
        &server.addr_arg(),
        "--exact",
        "--read-timeout",
        "300ms",
        "--retries",
        "5",
        "--events",
        "hello world",
    ];
    let (code, events, _) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(1));
    let cancelled = event(&events, "read_exact");
    assert_eq!(
        (cancelled.get("end"), cancelled.num("len")),
        ("cancelled", 12)
    );
    // The next read starts in the middle of the reply: its second half.
    assert_eq!(event(&events, "next_read").num("bytes"), 6);
}

#[test]
fn the_deadline_is_one_instant_for_the_whole_exchange() {
    // A byte every 100 ms: no 300 ms read timeout ever fires, the 1 s
    // deadline does.
    let server =
        Server::start(SERVER, &["--mode", "trickle", "--interval", "100ms"]);
    let started = Instant::now();
    let args = [
        "--addr",
        &server.addr_arg(),
        "--read-timeout",
        "300ms",
        "--deadline",
        "1s",
        "--events",
    ];
    let (code, events, _) = run_events(client(ASYNC_CLIENT).args(args));
    let took = started.elapsed();
    assert_eq!(code, Some(1));
    assert!(event(&events, "deadline_passed").num("got") > 0);
    assert!(!events.iter().any(|e| e.name == "read_timeout"));
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[test]
fn timeout_around_connect_gives_up_on_a_full_accept_queue() {
    let server = Server::start(SERVER, &["--mode", "full"]);
    let started = Instant::now();
    let args = [
        "--addr",
        &server.addr_arg(),
        "--connect-timeout",
        "500ms",
        "--events",
    ];
    let (code, events, _) = run_events(client(ASYNC_CLIENT).args(args));
    let took = started.elapsed();
    assert_eq!(code, Some(1));
    assert_eq!(event(&events, "connect_failed").get("end"), "our_timeout");
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_secs(5),
        "{took:?}"
    );
}

#[test]
fn keepalive_is_set_through_sockref_and_the_kernel_reports_it() {
    let server = Server::start(ASYNC_SERVER, &[]);
    let args = [
        "--addr",
        &server.addr_arg(),
        "--keepalive",
        "7s",
        "--events",
    ];
    let (code, events, stderr) = run_events(client(ASYNC_CLIENT).args(args));
    assert_eq!(code, Some(0), "{stderr}");
    let keepalive = event(&events, "keepalive");
    assert_eq!(
        (keepalive.get("on"), keepalive.num("idle_ms")),
        ("true", 7000)
    );
}

#[test]
fn the_async_server_closes_an_idle_client_and_a_slowloris_at_their_deadlines() {
    let args = [
        "--events",
        "--idle-timeout",
        "300ms",
        "--request-timeout",
        "500ms",
    ];
    let mut server = Server::start(ASYNC_SERVER, &args);
    let _silent = hostile::silent(server.addr());
    server.wait_for_event_where("accepted", |e| e.conn == Some(1));
    let _slow =
        hostile::slowloris(server.addr(), b"x", Duration::from_millis(50));
    // The silent one never begins a request; the slow one never ends one,
    // though it sends a byte well within every idle timeout.
    assert_eq!(server.wait_for_event("idle").conn, Some(1));
    let cut = server.wait_for_event("request_timeout");
    assert_eq!(cut.conn, Some(2));
    assert!(cut.num("held") >= 2, "{cut:?}");
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "-q", "still here"])
        .assert()
        .success();
}

#[test]
fn past_max_clients_the_async_server_turns_a_newcomer_away_politely() {
    let mut server = Server::start(
        ASYNC_SERVER,
        &["--events", "--max-clients", "2", "--when-full", "turn-away"],
    );
    let _held: Vec<_> =
        (0..2).map(|_| hostile::silent(server.addr())).collect();
    server.wait_for_event_where("accepted", |e| e.conn == Some(2));
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), "hello"])
        .assert()
        .code(1)
        .stderr(contains("server busy: 2 clients already"));
    assert_eq!(server.wait_for_event("turned_away").num("max"), 2);
}

#[test]
fn one_thread_holds_two_thousand_idle_clients_and_serves_the_honest_ones() {
    const IDLE: usize = 2000;
    let mut server = Server::start(ASYNC_SERVER, &["-q"]);
    let addr = server.addr();
    let mut slowest_connect = Duration::ZERO;
    let idle: Vec<TcpStream> = (0..IDLE)
        .map(|_| {
            let t = Instant::now();
            let mut stream = TcpStream::connect(addr).expect("connect");
            slowest_connect = slowest_connect.max(t.elapsed());
            // A byte of a request that never ends would be a slowloris;
            // these send nothing at all.
            stream.flush().expect("flush");
            stream
        })
        .collect();
    // The kernel completes each handshake into the accept queue by itself.
    // With a queue of 128 (std's backlog) this loop outruns the one thread
    // that accepts, a SYN finds the queue full and is dropped, and its
    // connect() waits for the retransmission, 1 s later at the least.
    assert!(
        slowest_connect < Duration::from_millis(900),
        "a connect took {slowest_connect:?}: a SYN was dropped"
    );
    let started = Instant::now();
    let honest: Vec<_> = (0..20)
        .map(|i| {
            let addr = server.addr_arg();
            thread::spawn(move || {
                let t = Instant::now();
                client(CLIENT)
                    .args(["--addr", &addr, "-q", &format!("honest {i}")])
                    .assert()
                    .success()
                    .stdout(format!("honest {i}\n"));
                t.elapsed()
            })
        })
        .collect();
    let slowest = honest
        .into_iter()
        .map(|h| h.join().expect("an honest client"))
        .max()
        .unwrap_or_default();
    let (threads, peak_kib) = proc_status(server.pid());
    eprintln!(
        "measured: {IDLE} idle connections on {threads} thread: 20 honest clients served, the slowest in {slowest:?} (all in {:?}); peak memory {} MiB",
        started.elapsed(),
        peak_kib / 1024
    );
    assert_eq!(threads, 1, "a current-thread runtime: one thread for all");
    assert!(peak_kib < 64 * 1024, "peak memory {peak_kib} KiB");
    drop(idle);
    let _ = server.output();
}

#[test]
fn the_server_says_when_the_hard_open_file_limit_is_too_low() {
    let mut server = Server::watch({
        let mut cmd = std::process::Command::new("sh");
        cmd.args(["-c", &format!("ulimit -Sn 128 && ulimit -Hn 256 && exec {ASYNC_SERVER} --addr 127.0.0.1:0 --events")]);
        cmd
    });
    let limit = server.wait_for_event("open_files");
    assert_eq!((limit.num("hard"), limit.num("wanted")), (256, 10_032));
    assert_eq!(limit.num("soft"), 256);
    server.wait_for_line("warning: the hard limit on open files is 256");
}
