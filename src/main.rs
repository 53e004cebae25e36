//! The tour: `cargo run` at the repository's root.
//!
//! Runs each finished lesson's client/server pair on loopback, in this one
//! process (each server on a thread, the client on the main thread), with
//! the same narration as the binaries, and ends with a summary of what each
//! lesson showed. Nothing it does leaves this machine: every server binds
//! 127.0.0.1 on a port the OS picks.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use common::args::Talk;
use common::{Failure, Verbosity};
use tour::{Finding, Tour};

mod tour;

/// One lesson the tour can run.
struct Lesson {
    name: &'static str,
    title: &'static str,
    /// The book's chapter, and its source.
    chapter: &'static str,
    run: fn(&mut Tour) -> Result<(), Failure>,
}

/// Every finished lesson, in the course's order.
const LESSONS: &[Lesson] = &[
    Lesson {
        name: tour::shutdown::NAME,
        title: tour::shutdown::TITLE,
        chapter: "Half-open sockets (docs/src/shutdown.md)",
        run: tour::shutdown::run,
    },
    Lesson {
        name: tour::timeout::NAME,
        title: tour::timeout::TITLE,
        chapter: "Timeouts (docs/src/timeouts.md)",
        run: tour::timeout::run,
    },
    Lesson {
        name: tour::framing::NAME,
        title: tour::framing::TITLE,
        chapter: "Transmitting variable-length messages (docs/src/framing.md)",
        run: tour::framing::run,
    },
    Lesson {
        name: tour::broadcast::NAME,
        title: tour::broadcast::TITLE,
        chapter: "UDP broadcast (docs/src/broadcast.md)",
        run: tour::broadcast::run,
    },
];

/// A guided run of every lesson's client/server pair, on loopback.
#[derive(Parser)]
#[command(
    name = "advanced-sockets",
    version,
    after_help = "Run one lesson with `cargo run -- shutdown`; list them with `cargo run -- --list`."
)]
struct Args {
    /// The lessons to run (all of them if none is named).
    #[arg(value_name = "LESSON", value_parser = lesson_name)]
    lessons: Vec<String>,
    /// List the lessons and exit.
    #[arg(long)]
    list: bool,
    /// Wait for Enter before each lesson, for a live workshop.
    #[arg(long)]
    pause: bool,
    #[command(flatten)]
    talk: Talk,
}

fn lesson_name(name: &str) -> Result<String, String> {
    if LESSONS.iter().any(|l| l.name == name) {
        Ok(name.to_owned())
    } else {
        let known: Vec<_> = LESSONS.iter().map(|l| l.name).collect();
        Err(format!(
            "no lesson '{name}'; the lessons are: {}",
            known.join(", ")
        ))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let mut out = io::stdout().lock();
    if args.list {
        for lesson in LESSONS {
            let _ = writeln!(out, "{:<10} {}", lesson.name, lesson.title);
        }
        return ExitCode::SUCCESS;
    }
    drop(out);
    let level = args.talk.verbosity();
    let chosen: Vec<&Lesson> = LESSONS
        .iter()
        .filter(|l| {
            args.lessons.is_empty() || args.lessons.iter().any(|n| n == l.name)
        })
        .collect();
    if level >= Verbosity::Normal {
        opening(&chosen);
    }
    let mut results: Vec<(&Lesson, Vec<Finding>)> = Vec::new();
    for lesson in chosen {
        if args.pause && !wait_for_enter(lesson) {
            break;
        }
        // With -q the tour prints its summary only: its servers and clients
        // say nothing, not even the errors they were made to show.
        let inner = if level == Verbosity::Quiet {
            Verbosity::Silent
        } else {
            level
        };
        let mut tour = Tour::new(lesson.name, inner);
        if level >= Verbosity::Normal {
            println!("\n#### Lesson: {} ####", lesson.title);
        }
        if let Err(failure) = (lesson.run)(&mut tour) {
            // The tour itself could not run (no loopback, no threads):
            // report it as a finding so the summary still tells all.
            tour.found(false, format!("the lesson could not run: {failure}"));
        }
        results.push((lesson, tour.findings().to_vec()));
    }
    let all_ok = summary(&results, level);
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// What the tour will show, and how long it takes.
fn opening(chosen: &[&Lesson]) {
    let names: Vec<_> = chosen.iter().map(|l| l.name).collect();
    println!(
        "This tour runs the client and server of each lesson ({}) in this one\n\
         process, over loopback only, one step per behaviour the book teaches,\n\
         and checks each against what the kernel did. The whole tour takes\n\
         about 20 seconds. Errors marked \"expected\" are what a step set out\n\
         to cause. At the end, a summary: what each lesson showed on this\n\
         machine, the two commands that show it in two terminals, and the\n\
         chapter to read.",
        names.join(", ")
    );
}

/// Before a lesson, with --pause: wait for Enter (false at end of input).
fn wait_for_enter(lesson: &Lesson) -> bool {
    print!("\nNext: {}. Press Enter to run it. ", lesson.title);
    let _ = io::stdout().flush();
    let mut line = String::new();
    matches!(io::stdin().read_line(&mut line), Ok(n) if n > 0)
}

/// `timeout-server --mode silent` as a fresh shell at the repository's
/// root runs it: `cargo run -q -p examples-timeout --bin timeout-server --
/// --mode silent`. A lesson's binaries are named for its crate.
fn runnable(command: &str) -> String {
    let (bin, args) = command.split_once(' ').unwrap_or((command, ""));
    let lesson = bin.split('-').next().unwrap_or(bin);
    let run = format!("cargo run -q -p examples-{lesson} --bin {bin}");
    if args.is_empty() {
        run
    } else {
        format!("{run} -- {args}")
    }
}

/// The summary a learner keeps; true when every finding was shown.
fn summary(results: &[(&Lesson, Vec<Finding>)], level: Verbosity) -> bool {
    let mut out = io::stdout().lock();
    if level >= Verbosity::Normal {
        let _ = writeln!(out, "\n== Summary: what you saw on this machine ==");
    }
    let mut all_ok = true;
    for (lesson, findings) in results {
        let shown = findings.iter().filter(|f| f.ok).count();
        all_ok &= shown == findings.len();
        let _ = writeln!(out, "{} ({}):", lesson.name, lesson.title);
        for finding in findings {
            // Every finding that failed; of the others, the key ones.
            if finding.ok && finding.try_it.is_none() {
                continue;
            }
            let _ = writeln!(out, "  {}", tour::line(finding));
            if let Some((server, client)) = finding.try_it {
                let _ = writeln!(out, "      try:  {}", runnable(server));
                let _ = writeln!(out, "      then: {}", runnable(client));
            }
        }
        let _ = writeln!(
            out,
            "  {shown} of {} behaviours shown; read the chapter {}",
            findings.len(),
            lesson.chapter
        );
    }
    if level >= Verbosity::Normal {
        let _ = writeln!(
            out,
            "\nEach try/then is two terminals at the repository's root (see \
             Setup, docs/src/running.md); `cargo run -- LESSON` runs one \
             lesson again."
        );
    }
    all_ok
}
