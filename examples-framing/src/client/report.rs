//! What `framing-client` prints: a reply as text or a hex dump, and a
//! summary of round trips. Plumbing, beside the story.

use std::time::Duration;

use common::fmt_duration;

/// A short, printable view of some bytes.
pub(super) fn preview(bytes: &[u8]) -> String {
    let shown = &bytes[..bytes.len().min(24)];
    let more = if bytes.len() > shown.len() { "..." } else { "" };
    format!("{:?}{more}", String::from_utf8_lossy(shown))
}

/// The median round trip (zero when there is none). With an even count
/// it is the mean of the middle two: of two round trips, the slower alone
/// would read as a median above the mean.
pub fn median(trips: &[Duration]) -> Duration {
    let mut sorted = trips.to_vec();
    sorted.sort();
    let n = sorted.len();
    match n {
        0 => Duration::ZERO,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2,
    }
}

/// Median, mean and slowest round trip.
pub fn round_trip_summary(trips: &[Duration]) -> String {
    if trips.is_empty() {
        return "no round trips measured".to_owned();
    }
    let mean = trips.iter().sum::<Duration>()
        / u32::try_from(trips.len()).unwrap_or(u32::MAX);
    let slowest = trips.iter().max().copied().unwrap_or_default();
    format!(
        "round trips: {}, median {}, mean {}, slowest {}",
        trips.len(),
        fmt_duration(median(trips)),
        fmt_duration(mean),
        fmt_duration(slowest)
    )
}

/// Show a reply: as text when it is printable, as a hex dump otherwise.
pub fn render(reply: &[u8]) -> String {
    let text = std::str::from_utf8(reply).ok().filter(|t| {
        t.chars().all(|c| !c.is_control() || c == '\n' || c == '\t')
    });
    if let Some(text) = text {
        return text.to_owned();
    }
    let mut out = String::new();
    for (row, chunk) in reply.chunks(16).enumerate() {
        let hex: Vec<String> =
            chunk.iter().map(|b| format!("{b:02x}")).collect();
        let ascii: String = chunk
            .iter()
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!(
            "{:08x}  {:<47}  |{ascii}|\n",
            row * 16,
            hex.join(" ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let ms = Duration::from_millis;
        assert_eq!(median(&[]), Duration::ZERO);
        assert_eq!(median(&[ms(5), ms(1), ms(2)]), ms(2));
        assert_eq!(median(&[ms(3), ms(1)]), ms(2));
        // Two round trips: the median is their mean, never above it.
        let summary = round_trip_summary(&[ms(3), ms(1)]);
        assert_eq!(
            summary,
            "round trips: 2, median 2 ms, mean 2 ms, slowest 3 ms"
        );
    }
}
