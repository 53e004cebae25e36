//! Lesson 1 in the tour (`cargo run` at the repository's root): the pair in
//! one process, a server thread and the client on the calling thread, one
//! step per behaviour of the lesson, each checked against what happened.

use std::time::{Duration, Instant};

use super::{Once, Tour, serve_once};
use common::{Failure, Narrator, fmt_duration};

use examples_shutdown::client::{self, Seen};
use examples_shutdown::{Reply, sample_request, server};
use examples_shutdown::{async_client, async_server};

/// The lesson's name on the tour's command line.
pub const NAME: &str = "shutdown";
/// What the lesson is about, for `--list`.
pub const TITLE: &str =
    "half-open sockets: shutdown(Write), shutdown(Read), closing without RST";

/// Run every step.
pub fn run(tour: &mut Tour) -> Result<(), Failure> {
    let plain = client::Options::default();
    let hello = b"hello, half-open world";

    tour.step("half-close: shutdown(Write) ends the request, the reply still comes back");
    let got = exchange(tour, server::Options::default(), &plain, hello)?;
    let ok = got.as_ref().is_ok_and(|seen| {
        Reply::parse(&seen.reply)
            == Reply::Received {
                bytes: hello.len(),
                body: b"HELLO, HALF-OPEN WORLD",
            }
    });
    tour.key(ok, "after the client's shutdown(Write), the server read to EOF and the client still read the whole reply", "shutdown-server", "shutdown-client \"hello, half-open world\"");

    tour.step("--no-shutdown: nobody can tell the request is over");
    let wait = Duration::from_millis(300);
    let opts = client::Options {
        no_shutdown: true,
        read_timeout: wait,
        ..plain.clone()
    };
    let got = exchange(tour, server::Options::default(), &opts, hello)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.to_string().starts_with("no reply within"));
    tour.found(
        ok,
        format!(
            "without shutdown(Write) both sides waited: the client gave up after {} with no reply",
            fmt_duration(wait)
        ),
    );

    tour.step("--write-after-shutdown: the closed direction stays closed");
    let opts = client::Options {
        write_after_shutdown: true,
        ..plain.clone()
    };
    let got = exchange(tour, server::Options::default(), &opts, hello)?;
    let ok = got.as_ref().is_ok_and(|seen| {
        seen.late_write == Some(Err(std::io::ErrorKind::BrokenPipe))
            && !seen.reply.is_empty()
    });
    tour.found(
        ok,
        "a write after shutdown(Write) failed with BrokenPipe, and the reply still arrived",
    );

    // The server speaks before our FIN only to refuse a request.
    let long = b"more than sixteen bytes";
    let strict = server::Options {
        max_request: 16,
        ..server::Options::default()
    };

    tour.step(
        "--shutdown-read --no-shutdown: read() returns 0 at once, yet later data is delivered",
    );
    let opts = client::Options {
        shutdown_read: true,
        no_shutdown: true,
        ..plain.clone()
    };
    let got = exchange(tour, strict.clone(), &opts, long)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.to_string().starts_with("the server refused"));
    tour.found(ok, "after shutdown(Read), read() returned 0 at once, yet the refusal the server sent later was delivered (Linux)");

    tour.step("--shutdown-read: Read, then Write, is Both: arriving data resets the connection");
    let opts = client::Options {
        shutdown_read: true,
        ..plain.clone()
    };
    let got = exchange(tour, server::Options::default(), &opts, hello)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.kind() == Some(std::io::ErrorKind::ConnectionReset));
    tour.found(
        ok,
        "shut down both ways, the client's kernel answered the reply with RST (Linux)",
    );

    // A server that waits before reading holds its FIN back, so the first
    // repeat surely meets a connection that is still open.
    let busy = server::Options {
        read_delay: Some(Duration::from_millis(500)),
        ..server::Options::default()
    };

    tour.step("--repeat-shutdown: Ok while the server's FIN is to come, NotConnected after");
    let opts = client::Options {
        repeat_shutdown: true,
        ..plain.clone()
    };
    let got = exchange(tour, busy.clone(), &opts, hello)?;
    let ok = got.as_ref().is_ok_and(|seen| {
        seen.repeated == [Ok(()), Err(std::io::ErrorKind::NotConnected)]
    });
    tour.found(ok, "repeating shutdown(Write) was Ok while the server's FIN was outstanding, NotConnected once both FINs were exchanged");

    tour.step("shutdown(Write) does not wait for the data to be delivered");
    let big = sample_request(1 << 20);
    let got = exchange(tour, busy, &plain, &big)?;
    let (ok, text) = match &got {
        Ok(Seen { shutdown_took: Some(took), unsent_at_shutdown: Some(unsent), .. }) => (
            *unsent > 0,
            format!(
                "shutdown(Write) returned after {} with {unsent} of {} bytes undelivered; \
                 only the server's reply confirmed they all arrived",
                fmt_duration(*took),
                big.len()
            ),
        ),
        Ok(_) => (true, "the server's reply confirmed every byte (the send queue cannot be read on this platform)".to_owned()),
        Err(f) => (false, format!("the exchange failed: {f}")),
    };
    tour.key(
        ok,
        text,
        "shutdown-server --read-delay 1s",
        "shutdown-client --size 1MiB",
    );

    tour.step("the watchdog: shutdown(Both) from another thread ends a stuck connection");
    let limit = Duration::from_millis(300);
    let watched = server::Options {
        max_time: limit,
        ..server::Options::default()
    };
    let opts = client::Options {
        no_shutdown: true,
        read_timeout: Duration::from_secs(3),
        ..plain.clone()
    };
    let started = Instant::now();
    let got = exchange(tour, watched, &opts, hello)?;
    let took = started.elapsed();
    let ok = took < Duration::from_secs(2)
        && got
            .as_ref()
            .is_err_and(|f| f.to_string().contains("without a reply"));
    tour.found(ok, format!("the watchdog's shutdown(Both) woke the server's blocked read() and closed the connection after {}", fmt_duration(took)));

    tour.step("--close-early: closing with unread data sends RST");
    let early = server::Options {
        close_early: true,
        ..strict.clone()
    };
    let got = exchange(tour, early, &plain, long)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.kind() == Some(std::io::ErrorKind::ConnectionReset));
    tour.key(
        ok,
        "a server that closed with part of the request unread made the client see ConnectionReset", "shutdown-server --max-request 16 --close-early", "shutdown-client \"more than sixteen bytes\"");

    tour.step("the lingering close: FIN, drain, then close");
    let got = exchange(tour, strict, &plain, long)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.to_string().starts_with("the server refused"));
    tour.found(
        ok,
        "shutdown(Write), draining to the client's FIN, then closing delivered the refusal cleanly",
    );

    tour.step("--abort: SO_LINGER 0 closes with RST, on purpose");
    let abort = server::Options {
        abort: true,
        ..server::Options::default()
    };
    let got = exchange(tour, abort, &plain, hello)?;
    let ok = got
        .as_ref()
        .is_err_and(|f| f.kind() == Some(std::io::ErrorKind::ConnectionReset));
    tour.found(
        ok,
        "SO_LINGER 0 made the server's close send RST: the client's read ended in ConnectionReset",
    );

    tour.step("on tokio: dropping an into_split write half sends the FIN");
    let opts = async_client::Options {
        drop_write_half: true,
        ..common::args::defaults()
    };
    let blocking = serve_once(tour, |listener, say| {
        let opts = server::Options {
            once: true,
            ..server::Options::default()
        };
        server::serve(listener, &opts, say)
    })?;
    let got = async_exchange(tour, blocking, &opts, hello);
    let ok = got.as_ref().is_ok_and(|reply| {
        matches!(Reply::parse(reply), Reply::Received { bytes, .. } if bytes == hello.len())
    });
    tour.found(
        ok,
        "on tokio, dropping the write half sent the FIN: the blocking server read to EOF and replied",
    );

    tour.step("on tokio: a deadline, not a watchdog, ends a silent client's connection");
    let deadline = serve_once(tour, |listener, say| {
        let opts = async_server::Options {
            once: true,
            max_time: Duration::from_millis(200),
            ..common::args::defaults()
        };
        async_server::serve(listener, &opts, say)
    })?;
    let opts = async_client::Options {
        no_shutdown: true,
        read_timeout: Duration::from_secs(3),
        ..common::args::defaults()
    };
    let started = Instant::now();
    let got = async_exchange(tour, deadline, &opts, hello);
    let took = started.elapsed();
    let ok = took < Duration::from_secs(2)
        && got
            .as_ref()
            .is_err_and(|f| f.to_string().contains("without a reply"));
    tour.found(ok, format!("on tokio, --max-time dropped the server's waiting read and closed the connection after {}", fmt_duration(took)));
    Ok(())
}

/// One exchange of the async client with `server`, which serves once.
fn async_exchange(
    tour: &Tour,
    server: Once,
    opts: &async_client::Options,
    request: &[u8],
) -> Result<Vec<u8>, Failure> {
    let say = Narrator::client(tour.level());
    let got = opts.run(&server.addr.into(), request, &say);
    match &got {
        Ok(reply) => say.result(reply),
        Err(failure) => tour.failed("[client]", failure),
    }
    server.finish(tour);
    got
}

/// One exchange: a server for one connection on a thread, the client here.
/// Returns the client's outcome, once the server has finished too, so that
/// its narration is complete before the next step begins.
fn exchange(
    tour: &Tour,
    server_opts: server::Options,
    client_opts: &client::Options,
    request: &[u8],
) -> Result<Result<Seen, Failure>, Failure> {
    let opts = server::Options {
        once: true,
        ..server_opts
    };
    let server = serve_once(tour, move |listener, say| {
        server::serve(listener, &opts, say)
    })?;
    let say = Narrator::client(tour.level());
    let outcome = client_opts.exchange(&server.addr.into(), request, &say);
    match &outcome {
        // What the binary would print last: the reply.
        Ok(seen) if seen.reply.len() <= 200 => say.result(&seen.reply),
        Ok(seen) => {
            let first =
                seen.reply.split(|&b| b == b'\n').next().unwrap_or_default();
            let rest = seen.reply.len() - first.len() - 1;
            let first = String::from_utf8_lossy(first);
            say.result(
                format!("{first} (then {rest} more bytes of reply)").as_bytes(),
            );
        }
        Err(failure) => tour.failed("[client]", failure),
    }
    server.finish(tour);
    Ok(outcome)
}
