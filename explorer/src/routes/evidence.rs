//! What the cold-chain and waste pages put beside each figure: the imported row it comes from
//! (batch + line, with the row's proof) and how far that row can be trusted.

use chrono::{DateTime, FixedOffset, TimeDelta, Utc};
use serde::Serialize;

use citytrace_schema::models::TrustState;

use super::trust::TrustBadge;

/// An imported row: `/batches/{id}#line-N` and its Merkle proof.
#[derive(Debug, Clone, Serialize)]
pub struct SourceRow {
    pub batch_id: i64,
    pub line: i32,
    pub href: String,
    /// The proof page; JSON twins link the proof file.
    #[serde(skip)]
    pub proof_href: String,
    #[serde(rename = "proof_href")]
    pub proof_file: String,
}

impl SourceRow {
    pub fn new(batch_id: i64, line: i32) -> Self {
        Self {
            batch_id,
            line,
            href: format!("/batches/{batch_id}#line-{line}"),
            proof_href: super::provenance::proof_href(batch_id, line),
            proof_file: super::provenance::proof_file_href(batch_id, line),
        }
    }
}

/// A trust badge as pages and JSON show it.
#[derive(Debug, Clone, Serialize)]
pub struct Trust {
    pub label: &'static str,
    #[serde(skip)]
    pub class: &'static str,
    pub text: String,
}

impl Trust {
    /// The badge of a batch whose trust a read returned.
    pub fn of(state: &TrustState) -> Self {
        let badge = TrustBadge::new(state);
        Self {
            label: badge.label,
            class: badge.class,
            text: badge.text,
        }
    }
}

/// An instant as written: `2026-04-12 08:05` at the given offset.
pub fn local_time(t: DateTime<Utc>, offset: &FixedOffset) -> String {
    t.with_timezone(offset).format("%Y-%m-%d %H:%M").to_string()
}

/// An instant with the offset it was written with (RFC 3339), for JSON.
pub fn local_rfc3339(t: DateTime<Utc>, offset: &FixedOffset) -> String {
    t.with_timezone(offset).to_rfc3339()
}

/// `+02:00` as stored on an imported row; UTC if unreadable.
pub fn parse_offset(text: &str) -> FixedOffset {
    DateTime::parse_from_rfc3339(&format!("2000-01-01T00:00:00{text}"))
        .map(|d| *d.offset())
        .unwrap_or_else(|_| FixedOffset::east_opt(0).expect("0 is a valid offset"))
}

/// `45 min`, `2 h 05 min`, `3 d 4 h` — exact below a minute is shown in seconds.
pub fn duration(d: TimeDelta) -> String {
    let secs = d.num_seconds();
    if secs < 60 {
        return format!("{secs} s");
    }
    let minutes = secs / 60;
    let (days, hours, mins) = (minutes / 1440, minutes % 1440 / 60, minutes % 60);
    if days > 0 {
        format!("{days} d {hours} h")
    } else if hours > 0 {
        format!("{hours} h {mins:02} min")
    } else {
        format!("{mins} min")
    }
}

/// Minutes, exact (fractions kept), for JSON.
pub fn minutes(d: TimeDelta) -> f64 {
    d.num_milliseconds() as f64 / 60_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(duration(TimeDelta::seconds(0)), "0 s");
        assert_eq!(duration(TimeDelta::minutes(45)), "45 min");
        assert_eq!(duration(TimeDelta::minutes(125)), "2 h 05 min");
        assert_eq!(duration(TimeDelta::minutes(3 * 1440 + 250)), "3 d 4 h");
        assert_eq!(minutes(TimeDelta::seconds(90)), 1.5);
    }

    #[test]
    fn offsets_are_read_as_written() {
        assert_eq!(parse_offset("+02:00").local_minus_utc(), 7200);
        assert_eq!(parse_offset("-05:30").local_minus_utc(), -19800);
        assert_eq!(parse_offset("nonsense").local_minus_utc(), 0);
    }
}
