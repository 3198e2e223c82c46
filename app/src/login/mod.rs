//! Sign-in by e-mail link, the platform's own login (there is no account
//! password): ask for a link, open it, confirm; a new address signs up by
//! choosing a Handle and a Display Name.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod confirm;
#[cfg(feature = "ssr")]
pub mod known_browser;
mod page;
pub mod second_step;
#[cfg(feature = "ssr")]
pub mod sign_up;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use confirm::SignInLinkPage;
pub use page::LoginPage;
pub use second_step::SecondStepPage;

/// What a sign-in link can do, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkInfo {
    /// Unknown, used or expired: all look the same.
    Unusable,
    SignIn {
        email: String,
    },
    SignUp {
        email: String,
        suggested_handle: String,
    },
}

/// Sends a sign-in link to `email`. The answer is the same whether or not
/// an account exists, so the form does not reveal who has one.
#[server(prefix = "/sfn", endpoint = "request_sign_in_link")]
pub async fn request_sign_in_link(email: String, next: Option<String>) -> Result<(), AppError> {
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    let email = shared::Email::parse(&email).map_err(AppError::invalid)?;
    let ip = crate::infra::request::client_ip(&parts);
    let known = known_browser::account(&state, &parts);
    ssr::request_link(&state, &email, next.as_deref(), ip, known.as_deref()).await?;
    leptos_axum::redirect("/login?sent=1");
    Ok(())
}

#[server(prefix = "/sfn", endpoint = "inspect_sign_in_link")]
pub async fn inspect_sign_in_link(t: String) -> Result<LinkInfo, AppError> {
    let state = crate::infra::AppState::from_context()?;
    ssr::inspect(&state, &t).await
}

/// Uses the link: signs in, or creates the account first.
#[server(prefix = "/sfn", endpoint = "confirm_sign_in")]
pub async fn confirm_sign_in(t: String, handle: Option<String>, display_name: Option<String>) -> Result<(), AppError> {
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    let signed_in = ssr::confirm(&state, &parts, &t, handle.as_deref(), display_name.as_deref()).await?;
    crate::access::session::ssr::set_cookie(signed_in.cookie);
    if let Some(session_hash) = &signed_in.session_hash {
        crate::access::session::ssr::set_cookie(known_browser::cookie_for(&state, &signed_in.user_id));
        crate::access::networks::signed_in(&state, &signed_in.user_id, session_hash, &parts).await;
    }
    leptos_axum::redirect(&signed_in.next);
    Ok(())
}

pub use crate::access::safe_next;
