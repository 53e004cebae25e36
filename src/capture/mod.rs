//! Pictures from the wire: capture what a pair sends on loopback, and
//! reduce it to a ladder (see [`ladder`]) that the book draws (see [`svg`]).
//!
//! The capture is `tcpdump -w -` (root or CAP_NET_RAW), read as it comes:
//! the pcap stream is a 24-byte header, then a 16-byte header per frame.
//! Two marker datagrams fence the capture, so that it neither starts late
//! nor stops early, without a sleep: a capture is ready when it has seen
//! the start marker, and has seen everything sent before the end marker
//! once it sees that one (loopback delivers in order, one queue per CPU,
//! and the end marker is sent after the exchange is over). Either marker
//! is sent again until one comes back, so one that the capture missed
//! costs a fraction of a second, not the run; none coming back is an
//! error with tcpdump's count of what the kernel dropped. In a namespace
//! of the network lab, where no marker can be sent from here, a capture
//! starts when tcpdump says it is listening, and ends when the wire has
//! been quiet for a while.

pub mod ladder;
pub mod svg;

use std::io::{self, BufRead, BufReader, Read};
use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use common::{Context, Failure};

/// One TCP segment or UDP datagram, as the capture saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Packet {
    /// When the kernel saw it, since the Unix epoch.
    pub at: Duration,
    /// The sending socket.
    pub src: SocketAddr,
    /// The receiving socket (for a broadcast, the broadcast address).
    pub dst: SocketAddr,
    /// What it carried.
    pub kind: Kind,
}

/// A TCP segment's header fields, or a UDP datagram's length.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A TCP segment: flags, absolute sequence and acknowledgment numbers,
    /// and payload length.
    Tcp {
        /// SYN, FIN, RST, PSH, ACK.
        flags: Flags,
        /// The sequence number, as sent.
        seq: u32,
        /// The acknowledgment number, as sent (meaningful with ACK).
        ack: u32,
        /// Payload bytes.
        len: usize,
    },
    /// A UDP datagram of `len` payload bytes.
    Udp {
        /// Payload bytes.
        len: usize,
    },
    /// A multicast group message: a host saying it joined or left a
    /// group, or a router asking who is in one (IGMP for IPv4, MLD for
    /// IPv6, which rides in ICMPv6).
    Group {
        /// What it says.
        what: Group,
        /// Of which group (the first record's, in a v3 or MLDv2 report;
        /// `None` for a general query).
        group: Option<IpAddr>,
    },
}

/// An IGMP or MLD message, by what it says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// "I am in this group" (a membership report).
    Report,
    /// "I left" (IGMP's leave, MLD's done).
    Leave,
    /// "Who is in this group?"
    Query,
}

impl Group {
    /// The ladder's word for it.
    pub fn word(self) -> &'static str {
        match self {
            Group::Report => "report",
            Group::Leave => "leave",
            Group::Query => "query",
        }
    }

    /// IGMP's types (RFC 3376 and earlier), MLD's (RFC 3810, 2710).
    fn of_igmp(t: u8) -> Option<Group> {
        match t {
            0x12 | 0x16 | 0x22 => Some(Group::Report),
            0x17 => Some(Group::Leave),
            0x11 => Some(Group::Query),
            _ => None,
        }
    }

    fn of_mld(t: u8) -> Option<Group> {
        match t {
            131 | 143 => Some(Group::Report),
            132 => Some(Group::Leave),
            130 => Some(Group::Query),
            _ => None,
        }
    }
}

/// The TCP flags a ladder shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flags {
    /// Synchronize: opens a direction.
    pub syn: bool,
    /// Finish: "I will send no more".
    pub fin: bool,
    /// Reset: the connection is over, now.
    pub rst: bool,
    /// Push: deliver now (set on the last segment of a write).
    pub psh: bool,
    /// The acknowledgment number is valid.
    pub ack: bool,
}

impl Flags {
    /// tcpdump's spelling: `S`, `F`, `R`, `P`, then `.` for ACK, as in
    /// `[S.]` or `[F.]`.
    pub fn tcpdump(self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.syn, 'S'),
            (self.fin, 'F'),
            (self.rst, 'R'),
            (self.psh, 'P'),
            (self.ack, '.'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }

    /// The inverse of [`Flags::tcpdump`].
    pub fn parse(s: &str) -> Option<Flags> {
        let mut f = Flags::default();
        for c in s.chars() {
            let bit = match c {
                'S' => &mut f.syn,
                'F' => &mut f.fin,
                'R' => &mut f.rst,
                'P' => &mut f.psh,
                '.' => &mut f.ack,
                _ => return None,
            };
            *bit = true;
        }
        Some(f)
    }
}

/// Parse one Ethernet frame (tcpdump's link type on Linux's `lo`) into a
/// packet; `None` for anything that is not TCP, UDP or a group message
/// (its "port" is 0) over IP.
pub fn parse_frame(at: Duration, frame: &[u8]) -> Option<Packet> {
    use etherparse::{NetSlice, SlicedPacket, TransportSlice};
    let sliced = SlicedPacket::from_ethernet(frame).ok()?;
    let (src_ip, dst_ip): (IpAddr, IpAddr) = match sliced.net? {
        NetSlice::Ipv4(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Ipv6(ip) => (
            ip.header().source_addr().into(),
            ip.header().destination_addr().into(),
        ),
        NetSlice::Arp(_) => return None,
    };
    let (sport, dport, kind) = match sliced.transport? {
        TransportSlice::Tcp(tcp) => (
            tcp.source_port(),
            tcp.destination_port(),
            Kind::Tcp {
                flags: Flags {
                    syn: tcp.syn(),
                    fin: tcp.fin(),
                    rst: tcp.rst(),
                    psh: tcp.psh(),
                    ack: tcp.ack(),
                },
                seq: tcp.sequence_number(),
                ack: tcp.acknowledgment_number(),
                len: tcp.payload().len(),
            },
        ),
        TransportSlice::Udp(udp) => (
            udp.source_port(),
            udp.destination_port(),
            Kind::Udp {
                len: udp.payload().len(),
            },
        ),
        TransportSlice::Igmp(igmp) => {
            let (t, bytes) = (igmp.type_u8(), igmp.slice());
            // A v3 report's first record holds its group at 12..16; the
            // older messages have theirs at 4..8.
            let at = if t == 0x22 { 12 } else { 4 };
            let group = bytes
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(IpAddr::from)
                .filter(|g| !g.is_unspecified());
            let what = Group::of_igmp(t)?;
            (0, 0, Kind::Group { what, group })
        }
        TransportSlice::Icmpv6(icmp) => {
            let (t, bytes) = (icmp.type_u8(), icmp.slice());
            // MLDv2's first record holds its group at 12..28; MLDv1's
            // message has it at 8..24.
            let at = if t == 143 { 12 } else { 8 };
            let group = bytes
                .get(at..at + 16)
                .and_then(|b| <[u8; 16]>::try_from(b).ok())
                .map(IpAddr::from)
                .filter(|g| !g.is_unspecified());
            let what = Group::of_mld(t)?;
            (0, 0, Kind::Group { what, group })
        }
        _ => return None,
    };
    Some(Packet {
        at,
        src: SocketAddr::new(src_ip, sport),
        dst: SocketAddr::new(dst_ip, dport),
        kind,
    })
}

/// Read a pcap stream (as `tcpdump -w -` writes it), calling `each` with
/// every frame's time and bytes, until the stream ends or `each` says stop.
pub fn read_pcap(
    mut input: impl Read,
    mut each: impl FnMut(Duration, &[u8]) -> bool,
) -> io::Result<()> {
    let mut header = [0u8; 24];
    input.read_exact(&mut header)?;
    let magic =
        u32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    // The writer's byte order and time unit, told by the magic number.
    let (little, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        _ => return Err(io::Error::other("not a pcap stream")),
    };
    let word = |b: &[u8]| {
        let b = [b[0], b[1], b[2], b[3]];
        if little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        }
    };
    const ETHERNET: u32 = 1;
    let link = word(&header[20..24]);
    if link != ETHERNET {
        return Err(io::Error::other(format!(
            "link type {link}, not Ethernet: capture on lo or an Ethernet link"
        )));
    }
    let mut record = [0u8; 16];
    let mut frame = Vec::new();
    loop {
        match input.read_exact(&mut record) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(()),
            Err(e) => return Err(e),
        }
        let secs = u64::from(word(&record[0..4]));
        let frac = word(&record[4..8]);
        let at = Duration::from_secs(secs)
            + if nanos {
                Duration::from_nanos(frac.into())
            } else {
                Duration::from_micros(frac.into())
            };
        // tcpdump's snapshot length bounds this (262,144 by default).
        let captured = word(&record[8..12]) as usize;
        if captured > 1 << 20 {
            return Err(io::Error::other("a pcap record over 1 MiB"));
        }
        frame.resize(captured, 0);
        input.read_exact(&mut frame)?;
        if !each(at, &frame) {
            return Ok(());
        }
    }
}

/// What a capture delivers, in the order tcpdump wrote it.
#[derive(Debug)]
pub enum Seen {
    /// A packet of the exchange.
    Packet(Packet),
    /// End marker number `n`: everything sent before it has been seen.
    End(u32),
}

/// A running capture: on loopback, fenced by markers; in a namespace of
/// the network lab, of what arrives at one interface.
pub struct Capture {
    tcpdump: Child,
    /// The marker socket, on loopback; `None` in a namespace, where the
    /// capture starts at tcpdump's word and ends when the wire is quiet.
    marker: Option<UdpSocket>,
    ends_sent: u32,
    seen: Receiver<Seen>,
    /// tcpdump's stderr, line by line, and what of it was read already.
    errors: Receiver<String>,
    said: Vec<String>,
}

/// The start marker's payload; end markers carry `end N`.
const START: &[u8] = b"start";

impl Capture {
    /// Capture TCP and UDP on `lo` to or from `port` (tcpdump needs root
    /// or CAP_NET_RAW). Returns once the capture is known to be running.
    pub fn loopback(port: u16) -> Result<Capture, Failure> {
        Capture::loopback_matching(&format!("port {port}"))
    }

    /// Capture what tcpdump's `filter` matches on `lo` (as
    /// `udp and dst host 127.255.255.255`, for a capture that must start
    /// before the port is known).
    pub fn loopback_matching(filter: &str) -> Result<Capture, Failure> {
        // Marker datagrams go from this socket to itself: nothing else
        // listens on its port, and nothing leaves loopback.
        let marker =
            UdpSocket::bind("127.0.0.1:0").context("bind the marker socket")?;
        let mark = marker.local_addr().context("the marker's address")?;
        let filter = format!("({filter}) or (udp and port {})", mark.port());
        let mut tcpdump = Command::new("tcpdump");
        tcpdump.args(["-i", "lo"]).arg(&filter);
        let mut capture = Capture::spawn(tcpdump, Some(marker))?;
        capture.wait_started()?;
        Ok(capture)
    }

    /// Capture what arrives at `iface` (`-Q in`: not what this host
    /// sends) and matches `filter`, with `tcpdump` run as `prefix` says:
    /// `ip netns exec NS tcpdump` for a host of the network lab, say.
    /// Returns once tcpdump says it is listening; a capture without
    /// markers ends with [`Capture::finish_when_quiet`].
    pub fn incoming(
        mut prefix: Command,
        iface: &str,
        filter: &str,
    ) -> Result<Capture, Failure> {
        // -p: not promiscuous, so what the card would not take is not seen.
        prefix.args(["-i", iface, "-p", "-Q", "in", filter]);
        let mut capture = Capture::spawn(prefix, None)?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match capture.errors.recv_timeout(left) {
                Ok(line) if line.contains("listening on") => {
                    return Ok(capture);
                }
                Ok(line) => capture.said.push(line),
                Err(_) => return Err(capture.failed()),
            }
        }
    }

    /// Start `tcpdump` (given its interface and filter) writing pcap to
    /// its stdout, and a thread that parses it. With a marker socket,
    /// nothing before the start marker is reported.
    fn spawn(
        mut command: Command,
        marker: Option<UdpSocket>,
    ) -> Result<Capture, Failure> {
        let mark = match &marker {
            Some(m) => Some(m.local_addr().context("the marker's address")?),
            None => None,
        };
        let mut tcpdump = command
            // -U: write each packet as it comes; --immediate-mode: the
            // kernel hands it over at once, not a buffer's worth later.
            .args(["-n", "-U", "--immediate-mode", "-w", "-"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                Failure::msg(if e.kind() == io::ErrorKind::NotFound {
                    "tcpdump is not installed (Debian: apt-get install tcpdump)"
                        .to_owned()
                } else {
                    format!("cannot start tcpdump: {e}")
                })
            })?;
        let (Some(stdout), Some(stderr)) =
            (tcpdump.stdout.take(), tcpdump.stderr.take())
        else {
            return Err(Failure::msg("tcpdump's output is not piped"));
        };
        // tcpdump's own words: its ready line, or why it stopped.
        let (err_tx, errors) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if err_tx.send(line).is_err() {
                    break;
                }
            }
        });
        let (tx, seen) = mpsc::channel();
        thread::spawn(move || {
            // Packets seen before the start marker are not reported: the
            // capture may have begun in the middle of something.
            let mut started = mark.is_none();
            let _ = read_pcap(stdout, |at, frame| {
                let Some(packet) = parse_frame(at, frame) else {
                    return true;
                };
                if mark.is_none_or(|m| packet.src != m || packet.dst != m) {
                    return !started || tx.send(Seen::Packet(packet)).is_ok();
                }
                // On lo a datagram's payload ends the frame (no padding).
                let Kind::Udp { len } = packet.kind else {
                    return true;
                };
                let payload = &frame[frame.len().saturating_sub(len)..];
                if payload == START {
                    started = true;
                    return true;
                }
                let n = std::str::from_utf8(payload)
                    .ok()
                    .and_then(|p| p.strip_prefix("end "))
                    .and_then(|n| n.parse().ok());
                match n {
                    Some(n) if started => tx.send(Seen::End(n)).is_ok(),
                    _ => true,
                }
            });
        });
        Ok(Capture {
            tcpdump,
            marker,
            ends_sent: 0,
            seen,
            errors,
            said: Vec::new(),
        })
    }

    /// Send a start marker and an end marker until an end marker comes
    /// back: then tcpdump is capturing. Packets before it are dropped.
    fn wait_started(&mut self) -> Result<(), Failure> {
        let Some(marker) = &self.marker else {
            return Ok(());
        };
        let mark = marker.local_addr().context("the marker's address")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(marker) = &self.marker {
                marker
                    .send_to(START, mark)
                    .context("send the start marker")?;
            }
            let n = self.end()?;
            loop {
                match self.seen.recv_timeout(Duration::from_millis(100)) {
                    Ok(Seen::End(m)) if m == n => return Ok(()),
                    Ok(_) => continue,
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => {
                        return Err(self.failed());
                    }
                }
            }
            if Instant::now() > deadline
                || matches!(self.tcpdump.try_wait(), Ok(Some(_)))
            {
                return Err(self.failed());
            }
        }
    }

    /// The next packet, or an end marker, waiting at most `timeout`
    /// (`Ok(None)`: nothing came); an error once tcpdump has stopped.
    pub fn next(&mut self, timeout: Duration) -> Result<Option<Seen>, Failure> {
        match self.seen.recv_timeout(timeout) {
            Ok(seen) => Ok(Some(seen)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(self.failed()),
        }
    }

    /// Fence the capture with an end marker, and return every packet seen
    /// since the start, in capture order.
    pub fn finish(self) -> Result<Vec<Packet>, Failure> {
        self.finish_when_quiet(Duration::ZERO)
    }

    /// As [`Capture::finish`], once no packet has come for `quiet`: for a
    /// peer whose last word is a delayed ACK (up to 40 ms on Linux, and
    /// more under load), with nothing to wait for that says it was sent.
    pub fn finish_when_quiet(
        mut self,
        quiet: Duration,
    ) -> Result<Vec<Packet>, Failure> {
        let mut packets = Vec::new();
        if !quiet.is_zero() {
            let deadline = Instant::now() + Duration::from_secs(10);
            while let Ok(Seen::Packet(p)) = self.seen.recv_timeout(quiet) {
                packets.push(p);
                if Instant::now() > deadline {
                    return Err(Failure::msg("the capture never went quiet"));
                }
            }
        }
        if self.marker.is_none() {
            if quiet.is_zero() {
                return Err(Failure::msg(
                    "a capture without markers ends when quiet",
                ));
            }
            return Ok(packets);
        }
        // An end marker is sent again every 250 ms until one comes back:
        // any of them proves everything sent before the first was seen.
        let first = self.end()?;
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.seen.recv_timeout(Duration::from_millis(250)) {
                Ok(Seen::Packet(p)) => packets.push(p),
                Ok(Seen::End(m)) if m >= first => return Ok(packets),
                Ok(Seen::End(_)) => {}
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(self.failed());
                }
                Err(RecvTimeoutError::Timeout) if Instant::now() > deadline => {
                    let sent = self.ends_sent - first + 1;
                    return Err(self.lost(&format!(
                        "none of {sent} end markers came back within 10 s"
                    )));
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.end()?;
                }
            }
        }
    }

    /// Send an end marker, and return its number: once [`Seen::End`] with
    /// that number comes, everything sent before is seen.
    pub fn end(&mut self) -> Result<u32, Failure> {
        let Some(marker) = &self.marker else {
            return Err(Failure::msg(
                "a capture without markers has no end marker",
            ));
        };
        let mark = marker.local_addr().context("the marker's address")?;
        self.ends_sent += 1;
        let payload = format!("end {}", self.ends_sent);
        marker
            .send_to(payload.as_bytes(), mark)
            .context("send the end marker")?;
        Ok(self.ends_sent)
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        let _ = self.tcpdump.kill();
        let _ = self.tcpdump.wait();
    }
}

impl Capture {
    /// A capture that fell behind or lost packets (`what`), with tcpdump's
    /// counts: stopped with SIGINT, it says how many the kernel dropped.
    fn lost(&mut self, what: &str) -> Failure {
        let _ = Command::new("kill")
            .args(["-INT", &self.tcpdump.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(2);
        while let Ok(line) = self
            .errors
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.said.push(line);
        }
        let said: Vec<&str> = self
            .said
            .iter()
            .map(String::as_str)
            .filter(|l| l.contains("packets"))
            .collect();
        Failure::msg(format!(
            "the capture fell behind or lost packets: {what}; tcpdump counted: {}",
            said.join(", ")
        ))
    }

    /// Why tcpdump stopped (or never started capturing), in its words,
    /// with the usual cause named.
    fn failed(&mut self) -> Failure {
        let _ = self.tcpdump.kill();
        let _ = self.tcpdump.wait();
        // Its stderr closes as it exits: every line is in by then.
        while let Ok(line) = self.errors.recv_timeout(Duration::from_secs(1)) {
            self.said.push(line);
        }
        let said = self.said.join("; ");
        if said.contains("ermission") || said.contains("not permitted") {
            Failure::msg(format!(
                "capturing needs root or CAP_NET_RAW (try sudo): tcpdump said: {said}"
            ))
        } else {
            Failure::msg(format!("tcpdump did not start capturing: {said}"))
        }
    }
}

#[cfg(test)]
mod tests {
    //! The pcap reader and the frame parser, on frames built here: what
    //! the figures' tests rely on, checked without root.
    use super::*;
    use etherparse::{
        EtherType, Ethernet2Header, IpNumber, Ipv4Header, PacketBuilder,
    };

    const MAC: [u8; 6] = [0; 6];

    /// A pcap stream of `frames`, as a writer of this byte order and time
    /// unit would write it, with link type `link`.
    fn pcap(
        little: bool,
        nanos: bool,
        link: u32,
        frames: &[(Duration, Vec<u8>)],
    ) -> Vec<u8> {
        let word = |w: u32| {
            if little {
                w.to_le_bytes()
            } else {
                w.to_be_bytes()
            }
        };
        let half = |h: u16| {
            if little {
                h.to_le_bytes()
            } else {
                h.to_be_bytes()
            }
        };
        let mut out = Vec::new();
        out.extend(word(if nanos { 0xa1b2_3c4d } else { 0xa1b2_c3d4 }));
        out.extend(half(2));
        out.extend(half(4));
        out.extend([0; 8]); // time zone, accuracy
        out.extend(word(262_144));
        out.extend(word(link));
        for (at, frame) in frames {
            let frac = if nanos {
                at.subsec_nanos()
            } else {
                at.subsec_micros()
            };
            let secs = u32::try_from(at.as_secs()).unwrap();
            let len = u32::try_from(frame.len()).unwrap();
            for w in [secs, frac, len, len] {
                out.extend(word(w));
            }
            out.extend(frame);
        }
        out
    }

    fn read_all(stream: &[u8]) -> io::Result<Vec<(Duration, Vec<u8>)>> {
        let mut frames = Vec::new();
        read_pcap(stream, |at, f| {
            frames.push((at, f.to_vec()));
            true
        })?;
        Ok(frames)
    }

    fn tcp_syn_ack() -> Vec<u8> {
        let mut out = Vec::new();
        PacketBuilder::ethernet2(MAC, MAC)
            .ipv4([127, 0, 0, 1], [127, 0, 0, 1], 64)
            .tcp(7101, 40000, 1000, 65535)
            .syn()
            .ack(2001)
            .write(&mut out, &[])
            .unwrap();
        out
    }

    fn udp6(payload: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let lo = std::net::Ipv6Addr::LOCALHOST.octets();
        PacketBuilder::ethernet2(MAC, MAC)
            .ipv6(lo, lo, 64)
            .udp(40000, 7104)
            .write(&mut out, payload)
            .unwrap();
        out
    }

    /// An IGMP message (`body`: type, code, checksum, the rest) to `dst`.
    fn igmp(dst: [u8; 4], body: &[u8]) -> Vec<u8> {
        let len = u16::try_from(body.len()).unwrap();
        let mut out = Vec::new();
        Ethernet2Header {
            source: MAC,
            destination: MAC,
            ether_type: EtherType::IPV4,
        }
        .write(&mut out)
        .unwrap();
        Ipv4Header::new(len, 1, IpNumber::IGMP, [10, 0, 0, 2], dst)
            .unwrap()
            .write(&mut out)
            .unwrap();
        out.extend(body);
        out
    }

    /// An MLD message of ICMPv6 type `t`, its bytes after the first eight.
    fn mld(t: u8, word: [u8; 4], rest: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let src = "fe80::2".parse::<std::net::Ipv6Addr>().unwrap().octets();
        let dst = "ff02::16".parse::<std::net::Ipv6Addr>().unwrap().octets();
        PacketBuilder::ethernet2(MAC, MAC)
            .ipv6(src, dst, 1)
            .icmpv6_raw(t, 0, word)
            .write(&mut out, rest)
            .unwrap();
        out
    }

    #[test]
    fn a_pcap_stream_reads_back_in_either_byte_order_and_time_unit() {
        let frames = vec![
            (Duration::new(1_700_000_000, 123_456_000), tcp_syn_ack()),
            (Duration::new(1_700_000_001, 7_000), udp6(b"QUERY")),
        ];
        for little in [true, false] {
            for nanos in [true, false] {
                let read = read_all(&pcap(little, nanos, 1, &frames)).unwrap();
                assert_eq!(
                    read, frames,
                    "little-endian {little}, nanoseconds {nanos}"
                );
            }
        }
        // `each` saying stop ends the reading after that frame.
        let mut seen = 0;
        read_pcap(&pcap(true, false, 1, &frames)[..], |_, _| {
            seen += 1;
            false
        })
        .unwrap();
        assert_eq!(seen, 1);
    }

    #[test]
    fn a_stream_that_is_not_an_ethernet_pcap_is_refused_not_misread() {
        let frames = [(Duration::ZERO, tcp_syn_ack())];
        let mut not_pcap = pcap(true, false, 1, &frames);
        not_pcap[0] ^= 0xff;
        let e = read_all(&not_pcap).unwrap_err();
        assert!(e.to_string().contains("not a pcap stream"), "{e}");

        // Linux's "cooked" link type (113), as `tcpdump -i any` writes.
        let e = read_all(&pcap(true, false, 113, &frames)).unwrap_err();
        assert!(e.to_string().contains("link type 113"), "{e}");

        // A record claiming over 1 MiB is refused before any allocation.
        let mut huge = pcap(true, false, 1, &[]);
        huge.extend([0; 8]);
        huge.extend((2u32 << 20).to_le_bytes());
        huge.extend((2u32 << 20).to_le_bytes());
        let e = read_all(&huge).unwrap_err();
        assert!(e.to_string().contains("over 1 MiB"), "{e}");

        // A frame cut short (tcpdump killed mid-write) is an error; a
        // stream ending between records is the end.
        let whole = pcap(true, false, 1, &frames);
        let e = read_all(&whole[..whole.len() - 3]).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(read_all(&pcap(true, false, 1, &[])).unwrap(), vec![]);
    }

    #[test]
    fn frames_become_segments_datagrams_and_group_messages() {
        let at = Duration::from_secs(1);
        let p = parse_frame(at, &tcp_syn_ack()).unwrap();
        assert_eq!(p.src, "127.0.0.1:7101".parse().unwrap());
        assert_eq!(p.dst, "127.0.0.1:40000".parse().unwrap());
        let Kind::Tcp {
            flags,
            seq,
            ack,
            len,
        } = p.kind
        else {
            panic!("not TCP: {p:?}");
        };
        assert_eq!(
            (flags.tcpdump().as_str(), seq, ack, len),
            ("S.", 1000, 2001, 0)
        );

        let p = parse_frame(at, &udp6(b"QUERY")).unwrap();
        assert_eq!(p.dst, "[::1]:7104".parse().unwrap());
        assert_eq!(p.kind, Kind::Udp { len: 5 });

        let group =
            |frame: Vec<u8>| match parse_frame(at, &frame).map(|p| p.kind) {
                Some(Kind::Group { what, group }) => {
                    Some((what, group.map(|g| g.to_string())))
                }
                other => panic!("not a group message: {other:?}"),
            };
        let g = Some("239.1.2.3".to_owned());
        // IGMPv2: a report and a leave name their group at 4..8.
        let v2 = |t: u8| igmp([239, 1, 2, 3], &[t, 0, 0, 0, 239, 1, 2, 3]);
        assert_eq!(group(v2(0x16)), Some((Group::Report, g.clone())));
        assert_eq!(group(v2(0x17)), Some((Group::Leave, g.clone())));
        // IGMPv3: the first record's group, at 12..16.
        let v3 = [0x22, 0, 0, 0, 0, 0, 0, 1, 4, 0, 0, 0, 239, 1, 2, 3];
        assert_eq!(group(igmp([224, 0, 0, 22], &v3)), Some((Group::Report, g)));
        // A general query asks of no group.
        let query = [0x11, 100, 0, 0, 0, 0, 0, 0];
        assert_eq!(
            group(igmp([224, 0, 0, 1], &query)),
            Some((Group::Query, None))
        );

        // MLDv2: the first record's group, at 12..28 of the ICMPv6 message.
        let mut record = vec![4, 0, 0, 0];
        record.extend(
            "ff02::7104".parse::<std::net::Ipv6Addr>().unwrap().octets(),
        );
        let report = group(mld(143, [0, 0, 0, 1], &record));
        assert_eq!(
            report,
            Some((Group::Report, Some("ff02::7104".to_owned())))
        );
        // MLDv1's general query: its group (at 8..24) is ::.
        let query = group(mld(130, [0, 100, 0, 0], &[0; 16]));
        assert_eq!(query, Some((Group::Query, None)));

        // Anything else (an ICMPv6 echo, a truncated frame) is no packet.
        assert_eq!(parse_frame(at, &mld(128, [0, 1, 0, 1], b"ping")), None);
        assert_eq!(parse_frame(at, &tcp_syn_ack()[..20]), None);
    }
}
