//! siege: how many honest clients each TCP server of the course serves at
//! its cap while attackers hold every slot. The figures of the chapter
//! "Hardening", section "Fair at the cap", come from it:
//!
//! ```text
//! cargo build --release --workspace
//! target/release/siege                      # evict (the default)
//! target/release/siege --when-full turn-away
//! ```
//!
//! For each server and attack it starts the server's binary (the one next
//! to this one) with `--max-clients`, lays a siege on loopback
//! (`common::testing::hostile::siege`: the attackers connect first and
//! reconnect as soon as they are cut off; honest clients come one at a
//! time), and prints how many honest clients got a correct answer within
//! their patience, and the server's peak memory. Bounded: every client
//! gives up after its patience, and the attackers stop with the last
//! honest client.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};
use common::args::{Talk, parse_duration};
use common::testing::hostile::{Attack, Siege, honest_exchange, siege};
use common::testing::{Server, proc_status};
use common::{Failure, WhenFull, exit};
use examples_shutdown::reply_to;

/// Lay a siege on every TCP server of the course, and count the honest
/// clients served.
#[derive(Parser, Debug)]
#[command(name = "siege")]
struct Args {
    /// The servers to try (all six by default).
    #[arg(long = "server", value_enum)]
    servers: Vec<Target>,
    /// The attacks to lay (both by default).
    #[arg(long = "attack", value_enum)]
    attacks: Vec<Kind>,
    /// How many attackers.
    #[arg(long, value_name = "N", default_value = "300", value_parser = clap::value_parser!(u16).range(1..=2000))]
    attackers: u16,
    /// The servers' --max-clients.
    #[arg(long, value_name = "N", default_value = "256", value_parser = clap::value_parser!(u16).range(1..=2000))]
    max_clients: u16,
    /// The servers' --when-full (by default, none is passed: the
    /// servers' own default, evict).
    #[arg(long, value_name = "WHAT", value_enum)]
    when_full: Option<WhenFull>,
    /// How long an attacker that was cut off waits before it connects
    /// again (at most 10 s): none is the harshest, as on loopback.
    #[arg(long, value_name = "DURATION", value_parser = at_most_10s, default_value = "0s")]
    reconnect_after: Duration,
    /// Where the servers' binaries are (by default, beside this one): to
    /// measure another build, such as an older commit's.
    #[arg(long, value_name = "DIR")]
    bin_dir: Option<PathBuf>,
    /// How many honest clients.
    #[arg(long, value_name = "N", default_value = "100", value_parser = clap::value_parser!(u16).range(1..=1000))]
    honest: u16,
    /// The time between two honest clients (at most 10 s).
    #[arg(long, value_name = "DURATION", value_parser = at_most_10s, default_value = "50ms")]
    every: Duration,
    /// How long an honest client waits for its answer (at most 10 s).
    #[arg(long, value_name = "DURATION", value_parser = at_most_10s, default_value = "2s")]
    patience: Duration,
    #[command(flatten)]
    talk: Talk,
}

/// A server, by its binary's name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Target {
    #[value(name = "shutdown-server")]
    Shutdown,
    #[value(name = "shutdown-async-server")]
    ShutdownAsync,
    #[value(name = "timeout-server")]
    Timeout,
    #[value(name = "timeout-async-server")]
    TimeoutAsync,
    #[value(name = "framing-server")]
    Framing,
    #[value(name = "framing-async-server")]
    FramingAsync,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Kind {
    /// A byte every 3 s, never the end of the request.
    Slowloris,
    /// Connect, and send nothing.
    Silent,
}

fn main() -> ExitCode {
    let args = Args::parse();
    exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let servers = if args.servers.is_empty() {
        Target::value_variants().to_vec()
    } else {
        args.servers.clone()
    };
    let attacks = if args.attacks.is_empty() {
        vec![Kind::Slowloris, Kind::Silent]
    } else {
        args.attacks.clone()
    };
    let when = args.when_full.map_or("(default)".to_owned(), flag);
    let say = args.talk.client();
    // A closed standard output (`| head -3`) ends the run quietly.
    let mut out = io::stdout().lock();
    let header = writeln!(
        out,
        "{} attackers, --max-clients {}, --when-full {when};\n{} honest \
         clients, one every {}\n{:<22} {:<10} {:>8} {:>9} {:>9} {:>7}",
        args.attackers,
        args.max_clients,
        args.honest,
        common::fmt_duration(args.every),
        "server",
        "attack",
        "served",
        "attacks",
        "peak",
        "took"
    );
    if header.is_err() {
        return Ok(());
    }
    for &target in &servers {
        for &kind in &attacks {
            let (outcome, peak, took) = lay(target, kind, args)?;
            let (server, attack) = (flag(target), flag(kind));
            say.event(
                "siege",
                &[
                    ("server", &server),
                    ("attack", &attack),
                    ("served", &outcome.served),
                    ("honest", &outcome.honest),
                    ("attacks", &outcome.attacks),
                    ("peak_kib", &peak),
                ],
            );
            let row = writeln!(
                out,
                "{server:<22} {attack:<10} {:>4}/{:<3} {:>9} {:>5} MiB {:>5.1} s",
                outcome.served,
                outcome.honest,
                outcome.attacks,
                peak >> 10,
                took.as_secs_f64()
            );
            if row.is_err() {
                return Ok(());
            }
        }
    }
    Ok(())
}

/// One server, one attack: the outcome, the server's peak memory (KiB)
/// and how long it took.
fn lay(
    target: Target,
    kind: Kind,
    args: &Args,
) -> Result<(common::testing::hostile::Outcome, u64, Duration), Failure> {
    let (bin, lesson) = target.binary();
    let path = match &args.bin_dir {
        Some(dir) => dir.join(&bin),
        None => std::env::current_exe()
            .map_err(|e| Failure::new("find myself", e))?
            .with_file_name(&bin),
    };
    if !path.exists() {
        return Err(Failure::msg(format!("{} is not built", path.display()))
            .with_hint("cargo build --release --workspace"));
    }
    let max = args.max_clients.to_string();
    let mut flags = vec!["-q", "--max-clients", &max];
    let when = args.when_full.map(flag);
    if let Some(when) = &when {
        flags.extend(["--when-full", when]);
    }
    if bin == "timeout-server" {
        flags.extend(["--mode", "echo"]);
    }
    let server = Server::start(&path, &flags);
    let plan = Siege {
        attack: match kind {
            Kind::Slowloris => Attack::Slowloris,
            Kind::Silent => Attack::Silent,
        },
        attackers: args.attackers.into(),
        request: lesson.attack(),
        interval: Duration::from_secs(3),
        honest: args.honest.into(),
        every: args.every,
        patience: args.patience,
        reconnect_after: args.reconnect_after,
    };
    let started = Instant::now();
    let outcome = siege(server.addr(), plan, &|addr, patience| {
        lesson.honest(addr, patience)
    });
    let took = started.elapsed();
    let (_, peak) = proc_status(server.pid());
    Ok((outcome, peak, took))
}

/// A duration of at most 10 s: a run stays bounded in time.
fn at_most_10s(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d > Duration::from_secs(10) {
        return Err(format!("'{s}' is too long: at most 10s"));
    }
    Ok(d)
}

/// A value as its flag spells it.
fn flag(value: impl ValueEnum) -> String {
    value
        .to_possible_value()
        .map(|v| v.get_name().to_owned())
        .unwrap_or_default()
}

#[derive(Clone, Copy)]
enum Lesson {
    Shutdown,
    Timeout,
    Framing,
}

impl Target {
    fn binary(self) -> (String, Lesson) {
        let lesson = match self {
            Target::Shutdown | Target::ShutdownAsync => Lesson::Shutdown,
            Target::Timeout | Target::TimeoutAsync => Lesson::Timeout,
            Target::Framing | Target::FramingAsync => Lesson::Framing,
        };
        (flag(self), lesson)
    }
}

impl Lesson {
    /// What a slowloris trickles: a request that never ends.
    fn attack(self) -> &'static [u8] {
        match self {
            // No FIN ever comes, so the request never ends.
            Lesson::Shutdown => b"x",
            // No newline.
            Lesson::Timeout => b"x",
            // A u32 length of 1000, then its payload a byte at a time.
            Lesson::Framing => {
                b"\0\0\x03\xe8xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
            }
        }
    }

    /// One honest client: true if answered as the protocol says.
    fn honest(self, addr: SocketAddr, patience: Duration) -> bool {
        let u32_frame = |payload: &[u8]| {
            let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
            [&len.to_be_bytes()[..], payload].concat()
        };
        let (request, fin, expected) = match self {
            Lesson::Shutdown => (b"hello".to_vec(), true, reply_to(b"hello")),
            Lesson::Timeout => {
                (b"hello\n".to_vec(), false, b"hello\n".to_vec())
            }
            Lesson::Framing => {
                (u32_frame(b"hello"), false, u32_frame(b"olleh"))
            }
        };
        honest_exchange(addr, &request, fin, &expected, patience)
    }
}
