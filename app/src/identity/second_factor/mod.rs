//! A second factor: an authenticator app (TOTP) set up with a QR code,
//! ten single-use recovery codes, and **Require a second factor**, after
//! which an e-mail link alone no longer signs in (`login::second_step`
//! asks for the factor). A passkey sign-in already is two factors.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
mod qr;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod totp;
mod view;

pub use view::SecondFactorSection;

/// The account's factors as the page and the API show them: kinds, names
/// and dates, never a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Factors {
    /// Sign-in with an e-mail link asks for a second factor.
    pub required: bool,
    pub authenticator: Option<FactorsAuthenticator>,
    pub passkeys: Vec<FactorsPasskey>,
    pub recovery_codes: Option<FactorsRecovery>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FactorsAuthenticator {
    pub added_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FactorsPasskey {
    pub name: String,
    pub added_at: String,
    pub last_used_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FactorsRecovery {
    pub created_at: String,
    /// Codes not used yet.
    pub remaining: i64,
}

/// An authenticator being set up: what the app scans or is typed into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSetup {
    /// Base32, in groups of four.
    pub secret: String,
    /// `otpauth://…`
    pub uri: String,
    /// The QR code of `uri`, as SVG drawn by Sluice.
    pub qr_svg: String,
}

/// The section's state: the factors, and a set-up waiting for its first code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FactorsPage {
    pub factors: Factors,
    pub setup: Option<AuthenticatorSetup>,
}

/// New recovery codes, shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCodes {
    pub codes: Vec<String>,
}

impl crate::access::flash::Flashed for RecoveryCodes {
    const KIND: &'static str = "recovery_codes";
}

#[server(prefix = "/sfn", endpoint = "second_factor")]
pub async fn second_factor(handle: String) -> Result<FactorsPage, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(FactorsPage {
        factors: ssr::factors(&state.db, &viewer.id).await?,
        setup: ssr::pending_setup(&state, &viewer.id, &viewer.handle).await?,
    })
}

/// Begins setting up an authenticator app (after Confirm it is you).
#[server(prefix = "/sfn", endpoint = "start_authenticator")]
pub async fn start_authenticator(handle: String) -> Result<AuthenticatorSetup, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    ssr::start_authenticator(&state, &actor).await
}

/// Finishes the set-up with the app's first code.
#[server(prefix = "/sfn", endpoint = "finish_authenticator")]
pub async fn finish_authenticator(handle: String, code: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    ssr::finish_authenticator(&state, &actor, &code).await
}

/// Removes the authenticator app, or gives up a set-up.
#[server(prefix = "/sfn", endpoint = "remove_authenticator")]
pub async fn remove_authenticator(handle: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    ssr::remove_authenticator(&state, &actor).await
}

/// Ten new recovery codes, shown once; the earlier set stops working.
#[server(prefix = "/sfn", endpoint = "new_recovery_codes")]
pub async fn new_recovery_codes(handle: String) -> Result<RecoveryCodes, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::proof::require(&state, &parts).await?;
    let mut made = RecoveryCodes { codes: ssr::new_recovery_codes(&state, &actor).await? };
    if crate::access::flash::ssr::divert(&state, &actor.id, || crate::access::flash::Flash::of(&made)) {
        made.codes.clear();
    }
    Ok(made)
}

/// Turns **Require a second factor** on (`required=on`) or off (after
/// Confirm it is you).
#[server(prefix = "/sfn", endpoint = "require_second_factor")]
pub async fn require_second_factor(handle: String, required: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let on = match required.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::invalid("Choose on or off.")),
    };
    crate::access::proof::require(&state, &parts).await?;
    ssr::set_required(&state, &actor, on).await.map(drop)
}

/// Confirms it is you with a code from the authenticator app.
#[server(prefix = "/sfn", endpoint = "confirm_with_authenticator")]
pub async fn confirm_with_authenticator(code: String, next: Option<String>) -> Result<(), AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let session = crate::access::session::ssr::presented_hash(&state.settings, &parts).ok_or(AppError::Unauthorized)?;
    ssr::check_authenticator(&state, &viewer.id, &code).await?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    let now = crate::infra::time::now_millis();
    let proved_at = state.settings.clock.now_millis().await;
    let mut tx = crate::infra::db::begin_write(&state.db).await?;
    crate::access::proof::mark_proved(&mut tx, &session, proved_at).await?;
    let data = serde_json::json!({ "method": "authenticator" });
    crate::infra::audit_trail::record_own(&mut tx, &actor, "identity.confirm", data, now).await?;
    tx.commit().await?;
    if crate::access::flash::ssr::is_plain_form(&parts) {
        leptos_axum::redirect(crate::access::safe_next(next.as_deref()).unwrap_or(&viewer.profile_path()));
    }
    Ok(())
}
