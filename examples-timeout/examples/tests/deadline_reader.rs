//! The tests of exercise `deadline_reader`, shared by the starter and the
//! solution: `cargo test --example deadline_reader_start` runs them against
//! your code.

use super::read_line_by;
use std::io::{self, BufReader};
use std::net::TcpListener;
use std::net::TcpStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::{Narrator, Verbosity};
use examples_timeout::server::{self, Mode};

#[test]
fn a_trickling_server_is_cut_off_at_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = server::Options {
        mode: Mode::Trickle,
        interval: Duration::from_millis(20),
        once: true,
        ..server::Options::default()
    };
    thread::spawn(move || {
        server::serve(listener, &opts, &Narrator::server(Verbosity::Silent))
    });
    // The reader runs in a thread the test can stop waiting for: a reader
    // without a deadline never returns against a trickle.
    let (done, result) = mpsc::channel();
    let started = Instant::now();
    thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        std::io::Write::write_all(&mut stream, b"ping\n").unwrap();
        let read = read_line_by(
            &mut BufReader::new(&stream),
            Duration::from_millis(200),
            started + Duration::from_millis(500),
        );
        done.send(read).unwrap();
    });
    let err = result
        .recv_timeout(Duration::from_secs(5))
        .expect("still reading after 5 s: per-read timeouts alone never fire against a trickle")
        .unwrap_err();
    let took = started.elapsed();
    assert_eq!(err.kind(), io::ErrorKind::TimedOut);
    assert!(
        took >= Duration::from_millis(500)
            && took < Duration::from_millis(1500),
        "{took:?}"
    );
}

#[test]
fn a_prompt_line_comes_back_whole() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = server::Options {
        mode: Mode::Echo,
        once: true,
        ..server::Options::default()
    };
    thread::spawn(move || {
        server::serve(listener, &opts, &Narrator::server(Verbosity::Silent))
    });
    let mut stream = TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut stream, b"ping\n").unwrap();
    let line = read_line_by(
        &mut BufReader::new(&stream),
        Duration::from_secs(2),
        Instant::now() + Duration::from_secs(5),
    )
    .unwrap();
    assert_eq!(line, b"ping\n");
}

#[test]
fn two_lines_in_one_segment_both_survive() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = server::Options {
        mode: Mode::Echo,
        once: true,
        ..server::Options::default()
    };
    thread::spawn(move || {
        server::serve(listener, &opts, &Narrator::server(Verbosity::Silent))
    });
    let mut stream = TcpStream::connect(addr).unwrap();
    std::io::Write::write_all(&mut stream, b"one\ntwo\n").unwrap();
    let mut reader = BufReader::new(&stream);
    let by = Instant::now() + Duration::from_secs(5);
    assert_eq!(
        read_line_by(&mut reader, Duration::from_secs(2), by).unwrap(),
        b"one\n"
    );
    assert_eq!(
        read_line_by(&mut reader, Duration::from_secs(2), by).unwrap(),
        b"two\n"
    );
}
