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
    run: fn(&mut Tour) -> Result<(), Failure>,
}

/// Every finished lesson, in the course's order.
const LESSONS: &[Lesson] = &[
    Lesson {
        name: tour::shutdown::NAME,
        title: tour::shutdown::TITLE,
        run: tour::shutdown::run,
    },
    Lesson {
        name: tour::timeout::NAME,
        title: tour::timeout::TITLE,
        run: tour::timeout::run,
    },
    Lesson {
        name: tour::framing::NAME,
        title: tour::framing::TITLE,
        run: tour::framing::run,
    },
    Lesson {
        name: tour::broadcast::NAME,
        title: tour::broadcast::TITLE,
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
    let mut results: Vec<(&Lesson, Vec<Finding>)> = Vec::new();
    for lesson in LESSONS {
        if !args.lessons.is_empty()
            && !args.lessons.iter().any(|n| n == lesson.name)
        {
            continue;
        }
        // With -q the tour prints its summary only: its servers and clients
        // say nothing, not even the errors they were made to show.
        let inner = if level == Verbosity::Quiet {
            Verbosity::Silent
        } else {
            level
        };
        let mut tour = Tour::new(lesson.name, inner);
        if let Err(failure) = (lesson.run)(&mut tour) {
            // The tour itself could not run (no loopback, no threads):
            // report it as a finding so the summary still tells all.
            tour.found(false, format!("the lesson could not run: {failure}"));
        }
        results.push((lesson, tour.findings().to_vec()));
    }
    let mut out = io::stdout().lock();
    if level >= Verbosity::Normal {
        let _ = writeln!(out, "\n== Summary ==");
    }
    let mut all_ok = true;
    for (lesson, findings) in &results {
        let _ = writeln!(out, "{} ({}):", lesson.name, lesson.title);
        for finding in findings {
            all_ok &= finding.ok;
            let _ = writeln!(out, "  {}", tour::line(finding));
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
