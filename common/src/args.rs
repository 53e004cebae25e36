//! Command-line pieces every binary shares: the `-q`/`-v` flags, and clap
//! value parsers for durations and sizes that say what they expected.

use std::time::Duration;

use crate::{Narrator, Verbosity};

/// `-q` and `-v`, flattened into every binary's arguments:
/// `#[command(flatten)] talk: common::args::Talk`.
#[derive(clap::Args, Clone, Copy, Debug, Default)]
pub struct Talk {
    /// Print results and errors only, no narration.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Narrate every step, with the numbers behind it.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Also print one `event NAME key=value ...` line per observation,
    /// for scripts and tests.
    #[arg(long, global = true)]
    pub events: bool,
}

impl Talk {
    /// The verbosity these flags ask for.
    pub fn verbosity(self) -> Verbosity {
        Verbosity::from_flags(self.quiet, self.verbose)
    }

    /// A server's narrator, as these flags ask.
    pub fn server(self) -> Narrator {
        Narrator::server(self.verbosity()).with_events(self.events)
    }

    /// A client's narrator, as these flags ask.
    pub fn client(self) -> Narrator {
        Narrator::client(self.verbosity()).with_events(self.events)
    }
}

/// A duration such as `250ms`, `2s`, `1m 30s` (clap value parser).
///
/// ```
/// use std::time::Duration;
/// use common::args::parse_duration;
/// assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
/// assert!(parse_duration("banana").unwrap_err().contains("such as 250ms"));
/// assert!(parse_duration("-1s").unwrap_err().contains("cannot be negative"));
/// // Past a day, refused: no deadline, backoff or sleep can overflow.
/// assert!(parse_duration("10000000000000000000s").unwrap_err().contains("1 day"));
/// assert_eq!(parse_duration("24h"), Ok(common::args::LONGEST));
/// ```
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    if s.trim().starts_with('-') {
        return Err(format!(
            "'{s}' is not a duration: durations cannot be negative; write a number and a unit, \
             such as 250ms, 2s or 1m"
        ));
    }
    let d = humantime::parse_duration(s.trim()).map_err(|e| match e {
        humantime::DurationError::NumberOverflow => too_long(s),
        _ => format!(
            "'{s}' is not a duration: write a number and a unit, such as 250ms, 2s or 1m"
        ),
    })?;
    if d > LONGEST {
        return Err(too_long(s));
    }
    Ok(d)
}

/// The longest duration any flag takes: a day. Every deadline, backoff and
/// sleep of the course stays far from what `Instant` and `Duration` can
/// hold, whatever is typed.
pub const LONGEST: Duration = Duration::from_secs(24 * 60 * 60);

fn too_long(s: &str) -> String {
    format!(
        "'{s}' is too long: the longest duration these programs take is 1 day (24h)"
    )
}

/// A duration used as a socket timeout: like [`parse_duration`], but zero is
/// refused, because std's `set_read_timeout(Some(Duration::ZERO))` is an
/// error (zero cannot mean "no timeout" there; `None` does).
///
/// ```
/// use common::args::parse_timeout;
/// assert!(parse_timeout("0s").unwrap_err().contains("zero"));
/// assert!(parse_timeout("-1s").is_err());
/// assert!(parse_timeout("1s").is_ok());
/// ```
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = parse_duration(s)?;
    if d.is_zero() {
        return Err(
            "a timeout of zero is not allowed: std refuses Some(0) as a socket timeout; \
             give a positive duration such as 500ms"
                .to_owned(),
        );
    }
    Ok(d)
}

/// A size in bytes: a number, optionally with a binary unit: `512`,
/// `64KiB`, `1MiB`, `1GiB` (`K`, `M`, `G` are accepted for the same units).
///
/// ```
/// use common::args::parse_size;
/// assert_eq!(parse_size("512"), Ok(512));
/// assert_eq!(parse_size("64KiB"), Ok(65536));
/// assert_eq!(parse_size("1M"), Ok(1 << 20));
/// assert!(parse_size("lots").is_err());
/// ```
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let shape = || {
        format!(
            "'{s}' is not a size: write bytes, or a number and KiB, MiB or GiB, such as 64KiB"
        )
    };
    let n: usize = digits.parse().map_err(|_| shape())?;
    let scale: usize = match unit.trim() {
        "" | "B" => 1,
        "K" | "KiB" => 1 << 10,
        "M" | "MiB" => 1 << 20,
        "G" | "GiB" => 1 << 30,
        _ => return Err(shape()),
    };
    n.checked_mul(scale)
        .ok_or_else(|| format!("'{s}' is too large for this machine"))
}

/// The values a set of flattened clap arguments takes when no flag is given:
/// their `default_value`s, so that `Default` and `--help` cannot disagree.
///
/// ```
/// #[derive(clap::Args)]
/// struct Opts {
///     #[arg(long, default_value = "7")]
///     n: u32,
/// }
/// let opts: Opts = common::args::defaults();
/// assert_eq!(opts.n, 7);
/// ```
///
/// # Panics
///
/// If a default value does not parse: a bug in the program, caught by its
/// first test.
pub fn defaults<T: clap::Args + clap::FromArgMatches>() -> T {
    let cmd = T::augment_args(clap::Command::new("defaults"));
    let matches = cmd.try_get_matches_from(["defaults"]);
    match matches.and_then(|m| T::from_arg_matches(&m)) {
        Ok(values) => values,
        Err(e) => panic!("the default values do not parse: {e}"),
    }
}
