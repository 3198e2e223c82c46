//! User Profile › Sign-in e-mail: the address, and **Change e-mail**
//! (after confirming it is you), which mails a link to the new address.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::RequestEmailChange;
use crate::access::session::Viewer;
use crate::identity::Proven;
use crate::ui::{Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

#[component]
pub fn EmailSection() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let action = ServerAction::<RequestEmailChange>::new();
    let open = RwSignal::new(false);
    let query = leptos_router::hooks::use_query_map();
    let changed = move || query.read().get("email").as_deref() == Some("changed");
    let sent = move || action.value().get().and_then(Result::ok);
    let error = move || action.value().get().and_then(Result::err);
    Effect::new(move |_| {
        if action.value().get().is_some_and(|r| r.is_ok()) {
            open.set(false);
        }
    });
    view! {
        <section class="panel" aria-labelledby="email-title">
            <div class="panel-head">
                <h2 id="email-title">"Sign-in e-mail"</h2>
                <Confirm label="Change e-mail" class="button button-secondary" on_open=move || open.set(true)>
                    <ActionForm action>
                        <HandleField/>
                        <EmailField id="new-email-plain"/>
                        <button type="submit" class="button">"Send confirmation link"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <p><strong class="mono">{move || viewer.read().email.clone()}</strong></p>
            <p class="muted">"Sign-in links and Sluice's e-mails go to this address. A new one is used once you open the link we send to it; the old one gets a notice with a way to undo the change for 7 days."</p>
            <Show when=changed>
                <p class="notice" role="status">"Your sign-in e-mail is now " <strong>{move || viewer.read().email.clone()}</strong> ". Sign-in links go there from now on."</p>
            </Show>
            {move || sent().map(|to| view! {
                <p class="notice" role="status">"We sent a link to " <strong>{to}</strong> ". Your sign-in e-mail changes when you open it (within 60 minutes); until then nothing changes."</p>
            })}
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Show when=move || open.get()>
                <Proven on_cancel=move || open.set(false)>
                    {move || Suspend::new(async move { email_dialog(action, open).await })}
                </Proven>
            </Show>
        </section>
    }
}

/// The dialog's code is fetched when it is first opened.
#[lazy]
fn email_dialog(action: ServerAction<RequestEmailChange>, open: RwSignal<bool>) -> AnyView {
    view! { <EmailDialog action open/> }.into_any()
}

#[component]
fn EmailDialog(action: ServerAction<RequestEmailChange>, open: RwSignal<bool>) -> impl IntoView {
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <Dialog id="change-email" title="Change sign-in e-mail" on_close=move || open.set(false)
            body=|| view! { <p>"We send a link to the new address. Nothing changes until you open it. If your new address belongs to a company that manages its members' billing, your account joins it: the link's page says so before you confirm."</p> }>
            <ActionForm action>
                <HandleField/>
                <EmailField id="new-email"/>
                {move || error().map(|error| view! { <ErrorPanel error/> })}
                <div class="dialog-actions">
                    <ConfirmActions on_cancel=move || open.set(false) label="Send confirmation link"
                        busy_label="Sending…" busy=action.pending()/>
                </div>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn EmailField(id: &'static str) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>"New e-mail"</label>
            <input id=id name="email" type="email" autocomplete="email" required=true maxlength="254"
                placeholder="you@example.com" data-autofocus/>
        </div>
    }
}
