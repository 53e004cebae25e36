//! Lesson 2 in the tour (`cargo run` at the repository's root): each
//! timeout against the server mode it is for, in one process, each step
//! checked against what happened.

use std::io::Read;
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};

use super::{Once, Tour, serve_once};
use common::{Context, Failure, HostPort, Narrator, Verbosity, fmt_duration};

use examples_timeout::async_client;
use examples_timeout::client::{self, Reply};
use examples_timeout::server::{self, Full, Mode};

/// The lesson's name on the tour's command line.
pub const NAME: &str = "timeout";
/// What the lesson is about, for `--list`.
pub const TITLE: &str =
    "timeouts: read, write, connect, idle, deadlines, keepalive, UDP retry";

/// Run every step.
pub fn run(tour: &mut Tour) -> Result<(), Failure> {
    // No retries unless a step asks for them: each step shows one thing.
    let plain = client::Options {
        retries: 0,
        ..client::Options::default()
    };
    let ms = Duration::from_millis;

    tour.step("read timeout: a silent server");
    let silent = server::Options {
        mode: Mode::Silent,
        // Over twice the client's 250 ms: the client must give up first.
        idle_timeout: ms(600),
        ..server_defaults()
    };
    let opts = client::Options {
        read_timeout: ms(250),
        ..plain.clone()
    };
    let (got, took) = exchange(tour, silent.clone(), &opts, "ping")?;
    // A tick of slack: the kernel may end a socket timeout a little early.
    let ok = failed_with(&got, "read timeout") && took >= ms(245);
    tour.key(
        ok,
        format!(
            "against a silent server, the 250 ms read timeout fired after {}",
            fmt_duration(took)
        ),
        "timeout-server --mode silent",
        "timeout-client --read-timeout 250ms --retries 0",
    );

    tour.step("a timeout is not the end: give up, or read again");
    // Late by more than two of the client's 300 ms timeouts.
    let slow = server::Options {
        mode: Mode::Slow,
        delay: ms(700),
        ..server_defaults()
    };
    let opts = client::Options {
        read_timeout: ms(300),
        ..plain.clone()
    };
    let (got, _) = exchange(tour, slow.clone(), &opts, "ping")?;
    tour.found(
        failed_with(&got, "read timeout"),
        "with no retries, the client gave up on a slow server",
    );
    let opts = client::Options {
        read_timeout: ms(300),
        retries: 5,
        ..plain.clone()
    };
    let (got, _) = exchange(tour, slow, &opts, "ping")?;
    let ok = got
        .as_ref()
        .is_ok_and(|r| r.bytes == b"ping\n" && r.timeouts >= 1);
    tour.found(
        ok,
        "reading again on the same connection got the late answer",
    );

    tour.step("per-call timeout versus deadline: a trickling server");
    let trickle = server::Options {
        mode: Mode::Trickle,
        interval: ms(50),
        ..server_defaults()
    };
    let opts = client::Options {
        read_timeout: ms(200),
        deadline: Some(ms(1000)),
        ..plain.clone()
    };
    let (got, took) = exchange(tour, trickle, &opts, "ping")?;
    let ok = failed_with(&got, "deadline") && took >= ms(990);
    tour.key(
        ok,
        format!(
            "the 200 ms read timeout never fired; the 1 s deadline ended the exchange after {}",
            fmt_duration(took)
        ), "timeout-server --mode trickle --interval 50ms", "timeout-client --read-timeout 200ms --deadline 1s");

    tour.step("connect timeout: a full accept queue, then a closed port");
    let full = Full::bind(&loopback())?;
    let opts = client::Options {
        connect_timeout: Some(ms(500)),
        ..plain.clone()
    };
    let started = Instant::now();
    let got =
        opts.exchange(&full.local_addr()?.into(), "ping", &client_say(tour));
    let took = started.elapsed();
    report(tour, &got);
    let ok = failed_with(&got, "connect timeout") && took >= ms(500);
    tour.found(
        ok,
        format!(
            "against a full accept queue, the 500 ms connect timeout fired after {}",
            fmt_duration(took)
        ),
    );
    drop(full);
    let closed = closed_port()?;
    let started = Instant::now();
    let got = opts.exchange(&closed.into(), "ping", &client_say(tour));
    let took = started.elapsed();
    report(tour, &got);
    let refused = got.as_ref().is_err_and(|f| {
        f.kind() == Some(std::io::ErrorKind::ConnectionRefused)
    });
    tour.found(
        refused && took < ms(500),
        format!(
            "a closed port refused at once, after {}",
            fmt_duration(took)
        ),
    );

    tour.step("write timeout: a server that never reads");
    let opts = client::Options {
        flood: Some(64 << 20),
        write_timeout: ms(250),
        ..plain.clone()
    };
    // Silent for twice as long as the client's writes take to time out
    // (0.77 s, measured: filling both buffers, then one 250 ms wait).
    let silent = server::Options {
        idle_timeout: ms(1500),
        ..silent
    };
    let (got, _) = exchange(tour, silent, &opts, "ping")?;
    tour.found(
        failed_with(&got, "write timeout"),
        "writes were taken until both buffers were full, then the 250 ms write timeout fired",
    );

    tour.step(
        "the server's idle timeout: a client that connects and says nothing",
    );
    let idle = server::Options {
        idle_timeout: ms(300),
        ..server_defaults()
    };
    let server = one_server(tour, idle)?;
    let addr = server.addr;
    let started = Instant::now();
    let mut quiet = TcpStream::connect(addr).context("connect")?;
    quiet
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context("set_read_timeout")?;
    let closed_on_us = matches!(quiet.read(&mut [0u8; 1]), Ok(0));
    let took = started.elapsed();
    server.finish(tour);
    tour.found(
        // The kernel counts a socket timeout in clock ticks (jiffies), and
        // the first tick may be partly gone: seen from here, its 300 ms can
        // end a few milliseconds early (299 ms was seen once in a soak).
        closed_on_us && took >= ms(290),
        format!(
            "the server closed a silent client's connection after {}",
            fmt_duration(took)
        ),
    );

    tour.step("keepalive: configured, and read back");
    let opts = client::Options {
        keepalive: Some(Duration::from_secs(10)),
        keepalive_interval: Some(Duration::from_secs(2)),
        keepalive_retries: Some(3),
        ..plain.clone()
    };
    let (got, _) = exchange(tour, server_defaults(), &opts, "ping")?;
    tour.found(
        got.is_ok(),
        "keepalive was set to probe after 10 s idle, every 2 s, 3 times, and read back",
    );

    tour.step("a timeout in the middle of a message");
    // The second half comes after two of the client's 300 ms timeouts.
    let halves = server::Options {
        mode: Mode::Halves,
        pause: ms(700),
        ..server_defaults()
    };
    let opts = client::Options {
        read_timeout: ms(300),
        retries: 5,
        exact: true,
        ..plain.clone()
    };
    let (got, _) = exchange(tour, halves.clone(), &opts, "hello world")?;
    tour.found(
        failed_with(&got, "out of step"),
        "read_exact timed out mid-message and lost its head: the stream was out of step",
    );
    let opts = client::Options {
        read_timeout: ms(300),
        retries: 5,
        ..plain.clone()
    };
    let (got, _) = exchange(tour, halves, &opts, "hello world")?;
    let ok = got.as_ref().is_ok_and(|r| r.bytes == b"hello world\n");
    tour.found(
        ok,
        "a buffer that survives the timeout completed the message after retries",
    );

    tour.step("on tokio: timeout() cancels a whole future");
    let halves = server::Options {
        mode: Mode::Halves,
        pause: ms(700),
        ..server_defaults()
    };
    let opts = async_client::Options {
        read_timeout: ms(300),
        retries: 5,
        exact: true,
        ..async_defaults()
    };
    let got = async_exchange(tour, halves.clone(), &opts)?;
    tour.found(
        failed_with(&got, "out of step"),
        "on tokio, timeout(read_exact) cancelled mid-message lost its head",
    );
    let opts = async_client::Options {
        exact: false,
        ..opts
    };
    let got = async_exchange(tour, halves, &opts)?;
    let ok = got.as_ref().is_ok_and(|r| r.bytes == b"hello world\n");
    tour.key(
        ok,
        "on tokio, a reply kept outside the cancelled read was completed",
        "timeout-server --mode halves",
        "timeout-async-client --addr 127.0.0.1:7102 --read-timeout 300ms --retries 5 \"hello world\"",
    );

    tour.step("UDP: no connection to time out; resend with backoff");
    let socket =
        UdpSocket::bind("127.0.0.1:0").context("bind 127.0.0.1:0 (UDP)")?;
    let addr = socket.local_addr().context("local_addr")?;
    let lossy = server::Options {
        udp: true,
        drop_first: 2,
        // It returns after its answer, so its last line is printed before
        // this step's verdict.
        once: true,
        ..server_defaults()
    };
    let say = Narrator::server(tour.level());
    let serving = thread::Builder::new()
        .name("tour-udp".into())
        .spawn(move || server::serve_udp(&socket, &lossy, &say))
        .context("start the UDP server")?;
    let opts = client::Options {
        udp: true,
        read_timeout: ms(100),
        retries: 4,
        ..plain
    };
    let got = client::run_udp(&addr.into(), "ping", &opts, &client_say(tour));
    report(tour, &got);
    let ok = got.as_ref().is_ok_and(|r| r.timeouts == 2);
    if got.is_ok() {
        // Answered: the server has returned, or is about to.
        let _ = serving.join();
    }
    tour.key(
        ok,
        "two requests were lost; the third, sent after a longer wait, was answered", "timeout-server --udp --drop-first 2", "timeout-client --udp --read-timeout 100ms --retries 4");
    Ok(())
}

fn server_defaults() -> server::Options {
    server::Options {
        once: true,
        mode: Mode::Echo,
        ..server::Options::default()
    }
}

/// The async client's defaults, as its binary has them.
fn async_defaults() -> async_client::Options {
    common::args::defaults()
}

/// One exchange of the async client with a one-connection server.
fn async_exchange(
    tour: &Tour,
    server_opts: server::Options,
    client_opts: &async_client::Options,
) -> Result<Result<Reply, Failure>, Failure> {
    let server = one_server(tour, server_opts)?;
    let addr = server.addr.into();
    let say = client_say(tour);
    let got = client_opts.run(&addr, "hello world", &say);
    report(tour, &got);
    server.finish(tour);
    Ok(got)
}

fn loopback() -> HostPort {
    HostPort::from(SocketAddr::from(([127, 0, 0, 1], 0)))
}

fn client_say(tour: &Tour) -> Narrator {
    Narrator::client(tour.level())
}

fn failed_with(got: &Result<Reply, Failure>, prefix: &str) -> bool {
    got.as_ref()
        .is_err_and(|f| f.to_string().starts_with(prefix))
}

/// A port nothing listens on: bound a moment ago, then let go.
fn closed_port() -> Result<SocketAddr, Failure> {
    let listener =
        TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")?;
    listener.local_addr().context("local_addr")
}

/// This lesson's server, for one connection, on a thread.
fn one_server(tour: &Tour, opts: server::Options) -> Result<Once, Failure> {
    let opts = server::Options { once: true, ..opts };
    serve_once(tour, move |listener, say| {
        server::serve(listener, &opts, say)
    })
}

/// One exchange with a one-connection server; returns the client's outcome
/// and how long it took, once the server has finished too.
fn exchange(
    tour: &Tour,
    server_opts: server::Options,
    client_opts: &client::Options,
    message: &str,
) -> Result<(Result<Reply, Failure>, Duration), Failure> {
    let server = one_server(tour, server_opts)?;
    let addr = server.addr;
    let started = Instant::now();
    let got = client_opts.exchange(&addr.into(), message, &client_say(tour));
    let took = started.elapsed();
    report(tour, &got);
    // The client has closed its side; the server's connection ends with it
    // (a silent server's after its idle timeout).
    server.finish(tour);
    Ok((got, took))
}

/// What the binary would print last: the reply, or its error line.
fn report(tour: &Tour, got: &Result<Reply, Failure>) {
    if tour.level() < Verbosity::Normal {
        return;
    }
    let say = client_say(tour);
    match got {
        Ok(reply) if !reply.bytes.is_empty() => say.result(&reply.bytes),
        Ok(_) => {}
        Err(failure) => tour.failed("[client]", failure),
    }
}
