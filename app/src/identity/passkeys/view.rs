//! Credentials & Access › Passkeys: each passkey's name, when it was added
//! and last used, **Rename** and **Remove**; **Add a passkey** names it and
//! runs the browser's dialog. Adding and removing ask to confirm it is you
//! first. Removing and renaming are forms (they work without script);
//! adding needs the browser's WebAuthn, so it needs the page's script.

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{
    add_passkey, add_passkey_start, create_credential, list_passkeys, PasskeyName, PasskeySummary, PasskeySupport,
    RemovePasskey, RenamePasskey,
};
use crate::access::use_handle;
use crate::error::AppError;
use crate::identity::confirm_it_is_you::Proven;
use crate::ui::{close_when_done, day_and_time, use_live, Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

/// A change to the list, to read it again.
#[derive(Clone, Copy)]
struct Changed(RwSignal<usize>);

#[component]
pub fn PasskeysSection() -> impl IntoView {
    let handle = use_handle();
    let remove = ServerAction::<RemovePasskey>::new();
    let rename = ServerAction::<RenamePasskey>::new();
    let added = RwSignal::new(0usize);
    provide_context(Changed(added));
    let passkeys = Resource::new(
        move || (handle.get(), added.get(), remove.version().get(), rename.version().get()),
        |(h, ..)| list_passkeys(h),
    );
    let support = RwSignal::new(PasskeySupport::Unknown);
    Effect::new(move |_| support.set(PasskeySupport::of_this_page()));
    let live = use_live();
    let adding = RwSignal::new(false);
    let done = RwSignal::new(None::<String>);
    let error =
        move || remove.value().get().and_then(Result::err).or_else(|| rename.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if remove.value().get().is_some_and(|r| r.is_ok()) {
            done.set(Some("The passkey was removed: it no longer signs in.".into()));
        }
    });
    view! {
        <section class="panel" aria-labelledby="passkeys-title">
            <div class="panel-head">
                <h2 id="passkeys-title">"Passkeys"</h2>
                <button type="button" class="button button-secondary"
                    disabled=move || !live.get() || support.get() != PasskeySupport::Supported
                    on:click=move |_| { done.set(None); adding.set(true); }>
                    "Add a passkey"
                </button>
            </div>
            <p class="muted">"Sign in with your device's screen lock or a security key, without waiting for an e-mail. The e-mail link keeps working."</p>
            {move || support.get().problem().map(|p| view! { <p class="notice" role="note">{p}</p> })}
            <noscript><p class="notice">"Adding a passkey needs JavaScript: the browser's passkey dialog is opened by the page."</p></noscript>
            <p class="field-ok" role="status">{move || done.get()}</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading passkeys…"</p> }>
                {move || Suspend::new(async move {
                    match passkeys.await {
                        Ok(p) if p.passkeys.is_empty() => view! {
                            <p class="empty">{p.unavailable.unwrap_or_else(|| "No passkeys yet. Add one to sign in without e-mail.".into())}</p>
                        }.into_any(),
                        Ok(p) => view! {
                            <ul class="session-list passkey-list">
                                {p.passkeys.into_iter().map(|key| view! { <PasskeyRow key remove rename/> }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            <Show when=move || adding.get()>
                <Proven on_cancel=move || adding.set(false)>
                    <AddDialog open=adding done/>
                </Proven>
            </Show>
        </section>
    }
}

#[component]
fn PasskeyRow(
    key: PasskeySummary,
    remove: ServerAction<RemovePasskey>,
    rename: ServerAction<RenamePasskey>,
) -> impl IntoView {
    let PasskeySummary { id, name, created_at, last_used_at } = key;
    let removing = RwSignal::new(false);
    let renaming = RwSignal::new(false);
    let (id, name) = (StoredValue::new(id), StoredValue::new(name));
    view! {
        <li class="session passkey" data-passkey=id.get_value()>
            <div class="session-head">
                <span class="session-name">{name.get_value()}</span>
                <div class="row-actions">
                    <Confirm label="Rename" class="button button-secondary button-small"
                        aria_label=format!("Rename {}", name.get_value()) on_open=move || renaming.set(true)>
                        <RenameForm action=rename id=id.get_value() name=name.get_value()/>
                    </Confirm>
                    <Confirm label="Remove" class="button button-danger-outline button-small"
                        aria_label=format!("Remove {}", name.get_value()) on_open=move || removing.set(true)>
                        <RemoveText name=name.get_value()/>
                        <ActionForm action=remove>
                            <HandleField/>
                            <input type="hidden" name="id" value=id.get_value()/>
                            <button type="submit" class="button button-danger">"Remove passkey"</button>
                        </ActionForm>
                    </Confirm>
                </div>
            </div>
            <dl class="facts">
                <dt>"Added"</dt><dd>{day_and_time(&created_at)}</dd>
                <dt>"Last used"</dt><dd>{last_used_at.map(|at| day_and_time(&at)).unwrap_or_else(|| "Never".into())}</dd>
            </dl>
            <Show when=move || renaming.get()>
                <RenameDialog action=rename open=renaming id=id.get_value() name=name.get_value()/>
            </Show>
            <Show when=move || removing.get()>
                <Proven on_cancel=move || removing.set(false)>
                    <RemoveDialog action=remove open=removing id=id.get_value() name=name.get_value()/>
                </Proven>
            </Show>
        </li>
    }
}

#[component]
fn RemoveText(name: String) -> impl IntoView {
    view! {
        <p>"The passkey " <strong>{name}</strong> " will no longer sign in to your account. The device keeps it until you delete it there; Sluice will not accept it."</p>
    }
}

#[component]
fn RemoveDialog(action: ServerAction<RemovePasskey>, open: RwSignal<bool>, id: String, name: String) -> impl IntoView {
    close_when_done(action.version(), open);
    view! {
        <Dialog id="remove-passkey" title="Remove passkey?" on_close=move || open.set(false)
            body=move || view! { <RemoveText name=name.clone()/> }>
            <ActionForm action attr:class="dialog-actions">
                <HandleField/>
                <input type="hidden" name="id" value=id/>
                <ConfirmActions on_cancel=move || open.set(false) label="Remove passkey" busy_label="Removing…"
                    busy=action.pending() danger=true/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn RenameForm(action: ServerAction<RenamePasskey>, id: String, name: String) -> impl IntoView {
    let field = format!("rename-{id}");
    view! {
        <ActionForm action attr:class="inline-form">
            <HandleField/>
            <input type="hidden" name="id" value=id/>
            <div class="field">
                <label for=field.clone()>"Name"</label>
                <div class="field-row">
                    <input id=field name="name" value=name maxlength="64" required=true/>
                    <button type="submit" class="button">"Save"</button>
                </div>
            </div>
        </ActionForm>
    }
}

#[component]
fn RenameDialog(action: ServerAction<RenamePasskey>, open: RwSignal<bool>, id: String, name: String) -> impl IntoView {
    close_when_done(action.version(), open);
    view! {
        <Dialog id="rename-passkey" title="Rename passkey" on_close=move || open.set(false)
            body=|| view! { <p class="muted">"A name that tells you which device or key it is."</p> }>
            <ActionForm action>
                <HandleField/>
                <input type="hidden" name="id" value=id/>
                <div class="field">
                    <label for="rename-passkey-name">"Name"</label>
                    <input id="rename-passkey-name" name="name" value=name maxlength="64" required=true data-autofocus/>
                </div>
                <div class="dialog-actions">
                    <ConfirmActions on_cancel=move || open.set(false) label="Save" busy_label="Saving…" busy=action.pending()/>
                </div>
            </ActionForm>
        </Dialog>
    }
}

/// Where adding a passkey is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Step {
    Naming,
    Waiting,
    Saving,
}

#[component]
fn AddDialog(open: RwSignal<bool>, done: RwSignal<Option<String>>) -> impl IntoView {
    let handle = use_handle();
    let changed = expect_context::<Changed>();
    let name = RwSignal::new(String::new());
    let step = RwSignal::new(Step::Naming);
    let problem = RwSignal::new(None::<AppError>);
    let add = move || {
        let parsed = match PasskeyName::parse(&name.get_untracked()) {
            Ok(n) => n,
            Err(e) => return problem.set(Some(AppError::invalid(e))),
        };
        problem.set(None);
        step.set(Step::Waiting);
        let handle = handle.get_untracked();
        spawn_local(async move {
            let result = async {
                let ceremony = add_passkey_start(handle.clone()).await?;
                let credential = create_credential(&ceremony.options).await.map_err(AppError::invalid)?;
                step.set(Step::Saving);
                add_passkey(handle, ceremony.id, credential, parsed.as_str().to_owned()).await
            }
            .await;
            match result {
                Ok(()) => {
                    done.set(Some(format!("Passkey \"{}\" added: you can sign in with it.", parsed.as_str())));
                    changed.0.update(|n| *n += 1);
                    open.set(false);
                }
                Err(error) => {
                    problem.set(Some(error));
                    step.set(Step::Naming);
                }
            }
        });
    };
    let busy = Signal::derive(move || step.get() != Step::Naming);
    view! {
        <Dialog id="add-passkey" title="Add a passkey" on_close=move || open.set(false)
            body=|| view! { <p>"Name it for the device or key that will hold it. Then your browser asks you to create the passkey, with your screen lock or security key."</p> }>
            <form on:submit=move |ev| { ev.prevent_default(); add(); }>
                <div class="field">
                    <label for="passkey-name">"Passkey name"</label>
                    <input id="passkey-name" name="name" maxlength="64" required=true data-autofocus
                        placeholder="Work laptop" autocomplete="off"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </div>
                <p class="muted" role="status">{move || match step.get() {
                    Step::Naming => "",
                    Step::Waiting => "Waiting for your device… follow your browser's prompt.",
                    Step::Saving => "Saving the passkey…",
                }}</p>
                {move || problem.get().map(|error| view! { <ErrorPanel error/> })}
                <div class="dialog-actions">
                    <ConfirmActions on_cancel=move || open.set(false) label="Create passkey" busy_label="Waiting…" busy/>
                </div>
            </form>
        </Dialog>
    }
}
