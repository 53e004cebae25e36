//! The flags of the lesson's servers and clients. Each field is a
//! flag; its doc comment is the flag's `--help`. The client's flags choose
//! which whole function runs (`ClientOptions::exchange`); nothing here
//! touches a socket.

use std::time::Duration;

use common::args::{parse_duration, parse_size, parse_timeout};
use common::{Failure, HostPort, Narrator};

use crate::async_client;
use crate::client::{self, Seen, guards, no_shutdown, shutdown_read};

/// How the server behaves (`shutdown-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ServerOptions {
    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,

    /// Refuse requests longer than this (the server never holds more).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_request: usize,

    /// Give up on a client that sends nothing for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// End any connection still open after this long (the watchdog).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "60s")]
    pub max_time: Duration,

    /// Wait this long before reading each request, like a busy server.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, allow_hyphen_values = true)]
    pub read_delay: Option<Duration>,

    /// Serve at most this many clients at once; past that, make room or turn
    /// the newcomer away, as --when-full says.
    #[arg(long, value_name = "N", default_value = "256")]
    pub max_clients: usize,

    /// At --max-clients, when a client arrives: close the connection the
    /// server has waited on longest for its client's bytes (evict), or
    /// refuse the newcomer politely (turn-away).
    #[arg(long, value_name = "WHAT", value_enum, default_value = "evict")]
    pub when_full: common::WhenFull,

    /// Hold at most this many bytes of requests and replies for all
    /// clients together. A large request waits for room (reading nothing
    /// meanwhile) up to --idle-timeout, then is refused politely.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_memory: usize,

    /// Wrong on purpose: after refusing a request, close at once with its
    /// rest unread, so the kernel sends RST. Shows with
    /// `--max-request 16` and a client request longer than that.
    #[arg(long)]
    pub close_early: bool,

    /// Wrong on purpose: the watchdog drops its handle instead of calling
    /// shutdown, which ends nothing. Shows with `--max-time 1s` and
    /// `shutdown-client --no-shutdown hello`.
    #[arg(long)]
    pub watchdog_drop: bool,

    /// After the reply, close abortively: SO_LINGER 0 makes close() send
    /// RST instead of FIN, and the client's read ends in ConnectionReset.
    #[arg(long, conflicts_with = "close_early")]
    pub abort: bool,
}

impl Default for ServerOptions {
    /// The defaults of `shutdown-server`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// What the client does besides the plain exchange (`shutdown-client
/// --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct ClientOptions {
    /// Never call shutdown(Write): the server cannot know the request is
    /// complete, and both sides wait (until --read-timeout).
    #[arg(long)]
    pub no_shutdown: bool,

    /// After shutdown(Write), try to write once more (it fails: BrokenPipe).
    #[arg(long, conflicts_with_all = ["no_shutdown", "shutdown_read"])]
    pub write_after_shutdown: bool,

    /// Call shutdown(Read) before sending, and see what read() does after
    /// it. Against a plain server the reply resets the connection; with
    /// `--no-shutdown` against `shutdown-server --max-request 16` and a
    /// longer request, the server's refusal still arrives.
    #[arg(long)]
    pub shutdown_read: bool,

    /// Call shutdown(Write) again at once, and once more after the
    /// server's FIN (clearest against `shutdown-server --read-delay 1s`).
    #[arg(long, conflicts_with_all = ["no_shutdown", "shutdown_read", "write_after_shutdown"])]
    pub repeat_shutdown: bool,

    /// Give up when a read or write waits this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub read_timeout: Duration,
}

impl ClientOptions {
    /// The exchange these flags ask for: the story, [`client::run`], or
    /// the sibling that shows one more thing. Each flag picks one whole
    /// function; none is tested inside another.
    pub fn exchange(
        &self,
        addr: &HostPort,
        request: &[u8],
        say: &Narrator,
    ) -> Result<Seen, Failure> {
        let wait = self.read_timeout;
        if self.shutdown_read {
            let half_close = !self.no_shutdown;
            shutdown_read::run(addr, request, wait, half_close, say)
        } else if self.no_shutdown {
            no_shutdown::run(addr, request, wait, say)
        } else if self.write_after_shutdown {
            guards::write_after_shutdown(addr, request, wait, say)
        } else if self.repeat_shutdown {
            guards::repeat_shutdown(addr, request, wait, say)
        } else {
            client::run(addr, request, wait, say)
        }
    }
}

impl Default for ClientOptions {
    /// The defaults of `shutdown-client`'s flags.
    fn default() -> Self {
        common::args::defaults()
    }
}

/// How the async server behaves (`shutdown-async-server --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncServerOptions {
    /// Serve one client, then exit.
    #[arg(long)]
    pub once: bool,

    /// Refuse requests longer than this (the server never holds more).
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "1MiB")]
    pub max_request: usize,

    /// Give up on a client that sends nothing for this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "10s")]
    pub idle_timeout: Duration,

    /// End any connection still open after this long: its future is
    /// dropped wherever it waits (no watchdog thread).
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "60s")]
    pub max_time: Duration,

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

    /// Hold at most this many bytes of requests and replies for all
    /// clients together; a request that finds no room is refused politely.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, default_value = "64MiB")]
    pub max_memory: usize,

    /// Wrong on purpose: after refusing a request, drop the socket with
    /// its rest unread, so the kernel sends RST. Shows with
    /// `--max-request 16` and a client request longer than that.
    #[arg(long)]
    pub close_early: bool,
}

/// What the async client does besides the plain exchange
/// (`shutdown-async-client --help`).
#[derive(clap::Args, Clone, Debug)]
pub struct AsyncClientOptions {
    /// Never shut down writing: the server cannot know the request is
    /// complete (it waits until its --idle-timeout or --max-time).
    #[arg(long)]
    pub no_shutdown: bool,

    /// Drop the write half of `into_split` instead of calling
    /// `shutdown()`: tokio sends the FIN all the same.
    #[arg(long, conflicts_with = "no_shutdown")]
    pub drop_write_half: bool,

    /// Shut down our read half first, through socket2 (tokio has no
    /// read-side shutdown), and see what read() does after it.
    #[arg(long, conflicts_with_all = ["no_shutdown", "drop_write_half"])]
    pub shutdown_read: bool,

    /// Give up when a read or write waits this long.
    #[arg(long, value_name = "DURATION", value_parser = parse_timeout, allow_hyphen_values = true, default_value = "5s")]
    pub read_timeout: Duration,
}

impl AsyncClientOptions {
    /// The exchange these flags ask for, on a runtime of this thread: the
    /// story, [`async_client::exchange`], or the sibling that shows one
    /// more thing.
    pub fn run(
        &self,
        addr: &HostPort,
        request: &[u8],
        say: &Narrator,
    ) -> Result<Vec<u8>, Failure> {
        use crate::async_client::{drop_write_half, no_shutdown};
        let wait = self.read_timeout;
        let runtime = common::tasks::runtime()?;
        if self.shutdown_read {
            let exchange = async_client::shutdown_read::exchange;
            runtime.block_on(exchange(addr, request, wait, say))
        } else if self.no_shutdown {
            runtime.block_on(no_shutdown::exchange(addr, request, wait, say))
        } else if self.drop_write_half {
            let exchange = drop_write_half::exchange;
            runtime.block_on(exchange(addr, request, wait, say))
        } else {
            runtime.block_on(async_client::exchange(addr, request, wait, say))
        }
    }
}
