//! The commands README.md shows are the ones that work: the two commands of
//! a fresh machine, the pair in two terminals, and every `cargo run -p`
//! command of the docs.

use std::fs;
use std::path::{Path, PathBuf};

use common::testing::{Server, client};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    fs::read_to_string(root().join("README.md")).expect("read README.md")
}

/// A binary of the workspace, built beside the tour by `cargo test --workspace`.
fn workspace_bin(name: &str) -> PathBuf {
    let bin = Path::new(env!("CARGO_BIN_EXE_advanced-sockets")).with_file_name(name);
    assert!(
        bin.is_file(),
        "{bin:?} is not built: run the workspace's tests with `cargo test --workspace`"
    );
    bin
}

/// Split a command line as a POSIX shell would, for the simple quoting the
/// docs use (double quotes, no escapes).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let (mut quoted, mut started) = (false, false);
    for c in line.chars() {
        if c == '"' {
            quoted = !quoted;
            started = true;
        } else if c.is_whitespace() && !quoted {
            if started {
                out.push(std::mem::take(&mut word));
                started = false;
            }
        } else {
            word.push(c);
            started = true;
        }
    }
    assert!(!quoted, "unbalanced quotes in {line:?}");
    if started {
        out.push(word);
    }
    out
}

/// A `cargo run -p PACKAGE --bin BIN -- ARGS` line: the binary and its args.
fn cargo_run(line: &str) -> Option<(String, Vec<String>)> {
    if !line.starts_with("cargo run ") {
        return None;
    }
    let words = words(line);
    let rest = words.strip_prefix(&["cargo".to_owned(), "run".to_owned()])?;
    let bin = rest.iter().skip_while(|w| *w != "--bin").nth(1)?.clone();
    let args = rest
        .iter()
        .skip_while(|w| *w != "--")
        .skip(1)
        .cloned()
        .collect();
    Some((bin, args))
}

#[test]
fn readme_shows_the_two_commands_and_ci_runs_its_test_command() {
    let readme = readme();
    assert!(
        readme.contains("```sh\ncargo run\ncargo test --workspace\n```"),
        "README.md lost its two commands"
    );
    let ci = fs::read_to_string(root().join(".ci/run")).expect("read .ci/run");
    assert!(
        ci.lines().any(|l| l.trim() == "cargo test --workspace"),
        ".ci/run does not run README's test command"
    );
}

#[test]
fn the_pair_in_readme_works_as_shown() {
    let readme = readme();
    let commands: Vec<_> = readme.lines().filter_map(cargo_run).collect();
    let (server_bin, server_args) = commands
        .iter()
        .find(|(bin, _)| bin.ends_with("-server"))
        .expect("README.md shows a server command");
    let (client_bin, client_args) = commands
        .iter()
        .find(|(bin, _)| bin.ends_with("-client"))
        .expect("README.md shows a client command");

    // The README's server uses the lesson's fixed default port; a test must
    // not, so it runs the same command on a port the OS picks.
    let args: Vec<&str> = server_args.iter().map(String::as_str).collect();
    let server = Server::start(workspace_bin(server_bin), &args);
    let out = client(workspace_bin(client_bin))
        .args(["--addr", &server.addr_arg()])
        .args(client_args)
        .output()
        .expect("run the client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    // The README shows the output too: its non-narration lines must match.
    for line in ["received 22 bytes in 1 line", "HELLO, HALF-OPEN WORLD"] {
        assert!(
            readme.contains(line) && stdout.contains(line),
            "{line:?}: {stdout}"
        );
    }
}

#[test]
fn every_cargo_run_command_in_the_docs_names_a_real_binary() {
    let mut docs = vec![readme()];
    for entry in fs::read_dir(root().join("docs/src")).expect("read docs/src") {
        docs.push(
            fs::read_to_string(entry.expect("list docs/src").path()).expect("read a chapter"),
        );
    }
    let mut checked = 0;
    for line in docs.iter().flat_map(|d| d.lines()) {
        if let Some((bin, args)) = cargo_run(line.trim()) {
            // Parsing the shown arguments is enough to prove they exist:
            // --help makes clap parse everything, then exit 0.
            client(workspace_bin(&bin))
                .args(&args)
                .arg("--help")
                .assert()
                .success();
            checked += 1;
        }
    }
    assert!(checked >= 4, "only {checked} commands found");
}
