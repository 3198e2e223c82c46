//! Which cluster holds a workspace, from its making to its removal: the
//! region chosen places it on one of that region's clusters (the least
//! used); a handle change renames the
//! person's role wherever they have one; a deletion leaves the work of
//! removing it from its cluster as rows, in the deleting transaction.

use std::collections::BTreeSet;

use sqlx::AnyConnection;

use crate::infra::db::Tx;
use crate::infra::ids::new_id;
use crate::infra::workspace_storage::{Placement, Role, StorageError};
use crate::infra::AppState;

/// Where a new workspace in `region` goes; `None`: no cluster serves the
/// region (no such region, or its engine is not running).
pub async fn place(state: &AppState, conn: &mut AnyConnection, region: &str) -> Result<Option<Placement>, sqlx::Error> {
    let mut best: Option<(i64, String)> = None;
    for key in state.workspaces.clusters_in(region) {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE cluster = $1")
            .bind(&key)
            .fetch_one(&mut *conn)
            .await?;
        if best.as_ref().is_none_or(|(m, _)| n < *m) {
            best = Some((n, key));
        }
    }
    Ok(best.map(|(_, key)| Placement(key)))
}

/// Unplaced workspaces (an earlier release's SQLite files not yet moved)
/// to be removed once the deletion commits (clusters' work is in
/// `cluster_drops` by then).
#[must_use]
pub struct Leftovers(Vec<String>);

impl Leftovers {
    /// Removes the files, then tries the clusters' drops at once (what
    /// fails is retried by the worker).
    pub async fn remove(self, state: &AppState) {
        for id in &self.0 {
            state.workspaces.forget_unplaced(id).await;
        }
        if let Err(error) = super::jobs::run_drops(state).await {
            tracing::warn!(%error, "cluster removals will be retried");
        }
        state.jobs.notify_one();
    }
}

/// Called in the transaction that deletes `user_id`'s workspaces `ids`
/// (all of them when the account goes): writes the removal of each cluster
/// workspace's database and of the person's role on every cluster where
/// no workspace of theirs is left.
pub async fn forget(
    tx: &mut Tx,
    user_id: &str,
    handle: &str,
    ids: &[String],
    now: i64,
) -> Result<Leftovers, sqlx::Error> {
    let rows: Vec<(String, Option<String>, String)> =
        sqlx::query_as("SELECT id, cluster, database_name FROM workspaces WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(&mut **tx)
            .await?;
    let mut unplaced = Vec::new();
    let mut touched = BTreeSet::new();
    let mut kept = BTreeSet::new();
    for (id, cluster, database) in rows {
        match (ids.contains(&id), cluster) {
            (true, None) => unplaced.push(id),
            (true, Some(cluster)) => {
                enqueue(tx, &cluster, DropKind::Database, &database, None, now).await?;
                touched.insert(cluster);
            }
            (false, Some(cluster)) => {
                kept.insert(cluster);
            }
            (false, None) => {}
        }
    }
    for cluster in touched.difference(&kept) {
        enqueue(tx, cluster, DropKind::Role, handle, Some(user_id), now).await?;
    }
    Ok(Leftovers(unplaced))
}

/// What a removal job removes from a cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropKind {
    /// A deleted workspace's database.
    Database,
    /// A person's role, once they have no workspace left there.
    Role,
}

impl DropKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Database => "database",
            Self::Role => "role",
        }
    }

    /// The stored word; what is not a database is a role.
    pub fn from_stored(word: &str) -> Self {
        match word {
            "database" => Self::Database,
            _ => Self::Role,
        }
    }
}

async fn enqueue(
    tx: &mut Tx,
    cluster: &str,
    kind: DropKind,
    name: &str,
    user_id: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO cluster_drops (id, cluster, kind, name, user_id, not_before, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)",
    )
    .bind(new_id("x"))
    .bind(cluster)
    .bind(kind.as_str())
    .bind(name)
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Renames `user_id`'s role from `from` to `to` on every cluster where
/// they have a workspace, inside the handle change's transaction (which
/// holds the account's row, so no workspace of theirs is being made). If
/// a cluster fails, those already renamed are renamed back and the change
/// is refused; [`Renamed::undo`] reverses it if the transaction then fails.
pub async fn rename_roles(
    state: &AppState,
    tx: &mut Tx,
    user_id: &str,
    from: &str,
    to: &str,
) -> Result<Renamed, RenameError> {
    // With whether a workspace of theirs is ready there: only then is a
    // role bound to nobody (made before roles were bound) theirs.
    let clusters: Vec<(String, i64)> = sqlx::query_as(
        "SELECT cluster, MAX(CASE WHEN provisioned_at IS NULL THEN 0 ELSE 1 END) FROM workspaces
         WHERE user_id = $1 AND cluster IS NOT NULL GROUP BY cluster",
    )
    .bind(user_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut done =
        Renamed { clusters: Vec::new(), user_id: user_id.to_owned(), from: from.to_owned(), to: to.to_owned() };
    for (key, ready) in clusters {
        let role = Role { name: from, owner: Some(user_id), adopt_unbound: ready == 1 };
        let at = Placement(key);
        if let Err(error) = state.workspaces.rename(&at, &role, to).await {
            done.undo(state).await;
            return Err(RenameError::Cluster(error));
        }
        done.clusters.push(at);
    }
    Ok(done)
}

#[derive(Debug, thiserror::Error)]
pub enum RenameError {
    #[error(transparent)]
    Cluster(StorageError),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Roles renamed on clusters for a handle change not yet committed.
pub struct Renamed {
    clusters: Vec<Placement>,
    user_id: String,
    from: String,
    to: String,
}

impl Renamed {
    /// Renames them back (the handle change did not happen).
    pub async fn undo(&self, state: &AppState) {
        let role = Role { name: &self.to, owner: Some(&self.user_id), adopt_unbound: false };
        for at in &self.clusters {
            if let Err(error) = state.workspaces.rename(at, &role, &self.from).await {
                tracing::error!(%error, "a role renamed for a failed handle change could not be renamed back");
            }
        }
    }
}
