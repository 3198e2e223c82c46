//! The Delete developer account section and its dialog.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::DeleteAccount;
use crate::access::session::Viewer;
use crate::data_export::DownloadData;
use crate::handle::HOLD_DAYS;
use crate::identity::Proven;
use crate::ui::{Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

#[component]
pub fn DeleteAccountSection() -> impl IntoView {
    let action = ServerAction::<DeleteAccount>::new();
    let confirming = RwSignal::new(false);
    let error = move || action.value().get().and_then(Result::err);
    let viewer = expect_context::<Memo<Viewer>>();
    let handle = viewer.get_untracked().handle;
    view! {
        <section class="panel panel-danger" aria-labelledby="account-deletion-heading">
            <div class="panel-head">
                <h2 id="account-deletion-heading">"Delete developer account"</h2>
                <Confirm label="Delete developer account" class="button button-danger-outline"
                    on_open=move || confirming.set(true)>
                    <form method="post" action="/sfn/delete_account" class="inline-form">
                        <HandleField/>
                        <div class="field">
                            <label for="delete-account-plain">{format!("Type {handle} to confirm")}</label>
                            <div class="field-row">
                                <input id="delete-account-plain" name="confirm" autocomplete="off" spellcheck="false" autocapitalize="none" required=true/>
                                <button type="submit" class="button button-danger">"Delete"</button>
                            </div>
                        </div>
                    </form>
                </Confirm>
            </div>
            <p class="muted">"Permanently removes your developer account and all of its contents. This action is not reversible."</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Show when=move || confirming.get()>
                <Proven on_cancel=move || confirming.set(false)>
                    {move || Suspend::new(async move { delete_dialog(action, confirming).await })}
                </Proven>
            </Show>
        </section>
    }
}

/// The dialog's code is fetched when it is first opened.
#[lazy]
fn delete_dialog(action: ServerAction<DeleteAccount>, confirming: RwSignal<bool>) -> AnyView {
    view! { <DeleteDialog action confirming/> }.into_any()
}

#[component]
fn DeleteDialog(action: ServerAction<DeleteAccount>, confirming: RwSignal<bool>) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let handle = viewer.get_untracked().handle;
    let typed = RwSignal::new(String::new());
    let target = StoredValue::new(handle.clone());
    let matches = move || typed.get() == target.get_value();
    let close = move || confirming.set(false);
    let prompt = format!("Type {handle} to confirm");
    view! {
        <Dialog id="delete-account" title="Delete developer account?" on_close=move |_| close()
            body=move || view! {
                <p><strong>"This action is not reversible."</strong>" Deleting " <strong class="mono">{target.get_value()}</strong> " removes at once:"</p>
                <ul>
                    <li>"every workspace, its database and its DNS name;"</li>
                    <li>"your API tokens, temporary tokens and database password;"</li>
                    <li>"your avatar, Display Name, notification preferences, usage and Audit Log;"</li>
                    <li>"every session: you are signed out everywhere."</li>
                </ul>
                <p class="muted">{format!("Nobody can take your handle for {HOLD_DAYS} days. Signing in with your e-mail address afterwards starts a new account.")}</p>
                <p>"Want a copy first? " <DownloadData handle=Signal::stored(target.get_value()) secondary=true/></p>
            }>
            <ActionForm action>
                <HandleField/>
                <div class="field">
                    <label for="delete-account-confirm">{prompt}</label>
                    <input id="delete-account-confirm" name="confirm" autocomplete="off" spellcheck="false"
                        autocapitalize="none" prop:value=typed on:input=move |ev| typed.set(event_target_value(&ev))/>
                </div>
                <div class="dialog-actions">
                    <ConfirmActions on_cancel=move || close() label="Delete" busy_label="Deleting…"
                        busy=action.pending() danger=true disabled=Signal::derive(move || !matches())/>
                </div>
            </ActionForm>
        </Dialog>
    }
}
