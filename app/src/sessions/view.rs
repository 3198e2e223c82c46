//! The Sessions section: each signed-in browser (browser and system, where
//! it signed in from and was last seen, when; **This device** for this
//! one) and each CLI login, with **Revoke**; **Sign out other sessions**
//! after a confirmation. Every control is a form, so it works before the
//! page is live and without JavaScript.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{list_sessions, RevokeOtherSessions, RevokeSession, SessionItem, SessionKind};
use crate::access::use_handle;
use crate::identity::Proven;
use crate::networks::KnownNetworks;
use crate::ui::{close_when_done, day_and_time, Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

#[component]
pub fn SessionsSection() -> impl IntoView {
    let handle = use_handle();
    let revoke = ServerAction::<RevokeSession>::new();
    let others = ServerAction::<RevokeOtherSessions>::new();
    let sessions = Resource::new(
        move || (handle.get(), revoke.version().get(), others.version().get()),
        |(h, ..)| list_sessions(h),
    );
    let confirming = RwSignal::new(false);
    let error =
        move || revoke.value().get().and_then(Result::err).or_else(|| others.value().get().and_then(Result::err));
    let ended = move || {
        others.value().get().and_then(Result::ok).map(|n| match n {
            0 => "No other session was signed in.".to_owned(),
            1 => "1 other session was signed out.".to_owned(),
            n => format!("{n} other sessions were signed out."),
        })
    };
    view! {
        <section class="panel" aria-labelledby="sessions-title">
            <div class="panel-head">
                <h2 id="sessions-title">"Sessions"</h2>
                <Confirm label="Sign out other sessions" class="button button-secondary" on_open=move || confirming.set(true)>
                    <OthersText/>
                    <ActionForm action=others>
                        <HandleField/>
                        <button type="submit" class="button">"Sign out other sessions"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <p class="muted">"Browsers signed in to your account and CLI logins. Revoke any you do not recognise: its next request is signed out."</p>
            <p class="field-ok" role="status">{ended}</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading sessions…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <ul class="session-list">
                                {list.into_iter().map(|s| view! { <SessionRow session=s revoke/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            <KnownNetworks/>
            <Show when=move || confirming.get()>
                <Proven on_cancel=move || confirming.set(false)>
                    <OthersDialog others confirming/>
                </Proven>
            </Show>
        </section>
    }
}

#[component]
fn SessionRow(session: SessionItem, revoke: ServerAction<RevokeSession>) -> impl IntoView {
    let SessionItem {
        id,
        kind,
        browser,
        system,
        signed_in_ip,
        last_ip,
        created_at,
        last_active_at,
        expires_at,
        current,
    } = session;
    let title = format!("{browser} on {system}");
    let revoke_id = id.clone();
    let label = format!("Revoke {title}");
    let unknown = |ip: String| if ip.is_empty() { "an unknown address".to_owned() } else { ip };
    let signed_in = format!("{} from {}", day_and_time(&created_at), unknown(signed_in_ip));
    let last = last_active_at.map(|at| match kind {
        SessionKind::Browser => format!("{} at {}", day_and_time(&at), unknown(last_ip)),
        SessionKind::Cli => day_and_time(&at),
    });
    view! {
        <li class="session" data-session=id data-current=current.to_string()>
            <div class="session-head">
                <span class="session-name">{title}</span>
                {current.then(|| view! { <span class="badge badge-ok">"This device"</span> })}
                {(kind == SessionKind::Cli).then(|| view! { <span class="badge">"CLI login"</span> })}
                {(!current).then(|| view! {
                    <ActionForm action=revoke attr:class="session-revoke">
                        <HandleField/>
                        <input type="hidden" name="session" value=revoke_id.clone()/>
                        <button type="submit" class="button button-danger-outline button-small" aria-label=label.clone()>"Revoke"</button>
                    </ActionForm>
                })}
            </div>
            <dl class="facts">
                <dt>"Signed in"</dt><dd>{signed_in}</dd>
                <dt>"Last active"</dt><dd>{last.unwrap_or_else(|| "Not used yet".to_owned())}</dd>
                <dt>"Expires"</dt><dd>{day_and_time(&expires_at)}</dd>
            </dl>
        </li>
    }
}

#[component]
fn OthersDialog(others: ServerAction<RevokeOtherSessions>, confirming: RwSignal<bool>) -> impl IntoView {
    close_when_done(others.version(), confirming);
    view! {
        <Dialog id="sign-out-others" title="Sign out other sessions?" on_close=move || confirming.set(false)
            body=|| view! { <OthersText/> }>
            <ActionForm action=others attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Sign out other sessions"
                    busy_label="Signing out…" busy=others.pending()/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn OthersText() -> impl IntoView {
    view! {
        <p>"Every other browser signed in to your account, and every CLI login, is signed out. This browser stays signed in. API tokens keep working."</p>
    }
}
