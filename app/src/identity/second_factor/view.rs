//! The **Second factor** section of Credentials & Access: the
//! authenticator app (set up with a QR code and a first code; removed),
//! the recovery codes (shown once, copied or downloaded), and **Require a
//! second factor**. Every control is a form, so it works without script;
//! what needs a fresh proof asks for one first.

use leptos::form::ActionForm;
use leptos::html;
use leptos::prelude::*;

use super::{
    second_factor, AuthenticatorSetup, Factors, FinishAuthenticator, NewRecoveryCodes, RecoveryCodes,
    RemoveAuthenticator, RequireSecondFactor, StartAuthenticator,
};
use crate::access::flash::take_flash;
use crate::access::use_handle;
use crate::error::AppError;
use crate::identity::{Proven, Then};
use crate::ui::{close_when_done, copy_text, day_and_time, Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

/// What was asked for with a stale proof, asked again once it is fresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Retry {
    Start,
    Remove,
    Codes,
    Require(bool),
}

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartAuthenticator>,
    finish: ServerAction<FinishAuthenticator>,
    remove: ServerAction<RemoveAuthenticator>,
    codes: ServerAction<NewRecoveryCodes>,
    require: ServerAction<RequireSecondFactor>,
}

impl Actions {
    fn retry(self, handle: String, what: Retry) {
        match what {
            Retry::Start => drop(self.start.dispatch(StartAuthenticator { handle })),
            Retry::Remove => drop(self.remove.dispatch(RemoveAuthenticator { handle })),
            Retry::Codes => drop(self.codes.dispatch(NewRecoveryCodes { handle })),
            Retry::Require(on) => {
                let required = if on { "on" } else { "off" }.to_owned();
                drop(self.require.dispatch(RequireSecondFactor { handle, required }))
            }
        }
    }
}

#[component]
pub fn SecondFactorSection() -> impl IntoView {
    let handle = use_handle();
    let a = Actions {
        start: ServerAction::new(),
        finish: ServerAction::new(),
        remove: ServerAction::new(),
        codes: ServerAction::new(),
        require: ServerAction::new(),
    };
    let data = Resource::new(
        move || {
            (
                handle.get(),
                a.start.version().get(),
                a.finish.version().get(),
                a.remove.version().get(),
                a.codes.version().get(),
                a.require.version().get(),
            )
        },
        |(h, ..)| second_factor(h),
    );
    let proving = RwSignal::new(None::<Retry>);
    fn stale<T>(e: Option<Result<T, AppError>>) -> bool {
        matches!(e, Some(Err(AppError::ConfirmIdentity)))
    }
    Effect::new(move |_| {
        if stale(a.start.value().get()) {
            proving.set(Some(Retry::Start));
        } else if stale(a.remove.value().get()) {
            proving.set(Some(Retry::Remove));
        } else if stale(a.codes.value().get()) {
            proving.set(Some(Retry::Codes));
        }
    });
    Effect::new(move |_| {
        if stale(a.require.value().get()) {
            // Asked for the opposite of what holds now.
            let on = data.get_untracked().and_then(Result::ok).is_none_or(|d| !d.factors.required);
            proving.set(Some(Retry::Require(on)));
        }
    });
    let error = move || {
        let err = |r: Option<Result<(), AppError>>| r.and_then(Result::err);
        a.start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| err(a.finish.value().get()))
            .or_else(|| err(a.remove.value().get()))
            .or_else(|| a.codes.value().get().and_then(Result::err))
            .or_else(|| err(a.require.value().get()))
            .filter(|e| *e != AppError::ConfirmIdentity)
    };
    // Codes made by a plain form post come back once, in the flash.
    let flashed = take_flash(|f| f.get::<RecoveryCodes>());
    let shown_codes = RwSignal::new(flashed.map(|c| c.codes));
    Effect::new(move |_| {
        if let Some(Ok(made)) = a.codes.value().get() {
            if !made.codes.is_empty() {
                shown_codes.set(Some(made.codes));
            }
        }
    });
    let done = move || {
        if a.finish.value().get().is_some_and(|r| r.is_ok()) {
            Some("Your authenticator app is set up.")
        } else if a.require.value().get().is_some_and(|r| r.is_ok()) {
            Some("Saved.")
        } else {
            None
        }
    };
    view! {
        <section class="panel" aria-labelledby="second-factor-title">
            <div class="panel-head">
                <h2 id="second-factor-title">"Second factor"</h2>
            </div>
            <p class="muted">"Ask for more than the e-mail link when someone signs in: a passkey or a code from an authenticator app. Recovery codes let you in if you lose both."</p>
            <p class="field-ok" role="status">{done}</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            {move || shown_codes.get().map(|codes| view! { <CodesReveal codes handle=handle.get_untracked() shown_codes/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading your second factor…"</p> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! {
                            <div class="factors">
                                <AuthenticatorPart factors=d.factors.clone() setup=d.setup a/>
                                <RecoveryPart factors=d.factors.clone() a/>
                                <RequirePart factors=d.factors a/>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
            {move || proving.get().map(|what| view! {
                <Proven on_cancel=move || proving.set(None)>
                    <Then run=Callback::new(move |_| {
                        proving.set(None);
                        a.retry(handle.get_untracked(), what);
                    })/>
                </Proven>
            })}
        </section>
    }
}

#[component]
fn AuthenticatorPart(factors: Factors, setup: Option<AuthenticatorSetup>, a: Actions) -> impl IntoView {
    let body = if let Some(added) = factors.authenticator {
        let used = added
            .last_used_at
            .as_deref()
            .map_or("never used yet".to_owned(), |u| format!("last used {}", day_and_time(u)));
        view! {
            <p class="factor-state"><span class="badge badge-ok">"On"</span>
                {format!(" Added {}, {used}.", day_and_time(&added.added_at))}</p>
            <RemoveAuthenticatorButton a/>
        }
        .into_any()
    } else if let Some(setup) = setup {
        view! { <SetupSteps setup a/> }.into_any()
    } else {
        view! {
            <p class="factor-state">"Not set up. Use an app such as 1Password, Google Authenticator or Aegis."</p>
            <ActionForm action=a.start>
                <HandleField/>
                <button type="submit" class="button button-secondary" disabled=move || a.start.pending().get()>
                    {move || if a.start.pending().get() { "Starting…" } else { "Set up authenticator app" }}
                </button>
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <div class="factor" data-factor="authenticator">
            <h3>"Authenticator app"</h3>
            {body}
        </div>
    }
}

#[component]
fn SetupSteps(setup: AuthenticatorSetup, a: Actions) -> impl IntoView {
    let field = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = field.get() {
            let _ = input.focus();
        }
    });
    let secret_node = NodeRef::<html::Code>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let plain = setup.secret.replace(' ', "");
    view! {
        <ol class="setup-steps">
            <li>
                <p>"Scan this QR code with your authenticator app."</p>
                <div class="qr" inner_html=setup.qr_svg></div>
            </li>
            <li>
                <p>"Or type this key into it (time-based, 6 digits, every 30 seconds):"</p>
                <div class="secret-row">
                    <code node_ref=secret_node class="secret" tabindex="0" aria-label="Set-up key" data-testid="totp-secret">{setup.secret}</code>
                    <crate::ui::CopyButton on_click=move || copy_text(plain.clone(), secret_node, copied, || ())/>
                </div>
                <p class="field-ok" role="status">{move || copied.get()}</p>
            </li>
            <li>
                <ActionForm action=a.finish>
                    <HandleField/>
                    <div class="field">
                        <label for="totp-first-code">"Enter the 6-digit code the app shows"</label>
                        <div class="field-row">
                            <input id="totp-first-code" name="code" node_ref=field inputmode="numeric" autocomplete="one-time-code"
                                maxlength="7" required=true spellcheck="false"/>
                            <button type="submit" class="button" disabled=move || a.finish.pending().get()>
                                {move || if a.finish.pending().get() { "Checking…" } else { "Turn on" }}
                            </button>
                        </div>
                    </div>
                </ActionForm>
            </li>
        </ol>
        <ActionForm action=a.remove>
            <HandleField/>
            <button type="submit" class="button button-secondary button-small">"Cancel set-up"</button>
        </ActionForm>
    }
}

#[component]
fn RemoveAuthenticatorButton(a: Actions) -> impl IntoView {
    let confirming = RwSignal::new(false);
    view! {
        <Confirm label="Remove" class="button button-danger-outline button-small" aria_label="Remove authenticator app"
            on_open=move || confirming.set(true)>
            <RemoveText/>
            <ActionForm action=a.remove>
                <HandleField/>
                <button type="submit" class="button button-danger">"Remove authenticator app"</button>
            </ActionForm>
        </Confirm>
        <Show when=move || confirming.get()>
            <RemoveDialog a confirming/>
        </Show>
    }
}

#[component]
fn RemoveDialog(a: Actions, confirming: RwSignal<bool>) -> impl IntoView {
    close_when_done(a.remove.version(), confirming);
    view! {
        <Dialog id="remove-authenticator" title="Remove the authenticator app?" on_close=move || confirming.set(false)
            body=|| view! { <RemoveText/> }>
            <ActionForm action=a.remove attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Remove authenticator app"
                    busy_label="Removing…" busy=a.remove.pending() danger=true/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn RemoveText() -> impl IntoView {
    view! { <p>"Its codes stop working at once. If sign-in requires a second factor, keep a passkey or turn the requirement off first."</p> }
}

#[component]
fn RecoveryPart(factors: Factors, a: Actions) -> impl IntoView {
    let confirming = RwSignal::new(false);
    let state = match &factors.recovery_codes {
        Some(r) => format!("{} of 10 unused, made {}.", r.remaining, day_and_time(&r.created_at)),
        None => "None yet. Make a set before you require a second factor.".to_owned(),
    };
    let low = factors.recovery_codes.as_ref().is_some_and(|r| r.remaining <= 2);
    let form = move || {
        view! {
            <ActionForm action=a.codes>
                <HandleField/>
                <button type="submit" class="button button-secondary" disabled=move || a.codes.pending().get()>
                    {move || if a.codes.pending().get() { "Making codes…" } else { "Make recovery codes" }}
                </button>
            </ActionForm>
        }
    };
    let control = if factors.recovery_codes.is_some() {
        view! {
            <Confirm label="New recovery codes" class="button button-secondary" on_open=move || confirming.set(true)>
                <CodesText/>
                {form()}
            </Confirm>
            <Show when=move || confirming.get()>
                <CodesDialog a confirming/>
            </Show>
        }
        .into_any()
    } else {
        form().into_any()
    };
    view! {
        <div class="factor" data-factor="recovery">
            <h3>"Recovery codes"</h3>
            <p class="factor-state" class:field-error=low>{state}</p>
            {control}
        </div>
    }
}

#[component]
fn CodesDialog(a: Actions, confirming: RwSignal<bool>) -> impl IntoView {
    close_when_done(a.codes.version(), confirming);
    view! {
        <Dialog id="new-recovery-codes" title="Make new recovery codes?" on_close=move || confirming.set(false)
            body=|| view! { <CodesText/> }>
            <ActionForm action=a.codes attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Make new codes"
                    busy_label="Making codes…" busy=a.codes.pending()/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn CodesText() -> impl IntoView {
    view! { <p>"Ten new codes replace your current set: the old codes stop working at once."</p> }
}

/// The codes, this once: listed, copied, or downloaded as text.
#[component]
fn CodesReveal(codes: Vec<String>, handle: String, shown_codes: RwSignal<Option<Vec<String>>>) -> impl IntoView {
    let text = format!(
        "Sluice recovery codes for {handle}\nEach code works once, in place of a second factor when you sign in.\n\n{}\n",
        codes.join("\n")
    );
    let href = format!("data:text/plain;charset=utf-8,{}", crate::access::encode_component(&text));
    let node = NodeRef::<html::Code>::new();
    let copied = RwSignal::new(None::<&'static str>);
    let plain = codes.join("\n");
    view! {
        <div class="reveal recovery-reveal" role="region" aria-label="Your new recovery codes">
            <p><strong>"Save these recovery codes now."</strong>" They are shown only this once. Each works once."</p>
            <code node_ref=node class="recovery-codes" tabindex="0" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <span>{c}</span>"\n" }).collect_view()}
            </code>
            <div class="reveal-actions">
                <button type="button" class="button button-secondary button-small"
                    on:click=move |_| copy_text(plain.clone(), node, copied, || ())>"Copy"</button>
                <a class="button button-secondary button-small" href=href download="sluice-recovery-codes.txt">"Download"</a>
                <button type="button" class="button button-small" on:click=move |_| shown_codes.set(None)>"I saved them"</button>
            </div>
            <p class="field-ok" role="status">{move || copied.get()}</p>
        </div>
    }
}

#[component]
fn RequirePart(factors: Factors, a: Actions) -> impl IntoView {
    let has_factor = factors.authenticator.is_some() || !factors.passkeys.is_empty();
    let has_codes = factors.recovery_codes.as_ref().is_some_and(|r| r.remaining > 0);
    let confirming = RwSignal::new(false);
    let body = if factors.required {
        view! {
            <p class="factor-state"><span class="badge badge-ok">"On"</span>" After the e-mail link, sign-in asks for a passkey, an authenticator code or a recovery code."</p>
            <Confirm label="Turn off" class="button button-secondary" aria_label="Turn off Require a second factor"
                on_open=move || confirming.set(true)>
                <OffText/>
                <ActionForm action=a.require>
                    <HandleField/>
                    <input type="hidden" name="required" value="off"/>
                    <button type="submit" class="button button-danger">"Turn off"</button>
                </ActionForm>
            </Confirm>
            <Show when=move || confirming.get()>
                <OffDialog a confirming/>
            </Show>
        }
        .into_any()
    } else {
        let why = if !has_factor {
            Some("Add a passkey or set up an authenticator app first.")
        } else if !has_codes {
            Some("Make and save recovery codes first.")
        } else {
            None
        };
        view! {
            <p class="factor-state">"Off. An e-mail link alone signs in."</p>
            <ActionForm action=a.require>
                <HandleField/>
                <input type="hidden" name="required" value="on"/>
                <button type="submit" class="button" disabled=why.is_some() aria-describedby="require-why">"Require a second factor"</button>
            </ActionForm>
            <p id="require-why" class="help">{why}</p>
        }
        .into_any()
    };
    view! {
        <div class="factor" data-factor="require">
            <h3>"Require a second factor"</h3>
            {body}
        </div>
    }
}

#[component]
fn OffDialog(a: Actions, confirming: RwSignal<bool>) -> impl IntoView {
    close_when_done(a.require.version(), confirming);
    view! {
        <Dialog id="second-factor-off" title="Stop requiring a second factor?" on_close=move || confirming.set(false)
            body=|| view! { <OffText/> }>
            <ActionForm action=a.require attr:class="dialog-actions">
                <HandleField/>
                <input type="hidden" name="required" value="off"/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Turn off"
                    busy_label="Turning off…" busy=a.require.pending() danger=true/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn OffText() -> impl IntoView {
    view! { <p>"Anyone who can open your e-mail can then sign in with a link alone. Your passkeys, authenticator app and recovery codes stay."</p> }
}
