//! The Audit Log page: filters (action, From, To) kept in the address so a
//! filtered view can be bookmarked and works without JavaScript, the
//! records newest first with each actor's avatar, **Load more** (a link to
//! the next page without JavaScript; appended in place with it), and
//! export of everything the filters match as CSV or JSON.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};
use serde_json::Value;

use super::{audit_log, describe, AuditFilter, AuditPage, AuditRecord, ACTIONS};
use crate::access::use_handle;
use crate::error::AppError;
use crate::ui::ErrorPanel;

/// What the Audit Log loads (the page its filter and cursor ask for),
/// asked for as soon as its route is chosen, while the page's own code is
/// still on its way.
pub struct AuditData {
    filter: Memo<AuditFilter>,
    after: Memo<String>,
    first: Resource<Result<AuditPage, AppError>>,
}

impl AuditData {
    pub fn start() -> Self {
        let handle = use_handle();
        let query = use_query_map();
        let filter = Memo::new(move |_| {
            let q = query.read();
            AuditFilter {
                action: q.get("action").unwrap_or_default(),
                from: q.get("from").unwrap_or_default(),
                to: q.get("to").unwrap_or_default(),
            }
        });
        let after = Memo::new(move |_| query.read().get("after").unwrap_or_default());
        let first = Resource::new(
            move || (handle.get(), filter.get(), after.get()),
            |(handle, filter, after)| audit_log(handle, filter, after),
        );
        Self { filter, after, first }
    }
}

#[component]
pub fn AuditLog(data: AuditData) -> impl IntoView {
    let handle = use_handle();
    let AuditData { filter, after, first } = data;
    // Pages fetched with Load more, after the first; a new filter drops them.
    let more = RwSignal::new(Vec::<AuditPage>::new());
    Effect::new(move |_| {
        filter.track();
        after.track();
        more.set(Vec::new());
    });
    let base = move || format!("/user/{}/activity", handle.get());
    let export = move |format: &str| filter.get().href(&format!("{}/export/{format}", base()), "");

    let navigate = use_navigate();
    let on_filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let form = event_target::<web_sys::HtmlFormElement>(&ev);
        let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
        let field = |name: &str| data.get(name).as_string().unwrap_or_default();
        let chosen = AuditFilter { action: field("action"), from: field("from"), to: field("to") };
        navigate(&chosen.href(&base(), ""), Default::default());
    };

    view! {
        <Title text="Audit Log"/>
        <section class="panel" aria-labelledby="audit-title">
            <div class="panel-head">
                <h2 id="audit-title">"Audit Log"</h2>
                <div class="audit-export">
                    <a class="button button-secondary" rel="external" download href=move || export("csv")>"Export CSV"</a>
                    <a class="button button-secondary" rel="external" download href=move || export("json")>"Export JSON"</a>
                </div>
            </div>
            <p class="help">"Every change to your account, through this console or the API, every sign-in and every refused authorization. Times are UTC."</p>
            <form class="audit-filters" method="get" action=base on:submit=on_filter aria-label="Filter the Audit Log">
                <div class="field">
                    <label for="audit-action">"Action"</label>
                    <select id="audit-action" name="action" prop:value=move || filter.get().action>
                        <option value="">"All actions"</option>
                        {ACTIONS.iter().map(|(name, words)| view! {
                            <option value=*name selected=move || filter.get().action == *name>{*words}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="audit-from">"From"</label>
                    <input id="audit-from" type="date" name="from" prop:value=move || filter.get().from/>
                </div>
                <div class="field">
                    <label for="audit-to">"To"</label>
                    <input id="audit-to" type="date" name="to" prop:value=move || filter.get().to/>
                </div>
                <div class="audit-filter-actions">
                    <button type="submit" class="button">"Filter"</button>
                    <Show when=move || !filter.get().is_empty()>
                        <a class="button button-secondary" href=base>"Clear"</a>
                    </Show>
                </div>
            </form>
            <Show when=move || !after.get().is_empty()>
                <p class="muted">
                    "Showing older records. "
                    <a href=move || filter.get().href(&base(), "")>"Back to the newest"</a>
                </p>
            </Show>
            <Suspense fallback=|| view! { <p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>"Loading the Audit Log…"</p> }>
                {move || Suspend::new(async move {
                    match first.await {
                        Ok(page) if page.items.is_empty() => {
                            if filter.get_untracked().is_empty() {
                                view! { <p class="empty">"Nothing has happened on this account yet."</p> }.into_any()
                            } else {
                                view! { <p class="empty">"No records match these filters."</p> }.into_any()
                            }
                        }
                        Ok(page) => view! { <Records page more filter base=Signal::derive(base)/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The table of the first page and any loaded after it, and Load more.
#[component]
fn Records(
    page: AuditPage,
    more: RwSignal<Vec<AuditPage>>,
    filter: Memo<AuditFilter>,
    base: Signal<String>,
) -> impl IntoView {
    let handle = use_handle();
    let first_next = page.next_token.clone();
    let next = move || {
        more.with(|pages| match pages.last() {
            Some(p) => p.next_token.clone(),
            None => first_next.clone(),
        })
    };
    let loading = RwSignal::new(false);
    let problem = RwSignal::new(None::<crate::error::AppError>);
    let next_href = {
        let next = next.clone();
        move || filter.get().href(&base.get(), &format!("after={}", next().unwrap_or_default()))
    };
    let load_more = {
        let next = next.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.prevent_default();
            let Some(token) = next() else { return };
            if loading.get_untracked() {
                return;
            }
            loading.set(true);
            problem.set(None);
            let (h, f) = (handle.get_untracked(), filter.get_untracked());
            leptos::task::spawn_local(async move {
                match audit_log(h, f, token).await {
                    Ok(page) => more.update(|pages| pages.push(page)),
                    Err(e) => problem.set(Some(e)),
                }
                loading.set(false);
            });
        }
    };
    let first_count = page.items.len();
    let shown = move || first_count + more.with(|p| p.iter().map(|p| p.items.len()).sum::<usize>());
    let first_rows = page.items;
    view! {
        <div class="table-scroll">
            <table class="table audit-table">
                <thead><tr>
                    <th scope="col">"When (UTC)"</th>
                    <th scope="col">"Actor"</th>
                    <th scope="col">"Action"</th>
                    <th scope="col">"Details"</th>
                </tr></thead>
                <tbody>
                    {first_rows.into_iter().map(|r| view! { <Row record=r/> }).collect_view()}
                    {move || more.get().into_iter().flat_map(|p| p.items).map(|r| view! { <Row record=r/> }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="muted audit-count" role="status">{move || format!("{} records shown", shown())}</p>
        {move || problem.get().map(|error| view! { <ErrorPanel error/> })}
        {move || next().is_some().then(|| view! {
            <a class="button button-secondary audit-more" href=next_href.clone() on:click=load_more.clone()
                aria-disabled=move || loading.get().to_string()>
                {move || if loading.get() { "Loading…" } else { "Load more" }}
            </a>
        })}
    }
}

#[component]
fn Row(record: AuditRecord) -> impl IntoView {
    let when = record.created_at.replace('T', " ").chars().take(19).collect::<String>();
    let details = summary(&record.data);
    let srcset = shared::avatar::high_density(&record.actor_avatar_url);
    view! {
        <tr>
            <td class="audit-when"><time datetime=record.created_at.clone()>{when}</time></td>
            <td>
                <div class="audit-actor">
                    <img class="avatar avatar-sm" src=record.actor_avatar_url.clone() srcset=srcset alt="" loading="lazy"/>
                    <div>
                        <div>{record.actor_display_name.clone()}</div>
                        <div class="muted audit-sub">{actor_sub(&record)}</div>
                    </div>
                </div>
            </td>
            <td>
                <div>{describe(&record.action_type).to_owned()}</div>
                <code class="muted audit-sub">{record.action_type.clone()}</code>
            </td>
            <td class="audit-details">{details}</td>
        </tr>
    }
}

/// `@handle · address`, either of which may be unknown.
fn actor_sub(r: &AuditRecord) -> String {
    let handle = (!r.actor_handle.is_empty()).then(|| format!("@{}", r.actor_handle));
    let ip = (!r.actor_ip.is_empty()).then(|| r.actor_ip.clone());
    [handle, ip].into_iter().flatten().collect::<Vec<_>>().join(" · ")
}

/// The changed fields in words: `display_name: Ada → Ada L.`, `title: CI`.
fn summary(data: &Value) -> String {
    let Some(fields) = data.as_object() else { return String::new() };
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "—".to_owned(),
        other => other.to_string(),
    };
    fields
        .iter()
        .map(|(k, v)| match (v.get("old"), v.get("new")) {
            (Some(old), Some(new)) => format!("{k}: {} → {}", text(old), text(new)),
            _ => format!("{k}: {}", text(v)),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::summary;
    use serde_json::json;

    #[test]
    fn details_read_as_changes() {
        assert_eq!(
            summary(&json!({ "display_name": { "old": "Ada", "new": "Ada L." } })),
            "display_name: Ada → Ada L."
        );
        assert_eq!(summary(&json!({ "title": "CI", "last4": "abcd" })), "last4: abcd; title: CI");
        assert_eq!(summary(&json!("not an object")), "");
    }
}
