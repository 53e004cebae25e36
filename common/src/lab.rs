//! The network lab (feature `lab`, Linux only): a virtual LAN in network
//! namespaces, on one machine, where nothing reaches a real network.
//!
//! A network namespace is a private copy of the kernel's network stack:
//! its own interfaces, addresses, routes and firewall. A program started
//! in one (`ip netns exec NAME PROGRAM`) sees only that copy, so each
//! namespace behaves as a separate machine. The lab builds these
//! "machines":
//!
//! ```text
//!   LAN 1: 198.51.100.0/24                           LAN 2: 203.0.113.0/24
//!
//!   h1 .1 ----+
//!   h2 .2 ----+-- sw (a bridge: the switch) -- .254 r .254 -------- .4 h4
//!   h3 .3 ----+                                 (the router)
//! ```
//!
//! Every host has an IPv6 link-local address on its link as well. The
//! cables are the one unusual part. Each is a VXLAN tunnel through a small
//! program, the *wire*, running in a namespace of its own: every Ethernet
//! frame a host sends travels, inside a UDP datagram, to the wire, which
//! passes it on to the other end, or drops it, or holds it back. That is
//! how [`Lab::cut`] unplugs a host and [`Lab::impair`] makes its link lossy
//! and slow on any kernel (`tc netem` would do the same, but is not built
//! into every kernel, this project's CI machine's among them).
//!
//! Nothing is created in the machine's own (root) namespace: every
//! interface is created inside a lab namespace, so no real interface,
//! route or firewall rule is touched. Names start with a prefix unique to
//! each lab, so labs can run side by side; a lab is torn down when dropped,
//! and leftovers of a run that was killed are removed by the next one.
//!
//! The lab shells out to iproute2's `ip`, and needs root.

use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::fs;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use crate::{Context, Failure};

/// The prefix of the lab that `lab up` builds for a learner.
pub const LEARNER_PREFIX: &str = "asock-";

/// Where the wire reads each host's impairment from.
const SETTINGS_ROOT: &str = "/run/advanced-sockets-lab";

/// The UDP port of every VXLAN endpoint (the IANA-assigned one).
const VXLAN_PORT: u16 = 4789;

/// A host of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Host {
    /// Its name: `h1` to `h4`.
    pub name: &'static str,
    /// Its IPv4 address.
    pub ip: Ipv4Addr,
    /// Its LAN's broadcast address.
    pub broadcast: Ipv4Addr,
}

/// The hosts: three on LAN 1, one on LAN 2 behind the router.
pub const HOSTS: [Host; 4] = [
    Host {
        name: "h1",
        ip: Ipv4Addr::new(198, 51, 100, 1),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h2",
        ip: Ipv4Addr::new(198, 51, 100, 2),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h3",
        ip: Ipv4Addr::new(198, 51, 100, 3),
        broadcast: Ipv4Addr::new(198, 51, 100, 255),
    },
    Host {
        name: "h4",
        ip: Ipv4Addr::new(203, 0, 113, 4),
        broadcast: Ipv4Addr::new(203, 0, 113, 255),
    },
];

/// The router's address on LAN 1 and on LAN 2.
pub const ROUTER: (Ipv4Addr, Ipv4Addr) = (
    Ipv4Addr::new(198, 51, 100, 254),
    Ipv4Addr::new(203, 0, 113, 254),
);

/// The host named `name`.
pub fn host(name: &str) -> Result<Host, Failure> {
    HOSTS
        .iter()
        .find(|h| h.name == name)
        .copied()
        .ok_or_else(|| {
            Failure::msg(format!(
                "no host {name:?} in the lab: h1, h2, h3 or h4"
            ))
        })
}

/// The lab's namespaces: the hosts, the router, the switch, and the wire.
const NODES: [&str; 7] = ["h1", "h2", "h3", "h4", "r", "sw", "wire"];

/// The underlay number of each node but the wire: node `k`'s side of its
/// cable to the wire is 169.254.k.2, the wire's side 169.254.k.1.
fn underlay(node: &str) -> u8 {
    match node {
        "h1" => 1,
        "h2" => 2,
        "h3" => 3,
        "h4" => 4,
        "r" => 5,
        _ => 6, // "sw"
    }
}

/// One end of a cable: a node, and the interface there.
type End = (&'static str, &'static str);

/// The cables: a VXLAN id (VNI), and the node and interface at each end.
/// The first end of each is the host whose link [`Lab::impair`] changes.
const CABLES: [(u32, End, End); 5] = [
    (1, ("h1", "eth0"), ("sw", "h1")),
    (2, ("h2", "eth0"), ("sw", "h2")),
    (3, ("h3", "eth0"), ("sw", "h3")),
    (4, ("h4", "eth0"), ("r", "eth1")),
    (5, ("r", "eth0"), ("sw", "r")),
];

/// What the wire does to a host's link, in each direction.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Impairment {
    /// The share of frames dropped, from 0 to 100 (100: the cable is cut).
    pub loss_percent: f64,
    /// How long each frame is held back.
    pub delay: Duration,
}

impl Impairment {
    /// A cut cable: every frame dropped.
    pub const CUT: Impairment = Impairment {
        loss_percent: 100.0,
        delay: Duration::ZERO,
    };

    fn to_file(self) -> String {
        format!(
            "loss {} delay_us {}\n",
            self.loss_percent,
            self.delay.as_micros()
        )
    }

    fn from_file(text: &str) -> Option<Impairment> {
        let mut words = text.split_whitespace();
        let (Some("loss"), Some(loss), Some("delay_us"), Some(delay)) =
            (words.next(), words.next(), words.next(), words.next())
        else {
            return None;
        };
        Some(Impairment {
            loss_percent: loss.parse().ok()?,
            delay: Duration::from_micros(delay.parse().ok()?),
        })
    }
}

impl fmt::Display for Impairment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.loss_percent >= 100.0 {
            return write!(f, "cut");
        }
        let delay = if self.delay.is_zero() {
            "no delay".to_owned()
        } else {
            format!("{} delay", crate::fmt_duration(self.delay))
        };
        write!(f, "{}% loss, {delay}, each way", self.loss_percent)
    }
}

/// A lab, torn down when dropped (unless it was [`Lab::detach`]ed).
#[derive(Debug)]
pub struct Lab {
    prefix: String,
    wire: Option<Child>,
    keep: bool,
}

impl Lab {
    /// Build a lab for a test: a prefix unique to this process and call,
    /// after removing what killed runs left behind. `lab_bin` is the `lab`
    /// binary, which runs the wire.
    pub fn for_test(lab_bin: &Path) -> Result<Lab, Failure> {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        remove_leftovers();
        let prefix = format!(
            "asock{}x{}-",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        Lab::build(&prefix, lab_bin)
    }

    /// Build the lab with namespaces named `PREFIX` + node, first removing
    /// any namespaces of an earlier lab of the same prefix.
    pub fn build(prefix: &str, lab_bin: &Path) -> Result<Lab, Failure> {
        preflight()?;
        clear(prefix);
        let mut lab = Lab {
            prefix: prefix.to_owned(),
            wire: None,
            keep: false,
        };
        lab.plumb()?;
        lab.start_wire(lab_bin)?;
        Ok(lab)
    }

    /// The namespace of `node` (`h1`..`h4`, `r`, `sw`, `wire`).
    pub fn namespace(&self, node: &str) -> String {
        format!("{}{node}", self.prefix)
    }

    /// A command that runs `program` inside `node`'s namespace.
    pub fn command(
        &self,
        node: &str,
        program: impl AsRef<std::ffi::OsStr>,
    ) -> Command {
        let mut cmd = Command::new("ip");
        cmd.args(["netns", "exec", &self.namespace(node)])
            .arg(program);
        cmd
    }

    /// Set what the wire does to `host`'s link, and wait until the wire
    /// has applied it.
    pub fn impair(&self, host: &str, how: Impairment) -> Result<(), Failure> {
        set_impairment(&self.prefix, host, how)
    }

    /// Unplug `host`: every frame to or from it is dropped, silently, as by
    /// a cut cable. Its programs and sockets live on, unaware.
    pub fn cut(&self, host: &str) -> Result<(), Failure> {
        self.impair(host, Impairment::CUT)
    }

    /// Plug `host` back in, with a clean link.
    pub fn heal(&self, host: &str) -> Result<(), Failure> {
        self.impair(host, Impairment::default())
    }

    /// Leave the lab running when this value is dropped (the `lab up`
    /// command does this; `lab down` removes it).
    pub fn detach(mut self) {
        self.keep = true;
        if let Some(mut wire) = self.wire.take() {
            // Let the wire run on after we exit; it is found and stopped by
            // `clear`, through the processes of its namespace.
            wire.stdout.take();
        }
    }

    fn ip(&self, args: &[&str]) -> Result<(), Failure> {
        run("ip", args)
    }

    fn in_ns(&self, node: &str, args: &[&str]) -> Result<(), Failure> {
        let ns = self.namespace(node);
        let mut all = vec!["-n", ns.as_str()];
        all.extend_from_slice(args);
        self.ip(&all)
    }

    /// Write a kernel setting of `node`'s namespace (its /proc/sys/net is its
    /// own).
    fn sysctl(
        &self,
        node: &str,
        path: &str,
        value: &str,
    ) -> Result<(), Failure> {
        let ns = self.namespace(node);
        run(
            "ip",
            &[
                "netns",
                "exec",
                &ns,
                "sh",
                "-c",
                &format!("echo {value} > /proc/sys/{path}"),
            ],
        )
    }

    fn plumb(&mut self) -> Result<(), Failure> {
        for node in NODES {
            self.ip(&["netns", "add", &self.namespace(node)])?;
            self.in_ns(node, &["link", "set", "lo", "up"])?;
            // New interfaces use their IPv6 link-local address at once,
            // instead of after a second of duplicate address detection.
            self.sysctl(node, "net/ipv6/conf/default/accept_dad", "0")?;
            self.sysctl(node, "net/ipv6/conf/all/accept_dad", "0")?;
        }
        self.sysctl("r", "net/ipv4/ip_forward", "1")?;

        // The underlay: a veth pair from each node to the wire, created
        // inside the lab's namespaces (never in the root namespace).
        let wire_ns = self.namespace("wire");
        for node in ["h1", "h2", "h3", "h4", "r", "sw"] {
            let k = underlay(node);
            let ns = self.namespace(node);
            let wire_end = format!("u{node}");
            self.ip(&[
                "-n", &wire_ns, "link", "add", &wire_end, "type", "veth",
                "peer", "name", "u", "netns", &ns,
            ])?;
            self.in_ns(
                "wire",
                &[
                    "addr",
                    "add",
                    &format!("169.254.{k}.1/24"),
                    "dev",
                    &wire_end,
                ],
            )?;
            self.in_ns("wire", &["link", "set", &wire_end, "up"])?;
            self.in_ns(
                node,
                &["addr", "add", &format!("169.254.{k}.2/24"), "dev", "u"],
            )?;
            self.in_ns(node, &["link", "set", "u", "up"])?;
        }

        // The switch: a plain bridge, without multicast snooping, so that it
        // floods multicast as an unmanaged switch does.
        self.in_ns(
            "sw",
            &[
                "link",
                "add",
                "br0",
                "type",
                "bridge",
                "mcast_snooping",
                "0",
            ],
        )?;
        self.in_ns("sw", &["link", "set", "br0", "up"])?;

        // The cables: one VXLAN interface at each end, sending its frames
        // to the wire.
        for (vni, a, b) in CABLES {
            for (node, ifname) in [a, b] {
                let k = underlay(node);
                self.in_ns(
                    node,
                    &[
                        "link",
                        "add",
                        ifname,
                        "type",
                        "vxlan",
                        "id",
                        &vni.to_string(),
                        "local",
                        &format!("169.254.{k}.2"),
                        "remote",
                        &format!("169.254.{k}.1"),
                        "dstport",
                        &VXLAN_PORT.to_string(),
                        "dev",
                        "u",
                        "nolearning",
                    ],
                )?;
                // One frame, one datagram: without this, the kernel hands
                // the interface TCP "super-segments" of up to 64 KiB (GSO)
                // for the card to cut up, and they would cross the wire as
                // oversized datagrams.
                self.in_ns(
                    node,
                    &["link", "set", ifname, "gso_max_segs", "1"],
                )?;
                if node == "sw" {
                    self.in_ns(
                        "sw",
                        &["link", "set", ifname, "master", "br0"],
                    )?;
                }
                self.in_ns(node, &["link", "set", ifname, "up"])?;
            }
        }

        for h in HOSTS {
            self.in_ns(
                h.name,
                &["addr", "add", &format!("{}/24", h.ip), "dev", "eth0"],
            )?;
            let gateway = if h.ip.octets()[0] == 198 {
                ROUTER.0
            } else {
                ROUTER.1
            };
            self.in_ns(
                h.name,
                &["route", "add", "default", "via", &gateway.to_string()],
            )?;
        }
        self.in_ns(
            "r",
            &["addr", "add", &format!("{}/24", ROUTER.0), "dev", "eth0"],
        )?;
        self.in_ns(
            "r",
            &["addr", "add", &format!("{}/24", ROUTER.1), "dev", "eth1"],
        )?;
        Ok(())
    }

    fn start_wire(&mut self, lab_bin: &Path) -> Result<(), Failure> {
        let dir = settings_dir(&self.prefix);
        fs::create_dir_all(&dir)
            .with_context(|| format!("create {}", dir.display()))?;
        for h in HOSTS {
            fs::write(dir.join(h.name), Impairment::default().to_file())
                .with_context(|| format!("write {}", dir.display()))?;
        }
        let mut wire = self
            .command("wire", lab_bin)
            .args(["wire", "--prefix", &self.prefix])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| {
                format!("start the wire ({})", lab_bin.display())
            })?;
        // The wire says "ready" once its sockets are bound: from then on,
        // frames flow.
        let mut ready = String::new();
        let stdout = wire.stdout.as_mut().expect("piped");
        let _ = BufReader::new(stdout).read_line(&mut ready);
        self.wire = Some(wire);
        if ready.trim() != "ready" {
            return Err(Failure::msg(format!(
                "the wire did not start (it said {:?})",
                ready.trim()
            )));
        }
        Ok(())
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        if self.keep {
            return;
        }
        if let Some(mut wire) = self.wire.take() {
            let _ = wire.kill();
            let _ = wire.wait();
        }
        clear(&self.prefix);
    }
}

/// Why no lab can be built here, if none can: `ip` is missing, or we may
/// not create namespaces (not root). Other failures are real failures.
pub fn unavailable() -> Option<String> {
    preflight().err().map(|e| match e.hint() {
        Some(hint) => format!("{e} ({hint})"),
        None => e.to_string(),
    })
}

/// Check that `ip` exists and that we may create namespaces.
fn preflight() -> Result<(), Failure> {
    static PROBES: AtomicU32 = AtomicU32::new(0);
    let probe = format!(
        "asock-probe{}x{}",
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
fn run(program: &str, args: &[&str]) -> Result<(), Failure> {
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

fn settings_dir(prefix: &str) -> PathBuf {
    Path::new(SETTINGS_ROOT).join(prefix.trim_end_matches('-'))
}

/// Set `host`'s impairment in the lab of `prefix`, and wait (at most 5 s)
/// for the wire to confirm it.
pub fn set_impairment(
    prefix: &str,
    host: &str,
    how: Impairment,
) -> Result<(), Failure> {
    self::host(host)?;
    let dir = settings_dir(prefix);
    let file = dir.join(host);
    let wanted = how.to_file();
    fs::write(&file, &wanted)
        .with_context(|| format!("write {}", file.display()))
        .map_err(|f| f.with_hint("is the lab up? (`lab up`)"))?;
    let applied = dir.join(format!("{host}.applied"));
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if fs::read_to_string(&applied).is_ok_and(|a| a == wanted) {
            return Ok(());
        }
        thread::sleep(Duration::from_millis(5));
    }
    Err(Failure::msg(format!(
        "the wire did not apply {how} to {host} within 5 s"
    ))
    .with_hint("is the lab up? (`lab up`)"))
}

/// The impairment `host` has now, in the lab of `prefix`.
pub fn impairment(prefix: &str, host: &str) -> Result<Impairment, Failure> {
    let file = settings_dir(prefix).join(host);
    let text = fs::read_to_string(&file)
        .with_context(|| format!("read {}", file.display()))
        .map_err(|f| f.with_hint("is the lab up? (`lab up`)"))?;
    Impairment::from_file(&text)
        .ok_or_else(|| Failure::msg(format!("{} is garbled", file.display())))
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
    namespaces().iter().any(|n| n.starts_with(prefix))
}

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
        if let Some(rest) = ns.strip_prefix("asock-probe") {
            // `asock-probe{pid}x{n}`: a namespace of its own.
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

/// The wire: pass each VXLAN datagram from one end of a cable to the other,
/// dropping or delaying it as the cable's host's impairment says. Runs in
/// the wire namespace until killed; prints `ready` once its sockets are
/// bound.
pub fn run_wire(prefix: &str) -> Result<(), Failure> {
    let nodes = ["h1", "h2", "h3", "h4", "r", "sw"];
    let mut sockets = Vec::new();
    for node in nodes {
        let addr =
            SocketAddr::from(([169, 254, underlay(node), 1], VXLAN_PORT));
        sockets.push(
            UdpSocket::bind(addr).with_context(|| format!("bind {addr}"))?,
        );
    }
    let sockets = Arc::new(sockets);
    let settings: Arc<Mutex<HashMap<&'static str, Impairment>>> =
        Arc::default();
    let (tx, rx) = mpsc::channel::<Pending>();

    // The settings, re-read whenever a file changes, confirmed to the lab
    // that wrote them.
    {
        let settings = Arc::clone(&settings);
        let dir = settings_dir(prefix);
        thread::spawn(move || {
            let mut seen: HashMap<&str, SystemTime> = HashMap::new();
            loop {
                for h in HOSTS {
                    let file = dir.join(h.name);
                    let Ok(modified) =
                        fs::metadata(&file).and_then(|m| m.modified())
                    else {
                        continue;
                    };
                    if seen.get(h.name) == Some(&modified) {
                        continue;
                    }
                    let Ok(text) = fs::read_to_string(&file) else {
                        continue;
                    };
                    if let Some(how) = Impairment::from_file(&text) {
                        settings
                            .lock()
                            .expect("not poisoned")
                            .insert(h.name, how);
                        let _ = fs::write(
                            dir.join(format!("{}.applied", h.name)),
                            &text,
                        );
                        seen.insert(h.name, modified);
                    }
                }
                thread::sleep(Duration::from_millis(10));
            }
        });
    }

    // One receiver per node: find the cable by the VXLAN id, decide the
    // frame's fate, and schedule it for the other end.
    for (i, node) in nodes.into_iter().enumerate() {
        let sockets = Arc::clone(&sockets);
        let settings = Arc::clone(&settings);
        let tx = tx.clone();
        thread::spawn(move || {
            let mut datagram = vec![0u8; 65536];
            loop {
                let Ok((n, _)) = sockets[i].recv_from(&mut datagram) else {
                    continue;
                };
                if n < 8 {
                    continue;
                }
                let vni = u32::from_be_bytes([
                    0,
                    datagram[4],
                    datagram[5],
                    datagram[6],
                ]);
                let Some(&(_, a, b)) = CABLES.iter().find(|c| c.0 == vni)
                else {
                    continue;
                };
                fix_checksums(&mut datagram[8..n]);
                let other = if a.0 == node { b.0 } else { a.0 };
                let how = settings
                    .lock()
                    .expect("not poisoned")
                    .get(a.0)
                    .copied()
                    .unwrap_or_default();
                if how.loss_percent > 0.0
                    && fastrand::f64() * 100.0 < how.loss_percent
                {
                    continue;
                }
                let to = nodes.iter().position(|n| *n == other).unwrap_or(0);
                let pending = Pending {
                    due: Instant::now() + how.delay,
                    seq: 0,
                    from: to,
                    to: SocketAddr::from((
                        [169, 254, underlay(other), 2],
                        VXLAN_PORT,
                    )),
                    bytes: datagram[..n].to_vec(),
                };
                if tx.send(pending).is_err() {
                    return;
                }
            }
        });
    }
    drop(tx);
    println!("ready");

    // The sender: every frame leaves at its due time, in order.
    let mut queue: BinaryHeap<Pending> = BinaryHeap::new();
    let mut seq = 0u64;
    loop {
        let wait = queue.peek().map_or(Duration::from_secs(1), |p| {
            p.due.saturating_duration_since(Instant::now())
        });
        match rx.recv_timeout(wait) {
            Ok(mut pending) => {
                seq += 1;
                pending.seq = seq;
                queue.push(pending);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
        }
        let now = Instant::now();
        while queue.peek().is_some_and(|p| p.due <= now) {
            if let Some(p) = queue.pop() {
                let _ = sockets[p.from].send_to(&p.bytes, p.to);
            }
        }
    }
}

/// Complete the TCP and UDP checksums of the frame's packet.
///
/// A sending kernel leaves them to the network card ("checksum offload"),
/// and a VXLAN interface passes that promise on; a frame that crosses a
/// program, as here, reaches the other end with the checksum never filled
/// in, and its TCP would drop every segment. So the wire fills it in, as
/// the card would. (`ethtool -K eth0 tx off` on every interface is the
/// other way, but ethtool is not everywhere.)
fn fix_checksums(frame: &mut [u8]) {
    if frame.len() < 14 {
        return;
    }
    let ethertype = u16::from_be_bytes([frame[12], frame[13]]);
    let packet = &mut frame[14..];
    let (pseudo, proto, l4) = match ethertype {
        0x0800 if packet.len() >= 20 => {
            let ihl = usize::from(packet[0] & 0x0F) * 4;
            let total = usize::from(u16::from_be_bytes([packet[2], packet[3]]));
            let fragmented =
                u16::from_be_bytes([packet[6], packet[7]]) & 0x3FFF != 0;
            if fragmented || ihl < 20 || total > packet.len() || total < ihl {
                return;
            }
            let proto = packet[9];
            let len = total - ihl;
            let mut pseudo = Vec::with_capacity(12);
            pseudo.extend_from_slice(&packet[12..20]);
            pseudo.extend_from_slice(&[0, proto]);
            pseudo.extend_from_slice(
                &u16::try_from(len).unwrap_or(0).to_be_bytes(),
            );
            (pseudo, proto, &mut packet[ihl..total])
        }
        0x86DD if packet.len() >= 40 => {
            let len = usize::from(u16::from_be_bytes([packet[4], packet[5]]));
            let proto = packet[6];
            if 40 + len > packet.len() {
                return;
            }
            let mut pseudo = Vec::with_capacity(40);
            pseudo.extend_from_slice(&packet[8..40]);
            pseudo.extend_from_slice(
                &u32::try_from(len).unwrap_or(0).to_be_bytes(),
            );
            pseudo.extend_from_slice(&[0, 0, 0, proto]);
            (pseudo, proto, &mut packet[40..40 + len])
        }
        _ => return,
    };
    let at = match proto {
        6 if l4.len() >= 20 => 16,
        17 if l4.len() >= 8 => 6,
        _ => return,
    };
    // UDP over IPv4 may go without a checksum (zero): leave it so.
    if proto == 17 && ethertype == 0x0800 && l4[at..at + 2] == [0, 0] {
        return;
    }
    l4[at] = 0;
    l4[at + 1] = 0;
    let mut sum: u32 = 0;
    for chunk in pseudo.chunks(2).chain(l4.chunks(2)) {
        let word =
            u16::from_be_bytes([chunk[0], chunk.get(1).copied().unwrap_or(0)]);
        sum += u32::from(word);
    }
    while sum > 0xFFFF {
        sum = (sum & 0xFFFF) + (sum >> 16);
    }
    let mut checksum = !(u16::try_from(sum).unwrap_or(0));
    if proto == 17 && checksum == 0 {
        checksum = 0xFFFF;
    }
    l4[at..at + 2].copy_from_slice(&checksum.to_be_bytes());
}

/// A frame waiting for its time.
struct Pending {
    due: Instant,
    seq: u64,
    /// The wire's socket on the receiving node's underlay.
    from: usize,
    to: SocketAddr,
    bytes: Vec<u8>,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        (self.due, self.seq) == (other.due, other.seq)
    }
}

impl Eq for Pending {}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Pending {
    /// Reversed, so that the heap's top is the earliest due.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.due, other.seq).cmp(&(self.due, self.seq))
    }
}
