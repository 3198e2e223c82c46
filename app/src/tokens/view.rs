//! The Tokens section: the list (name, masked value, access, dates,
//! state), New Token (Name, Expiration, Access) with its one-time
//! reveal, and each row's Options menu.

use leptos::form::ActionForm;
use leptos::prelude::*;
use shared::TokenStatus;

use super::new_token::{EXPIRATIONS, NAME_MAX};
use super::{
    list_tokens, CreateToken, CreatedToken, DeleteToken, SetTokenStatus, TokenAccess, TokenSummary, MAX_TOKENS,
};
use crate::access::flash::take_flash;
use crate::access::use_handle;
use crate::error::AppError;
use crate::identity::Proven;
use crate::ui::{
    close_when_done, copy_text, Confirm, ConfirmActions, CopyButton, Dialog, ErrorPanel, HandleField, Menu,
    RevealButton,
};

#[component]
pub fn TokensSection() -> impl IntoView {
    let handle = use_handle();
    let create = ServerAction::<CreateToken>::new();
    let set_status = ServerAction::<SetTokenStatus>::new();
    let delete = ServerAction::<DeleteToken>::new();
    let tokens = Resource::new(
        move || (handle.get(), create.version().get(), set_status.version().get(), delete.version().get()),
        |(h, ..)| list_tokens(h),
    );
    // Read the list only by awaiting it inside a Transition: a plain read
    // outside one blocks a server thread while the list is being written.
    let at_cap = move || async move {
        let counted = |t: &&TokenSummary| !matches!(t.status, TokenStatus::Revoked | TokenStatus::Expired);
        tokens.await.is_ok_and(|t| t.iter().filter(counted).count() as i64 >= MAX_TOKENS)
    };
    // A token made by a plain form post comes back once, in the flash.
    let flashed = take_flash(|f| f.get::<CreatedToken>());
    let created = move || {
        create.value().get().and_then(Result::ok).map(|c| (c, false)).or_else(|| flashed.clone().map(|c| (c, true)))
    };
    let error = move || {
        create
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| set_status.value().get().and_then(Result::err))
            .or_else(|| delete.value().get().and_then(Result::err))
    };

    let creating = RwSignal::new(false);
    // A full-access token made with a stale proof: confirm it is you,
    // then the dialog opens again.
    let proving = RwSignal::new(false);
    Effect::new(move |_| {
        if matches!(create.value().get(), Some(Err(AppError::ConfirmIdentity))) {
            proving.set(true);
        }
    });
    view! {
        <section class="panel" aria-labelledby="tokens-title">
            <div class="panel-head">
                <h2 id="tokens-title">"Tokens"</h2>
                <Transition fallback=move || view! { <NewTokenForm create creating at_cap=false/> }>
                    {move || Suspend::new(async move {
                        view! { <NewTokenForm create creating at_cap=at_cap().await/> }
                    })}
                </Transition>
            </div>
            <Show when=move || creating.get()>
                <NewTokenDialog create creating/>
            </Show>
            <Show when=move || proving.get()>
                <Proven on_cancel=move || proving.set(false)>
                    <Reopen proving creating/>
                </Proven>
            </Show>
            <p class="muted">"Use tokens to access the API or to connect to your workspaces from the CLI. You can have up to "
                {MAX_TOKENS} " tokens at a time."</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    view! {
                        <p id="token-cap" class="help" hidden=!at_cap().await>
                            "You have " {MAX_TOKENS} " tokens, the most you can have. Delete one to create another."
                        </p>
                    }
                })}
            </Transition>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            {move || created().map(|(c, shown)| view! { <NewTokenReveal created=c shown/> })}
            <Transition fallback=|| view! { <p class="muted">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="empty">"You have no tokens yet. Create one with New Token."</p>
                        }.into_any(),
                        Ok(list) => view! { <TokenTable list set_status delete/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// New Token: a dialog asking for the name, expiration and access (a
/// disclosure with the same form without script); disabled at the cap
/// (the note `token-cap` says why).
#[component]
fn NewTokenForm(create: ServerAction<CreateToken>, creating: RwSignal<bool>, at_cap: bool) -> impl IntoView {
    if at_cap {
        return view! { <button type="button" class="button" aria-describedby="token-cap" disabled=true>"New Token"</button> }
            .into_any();
    }
    view! {
        <Confirm label="New Token" class="button" on_open=move || creating.set(true)>
            <ActionForm action=create attr:class="token-form">
                <HandleField/>
                <TokenFields prefix="plain"/>
                <button type="submit" class="button">"Create token"</button>
            </ActionForm>
        </Confirm>
    }
    .into_any()
}

/// Name, Expiration (with a date when A date… is chosen) and Access.
#[component]
fn TokenFields(prefix: &'static str) -> impl IntoView {
    let id = move |field: &str| format!("token-{prefix}-{field}");
    let choice = RwSignal::new("never".to_owned());
    let options = EXPIRATIONS
        .iter()
        .map(|(value, label)| view! { <option value=*value selected=*value == "never">{*label}</option> })
        .collect_view();
    view! {
        <div class="field">
            <label for=id("name")>"Name"</label>
            // In the dialog, the name takes the focus when it opens.
            <input id=id("name") name="name" maxlength=NAME_MAX.to_string() autocomplete="off"
                data-autofocus=(prefix == "dialog").then_some("")
                placeholder="Token of today’s date" aria-describedby=id("name-help")/>
            <p id=id("name-help") class="help">"What it is for, such as “CI deploys”. Optional."</p>
        </div>
        <div class="field">
            <label for=id("expiration")>"Expiration"</label>
            <select id=id("expiration") name="expiration" on:change=move |ev| choice.set(event_target_value(&ev))>
                {options}
            </select>
        </div>
        // Without script the date field is always there; it counts only
        // with A date… chosen.
        <div class="field token-date" class:is-hidden=move || choice.get() != "date">
            <label for=id("date")>"Expires on"</label>
            <input id=id("date") name="date" type="date" aria-describedby=id("date-help")/>
            <p id=id("date-help") class="help">"Used when Expiration is A date…: the token stops working at the end of that day (UTC)."</p>
        </div>
        <fieldset class="field">
            <legend>"Access"</legend>
            <label class="choice">
                <input type="radio" name="access" value=TokenAccess::Full.as_str() checked=true/>
                <span><strong>{TokenAccess::Full.label()}</strong>" — anything your account can do."</span>
            </label>
            <label class="choice">
                <input type="radio" name="access" value=TokenAccess::ReadOnly.as_str()/>
                <span><strong>{TokenAccess::ReadOnly.label()}</strong>" — reads everything, changes nothing."</span>
            </label>
        </fieldset>
    }
}

/// Once proved: the New Token dialog again.
#[component]
fn Reopen(proving: RwSignal<bool>, creating: RwSignal<bool>) -> impl IntoView {
    Effect::new(move |_| {
        proving.set(false);
        creating.set(true);
    });
}

#[component]
fn NewTokenDialog(create: ServerAction<CreateToken>, creating: RwSignal<bool>) -> impl IntoView {
    close_when_done(create.version(), creating);
    view! {
        <Dialog id="new-token" title="New Token" on_close=move || creating.set(false)
            body=|| view! { <p class="muted">"The token is shown once, right after it is made."</p> }>
            <ActionForm action=create attr:class="token-form">
                <HandleField/>
                <TokenFields prefix="dialog"/>
                <div class="dialog-actions">
                    <ConfirmActions on_cancel=move || creating.set(false) label="Create token"
                        busy_label="Creating…" busy=create.pending()/>
                </div>
            </ActionForm>
        </Dialog>
    }
}

/// The new token, masked until Reveal, with Copy; shown this once.
/// Without script (`shown`) there is no Reveal to press: it shows in full.
#[component]
fn NewTokenReveal(created: CreatedToken, shown: bool) -> impl IntoView {
    let revealed = RwSignal::new(shown);
    let copied = RwSignal::new(None::<&'static str>);
    let code = NodeRef::<leptos::html::Code>::new();
    let secret = StoredValue::new(created.secret.clone());
    let shown = move || {
        if revealed.get() {
            secret.get_value()
        } else {
            format!("spt_{}", "•".repeat(40))
        }
    };
    let copy = move || {
        revealed.set(true);
        copy_text(secret.get_value(), code, copied, || {});
    };
    view! {
        <div class="token-new" role="region" aria-label="New token">
            <p><strong>"Copy your new token now."</strong> " You will not be able to retrieve it again."</p>
            <div class="secret-row">
                <code node_ref=code class="secret" data-testid="new-token">{shown}</code>
                <RevealButton revealed=revealed.into() on_click=move || revealed.update(|r| *r = !*r)/>
                <CopyButton on_click=copy/>
            </div>
            <p class="field-ok" role="status">{move || copied.get()}</p>
            <p class="help">{format!("Listed below as {}.", created.token.masked)}</p>
        </div>
    }
}

#[component]
fn TokenTable(
    list: Vec<TokenSummary>,
    set_status: ServerAction<SetTokenStatus>,
    delete: ServerAction<DeleteToken>,
) -> impl IntoView {
    let confirming = RwSignal::new(None::<TokenSummary>);
    view! {
        <div class="table-scroll">
            <table class="table token-table">
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Token"</th><th scope="col">"Access"</th>
                    <th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col">"Expires"</th>
                    <th scope="col">"Status"</th><th scope="col"><span class="visually-hidden">"Options"</span></th>
                </tr></thead>
                <tbody>
                    {list.into_iter().map(|t| view! { <TokenRow token=t set_status delete confirming/> }).collect_view()}
                </tbody>
            </table>
        </div>
        {move || confirming.get().map(|t| view! { <ConfirmDelete token=t delete confirming/> })}
    }
}

#[component]
fn TokenRow(
    token: TokenSummary,
    set_status: ServerAction<SetTokenStatus>,
    delete: ServerAction<DeleteToken>,
    confirming: RwSignal<Option<TokenSummary>>,
) -> impl IntoView {
    let active = token.status == TokenStatus::Active;
    let revoked = matches!(token.status, TokenStatus::Revoked | TokenStatus::Expired);
    let id = StoredValue::new(token.id.clone());
    let row = StoredValue::new(token.clone());
    let badge = match token.status {
        TokenStatus::Active => "badge badge-ok",
        TokenStatus::Revoked | TokenStatus::Expired => "badge badge-revoked",
        TokenStatus::Inactive => "badge",
    };
    let why = match token.status {
        TokenStatus::Revoked => Some("Revoked by Reset authentication"),
        TokenStatus::Expired => Some("Its expiry has passed: it no longer works"),
        _ => None,
    };
    let day = |t: &str| t.get(..10).unwrap_or_default().to_owned();
    let status = token.status.label();
    view! {
        <tr>
            <td class="token-name">{token.title.clone()}</td>
            <td><code>{token.masked.clone()}</code></td>
            <td>{token.access.label()}</td>
            <td><time datetime=token.created_at.clone()>{day(&token.created_at)}</time></td>
            <td>{token.last_used_at.as_deref().map(day).unwrap_or_else(|| "Never".into())}</td>
            <td>{token.expires_at.as_deref().map(day).unwrap_or_else(|| "Never".into())}</td>
            <td><span class=badge title=why>{status}</span></td>
            <td class="cell-end">
                <Menu label="Options" class="menu-right" button=|| view! {
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><circle cx="5" cy="12" r="2" fill="currentColor"/><circle cx="12" cy="12" r="2" fill="currentColor"/><circle cx="19" cy="12" r="2" fill="currentColor"/></svg>
                }>
                    <Show when=move || !revoked>
                        <ActionForm action=set_status attr:class="menu-form">
                            <HandleField/>
                            <input type="hidden" name="id" value=id.get_value()/>
                            <input type="hidden" name="active" value=(!active).to_string()/>
                            <button type="submit" role="menuitem">{if active { "Deactivate" } else { "Activate" }}</button>
                        </ActionForm>
                    </Show>
                    <Confirm label="Delete" class="danger" role="menuitem"
                        on_open=move || confirming.set(Some(row.get_value()))>
                        <p>{delete_text(&row.get_value().masked)}</p>
                        <ActionForm action=delete>
                            <HandleField/>
                            <input type="hidden" name="id" value=id.get_value()/>
                            <button type="submit" class="button button-danger">"Delete token"</button>
                        </ActionForm>
                    </Confirm>
                </Menu>
            </td>
        </tr>
    }
}

#[component]
fn ConfirmDelete(
    token: TokenSummary,
    delete: ServerAction<DeleteToken>,
    confirming: RwSignal<Option<TokenSummary>>,
) -> impl IntoView {
    let handle = use_handle();
    let id = token.id.clone();
    let masked = token.masked.clone();
    view! {
        <Dialog id="delete-token" title="Delete token?" on_close=move || confirming.set(None)
            body=move || view! {
                <p>{delete_text(&masked)}</p>
            }>
            <div class="dialog-actions">
                <ConfirmActions on_cancel=move || confirming.set(None) label="Delete" busy_label="Deleting…" danger=true
                    on_confirm=move || {
                        delete.dispatch(DeleteToken { handle: handle.get_untracked(), id: id.clone() });
                        confirming.set(None);
                    }/>
            </div>
        </Dialog>
    }
}

fn delete_text(masked: &str) -> String {
    format!("Delete {masked}? Anything that uses it stops working at once. This cannot be undone.")
}
