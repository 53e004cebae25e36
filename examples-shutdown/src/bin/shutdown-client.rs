//! `shutdown-client`: the client half of lesson 1. All the lesson is in
//! `src/client.rs`; this file gathers the request and reports the outcome.

use std::fs::File;
use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use common::args::{Talk, parse_size};
use common::{Context, Failure, HostPort, Narrator, say};
use examples_shutdown::{DEFAULT_ADDR, PAIR_HELP, client, sample_request};

/// Sends a request, shuts down its write half, and prints the server's reply.
#[derive(Parser)]
#[command(name = "shutdown-client", version, after_help = PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDR)]
    addr: HostPort,
    /// The request. Without it (or --file, or --size), stdin is sent.
    #[arg(conflicts_with_all = ["file", "size"])]
    message: Option<String>,
    /// Send this file's bytes.
    #[arg(long, value_name = "PATH", conflicts_with = "size")]
    file: Option<PathBuf>,
    /// Send this many bytes of generated text (such as 1MiB).
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    size: Option<usize>,
    #[command(flatten)]
    options: client::Options,
    #[command(flatten)]
    talk: Talk,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    let request = gather(args, &say)?;
    if request.is_empty() {
        return Err(Failure::msg("nothing to send: the request is empty")
            .with_hint("give a MESSAGE, --file PATH or --size SIZE, or pipe text into stdin"));
    }
    let seen = args.options.exchange(&args.addr, &request, &say)?;
    say.result(&seen.reply);
    Ok(())
}

/// The largest request this client will hold in memory and send.
const MAX_REQUEST: usize = 64 << 20;

fn gather(args: &Args, say: &Narrator) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        Failure::msg(format!(
            "the request is larger than {MAX_REQUEST} bytes, this client's limit"
        ))
    };
    if let Some(message) = &args.message {
        return Ok(message.clone().into_bytes());
    }
    if let Some(size) = args.size {
        return if size > MAX_REQUEST {
            Err(too_large())
        } else {
            Ok(sample_request(size))
        };
    }
    let mut request = Vec::new();
    // One byte past the limit tells us the input is too large without
    // reading (or holding) all of it.
    let limit = MAX_REQUEST as u64 + 1;
    if let Some(path) = &args.file {
        File::open(path)
            .and_then(|f| f.take(limit).read_to_end(&mut request))
            .with_context(|| format!("read {}", path.display()))?;
    } else {
        if std::io::stdin().is_terminal() {
            say!(say, "reading the request from stdin; end it with Ctrl-D");
        }
        std::io::stdin()
            .take(limit)
            .read_to_end(&mut request)
            .context("read stdin")?;
    }
    if request.len() > MAX_REQUEST {
        return Err(too_large());
    }
    Ok(request)
}
