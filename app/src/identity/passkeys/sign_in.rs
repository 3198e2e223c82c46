//! **Sign in with a passkey** on `/login`: the browser offers the passkeys
//! it holds for this site; the one chosen signs in without e-mail. Where
//! the browser can, its autofill of the e-mail field offers them too (a
//! conditional request, aborted when the button is pressed).

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{get_credential, passkey_sign_in, passkey_sign_in_start, PasskeySupport};
use crate::error::AppError;
use crate::ui::{use_live, ErrorPanel};

#[component]
pub fn SignInWithPasskey() -> impl IntoView {
    let support = RwSignal::new(PasskeySupport::Unknown);
    Effect::new(move |_| support.set(PasskeySupport::of_this_page()));
    let live = use_live();
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(None::<AppError>);
    // The autofill's pending request, to abort when the button asks instead.
    let autofill = StoredValue::new_local(None::<web_sys::AbortController>);
    Effect::new(move |_| {
        if support.get() == PasskeySupport::Supported {
            offer_in_autofill(autofill, busy, problem);
        }
    });
    let sign_in = move |_| {
        busy.set(true);
        problem.set(None);
        if let Some(pending) = autofill.try_update_value(Option::take).flatten() {
            pending.abort();
        }
        spawn_local(async move {
            // Let the aborted request settle before the browser is asked again.
            gloo_timers::future::TimeoutFuture::new(0).await;
            let result = async {
                let ceremony = passkey_sign_in_start().await?;
                let credential = get_credential(&ceremony.options).await.map_err(AppError::invalid)?;
                passkey_sign_in(ceremony.id, credential).await
            }
            .await;
            signed_in(result, busy, problem);
        });
    };
    view! {
        <div class="passkey-sign-in">
            <p class="divider"><span>"or"</span></p>
            <button type="button" class="button button-secondary button-wide" on:click=sign_in
                disabled=move || !live.get() || busy.get() || support.get() != PasskeySupport::Supported>
                {move || if busy.get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }}
            </button>
            {move || support.get().problem().map(|p| view! { <p class="muted passkey-note" role="note">{p}</p> })}
            <noscript><p class="muted passkey-note">"Signing in with a passkey needs JavaScript."</p></noscript>
            {move || problem.get().map(|error| view! { <ErrorPanel error/> })}
        </div>
    }
}

/// A whole page load of the account page (every part of the page starts
/// signed in), or what went wrong.
fn signed_in(result: Result<String, AppError>, busy: RwSignal<bool>, problem: RwSignal<Option<AppError>>) {
    match result {
        Ok(home) => {
            if let Some(window) = web_sys::window() {
                let _ = window.location().assign(&home);
            }
        }
        Err(error) => {
            problem.set(Some(error));
            busy.set(false);
        }
    }
}

/// Starts a conditional request: the browser lists this site's passkeys
/// in the e-mail field's autofill; choosing one signs in. Nothing is said
/// if the browser cannot, or the request is aborted.
fn offer_in_autofill(
    autofill: StoredValue<Option<web_sys::AbortController>, LocalStorage>,
    busy: RwSignal<bool>,
    problem: RwSignal<Option<AppError>>,
) {
    #[cfg(not(feature = "ssr"))]
    spawn_local(async move {
        use super::browser::{autofill_available, autofill_credential};
        if !autofill_available().await {
            return;
        }
        let Ok(ceremony) = passkey_sign_in_start().await else { return };
        let Ok(controller) = web_sys::AbortController::new() else { return };
        let signal = controller.signal();
        autofill.set_value(Some(controller));
        if let Ok(credential) = autofill_credential(&ceremony.options, &signal).await {
            busy.set(true);
            signed_in(passkey_sign_in(ceremony.id, credential).await, busy, problem);
        }
    });
    #[cfg(feature = "ssr")]
    let _ = (autofill, busy, problem);
}
