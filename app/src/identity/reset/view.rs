//! The Reset Authentication section of Credentials & Access, and its
//! confirmation.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::ResetAuthentication;
use crate::ui::{Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

#[component]
pub fn ResetSection() -> impl IntoView {
    let action = ServerAction::<ResetAuthentication>::new();
    let confirming = RwSignal::new(false);
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <section class="panel" aria-labelledby="reset-title">
            <div class="panel-head">
                <h2 id="reset-title">"Reset Authentication"</h2>
                <Confirm label="Reset authentication" class="button button-danger-outline"
                    on_open=move || confirming.set(true)>
                    <ResetText/>
                    <ActionForm action>
                        <HandleField/>
                        <button type="submit" class="button button-danger">"Reset authentication"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <p class="muted">"Stops every temporary token (from console or CLI login) and every API token of your account, removes every passkey, ends a pending change of sign-in e-mail, and signs out this session and any other you have open. You will need to create new tokens for anything that uses the API. Your database password stays as it is, and connections to your workspaces keep working."</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Show when=move || confirming.get()>
                <crate::identity::Proven on_cancel=move || confirming.set(false)>
                    <ResetDialog action confirming/>
                </crate::identity::Proven>
            </Show>
        </section>
    }
}

#[component]
fn ResetDialog(action: ServerAction<ResetAuthentication>, confirming: RwSignal<bool>) -> impl IntoView {
    view! {
        <Dialog id="reset-dialog" title="Reset authentication?" on_close=move || confirming.set(false)
            body=|| view! { <ResetText/> }>
            <ActionForm action attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Reset authentication"
                    busy_label="Resetting…" busy=action.pending() danger=true/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn ResetText() -> impl IntoView {
    view! {
        <p>"This at once:"</p>
        <ul>
            <li>"stops every API token and every temporary token of your account;"</li>
            <li>"removes every passkey of your account, and ends a change of sign-in e-mail that waits for its link;"</li>
            <li>"signs you out here and in every other browser and device."</li>
        </ul>
        <p>"Your workspaces and database password do not change. You will need to sign in again (with an e-mail link), create new tokens and add your passkeys again."</p>
    }
}
