//! The "Confirm it is you" dialog, and `Proven`, which puts it before a
//! destructive action's own dialog when the session's proof is stale.

use leptos::form::ActionForm;
use leptos::html;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{proof_status, ConfirmWithCode, ProofState, SendConfirmCode};
use crate::error::AppError;
use crate::identity::passkeys::{confirm_passkey, confirm_passkey_start, get_credential};
use crate::identity::second_factor::ConfirmWithAuthenticator;
use crate::ui::{Dialog, ErrorPanel};

/// Shows `children` (an action's dialog) once the session has proved who
/// it is in the last 10 minutes, asking first if it has not. Its code (the
/// proof's forms, the passkey and authenticator steps) is a file of its own
/// in the release build, fetched the first time an action asks: a page that
/// is only read never loads it.
#[component]
pub fn Proven(#[prop(into)] on_cancel: Callback<()>, children: ChildrenFn) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move { proof_first(on_cancel, children).await })
            }}
        </Suspense>
    }
}

#[lazy]
fn proof_first(on_cancel: Callback<()>, children: ChildrenFn) -> AnyView {
    view! { <ProofFirst on_cancel children/> }.into_any()
}

#[component]
fn ProofFirst(on_cancel: Callback<()>, children: ChildrenFn) -> impl IntoView {
    let status = Resource::new(|| (), |_| proof_status());
    let proved = RwSignal::new(false);
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match status.await {
                    Ok(s) if s.fresh => children.read_value()().into_any(),
                    Ok(s) => view! {
                        <Show when=move || proved.get()
                            fallback=move || view! { <ConfirmDialog status=s.clone() on_cancel proved/> }>
                            {children.read_value()()}
                        </Show>
                    }.into_any(),
                    Err(error) => view! {
                        <Dialog id="confirm-identity" title="Confirm it is you" on_close=on_cancel
                            body=move || view! { <ErrorPanel error=error.clone()/> }>
                            <div class="dialog-actions">
                                <button type="button" class="button button-secondary" data-autofocus
                                    on:click=move |_| on_cancel.run(())>"Close"</button>
                            </div>
                        </Dialog>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Runs `run` once, as soon as it is shown: inside [`Proven`], the action
/// that asked for the proof, tried again once the proof is there.
#[component]
pub fn Then(run: Callback<()>) -> impl IntoView {
    Effect::new(move |_| run.run(()));
}

#[component]
fn ConfirmDialog(status: ProofState, on_cancel: Callback<()>, proved: RwSignal<bool>) -> impl IntoView {
    view! {
        <Dialog id="confirm-identity" title="Confirm it is you" on_close=on_cancel
            body=|| view! { <p>"What you asked for cannot be undone or gives access to your account, so Sluice asks for a fresh proof that it is you. It lasts 10 minutes, in this browser only."</p> }>
            <ProofForms status next=String::new() on_proved=move || proved.set(true)/>
            <div class="dialog-actions">
                <button type="button" class="button button-secondary" on:click=move |_| on_cancel.run(())>"Cancel"</button>
            </div>
        </Dialog>
    }
}

/// A passkey (when the account has one) or a code from the e-mail; both
/// call `on_proved` when they have worked. The code's forms post without
/// script too (then the server returns to `next`).
#[component]
pub(super) fn ProofForms(
    status: ProofState,
    next: String,
    #[prop(into)] on_proved: Callback<()>,
    #[prop(optional)] sent_before: bool,
) -> impl IntoView {
    let send = ServerAction::<SendConfirmCode>::new();
    let confirm = ServerAction::<ConfirmWithCode>::new();
    let app_code = ServerAction::<ConfirmWithAuthenticator>::new();
    let sent = move || sent_before || send.value().get().is_some_and(|r| r.is_ok());
    Effect::new(move |_| {
        if confirm.value().get().is_some_and(|r| r.is_ok()) || app_code.value().get().is_some_and(|r| r.is_ok()) {
            on_proved.run(());
        }
    });
    let code_field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = code_field.get() {
            let _ = input.focus();
        }
    });
    let passkey_busy = RwSignal::new(false);
    let passkey_problem = RwSignal::new(None::<AppError>);
    let use_passkey = move |_| {
        passkey_busy.set(true);
        passkey_problem.set(None);
        spawn_local(async move {
            let result = async {
                let ceremony = confirm_passkey_start().await?;
                let credential = get_credential(&ceremony.options).await.map_err(AppError::invalid)?;
                confirm_passkey(ceremony.id, credential).await
            }
            .await;
            passkey_busy.set(false);
            match result {
                Ok(()) => on_proved.run(()),
                Err(error) => passkey_problem.set(Some(error)),
            }
        });
    };
    let error = move || {
        passkey_problem
            .get()
            .or_else(|| send.value().get().and_then(Result::err))
            .or_else(|| confirm.value().get().and_then(Result::err))
            .or_else(|| app_code.value().get().and_then(Result::err))
    };
    let (has_passkeys, has_app, email) = (status.passkeys, status.authenticator, status.email);
    let next = StoredValue::new(next);
    view! {
        <div class="proof">
            {has_passkeys.then(|| view! {
                <button type="button" class="button button-wide" data-autofocus on:click=use_passkey
                    disabled=move || passkey_busy.get()>
                    {move || if passkey_busy.get() { "Waiting for your passkey…" } else { "Use a passkey" }}
                </button>
                <p class="divider"><span>"or"</span></p>
            })}
            {has_app.then(|| view! {
                <ActionForm action=app_code>
                    <input type="hidden" name="next" value=next.get_value()/>
                    <div class="field">
                        <label for="confirm-app-code">"Code from your authenticator app"</label>
                        <div class="field-row">
                            <input id="confirm-app-code" name="code" inputmode="numeric" autocomplete="one-time-code"
                                maxlength="7" required=true spellcheck="false"/>
                            <button type="submit" class="button" disabled=move || app_code.pending().get()>
                                {move || if app_code.pending().get() { "Confirming…" } else { "Confirm" }}
                            </button>
                        </div>
                    </div>
                </ActionForm>
                <p class="divider"><span>"or"</span></p>
            })}
            <ActionForm action=send>
                <input type="hidden" name="next" value=next.get_value()/>
                <button type="submit" class="button button-secondary button-wide" data-autofocus
                    disabled=move || send.pending().get()>
                    {move || if send.pending().get() { "Sending…" } else if sent() { "Send a new code" } else { "E-mail me a code" }}
                </button>
            </ActionForm>
            <p class="muted">"The code goes to " <strong>{email}</strong> "."</p>
            <Show when=sent>
                <ActionForm action=confirm>
                    <input type="hidden" name="next" value=next.get_value()/>
                    <div class="field">
                        <label for="confirm-code">"Code from your e-mail"</label>
                        <div class="field-row">
                            <input id="confirm-code" name="code" node_ref=code_field inputmode="numeric"
                                autocomplete="one-time-code" maxlength="7" required=true spellcheck="false"/>
                            <button type="submit" class="button" disabled=move || confirm.pending().get()>
                                {move || if confirm.pending().get() { "Confirming…" } else { "Confirm" }}
                            </button>
                        </div>
                    </div>
                </ActionForm>
            </Show>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
        </div>
    }
}
