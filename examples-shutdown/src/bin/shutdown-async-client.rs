//! `shutdown-async-client`: lesson 1's client on tokio. All the lesson is
//! in `src/async_client.rs`; this file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::{Talk, parse_size};
use common::{Failure, HostPort};
use examples_shutdown::{
    ASYNC_PAIR_HELP, DEFAULT_ASYNC_ADDR, async_client, sample_request,
};

/// Sends a request, half-closes with tokio's shutdown(), and prints the
/// server's reply.
#[derive(Parser)]
#[command(name = "shutdown-async-client", version, after_help = ASYNC_PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ASYNC_ADDR)]
    addr: HostPort,
    /// The request.
    #[arg(required_unless_present = "size", conflicts_with = "size")]
    message: Option<String>,
    /// Send this many bytes of generated text (such as 1MiB), at most 64MiB.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    size: Option<usize>,
    #[command(flatten)]
    options: async_client::Options,
    #[command(flatten)]
    talk: Talk,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let say = args.talk.client();
    let request = match (&args.message, args.size) {
        (Some(message), _) => message.clone().into_bytes(),
        (None, Some(size)) if size <= 64 << 20 => sample_request(size),
        (None, _) => return Err(Failure::msg("--size is at most 64MiB")),
    };
    if request.is_empty() {
        return Err(Failure::msg("nothing to send: the request is empty"));
    }
    let reply = args.options.run(&args.addr, &request, &say)?;
    // --shutdown-read reads no reply.
    if !reply.is_empty() {
        say.result(&reply);
    }
    Ok(())
}
