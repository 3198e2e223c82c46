//! The Handle field: the rule as the person types, availability a moment
//! later, and Save through a confirmation that lists each workspace's DNS
//! name before and after.

use leptos::prelude::*;
use shared::Handle;

use super::{change_handle, handle_preview, HandleChange, HOLD_DAYS};
use crate::access::session::Viewer;
use crate::error::AppError;
use crate::ui::{typed_before_live, ConfirmActions, Dialog, ErrorPanel, HandleField};

/// How long typing must pause before availability is asked.
const ASK_AFTER_MS: u64 = 250;

#[component]
pub fn HandleForm() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let current = move || viewer.read().handle.clone();
    // Without script, Save asks this page again with `?new_handle=`, and the
    // page shows the confirmation in place (`PlainHandleConfirm`).
    let query = leptos_router::hooks::use_query_map();
    let asked_for = query.with_untracked(|q| q.get("new_handle"));
    let draft = RwSignal::new(
        typed_before_live("new_handle").or_else(|| asked_for.clone()).unwrap_or_else(|| viewer.get_untracked().handle),
    );
    // The last availability answer, for the handle it was asked about.
    let checked = RwSignal::new(None::<(String, Result<HandleChange, AppError>)>);
    let asked = StoredValue::new(0u64);
    let preview = RwSignal::new(None::<HandleChange>);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    // Without script the form posts as it is: Save is never disabled there.
    let live = crate::ui::use_live();

    let rule = move || Handle::parse(&draft.get()).err().map(|e| e.to_string());
    let unchanged = move || draft.get().trim() == current();
    let answer = move || {
        checked.with(|c| match c {
            Some((h, result)) if *h == draft.get().trim() => Some(result.clone()),
            _ => None,
        })
    };
    let taken = move || matches!(answer(), Some(Err(_)));

    let ask = move |typed: String| {
        let n = asked.get_value() + 1;
        asked.set_value(n);
        if Handle::parse(&typed).is_err() || typed.trim() == current() {
            return;
        }
        set_timeout(
            move || {
                if asked.get_value() != n {
                    return;
                }
                let handle = viewer.get_untracked().handle;
                leptos::task::spawn_local(async move {
                    let result = handle_preview(handle, typed.clone()).await;
                    if asked.get_value() == n {
                        checked.set(Some((typed.trim().to_owned(), result)));
                    }
                });
            },
            std::time::Duration::from_millis(ASK_AFTER_MS),
        );
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if rule().is_some() || unchanged() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (handle, typed) = (viewer.get_untracked().handle, draft.get_untracked());
        leptos::task::spawn_local(async move {
            match handle_preview(handle, typed.clone()).await {
                Ok(p) => preview.set(Some(p)),
                Err(e) => checked.set(Some((typed.trim().to_owned(), Err(e)))),
            }
            busy.set(false);
        });
    };

    let status = move || {
        if rule().is_some() || unchanged() {
            return None;
        }
        match answer() {
            Some(Ok(p)) => Some(format!("“{}” is available.", p.handle)),
            _ => None,
        }
    };
    let problem = move || {
        rule().or_else(|| match answer() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        })
    };

    view! {
        <form class="inline-form" method="get" on:submit=submit>
            <div class="field">
                <label for="new_handle">"Handle"</label>
                <div class="field-row">
                    <input id="new_handle" name="new_handle" type="text" required=true maxlength="39"
                        autocomplete="off" spellcheck="false" autocapitalize="none"
                        aria-describedby="handle-help handle-problem handle-status"
                        aria-invalid=move || problem().is_some().to_string()
                        prop:value=move || draft.get()
                        value=draft.get_untracked()
                        on:input=move |ev| {
                            let typed = event_target_value(&ev);
                            draft.set(typed.clone());
                            ask(typed);
                        }/>
                    <button type="submit" disabled=move || live.get() && (busy.get() || rule().is_some() || unchanged() || taken())>
                        {move || if busy.get() { "Checking…" } else { "Save" }}
                    </button>
                </div>
                <p id="handle-help" class="help">"Your workspace DNS names all contain your handle; changing it will result in changing the DNS name for ALL of your workspaces."</p>
                <p id="handle-problem" class="field-error" aria-live="polite">{problem}</p>
                <p id="handle-status" class="field-ok" role="status">{status}</p>
            </div>
            {move || error.get().map(|error| view! { <ErrorPanel error/> })}
        </form>
        {move || preview.get().map(|p| view! { <ConfirmHandle preview=p open=preview error/> })}
        {asked_for.map(|new_handle| view! { <PlainHandleConfirm new_handle/> })}
    }
}

/// What a change to `preview.handle` does, in words and as a table of DNS
/// names; said by the dialog and by the confirmation without script.
#[component]
fn HandleChangeSummary(old: String, preview: HandleChange) -> impl IntoView {
    let rows = preview.changes;
    view! {
        <p>
            "Your handle changes from " <strong class="mono">{old.clone()}</strong>
            " to " <strong class="mono">{preview.handle}</strong>
            ", and with it the DNS name of ALL of your workspaces and the address of your account's pages. Connection strings that use the old names stop resolving."
        </p>
        {if rows.is_empty() {
            view! { <p class="muted">"You have no workspaces, so no DNS name changes."</p> }.into_any()
        } else {
            view! {
                <table class="dns-changes">
                    <caption class="visually-hidden">"Workspace DNS names before and after"</caption>
                    <thead><tr><th scope="col">"Workspace"</th><th scope="col">"DNS name: before, after"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|c| view! {
                            <tr>
                                <th scope="row">{c.workspace}</th>
                                <td>
                                    <span class="dns-before mono">{c.before}</span>
                                    <span class="dns-after mono"><span aria-hidden="true">"→ "</span>{c.after}</span>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <p class="muted">{format!("Nobody else can take “{}” for {} days; you can change back to it in that time.", old, HOLD_DAYS)}</p>
    }
}

/// The confirmation without script: the same words as the dialog, and a
/// plain form that makes the change (or a link back that does not).
#[component]
fn PlainHandleConfirm(new_handle: String) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let old = viewer.get_untracked().handle;
    let back = viewer.with_untracked(Viewer::profile_path);
    // A broken rule is already said under the field.
    let rule_broken = Handle::parse(&new_handle).is_err();
    let preview = Resource::new(
        move || (viewer.read().handle.clone(), new_handle.clone()),
        |(handle, new_handle)| handle_preview(handle, new_handle),
    );
    view! {
        <Transition fallback=|| ()>
            {move || {
                let (old, back) = (old.clone(), back.clone());
                Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <section class="plain-confirm-box" aria-labelledby="plain-handle-title">
                                <h3 id="plain-handle-title">"Change your handle?"</h3>
                                <HandleChangeSummary old=old.clone() preview=p.clone()/>
                                <form method="post" action="/sfn/change_handle" class="dialog-actions">
                                    <HandleField/>
                                    <input type="hidden" name="new_handle" value=p.handle.clone()/>
                                    <a class="button button-secondary" href=back>"Cancel"</a>
                                    <button type="submit" class="button">"Change handle"</button>
                                </form>
                            </section>
                        }.into_any(),
                        Err(_) if rule_broken => ().into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn ConfirmHandle(
    preview: HandleChange,
    open: RwSignal<Option<HandleChange>>,
    error: RwSignal<Option<AppError>>,
) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let busy = RwSignal::new(false);
    let close = move || open.set(None);
    let new = StoredValue::new(preview.handle.clone());
    let confirm = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let handle = viewer.get_untracked().handle;
        leptos::task::spawn_local(async move {
            match change_handle(handle, new.get_value()).await {
                Ok(saved) => {
                    // Every address of the account changes: load it afresh there.
                    let _ = window().location().set_href(&format!("/user/{saved}/advanced/profile?handle=changed"));
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                    open.set(None);
                }
            }
        });
    };
    let old = viewer.get_untracked().handle;
    view! {
        <Dialog id="handle-dialog" title="Change your handle?" on_close=move |_| close()
            body=move || view! { <HandleChangeSummary old=old.clone() preview=preview.clone()/> }>
            <div class="dialog-actions">
                <ConfirmActions on_cancel=move || close() label="Change handle" busy_label="Changing…" busy
                    on_confirm=move || confirm(())/>
            </div>
        </Dialog>
    }
}
