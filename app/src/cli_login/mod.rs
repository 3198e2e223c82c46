//! CLI login, as the platform's CLI does it: the CLI asks for a request
//! (`POST /api/v0/login/token`), opens `/login/token?r={id}` where the
//! signed-in person confirms and is shown a code, then exchanges the id
//! and the code (`GET /api/v0/login/token/{id}?code=…`) for a temporary
//! token of 30 days. `server login` and `server whoami` are such a CLI.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
mod page;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use page::CliLoginPage;

/// A request as the confirmation page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequestInfo {
    pub client_ip: String,
    pub created_at: String,
    pub pending: bool,
}

#[cfg(feature = "ssr")]
fn request_id(r: &str) -> Result<ssr::RequestId, AppError> {
    ssr::RequestId::parse(r).ok_or(AppError::NotFound)
}

/// The request `r` (the page's `?r=`), for the signed-in person to confirm.
/// A code confirmed by a plain form post, for the page it returns to.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct FlashedCode {
    pub request: String,
    pub code: String,
}

impl crate::access::flash::Flashed for FlashedCode {
    const KIND: &'static str = "cli_code";
}

#[server(prefix = "/sfn", endpoint = "cli_login_request")]
pub async fn cli_login_request(r: String) -> Result<LoginRequestInfo, AppError> {
    crate::access::session::ssr::require_viewer().await?;
    let state = crate::infra::AppState::from_context()?;
    let id = request_id(&r)?;
    let mut conn = state.db.acquire().await?;
    let row = ssr::find(&mut conn, &id, crate::infra::time::now_millis()).await?.ok_or(AppError::NotFound)?;
    Ok(LoginRequestInfo {
        client_ip: row.client_ip,
        created_at: crate::infra::time::rfc3339(row.created_at),
        pending: row.state == ssr::RequestState::Pending,
    })
}

/// Confirms the request for the signed-in person; answers the code.
#[server(prefix = "/sfn", endpoint = "confirm_cli_login")]
pub async fn confirm_cli_login(r: String) -> Result<String, AppError> {
    let viewer = crate::access::session::ssr::require_viewer().await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    // The code becomes a 30-day full-access token: as much as a New Token.
    crate::access::proof::require(&state, &parts).await?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &parts);
    let code = ssr::confirm(&state.db, &request_id(&r)?, &actor, crate::infra::time::now_millis()).await?;
    let code = code.expose().clone();
    let flash = || crate::access::flash::Flash::of(&FlashedCode { request: r, code: code.clone() });
    if crate::access::flash::ssr::divert(&state, &viewer.id, flash) {
        return Ok(String::new());
    }
    Ok(code)
}

/// Ends the request without signing the CLI in.
#[server(prefix = "/sfn", endpoint = "cancel_cli_login")]
pub async fn cancel_cli_login(r: String) -> Result<(), AppError> {
    crate::access::session::ssr::require_viewer().await?;
    let state = crate::infra::AppState::from_context()?;
    ssr::delete(&state.db, &request_id(&r)?, crate::infra::time::now_millis()).await?;
    Ok(())
}
