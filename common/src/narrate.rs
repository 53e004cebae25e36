use std::fmt::{self, Display};
use std::io::{self, Write};
use std::time::Duration;

/// How much a binary tells: `-q` gives [`Verbosity::Quiet`], `-v`
/// [`Verbosity::Verbose`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Nothing at all: for the tour's own servers and clients when the tour
    /// is asked for its summary only. No binary offers it.
    Silent,
    /// Results and errors only.
    Quiet,
    /// One line per step a learner should notice.
    #[default]
    Normal,
    /// Every step, with the numbers behind it.
    Verbose,
}

impl Verbosity {
    /// From the `-q` and `-v` flags (clap makes them exclusive).
    pub fn from_flags(quiet: bool, verbose: bool) -> Self {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

/// Tells the story of one side of a lesson, one line per step, each line
/// prefixed `[server]` or `[client]` (and a connection tag such as `#3`).
///
/// Use it through [`say!`](crate::say) and [`detail!`](crate::detail).
/// Narration goes to stdout, where the ready line is; problems that concern
/// one connection go to stderr ([`Narrator::problem`]) and are never silenced.
/// A closed stdout (`| head`) is ignored rather than allowed to panic.
#[derive(Clone, Debug)]
pub struct Narrator {
    role: &'static str,
    tag: Option<String>,
    level: Verbosity,
    events: bool,
}

impl Narrator {
    /// Narration for a server.
    pub fn server(level: Verbosity) -> Self {
        Narrator {
            role: "server",
            tag: None,
            level,
            events: false,
        }
    }

    /// Narration for a client.
    pub fn client(level: Verbosity) -> Self {
        Narrator {
            role: "client",
            tag: None,
            level,
            events: false,
        }
    }

    /// The same narrator with a tag after the prefix, such as the number of
    /// a connection: `[server] #3 ...`.
    pub fn tagged(&self, tag: impl Display) -> Self {
        Narrator {
            tag: Some(tag.to_string()),
            ..self.clone()
        }
    }

    /// The same narrator, also printing [`Narrator::event`] lines when
    /// `on` (the `--events` flag).
    pub fn with_events(self, on: bool) -> Self {
        Narrator { events: on, ..self }
    }

    /// The verbosity chosen on the command line.
    pub fn level(&self) -> Verbosity {
        self.level
    }

    /// One observation, for scripts and tests rather than for reading:
    /// with `--events`, a line `[client] event NAME key=value ...` on
    /// stdout (tagged like narration), whatever `-q` or `-v` say.
    ///
    /// Narration is worded for a learner and may be reworded; an event
    /// names what the kernel told us in a form that does not change, so a
    /// test can assert on it. Values must not contain spaces.
    ///
    /// ```
    /// use common::{Narrator, Verbosity};
    /// let say = Narrator::client(Verbosity::Quiet).with_events(true);
    /// say.event("sent", &[("bytes", &5)]); // [client] event sent bytes=5
    /// ```
    pub fn event(&self, name: &str, fields: &[(&str, &dyn Display)]) {
        if !self.events || self.level == Verbosity::Silent {
            return;
        }
        let mut text = format!("event {name}");
        for (key, value) in fields {
            text.push_str(&format!(" {key}={value}"));
        }
        self.line(&mut io::stdout().lock(), format_args!("{text}"));
    }

    /// A step a learner should notice. Silenced by `-q`. Prefer [`say!`](crate::say).
    pub fn say(&self, line: fmt::Arguments<'_>) {
        if self.level >= Verbosity::Normal {
            self.line(&mut io::stdout().lock(), line);
        }
    }

    /// Detail shown with `-v` only. Prefer [`detail!`](crate::detail).
    pub fn detail(&self, line: fmt::Arguments<'_>) {
        if self.level >= Verbosity::Verbose {
            self.line(&mut io::stdout().lock(), line);
        }
    }

    /// Something went wrong for one connection, and the program carries on:
    /// `[server] #3 error: ...` on stderr, whatever the verbosity.
    pub fn problem(&self, what: impl Display) {
        if self.level > Verbosity::Silent {
            self.line(&mut io::stderr().lock(), format_args!("error: {what}"));
        }
    }

    /// A result: printed as it is, without prefix, even with `-q`.
    pub fn result(&self, bytes: &[u8]) {
        if self.level == Verbosity::Silent {
            return;
        }
        let mut out = io::stdout().lock();
        let _ = out.write_all(bytes);
        if !bytes.ends_with(b"\n") {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    fn line(&self, out: &mut dyn Write, line: fmt::Arguments<'_>) {
        // One write per line, under the lock: lines from several threads
        // interleave whole, never mid-line.
        let text = match &self.tag {
            Some(tag) => format!("[{}] {tag} {line}\n", self.role),
            None => format!("[{}] {line}\n", self.role),
        };
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }
}

/// Narrate a step: `say!(narrator, "read {} bytes", n)`.
///
/// With an event name and its fields before the sentence, one call says the
/// step and, with `--events`, emits its event: the fields are named once,
/// and the sentence may use them.
///
/// ```
/// use common::{Narrator, Verbosity, say};
/// let say = Narrator::client(Verbosity::Normal).with_events(true);
/// let request = b"hello";
/// // [client] sent 5 bytes
/// // [client] event sent bytes=5
/// say!(say, sent(bytes = request.len()), "sent {bytes} bytes");
/// ```
#[macro_export]
macro_rules! say {
    ($narrator:expr, $event:ident ( $($key:ident $(= $value:expr)?),* $(,)? ), $($arg:tt)+) => {{
        $( let $key = $crate::say!(@value $key $(= $value)?); )*
        let narrator = &$narrator;
        narrator.say(::std::format_args!($($arg)+));
        narrator.event(
            ::std::stringify!($event),
            &[$((::std::stringify!($key), &$key as &dyn ::std::fmt::Display)),*],
        );
    }};
    (@value $key:ident) => { $key };
    (@value $key:ident = $value:expr) => { $value };
    ($narrator:expr, $($arg:tt)+) => {
        $narrator.say(::std::format_args!($($arg)+))
    };
}

/// Narrate a detail, shown with `-v` only: `detail!(narrator, "...")`.
/// Like [`say!`](crate::say), it may carry an event:
/// `detail!(say, read(bytes = n), "read() returned {bytes} bytes")`.
#[macro_export]
macro_rules! detail {
    ($narrator:expr, $event:ident ( $($key:ident $(= $value:expr)?),* $(,)? ), $($arg:tt)+) => {{
        $( let $key = $crate::say!(@value $key $(= $value)?); )*
        let narrator = &$narrator;
        narrator.detail(::std::format_args!($($arg)+));
        narrator.event(
            ::std::stringify!($event),
            &[$((::std::stringify!($key), &$key as &dyn ::std::fmt::Display)),*],
        );
    }};
    ($narrator:expr, $($arg:tt)+) => {
        $narrator.detail(::std::format_args!($($arg)+))
    };
}

/// A size the way narration says it: `64 MiB`, `1.5 KiB`, `300 bytes`.
///
/// ```
/// use common::fmt_size;
/// assert_eq!(fmt_size(64 << 20), "64 MiB");
/// assert_eq!(fmt_size(1536), "1.5 KiB");
/// assert_eq!(fmt_size(300), "300 bytes");
/// ```
pub fn fmt_size(bytes: usize) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return count(bytes, "byte", "bytes");
    }
    // Precision is not the point of a narration line: f64 is plenty.
    #[allow(clippy::cast_precision_loss)]
    let mut size = bytes as f64 / 1024.0;
    let mut unit = 0;
    while size >= 1024.0 && unit < UNITS.len() - 1 {
        size /= 1024.0;
        unit += 1;
    }
    let shown = format!("{size:.1}");
    let shown = shown.strip_suffix(".0").unwrap_or(&shown);
    format!("{shown} {}", UNITS[unit])
}

/// A duration the way narration says it: `250 ms`, `1.5 s`, `12 µs`.
///
/// ```
/// use std::time::Duration;
/// use common::fmt_duration;
/// assert_eq!(fmt_duration(Duration::from_millis(250)), "250 ms");
/// assert_eq!(fmt_duration(Duration::from_millis(1500)), "1.5 s");
/// assert_eq!(fmt_duration(Duration::from_micros(12)), "12 µs");
/// assert_eq!(fmt_duration(Duration::from_nanos(1)), "1 ns");
/// ```
pub fn fmt_duration(d: Duration) -> String {
    if d >= Duration::from_secs(1) {
        let s = format!("{:.2}", d.as_secs_f64());
        let s = s.trim_end_matches('0').trim_end_matches('.');
        format!("{s} s")
    } else if d >= Duration::from_millis(1) {
        format!("{} ms", d.as_millis())
    } else if d >= Duration::from_micros(1) {
        format!("{} µs", d.as_micros())
    } else {
        format!("{} ns", d.as_nanos())
    }
}

/// A count with its noun: `1 frame`, `2 frames`.
///
/// ```
/// assert_eq!(common::count(1, "reply", "replies"), "1 reply");
/// assert_eq!(common::count(3, "reply", "replies"), "3 replies");
/// ```
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
