//! The wire: a program in a namespace of its own that carries every
//! Ethernet frame of the lab, inside VXLAN datagrams, from one end of a
//! cable to the other, dropping or delaying it as the cable's impairment
//! says; and the impairments, which the lab writes to files it reads.

use std::collections::{BinaryHeap, HashMap};
use std::fmt;
use std::fs;
use std::net::SocketAddr;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use common::{Context, Failure};

use super::checksum::fix_checksums;
use super::topology::{CABLES, HOSTS, underlay};

/// Where the wire reads each host's impairment from.
const SETTINGS_ROOT: &str = "/run/advanced-sockets-lab";

/// The UDP port of every VXLAN endpoint (the IANA-assigned one).
pub(super) const VXLAN_PORT: u16 = 4789;

/// The length of a VXLAN header, before the Ethernet frame it carries.
const VXLAN_HEADER: usize = 8;

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

    pub(super) fn to_file(self) -> String {
        format!(
            "loss {} delay_us {}\n",
            self.loss_percent,
            self.delay.as_micros()
        )
    }

    pub(super) fn from_file(text: &str) -> Option<Impairment> {
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
            format!("{} delay", common::fmt_duration(self.delay))
        };
        write!(f, "{}% loss, {delay}, each way", self.loss_percent)
    }
}

pub(super) fn settings_dir(prefix: &str) -> PathBuf {
    Path::new(SETTINGS_ROOT).join(prefix.trim_end_matches('-'))
}

/// Set `host`'s impairment in the lab of `prefix`, and wait (at most 5 s)
/// for the wire to confirm it.
pub fn set_impairment(
    prefix: &str,
    host: &str,
    how: Impairment,
) -> Result<(), Failure> {
    super::host(host)?;
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
                if n < VXLAN_HEADER {
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
                fix_checksums(&mut datagram[VXLAN_HEADER..n]);
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
