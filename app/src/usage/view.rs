//! The Usage page: a period's totals, a chart per figure, and a table per
//! workspace. Periods are links (`?period=YYYY-MM`), so they work without
//! JavaScript and can be bookmarked.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::chart::DailyBars;
use super::thresholds::{usage_thresholds, ThresholdBanner, ThresholdsSection, ThresholdsView};
use super::{format_bytes, format_duration, interval_text, usage_for_period, UsageReport};
use crate::access::use_handle;
use crate::error::AppError;
use crate::ui::ErrorPanel;

/// What the Usage page loads, asked for as soon as its route is chosen,
/// while the page's own code is still on its way.
pub struct UsageData {
    report: Resource<Result<UsageReport, AppError>>,
    thresholds: Resource<Result<ThresholdsView, AppError>>,
}

impl UsageData {
    pub fn start() -> Self {
        let handle = use_handle();
        let query = use_query_map();
        let period = Memo::new(move |_| query.read().get("period").unwrap_or_default());
        Self {
            report: Resource::new(move || (handle.get(), period.get()), |(h, p)| usage_for_period(h, p)),
            thresholds: Resource::new(move || handle.get(), usage_thresholds),
        }
    }
}

#[component]
pub fn UsagePage(data: UsageData) -> impl IntoView {
    let (report, thresholds) = (data.report, data.thresholds);
    view! {
        <Title text="Usage"/>
        <UsageBanner thresholds/>
        <section class="panel" aria-labelledby="usage-title">
            <div class="panel-head">
                <h2 id="usage-title">"Usage"</h2>
            </div>
            <p class="muted">"Storage and compute time across your workspaces, per billing period (a calendar month, UTC)."</p>
            <Suspense fallback=|| view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading usage…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(report) => view! { <Report report/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
        <ThresholdsSection view=thresholds/>
    }
}

/// The thresholds' banner, once they have loaded (nothing while they load
/// or if they cannot: the section below says why).
#[component]
pub fn UsageBanner(thresholds: Resource<Result<ThresholdsView, AppError>>) -> impl IntoView {
    let handle = use_handle();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                thresholds.await.ok().map(|view| {
                    let usage_path = format!("/user/{}/advanced/usage", handle.get_untracked());
                    view! { <ThresholdBanner view usage_path/> }
                })
            })}
        </Suspense>
    }
}

#[component]
fn Report(report: UsageReport) -> impl IntoView {
    let handle = use_handle();
    let base = format!("/user/{}/advanced/usage", handle.get_untracked());
    let current = report.period;
    let periods = report
        .periods
        .iter()
        .map(|p| {
            let here = *p == current;
            view! {
                <a href=format!("{base}?period={}", p.key()) class="pill" aria-current=here.then_some("page")>{p.label()}</a>
            }
        })
        .collect_view();
    let compute_total = report.total_compute_ms();
    let storage_peak = report.peak_storage_bytes();
    let empty = compute_total == 0 && storage_peak == 0;
    let compute: Vec<(String, i64)> = report.days.iter().map(|d| (d.date.clone(), d.compute_ms)).collect();
    let storage: Vec<(String, i64)> = report.days.iter().map(|d| (d.date.clone(), d.storage_bytes)).collect();
    let rows = report
        .workspaces
        .iter()
        .map(|w| {
            view! {
                <tr>
                    <th scope="row" class="mono">{w.workspace.clone()}</th>
                    <td class="num">{format_duration(w.compute_ms)}</td>
                    <td class="num">{format_bytes(w.storage_bytes)}</td>
                </tr>
            }
        })
        .collect_view();
    let sample = report.sample_until.clone().map(|until| {
        view! {
            <p class="sample-note" role="note">{format!(
                "This demo account's figures before {until} are a generated sample, there to show the charts; from {until} on they are measured from its workspaces."
            )}</p>
        }
    });
    let csv = format!("/user/{}/usage/export.csv?period={}", handle.get_untracked(), current.key());
    let measured = match &report.measured_at {
        Some(at) => format!("Last updated {} UTC.", crate::ui::day_and_time(at)),
        None => "Not measured yet: figures show after your workspaces are first used.".to_owned(),
    };
    view! {
        <p class="muted measured-note">
            {format!(
                "Compute time is the time statements run in your workspaces' databases, added up over every session; storage is each database's size on disk, its largest reading of the day. Sluice measures them {}. ",
                interval_text(report.interval_secs)
            )}
            {measured}
        </p>
        <nav class="pills" aria-label="Billing period">{periods}</nav>
        <div class="period-head">
            <h3 class="period-title">{current.label()}</h3>
            <a class="button button-secondary" href=csv download="">"Download CSV"</a>
        </div>
        {sample}
        {if empty {
            view! { <p class="empty">{format!("No usage in {}. Storage and compute time show here once your workspaces are used.", current.label())}</p> }.into_any()
        } else {
            view! {
                <dl class="stat-cards">
                    <div class="stat"><dt>"Compute time"</dt><dd>{format_duration(compute_total)}</dd></div>
                    <div class="stat"><dt>"Peak storage"</dt><dd>{format_bytes(storage_peak)}</dd></div>
                    <div class="stat"><dt>"Workspaces used"</dt><dd>{report.workspaces.len()}</dd></div>
                </dl>
                <DailyBars id="usage-compute" title="Compute time" points=compute format=format_duration units=&[60_000, 3_600_000]
                    total=format!("{} in total", format_duration(compute_total))/>
                <DailyBars id="usage-storage" title="Storage" points=storage format=format_bytes units=&[1 << 20, 1 << 30]
                    total=format!("{} at the peak", format_bytes(storage_peak))/>
                <div class="table-scroll"><table class="data-table">
                    <caption>"By workspace"</caption>
                    <thead><tr><th scope="col">"Workspace"</th><th scope="col" class="num">"Compute time"</th><th scope="col" class="num">"Peak storage"</th></tr></thead>
                    <tbody>{rows}</tbody>
                    <tfoot><tr><th scope="row">"Total"</th><td class="num">{format_duration(compute_total)}</td><td class="num">{format_bytes(storage_peak)}</td></tr></tfoot>
                </table></div>
            }.into_any()
        }}
    }
}
