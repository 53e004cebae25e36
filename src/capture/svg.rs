//! A ladder drawn as SVG: the hosts as columns, time flowing down, each
//! packet an arrow labelled with its flags and length, each side's calls
//! and TCP states beside it, and, where timing is the point, the time of
//! each row on the left and long gaps drawn as breaks labelled with their
//! length.
//!
//! The drawing is a pure function of the ladder, so that a test can check
//! every committed SVG against its committed ladder without a capture.

use std::fmt::Write as _;

use super::ladder::{Ladder, NoteKind, What};

/// The drawing's width: the book's column (750 px at most, less padding).
const WIDTH: f64 = 640.0;
/// Room beside the outer columns for calls and states.
const NOTE: f64 = 150.0;
/// The same, with three columns or more.
const NOTE_MANY: f64 = 90.0;
/// Room on the left for the time axis, in a timed figure.
const TIME: f64 = 58.0;
/// From one row to the next.
const STEP: f64 = 42.0;
/// One line of a note.
const LINE: f64 = 13.0;
/// The font's size, and the width of one of its characters (monospace
/// fonts are about 0.6 em wide).
const FONT: f64 = 11.0;
const CHAR: f64 = FONT * 0.6;
/// A gap at least this long (ms) in a timed figure is drawn as a break.
const BREAK_MS: f64 = 5.0;

/// Draw `ladder`; fails, saying what, when a label would not fit.
pub fn render(ladder: &Ladder) -> Result<String, String> {
    let n = ladder.hosts.len();
    if n < 2 {
        return Err(format!(
            "figure {}: a ladder needs two hosts",
            ladder.name
        ));
    }
    let left = if ladder.timing.is_some() { TIME } else { 0.0 };
    // With more columns, less room beside the outer ones.
    let note = if n == 2 { NOTE } else { NOTE_MANY };
    let (first, last) = (left + note + 10.0, WIDTH - note - 10.0);
    let x = |h: usize| first + (last - first) * h as f64 / (n - 1) as f64;
    let fits = |text: &str, room: f64, what: &str| {
        let need = text.chars().count() as f64 * CHAR;
        if need > room {
            Err(format!(
                "figure {}: {what} {text:?} is {need:.0} px wide, with {room:.0} px of room",
                ladder.name
            ))
        } else {
            Ok(())
        }
    };

    // Where each row goes, with breaks before long gaps.
    let mut ys = Vec::new();
    let mut breaks = Vec::new();
    let mut y = 58.0;
    for (i, row) in ladder.rows.iter().enumerate() {
        if i > 0 && ladder.timing.is_some() {
            let gap = row.at_ms - ladder.rows[i - 1].at_ms;
            if gap >= BREAK_MS {
                breaks.push((y - STEP / 2.0 + 14.0, gap));
                y += 28.0;
            }
        }
        let lines = (0..n)
            .map(|h| row.notes.iter().filter(|note| note.host == h).count())
            .max()
            .unwrap_or(0);
        ys.push(y);
        y += STEP.max(LINE * lines as f64 + 16.0);
    }
    let height = y;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="ui-monospace, Menlo, Consolas, monospace" font-size="{FONT}">
<title>{}</title>
<defs>
"#,
        escape(&format!(
            "{}: {}",
            ladder.name,
            ladder.about.first().map_or("", String::as_str)
        ))
    );
    for (id, color) in COLORS {
        let _ = writeln!(
            svg,
            r#"<marker id="{id}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>"#
        );
    }
    svg.push_str(
        "</defs>\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n",
    );
    for (h, name) in ladder.hosts.iter().enumerate() {
        fits(name, (last - first) / (n - 1) as f64, "the host name")?;
        let _ = writeln!(
            svg,
            r##"<text x="{:.1}" y="20" text-anchor="middle" font-weight="bold">{}</text>
<line x1="{:.1}" y1="28" x2="{:.1}" y2="{:.1}" stroke="#999" stroke-width="1"/>"##,
            x(h),
            escape(name),
            x(h),
            x(h),
            height - 8.0
        );
    }
    if ladder.timing.is_some() {
        let _ =
            writeln!(svg, r##"<text x="4" y="20" fill="#555">time</text>"##);
    }
    for (y, gap) in &breaks {
        let label = format!("{} later", ms(*gap));
        let mid = (first + last) / 2.0;
        let _ = writeln!(
            svg,
            r##"<line x1="{first:.1}" y1="{y:.1}" x2="{last:.1}" y2="{y:.1}" stroke="#bbb" stroke-dasharray="4 4"/>
<rect x="{:.1}" y="{:.1}" width="{:.1}" height="14" fill="white"/>
<text x="{mid:.1}" y="{:.1}" text-anchor="middle" fill="#555">{label}</text>"##,
            mid - label.len() as f64 * CHAR / 2.0 - 4.0,
            y - 9.0,
            label.len() as f64 * CHAR + 8.0,
            y + 4.0,
        );
    }
    for (row, &y) in ladder.rows.iter().zip(&ys) {
        let (xf, xt) = (x(row.from), x(row.to));
        let (id, color) = COLORS[color_of(&row.what)];
        // A slight slope: the packet arrives after it leaves.
        let tip = if xt > xf { xt - 2.0 } else { xt + 2.0 };
        let label = format!("{}  {}", row.what.caption(), row.what.numbers());
        let label = label.trim_end();
        fits(label, (xt - xf).abs() - 8.0, "the arrow's label")?;
        let _ = writeln!(
            svg,
            r#"<line x1="{xf:.1}" y1="{y:.1}" x2="{tip:.1}" y2="{:.1}" stroke="{color}" stroke-width="1.5" marker-end="url(#{id})"/>
<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="{color}">{}</text>"#,
            y + 8.0,
            (xf + xt) / 2.0,
            y - 4.0,
            escape(label)
        );
        if ladder.timing.is_some() {
            let _ = writeln!(
                svg,
                r##"<text x="4" y="{:.1}" fill="#555">{}</text>"##,
                y + 4.0,
                ms(row.at_ms)
            );
        }
        for h in 0..n {
            let notes = row.notes.iter().filter(|note| note.host == h);
            let (anchor, nx, room) = if h == 0 {
                ("end", x(h) - 8.0, note - 8.0)
            } else if h == n - 1 {
                ("start", x(h) + 8.0, note - 8.0)
            } else {
                ("start", x(h) + 6.0, (last - first) / (n - 1) as f64 - 10.0)
            };
            for (k, note) in notes.enumerate() {
                fits(&note.text, room, "the note")?;
                let style = match note.kind {
                    NoteKind::Call => r##"fill="#111""##,
                    NoteKind::State => {
                        r##"fill="#7a3e9d" font-style="italic""##
                    }
                };
                let _ = writeln!(
                    svg,
                    r#"<text x="{nx:.1}" y="{:.1}" text-anchor="{anchor}" {style}>{}</text>"#,
                    y + 4.0 + LINE * k as f64,
                    escape(&note.text)
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    Ok(svg)
}

/// Arrow colours: SYN, FIN, RST, data, a pure ACK, a datagram, a group
/// message.
const COLORS: [(&str, &str); 7] = [
    ("syn", "#2b7a2b"),
    ("fin", "#1f5fa8"),
    ("rst", "#c0392b"),
    ("data", "#222222"),
    ("ack", "#8a8a8a"),
    ("udp", "#6b4c9a"),
    ("group", "#b35c00"),
];

fn color_of(what: &What) -> usize {
    match *what {
        What::Tcp { flags, .. } if flags.rst => 2,
        What::Tcp { flags, .. } if flags.syn => 0,
        What::Tcp { flags, .. } if flags.fin => 1,
        What::Tcp { len, .. } if len > 0 => 3,
        What::Tcp { .. } => 4,
        What::Udp { .. } => 5,
        What::Group { .. } => 6,
    }
}

/// A time for the axis: `0.12 ms`, `44 ms`, `1.02 s`.
fn ms(t: f64) -> String {
    if t >= 1000.0 {
        format!("{:.2} s", t / 1000.0)
    } else if t >= 10.0 {
        format!("{t:.0} ms")
    } else {
        format!("{t:.2} ms")
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
