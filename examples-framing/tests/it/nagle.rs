//! Demonstration 4: writing a frame's header and body in two writes stalls
//! each round trip for a delayed ACK (about 40 ms on Linux); one write per
//! frame, or TCP_NODELAY, does not.

use std::time::Duration;

use common::testing::{Server, client, event, events};

const SERVER: &str = env!("CARGO_BIN_EXE_framing-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_framing-client");

/// Run `--repeat 12` round trips and return the median the client reports.
fn median(server_args: &[&str], client_args: &[&str]) -> Duration {
    let server = Server::start(SERVER, &[&["-q"], server_args].concat());
    let out = client(CLIENT)
        .args(["--addr", &server.addr_arg(), "--repeat", "12", "--events"])
        .args(client_args)
        .arg("ping")
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let trips = events(&stdout);
    let trips = event(&trips, "round_trips");
    assert_eq!(trips.num("count"), 12, "{stdout}");
    Duration::from_micros(trips.num("median_us"))
}

#[test]
fn split_writes_stall_each_round_trip_for_a_delayed_ack() {
    let split = median(&[], &["--split-writes"]);
    assert!(
        split >= Duration::from_millis(30),
        "split writes: median {split:?}"
    );
    assert!(
        split < Duration::from_millis(250),
        "split writes: median {split:?}"
    );
}

#[test]
fn one_write_per_frame_does_not_stall() {
    let one = median(&[], &[]);
    assert!(one < Duration::from_millis(10), "one write: median {one:?}");
}

#[test]
fn both_sides_splitting_stall_twice() {
    let both = median(&["--split-writes"], &["--split-writes"]);
    assert!(
        both >= Duration::from_millis(60),
        "both split: median {both:?}"
    );
}

#[test]
fn tcp_nodelay_removes_the_stall_but_not_the_extra_write() {
    let nodelay = median(&["--nodelay"], &["--split-writes", "--nodelay"]);
    assert!(
        nodelay < Duration::from_millis(10),
        "split with TCP_NODELAY: median {nodelay:?}"
    );
}
