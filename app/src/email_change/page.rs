//! `/email/confirm?t=…` and `/email/undo?t=…`: the pages an e-mail change's
//! links open. Opening one changes nothing (mail scanners open links too);
//! the button does.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{inspect_email_link, EmailLink, UseEmailLink};
use crate::error::AppError;
use crate::ui::{AuthCard, ErrorPanel, Loading};

/// What the e-mail link's page loads, asked for as soon as its route is
/// chosen, while the page's own code is still on its way.
pub struct EmailLinkData {
    info: Resource<Result<EmailLink, AppError>>,
}

impl EmailLinkData {
    pub fn start() -> Self {
        let query = use_query_map();
        let token = move || query.read().get("t").unwrap_or_default();
        Self { info: Resource::new(token, inspect_email_link) }
    }
}

#[component]
pub fn EmailLinkPage(data: EmailLinkData) -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("t").unwrap_or_default();
    let info = data.info;
    view! {
        <Title text="Sign-in e-mail"/>
        <AuthCard>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(EmailLink::Confirm { handle, old, new, tenant_change }) => view! {
                            <h1>"Confirm your new e-mail"</h1>
                            <p>"The sign-in e-mail of " <strong class="mono">{handle}</strong> " changes from "
                                <strong>{old}</strong> " to " <strong>{new}</strong> "."</p>
                            {tenant_change.map(|t| view! { <p class="notice" role="note">{t}</p> })}
                            <p class="muted">"The old address gets a notice with a link that undoes this for 7 days."</p>
                            <UseForm token=token() label="Confirm new e-mail" busy="Confirming…"/>
                        }.into_any(),
                        Ok(EmailLink::Undo { handle, old, new }) => view! {
                            <h1>"Undo the e-mail change"</h1>
                            <p>"The sign-in e-mail of " <strong class="mono">{handle}</strong> " goes back from "
                                <strong>{new}</strong> " to " <strong>{old}</strong> "."</p>
                            <p class="muted">"In case someone else made the change, every session of the account is signed out and every API token and temporary token stops working: sign in again afterwards, and create new tokens for anything that uses the API."</p>
                            <UseForm token=token() label="Restore my e-mail" busy="Restoring…"/>
                        }.into_any(),
                        Ok(EmailLink::Unusable) => view! {
                            <h1>"This link can't be used"</h1>
                            <p>"It has expired, was already used, or was copied incompletely. Links to confirm a new e-mail last 60 minutes; links to undo a change, 7 days."</p>
                            <a class="button" href="/login">"Go to sign-in"</a>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
fn UseForm(token: String, label: &'static str, busy: &'static str) -> impl IntoView {
    let action = ServerAction::<UseEmailLink>::new();
    let error = move || action.value().get().and_then(Result::err);
    Effect::new(move |_| {
        if let Some(Ok(next)) = action.value().get() {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&next);
            }
        }
    });
    view! {
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <ActionForm action>
            <input type="hidden" name="t" value=token/>
            <button type="submit" class="button button-wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { busy } else { label }}
            </button>
        </ActionForm>
    }
}
