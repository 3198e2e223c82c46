//! `/login/confirm?t=…`: the page a sign-in link opens. Opening it changes
//! nothing (mail scanners open links too); the button signs in, or, for a
//! new address, creates the account.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use shared::{DisplayName, Handle};

use super::{inspect_sign_in_link, ConfirmSignIn, LinkInfo};
use crate::ui::{typed_before_live, AuthCard, ErrorPanel, Loading};

#[component]
pub fn SignInLinkPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("t").unwrap_or_default();
    let info = Resource::new(token, inspect_sign_in_link);
    view! {
        <Title text="Sign in"/>
        <AuthCard>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(LinkInfo::SignIn { email }) => view! { <SignInForm token=token() email/> }.into_any(),
                        Ok(LinkInfo::SignUp { email, suggested_handle }) => view! {
                            <SignUpForm token=token() email suggested_handle/>
                        }.into_any(),
                        Ok(LinkInfo::Unusable) => view! { <Unusable/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
fn SignInForm(token: String, email: String) -> impl IntoView {
    let action = ServerAction::<ConfirmSignIn>::new();
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <h1>"Welcome back"</h1>
        <p>"Sign in as " <strong>{email}</strong> "."</p>
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <ActionForm action>
            <input type="hidden" name="t" value=token/>
            <button type="submit" class="button button-wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn SignUpForm(token: String, email: String, suggested_handle: String) -> impl IntoView {
    let action = ServerAction::<ConfirmSignIn>::new();
    let error = move || action.value().get().and_then(Result::err);
    let handle = RwSignal::new(typed_before_live("handle").unwrap_or_else(|| suggested_handle.clone()));
    let name = RwSignal::new(typed_before_live("display_name").unwrap_or_default());
    let touched_name = RwSignal::new(false);
    // The same rules the server applies, while the person types.
    let handle_problem = move || {
        let h = handle.get();
        (!h.is_empty()).then(|| Handle::parse(&h).err().map(|e| e.to_string())).flatten()
    };
    let name_problem =
        move || touched_name.get().then(|| DisplayName::parse(&name.get()).err().map(|e| e.to_string())).flatten();
    view! {
        <h1>"Create your account"</h1>
        <p class="muted">"You are signing up as " <strong>{email}</strong> ". Choose how you appear on Sluice."</p>
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <ActionForm action>
            <input type="hidden" name="t" value=token/>
            <div class="field">
                <label for="handle">"Handle"</label>
                <input id="handle" name="handle" type="text" required=true autocomplete="username"
                    autocapitalize="none" spellcheck="false" maxlength="39"
                    aria-describedby="handle-help handle-problem"
                    aria-invalid=move || handle_problem().is_some().to_string()
                    prop:value=move || handle.get() value=suggested_handle
                    on:input=move |ev| handle.set(event_target_value(&ev))/>
                <p id="handle-help" class="help">"Lowercase letters, digits and hyphens. It is part of your workspaces' DNS names."</p>
                <p id="handle-problem" class="field-error" aria-live="polite">{handle_problem}</p>
            </div>
            <div class="field">
                <label for="display_name">"Display Name"</label>
                <input id="display_name" name="display_name" type="text" required=true autocomplete="name" maxlength="100"
                    aria-describedby="name-problem"
                    aria-invalid=move || name_problem().is_some().to_string()
                    on:input=move |ev| name.set(event_target_value(&ev))
                    on:blur=move |_| touched_name.set(true)/>
                <p id="name-problem" class="field-error" aria-live="polite">{name_problem}</p>
            </div>
            <button type="submit" class="button button-wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Creating your account…" } else { "Create account" }}
            </button>
        </ActionForm>
    }
}

#[component]
fn Unusable() -> impl IntoView {
    view! {
        <h1>"This link can't be used"</h1>
        <p>"Sign-in links work once and expire after 15 minutes. This one has expired, was already used, or was copied incompletely."</p>
        <a class="button" href="/login">"Request a new link"</a>
    }
}
