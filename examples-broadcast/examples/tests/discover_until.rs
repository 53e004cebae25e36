//! The tests of exercise `discover_until`, shared by the starter and the
//! solution: `cargo test --example discover_until_start` runs them against
//! your code.

use super::discover_until;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::{Narrator, Verbosity};
use examples_broadcast::DEFAULT_BROADCAST;
use std::thread;

use examples_broadcast::bind_shared;
use examples_broadcast::message::{MAX_DATAGRAM, Message};
use examples_broadcast::server::{self, Options};

/// A discovery server named `name` on `port` (0: a free one), in a
/// thread, for a few seconds (`--for`). Returns its port.
fn serve(name: &str, port: u16) -> u16 {
    let socket =
        bind_shared(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)), None)
            .unwrap();
    let port = socket.local_addr().unwrap().port();
    let opts = Options {
        name: name.into(),
        serve_for: Some(Duration::from_secs(10)),
        ..Options::default()
    };
    thread::spawn(move || {
        server::serve(&socket, &opts, &Narrator::server(Verbosity::Silent))
    });
    port
}

#[test]
fn a_server_that_starts_late_is_found_by_a_later_query() {
    let port = serve("alpha", 0);
    serve("beta", port);
    // A spy on the same port sees the first query arrive, and only then
    // starts gamma: that query was delivered before gamma's socket
    // existed, so the first round cannot have found it.
    let spy =
        bind_shared(SocketAddr::from((Ipv4Addr::UNSPECIFIED, port)), None)
            .unwrap();
    let late = {
        thread::spawn(move || {
            let mut datagram = [0u8; MAX_DATAGRAM + 1];
            loop {
                let (n, _) = spy.recv_from(&mut datagram).unwrap();
                if let Ok(Message::Query { .. }) =
                    Message::parse(&datagram[..n])
                {
                    return serve("gamma", port);
                }
            }
        })
    };
    let target = SocketAddr::from((DEFAULT_BROADCAST, port));
    let (found, queries) = discover_until(
        target,
        3,
        Duration::from_millis(100),
        Duration::from_secs(10),
    )
    .unwrap();
    late.join().unwrap();
    let names: Vec<&str> =
        found.iter().map(|f| f.service.name.as_str()).collect();
    assert_eq!(names, ["alpha", "beta", "gamma"]);
    assert!(
        queries >= 2,
        "gamma cannot answer the first query, yet {queries} query found it"
    );
}

#[test]
fn when_fewer_answer_the_budget_ends_the_search() {
    let port = serve("alone", 0);
    let target = SocketAddr::from((DEFAULT_BROADCAST, port));
    let started = Instant::now();
    let (found, queries) = discover_until(
        target,
        2,
        Duration::from_millis(100),
        Duration::from_millis(800),
    )
    .unwrap();
    let took = started.elapsed();
    assert_eq!(found.len(), 1);
    // Windows of 100, 200, 400 ms, then what is left of the budget.
    assert!(queries >= 3, "{queries} queries");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(3),
        "{took:?}"
    );
}
