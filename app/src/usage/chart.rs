//! A bar chart of one figure per day, drawn as SVG on the server (it reads
//! without JavaScript), with the same figures in a table for screen
//! readers.

use leptos::prelude::*;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 84.0;
const BOTTOM: f64 = 28.0;
const TOP: f64 = 12.0;

/// A round number at or above `max`, so the axis reads well: 1, 2 or 5 × 10ⁿ.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].into_iter().map(|m| m * magnitude).find(|&v| v >= max).unwrap_or(10.0 * magnitude)
}

/// The axis's top: a round number of the largest of `units` (ascending,
/// e.g. a minute and an hour) that the largest value reaches.
fn axis_top(max: i64, units: &[i64]) -> f64 {
    let unit = units.iter().rev().find(|&&u| max >= u).or(units.first()).copied().unwrap_or(1) as f64;
    nice_ceiling(max as f64 / unit) * unit
}

/// `points`: (YYYY-MM-DD, value). `format` writes a value as people read
/// it; `units` are the steps the axis may count in, smallest first.
#[component]
pub fn DailyBars(
    id: &'static str,
    title: &'static str,
    points: Vec<(String, i64)>,
    format: fn(i64) -> String,
    units: &'static [i64],
    total: String,
) -> impl IntoView {
    let top = axis_top(points.iter().map(|p| p.1).max().unwrap_or(0), units);
    let plot_w = WIDTH - LEFT - 8.0;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / points.len().max(1) as f64;
    let bar = (slot * 0.7).max(1.0);
    let y = move |v: f64| TOP + plot_h - v / top * plot_h;
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|f| {
            let at = y(top * f);
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - 8.0 y1=at y2=at/>
                <text class="chart-axis" x=LEFT - 6.0 y=at + 5.0 text-anchor="end">{format((top * f) as i64)}</text>
            }
        })
        .collect_view();
    let bars = points
        .iter()
        .enumerate()
        .map(|(i, (date, value))| {
            let x = LEFT + i as f64 * slot + (slot - bar) / 2.0;
            let top_y = y(*value as f64);
            let label = (i % 5 == 0).then(|| {
                view! {
                    <text class="chart-axis" x=x + bar / 2.0 y=HEIGHT - 6.0 text-anchor="middle">{date[8..].to_owned()}</text>
                }
            });
            view! {
                <rect class="chart-bar" x=x y=top_y width=bar height=(TOP + plot_h - top_y).max(0.0) rx="1.5">
                    <title>{format!("{date}: {}", format(*value))}</title>
                </rect>
                {label}
            }
        })
        .collect_view();
    let caption_id = format!("{id}-caption");
    let labelled = caption_id.clone();
    let summary = format!("{title}: one bar per day, {total} in total. The table that follows lists each day.");
    let rows = points
        .into_iter()
        .map(|(date, value)| view! { <tr><th scope="row">{date}</th><td>{format(value)}</td></tr> })
        .collect_view();
    view! {
        <figure class="chart" aria-labelledby=labelled>
            <figcaption id=caption_id>
                <span class="chart-title">{title}</span>
                <span class="chart-total">{total.clone()}</span>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary>
                {grid}
                {bars}
            </svg>
            <table class="visually-hidden">
                <caption>{format!("{title} per day")}</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">{title}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::{axis_top, nice_ceiling};

    #[test]
    fn the_axis_counts_in_the_largest_unit_reached() {
        const UNITS: &[i64] = &[60_000, 3_600_000];
        // 3 h 53 min → 5 h; 42 min → 50 min; nothing → one minute.
        assert_eq!(axis_top(3 * 3_600_000 + 53 * 60_000, UNITS), 5.0 * 3_600_000.0);
        assert_eq!(axis_top(42 * 60_000, UNITS), 50.0 * 60_000.0);
        assert_eq!(axis_top(0, UNITS), 60_000.0);
    }

    #[test]
    fn the_axis_ends_on_a_round_number() {
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(nice_ceiling(7.0), 10.0);
        assert_eq!(nice_ceiling(130.0), 200.0);
        assert_eq!(nice_ceiling(4_100.0), 5_000.0);
        assert_eq!(nice_ceiling(1_000.0), 1_000.0);
    }
}
