//! `lab`: the network lab for learners (Linux, root, iproute2).
//!
//! Builds a virtual LAN of network namespaces on this machine (three hosts
//! on a switch, a router, one host behind it), runs the lessons' binaries
//! inside its hosts, and cuts, heals or slows their links. Nothing it does
//! reaches a real network: see `src/lab/` and the book's chapter "The
//! network lab".

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::{Command, ExitCode};
use std::time::Duration;

use advanced_sockets::lab::{
    self, HOSTS, Impairment, LEARNER_PREFIX, Lab, ROUTER,
};
use clap::{Parser, Subcommand};
use common::{Context, Failure};

const AFTER_HELP: &str = "\
A session, from the repository's root (root is needed):
  cargo build --workspace
  sudo target/debug/lab up
  sudo target/debug/lab exec h2 -- broadcast-server --name beta
  sudo target/debug/lab exec h1 -- broadcast-client discover --to 255.255.255.255
  sudo target/debug/lab down
(see the book's chapter \"The network lab\").";

/// A virtual LAN in network namespaces: hosts h1, h2, h3 on a switch, a
/// router r, and h4 behind it.
#[derive(Parser)]
#[command(name = "lab", version, after_help = AFTER_HELP)]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Build the lab (removing one that is already up).
    Up,
    /// Run a command inside a host (h1..h4), the router (r) or the switch
    /// (sw). The workspace's binaries are on its PATH.
    Exec {
        /// Where to run it.
        node: String,
        /// The command and its arguments, after `--`.
        #[arg(last = true, required = true)]
        command: Vec<OsString>,
    },
    /// Unplug a host: every frame to or from it is dropped, silently.
    Cut {
        /// h1, h2, h3 or h4.
        host: String,
    },
    /// Plug a host back in, with a clean link.
    Heal {
        /// h1, h2, h3 or h4.
        host: String,
    },
    /// Drop this share of the frames on a host's link, each way.
    Loss {
        /// h1, h2, h3 or h4.
        host: String,
        /// A percentage, such as 30%.
        #[arg(value_parser = parse_percent)]
        percent: f64,
    },
    /// Hold back every frame on a host's link this long, each way.
    Delay {
        /// h1, h2, h3 or h4.
        host: String,
        /// A duration, such as 150ms.
        #[arg(value_parser = common::args::parse_duration)]
        delay: Duration,
    },
    /// Show each host's address and link.
    Show,
    /// Remove the lab, and stop every program still running in it.
    Down,
    /// (internal) Run the wire that carries the lab's frames.
    #[command(hide = true)]
    Wire {
        #[arg(long)]
        prefix: String,
    },
}

fn parse_percent(text: &str) -> Result<f64, String> {
    let number = text.strip_suffix('%').unwrap_or(text);
    match number.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{text:?} is not a percentage from 0% to 100%")),
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    if let Cmd::Exec { node, command } = &args.command {
        return exec(node, command);
    }
    common::exit(run(&args.command))
}

fn say(line: impl std::fmt::Display) {
    println!("[lab] {line}");
}

fn run(command: &Cmd) -> Result<(), Failure> {
    match command {
        Cmd::Up => up(),
        Cmd::Exec { .. } => unreachable!("handled in main"),
        Cmd::Cut { host } => {
            must_be_up()?;
            lab::set_impairment(LEARNER_PREFIX, host, Impairment::CUT)?;
            say(format_args!(
                "{host} is cut off: its frames are dropped both ways"
            ));
            say(format_args!(
                "its programs live on, unaware; `lab heal {host}` plugs it back in"
            ));
            Ok(())
        }
        Cmd::Heal { host } => {
            must_be_up()?;
            lab::set_impairment(LEARNER_PREFIX, host, Impairment::default())?;
            say(format_args!("{host}'s link is clean again"));
            Ok(())
        }
        Cmd::Loss { host, percent } => {
            adjust(host, |how| how.loss_percent = *percent)
        }
        Cmd::Delay { host, delay } => adjust(host, |how| how.delay = *delay),
        Cmd::Show => {
            must_be_up()?;
            for h in HOSTS {
                let how = lab::impairment(LEARNER_PREFIX, h.name)?;
                say(format_args!(
                    "{}  {:<15} namespace {}{}  link: {}",
                    h.name,
                    h.ip,
                    LEARNER_PREFIX,
                    h.name,
                    if how == Impairment::default() {
                        "clean".to_owned()
                    } else {
                        how.to_string()
                    }
                ));
            }
            say(format_args!(
                "r   {} and {}  namespace {LEARNER_PREFIX}r",
                ROUTER.0, ROUTER.1
            ));
            Ok(())
        }
        Cmd::Down => {
            if !lab::exists(LEARNER_PREFIX) {
                say("no lab is up");
                return Ok(());
            }
            lab::clear(LEARNER_PREFIX);
            say(
                "the lab is down: its namespaces, interfaces and programs are gone",
            );
            Ok(())
        }
        Cmd::Wire { prefix } => lab::run_wire(prefix),
    }
}

/// Change one setting of `host`'s link, keeping the others.
fn adjust(
    host: &str,
    change: impl FnOnce(&mut Impairment),
) -> Result<(), Failure> {
    must_be_up()?;
    let mut how = lab::impairment(LEARNER_PREFIX, host)?;
    change(&mut how);
    lab::set_impairment(LEARNER_PREFIX, host, how)?;
    say(format_args!("{host}'s link: {how}"));
    Ok(())
}

fn up() -> Result<(), Failure> {
    if lab::exists(LEARNER_PREFIX) {
        say("removing the lab that was already up");
    }
    let me = std::env::current_exe().context("find the lab binary")?;
    Lab::build(LEARNER_PREFIX, &me)?.detach();
    say(format_args!(
        "up: hosts {LEARNER_PREFIX}h1..h4, router {LEARNER_PREFIX}r, \
         switch {LEARNER_PREFIX}sw, cables {LEARNER_PREFIX}wire"
    ));
    println!(
        "
  LAN 1: 198.51.100.0/24                 LAN 2: 203.0.113.0/24

  h1 .1 ---+
  h2 .2 ---+-- sw -- .254  r  .254 ---------- h4 .4
  h3 .3 ---+
"
    );
    say("run a program in a host: `lab exec HOST -- PROGRAM ARGS`");
    say("`lab down` when done");
    Ok(())
}

fn must_be_up() -> Result<(), Failure> {
    if lab::exists(LEARNER_PREFIX) {
        Ok(())
    } else {
        Err(Failure::msg("the lab is not up")
            .with_hint("build it first: sudo lab up"))
    }
}

/// Run `command` in `node`'s namespace, with the workspace's binaries (the
/// directory of this one) first on its PATH, and exit as it exits.
fn exec(node: &str, command: &[OsString]) -> ExitCode {
    let known = ["h1", "h2", "h3", "h4", "r", "sw"];
    if !known.contains(&node) {
        return common::exit(Err(Failure::msg(format!(
            "no node {node:?} in the lab: h1, h2, h3, h4, r or sw"
        ))));
    }
    if let Err(e) = must_be_up() {
        return common::exit(Err(e));
    }
    let bin_dir = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(PathBuf::from))
        .unwrap_or_default();
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![bin_dir];
    dirs.extend(std::env::split_paths(&path));
    let Ok(path) = std::env::join_paths(dirs) else {
        return common::exit(Err(Failure::msg(
            "PATH has a directory with a ':' in it",
        )));
    };
    let status = Command::new("ip")
        .args(["netns", "exec", &format!("{LEARNER_PREFIX}{node}")])
        .args(command)
        .env("PATH", path)
        .status();
    match status {
        Ok(status) => ExitCode::from(
            status.code().map_or(1, |c| u8::try_from(c).unwrap_or(1)),
        ),
        Err(e) => common::exit(Err(Failure::new("run ip netns exec", e))),
    }
}
