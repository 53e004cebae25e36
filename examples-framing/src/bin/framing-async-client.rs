//! `framing-async-client`: lesson 3's client on tokio. All the lesson is in
//! `src/async_client.rs` and `src/codecs/`; this file parses the flags.

use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Failure, HostPort};
use examples_framing::{
    ASYNC_PAIR_HELP, DEFAULT_ASYNC_ADDR, async_client, client,
};

/// Sends each message as one frame through tokio-util's FramedWrite and
/// prints the replies (the messages reversed).
#[derive(Parser)]
#[command(name = "framing-async-client", version, after_help = ASYNC_PAIR_HELP)]
struct Args {
    /// The server to reach.
    #[arg(long, value_name = "HOST:PORT", default_value = DEFAULT_ASYNC_ADDR)]
    addr: HostPort,
    /// The messages, one frame each.
    #[arg(required = true)]
    messages: Vec<String>,
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
    let messages: Vec<Vec<u8>> = args
        .messages
        .iter()
        .map(|m| m.clone().into_bytes())
        .collect();
    let mut print = |reply: &[u8]| say.result(client::render(reply).as_bytes());
    args.options.run(&args.addr, &messages, &say, &mut print)?;
    Ok(())
}
