//! The banner Usage and Billing show while usage is at 75 % or more of a
//! threshold: a warning, or, at a cap, what is paused and how to open it.

use leptos::prelude::*;

use super::{Standing, ThresholdsView};

#[component]
pub fn ThresholdBanner(view: ThresholdsView, usage_path: String) -> impl IntoView {
    let capped: Vec<Standing> = view.standings.iter().filter(|s| s.capped).cloned().collect();
    let near: Vec<Standing> = view.standings.iter().filter(|s| !s.capped && s.percent >= 75).cloned().collect();
    let next = view.period.next().label_first_day();
    let cap = (!capped.is_empty()).then(|| {
        let what = capped
            .iter()
            .map(|s| format!("{} {} of {}", s.metric.noun(), s.metric.format(s.used), s.metric.format(s.threshold.amount)))
            .collect::<Vec<_>>()
            .join("; ");
        view! {
            <div class="notice notice-error threshold-banner" role="alert">
                <strong>"Paused: usage cap reached. "</strong>
                {format!("Your {what}. Every workspace of yours refuses new connections until you raise or remove the cap, or the period ends on {next}. ")}
                <a href=format!("{usage_path}#thresholds")>"Change the cap"</a>
            </div>
        }
    });
    let warnings = near
        .into_iter()
        .map(|s| {
            let over = s.percent >= 100;
            view! {
                <div class="notice notice-warn threshold-banner" role="status">
                    <strong>{if over { "Over a threshold. " } else { "Nearing a threshold. " }}</strong>
                    {format!("Your {} this period is {} of {} ({} %). ", s.metric.noun(), s.metric.format(s.used), s.metric.format(s.threshold.amount), s.percent)}
                    <a href=format!("{usage_path}#thresholds")>"See thresholds"</a>
                </div>
            }
        })
        .collect_view();
    view! { {cap} {warnings} }
}
