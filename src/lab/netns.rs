//! Network namespaces: checking that they can be made here, running the
//! commands that build them, and removing them.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::{Context, Failure};

use super::wire::settings_dir;

/// Why no lab can be built here, if none can: `ip` is missing, or we may
/// not create namespaces (not root). Other failures are real failures.
pub fn unavailable() -> Option<String> {
    preflight().err().map(|e| match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    })
}

/// Check that `ip` exists and that we may create namespaces.
pub(super) fn preflight() -> Result<(), Failure> {
    static PROBES: AtomicU32 = AtomicU32::new(0);
    let probe = format!(
        "{PROBE_PREFIX}{}x{}",
        std::process::id(),
        PROBES.fetch_add(1, Ordering::SeqCst)
    );
    match Command::new("ip")
        .args(["netns", "add", &probe])
        .stderr(Stdio::piped())
        .output()
    {
        Err(e) => Err(Failure::new("run `ip` (iproute2)", e).with_hint(
            "the network lab needs iproute2: apt-get install iproute2",
        )),
        Ok(out) if !out.status.success() => Err(Failure::msg(format!(
            "ip netns add: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ))
        .with_hint("the network lab needs root: run it with sudo")),
        Ok(_) => {
            let _ = Command::new("ip").args(["netns", "del", &probe]).output();
            Ok(())
        }
    }
}

/// Run a command, failing with its stderr if it fails.
pub(super) fn run(program: &str, args: &[&str]) -> Result<(), Failure> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("run {program}"))?;
    if out.status.success() {
        return Ok(());
    }
    Err(Failure::msg(format!(
        "{program} {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr).trim()
    )))
}

/// The names of the namespaces that exist now.
fn namespaces() -> Vec<String> {
    let Ok(out) = Command::new("ip").args(["netns", "list"]).output() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// True when a lab of this prefix exists.
pub fn exists(prefix: &str) -> bool {
    // A probe of another process (`preflight`, a moment's namespace) is no
    // lab; one named the old way began with the learner's prefix.
    namespaces()
        .iter()
        .any(|n| n.starts_with(prefix) && !n.starts_with(OLD_PROBE_PREFIX))
}

/// The name of a `preflight` probe starts so. It must not start with the
/// learner's prefix (`asock-`): a probe running beside `lab cut` made it
/// think the lab was up (seen once in a soak).
const PROBE_PREFIX: &str = "asockprobe";

/// What probes were named before: removed as leftovers too.
const OLD_PROBE_PREFIX: &str = "asock-probe";

/// Remove the lab of `prefix`: stop every process in its namespaces (the
/// wire, and whatever a learner left running), delete the namespaces
/// (which deletes their interfaces), and its settings.
pub fn clear(prefix: &str) {
    for ns in namespaces().into_iter().filter(|n| n.starts_with(prefix)) {
        if let Ok(out) =
            Command::new("ip").args(["netns", "pids", &ns]).output()
        {
            for pid in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let _ = Command::new("kill").args(["-9", pid]).output();
            }
        }
        let _ = Command::new("ip").args(["netns", "del", &ns]).output();
    }
    let _ = fs::remove_dir_all(settings_dir(prefix));
}

/// Remove test labs (and probes) whose process is gone: a killed test run.
pub fn remove_leftovers() {
    let dead = |pid: &str| {
        pid.parse::<u32>().is_ok() && !Path::new("/proc").join(pid).exists()
    };
    let mut prefixes = Vec::new();
    for ns in namespaces() {
        if let Some(rest) = ns
            .strip_prefix(PROBE_PREFIX)
            .or_else(|| ns.strip_prefix(OLD_PROBE_PREFIX))
        {
            // `asockprobe{pid}x{n}`: a namespace of its own.
            if rest.split_once('x').is_some_and(|(pid, _)| dead(pid)) {
                let _ = Command::new("ip").args(["netns", "del", &ns]).output();
            }
        } else if let Some(rest) = ns.strip_prefix("asock")
            // `asock{pid}x{n}-{node}`: one of a test lab's namespaces.
            && let Some((pid, _)) = rest.split_once('x')
            && dead(pid)
            && let Some((prefix, _)) = ns.split_once('-')
        {
            prefixes.push(format!("{prefix}-"));
        }
    }
    prefixes.sort();
    prefixes.dedup();
    for prefix in prefixes {
        clear(&prefix);
    }
}
