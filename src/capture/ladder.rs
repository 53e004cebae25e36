//! A ladder: the packets of one exchange, reduced to what a reader should
//! see (who sent what to whom, the TCP flags, relative sequence numbers,
//! lengths) with each side's TCP state where it changes and the calls that
//! caused a segment beside it. Ports, addresses and absolute times are left
//! out, so that two captures of the same exchange give the same ladder.
//!
//! Its text form, one file per figure of the book, diffs well:
//!
//! ```text
//! # The half-close (comment lines describe the figure).
//! figure half-close
//! hosts client server
//! client > server [P.] seq=1 ack=1 len=22
//!   client call write_all(22 bytes)
//! client > server [F.] seq=23 ack=1 len=0
//!   client state FIN-WAIT-1
//!   server state CLOSE-WAIT
//! ```
//!
//! A datagram's row is `udp len=N`; a group message's, `mld report` (or
//! `igmp`, and `leave`, `query`).
//!
//! A figure whose point is timing adds `timed R% Nms` after `hosts`, and
//! `at=` times (milliseconds since the first packet) to every row; a fresh
//! capture matches when each gap between rows is within R% or N ms of the
//! committed one.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;

use super::{Flags, Group, Kind, Packet};

/// One figure's packets, reduced.
#[derive(Clone, Debug, PartialEq)]
pub struct Ladder {
    /// What the figure shows, for a reader of the file (comment lines).
    pub about: Vec<String>,
    /// The figure's name, as in `half-close`.
    pub name: String,
    /// The columns, left to right.
    pub hosts: Vec<String>,
    /// Whether times are part of the figure, and how close they must be.
    pub timing: Option<Timing>,
    /// One per packet, in capture order.
    pub rows: Vec<Row>,
}

/// How close a fresh capture's gaps between rows must be to the ladder's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Relative tolerance, in percent of the committed gap.
    pub percent: u32,
    /// Absolute tolerance, in milliseconds (the larger of the two holds).
    pub ms: u32,
}

/// One segment or datagram.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Milliseconds since the first packet of the figure.
    pub at_ms: f64,
    /// Index of the sender in [`Ladder::hosts`].
    pub from: usize,
    /// Index of the receiver.
    pub to: usize,
    /// What was sent.
    pub what: What,
    /// Calls and state changes beside this row.
    pub notes: Vec<Note>,
}

/// A row's packet.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum What {
    /// A TCP segment, sequence numbers relative to each side's first.
    Tcp {
        /// Its flags.
        flags: Flags,
        /// Relative sequence number (the SYN takes 0).
        seq: u32,
        /// Relative acknowledgment number, when ACK is set.
        ack: Option<u32>,
        /// Payload bytes.
        len: usize,
    },
    /// A UDP datagram.
    Udp {
        /// Payload bytes.
        len: usize,
    },
    /// An IGMP (`v6: false`) or MLD message.
    Group {
        /// MLD, over IPv6, or IGMP.
        v6: bool,
        /// What it says.
        what: Group,
    },
}

impl What {
    /// The matcher spelling of a row: TCP flags as tcpdump writes them, or
    /// `udp`.
    pub fn label(&self) -> String {
        match self {
            What::Tcp { flags, .. } => flags.tcpdump(),
            What::Udp { .. } => "udp".to_owned(),
            What::Group { v6, .. } => Self::protocol(*v6).to_owned(),
        }
    }

    fn protocol(v6: bool) -> &'static str {
        if v6 { "mld" } else { "igmp" }
    }

    /// A short caption: `[P.] 22 bytes` or `[F.]` or `udp 5 bytes`.
    pub fn caption(&self) -> String {
        match *self {
            What::Tcp { flags, len, .. } if len > 0 => {
                format!("[{}] {len} bytes", flags.tcpdump())
            }
            What::Tcp { flags, .. } => format!("[{}]", flags.tcpdump()),
            What::Udp { len } => format!("udp {len} bytes"),
            What::Group { v6, what } => {
                format!("{} {}", Self::protocol(v6).to_uppercase(), what.word())
            }
        }
    }

    /// Sequence and acknowledgment numbers, as `seq 1 ack 23`.
    pub fn numbers(&self) -> String {
        match *self {
            What::Tcp { seq, ack, .. } => match ack {
                Some(ack) => format!("seq {seq} ack {ack}"),
                None => format!("seq {seq}"),
            },
            What::Udp { .. } | What::Group { .. } => String::new(),
        }
    }
}

/// A line beside a row, at one host's column.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Index of the host in [`Ladder::hosts`].
    pub host: usize,
    /// A call or a state.
    pub kind: NoteKind,
    /// Its text.
    pub text: String,
}

/// What a note says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteKind {
    /// The system call (or the program's step) behind the row.
    Call,
    /// The TCP state the host's socket enters with this row.
    State,
}

/// A call to write beside the first row that matches, at or after the row
/// the previous call was put on: `sender` sent it, and its flags include
/// every one of `flags` (`udp` for a datagram, `""` for any row; `=.`:
/// exactly these, a pure ACK). The same call again (sender, flags and
/// host) goes on the next such row.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// Who sent the row (`h1>r`: sent by h1 to r).
    pub sender: &'static str,
    /// The flags it must carry.
    pub flags: &'static str,
    /// Beside which host the call is written.
    pub host: &'static str,
    /// The call.
    pub text: &'static str,
}

impl Call {
    /// `host` made call `text` around the row `sender` sent with `flags`.
    pub const fn new(
        sender: &'static str,
        flags: &'static str,
        host: &'static str,
        text: &'static str,
    ) -> Call {
        Call {
            sender,
            flags,
            host,
            text,
        }
    }
}

/// What the reduction needs to know about a figure.
pub struct Spec<'a> {
    /// Comment lines for the file.
    pub about: &'a [&'a str],
    /// The figure's name.
    pub name: &'a str,
    /// The columns.
    pub hosts: &'a [&'a str],
    /// Which column a socket address belongs to (`None`: leave it out).
    pub host_of: &'a dyn Fn(SocketAddr) -> Option<usize>,
    /// Whether times are part of the figure.
    pub timing: Option<Timing>,
    /// The calls to write beside the rows.
    pub calls: &'a [Call],
}

/// The TCP states a ladder names (RFC 9293, 3.3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    Closing,
    TimeWait,
    CloseWait,
    LastAck,
    Closed,
}

impl State {
    fn name(self) -> &'static str {
        match self {
            State::SynSent => "SYN-SENT",
            State::SynReceived => "SYN-RECEIVED",
            State::Established => "ESTABLISHED",
            State::FinWait1 => "FIN-WAIT-1",
            State::FinWait2 => "FIN-WAIT-2",
            State::Closing => "CLOSING",
            State::TimeWait => "TIME-WAIT",
            State::CloseWait => "CLOSE-WAIT",
            State::LastAck => "LAST-ACK",
            State::Closed => "CLOSED",
        }
    }
}

/// One end of a connection, as (local, remote).
type End = (SocketAddr, SocketAddr);

/// Each end's state, as the segments it sent and received imply.
#[derive(Default)]
struct Tracker {
    state: HashMap<End, State>,
    /// The relative sequence number of each end's FIN, once sent.
    fin: HashMap<End, u32>,
}

impl Tracker {
    /// The states the sender and the receiver are in after this segment,
    /// where they change.
    fn segment(
        &mut self,
        s: End,
        flags: Flags,
        seq: u32,
        ack: Option<u32>,
        len: usize,
    ) -> [Option<State>; 2] {
        let r = (s.1, s.0);
        let before = [self.state.get(&s).copied(), self.state.get(&r).copied()];
        let set = |t: &mut Tracker, end: End, st: State| {
            t.state.insert(end, st);
        };
        if flags.rst {
            // An RST ends both ends at once; an end that never had a
            // socket (a closed port) gets no state.
            for end in [s, r] {
                if self.state.contains_key(&end) {
                    set(self, end, State::Closed);
                }
            }
        } else if flags.syn && !flags.ack {
            set(self, s, State::SynSent);
        } else if flags.syn {
            set(self, s, State::SynReceived);
            if self.state.get(&r) == Some(&State::SynSent) {
                set(self, r, State::Established);
            }
        } else {
            // What the acknowledgment tells the receiver.
            if let Some(ack) = ack {
                let fin_acked = self.fin.get(&r).is_some_and(|&f| ack > f);
                let next = match self.state.get(&r) {
                    Some(State::SynReceived) => Some(State::Established),
                    Some(State::FinWait1) if fin_acked => Some(State::FinWait2),
                    Some(State::Closing) if fin_acked => Some(State::TimeWait),
                    Some(State::LastAck) if fin_acked => Some(State::Closed),
                    _ => None,
                };
                if let Some(next) = next {
                    set(self, r, next);
                }
            }
            if flags.fin {
                self.fin.insert(s, seq.wrapping_add(len as u32));
                let next = match self.state.get(&s) {
                    Some(State::CloseWait) => State::LastAck,
                    _ => State::FinWait1,
                };
                set(self, s, next);
                let next = match self.state.get(&r) {
                    Some(State::FinWait1) => Some(State::Closing),
                    Some(State::FinWait2) => Some(State::TimeWait),
                    Some(State::Established) => Some(State::CloseWait),
                    _ => None,
                };
                if let Some(next) = next {
                    set(self, r, next);
                }
            }
        }
        let after = [self.state.get(&s).copied(), self.state.get(&r).copied()];
        [0, 1].map(|i| after[i].filter(|a| Some(*a) != before[i]))
    }
}

/// Reduce captured packets to the ladder of `spec`.
pub fn reduce(packets: &[Packet], spec: &Spec<'_>) -> Result<Ladder, String> {
    let mut rows = Vec::new();
    // Each direction's first sequence number, to make them relative.
    let mut isn: HashMap<End, u32> = HashMap::new();
    let mut tracker = Tracker::default();
    let first = packets
        .iter()
        .find(|p| {
            (spec.host_of)(p.src).is_some() && (spec.host_of)(p.dst).is_some()
        })
        .map(|p| p.at);
    for p in packets {
        let (Some(from), Some(to)) =
            ((spec.host_of)(p.src), (spec.host_of)(p.dst))
        else {
            continue;
        };
        let at_ms = first
            .map_or(0.0, |f| p.at.saturating_sub(f).as_secs_f64() * 1000.0);
        let mut notes = Vec::new();
        let what = match p.kind {
            Kind::Udp { len } => What::Udp { len },
            Kind::Group { what, .. } => What::Group {
                v6: p.src.is_ipv6(),
                what,
            },
            Kind::Tcp {
                flags,
                seq,
                ack,
                len,
            } => {
                let s = (p.src, p.dst);
                if flags.syn {
                    isn.entry(s).or_insert(seq);
                }
                // A direction whose SYN was not seen (the RST answering a
                // SYN to a closed port, sent with seq 0 as RFC 9293 says)
                // counts from its first segment, which shows as 0.
                let base = *isn.entry(s).or_insert(seq);
                let seq = seq.wrapping_sub(base);
                let ack = flags.ack.then(|| {
                    let peer = *isn
                        .entry((p.dst, p.src))
                        .or_insert(ack.wrapping_sub(1));
                    ack.wrapping_sub(peer)
                });
                let [sender, receiver] =
                    tracker.segment(s, flags, seq, ack, len);
                for (host, state) in [(from, sender), (to, receiver)] {
                    if let Some(state) = state {
                        notes.push(Note {
                            host,
                            kind: NoteKind::State,
                            text: state.name().to_owned(),
                        });
                    }
                }
                What::Tcp {
                    flags,
                    seq,
                    ack,
                    len,
                }
            }
        };
        rows.push(Row {
            at_ms,
            from,
            to,
            what,
            notes,
        });
    }
    let index = |name: &str| {
        spec.hosts
            .iter()
            .position(|h| *h == name)
            .ok_or_else(|| format!("figure {}: no host {name:?}", spec.name))
    };
    let mut at = 0;
    let mut placed: Vec<(usize, &Call)> = Vec::new();
    for call in spec.calls {
        // `h1>r`: a row from h1 to r; `h1`: a row from h1 to anyone.
        let (sender, receiver) = match call.sender.split_once('>') {
            Some((from, to)) => (index(from)?, Some(index(to)?)),
            None => (index(call.sender)?, None),
        };
        let host = index(call.host)?;
        // A repeated call (the same sender, flags and host) is a later
        // row's: the second write(header) goes on the second header.
        let taken = |r: usize| {
            placed.iter().any(|(row, c)| {
                *row == r
                    && (c.sender, c.flags, c.host)
                        == (call.sender, call.flags, call.host)
            })
        };
        let found = rows[at..].iter().enumerate().position(|(i, r)| {
            r.from == sender
                && receiver.is_none_or(|to| r.to == to)
                && match call.flags.strip_prefix('=') {
                    Some(exact) => r.what.label() == exact,
                    None => {
                        call.flags.chars().all(|c| r.what.label().contains(c))
                    }
                }
                && !taken(at + i)
        });
        let Some(offset) = found else {
            return Err(format!(
                "figure {}: no row from {} with [{}] for the call {:?}",
                spec.name, call.sender, call.flags, call.text
            ));
        };
        at += offset;
        placed.push((at, call));
        // Calls go before the states the row brings.
        let notes = &mut rows[at].notes;
        let place = notes.iter().filter(|n| n.kind == NoteKind::Call).count();
        notes.insert(
            place,
            Note {
                host,
                kind: NoteKind::Call,
                text: call.text.to_owned(),
            },
        );
    }
    Ok(Ladder {
        about: spec.about.iter().map(|s| (*s).to_owned()).collect(),
        name: spec.name.to_owned(),
        hosts: spec.hosts.iter().map(|s| (*s).to_owned()).collect(),
        timing: spec.timing,
        rows,
    })
}

impl Ladder {
    /// The text form (see the module's documentation).
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in &self.about {
            let _ = writeln!(out, "# {line}");
        }
        let _ = writeln!(out, "figure {}", self.name);
        let _ = writeln!(out, "hosts {}", self.hosts.join(" "));
        if let Some(t) = self.timing {
            let _ = writeln!(out, "timed {}% {}ms", t.percent, t.ms);
        }
        for row in &self.rows {
            let _ = write!(
                out,
                "{} > {} {}",
                self.hosts[row.from],
                self.hosts[row.to],
                row_fields(&row.what)
            );
            if self.timing.is_some() {
                let _ = write!(out, " at={:.1}ms", row.at_ms);
            }
            out.push('\n');
            for note in &row.notes {
                let kind = match note.kind {
                    NoteKind::Call => "call",
                    NoteKind::State => "state",
                };
                let _ = writeln!(
                    out,
                    "  {} {kind} {}",
                    self.hosts[note.host], note.text
                );
            }
        }
        out
    }

    /// Parse the text form.
    pub fn parse(text: &str) -> Result<Ladder, String> {
        let mut ladder = Ladder {
            about: Vec::new(),
            name: String::new(),
            hosts: Vec::new(),
            timing: None,
            rows: Vec::new(),
        };
        for (n, line) in text.lines().enumerate() {
            let bad = |why: &str| format!("line {}: {why}: {line:?}", n + 1);
            let host = |name: &str, hosts: &[String]| {
                hosts
                    .iter()
                    .position(|h| h == name)
                    .ok_or_else(|| bad("an unknown host"))
            };
            if let Some(about) = line.strip_prefix('#') {
                ladder.about.push(about.trim_start().to_owned());
            } else if let Some(name) = line.strip_prefix("figure ") {
                ladder.name = name.to_owned();
            } else if let Some(hosts) = line.strip_prefix("hosts ") {
                ladder.hosts =
                    hosts.split_whitespace().map(str::to_owned).collect();
            } else if let Some(timed) = line.strip_prefix("timed ") {
                let (p, ms) =
                    timed.split_once(' ').ok_or_else(|| bad("timed R% Nms"))?;
                let percent = p.strip_suffix('%').and_then(|p| p.parse().ok());
                let ms = ms.strip_suffix("ms").and_then(|m| m.parse().ok());
                let (Some(percent), Some(ms)) = (percent, ms) else {
                    return Err(bad("timed R% Nms"));
                };
                ladder.timing = Some(Timing { percent, ms });
            } else if let Some(note) = line.strip_prefix("  ") {
                let mut words = note.splitn(3, ' ');
                let (Some(h), Some(kind), Some(text)) =
                    (words.next(), words.next(), words.next())
                else {
                    return Err(bad("a note is HOST call|state TEXT"));
                };
                let kind = match kind {
                    "call" => NoteKind::Call,
                    "state" => NoteKind::State,
                    _ => return Err(bad("a note is a call or a state")),
                };
                let host = host(h, &ladder.hosts)?;
                let row = ladder
                    .rows
                    .last_mut()
                    .ok_or_else(|| bad("a note before any row"))?;
                row.notes.push(Note {
                    host,
                    kind,
                    text: text.to_owned(),
                });
            } else if !line.is_empty() {
                let words: Vec<&str> = line.split_whitespace().collect();
                let [from, ">", to, rest @ ..] = words.as_slice() else {
                    return Err(bad("a row is FROM > TO ..."));
                };
                let (from, to) =
                    (host(from, &ladder.hosts)?, host(to, &ladder.hosts)?);
                let mut fields: HashMap<&str, &str> = HashMap::new();
                // A group row's second word is what it says, not a field.
                let skip = if matches!(rest.first(), Some(&"igmp" | &"mld")) {
                    2
                } else {
                    1
                };
                let label = rest.first().copied().unwrap_or("");
                for word in rest.iter().skip(skip) {
                    match word.split_once('=') {
                        Some((k, v)) => {
                            fields.insert(k, v);
                        }
                        None => {
                            return Err(bad("a row's fields are key=value"));
                        }
                    }
                }
                let num = |k: &str| -> Result<Option<u64>, String> {
                    fields
                        .get(k)
                        .map(|v| v.parse().map_err(|_| bad("a number")))
                        .transpose()
                };
                let group = ["report", "leave", "query"]
                    .into_iter()
                    .zip([Group::Report, Group::Leave, Group::Query])
                    .find(|(w, _)| rest.get(1) == Some(w))
                    .map(|(_, g)| g);
                let what = if let ("igmp" | "mld", Some(what)) = (label, group)
                {
                    What::Group {
                        v6: label == "mld",
                        what,
                    }
                } else if label == "udp" {
                    let len = num("len")?.ok_or_else(|| bad("no len="))?;
                    What::Udp { len: len as usize }
                } else {
                    let len =
                        num("len")?.ok_or_else(|| bad("no len="))? as usize;
                    let flags = label
                        .strip_prefix('[')
                        .and_then(|l| l.strip_suffix(']'))
                        .and_then(Flags::parse)
                        .ok_or_else(|| {
                            bad("flags are [S.] and the like, or udp")
                        })?;
                    What::Tcp {
                        flags,
                        seq: num("seq")?.ok_or_else(|| bad("no seq="))? as u32,
                        ack: num("ack")?.map(|a| a as u32),
                        len,
                    }
                };
                let at_ms = match fields.get("at") {
                    Some(at) => at
                        .strip_suffix("ms")
                        .and_then(|a| a.parse().ok())
                        .ok_or_else(|| bad("at= is in ms"))?,
                    None => 0.0,
                };
                ladder.rows.push(Row {
                    at_ms,
                    from,
                    to,
                    what,
                    notes: Vec::new(),
                });
            }
        }
        if ladder.name.is_empty() || ladder.hosts.is_empty() {
            return Err(
                "a ladder needs its `figure` and `hosts` lines".to_owned()
            );
        }
        Ok(ladder)
    }

    /// Where a fresh capture differs from this ladder, if it does: the
    /// rows and notes must be the same, and with timing, each gap between
    /// rows within the tolerance.
    pub fn differs(&self, fresh: &Ladder) -> Option<String> {
        if self.hosts != fresh.hosts {
            return Some(format!(
                "hosts {:?}, not {:?}",
                fresh.hosts, self.hosts
            ));
        }
        if self.rows.len() != fresh.rows.len() {
            return Some(format!(
                "{} rows, not {}",
                fresh.rows.len(),
                self.rows.len()
            ));
        }
        for (i, (want, got)) in self.rows.iter().zip(&fresh.rows).enumerate() {
            if (want.from, want.to, want.what, &want.notes)
                != (got.from, got.to, got.what, &got.notes)
            {
                return Some(format!("row {} differs", i + 1));
            }
        }
        let t = self.timing?;
        for i in 1..self.rows.len() {
            let want = self.rows[i].at_ms - self.rows[i - 1].at_ms;
            let got = fresh.rows[i].at_ms - fresh.rows[i - 1].at_ms;
            let slack =
                (want * f64::from(t.percent) / 100.0).max(f64::from(t.ms));
            if (got - want).abs() > slack {
                return Some(format!(
                    "row {}: {got:.1} ms after the row before, not {want:.1} ms (± {slack:.1})",
                    i + 1
                ));
            }
        }
        None
    }

    /// The column names over [`Ladder::ascii_row`]'s lines.
    pub fn ascii_header(&self) -> String {
        let time = if self.timing.is_some() {
            "      ms "
        } else {
            ""
        };
        if let [a, b] = self.hosts.as_slice() {
            format!("{time}{a:>NOTES$} {:<ARROW$}{b}", "")
        } else {
            format!("{time}{}", self.hosts.join("  "))
        }
    }

    /// One row for a terminal: with two hosts, the client's notes on the
    /// left, an arrow, the server's notes on the right, as in
    /// `FIN-WAIT-1 |--[F.] seq 23 ack 1 ---------->| CLOSE-WAIT`.
    pub fn ascii_row(&self, row: &Row) -> String {
        let mut line = String::new();
        if self.timing.is_some() {
            let _ = write!(line, "{:>8.3} ", row.at_ms);
        }
        let label = format!("{} {}", row.what.caption(), row.what.numbers());
        let label = label.trim_end();
        let notes = |host: usize| {
            let texts: Vec<&str> = row
                .notes
                .iter()
                .filter(|n| n.host == host)
                .map(|n| n.text.as_str())
                .collect();
            texts.join(", ")
        };
        if self.hosts.len() == 2 {
            let dashes = "-".repeat(ARROW.saturating_sub(label.len() + 6));
            let arrow = if row.from < row.to {
                format!("|--{label} {dashes}>|")
            } else {
                format!("|<-{label} {dashes}-|")
            };
            let _ = write!(line, "{:>NOTES$} {arrow} {}", notes(0), notes(1));
        } else {
            let _ = write!(
                line,
                "{} > {}: {label}",
                self.hosts[row.from], self.hosts[row.to]
            );
            for note in &row.notes {
                let _ =
                    write!(line, "  {} {}", self.hosts[note.host], note.text);
            }
        }
        line.trim_end().to_owned()
    }
}

/// The width of a two-column ASCII arrow, lifelines included, and of the
/// notes on its left: with the time, a row's arrow ends in column 57, and
/// one state on the right ("SYN-RECEIVED") keeps it within 72.
const ARROW: usize = 34;
const NOTES: usize = 13;

/// A row's fields in the text form: `[P.] seq=1 ack=1 len=22` or
/// `udp len=5`.
fn row_fields(what: &What) -> String {
    match *what {
        What::Tcp {
            flags,
            seq,
            ack,
            len,
        } => match ack {
            Some(ack) => {
                format!("[{}] seq={seq} ack={ack} len={len}", flags.tcpdump())
            }
            None => format!("[{}] seq={seq} len={len}", flags.tcpdump()),
        },
        What::Udp { len } => format!("udp len={len}"),
        What::Group { v6, what } => {
            format!("{} {}", What::protocol(v6), what.word())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn seg(
        at_us: u64,
        src: u16,
        dst: u16,
        flags: &str,
        seq: u32,
        ack: u32,
        len: usize,
    ) -> Packet {
        Packet {
            at: Duration::from_micros(1_000_000 + at_us),
            src: SocketAddr::from(([127, 0, 0, 1], src)),
            dst: SocketAddr::from(([127, 0, 0, 1], dst)),
            kind: Kind::Tcp {
                flags: Flags::parse(flags).expect("flags"),
                seq,
                ack,
                len,
            },
        }
    }

    /// A half-close, as the kernel sends it: the handshake, 5 bytes and a
    /// FIN from the client, 3 bytes and a FIN from the server.
    fn half_close() -> Vec<Packet> {
        let (c, s) = (40000, 7101);
        vec![
            seg(0, c, s, "S", 1000, 0, 0),
            seg(10, s, c, "S.", 5000, 1001, 0),
            seg(20, c, s, ".", 1001, 5001, 0),
            seg(30, c, s, "P.", 1001, 5001, 5),
            seg(40, c, s, "F.", 1006, 5001, 0),
            seg(50, s, c, "P.", 5001, 1007, 3),
            seg(60, s, c, "F.", 5004, 1007, 0),
            seg(70, c, s, ".", 1007, 5005, 0),
        ]
    }

    fn spec<'a>(
        host_of: &'a dyn Fn(SocketAddr) -> Option<usize>,
        calls: &'a [Call],
    ) -> Spec<'a> {
        Spec {
            about: &["A test."],
            name: "test",
            hosts: &["client", "server"],
            host_of,
            timing: None,
            calls,
        }
    }

    /// A row's segment without payload, in relative numbers.
    fn empty(flags: &str, seq: u32, ack: u32) -> What {
        What::Tcp {
            flags: Flags::parse(flags).expect("flags"),
            seq,
            ack: Some(ack),
            len: 0,
        }
    }

    fn by_port(a: SocketAddr) -> Option<usize> {
        Some(usize::from(a.port() == 7101))
    }

    #[test]
    fn the_states_of_a_half_close_follow_rfc_9293() {
        let ladder =
            reduce(&half_close(), &spec(&by_port, &[])).expect("reduce");
        let states: Vec<(usize, String)> = ladder
            .rows
            .iter()
            .enumerate()
            .flat_map(|(i, r)| {
                r.notes
                    .iter()
                    .map(move |n| (i, format!("{} {}", n.host, n.text)))
            })
            .collect();
        let want = [
            (0, "0 SYN-SENT"),
            (1, "1 SYN-RECEIVED"),
            (1, "0 ESTABLISHED"),
            (2, "1 ESTABLISHED"),
            (4, "0 FIN-WAIT-1"),
            (4, "1 CLOSE-WAIT"),
            (5, "0 FIN-WAIT-2"),
            (6, "1 LAST-ACK"),
            (6, "0 TIME-WAIT"),
            (7, "1 CLOSED"),
        ];
        let want: Vec<(usize, String)> =
            want.iter().map(|(i, s)| (*i, (*s).to_owned())).collect();
        assert_eq!(states, want);
        // Relative numbers, as tcpdump prints them: the FIN takes one.
        assert_eq!(ladder.rows[6].what, empty("F.", 4, 7));
    }

    #[test]
    fn a_refusing_rst_shows_the_numbers_it_carries() {
        // The answer to a SYN for a closed port: seq 0 (no ACK came with
        // the SYN, so RFC 9293 says 0) and ack one past the client's ISN.
        let (c, s) = (40000, 7101);
        let packets = [
            seg(0, c, s, "S", 1000, 0, 0),
            seg(10, s, c, "R.", 0, 1001, 0),
        ];
        let ladder = reduce(&packets, &spec(&by_port, &[])).expect("reduce");
        assert_eq!(ladder.rows[1].what, empty("R.", 0, 1));
        assert_eq!(ladder.rows[1].notes[0].text, "CLOSED");
    }

    #[test]
    fn calls_go_on_the_first_matching_row_in_order() {
        let calls = [
            Call::new("client", "F", "client", "shutdown(Write)"),
            Call::new("client", "F", "server", "read() = 0"),
            Call::new("server", "P", "server", "write_all"),
        ];
        let ladder =
            reduce(&half_close(), &spec(&by_port, &calls)).expect("reduce");
        let calls_on = |i: usize| -> Vec<&str> {
            let notes = &ladder.rows[i].notes;
            notes
                .iter()
                .filter(|n| n.kind == NoteKind::Call)
                .map(|n| n.text.as_str())
                .collect()
        };
        assert_eq!(calls_on(4), ["shutdown(Write)", "read() = 0"]);
        assert_eq!(calls_on(5), ["write_all"]);
        let missing = [Call::new("server", "R", "server", "close()")];
        assert!(reduce(&half_close(), &spec(&by_port, &missing)).is_err());
    }

    #[test]
    fn the_text_form_reads_back_and_timed_gaps_are_compared() {
        let mut ladder =
            reduce(&half_close(), &spec(&by_port, &[])).expect("reduce");
        ladder.timing = Some(Timing { percent: 50, ms: 1 });
        let text = ladder.text();
        let back = Ladder::parse(&text).expect("parse");
        assert_eq!(back.text(), text);
        assert_eq!(ladder.differs(&back), None);
        let mut late = back.clone();
        late.rows[3].at_ms += 5.0;
        assert!(
            ladder
                .differs(&late)
                .is_some_and(|d| d.starts_with("row 4"))
        );
        let mut other = back;
        other.rows.pop();
        assert_eq!(ladder.differs(&other).as_deref(), Some("7 rows, not 8"));
    }

    #[test]
    fn a_segment_of_an_unknown_host_is_left_out() {
        let mut packets = half_close();
        packets.push(seg(80, 1, 2, "S", 0, 0, 0));
        let only_ours = |a: SocketAddr| match a.port() {
            7101 => Some(1),
            40000 => Some(0),
            _ => None,
        };
        let ladder = reduce(&packets, &spec(&only_ours, &[])).expect("reduce");
        assert_eq!(ladder.rows.len(), 8);
    }
}
