//! **Sign in with a passkey** on `/login`: the browser offers the passkeys
//! it holds for this site; the one chosen signs in without e-mail.

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
    let sign_in = move |_| {
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = async {
                let ceremony = passkey_sign_in_start().await?;
                let credential = get_credential(&ceremony.options).await.map_err(AppError::invalid)?;
                passkey_sign_in(ceremony.id, credential).await
            }
            .await;
            match result {
                // A whole page load: every part of the page starts signed in.
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
