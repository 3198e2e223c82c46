//! The Usage Thresholds section: one row per threshold (amount, action,
//! where usage stands), a summary of what a cap does that follows the form
//! as it is filled in, and Save. Posts without script too.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::parse::{form_value, parse_threshold};
use super::{Action, Metric, SetUsageThresholds, ThresholdsView};
use crate::error::AppError;
use crate::ui::{typed_before_live, ErrorPanel, HandleField};
use crate::usage::Period;

/// The form's name, unit and hint of each metric.
fn field(metric: Metric) -> (&'static str, &'static str, &'static str, &'static str) {
    match metric {
        Metric::Compute => ("compute_hours", "compute_action", "hours", "Compute time"),
        Metric::Storage => ("storage_gib", "storage_action", "GiB", "Storage (peak)"),
        Metric::Spend => ("spend_dollars", "spend_action", "USD", "Spend (estimate)"),
    }
}

#[component]
pub fn ThresholdsSection(view: Resource<Result<ThresholdsView, AppError>>) -> impl IntoView {
    let action = ServerAction::<SetUsageThresholds>::new();
    // A save shows the new standing at once.
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            view.refetch();
        }
    });
    view! {
        <section class="panel" id="thresholds" aria-labelledby="thresholds-title">
            <div class="panel-head">
                <h2 id="thresholds-title">"Usage Thresholds"</h2>
            </div>
            <p class="muted">"Get an e-mail when usage reaches 75 % and 100 % of a threshold, then at every further 25 % up to 1000 %, once per step each billing period. "
                <strong>"Cap and warn"</strong>" also pauses your workspaces at 100 %, and billing never charges past the cap."</p>
            <Suspense fallback=|| view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading thresholds…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(current) => view! { <Form current action/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Form(current: ThresholdsView, action: ServerAction<SetUsageThresholds>) -> impl IntoView {
    let read_only = current.tenant.is_some();
    let period = current.period;
    let rows = Metric::ALL.map(|metric| {
        let (amount_name, _, _, _) = field(metric);
        let t = current.thresholds.get(metric);
        let amount = RwSignal::new(
            typed_before_live(amount_name)
                .unwrap_or_else(|| t.map(|t| form_value(metric, t.amount)).unwrap_or_default()),
        );
        let chosen = RwSignal::new(t.map(|t| t.action).unwrap_or_default());
        (metric, amount, chosen)
    });
    let saved = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            saved.set(true);
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    let problems = move || {
        rows.iter()
            .filter_map(|(metric, amount, chosen)| {
                parse_threshold(*metric, &amount.get(), chosen.get().as_str()).err().map(|e| e.to_string())
            })
            .collect::<Vec<_>>()
    };
    let standings = current.standings.clone();
    let tenant_note = current.tenant.clone().map(|tenant| {
        view! { <p class="sample-note" role="note">"The tenant " <strong class="mono">{tenant}</strong> " manages this account's usage: its thresholds are shown here and cannot be changed."</p> }
    });
    view! {
        {tenant_note}
        <ActionForm action attr:class="thresholds-form" attr:aria-describedby="cap-summary">
            <HandleField/>
            <div class="threshold-rows">
                {rows.into_iter().map(|(metric, amount, chosen)| {
                    let standing = standings.iter().find(|s| s.metric == metric).cloned();
                    view! { <ThresholdRow metric amount chosen standing read_only saved/> }
                }).collect_view()}
            </div>
            <CapSummary rows period/>
            <p class="field-error" aria-live="polite">{move || problems().into_iter().next()}</p>
            {(!read_only).then(|| view! {
                <div class="form-actions">
                    <button type="submit" class="button" disabled=move || action.pending().get() || !problems().is_empty()>
                        {move || if action.pending().get() { "Saving…" } else { "Save thresholds" }}
                    </button>
                    <span class="field-ok" role="status">{move || saved.get().then_some("Saved. They apply from this period on.")}</span>
                </div>
            })}
            {move || error().map(|error| view! { <ErrorPanel error/> })}
        </ActionForm>
    }
}

#[component]
fn ThresholdRow(
    metric: Metric,
    amount: RwSignal<String>,
    chosen: RwSignal<Action>,
    standing: Option<super::Standing>,
    read_only: bool,
    saved: RwSignal<bool>,
) -> impl IntoView {
    let (amount_name, action_name, unit, label) = field(metric);
    let action_id = format!("{action_name}-select");
    let hint_id = format!("{amount_name}-standing");
    let described = hint_id.clone();
    let initial = amount.get_untracked();
    let standing_view = standing.map(|s| {
        let pct = s.percent.min(100);
        let class = if s.capped || s.percent >= 100 { "meter meter-over" } else if s.percent >= 75 { "meter meter-near" } else { "meter" };
        view! {
            <div class=class>
                <progress max="100" value=pct.to_string() aria-hidden="true"></progress>
                <span>{format!("{} of {} used ({} %)", metric.format(s.used), metric.format(s.threshold.amount), s.percent)}
                    {s.capped.then(|| view! { " · " <strong>"Cap reached"</strong> })}</span>
            </div>
        }
    });
    view! {
        <fieldset class="threshold-row" aria-describedby=described>
            <legend>{label}</legend>
            <div class="field-row">
                <label class="visually-hidden" for=amount_name>{format!("{label} threshold, in {unit}")}</label>
                <input id=amount_name name=amount_name type="text" inputmode="decimal" autocomplete="off"
                    placeholder="No threshold" disabled=read_only value=initial
                    prop:value=move || amount.get()
                    on:input=move |ev| { saved.set(false); amount.set(event_target_value(&ev)); }/>
                <span class="unit" aria-hidden="true">{unit}</span>
                <label class="visually-hidden" for=action_id.clone()>{format!("When {label} reaches it")}</label>
                <select id=action_id name=action_name disabled=read_only
                    on:change=move |ev| { saved.set(false); chosen.set(Action::parse(&event_target_value(&ev)).unwrap_or_default()); }>
                    {[Action::Warn, Action::CapAndWarn].map(|a| view! {
                        <option value=a.as_str() selected=move || chosen.get() == a>{a.label()}</option>
                    })}
                </select>
            </div>
            <div id=hint_id class="threshold-standing">{standing_view}</div>
        </fieldset>
    }
}

/// What happens at the caps the form sets, as it stands now.
#[component]
fn CapSummary(rows: [(Metric, RwSignal<String>, RwSignal<Action>); 3], period: Period) -> impl IntoView {
    let summary = move || {
        let caps: Vec<String> = rows
            .iter()
            .filter_map(|(metric, amount, chosen)| {
                let t = parse_threshold(*metric, &amount.get(), chosen.get().as_str()).ok()??;
                (t.action == Action::CapAndWarn).then(|| format!("{} at {}", metric.noun(), metric.format(t.amount)))
            })
            .collect();
        if caps.is_empty() {
            return view! { <p id="cap-summary" class="cap-summary" aria-live="polite">"No cap: thresholds only send warnings, and nothing is stopped."</p> }.into_any();
        }
        view! {
            <div id="cap-summary" class="cap-summary cap-summary-on" aria-live="polite">
                <p><strong>{format!("At the cap ({}):", caps.join("; "))}</strong></p>
                <ul>
                    <li>"every workspace of yours refuses new connections, and open ones end;"</li>
                    <li>"no new workspace can be made;"</li>
                    <li>"billing charges nothing past the cap."</li>
                </ul>
                <p class="muted">{format!(
                    "Raise or remove the cap here and your workspaces open again within seconds; otherwise they open when the period ends ({} UTC).",
                    period.next().label_first_day()
                )}</p>
            </div>
        }.into_any()
    };
    view! { {summary} }
}
