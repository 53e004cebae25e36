//! `framing-client`: the client half of lesson 3. All the lesson is in
//! `src/client.rs` and `src/codecs/`; this file gathers the messages and
//! reports the outcome.

use std::fs::File;
use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use common::args::{Talk, parse_size};
use common::{Context, Failure, HostPort, Narrator, say};
use examples_framing::{DEFAULT_ADDR, PAIR_HELP, client};

/// Sends each message as one frame and prints the replies (the messages
/// reversed), as text or as a hex dump.
#[derive(Parser)]
#[command(name = "framing-client", version, after_help = PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDR)]
    addr: HostPort,
    /// The messages, one frame each. Without them (or --file, or --size),
    /// each line of stdin is a message.
    #[arg(conflicts_with_all = ["file", "size"])]
    messages: Vec<String>,
    /// Send this file's bytes as one message.
    #[arg(long, value_name = "PATH", conflicts_with = "size")]
    file: Option<PathBuf>,
    /// Send one message of this many bytes (random, so a hex dump comes back).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    size: Option<usize>,
    #[command(flatten)]
    options: client::Options,
    #[command(flatten)]
    talk: Talk,
}

/// The largest input this client will hold: it is all sent as frames.
const MAX_INPUT: usize = 256 << 20;

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    let messages = gather(args, &say)?;
    if messages.is_empty() {
        return Err(Failure::msg("nothing to send").with_hint(
            "give messages as arguments, --file PATH or --size SIZE, or lines \
                on stdin",
        ));
    }
    // Each reply printed as it comes: a long run holds none of them.
    let mut print = |reply: &[u8]| say.result(client::render(reply).as_bytes());
    args.options
        .exchange(&args.addr, &messages, &say, &mut print)?;
    Ok(())
}

fn gather(args: &Args, say: &Narrator) -> Result<Vec<Vec<u8>>, Failure> {
    if !args.messages.is_empty() {
        return Ok(args
            .messages
            .iter()
            .map(|m| m.clone().into_bytes())
            .collect());
    }
    if let Some(size) = args.size {
        if size > MAX_INPUT {
            return Err(Failure::msg(format!(
                "--size above {MAX_INPUT} bytes is refused"
            )));
        }
        return Ok(vec![random_message(size)]);
    }
    let limit = MAX_INPUT as u64 + 1;
    if let Some(path) = &args.file {
        let mut bytes = Vec::new();
        File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut bytes))
            .with_context(|| format!("read {}", path.display()))?;
        if bytes.len() > MAX_INPUT {
            return Err(Failure::msg(format!(
                "{} is larger than {MAX_INPUT} bytes",
                path.display()
            )));
        }
        return Ok(vec![bytes]);
    }
    if std::io::stdin().is_terminal() {
        say!(
            say,
            "reading messages from stdin, one per line; end with Ctrl-D"
        );
    }
    let mut messages = Vec::new();
    let mut total = 0;
    for line in std::io::stdin().lock().split(b'\n') {
        let line = line.context("read stdin")?;
        total += line.len();
        if total > MAX_INPUT {
            return Err(Failure::msg(format!(
                "stdin holds more than {MAX_INPUT} bytes"
            )));
        }
        messages.push(line);
    }
    Ok(messages)
}

/// `size` random bytes.
fn random_message(size: usize) -> Vec<u8> {
    std::iter::repeat_with(|| fastrand::u8(..))
        .take(size)
        .collect()
}
