//! `framing-bench`: every codec's throughput against raw TCP, and round
//! trips with one write per frame against split writes. Build it with
//! `--release` for numbers worth comparing; `--quick` only checks it runs.

use std::process::ExitCode;

use clap::Parser;
use common::{Failure, exit};
use examples_framing::bench::{self, Plan};

/// Measures what each framing costs over loopback TCP.
#[derive(Parser)]
#[command(name = "framing-bench", version)]
struct Args {
    /// A run of a few seconds that checks every row prints; its numbers
    /// mean little.
    #[arg(long)]
    quick: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    exit(run(&args))
}

fn run(args: &Args) -> Result<(), Failure> {
    let plan = if args.quick { Plan::QUICK } else { Plan::FULL };
    let profile = if cfg!(debug_assertions) {
        "debug build: numbers not comparable"
    } else {
        "release build"
    };
    println!(
        "framing-bench ({profile}, {} payload bytes per row)\n",
        plan.volume
    );
    let rows = bench::throughput(plan)
        .map_err(|e| Failure::new("measure throughput", e))?;
    let trips = bench::round_trips(plan)
        .map_err(|e| Failure::new("measure round trips", e))?;
    print!("{}", bench::render(&rows, &trips));
    println!("\ntargets:");
    for (met, line) in bench::verdicts(&rows) {
        println!("  {} {line}", if met { "met   " } else { "MISSED" });
    }
    Ok(())
}
