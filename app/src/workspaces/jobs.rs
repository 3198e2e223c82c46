//! The work a cluster's workspaces need beyond Sluice's own rows, done by
//! the worker (and tried at once by the request that made it): making a
//! new workspace's role and database, and removing what deleted
//! workspaces and accounts left. Jobs are rows, claimed with `SKIP
//! LOCKED` and finished in the transaction that claimed them, so several
//! processes share them and a crash leaves them to run again; a cluster
//! that fails is asked again later, waiting longer each time.

use crate::infra::db::{begin_write, lock_user, skip_locked};
use crate::infra::time::now_millis;
use crate::infra::workspace_storage::{Placement, Role, StorageError};
use crate::infra::AppState;

use super::placement::DropKind;

const BATCH: usize = 20;
/// How long a workspace made while no engine ran waits before it is
/// looked at again.
const UNPLACED_WAIT_MS: i64 = 60_000;

/// Seconds before a failed job is tried again: doubling, at most a minute.
pub fn backoff_ms(attempts: i64) -> i64 {
    1000 * (1i64 << attempts.clamp(0, 6)).min(60)
}

/// Runs what is due; answers how many jobs finished.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    let mut after = String::new();
    for _ in 0..BATCH {
        match provision_next(state, &mut after).await? {
            Some(made) => done += usize::from(made),
            None => break,
        }
    }
    done += run_drops(state).await?;
    Ok(done)
}

#[derive(sqlx::FromRow)]
struct Unmade {
    id: String,
    user_id: String,
    /// `None`: it waits for an engine of its region.
    cluster: Option<String>,
    region: String,
    database_name: String,
    scram_verifier: String,
    provision_attempts: i64,
}

/// Makes the next workspace (by id, after `after`) that its cluster does
/// not have yet and whose verifier of the current password is written;
/// answers whether it was made, or `None` when none was left.
async fn provision_next(state: &AppState, after: &mut String) -> Result<Option<bool>, sqlx::Error> {
    let now = now_millis();
    // Only once the workspace has the current password: a pending
    // rotation brings it the newer one first.
    const DUE: &str = "FROM workspaces w JOIN database_passwords p ON p.id = w.password_id
         WHERE w.provisioned_at IS NULL AND w.scram_verifier IS NOT NULL AND w.provision_not_before <= $1";
    let mut tx = begin_write(&state.db).await?;
    let candidate: Option<(String, String)> =
        sqlx::query_as(&format!("SELECT w.id, w.user_id {DUE} AND w.id > $2 ORDER BY w.id LIMIT 1"))
            .bind(now)
            .bind(after.as_str())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id, user_id)) = candidate else { return Ok(None) };
    *after = id.clone();
    // The person before the workspace, the order every change of theirs
    // takes (a deletion locks them, then removes their workspaces): the
    // two never wait on each other. The role is named by the handle: a
    // handle change waits for this.
    lock_user(&mut tx, &user_id).await?;
    let next: Option<Unmade> = sqlx::query_as(&format!(
        "SELECT w.id, w.user_id, w.cluster, w.region, w.database_name, w.scram_verifier, w.provision_attempts
         {DUE} AND w.id = $2{}",
        skip_locked(&tx, "w")
    ))
    .bind(now)
    .bind(&id)
    .fetch_optional(&mut *tx)
    .await?;
    // Made, deleted or taken by another worker meanwhile: on to the next.
    let Some(mut ws) = next else { return Ok(Some(false)) };
    let cluster = match ws.cluster.take() {
        Some(cluster) => cluster,
        // Made while no engine ran: placed now if one runs, else later.
        None => match super::placement::place(state, &mut tx, &ws.region).await? {
            Some(at) => {
                sqlx::query("UPDATE workspaces SET cluster = $1 WHERE id = $2")
                    .bind(at.column())
                    .bind(&ws.id)
                    .execute(&mut *tx)
                    .await?;
                at.0
            }
            None => {
                sqlx::query("UPDATE workspaces SET provision_not_before = $1 WHERE id = $2")
                    .bind(now + UNPLACED_WAIT_MS)
                    .bind(&ws.id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(Some(false));
            }
        },
    };
    let handle: String =
        sqlx::query_scalar("SELECT handle FROM users WHERE id = $1").bind(&ws.user_id).fetch_one(&mut *tx).await?;
    // A role made before roles were bound to their person is theirs only
    // if a ready workspace of theirs already stands on it.
    let ready_here: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM workspaces WHERE user_id = $1 AND cluster = $2 AND provisioned_at IS NOT NULL LIMIT 1",
    )
    .bind(&ws.user_id)
    .bind(&cluster)
    .fetch_optional(&mut *tx)
    .await?;
    let role = Role { name: &handle, owner: Some(&ws.user_id), adopt_unbound: ready_here.is_some() };
    let at = Placement(cluster.clone());
    match state.workspaces.create(&at, &role, &ws.scram_verifier, &ws.database_name).await {
        Ok(()) => {
            sqlx::query("UPDATE workspaces SET provisioned_at = $1, updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&ws.id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(Some(true))
        }
        Err(error) => {
            tracing::warn!(%cluster, %error, "a workspace could not be made on its cluster; will retry");
            sqlx::query(
                "UPDATE workspaces SET provision_attempts = provision_attempts + 1, provision_not_before = $1
                 WHERE id = $2",
            )
            .bind(now + backoff_ms(ws.provision_attempts))
            .bind(&ws.id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(false))
        }
    }
}

#[derive(sqlx::FromRow)]
struct Removal {
    id: String,
    cluster: String,
    kind: String,
    name: String,
    /// Whose role it is (`None`: written before roles were bound).
    user_id: Option<String>,
    attempts: i64,
}

/// Removes what is due from the clusters; answers how many were removed.
pub async fn run_drops(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    for _ in 0..BATCH {
        match drop_next(state).await? {
            Some(dropped) => done += usize::from(dropped),
            None => break,
        }
    }
    Ok(done)
}

/// Databases before roles: a role that still owns one cannot go.
async fn drop_next(state: &AppState) -> Result<Option<bool>, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let next: Option<Removal> = sqlx::query_as(&format!(
        "SELECT id, cluster, kind, name, user_id, attempts FROM cluster_drops
         WHERE not_before <= $1 ORDER BY kind, not_before, id LIMIT 1{}",
        skip_locked(&tx, "cluster_drops")
    ))
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(job) = next else { return Ok(None) };
    // A role its person needs again (a new workspace there, under the same
    // handle) stays. Whoever else has the handle now never gets it: the
    // storage drops it only if it is bound to the job's person.
    let kind = DropKind::from_stored(&job.kind);
    let needed: Option<i64> = if kind == DropKind::Role {
        sqlx::query_scalar(
            "SELECT 1 FROM workspaces w JOIN users u ON u.id = w.user_id
             WHERE w.cluster = $1 AND u.handle = $2 AND u.id = COALESCE($3, u.id) LIMIT 1",
        )
        .bind(&job.cluster)
        .bind(&job.name)
        .bind(&job.user_id)
        .fetch_optional(&mut *tx)
        .await?
    } else {
        None
    };
    let at = Placement(job.cluster.clone());
    let role = Role { name: &job.name, owner: job.user_id.as_deref(), adopt_unbound: false };
    let outcome = match (kind, needed) {
        (_, Some(_)) => Ok(()),
        (DropKind::Database, None) => state.workspaces.delete(&at, &job.name).await,
        (DropKind::Role, None) => state.workspaces.drop_role(&at, &role).await,
    };
    let dropped = match outcome {
        // Not Sluice's to remove: nothing more will be tried.
        Err(StorageError::ForeignRole(name)) => {
            tracing::warn!(cluster = %job.cluster, role = %name, "a removal was skipped: the cluster's object is not Sluice's");
            sqlx::query("DELETE FROM cluster_drops WHERE id = $1").bind(&job.id).execute(&mut *tx).await?;
            false
        }
        Ok(()) => {
            sqlx::query("DELETE FROM cluster_drops WHERE id = $1").bind(&job.id).execute(&mut *tx).await?;
            true
        }
        Err(error) => {
            tracing::warn!(cluster = %job.cluster, kind = %job.kind, %error, "a removal on a cluster failed; will retry");
            sqlx::query("UPDATE cluster_drops SET attempts = attempts + 1, not_before = $1 WHERE id = $2")
                .bind(now + backoff_ms(job.attempts))
                .bind(&job.id)
                .execute(&mut *tx)
                .await?;
            false
        }
    };
    tx.commit().await?;
    Ok(Some(dropped))
}
