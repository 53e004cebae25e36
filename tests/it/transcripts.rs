//! The book's "try it" transcripts are real: every transcript marked
//! `<!-- transcript: ... -->` is run here, servers started as the tests
//! start them (on a port the OS picks), and its output compared with the
//! book's, with wildcards for what changes from run to run: ports,
//! durations, query ids (and, where the marker says `numbers`, every
//! number).
//!
//! The marker, on the line before a ```text block:
//!
//! ```text
//! <!-- transcript: server shutdown-server --max-request 16 -->
//! <!-- transcript: server broadcast-server --name a; server broadcast-server --name b; unordered -->
//! <!-- transcript: no-server -->
//! ```
//!
//! Each `$ command` line of the block is run (with `--addr`, or `--port`,
//! pointed at the test's server), and the lines after it, up to the next
//! `$`, are its expected output: stdout, then stderr, as a terminal shows
//! them for these programs. A `| grep PATTERN` after a command filters the
//! output, as in a shell.
//!
//! A command, or a server, may be `python3 SCRIPT ...`: one of the notes'
//! Python peers (a lesson's `python/`), run from the repository's root as
//! the book shows it. Those transcripts are run by a test of their own,
//! which reports itself ignored where python3 is missing.
//!
//! A ```text block marked `<!-- server says -->` holds lines the servers of
//! the transcript before it must print, in that order, once its commands
//! have run (other lines may come between them).

use std::fs;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crate::support::{open_quote, words, workspace_bin};
use common::testing::{ClosedPort, Server, Stream};
use regex::Regex;

/// One marked transcript.
struct Transcript {
    /// Where it is, for messages.
    place: String,
    /// The servers to start, each a command line.
    servers: Vec<Vec<String>>,
    /// Compare lines in any order.
    unordered: bool,
    /// Wildcard every number.
    numbers: bool,
    /// The commands and their expected output.
    steps: Vec<(String, Vec<String>)>,
    /// Lines the servers must print, in order (`<!-- server says -->`).
    server_says: Vec<String>,
    /// What the book shows the first server print in the block marked
    /// `<!-- servers of the next transcript -->` before it.
    server_shows: Vec<String>,
}

impl Transcript {
    /// Does a command or a server run one of the Python peers?
    fn runs_python(&self) -> bool {
        let commands = self.steps.iter().map(|(c, _)| c.as_str());
        let servers = self.servers.iter().filter_map(|s| s.first());
        commands.chain(servers.map(String::as_str)).any(is_python)
    }
}

/// `python3 ...`: a command for one of the notes' Python peers.
fn is_python(command: &str) -> bool {
    command.split_whitespace().next() == Some("python3")
}

/// A UDP program of lesson 4, Rust or Python: aimed with `--port`, and a
/// server of it shares its port (`--addr 0.0.0.0:PORT`).
fn is_broadcast(command: &[String]) -> bool {
    match command {
        [bin, ..] if bin.starts_with("broadcast-") => true,
        [python, script, ..] if python == "python3" => {
            script.starts_with("examples-broadcast/")
        }
        _ => false,
    }
}

/// The command for `bin` (or, for `python3`, the script first in `args`).
fn program(bin: &str, args: &[String]) -> std::process::Command {
    match (bin, args.split_first()) {
        ("python3", Some((script, rest))) => {
            let mut cmd = common::testing::python(script);
            cmd.args(rest);
            cmd
        }
        _ => {
            let mut cmd = std::process::Command::new(workspace_bin(bin));
            cmd.args(args);
            cmd
        }
    }
}

fn chapters() -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src");
    let mut all: Vec<_> = fs::read_dir(src)
        .expect("read docs/src")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    all.sort();
    all
}

fn transcripts() -> Vec<Transcript> {
    let mut found: Vec<Transcript> = Vec::new();
    for chapter in chapters() {
        let text = fs::read_to_string(&chapter).expect("read a chapter");
        let lines: Vec<&str> = text.lines().collect();
        let name = chapter
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let first_here = found.len();
        // A block of server commands (and the first one's output) that the
        // next transcript starts.
        let mut shown_servers: Option<(Vec<String>, Vec<String>)> = None;
        for (at, line) in lines.iter().enumerate() {
            if line.trim() == "<!-- servers of the next transcript -->" {
                // Several such blocks may precede one transcript.
                let (mut commands, mut shown) =
                    shown_servers.take().unwrap_or_default();
                let first_block = commands.is_empty();
                for l in
                    lines[at + 2..].iter().take_while(|l| l.trim() != "```")
                {
                    if let Some(command) = l.strip_prefix("$ ") {
                        commands.push(words(command).join(" "));
                    } else if first_block
                        && commands.len() == 1
                        && !l.trim().is_empty()
                    {
                        shown.push((*l).to_owned());
                    }
                }
                shown_servers = Some((commands, shown));
                continue;
            }
            if line.trim() == "<!-- server says -->" {
                let place = format!("{name}:{}", at + 1);
                assert_eq!(
                    lines.get(at + 1).map(|l| l.trim()),
                    Some("```text"),
                    "{place}: the marker must precede a ```text block"
                );
                let Some(last) = found[first_here..].last_mut() else {
                    panic!("{place}: no transcript before it in {name}")
                };
                let says: &mut Vec<String> = &mut last.server_says;
                assert!(says.is_empty(), "{place}: a second server block");
                says.extend(
                    lines[at + 2..]
                        .iter()
                        .take_while(|l| l.trim() != "```")
                        .map(|l| (*l).to_owned()),
                );
                continue;
            }
            let Some(marker) = line
                .trim()
                .strip_prefix("<!-- transcript:")
                .and_then(|m| m.strip_suffix("-->"))
            else {
                continue;
            };
            assert_eq!(
                lines.get(at + 1).map(|l| l.trim()),
                Some("```text"),
                "{name}:{}: the marker must precede a ```text block",
                at + 1
            );
            let mut transcript = Transcript {
                place: format!("{name}:{}", at + 1),
                servers: Vec::new(),
                unordered: false,
                numbers: false,
                steps: Vec::new(),
                server_says: Vec::new(),
                server_shows: Vec::new(),
            };
            for part in
                marker.split(';').map(str::trim).filter(|p| !p.is_empty())
            {
                match part {
                    "unordered" => transcript.unordered = true,
                    "numbers" => transcript.numbers = true,
                    "no-server" => {}
                    _ => {
                        let server =
                            part.strip_prefix("server ").unwrap_or_else(|| {
                                panic!(
                                    "{}: unknown marker part {part:?}",
                                    transcript.place
                                )
                            });
                        transcript.servers.push(words(server));
                    }
                }
            }
            if let Some((commands, shown)) = shown_servers.take() {
                let servers: Vec<String> =
                    transcript.servers.iter().map(|s| s.join(" ")).collect();
                for command in commands {
                    assert!(
                        servers.contains(&command),
                        "{}: `{command}` is not a server of this transcript",
                        transcript.place
                    );
                }
                transcript.server_shows = shown;
            }
            let body: Vec<&str> = lines[at + 2..]
                .iter()
                .take_while(|l| l.trim() != "```")
                .copied()
                .collect();
            let mut i = 0;
            while i < body.len() {
                let Some(first) = body[i].strip_prefix("$ ") else {
                    panic!(
                        "{}: expected a `$ command` line, got {:?}",
                        transcript.place, body[i]
                    );
                };
                let mut command = first.to_owned();
                i += 1;
                while open_quote(&command) && i < body.len() {
                    command.push('\n');
                    command.push_str(body[i]);
                    i += 1;
                }
                // A long command goes on over lines ending in ` \`, as in
                // a shell, to stay within the book's column.
                while let Some(head) = command.strip_suffix(" \\")
                    && i < body.len()
                {
                    command = format!("{head} {}", body[i].trim());
                    i += 1;
                }
                let mut expected = Vec::new();
                while i < body.len() && !body[i].starts_with("$ ") {
                    expected.push(body[i].to_owned());
                    i += 1;
                }
                transcript.steps.push((command, expected));
            }
            found.push(transcript);
        }
    }
    found
}

/// Replace what changes from run to run with placeholders.
fn normalize(line: &str, numbers: bool) -> String {
    // Compiled once for every line of every transcript: compiling a regex
    // costs far more than matching one.
    static PATTERNS: LazyLock<[Regex; 4]> = LazyLock::new(|| {
        [
            r"(\d{1,3}(?:\.\d{1,3}){3}):\d+",
            r"\b\d+(?:\.\d+)? (?:µs|ms|s)\b",
            r"id=[0-9a-f]{16}",
            r"\d+",
        ]
        .map(|p| Regex::new(p).expect("regex"))
    });
    let [port, duration, id, number] = &*PATTERNS;
    let line = port.replace_all(line, "$1:<port>");
    let line = duration.replace_all(&line, "<duration>");
    let line = id.replace_all(&line, "id=<id>");
    if numbers {
        number.replace_all(&line, "<n>").into_owned()
    } else {
        line.into_owned()
    }
}

/// A port nobody answers on, held for as long as the guard lives, so that
/// no other test's server can take it meanwhile: for TCP, bound but not
/// listening (connections are refused); for UDP, a socket bound to
/// 127.0.0.1, which hears no broadcast (queries vanish, as they would with
/// nobody there).
enum Nobody {
    Tcp(ClosedPort),
    Udp(UdpSocket),
}

impl Nobody {
    fn new(udp: bool) -> Nobody {
        if udp {
            Nobody::Udp(
                UdpSocket::bind("127.0.0.1:0").expect("a free UDP port"),
            )
        } else {
            Nobody::Tcp(ClosedPort::new())
        }
    }

    fn port(&self) -> u16 {
        match self {
            Nobody::Tcp(closed) => closed.addr().port(),
            Nobody::Udp(socket) => {
                socket.local_addr().expect("local_addr").port()
            }
        }
    }
}

/// Start the transcript's servers; the first picks the port, the others
/// share it (only broadcast servers can).
fn start(servers: &[Vec<String>]) -> (Vec<Server>, Option<SocketAddr>) {
    let mut started: Vec<Server> = Vec::new();
    for command in servers {
        let (bin, args) = command.split_first().expect("a server command");
        let mut args: Vec<String> = args.to_vec();
        if is_broadcast(command) {
            let port = started.first().map_or(0, |s| s.addr().port());
            args.extend(["--addr".to_owned(), format!("0.0.0.0:{port}")]);
        } else if let Some(at) = args.iter().position(|a| a == "--addr") {
            // The book's port, as a learner types it; port 0 here.
            let value = args.get_mut(at + 1).expect("a value after --addr");
            let host = value.rsplit_once(':').map_or("", |(h, _)| h);
            *value = format!("{host}:0");
        } else {
            args.extend(["--addr".to_owned(), "127.0.0.1:0".to_owned()]);
        }
        started.push(Server::spawn(program(bin, &args)));
    }
    let addr = started.first().map(Server::addr);
    (started, addr)
}

/// Point a command at the test's server (or at a port nobody answers on,
/// held by the guard returned).
fn aim(
    command: &[String],
    server: Option<SocketAddr>,
) -> (Vec<String>, Option<Nobody>) {
    let (bin, rest) = command.split_first().expect("a command");
    let broadcast = is_broadcast(command);
    let nobody = server.is_none().then(|| Nobody::new(broadcast));
    let port = server
        .map_or_else(|| nobody.as_ref().map_or(0, Nobody::port), |a| a.port());
    let mut args: Vec<String> = Vec::new();
    let mut has_addr = false;
    let mut iter = rest.iter();
    while let Some(arg) = iter.next() {
        args.push(arg.clone());
        if arg == "--addr" {
            let value = iter.next().expect("a value after --addr");
            let host =
                value.rsplit_once(':').map_or(value.as_str(), |(h, _)| h);
            args.push(format!("{host}:{port}"));
            has_addr = true;
        }
    }
    if !has_addr {
        if broadcast {
            args.extend(["--port".to_owned(), port.to_string()]);
        } else {
            args.extend(["--addr".to_owned(), format!("127.0.0.1:{port}")]);
        }
    }
    (std::iter::once(bin.clone()).chain(args).collect(), nobody)
}

fn run(transcript: &Transcript) -> Result<(), String> {
    let (servers, addr) = start(&transcript.servers);
    for (command, expected) in &transcript.steps {
        // `| grep PATTERN` keeps the matching lines, `| grep -v PATTERN`
        // the others.
        let (command, filter) = match command.split_once(" | grep ") {
            Some((command, pattern)) => {
                let mut pattern = words(pattern);
                let invert = pattern.first().is_some_and(|w| w == "-v");
                let pattern = pattern.pop().expect("a grep pattern");
                let regex = Regex::new(&pattern).map_err(|e| e.to_string())?;
                (command.to_owned(), Some((regex, invert)))
            }
            None => (command.clone(), None),
        };
        let (aimed, _nobody) = aim(&words(&command), addr);
        let (bin, args) = aimed.split_first().expect("a command");
        let out = assert_cmd::Command::from_std(program(bin, args))
            .timeout(common::testing::CLIENT_TIMEOUT)
            .output()
            .map_err(|e| e.to_string())?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut got: Vec<String> = text
            .lines()
            .filter(|l| {
                filter
                    .as_ref()
                    .is_none_or(|(f, invert)| f.is_match(l) != *invert)
            })
            .map(|l| normalize(l, transcript.numbers))
            .collect();
        let mut want: Vec<String> = expected
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| normalize(l, transcript.numbers))
            .collect();
        if transcript.unordered {
            got.sort();
            want.sort();
        }
        if got != want {
            return Err(format!(
                "{}: `{command}`\n--- the book says ---\n{}\n--- the program said ---\n{}",
                transcript.place,
                want.join("\n"),
                got.join("\n")
            ));
        }
    }
    server_said(transcript, servers)
}

/// Wait for the lines the book says the (first) server prints, in order:
/// its `error:` lines in order on stderr, the others in order on stdout
/// (the two streams are read apart, so they interleave by chance).
fn server_said(
    transcript: &Transcript,
    mut servers: Vec<Server>,
) -> Result<(), String> {
    let Some(server) = servers.first_mut() else {
        return Ok(());
    };
    for wants in [&transcript.server_shows, &transcript.server_says] {
        said_in_order(transcript, server, wants)?;
    }
    Ok(())
}

/// The server printed `wants`, in order: its `error:` and `warning:` lines
/// in order on stderr, the others in order on stdout (the two streams are
/// read apart, so they interleave by chance).
fn said_in_order(
    transcript: &Transcript,
    server: &mut Server,
    wants: &[String],
) -> Result<(), String> {
    let stream_of = |line: &str| {
        // `[server] error: ...`, `[server] #1 error: ...`, `warning: ...`
        if line.contains("] error: ")
            || line.split(' ').nth(2) == Some("error:")
            || line.starts_with("warning: ")
            || line.starts_with("error: ")
        {
            Stream::Stderr
        } else {
            Stream::Stdout
        }
    };
    // Where the search for each stream's next line starts.
    let (mut out_at, mut err_at) = (0, 0);
    let mut said = Vec::new();
    for want in wants {
        let stream = stream_of(want);
        let want = normalize(want, transcript.numbers);
        let mut at = if stream == Stream::Stdout {
            out_at
        } else {
            err_at
        };
        loop {
            let Some((from, line)) = server.line(at) else {
                return Err(format!(
                    "{}: the server did not say\n{want}\n--- it said ---\n{}",
                    transcript.place,
                    said.join("\n")
                ));
            };
            let line = normalize(&line, transcript.numbers);
            if at >= said.len() {
                said.push(line.clone());
            }
            at += 1;
            if from == stream && line == want {
                break;
            }
        }
        if stream == Stream::Stdout {
            out_at = at;
        } else {
            err_at = at;
        }
    }
    Ok(())
}

#[test]
fn every_transcript_in_the_book_is_what_the_programs_print() {
    let all: Vec<_> = transcripts()
        .into_iter()
        .filter(|t| !t.runs_python())
        .collect();
    assert!(all.len() >= 25, "only {} transcripts are marked", all.len());
    run_all(&all);
}

#[test]
#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]
fn every_python_transcript_in_the_book_is_what_the_peers_print() {
    let all: Vec<_> = transcripts()
        .into_iter()
        .filter(Transcript::runs_python)
        .collect();
    assert!(all.len() >= 8, "only {} Python transcripts", all.len());
    run_all(&all);
}

/// Run `all` at once, and fail with every difference.
fn run_all(all: &[Transcript]) {
    let failures: Vec<String> = std::thread::scope(|scope| {
        let running: Vec<_> =
            all.iter().map(|t| scope.spawn(move || run(t))).collect();
        running
            .into_iter()
            .filter_map(|h| h.join().expect("a transcript thread").err())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} transcripts differ:\n\n{}",
        failures.len(),
        all.len(),
        failures.join("\n\n")
    );
}

#[test]
fn wildcards_hide_only_what_changes() {
    assert_eq!(
        normalize(
            "[client] connected to 127.0.0.1:7101 from 127.0.0.1:58622 in 211 µs",
            false
        ),
        "[client] connected to 127.0.0.1:<port> from 127.0.0.1:<port> in <duration>"
    );
    assert_eq!(
        normalize("received 22 bytes in 1 line", false),
        "received 22 bytes in 1 line"
    );
    assert_eq!(normalize("received 22 bytes", true), "received <n> bytes");
}

/// The programs of the lessons: a workshop command that runs one of these
/// must be a checked transcript.
const LESSON_BINARIES: &[&str] = &[
    "shutdown-server",
    "shutdown-client",
    "shutdown-async-server",
    "shutdown-async-client",
    "timeout-server",
    "timeout-client",
    "timeout-async-server",
    "timeout-async-client",
    "framing-server",
    "framing-client",
    "framing-async-server",
    "framing-async-client",
    "broadcast-server",
    "broadcast-client",
    "broadcast-async-server",
    "broadcast-async-client",
];

/// The commands in backticks of a table cell.
fn commands(cell: &str) -> Vec<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .map(|c| words(c).join(" "))
        .collect()
}

fn runs_a_lesson(command: &str) -> bool {
    LESSON_BINARIES
        .iter()
        .any(|b| command.split(' ').next() == Some(b))
}

#[test]
fn every_workshop_row_is_a_checked_transcript_or_says_why_not() {
    let guide =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/src/workshop.md");
    let text = fs::read_to_string(guide).expect("read workshop.md");
    let all = transcripts();
    // (the servers, the command) of every transcript step.
    let checked: Vec<(Vec<String>, String)> = all
        .iter()
        .flat_map(|t| {
            let servers: Vec<String> =
                t.servers.iter().map(|s| s.join(" ")).collect();
            t.steps.iter().map(move |(command, _)| {
                let command = command.split(" | ").next().unwrap_or_default();
                (servers.clone(), words(command).join(" "))
            })
        })
        .collect();
    let mut rows = 0;
    let mut server = String::new();
    for line in text.lines().filter(|l| l.starts_with("| ")) {
        // No command in the guide's tables holds a '|'.
        let cells: Vec<&str> = line
            .trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect();
        let [_, t1, t2, t3, _] = cells[..] else {
            continue;
        };
        for cell in [t1, t2, t3] {
            let unrun = cell.contains("(not run by the tests");
            for command in commands(cell) {
                let other = !runs_a_lesson(&command) && command.contains(' ');
                assert!(
                    !other || unrun,
                    "workshop.md: `{command}` is not a lesson's program: \
                     say why no test runs it, \"(not run by the tests: ...)\""
                );
            }
        }
        if t1.trim() != "same"
            && let Some(first) =
                commands(t1).into_iter().find(|c| runs_a_lesson(c))
        {
            server = first;
        }
        let servers: Vec<String> = commands(t1)
            .into_iter()
            .filter(|c| runs_a_lesson(c))
            .collect();
        let servers = if servers.is_empty() {
            vec![server.clone()]
        } else {
            servers
        };
        let Some(client) = commands(t2).into_iter().find(|c| runs_a_lesson(c))
        else {
            continue;
        };
        if t1.contains("(not run by the tests")
            || t2.contains("(not run by the tests")
        {
            continue;
        }
        let hello_wait = t3.contains("(not run by the tests")
            && t1.contains("--read-delay 30s");
        if hello_wait {
            continue;
        }
        // "A, then B": one run with each; otherwise all of them at once.
        let runs: Vec<Vec<String>> = if t1.contains(", then ") {
            servers.iter().map(|s| vec![s.clone()]).collect()
        } else {
            vec![servers]
        };
        for servers in runs {
            let found = checked.iter().any(|(s, c)| {
                servers.iter().all(|server| s.contains(server))
                    && (c == &client || c.starts_with(&format!("{client} ")))
            });
            assert!(
                found,
                "workshop.md: `{}` with `{client}` is no checked transcript \
                 of any chapter; add one there, or say why no test runs it",
                servers.join("`, `")
            );
            rows += 1;
        }
    }
    assert!(rows >= 12, "only {rows} workshop rows checked");
}
