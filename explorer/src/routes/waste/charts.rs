//! The waste area's charts, drawn on the server as inline SVG (the templates render these
//! shapes; every label is escaped there). The same figures are in the tables beside them.

/// A rectangle with its class and `<title>`.
pub struct Bar {
    pub x: String,
    pub y: String,
    pub w: String,
    pub h: String,
    pub class: &'static str,
    pub title: String,
}

pub struct Label {
    pub x: String,
    pub y: String,
    pub text: String,
    pub class: &'static str,
}

pub struct BarChart {
    pub id: String,
    pub title: String,
    pub description: String,
    pub width: String,
    pub height: String,
    pub bars: Vec<Bar>,
    pub labels: Vec<Label>,
    /// Axis and grid lines: (x1, y1, x2, y2, class).
    pub lines: Vec<(String, String, String, String, &'static str)>,
}

fn n(v: f64) -> String {
    format!("{v:.1}")
}

/// One row of the rates chart: its label and each class's share in percent.
pub struct ShareRow {
    pub label: String,
    /// (share in %, class, name) in drawing order.
    pub shares: Vec<(f64, &'static str, &'static str)>,
}

/// Horizontal 100 % bars, one per row, each split into the classes' shares.
pub fn shares_chart(id: &str, title: &str, rows: &[ShareRow]) -> BarChart {
    const WIDTH: f64 = 800.0;
    const LABEL: f64 = 170.0;
    const ROW: f64 = 26.0;
    const TOP: f64 = 8.0;
    let bar_w = WIDTH - LABEL - 20.0;
    let height = TOP + ROW * rows.len() as f64 + 28.0;
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        labels.push(Label {
            x: n(LABEL - 8.0),
            y: n(y + ROW / 2.0),
            text: row.label.clone(),
            class: "row-label",
        });
        let mut x = LABEL;
        for (share, class, name) in &row.shares {
            let w = share.max(0.0) / 100.0 * bar_w;
            if w > 0.0 {
                bars.push(Bar {
                    x: n(x),
                    y: n(y + 3.0),
                    w: n(w),
                    h: n(ROW - 6.0),
                    class,
                    title: format!("{}: {name} {share:.2} %", row.label),
                });
            }
            x += w;
        }
    }
    let axis_y = TOP + ROW * rows.len() as f64;
    for pct in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let x = LABEL + pct / 100.0 * bar_w;
        lines.push((n(x), n(TOP), n(x), n(axis_y + 4.0), "grid"));
        labels.push(Label {
            x: n(x),
            y: n(axis_y + 18.0),
            text: format!("{pct:.0} %"),
            class: "x-label",
        });
    }
    BarChart {
        id: id.to_string(),
        title: title.to_string(),
        description: format!(
            "{} bars, each the mass treated split by what the operation counts as; the table below gives the same figures.",
            rows.len()
        ),
        width: n(WIDTH),
        height: n(height),
        bars,
        labels,
        lines,
    }
}

/// One period of a mass balance chart.
pub struct BalanceColumn {
    pub label: String,
    pub received: f64,
    pub sent: f64,
    pub unexplained: f64,
    pub flagged: bool,
}

/// Received and sent as bars per period, unexplained mass as a third bar below or above the
/// zero line; flagged periods marked.
pub fn balance_chart(id: &str, title: &str, columns: &[BalanceColumn]) -> BarChart {
    const WIDTH: f64 = 800.0;
    const HEIGHT: f64 = 240.0;
    const LEFT: f64 = 70.0;
    const TOP: f64 = 12.0;
    const BOTTOM: f64 = 40.0;
    let plot_w = WIDTH - LEFT - 10.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let hi = columns
        .iter()
        .flat_map(|c| [c.received, c.sent, c.unexplained])
        .fold(1.0_f64, f64::max);
    let lo = columns
        .iter()
        .map(|c| c.unexplained)
        .fold(0.0_f64, f64::min);
    let y = |v: f64| TOP + (hi - v) / (hi - lo) * plot_h;
    let slot = plot_w / columns.len().max(1) as f64;
    let bar = (slot / 4.0).min(28.0);
    let mut bars = Vec::new();
    let mut labels = Vec::new();
    let lines = vec![(n(LEFT), n(y(0.0)), n(WIDTH - 10.0), n(y(0.0)), "axis-line")];
    for (i, c) in columns.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - 3.0 * bar) / 2.0;
        for (k, (value, class, name)) in [
            (c.received, "bar-in", "received"),
            (c.sent, "bar-out", "sent"),
            (
                c.unexplained,
                if c.flagged {
                    "bar-unexplained flagged"
                } else {
                    "bar-unexplained"
                },
                "unexplained",
            ),
        ]
        .into_iter()
        .enumerate()
        {
            let (top, bottom) = if value >= 0.0 {
                (y(value), y(0.0))
            } else {
                (y(0.0), y(value))
            };
            bars.push(Bar {
                x: n(x + bar * k as f64),
                y: n(top),
                w: n(bar - 2.0),
                h: n((bottom - top).max(0.5)),
                class,
                title: format!("{}: {name} {value:.0} kg", c.label),
            });
        }
        labels.push(Label {
            x: n(LEFT + slot * (i as f64 + 0.5)),
            y: n(HEIGHT - BOTTOM + 18.0),
            text: if c.flagged {
                format!("{} ⚠", c.label)
            } else {
                c.label.clone()
            },
            class: "x-label",
        });
    }
    let mut ticks = vec![0.0, hi];
    // The lowest value gets a label only where it does not sit on the zero line's.
    if lo < 0.0 && y(lo) - y(0.0) > 14.0 {
        ticks.push(lo);
    }
    for v in ticks {
        labels.push(Label {
            x: n(LEFT - 6.0),
            y: n(y(v)),
            text: format!("{v:.0} kg").replace('-', "−"),
            class: "y-label",
        });
    }
    BarChart {
        id: id.to_string(),
        title: title.to_string(),
        description: format!(
            "{} periods: mass received, mass sent and unexplained mass per period; flagged periods are marked ⚠. The table below gives the same figures.",
            columns.len()
        ),
        width: n(WIDTH),
        height: n(HEIGHT),
        bars,
        labels,
        lines,
    }
}
