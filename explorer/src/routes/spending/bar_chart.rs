//! Grouped horizontal bar charts as inline SVG, built in Rust with every text escaped. The
//! page puts the same figures in a table next to each chart, so the chart is never the only
//! way to read them.

/// One series of bars (budget, committed, paid; scope 1, 2, 3 …): its legend and CSS class.
pub struct Series {
    pub label: &'static str,
    /// A class from app.css (`bar-1` … `bar-4`) that gives the bars their colour.
    pub class: &'static str,
}

/// One group of bars: a label and one value per series (`None`: no figure, no bar).
pub struct Group {
    pub label: String,
    pub values: Vec<Option<f64>>,
}

const WIDTH: f64 = 720.0;
const LABEL_WIDTH: f64 = 230.0;
/// Longer group labels are cut to this many characters (with an ellipsis) to fit.
const LABEL_CHARS: usize = 30;
const BAR: f64 = 14.0;
const GAP: f64 = 12.0;
const LEGEND: f64 = 28.0;
/// Room below the bars for the axis values.
const AXIS: f64 = 16.0;

/// Escape text for SVG/XML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An SVG (`role="img"`, `<title>` and `aria-label`) of `groups`, bars scaled to the largest
/// value; negative values are drawn as 0-length bars (the table shows them).
pub fn grouped_bars(title: &str, series: &[Series], groups: &[Group]) -> String {
    let max = groups
        .iter()
        .flat_map(|g| g.values.iter().flatten())
        .fold(0.0_f64, |m, v| m.max(*v));
    let per_group = BAR * series.len() as f64 + GAP;
    let bottom = LEGEND + per_group * groups.len() as f64;
    let height = bottom + AXIS + 8.0;
    let plot = WIDTH - LABEL_WIDTH - 10.0;
    let title = escape(title);
    let mut svg = format!(
        "<svg class=\"spend-chart\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 {WIDTH} {height}\" preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\"><title>{title}</title>"
    );
    let mut x = LABEL_WIDTH;
    for s in series {
        svg.push_str(&format!(
            "<rect class=\"{}\" x=\"{x}\" y=\"4\" width=\"12\" height=\"12\"/><text class=\"legend\" x=\"{}\" y=\"14\">{}</text>",
            s.class,
            x + 16.0,
            escape(s.label)
        ));
        x += 30.0 + 8.0 * s.label.chars().count() as f64;
    }
    for (i, g) in groups.iter().enumerate() {
        let top = LEGEND + per_group * i as f64;
        let label: String = if g.label.chars().count() > LABEL_CHARS {
            let cut: String = g.label.chars().take(LABEL_CHARS - 1).collect();
            format!("{}…", cut.trim_end())
        } else {
            g.label.clone()
        };
        svg.push_str(&format!(
            "<text class=\"group-label\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            LABEL_WIDTH - 8.0,
            top + BAR * series.len() as f64 / 2.0 + 4.0,
            escape(&label)
        ));
        for (j, (s, v)) in series.iter().zip(&g.values).enumerate() {
            let Some(v) = v else { continue };
            let w = if max > 0.0 {
                (v.max(0.0) / max * plot).max(if *v > 0.0 { 1.0 } else { 0.0 })
            } else {
                0.0
            };
            svg.push_str(&format!(
                "<rect class=\"{}\" x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{w:.1}\" height=\"{}\"/>",
                s.class,
                top + BAR * j as f64,
                BAR - 2.0
            ));
        }
    }
    svg.push_str(&format!(
        "<line class=\"axis\" x1=\"{LABEL_WIDTH}\" y1=\"{LEGEND}\" x2=\"{LABEL_WIDTH}\" y2=\"{bottom}\"/>"
    ));
    for tick in ticks(max) {
        let x = LABEL_WIDTH + tick / max * plot;
        svg.push_str(&format!(
            "<line class=\"tick\" stroke=\"#d0d7de\" stroke-width=\"1\" x1=\"{x:.1}\" y1=\"{LEGEND}\" x2=\"{x:.1}\" y2=\"{}\"/><text class=\"tick-label\" x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            bottom + 3.0,
            bottom + AXIS,
            escape(&tick_label(tick))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The axis values: 0 and the multiples of a round step (1, 2 or 5 × 10ⁿ, about a quarter of
/// the largest value) up to the largest value; none when there is nothing to scale.
fn ticks(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return Vec::new();
    }
    let rough = max / 4.0;
    let magnitude = 10f64.powf(rough.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    (0..=4)
        .map(|i| step * f64::from(i))
        .take_while(|t| *t <= max * (1.0 + 1e-9))
        .collect()
}

/// An axis value as people read it on a chart: `0`, `750`, `250 k`, `1.5 M`, `2 bn`.
fn tick_label(value: f64) -> String {
    let (scaled, suffix) = if value >= 1e9 {
        (value / 1e9, " bn")
    } else if value >= 1e6 {
        (value / 1e6, " M")
    } else if value >= 1e3 {
        (value / 1e3, " k")
    } else {
        (value, "")
    };
    let text = format!("{scaled:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}{suffix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped_and_bars_scale_to_the_largest() {
        let svg = grouped_bars(
            "Budget <b>",
            &[
                Series {
                    label: "a",
                    class: "bar-1",
                },
                Series {
                    label: "b",
                    class: "bar-2",
                },
            ],
            &[
                Group {
                    label: "<script>alert(1)</script>".into(),
                    values: vec![Some(100.0), Some(50.0)],
                },
                Group {
                    label: "x".into(),
                    values: vec![None, Some(0.0)],
                },
                Group {
                    label: "Environment and Waste Department (EUR)".into(),
                    values: vec![None, None],
                },
            ],
        );
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("aria-label=\"Budget &lt;b&gt;\""));
        assert!(svg.contains(">Environment and Waste Departm…<"));
        // plot width 720 - 230 - 10 = 480: the largest bar is 480, half of it 240.
        assert!(svg.contains("width=\"480.0\""));
        assert!(svg.contains("width=\"240.0\""));
        // Axis values: a step of 50 (a quarter of 100 is 25, rounded up to 1, 2 or 5 × 10ⁿ):
        // 0 at x = 230, 50 at 230 + 240, 100 at 230 + 480.
        assert!(
            svg.contains("x=\"230.0\" y=\"164\" text-anchor=\"middle\">0<"),
            "{svg}"
        );
        assert!(svg.contains("x=\"470.0\" y=\"164\" text-anchor=\"middle\">50<"));
        assert!(svg.contains("x=\"710.0\" y=\"164\" text-anchor=\"middle\">100<"));
    }

    #[test]
    fn axis_values_are_round_and_read_as_people_write_them() {
        assert_eq!(ticks(1_100_000.0), [0.0, 500_000.0, 1_000_000.0]);
        assert_eq!(ticks(4_000.0), [0.0, 1_000.0, 2_000.0, 3_000.0, 4_000.0]);
        assert_eq!(ticks(0.0), Vec::<f64>::new());
        assert_eq!(tick_label(500_000.0), "500 k");
        assert_eq!(tick_label(1_500_000.0), "1.5 M");
        assert_eq!(tick_label(33_000_000.0), "33 M");
        assert_eq!(tick_label(2e9), "2 bn");
        assert_eq!(tick_label(0.0), "0");
        assert_eq!(tick_label(12.5), "12.5");
    }
}
