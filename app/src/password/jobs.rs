//! Carrying a new database password to each workspace. The jobs are rows
//! (`password_propagations`), so a restart picks up where the last process
//! stopped; the worker wakes when a rotation asks it to, and otherwise
//! looks for due work every second.

use std::time::Duration;

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

/// Applies every job that is due; answers how many were applied.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
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
    Ok(due.len())
}

/// The embedded engine keeps each workspace's accepted password in the
/// workspace row: taking the new one and finishing the job is one
/// transaction, so a crash in between leaves the job to run again.
async fn apply(state: &AppState, workspace_id: &str, password_id: &str) -> Result<(), sqlx::Error> {
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
    if finished == 0 {
        return Ok(());
    }
    sqlx::query("UPDATE workspaces SET password_id = $1, updated_at = $2 WHERE id = $3")
        .bind(password_id)
        .bind(now)
        .bind(workspace_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}
