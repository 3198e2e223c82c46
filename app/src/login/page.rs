//! `/login`: ask for a sign-in link, then "check your e-mail".

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::RequestSignInLink;
use crate::identity::SignInWithPasskey;
use crate::ui::{AuthCard, ErrorPanel};

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    view! {
        <Title text="Sign in"/>
        <AuthCard>
            <Show when=sent fallback=move || view! { <RequestForm/> }>
                <h1>"Check your e-mail"</h1>
                <p>"We sent you a link to sign in. It works once and expires in 15 minutes."</p>
                <p class="muted">"No e-mail after a minute? Check your spam folder, or ask for a new link."</p>
                <a class="button button-secondary" href="/login">"Use a different address"</a>
            </Show>
        </AuthCard>
    }
}

#[component]
fn RequestForm() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<RequestSignInLink>::new();
    let next = move || query.read().get("next").unwrap_or_default();
    let signed_out = move || query.read().get("signed_out").is_some();
    let reset = move || query.read().get("reset").is_some();
    let deleted = move || query.read().get("deleted").is_some();
    let restored = move || query.read().get("email").as_deref() == Some("restored");
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <h1>"Sign in to Sluice"</h1>
        <Show when=signed_out>
            <div class="notice" role="status">"You have signed out."</div>
        </Show>
        <Show when=reset>
            <div class="notice" role="status">"Authentication was reset: every session and token of your account stopped working. Sign in again, then create new tokens for anything that uses the API."</div>
        </Show>
        <Show when=restored>
            <div class="notice" role="status">"Your sign-in e-mail was restored, every session of your account was signed out and its tokens stopped working. Sign in again with it."</div>
        </Show>
        <Show when=deleted>
            <div class="notice" role="status">
                <strong>"Your developer account was deleted."</strong>
                " Its workspaces, tokens, database password, avatar, preferences, usage and Audit Log are gone, and you are signed out. We hate to see you go. Signing in with the same address starts a new account."
            </div>
        </Show>
        <p class="muted">"Enter your e-mail address and we will send you a link to sign in. New here? The same link creates your account."</p>
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <ActionForm action>
            <div class="field">
                <label for="email">"E-mail"</label>
                <input id="email" name="email" type="email" autocomplete="email" required=true
                    placeholder="you@example.com" maxlength="254"/>
            </div>
            <input type="hidden" name="next" value=next/>
            <button type="submit" class="button button-wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Sending…" } else { "Send sign-in link" }}
            </button>
        </ActionForm>
        <SignInWithPasskey/>
    }
}
