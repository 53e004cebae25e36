//! `wire`: each lesson's default exchange, run under it, prints the ladder
//! of that run. The captures need root; the last test, which shows what
//! `wire` says without it, runs everywhere.

use std::fs;
use std::process::Command;

use advanced_sockets::capture::ladder::{Ladder, NoteKind};
use common::testing::Server;

use super::{figures_dir, not_root};
use crate::support::workspace_bin;

/// Run `wire FLAGS -- CLIENT ARGS`, and return its exit code and stdout.
fn wire(flags: &[&str], client: &str, args: &[&str]) -> (i32, String) {
    assert!(
        !not_root(),
        "wire captures with tcpdump, which needs root: sudo -E env \"PATH=$PATH\" \
         cargo test --test it -- --ignored wire"
    );
    let out = Command::new(workspace_bin("wire"))
        .args(flags)
        .arg("--")
        .arg(workspace_bin(client))
        .args(args)
        .output()
        .expect("run wire");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "wire said: {stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The ladder rows of wire's output, their times cut off.
fn rows(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| l.contains("|--") || l.contains("|<-"))
        .map(|l| l.get(9..).unwrap_or_default().to_owned())
        .collect()
}

/// The label of each row, `[P.] 22 bytes seq 1 ack 1`, and its direction.
fn labels(rows: &[String]) -> Vec<String> {
    rows.iter()
        .map(|r| {
            let (dir, rest) = match (r.split_once("|--"), r.split_once("|<-")) {
                (Some((_, rest)), _) => ('>', rest),
                (_, Some((_, rest))) => ('<', rest),
                _ => panic!("not a row: {r}"),
            };
            // The label ends where the dashes (or the arrowhead) begin.
            let end = rest
                .find(" -")
                .or_else(|| rest.find(" >"))
                .unwrap_or(rest.len());
            format!("{dir} {}", &rest[..end])
        })
        .collect()
}

#[test]
#[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored wire"]
fn wire_prints_the_half_close_ladder_of_the_shutdown_pair() {
    let server = Server::start(workspace_bin("shutdown-server"), &[]);
    let addr = server.addr().to_string();
    let (code, out) = wire(
        &["-q"],
        "shutdown-client",
        &["--addr", &addr, "hello, half-open world"],
    );
    assert_eq!(code, 0, "{out}");
    // The same rows as the book's half-close figure, states included:
    // its ladder without the calls, drawn for a terminal.
    let text = fs::read_to_string(figures_dir().join("half-close.ladder"))
        .expect("the figure");
    let mut figure = Ladder::parse(&text).expect("parse the figure");
    figure.timing = None;
    let want: Vec<String> = figure
        .rows
        .iter()
        .map(|row| {
            let mut row = row.clone();
            row.notes.retain(|n| n.kind == NoteKind::State);
            figure.ascii_row(&row)
        })
        .collect();
    assert_eq!(rows(&out), want, "{out}");
    let last = format!(
        "wire: {} exited with code 0; 10 packets on port {}\n",
        workspace_bin("shutdown-client").display(),
        server.addr().port()
    );
    assert!(out.ends_with(&last), "{out}");
}

#[test]
#[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored wire"]
fn wire_interleaves_the_clients_narration_with_the_ladder() {
    let server = Server::start(workspace_bin("shutdown-server"), &[]);
    let addr = server.addr().to_string();
    let (code, out) = wire(&[], "shutdown-client", &["--addr", &addr, "hello"]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let at = |needle: &str| {
        lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in:\n{out}"))
    };
    // The SYN comes before connect() returns and its line is printed;
    // the client's last line (the reply) after the server's FIN.
    assert!(at("|--[S] seq 0") < at("[client] connected to"), "{out}");
    assert!(at("|<-[F.]") < at("HELLO"), "{out}");
    // Each narration line carries its time, as the rows do.
    let narration = lines[at("[client] connected to")];
    let time: Option<f64> = narration
        .split_whitespace()
        .next()
        .and_then(|t| t.parse().ok());
    assert!(time.is_some_and(|t| t >= 0.0), "{narration}");
}

#[test]
#[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored wire"]
fn wire_prints_the_echo_of_the_timeout_pair() {
    let server =
        Server::start(workspace_bin("timeout-server"), &["--mode", "echo"]);
    let addr = server.addr().to_string();
    let (code, out) = wire(&["-q"], "timeout-client", &["--addr", &addr]);
    assert_eq!(code, 0, "{out}");
    let labels = labels(&rows(&out));
    assert_eq!(
        labels[..3],
        ["> [S] seq 0", "< [S.] seq 0 ack 1", "> [.] seq 1 ack 1"],
        "{out}"
    );
    // "ping\n" out, the same 5 bytes back.
    let request = labels
        .iter()
        .position(|l| l.starts_with("> [P.] 5 bytes seq 1"));
    let reply = labels
        .iter()
        .position(|l| l.starts_with("< [P.] 5 bytes seq 1 ack 6"));
    assert!(
        request.is_some_and(|q| reply.is_some_and(|r| q < r)),
        "{out}"
    );
    assert!(labels.iter().any(|l| l.starts_with("> [F.]")), "{out}");
    assert!(labels.iter().any(|l| l.starts_with("< [F.]")), "{out}");
}

#[test]
#[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored wire"]
fn wire_prints_one_frame_each_way_for_the_framing_pair() {
    let server = Server::start(workspace_bin("framing-server"), &[]);
    let addr = server.addr().to_string();
    let (code, out) =
        wire(&["-q", "-v"], "framing-client", &["--addr", &addr, "hello"]);
    assert_eq!(code, 0, "{out}");
    let labels = labels(&rows(&out));
    // A 4-byte length and 5 bytes, in one segment each way.
    let data: Vec<&String> =
        labels.iter().filter(|l| l.contains("bytes")).collect();
    assert_eq!(data.len(), 2, "{out}");
    assert!(data[0].starts_with("> [P.] 9 bytes seq 1 ack 1"), "{out}");
    assert!(data[1].starts_with("< [P.] 9 bytes seq 1 ack 10"), "{out}");
    // -v: under each row, where it went, as tcpdump would name it.
    let lines: Vec<&str> = out.lines().collect();
    let first = lines
        .iter()
        .position(|l| l.contains("|--[S]"))
        .expect("a SYN");
    let to_server = format!("> {addr}");
    assert!(lines[first + 1].trim_end().ends_with(&to_server), "{out}");
}

#[test]
#[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored wire"]
fn wire_prints_the_query_and_the_answer_of_the_broadcast_pair() {
    let server = Server::start(
        workspace_bin("broadcast-server"),
        &["--addr", "0.0.0.0:0", "--name", "alpha"],
    );
    let port = server.addr().port().to_string();
    let (code, out) = wire(
        &["-q"],
        "broadcast-client",
        &["discover", "--port", &port, "--wait", "200ms"],
    );
    assert_eq!(code, 0, "{out}");
    let data: Vec<&str> = out.lines().filter(|l| l.contains("udp")).collect();
    assert_eq!(data.len(), 2, "{out}");
    assert!(
        data[0].contains("|--udp "),
        "the query goes out first: {out}"
    );
    assert!(data[1].contains("|<-udp "), "then the answer comes: {out}");
}

#[test]
fn wire_without_root_says_it_needs_root_or_cap_net_raw() {
    let wire = workspace_bin("wire");
    let mut cmd = if not_root() {
        Command::new(&wire)
    } else {
        // As root, drop it: nobody, no capabilities.
        let mut cmd = Command::new("setpriv");
        cmd.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
        ])
        .arg(&wire);
        cmd
    };
    let out = cmd
        .args(["--", "shutdown-client", "hi"])
        .output()
        .expect("run wire");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing ran: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let said = stderr
        .starts_with("error: capturing needs root or CAP_NET_RAW (try sudo)")
        || stderr.starts_with("error: tcpdump is not installed");
    assert!(said, "{stderr}");
}

#[test]
fn wire_names_what_it_cannot_guess_before_capturing() {
    // No port to watch: said at once, before any capture (no root needed).
    let out = Command::new(workspace_bin("wire"))
        .args(["--", "true"])
        .output()
        .expect("run wire");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: which port does true use? say so with --port\n"
    );
    // No client at all: a usage error.
    let out = Command::new(workspace_bin("wire"))
        .output()
        .expect("run wire");
    assert_eq!(out.status.code(), Some(2));
}
