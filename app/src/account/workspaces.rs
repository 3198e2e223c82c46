//! The Workspaces tab: the account's workspaces with their DNS names and
//! connection strings (masked; Reveal and Copy as on Credentials &
//! Access), **New Workspace** in a region of the person's choice, and
//! deleting one after typing its handle. A workspace a cluster is still
//! making shows as Creating, and the page looks again until it is ready.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use shared::WorkspaceHandle;

use crate::access::use_handle;
use crate::database_password::{database_password, flashed_password, Connections, PasswordOverview};
use crate::error::AppError;
use crate::identity::Proven;
use crate::ui::{Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};
use crate::workspaces::{
    create_workspace, delete_workspace, list_workspaces, workspace_regions, CreateWorkspace, DeleteWorkspace,
    RegionChoice, Regions, WorkspaceSummary,
};

const HANDLE_HELP: &str = "Lowercase letters and digits, up to 23. It becomes part of the workspace's DNS name.";
/// How often the page looks again while a workspace is being created.
const CREATING_POLL_MS: u64 = 1000;

/// The region choice of both forms, the default region first chosen.
#[component]
fn RegionSelect(id: &'static str, regions: Vec<RegionChoice>, chosen: Option<RwSignal<String>>) -> impl IntoView {
    let options = regions
        .into_iter()
        .map(|r| {
            let label = format!("{} — {}", r.name, r.engine);
            view! { <option value=r.name.clone() selected=r.default>{label}</option> }
        })
        .collect_view();
    view! {
        <div class="field">
            <label for=id>"Region"</label>
            <select id=id name="region" on:change=move |ev| if let Some(c) = chosen { c.set(event_target_value(&ev)) }>
                {options}
            </select>
        </div>
    }
}

/// What the Workspaces tab loads, asked for as soon as its route is
/// chosen, while the tab's own code is still on its way.
pub struct WorkspacesData {
    changes: RwSignal<u32>,
    workspaces: Resource<Result<Vec<WorkspaceSummary>, AppError>>,
    regions: Resource<Result<Regions, AppError>>,
    connections: Resource<Result<PasswordOverview, AppError>>,
}

impl WorkspacesData {
    pub fn start() -> Self {
        let handle = use_handle();
        // Bumped by each change, so both lists read again.
        let changes = RwSignal::new(0u32);
        Self {
            changes,
            workspaces: Resource::new(move || (handle.get(), changes.get()), |(h, _)| list_workspaces(h)),
            regions: Resource::new(move || handle.get(), workspace_regions),
            connections: Resource::new(move || (handle.get(), changes.get()), |(h, _)| database_password(h)),
        }
    }
}

#[component]
pub fn WorkspacesTab(data: WorkspacesData) -> impl IntoView {
    let WorkspacesData { changes, workspaces, regions, connections } = data;
    // While a cluster is making a workspace, look again shortly.
    Effect::new(move |_| {
        if let Some(Ok(list)) = workspaces.get() {
            if list.iter().any(|w| !w.ready) {
                set_timeout(move || changes.update(|n| *n += 1), std::time::Duration::from_millis(CREATING_POLL_MS));
            }
        }
    });
    let password = RwSignal::new(None::<String>);
    let revealed = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let deleting = RwSignal::new(None::<String>);
    flashed_password(password, revealed);
    // Without script, New Workspace and Delete are plain forms; a refusal
    // comes back in the address, for these actions to show.
    let create_plain = ServerAction::<CreateWorkspace>::new();
    let delete_plain = ServerAction::<DeleteWorkspace>::new();
    let plain_error = move || {
        create_plain.value().get().and_then(Result::err).or_else(|| delete_plain.value().get().and_then(Result::err))
    };

    view! {
        <Title text="Workspaces"/>
        <section class="panel" aria-labelledby="workspaces-title">
            <div class="panel-head">
                <h2 id="workspaces-title">"Workspaces"</h2>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        if regions.await.ok().and_then(|r| r.unavailable).is_some() {
                            return view! {
                                <button type="button" class="button" disabled=true aria-describedby="workspaces-unavailable">
                                    "New Workspace"
                                </button>
                            }.into_any();
                        }
                        view! {
                            <div hidden=move || creating.get()>
                                <Confirm label="New Workspace" class="button" on_open=move || creating.set(true)>
                                    <ActionForm action=create_plain attr:class="inline-form">
                                        <HandleField/>
                                        <Transition fallback=|| ()>
                                            {move || Suspend::new(async move {
                                                regions.await.ok().map(|regions| view! {
                                                    <RegionSelect id="workspace-region-plain" regions=regions.choices chosen=None/>
                                                })
                                            })}
                                        </Transition>
                                        <div class="field">
                                            <label for="workspace-handle-plain">"Workspace handle"</label>
                                            <div class="field-row">
                                                <input id="workspace-handle-plain" name="workspace" autocomplete="off" spellcheck="false"
                                                    required=true aria-describedby="workspace-handle-plain-help"/>
                                                <button type="submit" class="button">"Create"</button>
                                            </div>
                                            <p id="workspace-handle-plain-help" class="help">{HANDLE_HELP}</p>
                                        </div>
                                    </ActionForm>
                                </Confirm>
                            </div>
                        }.into_any()
                    })}
                </Transition>
            </div>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    regions.await.ok().and_then(|r| r.unavailable).map(|why| view! {
                        <p id="workspaces-unavailable" class="notice notice-error" role="status">
                            "New workspaces are unavailable on this server: " {why}
                            ". Workspaces you have are kept and come back when it runs again."
                        </p>
                    })
                })}
            </Transition>
            {move || plain_error().map(|error| view! { <ErrorPanel error/> })}
            <Show when=move || creating.get()>
                <NewWorkspace creating changes regions/>
            </Show>
            <Transition fallback=|| view! { <p class="muted">"Loading workspaces…"</p> }>
                {move || Suspend::new(async move {
                    match workspaces.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"You have no workspaces yet. New Workspace makes one."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <ul class="card-list">
                                {list.into_iter().map(|ws| view! { <WorkspaceCard ws deleting delete_plain/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <section class="panel" aria-labelledby="connections-title">
            <h2 id="connections-title">"Connection strings"</h2>
            <p class="muted">"Your database password is masked; Reveal or Copy fetches it. Rotate it on Credentials & Access."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading connection strings…"</p> }>
                {move || Suspend::new(async move {
                    match connections.await {
                        Ok(o) => view! { <Connections overview=o password revealed/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        {move || deleting.get().map(|ws| view! {
            <Proven on_cancel=move || deleting.set(None)>
                <DeleteDialog ws=ws.clone() deleting changes/>
            </Proven>
        })}
    }
}

#[component]
fn WorkspaceCard(
    ws: WorkspaceSummary,
    deleting: RwSignal<Option<String>>,
    delete_plain: ServerAction<DeleteWorkspace>,
) -> impl IntoView {
    let name = ws.handle.clone();
    let named = StoredValue::new(ws.handle.clone());
    let confirm_id = move || format!("delete-{}-plain", named.get_value());
    view! {
        <li class="card" data-workspace=ws.handle.clone()>
            <div class="card-head">
                <div class="card-title">
                    {ws.handle.clone()}
                    {if ws.paused || ws.capped {
                        view! { <span class="badge badge-warn">"Paused"</span> }.into_any()
                    } else if ws.runs_on.is_empty() {
                        view! { <span class="badge badge-warn">"Waiting"</span> }.into_any()
                    } else if ws.ready {
                        view! { <span class="badge badge-ok">"Ready"</span> }.into_any()
                    } else {
                        view! { <span class="badge badge-wait" role="status"><span class="spinner" aria-hidden="true"></span>"Creating"</span> }.into_any()
                    }}
                </div>
                <Confirm label="Delete" class="button button-danger-outline" aria_label=format!("Delete {}", ws.handle)
                    on_open=move || deleting.set(Some(name.clone()))>
                    <DeleteText ws=named.get_value()/>
                    <ActionForm action=delete_plain>
                        <HandleField/>
                        <input type="hidden" name="workspace" value=named.get_value()/>
                        <div class="field">
                            <label for=confirm_id()>{format!("Type {} to confirm", named.get_value())}</label>
                            <div class="field-row">
                                <input id=confirm_id() name="confirm" autocomplete="off" spellcheck="false" required=true/>
                                <button type="submit" class="button button-danger">"Delete"</button>
                            </div>
                        </div>
                    </ActionForm>
                </Confirm>
            </div>
            <dl class="facts">
                <dt>"DNS name"</dt><dd class="mono">{ws.dns_name}</dd>
                <dt>"Region"</dt><dd>{ws.region}</dd>
                <dt>"Runs on"</dt>
                <dd>{if ws.runs_on.is_empty() { "Waiting for PostgreSQL on this server".to_owned() } else { ws.runs_on.clone() }}</dd>
                {ws.retrying.then(|| view! {
                    <dt>"Status"</dt>
                    <dd class="field-error">"Its cluster could not make it yet. Sluice keeps trying; nothing is needed from you."</dd>
                })}
                {ws.capped.then(|| {
                    let usage = format!("/user/{}/advanced/usage#thresholds", use_handle().get_untracked());
                    view! {
                        <dt>"Status"</dt>
                        <dd class="field-error">"Paused: usage cap reached. New connections are refused until you raise or remove the cap, or the period ends. "
                            <a href=usage>"Change the cap"</a></dd>
                    }
                })}
                {(ws.paused && !ws.capped).then(|| view! {
                    <dt>"Status"</dt>
                    <dd class="field-error">"Paused: storage limit reached. Connections to it are refused until it is below the limit; your other workspaces are not affected."</dd>
                })}
                <dt>"Database"</dt><dd class="mono">{ws.database_name}</dd>
                <dt>"Created"</dt><dd><time datetime=ws.created_at.clone()>{ws.created_at.get(..10).unwrap_or_default().to_string()}</time></dd>
            </dl>
        </li>
    }
}

#[component]
fn NewWorkspace(
    creating: RwSignal<bool>,
    changes: RwSignal<u32>,
    regions: Resource<Result<Regions, AppError>>,
) -> impl IntoView {
    let handle = use_handle();
    let value = RwSignal::new(String::new());
    // Empty: the default region.
    let region = RwSignal::new(String::new());
    let touched = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let rule = move || match WorkspaceHandle::parse(&value.get()) {
        Ok(_) => None,
        Err(e) => Some(e.to_string()),
    };
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(i) = input.get() {
            let _ = i.focus();
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if rule().is_some() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (h, ws) = (handle.get_untracked(), value.get_untracked().trim().to_owned());
        let chosen = Some(region.get_untracked()).filter(|r| !r.is_empty());
        leptos::task::spawn_local(async move {
            match create_workspace(h, ws, chosen).await {
                Ok(_) => {
                    creating.set(false);
                    changes.update(|n| *n += 1);
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="inline-form workspace-new" on:submit=submit
            on:keydown=move |ev| if ev.key() == "Escape" { creating.set(false) }>
            <div class="field">
                <label for="workspace-handle">"Workspace handle"</label>
                <div class="field-row">
                    <input id="workspace-handle" node_ref=input autocomplete="off" spellcheck="false"
                        aria-describedby="workspace-handle-help workspace-handle-error"
                        aria-invalid=move || (touched.get() && rule().is_some()).to_string()
                        prop:value=value on:input=move |ev| { value.set(event_target_value(&ev)); touched.set(true); }/>
                    <button type="submit" class="button" disabled=move || busy.get()>
                        {move || if busy.get() { "Creating…" } else { "Create" }}
                    </button>
                    <button type="button" class="button button-secondary" on:click=move |_| creating.set(false)>"Cancel"</button>
                </div>
                <p id="workspace-handle-help" class="help">{HANDLE_HELP}</p>
                <p id="workspace-handle-error" class="field-error" role="alert">{move || if touched.get() { rule() } else { None }}</p>
            </div>
            <Transition fallback=|| view! { <p class="muted">"Loading regions…"</p> }>
                {move || Suspend::new(async move {
                    match regions.await {
                        Ok(regions) => view! { <RegionSelect id="workspace-region" regions=regions.choices chosen=Some(region)/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            {move || error.get().map(|error| view! { <ErrorPanel error/> })}
        </form>
    }
}

#[component]
fn DeleteDialog(ws: String, deleting: RwSignal<Option<String>>, changes: RwSignal<u32>) -> impl IntoView {
    let handle = use_handle();
    let typed = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let target = StoredValue::new(ws.clone());
    let matches = move || typed.get().trim() == target.get_value();
    let close = move || deleting.set(None);
    let confirm = move |_| {
        if !matches() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        let (h, ws, c) = (handle.get_untracked(), target.get_value(), typed.get_untracked());
        leptos::task::spawn_local(async move {
            match delete_workspace(h, ws, c).await {
                Ok(()) => {
                    deleting.set(None);
                    changes.update(|n| *n += 1);
                }
                Err(e) => {
                    error.set(Some(e));
                    busy.set(false);
                }
            }
        });
    };
    let prompt = format!("Type {ws} to confirm");
    view! {
        <Dialog id="delete-workspace" title="Delete workspace?" on_close=move |_| close()
            body=move || view! { <DeleteText ws=target.get_value()/> }>
            <div class="field">
                <label for="delete-workspace-confirm">{prompt}</label>
                <input id="delete-workspace-confirm" autocomplete="off" spellcheck="false"
                    prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/>
            </div>
            {move || error.get().map(|error| view! { <ErrorPanel error/> })}
            <div class="dialog-actions">
                <ConfirmActions on_cancel=move || close() label="Delete" busy_label="Deleting…" busy danger=true
                    disabled=Signal::derive(move || !matches()) on_confirm=move || confirm(())/>
            </div>
        </Dialog>
    }
}

#[component]
fn DeleteText(ws: String) -> impl IntoView {
    view! {
        <p>"This deletes the workspace " <strong>{ws}</strong> " and its database. It cannot be undone."</p>
    }
}
