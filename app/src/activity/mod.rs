//! The Audit Log (the Activity tab, `/user/{handle}/activity`): every change
//! to the account, every sign-in and every refused authorization, newest
//! first, filtered by action and date, a page at a time (keyset cursors),
//! and exported as CSV or JSON. `/api/v0/user/{handle}/audit_log` serves
//! the same records. Records are written by `crate::infra::audit_trail`.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod export;
mod filter;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use filter::{describe, AuditFilter, ACTIONS};
pub use view::{AuditData, AuditLog};

/// Records on one page of the Audit Log.
pub const PAGE_SIZE: i64 = 25;

/// One record, with the spec's `AuditRecord` fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AuditRecord {
    pub id: String,
    pub action_type: String,
    pub actor_id: String,
    pub actor_handle: String,
    pub actor_display_name: String,
    pub actor_avatar_url: String,
    pub actor_ip: String,
    pub identity_id: String,
    pub identity_handle: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_handle: Option<String>,
    pub tenant_id: String,
    /// The changed fields, never a secret.
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub data: serde_json::Value,
    pub created_at: String,
}

/// A page of records and the cursor of the next, if there is more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = ListAuditLogsResponse))]
pub struct AuditPage {
    pub items: Vec<AuditRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// A page of the signed-in person's Audit Log: `filter` as the page's
/// query has it, starting after the cursor `after` (the first page if
/// empty).
#[server(prefix = "/sfn", endpoint = "audit_log")]
pub async fn audit_log(handle: String, filter: AuditFilter, after: String) -> Result<AuditPage, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let query = ssr::Query::parse(&filter, &after)?;
    let mut conn = state.db.acquire().await?;
    Ok(ssr::page(&mut conn, &viewer.id, &query, PAGE_SIZE).await?)
}
