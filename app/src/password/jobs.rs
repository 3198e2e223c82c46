//! Carrying a new database password to each workspace. The jobs are rows
//! (`password_propagations`), so a restart picks up where the last process
//! stopped; the worker wakes when a rotation asks it to, and otherwise
//! looks for due work every second.
//!
//! What a workspace takes is a SCRAM verifier of the password, made with
//! its own salt ([`ScramVerifier`]): the workspace endpoint checks a
//! client against it, so until its job has run a workspace accepts the
//! old password and afterwards only the new one.

use std::time::Duration;

use super::verifier::ScramVerifier;
use crate::ssr::db::begin_write;
use crate::ssr::time::now_millis;
use crate::ssr::AppState;

const IDLE_POLL: Duration = Duration::from_secs(1);
const BATCH: i64 = 50;

/// Runs the worker until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match run_due(&state).await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(error) => tracing::error!(%error, "password propagation failed; will retry"),
            }
            let _ = tokio::time::timeout(IDLE_POLL, state.jobs.notified()).await;
        }
    })
}

/// Applies every job that is due, and gives a verifier to workspaces that
/// have a password but no verifier yet (new ones, and those from before
/// the endpoint existed); answers how many were done.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let filled = fill_missing_verifiers(state).await?;
    let now = now_millis();
    let due: Vec<(String, String)> = sqlx::query_as(
        "SELECT workspace_id, password_id FROM password_propagations
         WHERE state = 'pending' AND not_before <= $1 ORDER BY not_before LIMIT $2",
    )
    .bind(now)
    .bind(BATCH)
    .fetch_all(&state.db)
    .await?;
    for (workspace_id, password_id) in &due {
        apply(state, workspace_id, password_id).await?;
    }
    Ok(filled + due.len())
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

async fn fill_missing_verifiers(state: &AppState) -> Result<usize, sqlx::Error> {
    let missing: Vec<(String, String, String, Vec<u8>)> = sqlx::query_as(
        // Only a workspace whose password is still the current one: the
        // others have a pending job that brings them the newer password.
        "SELECT w.id, w.password_id, p.user_id, p.sealed FROM workspaces w
         JOIN database_passwords p ON p.id = w.password_id
         WHERE w.scram_verifier IS NULL LIMIT $1",
    )
    .bind(BATCH)
    .fetch_all(&state.db)
    .await?;
    let mut filled = 0;
    for (workspace_id, password_id, user_id, sealed) in &missing {
        let Some(verifier) = verifier_of(state, user_id, sealed).await? else {
            continue;
        };
        let mut tx = begin_write(&state.db).await?;
        sqlx::query(
            "UPDATE workspaces SET scram_verifier = $1
             WHERE id = $2 AND password_id = $3 AND scram_verifier IS NULL",
        )
        .bind(&verifier)
        .bind(workspace_id)
        .bind(password_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        filled += 1;
    }
    Ok(filled)
}

/// The embedded engine keeps each workspace's accepted password in the
/// workspace row: taking the new one and finishing the job is one
/// transaction, so a crash in between leaves the job to run again.
async fn apply(state: &AppState, workspace_id: &str, password_id: &str) -> Result<(), sqlx::Error> {
    // A replaced password's job finishes without changing the workspace.
    let sealed: Option<(String, Vec<u8>)> =
        sqlx::query_as("SELECT user_id, sealed FROM database_passwords WHERE id = $1")
            .bind(password_id)
            .fetch_optional(&state.db)
            .await?;
    let verifier = match sealed {
        Some((user_id, sealed)) => verifier_of(state, &user_id, &sealed).await?,
        None => None,
    };
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    // Finishing the job first tells whether it was still pending (a newer
    // rotation may have replaced it meanwhile).
    let finished = sqlx::query(
        "UPDATE password_propagations SET state = 'done', done_at = $1, attempts = attempts + 1
         WHERE workspace_id = $2 AND password_id = $3 AND state = 'pending'",
    )
    .bind(now)
    .bind(workspace_id)
    .bind(password_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let Some(verifier) = verifier.filter(|_| finished > 0) else {
        return tx.commit().await;
    };
    sqlx::query(
        "UPDATE workspaces SET password_id = $1, scram_verifier = $2, updated_at = $3 WHERE id = $4",
    )
        .bind(password_id)
        .bind(&verifier)
        .bind(now)
        .bind(workspace_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
