//! The tour's bookkeeping: step headings, and findings checked against what
//! actually happened, gathered for the summary.

use std::io::{self, Write};

pub mod broadcast;
pub mod framing;
pub mod shutdown;
pub mod timeout;

use common::Verbosity;

/// One thing a lesson set out to show, and whether it did.
#[derive(Clone, Debug)]
pub struct Finding {
    /// True when what happened is what the lesson teaches.
    pub ok: bool,
    /// What happened, in one sentence.
    pub text: String,
}

/// One lesson's part of the tour.
#[derive(Debug)]
pub struct Tour {
    lesson: &'static str,
    level: Verbosity,
    steps: usize,
    findings: Vec<Finding>,
}

impl Tour {
    /// Start the tour of `lesson`.
    pub fn new(lesson: &'static str, level: Verbosity) -> Self {
        Tour {
            lesson,
            level,
            steps: 0,
            findings: Vec::new(),
        }
    }

    /// The verbosity the servers and clients of the tour narrate with.
    pub fn level(&self) -> Verbosity {
        self.level
    }

    /// Print the heading of the next step.
    pub fn step(&mut self, title: &str) {
        self.steps += 1;
        if self.level >= Verbosity::Normal {
            let mut out = io::stdout().lock();
            let _ = writeln!(
                out,
                "\n== {} {}: {title} ==",
                self.lesson, self.steps
            );
            let _ = out.flush();
        }
    }

    /// Record what the step showed: `ok` is whether it is what the lesson
    /// teaches. The tour's exit code is 1 if any finding is not ok.
    pub fn found(&mut self, ok: bool, text: impl Into<String>) {
        let finding = Finding {
            ok,
            text: text.into(),
        };
        if self.level >= Verbosity::Normal {
            let mut out = io::stdout().lock();
            let _ = writeln!(out, "[tour] {}", line(&finding));
            let _ = out.flush();
        }
        self.findings.push(finding);
    }

    /// The findings, in order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

/// A finding as the summary prints it.
pub fn line(finding: &Finding) -> String {
    let mark = if finding.ok { "shown:" } else { "NOT SHOWN:" };
    format!("{mark} {}", finding.text)
}
