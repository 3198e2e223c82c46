//! Usage of the workspaces on clusters, sampled every interval: storage is
//! `pg_database_size`, compute the time statements ran in the database
//! (`pg_stat_database.active_time`), recorded as what was added since the
//! last sample. Several Sluice processes may sample at once: a sample's
//! compute is recorded by the one that moves the workspace's mark, in the
//! transaction that moves it, so none is counted twice.

use std::sync::Arc;
use std::time::Duration;

use app::infra::db::begin_write;
use app::infra::time::now_millis;
use app::infra::usage_meter::{record_compute, record_storage};
use app::infra::workspace_storage::Measured;
use app::infra::AppState;

use super::Clusters;

/// Databases measured in one statement.
const BATCH: i64 = 500;

/// Samples every cluster every `every`, for good.
pub async fn run(state: AppState, clusters: Arc<Clusters>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        for cluster in clusters.all() {
            if let Err(error) = sample(&state, &clusters, &cluster.spec.key()).await {
                tracing::warn!(cluster = %cluster.spec.key(), %error, "usage: a cluster was not sampled");
            }
        }
    }
}

#[derive(sqlx::FromRow)]
pub(super) struct Marked {
    pub id: String,
    /// The workspace's own handle.
    pub handle: String,
    pub database_name: String,
    active_time_mark: Option<i64>,
    pub user_id: String,
    /// The owner's handle: their role's name.
    pub owner: String,
    pub paused_at: Option<i64>,
}

/// Samples every workspace on one cluster, a page at a time.
pub async fn sample(state: &AppState, clusters: &Clusters, key: &str) -> Result<(), Box<dyn std::error::Error>> {
    let mut after = String::new();
    loop {
        let page: Vec<Marked> = sqlx::query_as(
            "SELECT w.id, w.handle, w.database_name, w.active_time_mark, w.user_id, u.handle AS owner, w.paused_at
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
                record(state, ws, m, now).await?;
                super::storage_limit::enforce(state, clusters, key, ws, m.bytes).await?;
            }
        }
    }
}

async fn record(state: &AppState, ws: &Marked, m: &Measured, now: i64) -> Result<(), sqlx::Error> {
    // Statistics reset (or a first sample): what the cluster counts now
    // was all spent since.
    let added = match ws.active_time_mark {
        Some(mark) if m.active_ms >= mark => m.active_ms - mark,
        _ => m.active_ms,
    };
    let mut tx = begin_write(&state.db).await?;
    let moved = sqlx::query(
        "UPDATE workspaces SET active_time_mark = $1
         WHERE id = $2 AND COALESCE(active_time_mark, -1) = COALESCE($3, -1)",
    )
    .bind(m.active_ms)
    .bind(&ws.id)
    .bind(ws.active_time_mark)
    .execute(&mut *tx)
    .await?;
    if moved.rows_affected() == 1 && added > 0 {
        record_compute(&mut *tx, &ws.id, added, now).await?;
    }
    record_storage(&mut *tx, &ws.id, m.bytes, now).await?;
    tx.commit().await
}
