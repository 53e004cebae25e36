//! The book's figures, from the wire: each test runs the pair a figure
//! shows on loopback while capturing, reduces the capture to a ladder, and
//! fails when it differs from the committed `docs/src/figures/NAME.ladder`,
//! printing both. `BLESS=1` rewrites the ladder and its SVG instead.
//!
//! Capturing needs root (or CAP_NET_RAW) and tcpdump, so `cargo test`
//! reports these as ignored, with that reason; `.ci/run` runs them as root
//! with `--ignored`. [`every_svg_is_drawn_from_its_ladder`] needs neither,
//! and runs everywhere.
//!
//! `FIGURE_DEBUG=1` prints every packet a figure captured, before the
//! reduction.
//!
//! (Compiled into the tour's test binary, as the lab's tests are, so that
//! CI's `--ignored` run covers them, and their waits overlap the tour's.)

use std::fs;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use advanced_sockets::capture::Capture;
use advanced_sockets::capture::ladder::{Call, Ladder, Spec, Timing, reduce};
use advanced_sockets::capture::svg;
use common::testing::{ClosedPort, Server};

use crate::support::{alone, beside_others, workspace_bin};

mod lab;
mod wire;

/// One figure: the pair to run and what to write beside its rows.
struct Figure {
    name: &'static str,
    about: &'static [&'static str],
    /// The servers and their arguments, the first on port 0 (the others
    /// on its port: `PORT` in their arguments); none: a closed port.
    servers: &'static [(&'static str, &'static [&'static str])],
    /// The client and its arguments: `PORT` and `ADDR` stand for the
    /// first server's; with neither, `--addr ADDR` comes first.
    client: (&'static str, &'static [&'static str]),
    /// The client's exit code.
    exit: i32,
    /// Whether the server exits after the exchange (`--once`): then the
    /// capture ends after it has, so nothing it sends last is missed.
    once: bool,
    /// Capture from before the servers start, what this tcpdump filter
    /// matches (`None`: from after, the first server's port).
    early: Option<&'static str>,
    /// The columns, and which one a socket belongs to, given the port.
    hosts: [&'static str; 2],
    host_of: fn(SocketAddr, u16) -> Option<usize>,
    timing: Option<Timing>,
    calls: &'static [Call],
}

/// The usual columns: the server's port is the server, any other the
/// client.
const PAIR: [&str; 2] = ["client", "server"];
fn by_port(a: SocketAddr, port: u16) -> Option<usize> {
    Some(usize::from(a.port() == port))
}

fn figures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/figures")
}

/// `args` with `PORT` and `ADDR` replaced.
fn fill(args: &[&str], addr: SocketAddr) -> Vec<String> {
    let port = addr.port().to_string();
    args.iter()
        .map(|a| match *a {
            "ADDR" => addr.to_string(),
            a => a.replace("PORT", &port),
        })
        .collect()
}

/// Run the figure's pair while capturing, and reduce what was seen.
fn capture(f: &Figure) -> Ladder {
    let cannot = |e| -> Capture {
        panic!("cannot capture: {e}; the figures' tests need root and tcpdump")
    };
    let early = f.early.map(|filter| {
        Capture::loopback_matching(filter).unwrap_or_else(cannot)
    });
    let closed = ClosedPort::new();
    let mut servers: Vec<Server> = Vec::new();
    let mut addr = closed.addr();
    for (i, (bin, args)) in f.servers.iter().enumerate() {
        let server = Server::start(
            workspace_bin(bin),
            &fill(args, addr)
                .iter()
                .map(String::as_str)
                .collect::<Vec<_>>(),
        );
        if i == 0 {
            addr = server.addr();
        }
        servers.push(server);
    }
    let capture = early.unwrap_or_else(|| {
        Capture::loopback(addr.port()).unwrap_or_else(cannot)
    });
    let mut client = Command::new(workspace_bin(f.client.0));
    if !f
        .client
        .1
        .iter()
        .any(|a| a.contains("PORT") || *a == "ADDR")
    {
        client.args(["--addr", &addr.to_string()]);
    }
    let out = client
        .args(fill(f.client.1, addr))
        .output()
        .expect("run the client");
    assert_eq!(
        out.status.code(),
        Some(f.exit),
        "{}: {}",
        f.name,
        String::from_utf8_lossy(&out.stderr)
    );
    if f.once {
        // Its exit status is another test's business; here, only that
        // nothing it sends last is left out.
        for server in &mut servers {
            server.wait_for_exit(Duration::from_secs(10));
        }
    }
    // A server that stays up may still owe a delayed ACK (a silent one,
    // for the client's FIN): the capture ends once the wire is quiet.
    let quiet = Duration::from_millis(if f.once { 0 } else { 250 });
    let packets = capture
        .finish_when_quiet(quiet)
        .expect("finish the capture");
    let port = addr.port();
    if std::env::var_os("FIGURE_DEBUG").is_some() {
        eprintln!("{}: port {port}: {packets:#?}", f.name);
    }
    let host_of = |a: SocketAddr| (f.host_of)(a, port);
    let spec = Spec {
        about: f.about,
        name: f.name,
        hosts: &f.hosts,
        host_of: &host_of,
        timing: f.timing,
        calls: f.calls,
    };
    reduce(&packets, &spec).unwrap_or_else(|e| {
        let bare = Spec { calls: &[], ..spec };
        let seen = reduce(&packets, &bare).map(|l| l.text());
        panic!("{e}; the capture:\n{}", seen.unwrap_or_else(|e| e))
    })
}

/// Capture the figure, and compare (or, with `BLESS=1`, rewrite).
fn check(f: &Figure) {
    if not_root() {
        panic!(
            "the figures' tests capture with tcpdump, which needs root: \
             sudo -E env \"PATH=$PATH\" cargo test --test it -- --ignored figure"
        );
    }
    // A timed figure compares gaps between segments: it captures alone.
    let committed = figures_dir().join(format!("{}.ladder", f.name));
    let timed = fs::read_to_string(committed)
        .is_ok_and(|text| text.lines().any(|l| l.starts_with("timed ")));
    let _quiet = if timed {
        (Some(alone()), None)
    } else {
        (None, Some(beside_others()))
    };
    verify(&capture(f));
}

/// Compare a fresh capture with the committed figure of its name (or,
/// with `BLESS=1`, rewrite that).
fn verify(fresh: &Ladder) {
    let ladder = figures_dir().join(format!("{}.ladder", fresh.name));
    if std::env::var_os("BLESS").is_some() {
        // Drawn from the text, as the check without root redraws it.
        let text = fresh.text();
        let parsed = Ladder::parse(&text).unwrap_or_else(|e| panic!("{e}"));
        let drawn = svg::render(&parsed).unwrap_or_else(|e| panic!("{e}"));
        fs::write(&ladder, text).expect("write the ladder");
        fs::write(ladder.with_extension("svg"), drawn).expect("write the svg");
        return;
    }
    let text = fs::read_to_string(&ladder)
        .unwrap_or_else(|e| panic!("{ladder:?}: {e}; BLESS=1 writes it"));
    let committed =
        Ladder::parse(&text).unwrap_or_else(|e| panic!("{ladder:?}: {e}"));
    let why = if committed.about != fresh.about {
        Some("the figure's description changed".to_owned())
    } else {
        committed.differs(fresh)
    };
    if let Some(why) = why {
        panic!(
            "{}: the wire no longer matches the book's figure: {why}\n\
             --- committed ({ladder:?})\n{}--- captured now\n{}\
             (BLESS=1 rewrites the figure, if the change is right)",
            fresh.name,
            committed.text(),
            fresh.text()
        );
    }
}

/// Whether this process lacks root (the only way these tests capture).
fn not_root() -> bool {
    // /proc/self/status: "Uid: real effective saved fs".
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let effective = status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1).map(str::to_owned));
    effective.as_deref() != Some("0")
}

#[test]
fn every_svg_is_drawn_from_its_ladder() {
    let dir = figures_dir();
    let mut ladders = 0;
    let mut names = Vec::new();
    for entry in fs::read_dir(&dir).expect("docs/src/figures") {
        let path = entry.expect("an entry").path();
        match path.extension().and_then(|e| e.to_str()) {
            Some("ladder") => {}
            Some("svg") => {
                assert!(
                    path.with_extension("ladder").is_file(),
                    "{path:?} has no ladder: every figure is drawn from one"
                );
                continue;
            }
            _ => panic!(
                "{path:?}: the figures directory holds ladders and SVGs only"
            ),
        }
        ladders += 1;
        let text = fs::read_to_string(&path).expect("read the ladder");
        let ladder =
            Ladder::parse(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"));
        assert_eq!(
            ladder.text(),
            text,
            "{path:?} is not in its canonical form"
        );
        let stem = path.file_stem().and_then(|s| s.to_str()).expect("a name");
        assert_eq!(ladder.name, stem, "{path:?} names another figure");
        assert!(
            names_all().any(|n| n == stem),
            "{path:?}: no test captures this figure"
        );
        let drawn = svg::render(&ladder).unwrap_or_else(|e| panic!("{e}"));
        let svg_path = path.with_extension("svg");
        let committed = fs::read_to_string(&svg_path).unwrap_or_default();
        assert!(
            committed == drawn,
            "{svg_path:?} was not drawn from {path:?}: BLESS=1 on the figure's test redraws it"
        );
        names.push(stem.to_owned());
    }
    for name in names_all() {
        assert!(
            names.iter().any(|n| n == name),
            "figure {name} has no committed ladder: BLESS=1 writes it"
        );
    }
    assert_eq!(ladders, names_all().count());
}

/// A test that captures the figure `$figure` and compares it.
macro_rules! figure_test {
    ($test:ident, $figure:ident) => {
        #[test]
        #[ignore = "needs root and tcpdump to capture: sudo -E env PATH=$PATH cargo test --test it -- --ignored figure"]
        fn $test() {
            check(&$figure);
        }
    };
}

/// The name of every figure: loopback's, and the network lab's.
fn names_all() -> impl Iterator<Item = &'static str> {
    FIGURES.iter().map(|f| f.name).chain(lab::FIGURES)
}

/// Every figure, for the check that each committed one has its test.
const FIGURES: &[&Figure] = &[
    &HALF_CLOSE,
    &NO_SHUTDOWN,
    &CLOSE_EARLY,
    &LINGERING_CLOSE,
    &ABORT,
    &WRITE_AFTER_SHUTDOWN,
    &NAGLE_SPLIT,
    &NAGLE_ONE_WRITE,
    &NAGLE_NODELAY,
    &CONNECT_TIMEOUT,
    &CONNECT_REFUSED,
    &MID_MESSAGE,
    &UDP_RETRY,
    &KEEPALIVE,
    &DISCOVERY,
    &ANNOUNCEMENTS,
];

const HALF_CLOSE: Figure = Figure {
    name: "half-close",
    about: &[
        "The half-close: the request, the client's FIN (shutdown(Write)),",
        "the reply, the server's FIN. Each side's TCP state where it changes.",
    ],
    servers: &[("shutdown-server", &["--once"])],
    client: ("shutdown-client", &["hello, half-open world"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: None,
    calls: &[
        Call::new("client", "S", "client", "connect()"),
        Call::new("client", "P", "client", "write_all(22 bytes)"),
        Call::new("client", "F", "client", "shutdown(Write)"),
        Call::new("client", "F", "server", "read() = 0"),
        Call::new("server", "P", "server", "write_all(50 bytes)"),
        Call::new("server", "P", "client", "read() = 50"),
        Call::new("server", "F", "server", "shutdown(Write)"),
        Call::new("server", "F", "client", "read() = 0"),
    ],
};

figure_test!(figure_half_close, HALF_CLOSE);

const NO_SHUTDOWN: Figure = Figure {
    name: "no-shutdown",
    about: &[
        "Without shutdown(Write): the request is sent, but no FIN says it is",
        "complete, so both sides wait until the client's read timeout.",
    ],
    servers: &[("shutdown-server", &["--once"])],
    client: (
        "shutdown-client",
        &["--no-shutdown", "--read-timeout", "300ms", "hello"],
    ),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: true,
    timing: Some(Timing {
        percent: 50,
        ms: 60,
    }),
    calls: &[
        Call::new("client", "P", "client", "write_all(5 bytes)"),
        Call::new("client", "P", "server", "read() waits"),
        Call::new("client", "F", "client", "timed out; close()"),
        Call::new("client", "F", "server", "read() = 0"),
        Call::new("server", "P", "server", "write_all(reply)"),
        Call::new("client", "R", "server", "reply lost: RST"),
    ],
};

figure_test!(figure_no_shutdown, NO_SHUTDOWN);

const CLOSE_EARLY: Figure = Figure {
    name: "close-early",
    about: &[
        "A close with unread data: the server refuses a request longer than",
        "16 bytes and closes with the rest unread, so its kernel sends RST.",
    ],
    servers: &[(
        "shutdown-server",
        &[
            "--once",
            "--max-request",
            "16",
            "--close-early",
            "--read-delay",
            "100ms",
        ],
    )],
    client: ("shutdown-client", &["more than sixteen bytes"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: true,
    timing: None,
    calls: &[
        Call::new("client", "P", "client", "write_all(23 bytes)"),
        Call::new("client", "F", "client", "shutdown(Write)"),
        Call::new("server", "P", "server", "write_all(refusal)"),
        Call::new("server", "R", "server", "close(), 6 unread"),
        Call::new("server", "R", "client", "read(): reset"),
    ],
};

figure_test!(figure_close_early, CLOSE_EARLY);

const LINGERING_CLOSE: Figure = Figure {
    name: "lingering-close",
    about: &[
        "The lingering close: the server refuses, shuts down its write side,",
        "reads to the client's FIN, then closes: a FIN, not an RST.",
    ],
    servers: &[(
        "shutdown-server",
        &["--once", "--max-request", "16", "--read-delay", "100ms"],
    )],
    client: ("shutdown-client", &["more than sixteen bytes"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: true,
    timing: None,
    calls: &[
        Call::new("client", "P", "client", "write_all(23 bytes)"),
        Call::new("client", "F", "client", "shutdown(Write)"),
        Call::new("server", "P", "server", "write_all(refusal)"),
        Call::new("server", "F", "server", "shutdown(Write)"),
        Call::new("server", "F", "client", "read() = 0"),
    ],
};

figure_test!(figure_lingering_close, LINGERING_CLOSE);

const ABORT: Figure = Figure {
    name: "abort",
    about: &[
        "The abortive close: after its reply the server sets SO_LINGER 0,",
        "and close() sends RST instead of FIN.",
    ],
    servers: &[("shutdown-server", &["--once", "--abort"])],
    client: ("shutdown-client", &["hello, half-open world"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: true,
    timing: None,
    calls: &[
        Call::new("client", "F", "client", "shutdown(Write)"),
        Call::new("client", "F", "server", "read() = 0"),
        Call::new("server", "P", "server", "write_all(reply)"),
        Call::new("server", "R", "server", "SO_LINGER 0, close()"),
        Call::new("server", "R", "client", "read(): reset"),
    ],
};

figure_test!(figure_abort, ABORT);

const WRITE_AFTER_SHUTDOWN: Figure = Figure {
    name: "write-after-shutdown",
    about: &[
        "A write after shutdown(Write) fails at once (BrokenPipe), and sends",
        "nothing: no segment follows the FIN, and the reply still comes.",
    ],
    servers: &[("shutdown-server", &["--once"])],
    client: ("shutdown-client", &["--write-after-shutdown", "hello"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: None,
    calls: &[
        Call::new("client", "F", "client", "shutdown(Write)"),
        // "F." rather than "F": another call, on the same row.
        Call::new("client", "F.", "client", "write(): EPIPE"),
        Call::new("server", "P", "client", "read() = 32"),
    ],
};

figure_test!(figure_write_after_shutdown, WRITE_AFTER_SHUTDOWN);

/// Gaps within 50% or 12 ms: a 40 ms delayed ACK stands out from a few
/// microseconds either way.
const NAGLE_TIMING: Option<Timing> = Some(Timing {
    percent: 50,
    ms: 12,
});

const NAGLE_SPLIT: Figure = Figure {
    name: "nagle-split",
    about: &[
        "Nagle meets delayed ACK: two requests, each a 4-byte header and a",
        "4-byte body in two writes. The second stalls for the delayed ACK.",
    ],
    servers: &[("framing-server", &["--once"])],
    client: (
        "framing-client",
        &["--repeat", "2", "--split-writes", "ping"],
    ),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: NAGLE_TIMING,
    calls: &[
        Call::new("client", "P", "client", "write(header)"),
        Call::new("client", "P", "client", "write(body)"),
        Call::new("server", "P", "server", "write(reply)"),
        Call::new("client", "P", "client", "write(header)"),
        Call::new("server", "=.", "server", "delayed ACK, 40 ms"),
        Call::new("client", "P", "client", "body (held till ACK)"),
        Call::new("server", "P", "server", "write(reply)"),
    ],
};

figure_test!(figure_nagle_split, NAGLE_SPLIT);

const NAGLE_ONE_WRITE: Figure = Figure {
    name: "nagle-one-write",
    about: &[
        "The fix: one write per frame. Each 8-byte request is one segment,",
        "and its reply follows at once.",
    ],
    servers: &[("framing-server", &["--once"])],
    client: ("framing-client", &["--repeat", "2", "ping"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: NAGLE_TIMING,
    calls: &[
        Call::new("client", "P", "client", "write(frame)"),
        Call::new("server", "P", "server", "write(reply)"),
        Call::new("client", "P", "client", "write(frame)"),
        Call::new("server", "P", "server", "write(reply)"),
    ],
};

figure_test!(figure_nagle_one_write, NAGLE_ONE_WRITE);

const NAGLE_NODELAY: Figure = Figure {
    name: "nagle-nodelay",
    about: &[
        "TCP_NODELAY with the two writes: no stall, but each frame still",
        "leaves as two segments.",
    ],
    servers: &[("framing-server", &["--once"])],
    client: (
        "framing-client",
        &["--repeat", "2", "--split-writes", "--nodelay", "ping"],
    ),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: NAGLE_TIMING,
    calls: &[
        Call::new("client", "P", "client", "write(header)"),
        Call::new("client", "P", "client", "write(body)"),
        Call::new("server", "P", "server", "write(reply)"),
        Call::new("client", "P", "client", "write(header)"),
        Call::new("client", "P", "client", "write(body)"),
        Call::new("server", "P", "server", "write(reply)"),
    ],
};

figure_test!(figure_nagle_nodelay, NAGLE_NODELAY);

const CONNECT_TIMEOUT: Figure = Figure {
    name: "connect-timeout",
    about: &[
        "A connect to a full accept queue: the server's kernel drops each SYN,",
        "the client's sends it again after 1 s, and the connect timeout ends it.",
    ],
    servers: &[("timeout-server", &["--mode", "full"])],
    client: ("timeout-client", &["--connect-timeout", "1500ms"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: false,
    timing: Some(Timing {
        percent: 30,
        ms: 100,
    }),
    calls: &[
        Call::new("client", "S", "client", "connect()"),
        Call::new("client", "S", "client", "again, after 1 s"),
    ],
};

figure_test!(figure_connect_timeout, CONNECT_TIMEOUT);

const CONNECT_REFUSED: Figure = Figure {
    name: "connect-refused",
    about: &[
        "A connect to a port where nothing listens: the kernel answers the",
        "SYN with RST at once, and connect() fails: ConnectionRefused.",
    ],
    servers: &[],
    client: ("timeout-client", &["--connect-timeout", "1500ms"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: false,
    timing: None,
    calls: &[
        Call::new("client", "S", "client", "connect()"),
        Call::new("server", "R", "client", "ConnectionRefused"),
    ],
};

figure_test!(figure_connect_refused, CONNECT_REFUSED);

const MID_MESSAGE: Figure = Figure {
    name: "mid-message",
    about: &[
        "A timeout in the middle of a frame: the client sends 9 of 18 bytes",
        "and pauses; the server's 100 ms reads time out, keeping what came.",
    ],
    servers: &[("framing-server", &["--once", "--read-timeout", "100ms"])],
    client: ("framing-client", &["--stall", "250ms", "hello, framing"]),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: true,
    timing: Some(Timing {
        percent: 40,
        ms: 12,
    }),
    calls: &[
        Call::new("client", "P", "client", "write(9 bytes)"),
        Call::new("client", "P", "server", "read() = 9"),
        Call::new("client", "P", "client", "write(9 bytes)"),
        Call::new("client", "P", "server", "2 timeouts, 9 kept"),
        Call::new("server", "P", "server", "write(reply)"),
    ],
};

figure_test!(figure_mid_message, MID_MESSAGE);

const UDP_RETRY: Figure = Figure {
    name: "udp-retry",
    about: &[
        "UDP retry with backoff: the server drops the first two requests;",
        "the client waits 100 ms, then a jittered 100 to 200 ms, then answer.",
    ],
    servers: &[("timeout-server", &["--udp", "--drop-first", "2"])],
    client: (
        "timeout-client",
        &["--udp", "--retries", "4", "--read-timeout", "100ms"],
    ),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 0,
    once: false,
    // The third wait is drawn from [100, 200] ms: any two draws are
    // within 100% of each other.
    timing: Some(Timing {
        percent: 100,
        ms: 20,
    }),
    calls: &[
        Call::new("client", "udp", "client", "send_to(request)"),
        Call::new("client", "udp", "server", "dropped"),
        Call::new("client", "udp", "client", "after 100 ms: again"),
        Call::new("client", "udp", "server", "dropped"),
        Call::new("client", "udp", "client", "again, jittered"),
        Call::new("server", "udp", "server", "send_to(reply)"),
    ],
};

figure_test!(figure_udp_retry, UDP_RETRY);

const KEEPALIVE: Figure = Figure {
    name: "keepalive",
    about: &[
        "Keepalive against a silent server: after 1 s idle, a probe each",
        "second, one below what the peer acknowledged; each is answered.",
    ],
    servers: &[("timeout-server", &["--mode", "silent"])],
    client: (
        "timeout-client",
        &[
            "--keepalive",
            "1s",
            "--keepalive-interval",
            "1s",
            "--read-timeout",
            "2500ms",
            "--retries",
            "0",
        ],
    ),
    hosts: PAIR,
    early: None,
    host_of: by_port,
    exit: 1,
    once: false,
    timing: Some(Timing {
        percent: 30,
        ms: 100,
    }),
    calls: &[
        Call::new("client", "P", "client", "write_all(5 bytes)"),
        Call::new("client", "=.", "client", "(kernel) probe"),
        Call::new("server", "=.", "server", "(kernel) ACK"),
        Call::new("client", "=.", "client", "(kernel) probe"),
        Call::new("server", "=.", "server", "(kernel) ACK"),
        Call::new("client", "F", "client", "timed out; close()"),
    ],
};

figure_test!(figure_keepalive, KEEPALIVE);

/// The discovery port is the servers' column, the client's port its own.
const DISCOVERY_HOSTS: [&str; 2] = ["client", "servers"];

const DISCOVERY: Figure = Figure {
    name: "discovery",
    about: &[
        "Discovery on loopback: one query to 127.255.255.255, which the kernel",
        "copies to the three servers sharing the port; three unicast answers.",
    ],
    // Names and service ports of one length: the three answers are the
    // same size, whichever comes first.
    servers: &[
        (
            "broadcast-server",
            &["--addr", "0.0.0.0:0", "--name", "alpha"],
        ),
        (
            "broadcast-server",
            &["--addr", "0.0.0.0:PORT", "--name", "gamma"],
        ),
        (
            "broadcast-server",
            &["--addr", "0.0.0.0:PORT", "--name", "delta"],
        ),
    ],
    client: (
        "broadcast-client",
        &["discover", "--port", "PORT", "--wait", "300ms"],
    ),
    exit: 0,
    once: false,
    hosts: DISCOVERY_HOSTS,
    early: None,
    host_of: by_port,
    timing: None,
    calls: &[
        Call::new("client", "udp", "client", "send_to(QUERY)"),
        Call::new("client", "udp", "servers", "a copy for each"),
        Call::new("servers", "udp", "servers", "HERE, unicast"),
        Call::new("servers", "udp", "servers", "HERE, unicast"),
        Call::new("servers", "udp", "servers", "HERE, unicast"),
    ],
};

figure_test!(figure_discovery, DISCOVERY);

/// An announcement goes from the server's socket to the broadcast
/// address, both on the discovery port: the address tells them apart.
const ANNOUNCE_HOSTS: [&str; 2] = ["alpha", "everyone"];
fn by_broadcast(a: SocketAddr, port: u16) -> Option<usize> {
    // The capture began before the port was known: other broadcasts on
    // loopback (another test's, the tour's) are left out here.
    let broadcast = a.ip() == std::net::Ipv4Addr::new(127, 255, 255, 255);
    (a.port() == port).then_some(usize::from(broadcast))
}

const ANNOUNCEMENTS: Figure = Figure {
    name: "announcements",
    about: &[
        "Announcements: alpha broadcasts one every 200 ms for 500 ms, then",
        "stops; every socket on the port gets a copy of each.",
    ],
    servers: &[(
        "broadcast-server",
        &[
            "--addr",
            "0.0.0.0:0",
            "--name",
            "alpha",
            "--announce-every",
            "200ms",
            "--for",
            "500ms",
        ],
    )],
    // The listener shares the port; its table comes after --for.
    client: (
        "broadcast-client",
        &["listen", "--port", "PORT", "--for", "1200ms"],
    ),
    exit: 0,
    once: true,
    hosts: ANNOUNCE_HOSTS,
    early: Some("udp and dst host 127.255.255.255"),
    host_of: by_broadcast,
    timing: Some(Timing {
        percent: 30,
        ms: 40,
    }),
    calls: &[
        Call::new("alpha", "udp", "alpha", "send_to(ANNOUNCE)"),
        Call::new("alpha", "udp", "alpha", "again, 200 ms on"),
        Call::new("alpha", "udp", "alpha", "again; --for ends"),
    ],
};

figure_test!(figure_announcements, ANNOUNCEMENTS);
