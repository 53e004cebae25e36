//! The tour's bookkeeping: step headings, the one-connection servers its
//! steps run, findings checked against what actually happened, and the
//! summary a learner keeps.

use std::cell::RefCell;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::{self, JoinHandle};

pub mod broadcast;
pub mod framing;
pub mod shutdown;
pub mod timeout;

use common::{Context, Failure, Narrator, Verbosity};

/// One thing a lesson set out to show, and whether it did.
#[derive(Clone, Debug)]
pub struct Finding {
    /// True when what happened is what the lesson teaches.
    pub ok: bool,
    /// What happened, in one sentence, with the figures measured.
    pub text: String,
    /// For the summary's key findings: the two commands that show it in
    /// two terminals, server first.
    pub try_it: Option<(&'static str, &'static str)>,
}

/// One lesson's part of the tour.
#[derive(Debug)]
pub struct Tour {
    lesson: &'static str,
    level: Verbosity,
    steps: usize,
    findings: Vec<Finding>,
    /// Errors the step's programs reported, printed with its finding:
    /// marked expected when the step showed what it meant to.
    errors: RefCell<Vec<String>>,
}

impl Tour {
    /// Start the tour of `lesson`.
    pub fn new(lesson: &'static str, level: Verbosity) -> Self {
        Tour {
            lesson,
            level,
            steps: 0,
            findings: Vec::new(),
            errors: RefCell::new(Vec::new()),
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
            let heading = format!("{} {}: {title}", self.lesson, self.steps);
            let _ = writeln!(out, "\n== {heading} ==");
            let _ = out.flush();
        }
    }

    /// A program of this step failed; `who` is its prefix (`[client]`,
    /// `[server] #1`). Printed with the step's finding, as expected or not.
    pub fn failed(&self, who: &str, failure: &Failure) {
        self.errors
            .borrow_mut()
            .push(format!("{who} error: {failure}"));
    }

    /// Record what the step showed: `ok` is whether it is what the lesson
    /// teaches. The tour's exit code is 1 if any finding is not ok.
    pub fn found(&mut self, ok: bool, text: impl Into<String>) {
        self.record(ok, text.into(), None);
    }

    /// Like [`Tour::found`], for one of the lesson's key findings: the
    /// summary repeats it with the commands that show it in two terminals.
    pub fn key(
        &mut self,
        ok: bool,
        text: impl Into<String>,
        server: &'static str,
        client: &'static str,
    ) {
        self.record(ok, text.into(), Some((server, client)));
    }

    fn record(
        &mut self,
        ok: bool,
        text: String,
        try_it: Option<(&'static str, &'static str)>,
    ) {
        let errors = self.errors.take();
        if self.level >= Verbosity::Normal {
            let mut out = io::stdout().lock();
            for error in &errors {
                // An error the step set out to cause is the lesson, not a
                // fault: say so, so that nobody goes looking for a bug.
                let mark = if ok {
                    " (expected: this step causes it)"
                } else {
                    ""
                };
                let _ = writeln!(out, "{error}{mark}");
            }
            let finding = Finding {
                ok,
                text: text.clone(),
                try_it,
            };
            let _ = writeln!(out, "[tour] {}", line(&finding));
            let _ = out.flush();
        }
        self.findings.push(Finding { ok, text, try_it });
    }

    /// The findings, in order.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
}

/// A finding as the tour prints it.
pub fn line(finding: &Finding) -> String {
    let mark = if finding.ok { "shown:" } else { "NOT SHOWN:" };
    format!("{mark} {}", finding.text)
}

/// A server for one connection, running on a thread of the tour.
pub struct Once {
    /// Where it listens.
    pub addr: SocketAddr,
    done: JoinHandle<Result<(), Failure>>,
}

/// Start a one-connection server on 127.0.0.1, on a port the OS picks:
/// `serve` gets the listener and the server's narrator, and returns when
/// its one connection is over.
pub fn serve_once<F>(tour: &Tour, serve: F) -> Result<Once, Failure>
where
    F: FnOnce(TcpListener, &Narrator) -> Result<(), Failure> + Send + 'static,
{
    let listener =
        TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")?;
    let addr = listener.local_addr().context("local_addr")?;
    let say = Narrator::server(tour.level());
    let done = thread::Builder::new()
        .name("tour-server".into())
        .spawn(move || serve(listener, &say))
        .context("start the server thread")?;
    Ok(Once { addr, done })
}

impl Once {
    /// Wait for the server to finish its connection (so that its lines
    /// come before the next step's), and note how it ended.
    pub fn finish(self, tour: &Tour) {
        match self.done.join() {
            Ok(Ok(())) => {}
            Ok(Err(failure)) => tour.failed("[server] #1", &failure),
            Err(_) => tour.failed(
                "[server]",
                &Failure::msg("the server's thread panicked"),
            ),
        }
    }
}
