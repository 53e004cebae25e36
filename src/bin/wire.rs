//! `wire`: run a lesson's client while capturing on loopback, and print
//! the ladder of that run as it happens, the client's narration lines
//! interleaved where they were printed.
//!
//! ```text
//! sudo target/debug/wire -- shutdown-client --addr 127.0.0.1:7101 hi
//! ```
//!
//! It captures with tcpdump, which needs root or CAP_NET_RAW; nothing is
//! sent anywhere but the run's own packets and two marker datagrams from
//! loopback to loopback. The server runs where you started it.

use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc::{self, Sender};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use advanced_sockets::capture::ladder::{Ladder, Spec, Timing, reduce};
use advanced_sockets::capture::{Capture, Packet, Seen};
use clap::Parser;
use common::{Context, Failure};

const AFTER_HELP: &str = "\
In one terminal, a server:
  target/debug/shutdown-server
In another, the client under wire (root is needed to capture):
  sudo target/debug/wire -- shutdown-client \"hello, half-open world\"
The port watched is the client's --addr (or --port), else its lesson's
default: 7101 shutdown, 7102 timeout, 7103 framing, 7104 broadcast.";

/// Run a client while capturing on loopback, and print each segment or
/// datagram as a ladder row, the client's narration between them.
#[derive(Parser)]
#[command(name = "wire", version, after_help = AFTER_HELP)]
struct Args {
    /// Watch this port instead of the client's.
    #[arg(long)]
    port: Option<u16>,
    /// Keep capturing this long after the client exits, for what the
    /// server sends last.
    #[arg(long, default_value = "200ms", value_parser = common::args::parse_duration)]
    linger: Duration,
    /// Print the ladder only, not the client's narration.
    #[arg(short, long)]
    quiet: bool,
    /// Under each row, the addresses and ports it went between, as
    /// tcpdump names them.
    #[arg(short, long)]
    verbose: bool,
    /// The client and its arguments, after `--`.
    #[arg(last = true, required = true)]
    command: Vec<OsString>,
}

/// What the main loop hears: a line from the client, or that it ended.
enum Heard {
    Line(Duration, String),
    Exited(i32),
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        Err(e) => common::exit(Err(e)),
    }
}

fn run(args: &Args) -> Result<i32, Failure> {
    let program = &args.command[0];
    let client_args: Vec<String> = args.command[1..]
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let port = match args.port {
        Some(p) => p,
        None => port_of(&program.to_string_lossy(), &client_args)?,
    };
    let mut capture = Capture::loopback(port)?;
    let name = program.to_string_lossy().into_owned();
    emit(format_args!(
        "wire: capturing on lo, port {port}, while {name} runs"
    ));
    let start = now();
    let mut child = Command::new(resolve(program))
        .args(&args.command[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("start {name}"))?;
    let (tx, heard) = mpsc::channel();
    let out = child.stdout.take().map(|o| forward(o, tx.clone()));
    let err = child.stderr.take().map(|e| forward(e, tx.clone()));
    thread::spawn(move || {
        let code = child.wait().ok().and_then(|s| s.code()).unwrap_or(1);
        // Every line first: the readers end when the client's pipes close.
        for reader in [out, err].into_iter().flatten() {
            let _ = reader.join();
        }
        let _ = tx.send(Heard::Exited(code));
    });

    let mut show = Show::new(port, start, args.quiet, args.verbose);
    emit(format_args!("{}", show.ladder(&[]).ascii_header()));
    let mut exited: Option<(i32, Instant)> = None;
    let mut end_marker = None;
    let mut ended: Option<Instant> = None;
    let mut resent = 1;
    loop {
        while let Ok(h) = heard.try_recv() {
            match h {
                Heard::Line(at, line) => show.line(at, line),
                Heard::Exited(code) => exited = Some((code, Instant::now())),
            }
        }
        if let Some((_, when)) = exited
            && end_marker.is_none()
            && when.elapsed() >= args.linger
        {
            end_marker = Some(capture.end()?);
            ended = Some(Instant::now());
        }
        match capture.next(Duration::from_millis(10))? {
            Some(Seen::Packet(p)) => show.packet(p),
            // Any marker from the first on: all before it has been seen.
            Some(Seen::End(n))
                if end_marker.is_some_and(|first| n >= first) =>
            {
                break;
            }
            _ => {}
        }
        if let Some(at) = ended {
            if at.elapsed() > Duration::from_secs(5) {
                return Err(Failure::msg(
                    "the capture's end markers never came: tcpdump fell behind or lost them",
                ));
            }
            // One lost marker must not end the run: send another.
            if at.elapsed() >= Duration::from_millis(250) * resent {
                capture.end()?;
                resent += 1;
            }
        }
        show.flush(false);
    }
    show.flush(true);
    let code = exited.map_or(1, |(code, _)| code);
    emit(format_args!(
        "wire: {name} exited with code {code}; {} packets on port {port}",
        show.packets.len()
    ));
    Ok(code)
}

/// Print one line. A closed stdout (`| head`) is not an error of the
/// run: the client runs on to its end, its exit code still ours.
fn emit(line: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stdout(), "{line}");
}

/// The client's output, line by line, stamped when it came.
fn forward(
    from: impl Read + Send + 'static,
    tx: Sender<Heard>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        for line in BufReader::new(from).lines().map_while(Result::ok) {
            if tx.send(Heard::Line(now(), line)).is_err() {
                break;
            }
        }
    })
}

fn now() -> Duration {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
}

/// The port to watch: the client's `--addr` or `--port`, else its lesson's.
fn port_of(program: &str, args: &[String]) -> Result<u16, Failure> {
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (flag, value) = match word.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (word.as_str(), None),
        };
        if flag != "--addr" && flag != "--port" {
            continue;
        }
        let Some(value) = value.or_else(|| words.next().cloned()) else {
            break;
        };
        let port = if flag == "--addr" {
            value.parse::<SocketAddr>().ok().map(|a| a.port())
        } else {
            value.parse().ok()
        };
        return port.ok_or_else(|| {
            Failure::msg(format!("cannot read a port from {flag} {value}"))
        });
    }
    let base = program.rsplit('/').next().unwrap_or(program);
    let lesson = [
        ("shutdown-", 7101),
        ("timeout-", 7102),
        ("framing-", 7103),
        ("broadcast-", 7104),
    ];
    lesson
        .iter()
        .find(|(prefix, _)| base.starts_with(prefix))
        .map(|(_, port)| *port)
        .ok_or_else(|| {
            Failure::msg(format!(
                "which port does {base} use? say so with --port"
            ))
        })
}

/// A bare lesson name runs the binary beside this one (target/debug/),
/// as the book's commands expect; anything else runs as given.
fn resolve(program: &OsString) -> PathBuf {
    let given = PathBuf::from(program);
    let beside = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&given)))
        .filter(|p| p.is_file());
    match beside {
        Some(beside) if given.components().count() == 1 => beside,
        _ => given,
    }
}

/// The ladder so far, printed in time order a moment after each item came,
/// so that a narration line and the segment it caused land in order.
struct Show {
    port: u16,
    start: Duration,
    quiet: bool,
    verbose: bool,
    packets: Vec<Packet>,
    /// Lines and rows not printed yet, with their times.
    waiting: Vec<(Duration, String)>,
}

/// How long an item waits for an earlier one to arrive.
const REORDER: Duration = Duration::from_millis(30);

/// More packets than this are counted, not drawn.
const MAX_ROWS: usize = 10_000;

impl Show {
    fn new(port: u16, start: Duration, quiet: bool, verbose: bool) -> Show {
        Show {
            port,
            start,
            quiet,
            verbose,
            packets: Vec::new(),
            waiting: Vec::new(),
        }
    }

    fn ladder(&self, packets: &[Packet]) -> Ladder {
        let port = self.port;
        let host_of = move |a: SocketAddr| Some(usize::from(a.port() == port));
        let spec = Spec {
            about: &[],
            name: "wire",
            hosts: &["client", "server"],
            host_of: &host_of,
            timing: Some(Timing { percent: 0, ms: 0 }),
            calls: &[],
        };
        // Without calls, nothing can fail to match.
        reduce(packets, &spec).unwrap_or_else(|_| Ladder {
            about: Vec::new(),
            name: "wire".to_owned(),
            hosts: vec!["client".to_owned(), "server".to_owned()],
            timing: None,
            rows: Vec::new(),
        })
    }

    fn packet(&mut self, p: Packet) {
        let at = p.at;
        let between = format!("{:>8} {} > {}", "", p.src, p.dst);
        self.packets.push(p);
        if self.packets.len() > MAX_ROWS {
            return;
        }
        // The ladder of every packet so far: its last row is this one, its
        // states following from all before.
        let mut ladder = self.ladder(&self.packets);
        let Some(mut row) = ladder.rows.pop() else {
            return;
        };
        row.at_ms = self.ms(at);
        let mut text = ladder.ascii_row(&row);
        if self.verbose {
            text = format!("{text}\n{between}");
        }
        self.waiting.push((at, text));
    }

    fn line(&mut self, at: Duration, line: String) {
        if !self.quiet {
            let text = format!("{:>8.3} {line}", self.ms(at));
            self.waiting.push((at, text));
        }
    }

    fn ms(&self, at: Duration) -> f64 {
        at.saturating_sub(self.start).as_secs_f64() * 1000.0
    }

    /// Print what has waited long enough (everything, at the end).
    fn flush(&mut self, all: bool) {
        self.waiting.sort_by_key(|(at, _)| *at);
        let ripe = now().saturating_sub(REORDER);
        let n = self
            .waiting
            .iter()
            .take_while(|(at, _)| all || *at <= ripe)
            .count();
        for (_, text) in self.waiting.drain(..n) {
            emit(format_args!("{text}"));
        }
        if all && self.packets.len() > MAX_ROWS {
            emit(format_args!(
                "wire: {} more packets, not drawn",
                self.packets.len() - MAX_ROWS
            ));
        }
    }
}
