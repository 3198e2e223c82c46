//! Carrying a new database password to each workspace. The jobs are rows
//! (`password_propagations`), so a restart picks up where the last process
//! stopped; the worker wakes when a rotation asks it to, and otherwise
//! looks for due work every second.
//!
//! What a workspace takes is a SCRAM verifier of the password, made with
//! its own salt ([`ScramVerifier`]), which becomes the password of the
//! person's role on the workspace's PostgreSQL (Sluice's own or a
//! cluster), with one `ALTER ROLE` for all their workspaces there: until
//! its job has run a workspace accepts the old password and afterwards
//! only the new one; connections already open stay open.
//!
//! The process's one worker (`crate::routes::jobs`) runs these beside
//! every other feature's jobs.

use super::verifier::ScramVerifier;
use crate::infra::db::{begin_write, lock_user, skip_locked};
use crate::infra::time::now_millis;
use crate::infra::workspace_storage::{Placement, Role};
use crate::infra::AppState;

const BATCH: i64 = 50;

/// Applies every job that is due, and gives a verifier to workspaces that
/// have a password but no verifier yet (new ones); answers how many were
/// done. Several processes'
/// workers may run at once: each job is taken by one of them.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut done = 0;
    // Workspaces in id order from `after`: one whose password does not
    // open is passed over, not taken again and again.
    let mut after = String::new();
    for _ in 0..BATCH {
        match fill_next_verifier(state, &mut after).await? {
            Some(filled) => done += usize::from(filled),
            None => break,
        }
    }
    for _ in 0..BATCH {
        if !apply_next(state).await? {
            break;
        }
        done += 1;
    }
    Ok(done)
}

/// A fresh verifier of a sealed password, computed off the async threads;
/// `None` if it does not open (logged by `unseal`).
async fn verifier_of(state: &AppState, user_id: &str, sealed: &[u8]) -> Result<Option<String>, sqlx::Error> {
    let Ok(password) = super::ssr::unseal(&state.vault, user_id, sealed) else {
        return Ok(None);
    };
    let verifier = tokio::task::spawn_blocking(move || ScramVerifier::new(password.expose()).encode())
        .await
        .map_err(|e| sqlx::Error::Protocol(format!("verifier task: {e}")))?;
    Ok(Some(verifier))
}

/// Gives the next workspace (by id, after `after`) without a verifier the
/// verifier of its password; answers whether it did, or `None` when there
/// was none left.
async fn fill_next_verifier(state: &AppState, after: &mut String) -> Result<Option<bool>, sqlx::Error> {
    let mut tx = begin_write(&state.db).await?;
    let next: Option<(String, String, Vec<u8>)> = sqlx::query_as(&format!(
        // Only a workspace whose password is still the current one: the
        // others have a pending job that brings them the newer password.
        // One that does not open is left (and logged), not retried in a loop.
        "SELECT w.id, p.user_id, p.sealed FROM workspaces w
         JOIN database_passwords p ON p.id = w.password_id
         WHERE w.scram_verifier IS NULL AND w.id > $1 ORDER BY w.id LIMIT 1{}",
        skip_locked(&tx, "w")
    ))
    .bind(after.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((workspace_id, user_id, sealed)) = next else {
        return Ok(None);
    };
    let verifier = verifier_of(state, &user_id, &sealed).await?;
    if let Some(verifier) = &verifier {
        sqlx::query("UPDATE workspaces SET scram_verifier = $1 WHERE id = $2")
            .bind(verifier)
            .bind(&workspace_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    *after = workspace_id;
    Ok(Some(verifier.is_some()))
}

/// Takes the next due job and carries its password to its workspace:
/// taking the new verifier and finishing the job are one transaction, so
/// a crash in between leaves the job to run again. A job whose password
/// was replaced or does not open finishes without changing the workspace.
/// A propagation that is due, with the password it carries (gone when
/// the account was deleted meanwhile).
#[derive(sqlx::FromRow)]
struct DueJob {
    workspace_id: String,
    password_id: String,
    user_id: Option<String>,
    sealed: Option<Vec<u8>>,
    /// The workspace's cluster, when one holds it and has made it.
    cluster: Option<String>,
    attempts: i64,
}

/// Answers whether there was a job due.
async fn apply_next(state: &AppState) -> Result<bool, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    // The account is locked before its job is claimed, as a rotation and
    // a handle change lock it before they touch its jobs and workspaces:
    // one order, no deadlock, and the handle cannot change meanwhile.
    let candidate: Option<String> = sqlx::query_scalar(
        "SELECT user_id FROM password_propagations WHERE state = 'pending' AND not_before <= $1
         ORDER BY not_before LIMIT 1",
    )
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(candidate) = candidate else {
        return Ok(false);
    };
    lock_user(&mut tx, &candidate).await?;
    let job: Option<DueJob> = sqlx::query_as(&format!(
        "SELECT j.workspace_id, j.password_id, p.user_id, p.sealed, j.attempts,
                CASE WHEN w.provisioned_at IS NULL THEN NULL ELSE w.cluster END AS cluster
         FROM password_propagations j
         JOIN workspaces w ON w.id = j.workspace_id
         LEFT JOIN database_passwords p ON p.id = j.password_id
         WHERE j.state = 'pending' AND j.not_before <= $1 AND j.user_id = $2 ORDER BY j.not_before LIMIT 1{}",
        skip_locked(&tx, "j")
    ))
    .bind(now)
    .bind(&candidate)
    .fetch_optional(&mut *tx)
    .await?;
    // Another process took it meanwhile: there may be more.
    let Some(job) = job else {
        tx.commit().await?;
        return Ok(true);
    };
    let DueJob { workspace_id, password_id, user_id, sealed, cluster, attempts } = job;
    let verifier = match (&user_id, sealed) {
        (Some(user_id), Some(sealed)) => verifier_of(state, user_id, &sealed).await?,
        _ => None,
    };
    // On a cluster the role is the person's: every workspace of theirs
    // there takes the password with this one statement.
    let mut workspaces = vec![workspace_id.clone()];
    if let (Some(key), Some(user_id), Some(verifier)) = (&cluster, &user_id, &verifier) {
        let handle: String =
            sqlx::query_scalar("SELECT handle FROM users WHERE id = $1").bind(user_id).fetch_one(&mut *tx).await?;
        // Only provisioned workspaces get here: a role bound to nobody is
        // one made for this person before roles were bound.
        let role = Role { name: &handle, owner: Some(user_id), adopt_unbound: true };
        if let Err(error) = state.workspaces.set_verifier(&Placement(key.clone()), &role, verifier).await {
            tracing::warn!(cluster = %key, %error, "a cluster did not take the new password; will retry");
            sqlx::query(
                "UPDATE password_propagations SET attempts = attempts + 1, not_before = $1
                 WHERE workspace_id = $2 AND password_id = $3",
            )
            .bind(now + crate::workspaces::jobs::backoff_ms(attempts))
            .bind(&workspace_id)
            .bind(&password_id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(true);
        }
        workspaces = sqlx::query_scalar(
            "SELECT j.workspace_id FROM password_propagations j JOIN workspaces w ON w.id = j.workspace_id
             WHERE w.user_id = $1 AND w.cluster = $2 AND w.provisioned_at IS NOT NULL
               AND j.password_id = $3 AND j.state = 'pending'",
        )
        .bind(user_id)
        .bind(key)
        .bind(&password_id)
        .fetch_all(&mut *tx)
        .await?;
    }
    for workspace_id in &workspaces {
        sqlx::query(
            "UPDATE password_propagations SET state = 'done', done_at = $1, attempts = attempts + 1
             WHERE workspace_id = $2 AND password_id = $3",
        )
        .bind(now)
        .bind(workspace_id)
        .bind(&password_id)
        .execute(&mut *tx)
        .await?;
        if let Some(verifier) = &verifier {
            sqlx::query("UPDATE workspaces SET password_id = $1, scram_verifier = $2, updated_at = $3 WHERE id = $4")
                .bind(&password_id)
                .bind(verifier)
                .bind(now)
                .bind(workspace_id)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
