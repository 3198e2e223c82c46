//! `/not-me/{id}`: where a new-network alert's "This wasn't me" leads.
//! It says what was used, from where and by what, and ends it (after
//! Confirm it is you): the session, the token, or the database password.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::{network_alert, Alert, NotMe};
use crate::error::AppError;
use crate::identity::{Proven, Then};
use crate::ui::{day_and_time, AuthCard, ErrorPanel, Loading, SignInRedirect};

#[component]
pub fn NotMePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let undo = ServerAction::<NotMe>::new();
    let alert = Resource::new(move || (id(), undo.version().get()), |(id, _)| network_alert(id));
    view! {
        <Title text="This wasn't me"/>
        <AuthCard>
            <h1>"This wasn't me"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match alert.await {
                        Ok(a) => view! { <AlertView alert=a undo/> }.into_any(),
                        Err(AppError::Unauthorized) => view! { <SignInRedirect/> }.into_any(),
                        Err(AppError::NotFound) => view! {
                            <p>"This link does not belong to the account you are signed in to, or the network it named was removed."</p>
                            <a class="button" href="/">"Go to your account"</a>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}

#[component]
fn AlertView(alert: Alert, undo: ServerAction<NotMe>) -> impl IntoView {
    let proving = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(undo.value().get(), Some(Err(AppError::ConfirmIdentity))) {
            proving.set(true);
        }
    });
    let error = move || undo.value().get().and_then(Result::err).filter(|e| *e != AppError::ConfirmIdentity);
    let id = alert.id.clone();
    let credentials = format!("/user/{}/advanced/credentials", alert.handle);
    let facts = view! {
        <dl class="facts alert-facts">
            <dt>"What"</dt><dd>{alert.credential_name.clone()}</dd>
            <dt>"Network"</dt><dd>{format!("{} (address {})", alert.network, alert.address)}</dd>
            <dt>"Client"</dt><dd>{if alert.client.is_empty() { "Not known".to_owned() } else { alert.client.clone() }}</dd>
            <dt>"When"</dt><dd>{day_and_time(&alert.created_at)}" UTC"</dd>
        </dl>
    };
    if let Some(at) = alert.undone_at {
        return view! {
            {facts}
            <p class="notice" role="status">{format!("Done on {} UTC: {}.", day_and_time(&at), alert.undo.done())}</p>
            <p>"If someone else had your e-mail too, Reset authentication on Credentials & Access ends every way in at once."</p>
            <a class="button button-wide" href=credentials>"Open Credentials & Access"</a>
        }
        .into_any();
    }
    let label = alert.undo.label();
    let retry_id = StoredValue::new(id.clone());
    view! {
        {facts}
        <p>"If you do not recognise this, end it now. The network is forgotten, so its next use is e-mailed again."</p>
        {move || error().map(|error| view! { <ErrorPanel error/> })}
        <div class="alert-actions">
            <ActionForm action=undo>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="button button-danger button-wide" disabled=move || undo.pending().get()>
                    {move || if undo.pending().get() { "Working…" } else { label }}
                </button>
            </ActionForm>
            <a class="button button-secondary button-wide" href=credentials>"It was me"</a>
        </div>
        <Show when=move || proving.get()>
            <Proven on_cancel=move || proving.set(false)>
                <Then run=Callback::new(move |_| {
                    proving.set(false);
                    undo.dispatch(NotMe { id: retry_id.get_value() });
                })/>
            </Proven>
        </Show>
    }
    .into_any()
}
