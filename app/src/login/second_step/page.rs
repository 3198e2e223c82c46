//! `/login/second-step`: after the e-mail link, the account's second
//! factor: a passkey, a code from the authenticator app, or a recovery
//! code. Works without script (the code's form posts).

use leptos::form::ActionForm;
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;

use super::{second_step_ask, CancelSecondStep, SecondStep};
use crate::error::AppError;
use crate::identity::SignInWithPasskey;
use crate::ui::{AuthCard, ErrorPanel, Loading};

#[component]
pub fn SecondStepPage() -> impl IntoView {
    let info = Resource::new(|| (), |_| second_step_ask());
    view! {
        <Title text="Second factor"/>
        <AuthCard>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match info.await {
                        Ok(info) => view! { <Ask email=info.email authenticator=info.authenticator passkeys=info.passkeys/> }.into_any(),
                        Err(AppError::Unauthorized) => view! { <Expired/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
fn Ask(email: String, authenticator: bool, passkeys: bool) -> impl IntoView {
    let action = ServerAction::<SecondStep>::new();
    let cancel = ServerAction::<CancelSecondStep>::new();
    let error = move || action.value().get().and_then(Result::err);
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
        }
    });
    // After a wrong code the field is cleared and takes the focus again.
    Effect::new(move |_| {
        if action.value().get().is_some_and(|r| r.is_err()) {
            if let Some(input) = field.get_untracked() {
                input.set_value("");
                let _ = input.focus();
            }
        }
    });
    let label = if authenticator { "Code from your authenticator app, or a recovery code" } else { "A recovery code" };
    view! {
        <h1>"One more step"</h1>
        <p>"You opened the sign-in link for " <strong>{email}</strong> ". This account also asks for a second factor."</p>
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <ActionForm action>
            <div class="field">
                <label for="second-factor-code">{label}</label>
                <input id="second-factor-code" name="code" node_ref=field autocomplete="one-time-code" required=true autofocus=true
                    spellcheck="false" autocapitalize="none" maxlength="24" aria-describedby="second-factor-help"/>
                <p id="second-factor-help" class="help">"Six digits from the app, or a recovery code such as abcde-fghjk. Each recovery code works once."</p>
            </div>
            <button type="submit" class="button button-wide" disabled=move || action.pending().get()>
                {move || if action.pending().get() { "Checking…" } else { "Continue" }}
            </button>
        </ActionForm>
        {passkeys.then(|| view! { <SignInWithPasskey/> })}
        <ActionForm action=cancel attr:class="second-step-cancel">
            <button type="submit" class="button button-secondary button-wide">"Cancel"</button>
        </ActionForm>
        <p class="muted">"This step expires 10 minutes after the link was opened."</p>
    }
}

#[component]
fn Expired() -> impl IntoView {
    view! {
        <h1>"This sign-in has expired"</h1>
        <p>"The second step lasts 10 minutes after the sign-in link is opened, and five wrong codes end it. Request a new link to try again."</p>
        <a class="button" href="/login">"Request a new link"</a>
    }
}
