//! Hardening: --max-memory bounds what all connections together hold. A
//! frame larger than the reader's first buffer waits for room, reading
//! nothing meanwhile, resumes once it has it, and is refused politely if
//! none comes within --idle-timeout.

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::time::Duration;

use common::testing::{Event, Server, client, hostile};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

/// Room for one largest frame of 64 KiB (its buffer, reply and encoded
/// reply: 320 KiB) and a second connection's first 32 KiB, not for two
/// largest frames.
const ONE_LARGE: [&str; 4] = ["--max-frame", "64KiB", "--max-memory", "370KiB"];

/// Send the first 20 KiB of a 40 KiB frame: more than the reader's first
/// 8 KiB buffer holds, so the connection takes the room of a largest frame.
fn large_frame_in_progress(server: &mut Server) -> TcpStream {
    let mut stream = TcpStream::connect(server.addr()).expect("connect");
    stream
        .write_all(&40_960u32.to_be_bytes())
        .expect("send a header");
    stream.write_all(&[b'a'; 20 * 1024]).expect("send 20 KiB");
    let large = |e: &Event| e.conn == Some(1) && e.num("in_use") > 300 * 1024;
    server.wait_for_event_where("memory", large);
    stream
}

#[test]
fn a_large_frame_waits_for_room_and_resumes_once_another_is_done() {
    let args = [&["--events"][..], &ONE_LARGE].concat();
    let mut server = Server::start(SERVER, &args);
    let mut first = large_frame_in_progress(&mut server);
    let second = std::thread::spawn({
        let addr = server.addr_arg();
        let message = "b".repeat(20 * 1024);
        move || {
            client(CLIENT)
                .args(["--addr", &addr, "-q", &message])
                .output()
        }
    });
    let wait =
        server.wait_for_event_where("memory_wait", |e| e.conn == Some(2));
    assert!(wait.num("in_use") > 300 * 1024, "{wait:?}");
    // The first frame's rest, and the end of its connection: its room is
    // free, and the second frame, kept while it waited, resumes.
    first.write_all(&[b'a'; 20 * 1024]).expect("send the rest");
    first.shutdown(Shutdown::Write).expect("shutdown(Write)");
    let out = second.join().expect("the second client").expect("run it");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.stdout,
        [&"b".repeat(20 * 1024)[..], "\n"].concat().as_bytes()
    );
    let frame = server.wait_for_event_where("frame", |e| e.conn == Some(2));
    assert_eq!(frame.num("bytes"), 20 * 1024);
}

#[test]
fn a_large_frame_with_no_room_within_the_idle_timeout_is_refused_politely() {
    let args =
        [&["--events", "--idle-timeout", "500ms"][..], &ONE_LARGE].concat();
    let mut server = Server::start(SERVER, &args);
    let first = large_frame_in_progress(&mut server);
    // The first client must hold its room past the second's wait, which is
    // as long as its own idle timeout: a byte every 100 ms keeps it from
    // being idle (its frame stays far from complete).
    let busy = hostile::keep_busy(&first, b'a', Duration::from_millis(100));
    let message = "b".repeat(20 * 1024);
    client(CLIENT)
        .args(["--addr", &server.addr_arg(), &message])
        .assert()
        .code(1)
        .stderr(contains("server busy: no memory for the frame"));
    let refused = server.wait_for_event_where("refused", |e| e.conn == Some(2));
    assert_eq!(refused.get("why"), "memory");
    let drained = server.wait_for_event_where("drained", |e| e.conn == Some(2));
    assert_eq!(drained.get("end"), "eof");
    drop((busy, first));
}

#[test]
fn a_budget_too_small_for_one_largest_frame_is_refused_at_start() {
    client(SERVER)
        .args(["--addr", "127.0.0.1:0", "--max-memory", "1MiB"])
        .assert()
        .code(1)
        .stderr(contains("error: --max-memory 1 MiB cannot hold one frame"));
}
