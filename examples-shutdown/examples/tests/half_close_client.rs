//! The tests of exercise `half_close_client`, shared by the starter and the
//! solution: `cargo test --example half_close_client_start` runs them against
//! your code.

use super::exchange;
use std::net::TcpListener;
use std::thread;

use common::{Narrator, Verbosity};
use examples_shutdown::{reply_to, server};

#[test]
fn the_whole_reply_comes_back_from_the_real_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let opts = server::Options {
        once: true,
        ..server::Options::default()
    };
    let serving = thread::spawn(move || {
        server::serve(listener, &opts, &Narrator::server(Verbosity::Silent))
    });
    let request = b"two\nlines of request".repeat(1000);
    assert_eq!(exchange(addr, &request).unwrap(), reply_to(&request));
    assert!(serving.join().unwrap().is_ok());
}
