//! The tests of exercise `std_announcer`, shared by the starter and the
//! solution: `cargo test --example std_announcer_start` runs them against
//! your code.

use super::announce;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::thread;
use std::time::Duration;

use common::{Narrator, Verbosity};
use examples_broadcast::DEFAULT_BROADCAST;
use examples_broadcast::bind_shared;
use examples_broadcast::client::{ListenOptions, listen};
use examples_broadcast::message::Service;

#[test]
fn the_lessons_listener_hears_every_announcement_from_a_std_socket() {
    // The lesson's own listener, on its shared port, in this thread.
    let socket =
        bind_shared(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)), None)
            .unwrap();
    let port = socket.local_addr().unwrap().port();
    let service = Service {
        name: "plain-std".into(),
        port: 8123,
    };
    let sender = {
        let service = service.clone();
        thread::spawn(move || {
            announce(&service, port, 3, Duration::from_millis(100))
        })
    };
    let opts = ListenOptions {
        duration: Duration::from_millis(800),
        ttl: None,
    };
    let heard =
        listen(&socket, &opts, &Narrator::client(Verbosity::Silent)).unwrap();
    let from = sender.join().unwrap().unwrap();
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert_eq!(heard[0].service, service);
    // Announced with a TTL of 1 s (three intervals, at least a second),
    // last heard less than 800 ms ago: still alive.
    assert!(!heard[0].gone);
    // Sent from an ephemeral port, not the discovery port.
    assert_ne!(from, port);
}

#[test]
fn without_so_broadcast_the_same_send_is_refused() {
    let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let err = socket
        .send_to(b"ASOCK/1", (DEFAULT_BROADCAST, 9))
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::PermissionDenied);
}
