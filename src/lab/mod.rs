//! The network lab (Linux only): a virtual LAN in network
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

//!
//! The modules, by concern: `topology` (the hosts, the router, the
//! cables), `netns` (namespaces, and the commands that build them), `wire`
//! (the program that carries, drops and delays frames, and the
//! impairments it applies), `checksum` (what the wire must repair).

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use common::{Context, Failure};

mod checksum;
mod netns;
mod topology;
mod wire;

pub use netns::{clear, exists, remove_leftovers, unavailable};
pub use topology::{HOSTS, Host, ROUTER, host};
pub use wire::{Impairment, impairment, run_wire, set_impairment};

use netns::{preflight, run};
use topology::{CABLES, NODES, underlay};
use wire::{VXLAN_PORT, settings_dir};

/// The prefix of the lab that `lab up` builds for a learner.
pub const LEARNER_PREFIX: &str = "asock-";

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
