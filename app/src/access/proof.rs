//! "Confirm it is you": the irreversible and what hands out a credential
//! (deleting the account or a workspace, Reset authentication, signing
//! out the other sessions, changing the sign-in e-mail, adding or removing
//! a passkey, a full-access token, confirming a CLI login, revealing the
//! database password) needs a session that proved who it is in
//! the last 10 minutes, on the clock `Settings::clock` reads. Signing in
//! is a proof; so are a passkey and a code mailed to the account's address
//! (the `identity` feature). The proof belongs to the session that made
//! it. A token is its own proof: the API never asks.

use http::request::Parts;
use sqlx::AnyConnection;

use crate::error::AppError;
use crate::infra::AppState;

/// How long a proof lasts.
pub const PROOF_LASTS_MS: i64 = 10 * 60 * 1000;

/// Whether the request's session proved who it is within the last 10
/// minutes. No session: no.
pub async fn is_fresh(state: &AppState, parts: &Parts) -> Result<bool, AppError> {
    let Some(session) = super::session::ssr::presented_hash(&state.settings, parts) else {
        return Ok(false);
    };
    let proved: Option<i64> = sqlx::query_scalar("SELECT confirmed_at FROM sessions WHERE id_hash = $1")
        .bind(session)
        .fetch_optional(&state.db)
        .await?;
    let now = state.settings.clock.now_millis().await;
    Ok(proved.is_some_and(|at| at > 0 && now - at < PROOF_LASTS_MS))
}

/// Goes on only with a fresh proof. Otherwise, a plain form (no script) is
/// sent to the page that asks for one, and returns here after it.
pub async fn require(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if is_fresh(state, parts).await? {
        return Ok(());
    }
    if super::flash::ssr::is_plain_form(parts) {
        let back = parts
            .headers
            .get(http::header::REFERER)
            .and_then(|r| r.to_str().ok())
            .and_then(|r| url::Url::parse(r).ok())
            // The query too: `/login/token?r=…` is nothing without its `r`.
            .map(|u| u[url::Position::BeforePath..url::Position::AfterQuery].to_owned())
            .unwrap_or_else(|| "/".into());
        leptos_axum::redirect(&confirm_path(Some(&back), false));
    }
    Err(AppError::ConfirmIdentity)
}

/// The page that asks for a proof without script, returning to `next` (a
/// path on this site, else `/`); `sent`: a code is on its way.
pub fn confirm_path(next: Option<&str>, sent: bool) -> String {
    let next = super::safe_next(next).unwrap_or("/");
    format!("/confirm?next={}{}", super::encode_component(next), if sent { "&sent=1" } else { "" })
}

/// Records that the session `session_hash` proved who it is at `at`.
pub async fn mark_proved(conn: &mut AnyConnection, session_hash: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE sessions SET confirmed_at = $1 WHERE id_hash = $2")
        .bind(at)
        .bind(session_hash)
        .execute(conn)
        .await
        .map(drop)
}
