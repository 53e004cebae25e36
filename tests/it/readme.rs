//! The commands README.md shows are the ones that work: the two commands of
//! a fresh machine, the pair in two terminals, and every `cargo run -p`
//! command of the docs.

use std::fs;
use std::path::Path;

use crate::support::{open_quote, words, workspace_bin};
use common::testing::{Server, client};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    fs::read_to_string(root().join("README.md")).expect("read README.md")
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

/// A `cargo run -p PACKAGE --example NAME` line: the example's source file.
fn cargo_run_example(line: &str) -> Option<String> {
    if !line.starts_with("cargo run ") {
        return None;
    }
    let words = words(line);
    let package = words.iter().skip_while(|w| *w != "-p").nth(1)?;
    let name = words.iter().skip_while(|w| *w != "--example").nth(1)?;
    Some(format!("{package}/examples/{name}.rs"))
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
    // The README shows the output too, line for line (ports and times
    // change from run to run).
    let shown = readme
        .split_once("the client prints its `[client]` steps and the reply:")
        .and_then(|(_, rest)| rest.split_once("```text\n"))
        .and_then(|(_, rest)| rest.split_once("```"))
        .expect("README.md shows the client's output")
        .0;
    let vary = |text: &str| -> Vec<String> {
        let port = regex::Regex::new(r":\d+\b").expect("regex");
        let time = regex::Regex::new(r"\d+ (µs|ms|s)\b").expect("regex");
        text.lines()
            .map(|l| time.replace_all(&port.replace_all(l, ":N"), "T").into())
            .collect()
    };
    assert_eq!(vary(shown), vary(&stdout), "README.md's output is stale");
}

/// The text of every chapter of the book (docs/src/*.md; the figures
/// beside them are checked by the tour's figure tests).
fn chapters() -> Vec<String> {
    fs::read_dir(root().join("docs/src"))
        .expect("read docs/src")
        .map(|e| e.expect("list docs/src").path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .map(|p| fs::read_to_string(p).expect("read a chapter"))
        .collect()
}

#[test]
fn every_cargo_run_command_in_the_docs_names_a_real_binary() {
    let mut docs = vec![readme()];
    docs.extend(chapters());
    // Commands on their own lines, and commands in inline code, which
    // prose may wrap over several lines.
    let inline = docs.iter().flat_map(|d| {
        d.split('`')
            .skip(1)
            .step_by(2)
            .filter(|span| {
                !span.contains('\n') || span.starts_with("cargo run")
            })
            .map(|span| span.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
    });
    let lines = docs.iter().flat_map(|d| d.lines().map(str::to_owned));
    let mut checked = 0;
    for line in lines.chain(inline) {
        let line = line.as_str();
        if let Some(example) = cargo_run_example(line.trim()) {
            assert!(
                root().join(&example).is_file(),
                "{line:?}: there is no {example}"
            );
            checked += 1;
        }
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

/// The binaries the book calls by their short names.
const BINARIES: [&str; 18] = [
    "shutdown-server",
    "shutdown-client",
    "shutdown-async-server",
    "shutdown-async-client",
    "timeout-server",
    "timeout-client",
    "timeout-async-server",
    "timeout-async-client",
    "timeout-crowd",
    "framing-server",
    "framing-client",
    "framing-bench",
    "framing-async-server",
    "framing-async-client",
    "broadcast-server",
    "broadcast-client",
    "broadcast-async-server",
    "broadcast-async-client",
];

#[test]
fn every_command_the_book_shows_by_short_name_parses() {
    let mut commands = Vec::new();
    for text in chapters() {
        // `$ shutdown-client ...` lines of transcripts, with a quoted
        // newline joining the next line.
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if let Some(command) = line.strip_prefix("$ ") {
                let mut command = command.to_owned();
                while open_quote(&command) {
                    let Some(next) = lines.next() else { break };
                    command = format!("{command}\n{next}");
                }
                while let Some(head) = command.strip_suffix(" \\") {
                    let Some(next) = lines.next() else { break };
                    command = format!("{head} {}", next.trim());
                }
                commands.push(command);
            }
        }
        // And commands in inline code: the workshop's tables, the prose.
        for span in text.split('`').skip(1).step_by(2) {
            // A span cut inside a quote is prose showing keystrokes.
            if !span.contains('\n') && !open_quote(span) {
                commands.push(span.to_owned());
            }
        }
    }
    let mut checked = 0;
    for command in commands {
        // What follows a pipe is another program's business.
        let command = command.split(" | ").next().unwrap_or_default();
        let first = command.split_whitespace().next().unwrap_or_default();
        if !BINARIES.contains(&first) {
            continue;
        }
        let words = words(command);
        let (bin, args) = words.split_first().expect("at least the binary");
        // --help makes clap parse every argument shown, then exit 0.
        client(workspace_bin(bin))
            .args(args)
            .arg("--help")
            .assert()
            .success();
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} commands checked");
}

#[test]
fn every_lab_command_the_book_shows_parses() {
    let lab = fs::read_to_string(root().join("docs/src/lab.md"))
        .expect("read lab.md");
    let lines: Vec<&str> = lab.lines().collect();
    let mut checked = 0;
    // The lab chapter's commands run in a root shell: `# lab ...`.
    for (i, line) in lines.iter().enumerate() {
        let Some(line) = line.strip_prefix("# lab ") else {
            continue;
        };
        // A long command goes on over lines ending in ` \`, as in a shell.
        let mut line = line.to_owned();
        let mut last = i;
        while let Some(head) = line.strip_suffix(" \\") {
            last += 1;
            line =
                format!("{head} {}", lines.get(last).map_or("", |l| l.trim()));
        }
        let words = words(&line);
        let (ours, inner) = match words.iter().position(|w| w == "--") {
            Some(at) => (&words[..at], &words[at + 1..]),
            None => (&words[..], &words[..0]),
        };
        // --help makes clap parse what comes before it, then exit 0.
        client(workspace_bin("lab"))
            .args(ours)
            .arg("--help")
            .assert()
            .success();
        // And the command `lab exec` runs, when it is one of ours. Its
        // zone (`%eth0`) names an interface of the lab's hosts, which this
        // namespace may lack: `%1` (loopback) parses the same way.
        if let Some((bin, args)) = inner.split_first()
            && BINARIES.contains(&bin.as_str())
        {
            let args: Vec<String> =
                args.iter().map(|a| a.replace("%eth0", "%1")).collect();
            let refused = lines
                .get(last + 1)
                .is_some_and(|next| next.starts_with("error: invalid value"));
            let run = client(workspace_bin(bin))
                .args(&args)
                .arg("--help")
                .assert();
            if refused {
                run.code(2);
            } else {
                run.success();
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} lab commands checked");
}

#[test]
fn every_async_binary_shows_its_own_pair_to_copy_in_its_help() {
    let asynchronous: Vec<&str> = BINARIES
        .iter()
        .copied()
        .filter(|b| b.contains("-async-"))
        .collect();
    assert_eq!(asynchronous.len(), 8, "{asynchronous:?}");
    for bin in &asynchronous {
        let out = std::process::Command::new(workspace_bin(bin))
            .arg("--help")
            .output()
            .expect("run --help");
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{bin}: {help}");
        // Both async halves of the lesson, as commands to copy.
        let lesson = bin.split("-async-").next().unwrap_or_default();
        for half in ["server", "client"] {
            let line = format!("--bin {lesson}-async-{half}");
            assert!(help.contains(&line), "{bin} --help lacks {line}:\n{help}");
        }
    }
}
