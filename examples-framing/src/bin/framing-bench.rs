//! `framing-bench`: every codec's throughput against raw TCP, in pairs; the
//! codecs in memory beside tokio-util's; and round trips with one write per
//! frame against split writes. Build it with `--release` for numbers worth
//! comparing; `--quick` only checks it runs.
// A GlobalAlloc is unsafe to implement; this one forwards to the system
// allocator and counts calls, for the in-memory table's allocs/frame.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};

use clap::Parser;
use common::{Failure, exit};
use examples_framing::bench::{self, Plan};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded unchanged to the system allocator.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Measures what each framing costs, over loopback TCP and in memory.
#[derive(Parser)]
#[command(name = "framing-bench", version)]
struct Args {
    /// A run of a few seconds that checks every row prints; its numbers
    /// mean little.
    #[arg(long)]
    quick: bool,
    /// Leave the sender's and the receiver's threads to the scheduler,
    /// instead of one CPU each: rows then swing more from run to run.
    #[arg(long)]
    unpinned: bool,
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
    // Before any measurement: the in-memory runs stay on the first CPU too.
    let placement = if args.unpinned {
        "threads unpinned (--unpinned)".to_owned()
    } else {
        match bench::pin_ends() {
            Ok([sender, receiver]) => {
                format!("sender on CPU {sender}, receiver on CPU {receiver}")
            }
            Err(e) => format!("threads unpinned: {e}"),
        }
    };
    let rows = bench::throughput(plan)
        .map_err(|e| Failure::new("measure throughput", e))?;
    let memory = bench::in_memory(plan, allocations)
        .map_err(|e| Failure::new("measure in memory", e))?;
    let floor = bench::floor(plan)
        .map_err(|e| Failure::new("measure the decoder's floor", e))?;
    let trips = bench::round_trips(plan)
        .map_err(|e| Failure::new("measure round trips", e))?;
    let on_tokio = bench::on_tokio(plan)
        .map_err(|e| Failure::new("measure FramedRead on tokio", e))?;
    let mut text = format!(
        "framing-bench ({profile}; {} MiB a run, {} pairs a row)\n{placement}\n",
        plan.volume >> 20,
        plan.pairs
    );
    let tokio = on_tokio.as_ref();
    text.push_str(&bench::render(&rows, &memory, &floor, &trips, tokio));
    text.push_str("\ntargets:\n");
    for (verdict, line) in bench::verdicts(&rows, &memory, &floor, tokio) {
        text.push_str(&format!("  {} {line}\n", verdict.mark()));
    }
    match io::stdout().lock().write_all(text.as_bytes()) {
        // A reader that stopped early (`| head`) wants no more: not an
        // error of ours.
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure::new("print the table", e))
        }
        _ => Ok(()),
    }
}
