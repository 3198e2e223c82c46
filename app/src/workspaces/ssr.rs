//! Listing, creating and deleting workspaces, for the API and the
//! Workspaces tab alike: at most three per developer account, handles unique per person,
//! each change audited in its transaction, and a new workspace takes the
//! account's current database password at once.

use serde_json::json;
use shared::WorkspaceHandle;

use crate::infra::audit_trail::{self, Actor, Entry};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::ids::new_id;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;
use crate::usage::thresholds::ssr::caps_reached;
use crate::usage::Period;

use super::naming::{database_name, dns_name};
use super::placement;
use super::WorkspaceSummary;

/// Workspaces a developer account may have.
pub const MAX_WORKSPACES: i64 = 3;

#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    #[error("A developer account has at most {MAX_WORKSPACES} workspaces. Delete one to make another.")]
    Limit,
    #[error("You already have a workspace called “{0}”.")]
    Taken(String),
    #[error("“{0}” is not one of your workspaces.")]
    Unknown(String),
    #[error("“{0}” is not a region Sluice offers.")]
    UnknownRegion(String),
    /// No engine runs for new workspaces; the reason is the operator's.
    #[error("New workspaces are unavailable on this server: {0}")]
    Unavailable(String),
    /// A usage cap is reached this period.
    #[error("Your usage cap for {0} is reached: no new workspace can be made this period. Raise or remove the cap on the Usage page.")]
    Capped(String),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// A workspace as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct WorkspaceRow {
    pub id: String,
    pub handle: String,
    pub region: String,
    pub database_name: String,
    pub version_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The cluster that holds it; `None`: it waits for an engine, or is an
    /// earlier release's SQLite file not moved yet.
    pub cluster: Option<String>,
    /// When its engine had it ready; `None`: it is still being made.
    pub provisioned_at: Option<i64>,
    /// Times its cluster failed to make it so far.
    pub provision_attempts: i64,
    /// When it was paused, past the storage limit; `None`: it is open.
    pub paused_at: Option<i64>,
}

pub const SELECT: &str = "SELECT id, handle, region, database_name, version_id, created_at, updated_at,
            cluster, provisioned_at, provision_attempts, paused_at
     FROM workspaces WHERE user_id = $1";

/// The audit record of a change to one of `owner`'s workspaces.
fn entry<'a>(action_type: &'a str, owner: &'a Actor, id: &'a str, handle: &'a WorkspaceHandle) -> Entry<'a> {
    Entry {
        action_type,
        identity_id: &owner.id,
        identity_handle: &owner.handle,
        target_id: Some(id),
        target_handle: Some(handle.as_str()),
        data: json!({ "handle": handle.as_str() }),
    }
}

/// Makes a workspace in `region`; the worker is woken to make its
/// verifier, then its role and database on the region's cluster. `owner` makes it: only the owner of an
/// account changes its workspaces.
pub async fn create(
    state: &AppState,
    owner: &Actor,
    handle: &WorkspaceHandle,
    region: &str,
) -> Result<WorkspaceRow, WorkspaceError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &owner.id).await?;
    let capped = caps_reached(&state.db, &owner.id, Period::containing(now)).await?;
    if !capped.is_empty() {
        let names: Vec<&str> = capped.iter().map(|m| m.noun()).collect();
        return Err(WorkspaceError::Capped(names.join(" and ")));
    }
    let placement = match placement::place(state, &mut tx, region).await? {
        Some(at) => at,
        None => {
            return Err(match state.workspaces.unavailable() {
                Some(why) if region == crate::infra::workspace_storage::DEFAULT_REGION => {
                    WorkspaceError::Unavailable(why)
                }
                _ => WorkspaceError::UnknownRegion(region.into()),
            })
        }
    };
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE user_id = $1")
        .bind(&owner.id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_WORKSPACES {
        return Err(WorkspaceError::Limit);
    }
    let id = new_id("w");
    let inserted = sqlx::query(
        "INSERT INTO workspaces
           (id, user_id, handle, region, database_name, password_id, created_at, updated_at, cluster, provisioned_at)
         VALUES ($1, $2, $3, $4, $5, (SELECT id FROM database_passwords WHERE user_id = $2), $6, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&owner.id)
    .bind(handle.as_str())
    .bind(region)
    .bind(database_name())
    .bind(now)
    .bind(placement.column())
    // Made on its cluster by the worker.
    .bind(None::<i64>)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(WorkspaceError::Taken(handle.to_string()));
        }
        other => other?,
    };
    audit_trail::record(&mut tx, owner, entry("workspace.create", owner, &id, handle), now).await?;
    let row: WorkspaceRow =
        sqlx::query_as(&format!("{SELECT} AND id = $2")).bind(&owner.id).bind(&id).fetch_one(&mut *tx).await?;
    tx.commit().await?;
    state.jobs.notify_one();
    Ok(row)
}

/// Deletes the workspace, then removes its database: its connections end
/// and it is dropped (by the worker if the cluster fails now). `owner`
/// deletes it.
pub async fn delete(state: &AppState, owner: &Actor, handle: &WorkspaceHandle) -> Result<WorkspaceRow, WorkspaceError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &owner.id).await?;
    let row: Option<WorkspaceRow> = sqlx::query_as(&format!("{SELECT} AND handle = $2"))
        .bind(&owner.id)
        .bind(handle.as_str())
        .fetch_optional(&mut *tx)
        .await?;
    let row = row.ok_or_else(|| WorkspaceError::Unknown(handle.to_string()))?;
    let leftovers = placement::forget(&mut tx, &owner.id, &owner.handle, std::slice::from_ref(&row.id), now).await?;
    sqlx::query("DELETE FROM workspaces WHERE id = $1").bind(&row.id).execute(&mut *tx).await?;
    audit_trail::record(&mut tx, owner, entry("workspace.delete", owner, &row.id, handle), now).await?;
    tx.commit().await?;
    leftovers.remove(state).await;
    Ok(row)
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
        capped: false,
    }
}

/// The account's workspaces, oldest first.
pub async fn list(state: &AppState, user_id: &str, handle: &str) -> Result<Vec<WorkspaceSummary>, sqlx::Error> {
    let rows: Vec<WorkspaceRow> =
        sqlx::query_as(&format!("{SELECT} ORDER BY created_at, handle")).bind(user_id).fetch_all(&state.db).await?;
    let capped = !caps_reached(&state.db, user_id, Period::containing(now_millis())).await?.is_empty();
    Ok(rows.into_iter().map(|row| WorkspaceSummary { capped, ..summary(state, handle, row) }).collect())
}
