//! The tests of exercise `gentle_close`, shared by the starter and the
//! solution: `cargo test --example gentle_close_start` runs them against your
//! code.

use super::close_gently;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

#[test]
fn a_gentle_close_drains_to_the_fin_and_the_peer_sees_no_reset() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (mut ours, _) = listener.accept().unwrap();
    peer.write_all(&[b'x'; 100]).unwrap();
    peer.shutdown(Shutdown::Write).unwrap();
    ours.write_all(b"refused\n").unwrap();
    let drained = close_gently(ours, 1 << 20, Duration::from_secs(5)).unwrap();
    assert_eq!(drained, 100);
    let mut heard = Vec::new();
    // A clean end: the refusal, then EOF, no ConnectionReset.
    peer.read_to_end(&mut heard).unwrap();
    assert_eq!(heard, b"refused\n");
}

#[test]
fn a_peer_that_never_stops_is_cut_off_by_the_budget() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (ours, _) = listener.accept().unwrap();
    let flood =
        thread::spawn(move || while peer.write_all(&[b'y'; 4096]).is_ok() {});
    let drained =
        close_gently(ours, 64 * 1024, Duration::from_secs(5)).unwrap();
    assert_eq!(drained, 64 * 1024);
    flood.join().unwrap();
}
