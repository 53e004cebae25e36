//! Point 7: keepalive and TCP_USER_TIMEOUT, configured with socket2 and read
//! back from the kernel. (Seeing a dead peer detected needs packet loss,
//! which loopback cannot give: that proof belongs to the network lab.)

use common::testing::{Server, client};
use predicates::str::contains;

const SERVER: &str = env!("CARGO_BIN_EXE_timeout-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_timeout-client");

#[test]
fn keepalive_settings_are_applied_and_read_back() {
    let server = Server::start(SERVER, &["--mode", "echo"]);
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--keepalive",
            "10s",
            "--keepalive-interval",
            "2s",
            "--keepalive-retries",
            "3",
            "--user-timeout",
            "5s",
            "--events",
        ])
        .assert()
        .success()
        .stdout(contains(
            "[client] event keepalive on=true idle_s=10 interval_s=2 probes=3",
        ))
        .stdout(contains("[client] event user_timeout ms=5000"));
}

#[test]
fn keepalive_alone_keeps_the_kernels_other_defaults() {
    let server = Server::start(SERVER, &["--mode", "echo"]);
    let probes =
        std::fs::read_to_string("/proc/sys/net/ipv4/tcp_keepalive_probes")
            .expect("read the kernel's default probe count");
    client(CLIENT)
        .args([
            "--addr",
            &server.addr_arg(),
            "--keepalive",
            "30s",
            "--events",
        ])
        .assert()
        .success()
        .stdout(contains("[client] event keepalive on=true idle_s=30 "))
        .stdout(contains(format!(" probes={}\n", probes.trim())));
}
