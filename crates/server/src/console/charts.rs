//! Charts drawn on the server as SVG (no chart library, nothing fetched by the
//! browser): bars by day and ranked horizontal bars. Each chart names itself for
//! screen readers (`role="img"`, `aria-label`); the page puts the numbers in a table
//! beside it.

/// `text` safe inside SVG text and attributes.
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round step for an axis of four steps that reaches `max` (1, 2 or 5 times a power
/// of ten).
fn step_for(max: i64) -> i64 {
    let mut power = 1i64;
    loop {
        for m in [1, 2, 5] {
            if power.saturating_mul(m).saturating_mul(4) >= max.max(1) {
                return power * m;
            }
        }
        power = power.saturating_mul(10);
    }
}

const INK: &str = "#8e1b1b";
const GRID: &str = "#e5e9ee";
const LABEL: &str = "#52606d";
const TEXT: &str = "#1f2933";

/// Vertical bars, one per `(label, value)` in order (days), every `label_every`-th
/// label shown under the axis.
pub fn columns(title: &str, bars: &[(String, i64)], label_every: usize) -> String {
    let (w, h, left, bottom, top) = (720.0, 240.0, 56.0, 28.0, 12.0);
    let step = step_for(bars.iter().map(|b| b.1).max().unwrap_or(0));
    let top_value = step * 4;
    let plot_h = h - bottom - top;
    let slot = (w - left - 8.0) / bars.len().max(1) as f64;
    let mut out = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="100%" style="max-width:900px" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" font-size="11" font-family="sans-serif">"#,
        escaped(title)
    );
    for i in 0..=4 {
        let v = step * i;
        let y = top + plot_h - plot_h * (i as f64 / 4.0);
        out.push_str(&format!(
            r#"<line x1="{left}" x2="{}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{}" y="{:.1}" text-anchor="end" fill="{LABEL}">{v}</text>"#,
            w - 8.0,
            left - 6.0,
            y + 4.0
        ));
    }
    for (i, (label, value)) in bars.iter().enumerate() {
        let bar_h = plot_h * (*value as f64 / top_value as f64);
        let x = left + slot * i as f64 + slot * 0.15;
        out.push_str(&format!(
            r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{bar_h:.1}" fill="{INK}"><title>{}：{value}</title></rect>"#,
            top + plot_h - bar_h,
            slot * 0.7,
            escaped(label)
        ));
        if i % label_every.max(1) == 0 {
            out.push_str(&format!(
                r#"<text x="{:.1}" y="{}" text-anchor="middle" fill="{LABEL}">{}</text>"#,
                x + slot * 0.35,
                h - 10.0,
                escaped(label)
            ));
        }
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, largest first as given, each with its label and value.
pub fn ranked(title: &str, bars: &[(String, i64)]) -> String {
    let (w, row, label_w) = (560.0, 26.0, 210.0);
    let h = row * bars.len().max(1) as f64 + 8.0;
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1) as f64;
    let plot_w = w - label_w - 70.0;
    let mut out = format!(
        r#"<svg viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg" font-size="12" font-family="sans-serif">"#,
        escaped(title)
    );
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let bar_w = plot_w * (*value as f64 / max);
        let shown: String = label.chars().take(16).collect();
        out.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="{LABEL}">{}</text><rect x="{label_w}" y="{:.1}" width="{bar_w:.1}" height="{:.1}" fill="{INK}"><title>{}：{value}</title></rect><text x="{:.1}" y="{:.1}" fill="{TEXT}">{value}</text>"#,
            label_w - 8.0,
            y + row * 0.62,
            escaped(&shown),
            y + 3.0,
            row - 8.0,
            escaped(label),
            label_w + bar_w + 6.0,
            y + row * 0.62
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_a_round_axis_and_labels_are_escaped() {
        assert_eq!(
            (step_for(0), step_for(7), step_for(12), step_for(480)),
            (1, 2, 5, 200)
        );
        let svg = columns("每日调用", &[("12-01".into(), 40), ("12-02".into(), 80)], 1);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(
            svg.contains(r#"height="200.0""#) && svg.contains(r#"height="100.0""#),
            "80 on an axis to 80 fills the plot, 40 half of it: {svg}"
        );
        let svg = ranked("部门", &[("<script>".into(), 3)]);
        assert!(svg.contains("&lt;script&gt;") && !svg.contains("<script>"));
    }
}
