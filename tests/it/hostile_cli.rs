//! Every binary against hostile command lines: for every flag that takes a
//! value (read from the binary's own `--help`), huge, negative, zero,
//! empty, non-ASCII and overflowing values; and unknown flags, missing
//! values, stray arguments. Each run must end with exit code 0, 1 or 2,
//! never a panic or a signal, or still be running (a server serving, a
//! client honouring a long wait) when the test stops it.
//!
//! Nothing leaves this machine: no value tried parses as an address, the
//! clients' default addresses are loopback, and every server gets
//! `--addr 127.0.0.1:0` unless the flag under test is its address.

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use crate::support::workspace_bin;

/// Each binary, and the subcommand to test (broadcast-client has two).
const TARGETS: &[(&str, &[&str], bool)] = &[
    // (binary, subcommand, is a server)
    ("shutdown-server", &[], true),
    ("shutdown-client", &[], false),
    ("shutdown-async-server", &[], true),
    ("shutdown-async-client", &["hi"], false),
    ("timeout-server", &[], true),
    ("timeout-client", &[], false),
    ("timeout-async-server", &[], true),
    ("timeout-async-client", &[], false),
    ("framing-server", &[], true),
    ("framing-client", &["hi"], false),
    ("framing-bench", &[], false),
    ("framing-async-server", &[], true),
    ("framing-async-client", &["hi"], false),
    ("broadcast-server", &[], true),
    ("broadcast-client", &["discover"], false),
    ("broadcast-client", &["listen"], false),
    ("broadcast-async-server", &[], true),
    ("broadcast-async-client", &["discover"], false),
];

/// Values no flag should choke on. None of them is an address.
fn hostile_values() -> Vec<String> {
    let mut values: Vec<String> = [
        "18446744073709551616",
        "18446744073709551615",
        "10000000000000000000s",
        "300000000000y",
        "99999999999999999999999999ms",
        "4294967295",
        "4294967296",
        "2147483648",
        "-1",
        "-0",
        "-9223372036854775808",
        "0",
        "0s",
        "",
        " ",
        "é",
        "１２",
        "1e309",
        "NaN",
        "inf",
        "0x10",
        "\u{202e}1s",
        "1ns",
        "25h",
        "999999999GiB",
    ]
    .map(String::from)
    .to_vec();
    values.push("9".repeat(400));
    values
}

/// The flags of `binary subcommand` that take a value, from its `--help`.
fn value_flags(binary: &str, sub: &[&str]) -> Vec<String> {
    let mut args: Vec<&str> = sub.iter().copied().take(1).collect();
    args.push("--help");
    let out = Command::new(workspace_bin(binary))
        .args(&args)
        .output()
        .expect("run --help");
    let help = String::from_utf8_lossy(&out.stdout);
    let mut flags = Vec::new();
    for word in help.split_whitespace().collect::<Vec<_>>().windows(2) {
        if let [flag, value] = word
            && flag.starts_with("--")
            && value.starts_with('<')
        {
            flags.push(flag.trim_end_matches(',').to_owned());
        }
    }
    flags.dedup();
    flags
}

/// One run, stopped after `limit`: how it ended (its exit code, or `None`
/// if it was still running), or what was wrong with it.
fn run(
    binary: &str,
    args: &[String],
    limit: Duration,
) -> Result<Option<i32>, String> {
    let mut child: Child = Command::new(workspace_bin(binary))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("spawn: {e}"))?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        thread::sleep(Duration::from_millis(10));
    };
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let shown = format!("{binary} {}", args.join(" "));
    if stderr.contains("panicked") || stderr.contains("memory allocation") {
        return Err(format!("{shown}: {stderr}"));
    }
    match status {
        // Still running when stopped: a server serving, or a long wait
        // honoured; the panic check above still applies.
        None => Ok(None),
        Some(status) => match status.code() {
            Some(code @ 0..=2) => Ok(Some(code)),
            Some(code) => Err(format!("{shown}: exit {code}: {stderr}")),
            None => Err(format!("{shown}: killed by a signal: {status:?}")),
        },
    }
}

#[test]
fn no_command_line_makes_a_binary_panic_abort_or_hang() {
    let _heavy = common::testing::heavy();
    let mut runs: Vec<(String, Vec<String>)> = Vec::new();
    for &(binary, sub, server) in TARGETS {
        let sub: Vec<String> = sub.iter().map(|s| s.to_string()).collect();
        let flags = value_flags(
            binary,
            &sub.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert!(
            !flags.is_empty() || binary == "framing-bench",
            "{binary}: no flags in --help"
        );
        let base = |flag: &str| {
            let mut args = sub.clone();
            if server && flag != "--addr" && flag != "--port" {
                args.extend(["--addr".to_owned(), "127.0.0.1:0".to_owned()]);
            }
            args
        };
        for flag in &flags {
            for value in hostile_values() {
                let mut args = base(flag);
                args.extend([flag.clone(), value]);
                runs.push((binary.to_owned(), args));
            }
            // The flag with no value, and given twice.
            let mut args = base(flag);
            args.push(flag.clone());
            runs.push((binary.to_owned(), args));
            let mut args = base(flag);
            args.extend([flag.clone(), "1".into(), flag.clone(), "2".into()]);
            runs.push((binary.to_owned(), args));
        }
        for stray in [
            ["--no-such-flag"].as_slice(),
            &["-x"],
            &["stray", "words", "é"],
            &["--", "-1"],
        ] {
            let mut args = base("");
            args.extend(stray.iter().map(|s| s.to_string()));
            runs.push((binary.to_owned(), args));
        }
    }
    let total = runs.len();
    // A pool of runs at once: most end in milliseconds; a server that is
    // still serving after the limit is stopped.
    let limit = Duration::from_millis(800);
    let queue = Arc::new(Mutex::new(runs));
    let workers: Vec<_> = (0..24)
        .map(|_| {
            let queue = Arc::clone(&queue);
            thread::spawn(move || {
                let mut ends = Vec::new();
                loop {
                    let next = queue.lock().expect("the queue").pop();
                    let Some((binary, args)) = next else {
                        return ends;
                    };
                    ends.push(run(&binary, &args, limit));
                }
            })
        })
        .collect();
    let ends: Vec<Result<Option<i32>, String>> = workers
        .into_iter()
        .flat_map(|w| w.join().expect("a worker"))
        .collect();
    let ended = |code| ends.iter().filter(|e| e == &&Ok(code)).count();
    println!(
        "{total} command lines: {} exited 0, {} exited 1, {} exited 2 \
         (usage), {} still running when stopped",
        ended(Some(0)),
        ended(Some(1)),
        ended(Some(2)),
        ended(None)
    );
    let failures: Vec<&String> =
        ends.iter().filter_map(|e| e.as_ref().err()).collect();
    assert!(total > 500, "only {total} command lines tried");
    assert!(
        failures.is_empty(),
        "{} of {total} command lines failed:\n{}",
        failures.len(),
        failures
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Run `binary args` with its stdout a pipe whose reader is gone, as in
/// `... | head -1` after head exits: every write fails with EPIPE.
fn with_closed_stdout(binary: &str, args: &[&str]) -> std::process::Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let mut child = Command::new(workspace_bin(binary))
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "{binary} {args:?} did not end"
        );
        thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("its output")
}

#[test]
fn a_closed_stdout_ends_every_binary_quietly() {
    let _heavy = common::testing::heavy();
    use common::testing::Server;
    let pairs = [
        ("shutdown-server", "shutdown-client", &[][..]),
        ("shutdown-async-server", "shutdown-async-client", &[]),
        ("timeout-server", "timeout-client", &[]),
        ("timeout-async-server", "timeout-async-client", &[]),
        ("framing-server", "framing-client", &["--repeat", "3"]),
        ("framing-async-server", "framing-async-client", &[]),
        ("broadcast-server", "broadcast-client", &[]),
        ("broadcast-async-server", "broadcast-async-client", &[]),
    ];
    let mut checked = Vec::new();
    for (server, client, extra) in pairs {
        let server = Server::start(workspace_bin(server), &[]);
        let addr = server.addr_arg();
        let mut args = vec!["--addr", &addr];
        if client.starts_with("broadcast-") {
            args.insert(0, "discover");
        } else {
            args.push("hello");
        }
        args.extend(extra);
        checked.push(client);
        let out = with_closed_stdout(client, &args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{client}: {stderr}");
        assert!(!stderr.contains("panicked"), "{client}: {stderr}");
    }
    // framing-bench --quick with a closed stdout is examples-framing's
    // bench::a_closed_stdout_ends_the_bench_quietly: a whole bench run,
    // not repeated here.
    for (binary, args) in [
        ("advanced-sockets", &["--list"][..]),
        ("lab", &["--help"]),
        ("wire", &["--help"]),
    ] {
        let out = with_closed_stdout(binary, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{binary}: {stderr}");
        assert!(!stderr.contains("panicked"), "{binary}: {stderr}");
    }
    // Every client of TARGETS ran here (framing-bench in its own lesson).
    for (binary, _, server) in TARGETS {
        let covered = *server || *binary == "framing-bench";
        assert!(covered || checked.contains(binary), "{binary} not run");
    }
}

/// Values past what the kernel or the runtime takes are usage errors, not
/// failures at run time or values silently ignored; and a deadline that
/// passes before the connect says so.
#[test]
fn bounds_the_kernel_or_the_runtime_sets_are_usage_errors() {
    let usage: [(&str, &[&str]); 5] = [
        // Linux caps TCP_KEEPIDLE and TCP_KEEPINTVL at 32767 s, and
        // TCP_KEEPCNT at 127: past them, setsockopt fails with EINVAL.
        ("timeout-client", &["--keepalive", "24h"]),
        (
            "timeout-client",
            &["--keepalive", "1h", "--keepalive-retries", "128"],
        ),
        ("timeout-async-client", &["--keepalive", "24h"]),
        // tokio's timer counts milliseconds: 1ns would be ignored.
        ("timeout-async-client", &["--deadline", "1ns"]),
        ("wire", &["--linger", "10000000000000000000s", "--", "true"]),
    ];
    for (binary, args) in usage {
        let out = Command::new(workspace_bin(binary))
            .args(args)
            .output()
            .expect("run it");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{binary} {args:?}: {stderr}");
    }
    // A closed port, and a deadline gone before the connect can start.
    let closed = common::testing::ClosedPort::new();
    let out = Command::new(workspace_bin("timeout-client"))
        .args(["--addr", &closed.addr().to_string(), "--deadline", "1ns"])
        .output()
        .expect("run it");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: deadline: the exchange took longer than 1 ns"),
        "{stderr}"
    );
}
