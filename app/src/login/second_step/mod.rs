//! The second step of a sign-in, when the account requires a second
//! factor: the e-mail link leaves a half-signed-in state (a cookie of its
//! own, no session) that opens nothing but this page, lasts 10 minutes and
//! takes five codes. A code from the authenticator app or a recovery code
//! makes the session; so does a passkey (a sign-in of its own).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod page;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use page::SecondStepPage;

/// Where the e-mail link sends an account that requires a second factor.
pub const PATH: &str = "/login/second-step";

/// What the second step may ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecondStepInfo {
    pub email: String,
    pub authenticator: bool,
    pub passkeys: bool,
}

#[server(prefix = "/sfn", endpoint = "second_step_ask")]
pub async fn second_step_ask() -> Result<SecondStepInfo, AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let pending = ssr::pending(&state, &parts).await?.ok_or(AppError::Unauthorized)?;
    ssr::info(&state, &pending.user_id).await
}

/// Gives the second factor: a code from the authenticator app, or a
/// recovery code. The session starts and the browser goes on.
#[server(prefix = "/sfn", endpoint = "second_step")]
pub async fn second_step(code: String) -> Result<(), AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let done = ssr::finish(&state, &parts, &code).await?;
    crate::access::session::ssr::set_cookie(done.cookie);
    crate::access::session::ssr::end_second_step(&state, &parts).await?;
    crate::access::session::ssr::set_cookie(super::known_browser::cookie_for(&state, &done.user_id));
    crate::access::networks::signed_in(&state, &done.user_id, &done.session_hash, &parts).await;
    leptos_axum::redirect(&done.next);
    Ok(())
}

/// Gives up the half-signed-in state.
#[server(prefix = "/sfn", endpoint = "cancel_second_step")]
pub async fn cancel_second_step() -> Result<(), AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    crate::access::session::ssr::end_second_step(&state, &parts).await?;
    leptos_axum::redirect("/login");
    Ok(())
}
