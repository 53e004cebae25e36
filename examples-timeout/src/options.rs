//! The flags of `timeout-server` and `timeout-client`. Each field is a flag;
//! its doc comment is the flag's `--help`. `ClientOptions::exchange` opens
//! the connection as the flags say, and picks the function that runs on it.

use std::time::Duration;

use common::args::{parse_duration, parse_size, parse_timeout};
use common::{Context, Failure, HostPort, Narrator, fmt_duration, say};

use crate::async_client::{self, exact};
use crate::client::{
    self, Deadline, Reply, connect, deadline, keepalive, read_exact_trap,
    write_timeout,
};

/// How the server behaves: one mode per lesson point.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A well-behaved echo: the control case.
    Echo,
    /// Accepts, then never reads and never writes.
    Silent,
    /// Answers each request after --delay.
    Slow,
    /// Answers one byte every --interval, forever (a slowloris in reverse).
    Trickle,
    /// Answers each request in two halves, --pause apart.
    Halves,
    /// A tiny accept queue, already full, that is never accepted from:
    /// further connects hang.
    Full,
}

/// How the server behaves (`timeout-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ServerOptions {
    /// How to (mis)behave. The default, `slow`, answers each request a
    /// second late: a plain `timeout-client` (400 ms read timeout) sees its
    /// read time out, and reads again.
    #[arg(long, value_enum, default_value = "slow")]
    pub mode: Mode,

    /// slow: how long to wait before each answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, default_value = "1s")]
    pub delay: Duration,

    /// trickle: how long between two bytes of the answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "100ms")]
    pub interval: Duration,

    /// halves: how long between the two halves of each answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true, default_value = "1s")]
    pub pause: Duration,

    /// Drop a client whose read or write waits this long (and end a
    /// silent connection after it).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// Serve one client (with --udp, answer one request), then exit.
    #[arg(long)]
    pub once: bool,

    /// Serve at most this many clients at once; past that, make room or turn
    /// the newcomer away, as --when-full says.
    #[arg(long, value_name = "N", default_value = "256")]
    pub max_clients: usize,

    /// At --max-clients, when a client arrives: close the connection the
    /// server has waited on longest for its client's bytes (evict), or
    /// refuse the newcomer politely (turn-away).
    #[arg(long, value_name = "WHAT", value_enum, default_value = "evict")]
    pub when_full: common::WhenFull,

    /// How often the accept loop wakes up to report how many clients are
    /// connected.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "1s")]
    pub tick: Duration,

    /// Serve UDP datagrams instead of TCP connections.
    #[arg(long, conflicts_with = "mode")]
    pub udp: bool,

    /// UDP: ignore the first N requests, as a lossy network would.
    #[arg(long, value_name = "N", default_value = "0", requires = "udp")]
    pub drop_first: u32,
}

impl Default for ServerOptions {
    /// The defaults of `timeout-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// The client's timeouts and behaviours (`timeout-client --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ClientOptions {
    /// Give up connecting after this long (TcpStream::connect_timeout).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub connect_timeout: Option<Duration>,

    /// Give up on a single read that waits this long (SO_RCVTIMEO). With
    /// --udp: how long to wait for the first answer.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "400ms")]
    pub read_timeout: Duration,

    /// Give up on a single write that waits this long (SO_SNDTIMEO).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "2s")]
    pub write_timeout: Duration,

    /// Bound the whole exchange, from connect to the last byte (without
    /// it, 30 s bounds the connect, the flood and UDP's retries).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub deadline: Option<Duration>,

    /// After a read timeout, read again on the same connection, up to N
    /// times. With --udp: send the request again, up to N times.
    #[arg(long, value_name = "N", default_value = "3")]
    pub retries: u32,

    /// Wrong on purpose: read the reply with read_exact, which loses what it
    /// had read when it times out.
    #[arg(long)]
    pub exact: bool,

    /// Instead of a request, send this many bytes and never read: against
    /// --mode silent, the write timeout fires once the buffers are full.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub flood: Option<usize>,

    /// Turn TCP keepalive on: the first probe after this long idle (Linux
    /// takes at most 32767 s).
    #[arg(long, value_name = "DURATION", value_parser = parse_keepalive, allow_hyphen_values = true)]
    pub keepalive: Option<Duration>,

    /// Keepalive: the time between two probes (at most 32767 s).
    #[arg(long, value_name = "DURATION", value_parser = parse_keepalive, allow_hyphen_values = true, requires = "keepalive")]
    pub keepalive_interval: Option<Duration>,

    /// Keepalive: how many unanswered probes end the connection (1 to
    /// 127, what Linux takes).
    #[arg(long, value_name = "N", requires = "keepalive", value_parser = clap::value_parser!(u32).range(1..=127))]
    pub keepalive_retries: Option<u32>,

    /// Linux: drop the connection when sent data stays unacknowledged this
    /// long (TCP_USER_TIMEOUT).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true)]
    pub user_timeout: Option<Duration>,

    /// Wait this long between connecting and sending the request: time to
    /// cut the link in the network lab (`lab cut HOST`), so that the
    /// request is sent to a peer that is no longer there.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub pause: Option<Duration>,

    /// Use UDP: one datagram each way, sent again with exponential backoff
    /// and jitter when no answer comes.
    #[arg(long, conflicts_with_all = ["connect_timeout", "exact", "flood", "keepalive", "user_timeout", "pause"])]
    pub udp: bool,

    /// UDP: the backoff doubles after each unanswered attempt, up to this;
    /// each wait is drawn between half of it and all of it.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "16s")]
    pub max_backoff: Duration,
}

/// A keepalive time: Linux takes at most 32767 s for TCP_KEEPIDLE and
/// TCP_KEEPINTVL (`MAX_TCP_KEEPIDLE`), and refuses more with EINVAL when
/// the socket is set up, too late for a usage error.
///
/// ```
/// use examples_timeout::options::parse_keepalive;
/// assert!(parse_keepalive("2h").is_ok());
/// assert!(parse_keepalive("24h").unwrap_err().contains("32767 s"));
/// ```
pub fn parse_keepalive(s: &str) -> Result<Duration, String> {
    let d = parse_timeout(s)?;
    if d > Duration::from_secs(32_767) {
        return Err(format!(
            "'{s}' is too long for keepalive: Linux takes at most 32767 s \
             (about 9 h)"
        ));
    }
    Ok(d)
}

/// A deadline tokio can honour: its timer counts whole milliseconds, so a
/// shorter one would round to nothing and be silently ignored.
///
/// ```
/// use examples_timeout::options::parse_timer;
/// assert!(parse_timer("1ms").is_ok());
/// assert!(parse_timer("1ns").unwrap_err().contains("1ms"));
/// ```
pub fn parse_timer(s: &str) -> Result<Duration, String> {
    let d = parse_timeout(s)?;
    if d < Duration::from_millis(1) {
        return Err(format!(
            "'{s}' is shorter than tokio's timer counts: give at least 1ms"
        ));
    }
    Ok(d)
}

impl Default for ClientOptions {
    /// The defaults of `timeout-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

impl ClientOptions {
    /// The deadline: `--deadline`, or 30 s for what needs a bound anyway.
    pub fn deadline(&self) -> Deadline {
        Deadline::after(self.deadline.unwrap_or(Duration::from_secs(30)))
    }

    /// The exchange these flags ask for. The connection is opened as they
    /// say (connect timeout, keepalive, write timeout, a pause), then one
    /// whole function runs on it: the story, [`client::run`], or the
    /// sibling that shows one more thing. None is tested inside another.
    pub fn exchange(
        &self,
        addr: &HostPort,
        message: &str,
        say: &Narrator,
    ) -> Result<Reply, Failure> {
        if self.udp {
            return client::run_udp(addr, message, self, say);
        }
        // One instant for the whole exchange, connect included, if asked.
        let deadline = self.deadline.map(Deadline::after);
        let limit = self.connect_timeout.or(self.deadline);
        let limit = limit.unwrap_or(Duration::from_secs(30));
        let stream = connect::connect(addr, limit, deadline.as_ref(), say)?;
        if self.keepalive.is_some() || self.user_timeout.is_some() {
            keepalive::configure(&stream, self, say)?;
        }
        let limit = Some(self.write_timeout);
        stream
            .set_write_timeout(limit)
            .context("set_write_timeout")?;
        if let Some(pause) = self.pause {
            let ms = pause.as_millis();
            let paused = fmt_duration(pause);
            say!(say, pause(ms), "pausing {paused} before sending (--pause)");
            std::thread::sleep(pause);
        }
        let (wait, retries) = (self.read_timeout, self.retries);
        if let Some(size) = self.flood {
            let deadline = deadline.unwrap_or_else(|| self.deadline());
            write_timeout::flood(&stream, size, self, &deadline, say)?;
            Ok(Reply::default())
        } else if self.exact {
            let deadline = deadline.unwrap_or_else(|| self.deadline());
            read_exact_trap::run(&stream, message, self, &deadline, say)
        } else if let Some(deadline) = deadline {
            deadline::run(&stream, message, wait, retries, &deadline, say)
        } else {
            client::run(&stream, message, wait, retries, say)
        }
    }
}

/// How the event-driven server behaves (`timeout-async-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncServerOptions {
    /// Drop a client that sends no request for this long (a new request
    /// may begin this long after the last answer).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// Drop a client whose request line is not complete this long after
    /// its first byte: the slowloris that sends a byte now and then.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub request_timeout: Duration,

    /// Serve at most this many clients at once; past that, make room or turn
    /// the newcomer away, as --when-full says.
    /// Each costs a task and a socket, not a thread.
    #[arg(long, value_name = "N", default_value = "10000", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub max_clients: u32,

    /// At --max-clients, when a client arrives: close the connection the
    /// server has waited on longest for its client's bytes (evict), or
    /// refuse the newcomer politely (turn-away).
    #[arg(long, value_name = "WHAT", value_enum, default_value = "evict")]
    pub when_full: common::WhenFull,

    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,
}

/// The async client's timeouts (`timeout-async-client --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncClientOptions {
    /// Give up connecting after this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "3s")]
    pub connect_timeout: Duration,

    /// How long one read of the reply waits.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "2s")]
    pub read_timeout: Duration,

    /// After a read times out, read again this many times.
    #[arg(long, value_name = "N", default_value = "0", value_parser = clap::value_parser!(u32).range(0..=1000))]
    pub retries: u32,

    /// A deadline for the whole exchange, connect included (at least 1ms:
    /// tokio's timer counts milliseconds).
    #[arg(long, value_name = "DURATION", value_parser = parse_timer, allow_hyphen_values = true)]
    pub deadline: Option<Duration>,

    /// Turn TCP keepalive on, probing after this much silence (set
    /// through socket2's SockRef: tokio has no keepalive setter; Linux
    /// takes at most 32767 s).
    #[arg(long, value_name = "DURATION", value_parser = parse_keepalive, allow_hyphen_values = true)]
    pub keepalive: Option<Duration>,

    /// Wrong on purpose: read the reply with `timeout(read_exact)`. When
    /// the timeout cancels it mid-reply, what it had read is lost. Shows
    /// against `timeout-server --mode halves` with `--read-timeout 400ms
    /// --retries 5`.
    #[arg(long)]
    pub exact: bool,
}

impl AsyncClientOptions {
    /// The exchange these flags ask for, on a runtime of this thread: the
    /// connection opened within `--connect-timeout` (and the deadline),
    /// then the story, [`async_client::exchange`], or the sibling that
    /// shows one more thing.
    pub fn run(
        &self,
        addr: &HostPort,
        message: &str,
        say: &Narrator,
    ) -> Result<Reply, Failure> {
        common::tasks::runtime()?.block_on(async {
            let started = tokio::time::Instant::now();
            // A deadline is one instant for the whole exchange.
            let deadline = self.deadline.and_then(|d| started.checked_add(d));
            let (wait, retries) = (self.read_timeout, self.retries);
            let (connect, keep) = (self.connect_timeout, self.keepalive);
            let mut stream =
                async_client::connect(addr, connect, deadline, keep, say)
                    .await?;
            let stream = &mut stream;
            if self.exact {
                exact::exchange(stream, message, wait, retries, say).await
            } else if let Some(at) = deadline {
                let exchange = async_client::deadline::exchange;
                exchange(stream, message, wait, retries, at, say).await
            } else {
                async_client::exchange(stream, message, wait, retries, say)
                    .await
            }
        })
    }
}
