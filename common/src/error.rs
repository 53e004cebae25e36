use std::fmt;
use std::io::{self, Write};
use std::process::ExitCode;

/// Something that failed, said the way the user should read it:
/// what we were doing, the OS's reason, and a hint where one helps.
///
/// [`exit`] prints it as `error: <what failed>: <the OS's reason>` on stderr,
/// then `hint: ...` if there is one, and turns it into exit code 1.
///
/// ```
/// use std::io;
/// use common::Failure;
/// let f = Failure::new("connect to 127.0.0.1:7101", io::Error::from(io::ErrorKind::ConnectionRefused));
/// assert!(f.to_string().starts_with("connect to 127.0.0.1:7101: "));
/// assert!(f.hint().unwrap().contains("is the server running?"));
/// ```
#[derive(Debug)]
pub struct Failure {
    what: String,
    cause: Option<io::Error>,
    hint: Option<String>,
}

impl Failure {
    /// `what` failed because of `cause`. Common causes get a default hint.
    pub fn new(what: impl Into<String>, cause: io::Error) -> Self {
        let hint = default_hint(&cause).map(str::to_owned);
        Failure {
            what: what.into(),
            cause: Some(cause),
            hint,
        }
    }

    /// A failure with no OS error behind it, such as "nothing to send".
    pub fn msg(what: impl Into<String>) -> Self {
        Failure {
            what: what.into(),
            cause: None,
            hint: None,
        }
    }

    /// Replace the hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// The OS error behind this failure, if any.
    pub fn cause(&self) -> Option<&io::Error> {
        self.cause.as_ref()
    }

    /// The kind of the OS error behind this failure, if any.
    pub fn kind(&self) -> Option<io::ErrorKind> {
        self.cause.as_ref().map(io::Error::kind)
    }

    /// The hint printed after the error line, if any.
    pub fn hint(&self) -> Option<&str> {
        self.hint.as_deref()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            Some(cause) => write!(f, "{}: {cause}", self.what),
            None => f.write_str(&self.what),
        }
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_ref().map(|e| e as _)
    }
}

/// Hints for the errors whose fix does not depend on which lesson hit them.
/// A lesson that knows better replaces the hint with [`Failure::with_hint`].
fn default_hint(cause: &io::Error) -> Option<&'static str> {
    match cause.kind() {
        io::ErrorKind::AddrInUse => Some(
            "is a server from earlier still running? Stop it, \
             or try --addr 127.0.0.1:0",
        ),
        io::ErrorKind::ConnectionRefused => Some(
            "nothing is listening there: is the server running? \
             Start it first",
        ),
        io::ErrorKind::AddrNotAvailable => Some(
            "that address does not belong to this machine; 127.0.0.1 always does",
        ),
        _ => None,
    }
}

/// Add "what we were doing" to an `io::Result`, turning it into a
/// `Result<T, Failure>`.
///
/// ```
/// use std::net::TcpListener;
/// use common::Context;
/// fn bind() -> Result<TcpListener, common::Failure> {
///     TcpListener::bind("127.0.0.1:0").context("bind 127.0.0.1:0")
/// }
/// assert!(bind().is_ok());
/// ```
pub trait Context<T> {
    /// Label the error with `what`.
    fn context(self, what: impl Into<String>) -> Result<T, Failure>;
    /// Label the error with `what()`, computed only on failure.
    fn with_context<S: Into<String>>(
        self,
        what: impl FnOnce() -> S,
    ) -> Result<T, Failure>;
}

impl<T> Context<T> for io::Result<T> {
    fn context(self, what: impl Into<String>) -> Result<T, Failure> {
        self.map_err(|e| Failure::new(what, e))
    }

    fn with_context<S: Into<String>>(
        self,
        what: impl FnOnce() -> S,
    ) -> Result<T, Failure> {
        self.map_err(|e| Failure::new(what(), e))
    }
}

/// Turn a binary's result into its exit code: 0 on success; on failure, the
/// `error:` line (and `hint:` line) on stderr and exit code 1.
///
/// Usage errors never get here: clap prints them itself and exits with 2.
pub fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut err = io::stderr().lock();
            // If even stderr is gone there is nobody left to tell.
            let _ = writeln!(err, "error: {failure}");
            if let Some(hint) = failure.hint() {
                let _ = writeln!(err, "hint: {hint}");
            }
            ExitCode::FAILURE
        }
    }
}
