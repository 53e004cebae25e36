//! The network lab's proofs: the lessons' real binaries, run inside the
//! lab's hosts (`ip netns exec`), showing what loopback cannot.
//!
//! They need root, iproute2 and tcpdump, so `cargo test` reports them as
//! ignored, with that reason; `.ci/run` runs them as root with `--ignored`.
//! Asked to run where the lab cannot be built, they fail saying why: a
//! test that did not run never counts as passed.
//!
//! (These tests are compiled into the tour's test binary: cargo runs test
//! binaries one after another, and here their waits overlap the tour's.)

use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use advanced_sockets::lab::{Impairment, Lab};
use common::testing::{Server, client, events};

use std::sync::RwLockReadGuard;

use crate::support::{beside_others, workspace_bin};

/// Build a lab for this test, or fail saying why none can be built here.
pub(crate) fn lab() -> TestLab {
    if let Some(why) = advanced_sockets::lab::unavailable() {
        cannot_run(&format!("the network lab cannot be built here: {why}"));
    }
    // Taken before the lab is built, held until it is torn down.
    let quiet = beside_others();
    match Lab::for_test(&workspace_bin("lab")) {
        Ok(lab) => TestLab { lab, _quiet: quiet },
        Err(e) => panic!("building the lab failed: {e} ({:?})", e.hint()),
    }
}

/// A lab for one test, which never runs beside a timed figure.
pub(crate) struct TestLab {
    lab: Lab,
    _quiet: RwLockReadGuard<'static, ()>,
}

impl std::ops::Deref for TestLab {
    type Target = Lab;
    fn deref(&self) -> &Lab {
        &self.lab
    }
}

fn cannot_run(why: &str) -> ! {
    panic!(
        "{why}; the lab tests need root: sudo -E env \"PATH=$PATH\" cargo \
         test --test it -- --ignored"
    )
}

/// A lesson binary inside `host`.
pub(crate) fn inside(
    lab: &Lab,
    host: &str,
    bin: &str,
    args: &[&str],
) -> Command {
    let mut cmd = lab.command(host, workspace_bin(bin));
    cmd.args(args).args(no_retries(bin, args));
    cmd
}

/// timeout-client reads again after a timeout by default (`--retries 3`):
/// the lab's tests count each timeout, so they ask for none unless they
/// say otherwise.
fn no_retries(bin: &str, args: &[&str]) -> &'static [&'static str] {
    if bin == "timeout-client" && !args.contains(&"--retries") {
        &["--retries", "0"]
    } else {
        &[]
    }
}

/// A client run inside `host`, to completion: (exit code, stdout, stderr).
fn run_inside(
    lab: &Lab,
    host: &str,
    bin: &str,
    args: &[&str],
) -> (i32, String, String) {
    let out = client("ip")
        .args(["netns", "exec", &lab.namespace(host)])
        .arg(workspace_bin(bin))
        .args(args)
        .args(no_retries(bin, args))
        .output()
        .expect("run a client in the lab");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn a_broadcast_reaches_every_server_on_the_lan_and_stops_at_the_router() {
    let lab = lab();
    let mut servers: Vec<Server> = ["h2", "h3", "h4"]
        .into_iter()
        .map(|h| {
            let args = ["--name", h, "--events"];
            Server::spawn(inside(&lab, h, "broadcast-server", &args))
        })
        .collect();
    for to in ["255.255.255.255", "198.51.100.255"] {
        let (code, stdout, stderr) = run_inside(
            &lab,
            "h1",
            "broadcast-client",
            &["discover", "--to", to, "--wait", "500ms", "-q"],
        );
        assert_eq!(code, 0, "{stderr}");
        let found: Vec<(&str, &str)> = stdout
            .lines()
            .map(|l| {
                let words: Vec<&str> = l.split_whitespace().collect();
                (words[0], words[words.len() - 1])
            })
            .collect();
        // Both servers of LAN 1, from their own addresses; not h4, behind
        // the router, which forwards no broadcast (limited or directed).
        assert_eq!(
            found,
            [("h2", "198.51.100.2:7104"), ("h3", "198.51.100.3:7104")],
            "to {to}: {stdout}"
        );
    }
    // The servers saw the querying host's real address.
    for server in &mut servers[..2] {
        let to = server.wait_for_event("answered");
        assert!(to.get("to").starts_with("198.51.100.1:"), "{to:?}");
    }
    assert!(
        servers[2].events().iter().all(|e| e.name != "answered"),
        "h4 heard a broadcast across the router:\n{}",
        servers[2].output()
    );

    // From behind the router, a directed broadcast to LAN 1 is routed to
    // the router, which does not pass it on: Linux forwards directed
    // broadcasts only with bc_forwarding on (RFC 2644: off by default, since
    // they served to amplify floods).
    let from_h4 = || {
        let (code, stdout, stderr) = run_inside(
            &lab,
            "h4",
            "broadcast-client",
            &[
                "discover",
                "--to",
                "198.51.100.255",
                "--wait",
                "500ms",
                "-q",
            ],
        );
        assert_eq!(code, 0, "{stderr}");
        stdout
    };
    assert_eq!(from_h4(), "no services found\n");
    let bc_forwarding = |on: &str| {
        let script = format!(
            "for i in all eth0 eth1; do echo {on} > /proc/sys/net/ipv4/conf/$i/bc_forwarding; done"
        );
        let status = lab.command("r", "sh").args(["-c", &script]).status();
        assert!(status.is_ok_and(|s| s.success()), "set bc_forwarding");
    };
    bc_forwarding("1");
    let names: Vec<String> = from_h4()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect();
    assert_eq!(names, ["h2", "h3"]);
    bc_forwarding("0");
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn ipv6_multicast_with_the_interface_set_reaches_the_group_on_that_link() {
    let lab = lab();
    let group = "ff02::7104%eth0";
    let _servers: Vec<Server> = ["h2", "h3", "h4"]
        .into_iter()
        .map(|h| {
            Server::spawn(inside(
                &lab,
                h,
                "broadcast-server",
                &["--name", h, "--group", group],
            ))
        })
        .collect();
    let (code, stdout, stderr) = run_inside(
        &lab,
        "h1",
        "broadcast-client",
        &["discover", "--group", group, "--wait", "500ms", "-q"],
    );
    assert_eq!(code, 0, "{stderr}");
    let names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names, ["h2", "h3"], "{stdout}");
    // Answers come from each server's link-local address, with the zone.
    for line in stdout.lines() {
        assert!(line.contains("from [fe80::"), "{line}");
    }
    // Without the interface there is no way to say which link: refused.
    let (code, _, stderr) = run_inside(
        &lab,
        "h1",
        "broadcast-client",
        &["discover", "--group", "ff02::7104"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("needs its interface, as in ff02::7104%eth0"),
        "{stderr}"
    );
}

/// `timeout-server` with `args`, listening in h2 on every address, port
/// 7102, where the tests' clients in h1 reach it as 198.51.100.2:7102.
fn timeout_server_in_h2(lab: &Lab, args: &[&str]) -> Server {
    let mut all = vec!["--addr", "0.0.0.0:7102"];
    // The echo, unless a test asks for a mode: the lab's delays are the
    // network's, not the server's (whose default is `--mode slow`).
    if !args.contains(&"--mode") && !args.contains(&"--udp") {
        all.extend(["--mode", "echo"]);
    }
    all.extend_from_slice(args);
    Server::spawn(inside(lab, "h2", "timeout-server", &all))
}

/// A link that holds every frame back 100 ms each way: a round trip of at
/// least 200 ms.
const SLOW_LINK: Impairment = Impairment {
    loss_percent: 0.0,
    delay: Duration::from_millis(100),
};

/// The connections from h1 to h2 that still have data unacknowledged.
fn unacknowledged(lab: &Lab) -> Vec<String> {
    output_in(lab, "h1", &["ss", "-tnH", "dst", "198.51.100.2"])
        .lines()
        .filter(|l| l.split_whitespace().nth(2) != Some("0"))
        .map(str::to_owned)
        .collect()
}

/// How many connections from h1 to h2 are established.
fn established(lab: &Lab) -> usize {
    output_in(
        lab,
        "h1",
        &["ss", "-tnH", "state", "established", "dst", "198.51.100.2"],
    )
    .lines()
    .count()
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn a_dead_peer_is_found_by_keepalive_or_user_timeout_and_never_without() {
    let lab = lab();
    let _server = timeout_server_in_h2(
        &lab,
        &["--mode", "silent", "--idle-timeout", "60s"],
    );
    let to = [
        "--addr",
        "198.51.100.2:7102",
        "--read-timeout",
        "20s",
        "--events",
    ];
    let watch = |extra: &[&str]| {
        let mut cmd = inside(&lab, "h1", "timeout-client", &to);
        cmd.args(extra);
        Server::watch(cmd)
    };
    // Three clients, three ways of waiting on the same vanished peer.
    let mut keepalive = watch(&[
        "--keepalive",
        "1s",
        "--keepalive-interval",
        "1s",
        "--keepalive-retries",
        "3",
    ]);
    let mut plain = watch(&[]);
    let mut user_timeout = watch(&["--pause", "2s", "--user-timeout", "3s"]);
    keepalive.wait_for_event("sent");
    plain.wait_for_event("sent");
    assert_eq!(user_timeout.wait_for_event("pause").num("ms"), 2000);
    // Cut only once h2 has acknowledged both requests: keepalive probes an
    // idle connection, and an unacknowledged one is not idle.
    let by = Instant::now() + Duration::from_secs(10);
    while !unacknowledged(&lab).is_empty() {
        assert!(
            Instant::now() < by,
            "unacknowledged: {:?}",
            unacknowledged(&lab)
        );
        thread::sleep(Duration::from_millis(10));
    }
    lab.cut("h2").expect("cut h2");
    let cut = Instant::now();

    // Keepalive: first probe after 1 s idle, every 1 s; the third
    // unanswered one ends it, about 4 s after the last acknowledged byte.
    assert_eq!(
        keepalive.wait_for_exit(Duration::from_secs(15)).code(),
        Some(1)
    );
    let detected = cut.elapsed();
    let dead = keepalive.wait_for_event("dead");
    assert_eq!(dead.get("by"), "keepalive");
    let after = dead.num("waited_ms") as f64 / 1000.0;
    assert!((3.0..8.0).contains(&after), "keepalive took {after} s");
    keepalive.wait_for_line(
        "error: read the reply: Connection timed out (os error 110)",
    );

    // TCP_USER_TIMEOUT: the request, sent after the cut, is never
    // acknowledged; 3 s later the kernel gives up on the connection.
    assert_eq!(
        user_timeout.wait_for_exit(Duration::from_secs(15)).code(),
        Some(1)
    );
    let dead = user_timeout.wait_for_event("dead");
    assert_eq!(dead.get("by"), "user_timeout");
    let waited = dead.num("waited_ms") as f64 / 1000.0;
    assert!((2.5..8.0).contains(&waited), "user timeout took {waited} s");

    // Without either, ten seconds after the cut the connection still looks
    // established, and the client still waits.
    let ten = Duration::from_secs(10);
    thread::sleep(ten.saturating_sub(cut.elapsed()));
    assert_eq!(
        established(&lab),
        1,
        "only the plain client's connection is left"
    );
    let output = plain.output();
    assert!(!output.contains("error"), "{output}");
    eprintln!(
        "measured: keepalive 1s/1s/3 detected the dead peer {after:.2} s after the last byte \
         ({:.2} s after the cut); TCP_USER_TIMEOUT 3s gave up {waited:.2} s after the send; \
         without either, established after {:.1} s",
        detected.as_secs_f64(),
        cut.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn udp_retries_get_an_answer_across_a_lossy_slow_link() {
    let lab = lab();
    let _server = timeout_server_in_h2(&lab, &["--udp"]);
    let args = [
        "--udp",
        "--addr",
        "198.51.100.2:7102",
        "--read-timeout",
        "100ms",
        "--retries",
        "15",
        "--max-backoff",
        "800ms",
        "--events",
        "ping",
    ];
    // One exchange over the clean link first, so that h1 and h2 know each
    // other's card (ARP) before the loss starts. Otherwise the loss hits
    // the ARP questions too, each lost one costs a whole second, and the
    // attempts below can run out while h1 is still asking (see
    // `first_contact_waits_for_arp_and_a_lost_question_costs_a_second`).
    let (code, stdout, stderr) =
        run_inside(&lab, "h1", "timeout-client", &args);
    assert_eq!(code, 0, "over a clean link: {stdout}{stderr}");
    let lossy = Impairment {
        loss_percent: 30.0,
        ..SLOW_LINK
    };
    lab.impair("h2", lossy).expect("impair h2");
    // A round trip takes at least 200 ms, so a first wait of at most 100 ms
    // always ends in a retry. An attempt is answered when its datagram and
    // the answer both survive (0.7 x 0.7 = 0.49), so 16 attempts fail
    // together about once in 50,000 runs (0.51^16 = 2e-5).
    let (code, stdout, stderr) =
        run_inside(&lab, "h1", "timeout-client", &args);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        stdout.contains("event attempt n=1 end=timeout "),
        "{stdout}"
    );
    assert!(stdout.contains(" end=answered "), "{stdout}");
    assert!(stdout.ends_with("ping\n"), "{stdout}");
}

/// The state of `host`'s neighbour (ARP) entry for `ip`: REACHABLE,
/// INCOMPLETE (asking), FAILED (gave up), or "" for none.
fn neighbour_state(lab: &Lab, host: &str, ip: &str) -> String {
    let shown =
        output_in(lab, host, &["ip", "neigh", "show", ip, "dev", "eth0"]);
    shown
        .split_whitespace()
        .last()
        .unwrap_or_default()
        .to_owned()
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn first_contact_waits_for_arp_and_a_lost_question_costs_a_second() {
    let lab = lab();
    let _server = timeout_server_in_h2(&lab, &["--udp"]);
    lab.impair("h2", SLOW_LINK).expect("slow h2's link");
    let ask = |read_timeout: &str| {
        let args = [
            "--udp",
            "--addr",
            "198.51.100.2:7102",
            "--read-timeout",
            read_timeout,
            "--retries",
            "0",
            "--events",
            "ping",
        ];
        run_inside(&lab, "h1", "timeout-client", &args)
    };
    let answered = |stdout: &str| {
        let answer = events(stdout)
            .into_iter()
            .find(|e| e.name == "attempt" && e.get("end") == "answered")
            .unwrap_or_else(|| panic!("an answer: {stdout}"));
        answer.num("ms") as f64 / 1000.0
    };

    // First contact: before its datagram can leave, h1 asks by ARP which
    // card 198.51.100.2 is. The question and its answer cross the slow link
    // too, so the exchange takes two round trips, the next one only one.
    let (code, stdout, stderr) = ask("5s");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let first = answered(&stdout);
    assert!(first >= 0.4, "first contact in {first} s: {stdout}");
    let (code, stdout, stderr) = ask("5s");
    assert_eq!(code, 0, "{stdout}{stderr}");
    let second = answered(&stdout);
    assert!(
        (0.2..first).contains(&second),
        "the second exchange took {second} s, the first {first} s"
    );

    // A question that gets no answer: h1 forgets the card, h2 is cut off,
    // and one datagram is sent. The kernel asks again every
    // retrans_time_ms, mcast_solicit times in all, then gives up.
    let sysctl = |name: &str| -> f64 {
        let path = format!("/proc/sys/net/ipv4/neigh/eth0/{name}");
        let value = output_in(&lab, "h1", &["cat", &path]);
        value
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{path}: {value:?}"))
    };
    let asks = sysctl("mcast_solicit");
    let every = sysctl("retrans_time_ms") / 1000.0;
    lab.cut("h2").expect("cut h2");
    output_in(&lab, "h1", &["ip", "neigh", "flush", "dev", "eth0"]);
    let sent = Instant::now();
    let (code, stdout, _) = ask("100ms");
    assert_eq!(code, 1, "no answer can come: {stdout}");
    let mut states = Vec::new();
    while sent.elapsed() < Duration::from_secs(15) {
        let state = neighbour_state(&lab, "h1", "198.51.100.2");
        if states.last() != Some(&state) {
            states.push(state.clone());
        }
        if state == "FAILED" {
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let gave_up = sent.elapsed().as_secs_f64();
    assert_eq!(
        states.first().map(String::as_str),
        Some("INCOMPLETE"),
        "h1 asks by ARP first: {states:?}"
    );
    assert_eq!(
        states.last().map(String::as_str),
        Some("FAILED"),
        "and gives up: {states:?}"
    );
    let expected = asks * every;
    assert!(
        (expected * 0.8..expected + 5.0).contains(&gave_up),
        "{asks} questions {every} s apart gave up after {gave_up:.2} s"
    );
    eprintln!(
        "measured: first contact over a 100 ms link answered after {first:.2} s, the next \
         after {second:.2} s; unanswered ARP ({asks} questions, {every} s apart) gave up \
         after {gave_up:.2} s"
    );
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn read_timeouts_and_deadlines_count_real_delay() {
    let lab = lab();
    let _server = timeout_server_in_h2(&lab, &[]);
    lab.impair("h2", SLOW_LINK).expect("slow h2's link");
    let addr = ["--addr", "198.51.100.2:7102", "--events"];
    let client = |extra: &[&str]| {
        let args: Vec<&str> = addr.iter().chain(extra).copied().collect();
        run_inside(&lab, "h1", "timeout-client", &args)
    };
    // A healthy server 200 ms away: a 100 ms read timeout fires every time.
    let (code, stdout, stderr) = client(&["--read-timeout", "100ms"]);
    assert_eq!(code, 1, "{stdout}");
    assert!(
        stderr.contains(
            "error: read timeout: no data from the server for 100 ms"
        ),
        "{stderr}"
    );
    // With 1 s, the reply comes, and the time it reports includes the delay.
    let (code, stdout, _) = client(&["--read-timeout", "1s"]);
    assert_eq!(code, 0, "{stdout}");
    let reply = events(&stdout)
        .into_iter()
        .find(|e| e.name == "reply")
        .unwrap_or_else(|| panic!("a reply: {stdout}"));
    assert_eq!(reply.num("bytes"), 5);
    let took = reply.num("ms") as f64 / 1000.0;
    assert!(took >= 0.2, "a 200 ms round trip answered in {took} s");
    // A deadline counts the whole exchange: the connect's round trip too.
    let (code, _, stderr) = client(&["--deadline", "300ms"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("deadline: the exchange took longer than 300 ms"),
        "{stderr}"
    );
}

/// What `ip netns list` prints: the namespaces that exist.
fn netns_list() -> String {
    let out = Command::new("ip")
        .args(["netns", "list"])
        .output()
        .expect("ip netns list");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What `args` prints when run inside `host`.
fn output_in(lab: &Lab, host: &str, args: &[&str]) -> String {
    let out = Command::new("ip")
        .args(["netns", "exec", &lab.namespace(host)])
        .args(args)
        .output()
        .expect("run a command in the lab");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The root namespace's interfaces, addresses and routes.
fn root_network() -> String {
    let mut all = String::new();
    for args in [
        &["-o", "link"][..],
        &["-o", "addr"],
        &["route", "show", "table", "all"],
        &["-6", "route", "show", "table", "all"],
        &["rule"],
    ] {
        let out = Command::new("ip").args(args).output().expect("run ip");
        all.push_str(&String::from_utf8_lossy(&out.stdout));
    }
    // Counters change with traffic; what must not change is the rest.
    all.lines()
        .map(|l| l.split(" link/").next().unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn the_lab_leaves_the_root_namespace_untouched() {
    let before = root_network();
    let lab = lab();
    let namespaces =
        ["h1", "h2", "h3", "h4", "r", "sw", "wire"].map(|n| lab.namespace(n));
    assert_eq!(root_network(), before, "the lab changed the root namespace");
    let listed = netns_list();
    for ns in &namespaces {
        assert!(listed.contains(ns.as_str()), "{ns} missing: {listed}");
    }
    drop(lab);
    assert_eq!(
        root_network(),
        before,
        "tearing the lab down changed the root namespace"
    );
    let listed = netns_list();
    for ns in &namespaces {
        assert!(!listed.contains(ns.as_str()), "{ns} left behind: {listed}");
    }
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn a_killed_runs_leftovers_are_removed_by_the_next_lab() {
    // A process that has exited: its pid names a dead test run.
    let mut gone = Command::new("true").spawn().expect("run true");
    gone.wait().expect("wait for true");
    let leftover = format!("asock{}x0-h1", gone.id());
    let made = Command::new("ip")
        .args(["netns", "add", &leftover])
        .status()
        .is_ok_and(|s| s.success());
    if !made {
        cannot_run("cannot create a namespace (root is needed)");
    }
    let _lab = lab();
    let listed = netns_list();
    assert!(!listed.contains(&leftover), "{leftover} survived: {listed}");
}

/// The `IgnoredMulti` counter of `host`'s UDP: broadcast and multicast
/// datagrams its kernel received for a port nobody listens on.
fn ignored_multi(lab: &Lab, host: &str) -> u64 {
    let text = output_in(lab, host, &["cat", "/proc/net/snmp"]);
    let mut udp = text.lines().filter(|l| l.starts_with("Udp:"));
    let (names, values) = (
        udp.next().expect("Udp names"),
        udp.next().expect("Udp values"),
    );
    let at = names
        .split_whitespace()
        .position(|n| n == "IgnoredMulti")
        .expect("an IgnoredMulti counter");
    values
        .split_whitespace()
        .nth(at)
        .and_then(|v| v.parse().ok())
        .expect("a number")
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn one_broadcast_frame_reaches_every_host_and_costs_even_those_not_listening() {
    let lab = lab();
    if Command::new("tcpdump").arg("--version").output().is_err() {
        cannot_run("tcpdump is not installed (apt-get install tcpdump)");
    }
    // Watch h1 send and h2 receive, at the Ethernet level (-e).
    let capture = |host: &str| {
        let mut cmd = lab.command(host, "tcpdump");
        cmd.args(["-l", "-n", "-e", "-i", "eth0", "udp port 7104"]);
        let mut tcpdump = Server::watch(cmd);
        tcpdump.wait_for_line("listening on eth0");
        tcpdump
    };
    let mut sender = capture("h1");
    let mut receiver = capture("h2");
    let deaf_before = ignored_multi(&lab, "h3");
    let (code, _, stderr) = run_inside(
        &lab,
        "h1",
        "broadcast-client",
        &["discover", "--to", "255.255.255.255", "--wait", "300ms"],
    );
    assert_eq!(code, 0, "{stderr}");
    // One frame leaves h1, addressed to every card on the LAN...
    let sent = sender.wait_for_line("> ff:ff:ff:ff:ff:ff");
    // ...and the same frame arrives at h2, which has no server either.
    let arrived = receiver.wait_for_line("> ff:ff:ff:ff:ff:ff");
    let mac = |line: &str| line.split_whitespace().nth(1).map(str::to_owned);
    assert_eq!(mac(&sent), mac(&arrived), "{sent}\n{arrived}");
    // The client has exited, so h1 sent whatever it was going to send; a
    // moment more lets a second frame, if there were one, reach the pipe.
    thread::sleep(Duration::from_millis(200));
    let frames = sender
        .output()
        .lines()
        .filter(|l| l.contains("ff:ff:ff:ff:ff:ff"))
        .count();
    assert_eq!(
        frames,
        1,
        "h1 sent the broadcast once:\n{}",
        sender.output()
    );
    // h3 runs nothing on the port, yet its kernel took the datagram in,
    // looked for a socket, and counted it as ignored.
    assert_eq!(ignored_multi(&lab, "h3"), deaf_before + 1);
}

#[test]
#[ignore = "needs root, iproute2 and tcpdump: sudo -E env PATH=$PATH cargo test --test it -- --ignored"]
fn the_lab_command_refuses_bad_input_clearly() {
    let lab_bin = workspace_bin("lab");
    client(&lab_bin)
        .args(["loss", "h2", "150%"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "\"150%\" is not a percentage from 0% to 100%",
        ));
    client(&lab_bin)
        .args(["exec", "h9", "--", "true"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "error: no node \"h9\" in the lab: h1, h2, h3, h4, r or sw",
        ));
    // The learner's lab is not up (unless someone on this machine brought
    // it up, in which case there is nothing to refuse).
    if !advanced_sockets::lab::exists(advanced_sockets::lab::LEARNER_PREFIX) {
        client(&lab_bin)
            .args(["cut", "h2"])
            .assert()
            .code(1)
            .stderr(predicates::str::contains("error: the lab is not up"))
            .stderr(predicates::str::contains(
                "hint: build it first: sudo lab up",
            ));
    }
}
