//! "Confirm it is you": the dialog (and, without script, the page
//! `/confirm`) that asks for a passkey, a code from the authenticator app
//! or a code mailed to the account's address when the session's last proof is more than 10 minutes old.
//! The check itself is `access::proof`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod page;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use page::{ConfirmItIsYouPage, ProofData};
pub use view::{Proven, Then};

/// What the dialog needs to know before it asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofState {
    /// The session proved itself in the last 10 minutes: nothing to ask.
    pub fresh: bool,
    /// The account has a passkey this site can use.
    pub passkeys: bool,
    /// The account has an authenticator app.
    pub authenticator: bool,
    /// Where a code goes.
    pub email: String,
}

#[server(prefix = "/sfn", endpoint = "proof_status")]
pub async fn proof_status() -> Result<ProofState, AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let fresh = crate::access::proof::is_fresh(&state, &parts).await?;
    let (count, authenticators): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = $1),
                (SELECT COUNT(*) FROM authenticators WHERE user_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(&viewer.id)
    .fetch_one(&state.db)
    .await?;
    Ok(ProofState {
        fresh,
        passkeys: count > 0 && state.relying_party.webauthn().is_ok(),
        authenticator: authenticators > 0,
        email: viewer.email,
    })
}

/// Mails a one-time code that confirms it is you in this session.
#[server(prefix = "/sfn", endpoint = "send_confirm_code")]
pub async fn send_confirm_code(next: Option<String>) -> Result<(), AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let session = crate::access::session::ssr::presented_hash(&state.settings, &parts).ok_or(AppError::Unauthorized)?;
    ssr::send_code(&state, &viewer, &session).await?;
    if crate::access::flash::ssr::is_plain_form(&parts) {
        leptos_axum::redirect(&crate::access::proof::confirm_path(next.as_deref(), true));
    }
    Ok(())
}

/// Confirms it is you with the mailed code; a plain form then returns to `next`.
#[server(prefix = "/sfn", endpoint = "confirm_with_code")]
pub async fn confirm_with_code(code: String, next: Option<String>) -> Result<(), AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let session = crate::access::session::ssr::presented_hash(&state.settings, &parts).ok_or(AppError::Unauthorized)?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    ssr::check_code(&state, &actor, &session, &code).await?;
    if crate::access::flash::ssr::is_plain_form(&parts) {
        leptos_axum::redirect(crate::access::safe_next(next.as_deref()).unwrap_or(&viewer.profile_path()));
    }
    Ok(())
}
