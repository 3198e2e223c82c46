//! How workspaces are named and listed: the database name each gets, the
//! DNS name it is reached at, and the list the pages show.

use super::store::{WorkspaceRow, SELECT};
use super::WorkspaceSummary;
use crate::infra::ids::new_id;
use crate::infra::time::rfc3339;
use crate::infra::{AppState, Settings};

pub use crate::infra::workspace_storage::DEFAULT_REGION;

/// A database name like `d4k2m9q1x7`: a letter, then random base32hex.
pub fn database_name() -> String {
    new_id("d").replace('_', "")[..11].to_owned()
}

pub fn dns_name(settings: &Settings, workspace: &str, handle: &str, region: &str) -> String {
    format!("{workspace}-{handle}.{region}.db.{}", settings.db_domain)
}

/// What the pages show of a workspace of the person `owner`.
pub fn summary(state: &AppState, owner: &str, row: WorkspaceRow) -> WorkspaceSummary {
    let address = row.cluster.as_deref().and_then(|c| state.workspaces.address(c));
    WorkspaceSummary {
        dns_name: dns_name(&state.settings, &row.handle, owner, &row.region),
        runs_on: address.map(|a| a.engine).unwrap_or_default(),
        handle: row.handle,
        region: row.region,
        database_name: row.database_name,
        created_at: rfc3339(row.created_at),
        ready: row.provisioned_at.is_some(),
        retrying: row.provisioned_at.is_none() && row.provision_attempts > 0,
        paused: row.paused_at.is_some(),
    }
}

/// The account's workspaces, oldest first.
pub async fn list(state: &AppState, user_id: &str, handle: &str) -> Result<Vec<WorkspaceSummary>, sqlx::Error> {
    let rows: Vec<WorkspaceRow> =
        sqlx::query_as(&format!("{SELECT} ORDER BY created_at, handle")).bind(user_id).fetch_all(&state.db).await?;
    Ok(rows.into_iter().map(|row| summary(state, handle, row)).collect())
}
