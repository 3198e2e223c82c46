//! The Database Password section: each workspace's connection string,
//! masked until Reveal, with Copy; Rotate Password with its confirmation;
//! and, after a rotation, each workspace as updated or pending.

use leptos::form::ActionForm;
use leptos::prelude::*;

use leptos::server_fn::ServerFn;

use super::{
    database_password, reveal_password, PasswordOverview, RevealPassword, RotatePassword, WorkspaceConnection,
};
use crate::access::flash::take_flash;
use crate::access::use_handle;
use crate::error::AppError;
use crate::identity::{Proven, Then};
use crate::ui::{
    close_when_done, copy_text, use_live, Confirm, ConfirmActions, CopyButton, Dialog, ErrorPanel, EyeIcon, HandleField,
};

/// The password revealed by a plain form post, if this page has it.
pub fn flashed_password(password: RwSignal<Option<String>>, revealed: RwSignal<bool>) {
    if let Some(p) = take_flash(|f| f.get::<super::RevealedPassword>()) {
        password.set(Some(p.0));
        revealed.set(true);
    }
}

/// How often the page looks again while a workspace is pending.
const PENDING_POLL_MS: u64 = 1500;

#[component]
pub fn PasswordSection() -> impl IntoView {
    let handle = use_handle();
    let rotate = ServerAction::<RotatePassword>::new();
    let poll = RwSignal::new(0u32);
    let overview =
        Resource::new(move || (handle.get(), rotate.version().get(), poll.get()), |(h, ..)| database_password(h));
    // The password, once asked for; forgotten when it rotates.
    let password = RwSignal::new(None::<String>);
    let revealed = RwSignal::new(false);
    flashed_password(password, revealed);
    Effect::new(move |_| {
        if rotate.version().get() > 0 {
            password.set(None);
            revealed.set(false);
        }
    });
    // While any workspace is pending, look again shortly.
    Effect::new(move |_| {
        if let Some(Ok(o)) = overview.get() {
            if !o.settled() {
                set_timeout(move || poll.update(|n| *n += 1), std::time::Duration::from_millis(PENDING_POLL_MS));
            }
        }
    });
    let confirming = RwSignal::new(false);
    let error = move || rotate.value().get().and_then(Result::err);

    view! {
        <section class="panel" aria-labelledby="password-title">
            <div class="panel-head">
                <h2 id="password-title">"Database Password"</h2>
                <Confirm label="Rotate Password" class="button button-secondary" on_open=move || confirming.set(true)>
                    <RotateText/>
                    <ActionForm action=rotate>
                        <HandleField/>
                        <button type="submit" class="button">"Rotate Password"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <p class="muted">"Every user has a single password to log in to the workspaces they can access. It is the password in the connection strings below."</p>
            <p class="muted" role="status">{move || rotate.pending().get().then_some("Rotating…")}</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading connection strings…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <Connections overview=o password revealed/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || confirming.get()>
                <RotateDialog rotate confirming/>
            </Show>
        </section>
    }
}

#[component]
pub fn Connections(
    overview: PasswordOverview,
    password: RwSignal<Option<String>>,
    revealed: RwSignal<bool>,
) -> impl IntoView {
    let pending = !overview.all_updated();
    let rows = overview
        .workspaces
        .into_iter()
        .map(|w| view! { <ConnectionRow workspace=w password revealed/> })
        .collect_view();
    view! {
        <p class="notice" role="status" hidden=!pending>
            "The new password is on its way to your workspaces. This may take a couple of minutes. Existing connections are not terminated."
        </p>
        <ul class="connections">{rows}</ul>
        <p class="help">"Password last rotated " <time datetime=overview.created_at.clone()>{overview.created_at.get(..10).unwrap_or_default().to_owned()}</time> "."</p>
    }
}

/// What the password was asked for.
#[derive(Clone, Copy)]
enum Want {
    Reveal,
    Copy,
    CopyPsql,
}

#[component]
fn ConnectionRow(
    workspace: WorkspaceConnection,
    password: RwSignal<Option<String>>,
    revealed: RwSignal<bool>,
) -> impl IntoView {
    let handle = use_handle();
    let live = use_live();
    let copied = RwSignal::new(None::<&'static str>);
    let failed = RwSignal::new(None::<String>);
    let code = NodeRef::<leptos::html::Code>::new();
    let psql_code = NodeRef::<leptos::html::Code>::new();
    let ws = StoredValue::new(workspace.clone());
    // The password as shown: itself once revealed, else dots.
    let shown_password = move || match (revealed.get(), password.get()) {
        (true, Some(p)) => p,
        _ => "•".repeat(12),
    };
    let shown = move || ws.get_value().connection_string(&shown_password());
    let shown_psql = move || ws.get_value().psql_command(&shown_password());
    let deliver = move |want: Want, p: String| match want {
        Want::Reveal => revealed.set(true),
        Want::Copy => copy_text(ws.get_value().connection_string(&p), code, copied, move || revealed.set(true)),
        Want::CopyPsql => copy_text(ws.get_value().psql_command(&p), psql_code, copied, move || revealed.set(true)),
    };
    // Asked for with a stale proof: confirm it is you, then it goes on.
    let proving = RwSignal::new(None::<Want>);
    // The password is fetched only when someone asks to see or copy it.
    let fetch = move |want: Want| {
        if let Some(p) = password.get_untracked() {
            deliver(want, p);
            return;
        }
        leptos::task::spawn_local(async move {
            match reveal_password(handle.get_untracked()).await {
                Ok(p) => {
                    password.set(Some(p.clone()));
                    deliver(want, p);
                }
                Err(AppError::ConfirmIdentity) => proving.set(Some(want)),
                Err(e) => failed.set(Some(e.to_string())),
            }
        });
    };
    let reveal = move || {
        if revealed.get_untracked() {
            revealed.set(false);
        } else {
            fetch(Want::Reveal);
        }
    };
    let copy = move || fetch(Want::Copy);
    let copy_psql = move || fetch(Want::CopyPsql);
    let label = format!("Connection string for {}", workspace.handle);
    let psql_label = format!("psql command for {}", workspace.handle);
    let (reach_class, reach) = match (workspace.placed, workspace.reachable) {
        _ if workspace.paused => ("reach reach-paused", "Paused: storage limit reached. Connections are refused."),
        (true, true) => ("reach reach-ok", "Ready on PostgreSQL"),
        (true, false) => ("reach", "Being created on PostgreSQL…"),
        (false, _) => ("reach", "Waiting for PostgreSQL: this server cannot run workspaces now"),
    };
    view! {
        <li class="connection" data-workspace=workspace.handle.clone()>
            <div class="connection-head">
                <span class="connection-name">{workspace.handle.clone()}</span>
                {if workspace.updated {
                    view! { <span class="badge badge-ok">"Updated"</span> }.into_any()
                } else {
                    view! { <span class="badge badge-wait"><span class="spinner" aria-hidden="true"></span>"Pending"</span> }.into_any()
                }}
            </div>
            <div class="secret-row">
                <code node_ref=code class="secret" tabindex="0" aria-label=label data-testid="connection-string">{shown}</code>
                // One button both ways: without script (or before the page
                // is live) the form posts and the page comes back revealed.
                <form method="post" action=RevealPassword::PATH class="reveal-form" on:submit=move |ev| {
                    if live.get_untracked() {
                        ev.prevent_default();
                        reveal();
                    }
                }>
                    <HandleField/>
                    <button type="submit" class="icon-button" aria-label="Reveal"
                        aria-pressed=move || revealed.get().to_string()><EyeIcon/></button>
                </form>
                <CopyButton on_click=copy/>
            </div>
            <div class="psql-row">
                <code node_ref=psql_code class="secret secret-small" tabindex="0" aria-label=psql_label data-testid="psql-command">{shown_psql}</code>
                <button type="button" class="button button-secondary button-small" hidden=move || !live.get() on:click=move |_| copy_psql()>
                    "Copy psql command"
                </button>
            </div>
            <p class="help"><span class=reach_class>{reach}</span></p>
            <p class="field-ok" role="status">{move || copied.get()}</p>
            <p class="field-error" role="alert">{move || failed.get()}</p>
            {move || proving.get().map(|want| view! {
                <Proven on_cancel=move || proving.set(None)>
                    <Then run=Callback::new(move |_| {
                        proving.set(None);
                        fetch(want);
                    })/>
                </Proven>
            })}
        </li>
    }
}

#[component]
fn RotateDialog(rotate: ServerAction<RotatePassword>, confirming: RwSignal<bool>) -> impl IntoView {
    close_when_done(rotate.version(), confirming);
    view! {
        <Dialog id="rotate" title="Rotate database password?" on_close=move || confirming.set(false)
            body=|| view! { <RotateText/> }>
            <ActionForm action=rotate attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Rotate Password"
                    busy_label="Rotating…" busy=rotate.pending()/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn RotateText() -> impl IntoView {
    view! {
        <p>"A new password replaces the current one in all of your workspaces. This may take a couple of minutes to propagate. Existing connections will not be terminated; new connections need the new password."</p>
    }
}
