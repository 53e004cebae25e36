//! `timeout-crowd`: the thread-per-client server and the event-driven one
//! under the same crowds, measured. A benchmark, not a test: it prints its
//! figures and the command that produced them.
//!
//! - idle: N connections that send nothing, held for a while, and honest
//!   clients one after another meanwhile;
//! - slowloris: connections that send one byte every few seconds and never
//!   finish a request (reconnecting when closed), and honest clients.
//!
//! Both servers are the lesson's own binaries, started from beside this
//! one on 127.0.0.1 port 0; the crowd connects from 127.0.0.2 to
//! 127.0.0.9 so that its ports never run short. Everything stays on
//! loopback, and every loop is bounded in count and time.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::Parser;
use common::args::parse_timeout;
use common::{Context, Failure};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::time::{Instant, sleep, timeout};

/// `println!`, except that a reader who stopped early (`| head -1`) ends
/// the run quietly: `println!` panics on a closed standard output.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        if let Err(e) = writeln!(stdout, $($arg)*) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }};
}

/// Runs the thread-per-client and the event-driven server of lesson 2
/// under an idle crowd and a slowloris crowd, and prints what each costs
/// and how honest clients fared.
#[derive(Parser)]
#[command(name = "timeout-crowd", version)]
struct Args {
    /// Idle connections in the idle crowd.
    #[arg(long, default_value = "10000", value_parser = clap::value_parser!(u32).range(1..=15000))]
    idle: u32,
    /// How long the crowds are held.
    #[arg(long, value_parser = parse_timeout, default_value = "30s")]
    hold: Duration,
    /// Honest clients during each crowd, spread over the hold.
    #[arg(long, default_value = "100", value_parser = clap::value_parser!(u32).range(1..=10000))]
    honest: u32,
    /// Connections in the slowloris crowd.
    #[arg(long, default_value = "300", value_parser = clap::value_parser!(u32).range(1..=5000))]
    slowloris: u32,
    /// How often each slowloris sends its byte.
    #[arg(long, value_parser = parse_timeout, default_value = "3s")]
    every: Duration,
    /// The event-driven server's --request-timeout, which ends a
    /// slowloris.
    #[arg(long, value_parser = parse_timeout, default_value = "5s")]
    request_timeout: Duration,
    /// A short run: 1000 idle, 3 s, 20 honest, 100 slowloris every 300 ms,
    /// a request deadline of 1 s.
    #[arg(long)]
    quick: bool,
}

/// One server under one crowd.
struct Row {
    server: String,
    served: usize,
    honest: usize,
    latencies: Vec<Duration>,
    base_kib: u64,
    peak_kib: u64,
    threads: usize,
    crowd: usize,
}

fn main() -> ExitCode {
    let mut args = Args::parse();
    if args.quick {
        (args.idle, args.hold, args.honest) =
            (1000, Duration::from_secs(3), 20);
        (args.slowloris, args.every) = (100, Duration::from_millis(300));
        args.request_timeout = Duration::from_secs(1);
    }
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    // The crowd's sockets, in this process; the servers raise their own.
    let _ = common::raise_open_file_limit(u64::from(args.idle) + 1024);
    let runtime = common::tasks::runtime()?;
    let hold = args.hold.as_secs_f64();
    let idle_s = format!("{}s", 2 * args.hold.as_secs() + 10);
    let request = &format!("{}ms", args.request_timeout.as_millis());
    // The thread-per-client server with 256 at once, turning newcomers
    // away (its default now evicts: the chapter "Half-open sockets", "Fair
    // at the cap", measures that), and with room for the whole crowd and
    // the honest clients (a thread each), then the event-driven one with
    // the same room.
    let room = (args.idle.max(args.slowloris) + args.honest + 100).to_string();
    let room = room.as_str();
    let servers = |idle_timeout: &str| -> [(&'static str, Vec<String>); 3] {
        let flags = |max: &str, more: &[&str]| {
            let mut all =
                vec!["--idle-timeout", idle_timeout, "--max-clients", max];
            all.extend(more);
            all.into_iter().map(String::from).collect()
        };
        [
            (
                "timeout-server",
                flags("256", &["--mode", "echo", "--when-full", "turn-away"]),
            ),
            ("timeout-server", flags(room, &["--mode", "echo"])),
            (
                "timeout-async-server",
                flags(room, &["--request-timeout", request]),
            ),
        ]
    };
    out!(
        "idle crowd: {} connections held {hold} s,\n  and {} honest clients \
         meanwhile",
        args.idle,
        args.honest
    );
    let mut rows = Vec::new();
    for (bin, flags) in servers(&idle_s) {
        let crowd = Crowd::Idle(args.idle);
        rows.push(runtime.block_on(measure(bin, &flags, crowd, args))?);
    }
    print_rows(&rows);
    out!(
        "\nslowloris crowd: {} connections, a byte every {} s each, \
         reconnecting,\n  and {} honest clients meanwhile",
        args.slowloris,
        args.every.as_secs_f64(),
        args.honest
    );
    let mut rows = Vec::new();
    for (bin, flags) in servers("10s") {
        let crowd = Crowd::Slowloris(args.slowloris, args.every);
        rows.push(runtime.block_on(measure(bin, &flags, crowd, args))?);
    }
    print_rows(&rows);
    // The command behind these figures, as run.
    let given: Vec<String> = std::env::args().skip(1).collect();
    let given = if given.is_empty() {
        String::new()
    } else {
        format!(" -- {}", given.join(" "))
    };
    out!(
        "\n(cargo run --release -p examples-timeout --bin timeout-crowd{given})"
    );
    Ok(())
}

#[derive(Clone, Copy)]
enum Crowd {
    Idle(u32),
    Slowloris(u32, Duration),
}

/// Start `bin`, bring the crowd, run the honest clients, and measure.
async fn measure(
    bin: &'static str,
    flags: &[String],
    crowd: Crowd,
    args: &Args,
) -> Result<Row, Failure> {
    let (mut child, addr) = start(bin, flags)?;
    let pid = child.id();
    let base_kib = status(pid, "VmRSS:");
    let stop = Arc::new(AtomicBool::new(false));
    let mut held = Vec::new();
    let mut loris = Vec::new();
    let size = match crowd {
        Crowd::Idle(n) => {
            for i in 0..n {
                // A refused or reset connection is part of what is
                // measured: the thread-per-client server turns most away.
                if let Ok(stream) = connect(addr, i).await {
                    held.push(stream);
                }
            }
            n as usize
        }
        Crowd::Slowloris(n, every) => {
            for i in 0..n {
                let stop = Arc::clone(&stop);
                loris.push(tokio::spawn(slowloris(addr, i, every, stop)));
            }
            n as usize
        }
    };
    let threads_during = status(pid, "Threads:");
    // Honest clients, one after another, spread over the hold.
    let gap = args.hold / args.honest;
    let mut latencies = Vec::new();
    let mut served = 0;
    for i in 0..args.honest {
        let started = Instant::now();
        if honest(addr, i).await {
            served += 1;
            latencies.push(started.elapsed());
        }
        sleep(gap.saturating_sub(started.elapsed())).await;
    }
    let threads = threads_during.max(status(pid, "Threads:")) as usize;
    let peak_kib = status(pid, "VmHWM:");
    stop.store(true, Ordering::SeqCst);
    drop(held);
    for task in loris {
        let _ = task.await;
    }
    let _ = child.kill();
    let _ = child.wait();
    latencies.sort();
    let max = flags.iter().skip_while(|f| *f != "--max-clients").nth(1);
    Ok(Row {
        server: format!("{bin} {}", max.map_or("", String::as_str)),
        served,
        honest: args.honest as usize,
        latencies,
        base_kib,
        peak_kib,
        threads,
        crowd: size,
    })
}

/// Connect from 127.0.0.(2 + i % 8), so that no one source runs out of
/// ports however many runs come in a row.
async fn connect(addr: SocketAddr, i: u32) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    let source = Ipv4Addr::new(127, 0, 0, 2 + (i % 8) as u8);
    socket.bind(SocketAddr::from((source, 0)))?;
    timeout(Duration::from_secs(3), socket.connect(addr))
        .await
        .map_err(|_| std::io::ErrorKind::TimedOut)?
}

/// One honest request: a line, and its echo within 3 s.
async fn honest(addr: SocketAddr, i: u32) -> bool {
    let exchange = async {
        let mut stream = connect(addr, i).await?;
        let line = format!("honest {i}\n");
        stream.write_all(line.as_bytes()).await?;
        let mut reply = Vec::new();
        while !reply.ends_with(b"\n") && reply.len() < 256 {
            if stream.read_buf(&mut reply).await? == 0 {
                break;
            }
        }
        std::io::Result::Ok(reply == line.as_bytes())
    };
    matches!(
        timeout(Duration::from_secs(3), exchange).await,
        Ok(Ok(true))
    )
}

/// A byte every `every`, never a newline; connect again when closed.
async fn slowloris(
    addr: SocketAddr,
    i: u32,
    every: Duration,
    stop: Arc<AtomicBool>,
) {
    while !stop.load(Ordering::SeqCst) {
        let Ok(mut stream) = connect(addr, i).await else {
            sleep(every).await;
            continue;
        };
        while !stop.load(Ordering::SeqCst) {
            if stream.write_all(b"x").await.is_err() {
                break;
            }
            // Wake often enough to notice the stop, and to see a close
            // (a read of 0) before the next byte.
            let next = Instant::now() + every;
            let mut closed = false;
            while Instant::now() < next && !stop.load(Ordering::SeqCst) {
                let mut byte = [0u8; 64];
                let wait =
                    Duration::from_millis(100).min(next - Instant::now());
                // Any answer is the end: this protocol answers a request
                // only at its newline, so it is a refusal, a close or a
                // reset.
                if timeout(wait, stream.read(&mut byte)).await.is_ok() {
                    closed = true;
                    break;
                }
            }
            if closed {
                break;
            }
        }
    }
}

/// Start a server binary from beside this one on 127.0.0.1 port 0, quiet,
/// and read its ready line.
fn start(bin: &str, flags: &[String]) -> Result<(Child, SocketAddr), Failure> {
    let exe = std::env::current_exe().context("find this binary")?;
    let path = exe.with_file_name(bin);
    let mut child = Command::new(&path)
        .args(["--addr", "127.0.0.1:0", "-q"])
        .args(flags)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("start {}", path.display()))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Failure::msg("no stdout"))?;
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let addr = first
        .strip_prefix(common::READY_PREFIX)
        .and_then(|a| a.parse().ok())
        .ok_or_else(|| Failure::msg(format!("{bin}: no ready line")))?;
    // Keep reading its output, so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Ok((child, addr))
}

/// A field of /proc/PID/status, in its unit (kB, or a count); 0 if absent.
fn status(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches(" kB").parse().ok())
        .unwrap_or(0)
}

fn print_rows(rows: &[Row]) {
    out!(
        "  {:<26} {:>7} {:>6} {:>6} {:>8} {:>8} {:>5}",
        "server (max clients)",
        "honest",
        "p50",
        "p99",
        "peak RSS",
        "per conn",
        "threads"
    );
    for row in rows {
        let pct = |p: usize| {
            row.latencies
                .get(
                    (row.latencies.len() * p / 100)
                        .min(row.latencies.len().saturating_sub(1)),
                )
                .map_or_else(
                    || "-".to_owned(),
                    |d| format!("{:.1}ms", d.as_secs_f64() * 1e3),
                )
        };
        let per_conn = row.peak_kib.saturating_sub(row.base_kib) * 1024
            / row.crowd.max(1) as u64;
        out!(
            "  {:<26} {:>7} {:>6} {:>6} {:>4} MiB {:>6} B {:>5}",
            row.server,
            format!("{}/{}", row.served, row.honest),
            pct(50),
            pct(99),
            row.peak_kib / 1024,
            per_conn,
            row.threads
        );
    }
}
