//! The Billing page: plan and period, the estimate so far, the invoices.

use leptos::prelude::*;
use leptos_meta::Title;

use super::pricing::{dollars, Line};
use super::{billing_summary, BillingState};
use crate::access::session::Viewer;
use crate::access::use_handle;
use crate::ui::ErrorPanel;
use crate::usage::thresholds::usage_thresholds;
use crate::usage::UsageBanner;

#[component]
pub fn BillingPage() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    match viewer.get_untracked().tenant {
        Some(tenant) => view! { <NoBilling tenant/> }.into_any(),
        None => view! { <Billing/> }.into_any(),
    }
}

/// A tenant member's account has no Billing page: a 404 that says why.
#[component]
fn NoBilling(tenant: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <section class="panel" aria-labelledby="no-billing-title">
            <p class="eyebrow">"404"</p>
            <h2 id="no-billing-title">"This page does not exist"</h2>
            <p class="muted">"Your account belongs to the tenant " <strong class="mono">{tenant}</strong> ", which manages its billing."</p>
        </section>
    }
}

#[component]
fn Billing() -> impl IntoView {
    let handle = use_handle();
    let summary = Resource::new(move || handle.get(), billing_summary);
    let thresholds = Resource::new(move || handle.get(), usage_thresholds);
    view! {
        <Title text="Billing"/>
        <UsageBanner thresholds/>
        <Suspense fallback=|| view! { <section class="panel"><p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading billing…"</p></section> }>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(summary) => view! { <Summary summary/> }.into_any(),
                    Err(error) => view! { <section class="panel"><ErrorPanel error/></section> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Summary(summary: BillingState) -> impl IntoView {
    let handle = use_handle();
    let usage = format!("/user/{}/advanced/usage", handle.get_untracked());
    let status = summary.status.label();
    let invoices = summary.invoices.clone();
    let sample = summary.sample_until.clone().map(|until| {
        view! {
            <p class="sample-note" role="note">{format!(
                "This demo account's usage before {until} is a generated sample: the invoices and the estimate price it as if it were measured."
            )}</p>
        }
    });
    view! {
        <section class="panel" aria-labelledby="billing-title">
            <div class="panel-head">
                <h2 id="billing-title">"Billing"</h2>
            </div>
            {sample}
            <dl class="stat-cards">
                <div class="stat"><dt>"Plan"</dt><dd>{summary.plan.clone()}</dd></div>
                <div class="stat"><dt>"Status"</dt><dd><span class="badge badge-ok">{status}</span></dd></div>
                <div class="stat"><dt>"Current period"</dt><dd>{summary.period.label()}<span class="stat-note">{format!("Ends {}", summary.period.last_day())}</span></dd></div>
                <div class="stat"><dt>"Estimate so far"</dt><dd>{dollars(summary.estimate_cents)}</dd></div>
            </dl>
        </section>
        <section class="panel" aria-labelledby="estimate-title">
            <h2 id="estimate-title">{format!("Estimate for {}", summary.period.label())}</h2>
            <p class="muted">"Priced from the usage recorded so far this period; the invoice at its end is final. Compute time is the time statements run in your workspaces, added up over every session; storage is billed on the period's largest day. A cap set under Usage Thresholds holds what you are charged: nothing past it is billed. "
                {summary.measured_at.as_deref().map(|at| format!("Last updated {} UTC. ", crate::ui::day_and_time(at)))}
                <a href=usage>"See usage and thresholds"</a></p>
            <Lines lines=summary.estimate.clone() total=summary.estimate_cents caption="Estimate"/>
        </section>
        <section class="panel" aria-labelledby="invoices-title">
            <h2 id="invoices-title">"Invoices"</h2>
            {if invoices.is_empty() {
                view! { <p class="empty">{format!("No invoices yet. The first comes at the end of {}.", summary.period.label())}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll"><table class="data-table">
                        <caption class="visually-hidden">"Invoices, newest first"</caption>
                        <thead><tr><th scope="col">"Period"</th><th scope="col" class="hide-narrow">"Invoice"</th><th scope="col" class="num">"Total"</th><th scope="col">"Status"</th><th scope="col">"Download"</th></tr></thead>
                        <tbody>
                            {invoices.into_iter().map(|i| {
                                let anchor = i.number.clone();
                                let base = format!("/user/{}/billing/invoice/{}", handle.get_untracked(), i.number);
                                let label = i.period.label();
                                view! {
                                <tr id=anchor>
                                    <th scope="row">{i.period.label()}</th>
                                    <td class="mono hide-narrow">{i.number}</td>
                                    <td class="num">{dollars(i.total_cents)}</td>
                                    <td><span class="badge badge-ok">{i.status.label()}</span></td>
                                    <td class="downloads">
                                        <a href=base.clone() target="_blank" rel="noopener" aria-label=format!("Invoice for {label}, printable page")>"Invoice"</a>
                                        <a href=format!("{base}.csv") download="" aria-label=format!("Invoice for {label}, CSV")>"CSV"</a>
                                    </td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table></div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Lines(lines: Vec<Line>, total: i64, caption: &'static str) -> impl IntoView {
    view! {
        <div class="table-scroll"><table class="data-table">
            <caption class="visually-hidden">{caption}</caption>
            <thead><tr><th scope="col">"Item"</th><th scope="col" class="num">"Used"</th><th scope="col" class="num">"Included"</th><th scope="col" class="num">"Amount"</th></tr></thead>
            <tbody>
                {lines.into_iter().map(|l| view! {
                    <tr>
                        <th scope="row">{l.label}{(!l.note.is_empty()).then(|| view! { <span class="line-note">{l.note.clone()}</span> })}</th>
                        <td class="num">{l.used}</td>
                        <td class="num">{l.included}</td>
                        <td class="num">{dollars(l.cents)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot><tr><th scope="row" colspan="3">"Total"</th><td class="num">{dollars(total)}</td></tr></tfoot>
        </table></div>
    }
}
