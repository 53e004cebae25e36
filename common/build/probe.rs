// The build script of each package whose tests run the notes' Python
// peers (`python/` in each lesson) or `nc`: it looks for them once, at
// build time, so that a test that cannot run here is reported as ignored
// with its reason, never as passed. Included by each such package's
// `build.rs`; its tests carry
// `#[cfg_attr(no_python, ignore = "needs python3 (3.8 or newer) on the PATH")]`.
// Under CI (`CI` set, as `.ci/run` sets it) a missing tool fails the build
// instead: there, every test must run.

use std::process::Command;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(no_python, no_nc)");
    // Looked for again when PATH changes (not when a package is installed
    // into a directory already on it: `cargo clean -p` the package then).
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    let missing = |tool: &str, cfg: &str| {
        if std::env::var_os("CI").is_some() {
            panic!("CI needs {tool}, and it is not here: .ci/run installs it");
        }
        println!("cargo::rustc-cfg={cfg}");
    };
    let python = Command::new("python3")
        .args(["-c", "import sys; sys.exit(sys.version_info < (3, 8))"])
        .status();
    if !python.is_ok_and(|status| status.success()) {
        missing("python3 (3.8 or newer)", "no_python");
    }
    // OpenBSD's netcat (Debian's `nc`) has -N, the flag the pitfall is about.
    let nc = Command::new("nc").arg("-h").output();
    let has_n = |out: &std::process::Output| {
        String::from_utf8_lossy(&out.stderr).contains("-N")
            || String::from_utf8_lossy(&out.stdout).contains("-N")
    };
    if !nc.is_ok_and(|out| has_n(&out)) {
        missing("nc with -N (netcat-openbsd)", "no_nc");
    }
}
