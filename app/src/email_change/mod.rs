//! Changing the sign-in e-mail (User Profile): the new address gets a
//! link that works once, for an hour; nothing changes until it is used.
//! Then the old address gets a notice with a link that undoes the change
//! for 7 days (and signs out every session and stops every token issued
//! before it, in case it was not them). An address of another account is
//! refused without saying whose. Tenant membership follows the address's
//! domain, and the confirmation page says what that changes (Billing
//! appears or disappears).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

mod page;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use page::{EmailLinkData, EmailLinkPage};
pub use view::EmailSection;

/// What an e-mail change link can do, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum EmailLink {
    /// Unknown, used or expired: all look the same.
    Unusable,
    Confirm {
        handle: String,
        old: String,
        new: String,
        tenant_change: Option<String>,
    },
    Undo {
        handle: String,
        old: String,
        new: String,
    },
}

/// Sends the confirmation link to `email`; the address changes when it is used.
#[server(prefix = "/sfn", endpoint = "request_email_change")]
pub async fn request_email_change(handle: String, email: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let email = shared::Email::parse(&email).map_err(AppError::invalid)?;
    crate::access::proof::require(&state, &parts).await?;
    ssr::request(&state, &actor, &email).await?;
    Ok(email.to_string())
}

#[server(prefix = "/sfn", endpoint = "inspect_email_link")]
pub async fn inspect_email_link(t: String) -> Result<EmailLink, AppError> {
    let state = crate::infra::AppState::from_context()?;
    ssr::inspect(&state, &t).await
}

/// Uses a confirmation or an undo link; answers where to go next.
#[server(prefix = "/sfn", endpoint = "use_email_link")]
pub async fn use_email_link(t: String) -> Result<String, AppError> {
    let (state, parts) = (crate::infra::AppState::from_context()?, crate::infra::request::parts()?);
    let next = ssr::use_link(&state, &parts, &t).await?;
    if crate::access::flash::ssr::is_plain_form(&parts) {
        leptos_axum::redirect(&next);
    }
    Ok(next)
}
