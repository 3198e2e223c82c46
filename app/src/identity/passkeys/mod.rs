//! Passkeys: Credentials & Access › Passkeys adds (the browser's dialog),
//! names, lists and removes them; `/login` signs in with one. The server
//! side is `webauthn-rs`; each ceremony's state is a row, single use and
//! good for five minutes, tied to the session that began it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod browser;
mod name;
mod sign_in;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use browser::{create_credential, get_credential, PasskeySupport};
pub use name::PasskeyName;
pub use sign_in::SignInWithPasskey;
pub use view::PasskeysSection;

/// At most this many passkeys per account.
pub const MAX_PASSKEYS: i64 = 10;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasskeySummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
}

/// A ceremony begun: its id (sent back with the browser's answer) and the
/// options for the browser's WebAuthn call, as WebAuthn's JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ceremony {
    pub id: String,
    pub options: String,
}

/// The account's passkeys, and why passkeys are unavailable if they are.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passkeys {
    pub passkeys: Vec<PasskeySummary>,
    pub unavailable: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "passkeys")]
pub async fn list_passkeys(handle: String) -> Result<Passkeys, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(Passkeys {
        passkeys: ssr::list(&state.db, &viewer.id).await?,
        unavailable: state.relying_party.webauthn().err().map(str::to_owned),
    })
}

#[server(prefix = "/sfn", endpoint = "add_passkey_start")]
pub async fn add_passkey_start(handle: String) -> Result<Ceremony, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    ssr::start_registration(&state, &viewer, &ssr::session_of(&state, &parts)?).await
}

#[server(prefix = "/sfn", endpoint = "add_passkey")]
pub async fn add_passkey(handle: String, id: String, credential: String, name: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let name = PasskeyName::parse(&name).map_err(AppError::invalid)?;
    crate::access::proof::require(&state, &parts).await?;
    ssr::finish_registration(&state, &actor, &ssr::session_of(&state, &parts)?, &id, &credential, &name).await
}

#[server(prefix = "/sfn", endpoint = "rename_passkey")]
pub async fn rename_passkey(handle: String, id: String, name: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let name = PasskeyName::parse(&name).map_err(AppError::invalid)?;
    ssr::rename(&state, &actor, &id, &name).await
}

#[server(prefix = "/sfn", endpoint = "remove_passkey")]
pub async fn remove_passkey(handle: String, id: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    ssr::remove(&state, &actor, &id).await
}

/// Begins a sign-in with whichever passkey of this site the browser offers.
#[server(prefix = "/sfn", endpoint = "passkey_sign_in_start")]
pub async fn passkey_sign_in_start() -> Result<Ceremony, AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    ssr::start_sign_in(&state, &parts).await
}

/// Signs in with the passkey the browser answered with; answers the
/// account page to open.
#[server(prefix = "/sfn", endpoint = "passkey_sign_in")]
pub async fn passkey_sign_in(id: String, credential: String) -> Result<String, AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let signed_in = ssr::finish_sign_in(&state, &parts, &id, &credential).await?;
    crate::access::session::ssr::set_cookie(signed_in.cookie);
    crate::access::networks::signed_in(&state, &signed_in.user_id, &signed_in.session_hash, &parts).await;
    Ok(format!("/user/{}", signed_in.handle))
}

/// Begins "Confirm it is you" with one of the account's passkeys.
#[server(prefix = "/sfn", endpoint = "confirm_passkey_start")]
pub async fn confirm_passkey_start() -> Result<Ceremony, AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    ssr::start_confirm(&state, &viewer, &ssr::session_of(&state, &parts)?).await
}

#[server(prefix = "/sfn", endpoint = "confirm_passkey")]
pub async fn confirm_passkey(id: String, credential: String) -> Result<(), AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    ssr::finish_confirm(&state, &actor, &ssr::session_of(&state, &parts)?, &id, &credential).await
}
