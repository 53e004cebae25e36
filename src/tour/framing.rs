//! Lesson 3 in the tour: the stream splits and coalesces, the terminator
//! problem, Nagle against delayed ACKs, a classic mistake, and a hostile
//! header, each checked against what happened.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use super::{Once, Tour, serve_once};
use common::{Context, Failure, Narrator, Verbosity, fmt_duration};

use examples_framing::client::{self, Outcome};
use examples_framing::codecs::Strategy;
use examples_framing::mistakes::ReadMistake;
use examples_framing::{async_server, server};

/// The lesson's name on the tour's command line.
pub const NAME: &str = "framing";
/// What the lesson is about, for `--list`.
pub const TITLE: &str =
    "transmitting variable-length messages: seven framings over one stream";

/// Run every step.
pub fn run(tour: &mut Tour) -> Result<(), Failure> {
    let words: Vec<Vec<u8>> = ["hello", "two words", "a third, longer message"]
        .iter()
        .map(|m| m.as_bytes().to_vec())
        .collect();
    let plain = client::Options::default();

    tour.step("splitting: one byte per write, and the server still reads whole frames");
    let opts = client::Options {
        trickle: true,
        pause: Duration::from_millis(1),
        ..plain.clone()
    };
    let got = exchange(tour, server::Options::default(), &opts, &words)?;
    tour.key(
        got.is_ok(),
        "u32-length frames sent a byte at a time came back whole",
        "framing-server",
        "framing-client --trickle hello",
    );

    tour.step(
        "coalescing: every frame in one write, and the server separates them",
    );
    let opts = client::Options {
        burst: true,
        strategy: Strategy::Netstring,
        ..plain.clone()
    };
    let netstring = server::Options {
        strategy: Strategy::Netstring,
        ..server::Options::default()
    };
    let got = exchange(tour, netstring, &opts, &words)?;
    tour.found(
        got.is_ok(),
        "three netstrings sent in one write came back as three replies",
    );

    tour.step("the terminator problem: a newline inside a message");
    let broken = vec![b"two\nlines".to_vec()];
    let line = server::Options {
        strategy: Strategy::Line,
        ..server::Options::default()
    };
    let opts = client::Options {
        strategy: Strategy::Line,
        read_timeout: Duration::from_secs(2),
        ..plain.clone()
    };
    let got = exchange(tour, line, &opts, &broken)?;
    let split = got.as_ref().is_err_and(|f| {
        f.to_string()
            .starts_with("reply 1 is not our message reversed")
    });
    tour.key(
        split,
        "line framing cut \"two\\nlines\" into two messages",
        "framing-server --strategy line",
        "framing-client --strategy line $'two\\nlines'",
    );
    let escaped = server::Options {
        strategy: Strategy::Escaped,
        ..server::Options::default()
    };
    let opts = client::Options {
        strategy: Strategy::Escaped,
        ..plain.clone()
    };
    let got = exchange(tour, escaped, &opts, &broken)?;
    tour.found(
        got.is_ok(),
        "escaped framing carried the same message whole",
    );

    tour.step("Nagle meets delayed ACK: header and body in two writes");
    let ping = vec![vec![b'x'; 64]];
    let opts = client::Options {
        repeat: 8,
        ..plain.clone()
    };
    let one = exchange(tour, server::Options::default(), &opts, &ping)?;
    let opts = client::Options {
        repeat: 8,
        split_writes: true,
        ..plain.clone()
    };
    let two = exchange(tour, server::Options::default(), &opts, &ping)?;
    let (fast, slow) = (median(&one), median(&two));
    tour.key(
        slow >= Duration::from_millis(20) && fast < Duration::from_millis(10),
        format!(
            "round trips took {} with one write per frame, {} with split writes",
            fmt_duration(fast),
            fmt_duration(slow)
        ), "framing-server", "framing-client --repeat 20 --split-writes ping");

    tour.step("a classic mistake: a BufReader made per message");
    let wrong = server::Options {
        mistake: Some(ReadMistake::Bufreader),
        // Longer than the client's 500 ms read timeout, so the client gives up
        // first, as it would against a real server that lost its frames.
        idle_timeout: Duration::from_millis(1500),
        ..server::Options::default()
    };
    let opts = client::Options {
        burst: true,
        read_timeout: Duration::from_millis(500),
        ..plain.clone()
    };
    let got = exchange(tour, wrong, &opts, &words)?;
    let lost = got
        .as_ref()
        .is_err_and(|f| f.to_string().starts_with("no reply 2"));
    tour.found(
        lost,
        "the first BufReader took the whole burst with it: replies 2 and 3 never came",
    );

    tour.step("a hostile header: 4 GiB declared");
    let server = one_server(tour, server::Options::default())?;
    let addr = server.addr;
    let mut hostile = TcpStream::connect(addr).context("connect")?;
    hostile
        .write_all(&u32::MAX.to_be_bytes())
        .context("send the header")?;
    hostile
        .set_read_timeout(Some(Duration::from_secs(5)))
        .context("set_read_timeout")?;
    // The server refuses the frame at once and closes: read() returns 0.
    let closed = matches!(hostile.read(&mut [0u8; 1]), Ok(0));
    server.finish(tour);
    tour.found(
        closed,
        "the server refused a 4 GiB length after reading its 4 bytes, and closed",
    );

    tour.step(
        "on tokio: a timeout cancels next() mid-frame, and loses nothing",
    );
    let server = serve_once(tour, |listener, say| {
        let opts = async_server::Options {
            once: true,
            read_timeout: Duration::from_millis(150),
            ..common::args::defaults()
        };
        async_server::serve(listener, &opts, say)
    })?;
    let opts = client::Options {
        stall: Some(Duration::from_millis(400)),
        ..plain
    };
    let say = Narrator::client(tour.level());
    let message = [b"hello frame".to_vec()];
    let mut reversed = Vec::new();
    let mut keep = |reply: &[u8]| reversed.push(reply.to_vec());
    let got = opts.exchange(&server.addr.into(), &message, &say, &mut keep);
    if let Err(failure) = &got {
        tour.failed("[client]", failure);
    }
    server.finish(tour);
    tour.found(
        got.is_ok() && reversed == [b"emarf olleh".to_vec()],
        "on tokio, FramedRead kept the half frame through cancelled next() calls and resumed it",
    );
    Ok(())
}

fn median(got: &Result<Outcome, Failure>) -> Duration {
    let mut trips = got
        .as_ref()
        .map(|o| o.round_trips.clone())
        .unwrap_or_default();
    trips.sort();
    trips.get(trips.len() / 2).copied().unwrap_or(Duration::MAX)
}

/// This lesson's server, for one connection, on a thread.
fn one_server(tour: &Tour, opts: server::Options) -> Result<Once, Failure> {
    let opts = server::Options { once: true, ..opts };
    serve_once(tour, move |listener, say| {
        server::serve(listener, &opts, say)
    })
}

/// One client run against a one-connection server.
fn exchange(
    tour: &Tour,
    server_opts: server::Options,
    client_opts: &client::Options,
    messages: &[Vec<u8>],
) -> Result<Result<Outcome, Failure>, Failure> {
    let server = one_server(tour, server_opts)?;
    let addr = server.addr;
    let say = Narrator::client(tour.level());
    let mut replies = Vec::new();
    let mut keep = |reply: &[u8]| replies.push(client::render(reply));
    let got = client_opts.exchange(&addr.into(), messages, &say, &mut keep);
    if tour.level() >= Verbosity::Normal {
        match &got {
            // A few replies show the point; eight identical ones do not.
            Ok(_) if replies.len() <= 3 => {
                for reply in &replies {
                    say.result(reply.as_bytes());
                }
            }
            Ok(_) => {}
            Err(failure) => tour.failed("[client]", failure),
        }
    }
    // The client has closed its side; the server's connection ends with it
    // (the wrong server's, after its idle timeout).
    server.finish(tour);
    Ok(got)
}
