//! The temperature chart of one logger, drawn on the server as inline SVG: the readings as a
//! step line, the product's allowed band shaded, excursions shaded in another colour, gaps in the
//! log hatched, a time axis in the local time the logger wrote, a °C axis with ticks.
//!
//! Drawing only: every figure (excursions, gaps, MKT, verdict) comes from
//! `citytrace_reads::cold_chain` on the full series. **Downsampling rule**: a series
//! with more readings than twice the plot's pixel columns is drawn from, for each pixel column,
//! its lowest and its highest reading (in time order), so a 10,000-reading log stays a
//! polyline of at most ~1,500 points while every peak and trough still shows.

use chrono::{DateTime, FixedOffset, Utc};

use citytrace_reads::cold_chain::Direction;

pub const WIDTH: f64 = 800.0;
pub const HEIGHT: f64 = 280.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 40.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 44.0;

/// A rectangle in SVG user units, with what it stands for (its `<title>`).
pub struct Area {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub class: &'static str,
    pub title: String,
    /// The middle of the rectangle across: where a gap's label goes.
    pub mid_x: String,
}

pub struct Tick {
    /// Position along its axis.
    pub at: String,
    pub label: String,
}

/// Everything the chart template draws; numbers are already formatted.
pub struct TemperatureChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub width: String,
    pub height: String,
    pub plot_left: String,
    pub plot_right: String,
    pub plot_top: String,
    pub plot_bottom: String,
    /// Below the axis: where the time ticks' labels go.
    pub label_y: String,
    pub label_x: String,
    pub band: Option<Area>,
    pub excursions: Vec<Area>,
    pub gaps: Vec<Area>,
    /// `x,y x,y …` of each polyline: the line stops at a gap in the log and starts again
    /// after it, so nothing is drawn where no reading was taken.
    pub segments: Vec<String>,
    pub point_count: usize,
    pub reading_count: usize,
    pub y_ticks: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub time_zone: String,
}

/// An excursion or gap to shade, in time.
pub struct Span {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub direction: Option<Direction>,
    pub title: String,
}

pub struct ChartInput<'a> {
    pub id: String,
    pub title: String,
    /// Readings in time order: (when, °C).
    pub readings: &'a [(DateTime<Utc>, f64)],
    pub min_c: Option<f64>,
    pub max_c: Option<f64>,
    pub excursions: Vec<Span>,
    pub gaps: Vec<Span>,
    /// The offset the logger wrote its times with (axis labels are in it).
    pub offset: FixedOffset,
}

fn n(v: f64) -> String {
    format!("{:.1}", v)
}

/// The readings kept for drawing (see the module's downsampling rule), as indexes into
/// `readings` in time order.
pub fn downsample(readings: &[(DateTime<Utc>, f64)], columns: usize) -> Vec<usize> {
    if readings.len() <= columns.saturating_mul(2) || columns == 0 {
        return (0..readings.len()).collect();
    }
    let (first, last) = (readings[0].0, readings[readings.len() - 1].0);
    let span = (last - first).num_milliseconds().max(1) as f64;
    let column = |t: DateTime<Utc>| {
        (((t - first).num_milliseconds() as f64 / span) * (columns as f64 - 1.0)).round() as usize
    };
    let mut kept = Vec::with_capacity(columns * 2);
    let mut i = 0;
    while i < readings.len() {
        let c = column(readings[i].0);
        let (mut lo, mut hi) = (i, i);
        let mut j = i + 1;
        while j < readings.len() && column(readings[j].0) == c {
            if readings[j].1 < readings[lo].1 {
                lo = j;
            }
            if readings[j].1 > readings[hi].1 {
                hi = j;
            }
            j += 1;
        }
        kept.push(lo.min(hi));
        if lo != hi {
            kept.push(lo.max(hi));
        }
        i = j;
    }
    kept
}

/// The kept readings as step lines: between two readings the temperature is the earlier
/// one's (the method's rule, docs/methods/cold-chain.md), so each reading holds until the next
/// — except across a gap in the log, where the line stops at the last reading before it and a
/// new one starts at the first reading after it.
fn step_segments(
    readings: &[(DateTime<Utc>, f64)],
    kept: &[usize],
    gaps: &[Span],
    x: &impl Fn(DateTime<Utc>) -> f64,
    y: &impl Fn(f64) -> f64,
) -> Vec<String> {
    let mut segments: Vec<Vec<String>> = Vec::new();
    let mut previous: Option<(DateTime<Utc>, f64)> = None;
    for &i in kept {
        let (at, temperature) = readings[i];
        let (px, py) = (x(at), y(temperature));
        let across_gap =
            previous.is_some_and(|(before, _)| gaps.iter().any(|g| g.from >= before && g.to <= at));
        match (previous, segments.last_mut()) {
            (Some((_, held)), Some(segment)) if !across_gap => {
                segment.push(format!("{},{}", n(px), n(held)));
                segment.push(format!("{},{}", n(px), n(py)));
            }
            _ => segments.push(vec![format!("{},{}", n(px), n(py))]),
        }
        previous = Some((at, py));
    }
    segments.into_iter().map(|s| s.join(" ")).collect()
}

/// A "nice" step (1, 2 or 5 × 10^k) giving about `target` intervals over `range`.
fn nice_step(range: f64, target: f64) -> f64 {
    let raw = (range / target).max(1e-9);
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

fn offset_label(offset: &FixedOffset) -> String {
    super::names::zone_name(offset)
}

pub fn draw(input: ChartInput<'_>) -> Option<TemperatureChart> {
    let readings = input.readings;
    let (first, last) = (readings.first()?.0, readings.last()?.0);
    let (x0, x1, y0, y1) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    // °C range: the readings and the band, with a little room.
    let mut lo = readings.iter().map(|r| r.1).fold(f64::INFINITY, f64::min);
    let mut hi = readings
        .iter()
        .map(|r| r.1)
        .fold(f64::NEG_INFINITY, f64::max);
    for bound in [input.min_c, input.max_c].into_iter().flatten() {
        lo = lo.min(bound);
        hi = hi.max(bound);
    }
    let pad = ((hi - lo) * 0.08).max(0.5);
    let step = nice_step(hi - lo + 2.0 * pad, 6.0);
    let (lo, hi) = (
        ((lo - pad) / step).floor() * step,
        ((hi + pad) / step).ceil() * step,
    );
    let y = |t: f64| y1 - (t - lo) / (hi - lo) * (y1 - y0);
    let span_ms = (last - first).num_milliseconds().max(1) as f64;
    let x = |t: DateTime<Utc>| x0 + (t - first).num_milliseconds() as f64 / span_ms * (x1 - x0);
    let clamp_x = |v: f64| v.clamp(x0, x1);

    let band = (input.min_c.is_some() || input.max_c.is_some()).then(|| {
        let top = input.max_c.map_or(y0, &y);
        let bottom = input.min_c.map_or(y1, &y);
        Area {
            x: n(x0),
            y: n(top),
            w: n(x1 - x0),
            h: n((bottom - top).max(0.0)),
            class: "band",
            mid_x: n((x0 + x1) / 2.0),
            title: match (input.min_c, input.max_c) {
                (Some(a), Some(b)) => format!("Allowed range {a} to {b} °C"),
                (None, Some(b)) => format!("Allowed range up to {b} °C"),
                (Some(a), None) => format!("Allowed range from {a} °C"),
                (None, None) => String::new(),
            },
        }
    });
    let spans = |spans: &[Span], class: fn(Option<Direction>) -> &'static str| -> Vec<Area> {
        spans
            .iter()
            .map(|s| {
                let (a, b) = (clamp_x(x(s.from)), clamp_x(x(s.to)));
                Area {
                    // A 0-minute excursion is still drawn: 2 units wide.
                    x: n(a.min(b - 1.0).max(x0)),
                    y: n(y0),
                    w: n((b - a).max(2.0)),
                    h: n(y1 - y0),
                    class: class(s.direction),
                    title: s.title.clone(),
                    mid_x: n((a + b) / 2.0),
                }
            })
            .collect()
    };
    let excursions = spans(&input.excursions, |d| match d {
        Some(Direction::Below) => "excursion excursion-below",
        _ => "excursion excursion-above",
    });
    let gaps = spans(&input.gaps, |_| "gap");

    let kept = downsample(readings, (x1 - x0) as usize);
    let segments = step_segments(readings, &kept, &input.gaps, &x, &y);

    let mut y_ticks = Vec::new();
    let mut t = lo;
    while t <= hi + step / 2.0 {
        // Never "−0": a tick within rounding of zero is zero.
        let value = if t.abs() < step / 1000.0 { 0.0 } else { t };
        let label = if step < 1.0 {
            format!("{value:.1}")
        } else {
            format!("{value:.0}")
        };
        y_ticks.push(Tick {
            at: n(y(t)),
            label: label.replace('-', "−"),
        });
        t += step;
    }
    let local = |t: DateTime<Utc>| t.with_timezone(&input.offset);
    let multi_day = local(first).date_naive() != local(last).date_naive();
    // Time ticks on round local times: the smallest step giving at most 7 ticks.
    let span_minutes = span_ms / 60_000.0;
    let step_minutes = [
        1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080, 43200,
    ]
    .into_iter()
    .find(|m| span_minutes / f64::from(*m) <= 7.0)
    .unwrap_or(43200);
    let step_secs = i64::from(step_minutes) * 60;
    let offset_secs = i64::from(input.offset.local_minus_utc());
    let first_local = first.timestamp() + offset_secs;
    let mut tick_local = first_local.div_euclid(step_secs) * step_secs;
    if tick_local < first_local {
        tick_local += step_secs;
    }
    let mut x_ticks = Vec::new();
    while tick_local - offset_secs <= last.timestamp() && x_ticks.len() < 16 {
        if let Some(at) = DateTime::<Utc>::from_timestamp(tick_local - offset_secs, 0) {
            let l = local(at);
            x_ticks.push(Tick {
                at: n(x(at)),
                label: if multi_day && step_minutes >= 1440 {
                    l.format("%m-%d").to_string()
                } else if multi_day {
                    l.format("%m-%d %H:%M").to_string()
                } else {
                    l.format("%H:%M").to_string()
                },
            });
        }
        tick_local += step_secs;
    }
    let description = format!(
        "{} readings from {} to {} ({}); {} excursion(s) shaded, {} gap(s) in the log hatched, where the line stops. The same figures are in the tables below.",
        readings.len(),
        local(first).format("%Y-%m-%d %H:%M"),
        local(last).format("%Y-%m-%d %H:%M"),
        offset_label(&input.offset),
        input.excursions.len(),
        input.gaps.len()
    );
    Some(TemperatureChart {
        id: input.id,
        title: input.title,
        description,
        width: n(WIDTH),
        height: n(HEIGHT),
        plot_left: n(x0),
        plot_right: n(x1),
        plot_top: n(y0),
        plot_bottom: n(y1),
        label_y: n(y1 + 18.0),
        label_x: n(x0 - 8.0),
        band,
        excursions,
        gaps,
        point_count: kept.len(),
        reading_count: readings.len(),
        segments,
        y_ticks,
        x_ticks,
        time_zone: offset_label(&input.offset),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(values: &[f64]) -> Vec<(DateTime<Utc>, f64)> {
        let start = DateTime::parse_from_rfc3339("2026-04-12T06:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        values
            .iter()
            .enumerate()
            .map(|(i, v)| (start + chrono::TimeDelta::minutes(i as i64), *v))
            .collect()
    }

    #[test]
    fn short_series_are_drawn_whole() {
        let s = series(&[5.0, 9.0, 4.0]);
        assert_eq!(downsample(&s, 10), vec![0, 1, 2]);
    }

    #[test]
    fn long_series_keep_each_columns_lowest_and_highest_reading() {
        // 10,000 readings into 100 columns: at most 200 points, and the single spike of
        // 30 °C and the single dip of −10 °C among 5 °C readings are both kept.
        let mut values = vec![5.0; 10_000];
        values[4_321] = 30.0;
        values[7_777] = -10.0;
        let s = series(&values);
        let kept = downsample(&s, 100);
        assert!(kept.len() <= 200, "{}", kept.len());
        assert!(kept.contains(&4_321));
        assert!(kept.contains(&7_777));
        assert!(kept.windows(2).all(|w| w[0] < w[1]), "in time order");
    }

    #[test]
    fn ticks_are_nice_numbers() {
        assert_eq!(nice_step(10.0, 5.0), 2.0);
        assert_eq!(nice_step(7.0, 6.0), 2.0);
        assert_eq!(nice_step(0.9, 6.0), 0.2);
        assert_eq!(nice_step(60.0, 6.0), 10.0);
    }
}
