//! Usage of the workspaces on clusters, sampled every interval: storage is
//! `pg_database_size`, compute the time statements ran in the database
//! (`pg_stat_statements` where it can be read, else
//! `pg_stat_database.active_time`), recorded as what was added since the
//! last sample. Each round also reads who is connected to the workspaces
//! (`pg_stat_activity`), for the new-network alerts. Several Sluice processes may sample at once: a sample's
//! compute is recorded by the one that moves the workspace's mark, in the
//! transaction that moves it, so none is counted twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::infra::db::begin_write;
use app::infra::time::now_millis;
use app::infra::usage_meter::{record_compute, record_storage, STORAGE};
use app::infra::workspace_storage::Measured;
use app::infra::AppState;

use super::Clusters;

/// Databases measured in one statement.
const BATCH: i64 = 500;

/// Samples every cluster every `every`, for good; after each round, usage
/// is looked at against every account's thresholds (counting statements
/// still running), which reaches caps and crosses warning steps.
pub async fn run(state: AppState, clusters: Arc<Clusters>, every: Duration, hooks: super::caps::Hooks) {
    loop {
        tokio::time::sleep(every).await;
        sample_all(&state, &clusters, hooks).await;
    }
}

/// One round: every cluster sampled, then the thresholds, then the caps
/// they reached held on every cluster at once (rather than at the caps'
/// next tick).
pub async fn sample_all(state: &AppState, clusters: &Clusters, hooks: super::caps::Hooks) {
    let mut running = HashMap::new();
    for cluster in clusters.all() {
        let key = cluster.spec.key();
        if let Err(error) = sample(state, clusters, &key, &mut running).await {
            tracing::warn!(cluster = %key, %error, "usage: a cluster was not sampled");
        }
        // Who is connected now: each a use of a database password.
        let seen = super::statements::sign_ins(cluster.pool()).await;
        match seen {
            Ok(seen) if seen.is_empty() => {}
            Ok(seen) => {
                if let Err(error) = (hooks.signed_in)(state, &key, &seen).await {
                    tracing::warn!(cluster = %key, %error, "workspace sign-ins were not looked at");
                }
            }
            Err(error) => tracing::warn!(cluster = %key, %error, "workspace sign-ins were not read"),
        }
    }
    if let Err(error) = (hooks.sampled)(state, &running).await {
        tracing::warn!(%error, "usage: thresholds were not evaluated");
    }
    super::caps::enforce_all(state, clusters, hooks).await;
}

#[derive(sqlx::FromRow)]
pub(super) struct Marked {
    pub id: String,
    /// The workspace's own handle.
    pub handle: String,
    pub database_name: String,
    active_time_mark: Option<i64>,
    exec_time_mark: Option<i64>,
    pub user_id: String,
    /// The owner's handle: their role's name.
    pub owner: String,
    pub paused_at: Option<i64>,
}

/// Samples every workspace on one cluster, a page at a time, adding each
/// owner's running statements' time to `running`.
pub async fn sample(
    state: &AppState,
    clusters: &Clusters,
    key: &str,
    running: &mut HashMap<String, i64>,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut after = String::new();
    loop {
        let page: Vec<Marked> = sqlx::query_as(
            "SELECT w.id, w.handle, w.database_name, w.active_time_mark, w.exec_time_mark, w.user_id, u.handle AS owner, w.paused_at
             FROM workspaces w JOIN users u ON u.id = w.user_id
             WHERE w.cluster = $1 AND w.provisioned_at IS NOT NULL AND w.id > $2 ORDER BY w.id LIMIT $3",
        )
        .bind(key)
        .bind(&after)
        .bind(BATCH)
        .fetch_all(&state.db)
        .await?;
        let Some(last) = page.last() else { return Ok(()) };
        after = last.id.clone();
        let names: Vec<String> = page.iter().map(|w| w.database_name.clone()).collect();
        let measured = clusters.measure(key, &names).await?;
        let now = now_millis();
        for ws in &page {
            if let Some(m) = measured.iter().find(|m| m.database == ws.database_name) {
                *running.entry(ws.user_id.clone()).or_default() += m.running_ms;
                record(state, ws, m, now).await?;
                super::storage_limit::enforce(state, clusters, key, ws, m.bytes).await?;
            }
        }
    }
}

async fn record(state: &AppState, ws: &Marked, m: &Measured, now: i64) -> Result<(), sqlx::Error> {
    // Each source has its own mark. `pg_stat_statements` forgets its least
    // used entries when full, and the sum can fall: what was added since is
    // then not counted (never more than was spent). `active_time` falls
    // only when the statistics are reset: what the cluster counts now was
    // all spent since (or this is the first sample).
    let (column, mark) = if m.from_statements {
        ("exec_time_mark", ws.exec_time_mark)
    } else {
        ("active_time_mark", ws.active_time_mark)
    };
    let added = match mark {
        Some(mark) if m.active_ms >= mark => m.active_ms - mark,
        Some(_) if m.from_statements => 0,
        _ => m.active_ms,
    };
    // Most samples of most workspaces find nothing new: they write nothing
    // (on SQLite every write waits for the one writer and its fsync).
    if mark == Some(m.active_ms) {
        let day = now.div_euclid(shared::DAY_MS) * shared::DAY_MS;
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM usage_daily WHERE workspace_id = $1 AND usage_date = $2 AND metric = $3",
        )
        .bind(&ws.id)
        .bind(day)
        .bind(STORAGE)
        .fetch_optional(&state.db)
        .await?;
        if stored.is_some_and(|s| s >= m.bytes) {
            return Ok(());
        }
    }
    let mut tx = begin_write(&state.db).await?;
    let moved = sqlx::query(&format!(
        "UPDATE workspaces SET {column} = $1 WHERE id = $2 AND COALESCE({column}, -1) = COALESCE($3, -1)"
    ))
    .bind(m.active_ms)
    .bind(&ws.id)
    .bind(mark)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 1 && added > 0 {
        record_compute(&mut *tx, &ws.id, added, now).await?;
    }
    record_storage(&mut *tx, &ws.id, m.bytes, now).await?;
    tx.commit().await
}
