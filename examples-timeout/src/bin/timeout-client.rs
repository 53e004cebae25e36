//! `timeout-client`: the client half of lesson 2. All the lesson is in
//! `src/client.rs`; this file parses the flags and reports the outcome.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Failure, HostPort};
use examples_timeout::{DEFAULT_ADDR, MAX_LINE, PAIR_HELP, client};

/// Sends one line and reads the reply, within the timeouts you give it;
/// says which one fired, and after how long.
#[derive(Parser)]
#[command(name = "timeout-client", version, after_help = PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ADDR)]
    addr: HostPort,
    /// The request: one line of text.
    #[arg(default_value = "ping")]
    message: String,
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
    if args.message.contains('\n') || args.message.len() > MAX_LINE {
        return Err(Failure::msg(
            "the request must be one line, shorter than 64 KiB",
        )
        .with_hint("this protocol ends each request at its newline"));
    }
    let reply = args.options.exchange(&args.addr, &args.message, &say)?;
    if args.options.flood.is_none() {
        say.result(&reply.bytes);
    }
    Ok(())
}
