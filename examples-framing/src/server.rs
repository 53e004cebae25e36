//! The server: reads frames with the chosen codec and sends each message
//! back reversed, one thread per connection. A connection that sends
//! garbage, a huge length or a truncated frame costs one log line and its
//! own thread; everyone else is served.

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::thread;

use common::{Context, Failure, HostPort, Narrator, count, fmt_duration, say};
use examples_timeout::is_timeout;
use examples_timeout::server::{Admission, accept_loop};

use crate::codec::{DEFAULT_MAX_FRAME, send};
use crate::codecs::Strategy;
use crate::mistakes;
use crate::transform;

pub use crate::options::ServerOptions as Options;

/// Check the options before serving anyone.
pub fn check(opts: &Options) -> Result<(), Failure> {
    if opts.mistake.is_some() && opts.strategy != Strategy::U32Length {
        return Err(Failure::msg("--mistake needs --strategy u32-length")
            .with_hint(
                "the mistakes are shown on length-prefixed frames, where they \
                    are usually made",
            ));
    }
    if opts.max_frame > DEFAULT_MAX_FRAME * 1024 {
        return Err(Failure::msg(
            "--max-frame above 1GiB is refused: one frame would be held in \
                memory",
        ));
    }
    Ok(())
}

/// Bind the listening socket.
pub fn bind(addr: &HostPort) -> Result<TcpListener, Failure> {
    let addrs = addr.resolve()?;
    TcpListener::bind(&addrs[..]).with_context(|| format!("bind {addr}"))
}

/// Accept clients until the process is killed (or one, with `--once`),
/// each on a thread of its own: lesson 2's accept loop. Past
/// --max-clients, a client gets one frame saying so, and is closed.
pub fn serve(
    listener: TcpListener,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    check(opts)?;
    let rules = Admission {
        once: opts.once,
        max_clients: opts.max_clients,
        tick: None,
    };
    let busy = format!(
        "error: server busy: {} clients already; try again later",
        opts.max_clients
    );
    let mut frame = Vec::new();
    let codec = opts.strategy.codec(opts.max_frame);
    if codec.encode(busy.as_bytes(), &mut frame).is_err() {
        // A --max-frame too small for the message: close without it.
        frame.clear();
    }
    let opts = opts.clone();
    accept_loop(listener, rules, &frame, say, move |stream, say| {
        handle(&stream, &opts, say)
    })
}

// ANCHOR: handle
/// One connection: frames in, reversed frames out, until the client is done.
fn handle(
    stream: &TcpStream,
    opts: &Options,
    say: &Narrator,
) -> Result<(), Failure> {
    stream
        .set_read_timeout(Some(opts.idle_timeout))
        .context("set_read_timeout")?;
    stream
        .set_write_timeout(Some(opts.idle_timeout))
        .context("set_write_timeout")?;
    stream.set_nodelay(opts.nodelay).context("TCP_NODELAY")?;
    if let Some(delay) = opts.read_delay {
        say!(say, "busy: not reading for {}", fmt_duration(delay));
        say.event("busy", &[("ms", &delay.as_millis())]);
        thread::sleep(delay);
    }
    let codec = opts.strategy.codec(opts.max_frame);
    // One BufReader for the whole connection: it reads ahead, and what it
    // read ahead belongs to the next frames.
    let mut input = BufReader::new(stream);
    // The same socket, for writing: `&TcpStream` implements Write too.
    let mut output = stream;
    let mut payload = Vec::new();
    let mut frame = Vec::new();
    for number in 1u64.. {
        let got = match opts.mistake {
            None => codec.decode(&mut input, &mut payload),
            Some(mistake) => mistakes::read_frame_wrongly(
                mistake,
                stream,
                opts.max_frame,
                &mut payload,
            ),
        };
        match got {
            Ok(true) => {}
            Ok(false) => {
                say!(
                    say,
                    "the client finished after {}",
                    count(
                        usize::try_from(number - 1).unwrap_or(usize::MAX),
                        "frame",
                        "frames"
                    )
                );
                return Ok(());
            }
            Err(e) if is_timeout(&e) => {
                return Err(Failure::msg(format!(
                    "frame {number}: nothing from the client for {}; closing",
                    fmt_duration(opts.idle_timeout)
                )));
            }
            Err(e) => return Err(Failure::new(format!("frame {number}"), e)),
        }
        say!(
            say,
            "frame {number}: {} bytes; sending them back reversed",
            payload.len()
        );
        say.event("frame", &[("n", &number), ("bytes", &payload.len())]);
        frame.clear();
        codec
            .encode(&transform(&payload), &mut frame)
            .with_context(|| format!("encode reply {number}"))?;
        send(&mut output, &frame, codec.as_ref(), opts.split_writes)
            .with_context(|| format!("send reply {number}"))?;
    }
    Ok(())
}
// ANCHOR_END: handle
