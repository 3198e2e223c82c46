//! The readings of workspace usage, as the workspace engines write them:
//! compute time added to a day, a day's largest storage. Usage reports
//! read them back (`crate::usage`).

use shared::DAY_MS;

use super::time::now_millis;

pub const COMPUTE: &str = "db_execution_ms";
pub const STORAGE: &str = "db_volume_bytes";

/// Adds `ms` of compute time to the workspace's day that `at` falls in.
pub async fn record_compute<'e>(
    db: impl Recorder<'e>,
    workspace_id: &str,
    ms: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    record(db, workspace_id, COMPUTE, ms, at, "usage_daily.value + excluded.value").await
}

/// Notes a storage reading: a day keeps its largest.
pub async fn record_storage<'e>(
    db: impl Recorder<'e>,
    workspace_id: &str,
    bytes: i64,
    at: i64,
) -> Result<(), sqlx::Error> {
    // (No two-argument MAX on PostgreSQL, no GREATEST on SQLite.)
    record(
        db,
        workspace_id,
        STORAGE,
        bytes,
        at,
        "CASE WHEN excluded.value > usage_daily.value THEN excluded.value ELSE usage_daily.value END",
    )
    .await
}

/// Where a reading is written: the pool, or a transaction's connection.
pub trait Recorder<'e>: sqlx::Executor<'e, Database = sqlx::Any> {}
impl<'e, E: sqlx::Executor<'e, Database = sqlx::Any>> Recorder<'e> for E {}

async fn record<'e>(
    db: impl Recorder<'e>,
    workspace_id: &str,
    metric: &str,
    value: i64,
    at: i64,
    merge: &str,
) -> Result<(), sqlx::Error> {
    if value < 0 {
        return Err(sqlx::Error::Protocol(format!("a negative {metric} reading")));
    }
    let day = at.div_euclid(DAY_MS) * DAY_MS;
    // The workspace's owner and handle are copied at the time of use.
    let sql = format!(
        "INSERT INTO usage_daily (user_id, workspace_id, workspace_handle, usage_date, metric, value, updated_at)
         SELECT user_id, id, handle, $2, $3, $4, $5 FROM workspaces WHERE id = $1
         ON CONFLICT (workspace_id, usage_date, metric) DO UPDATE SET
             value = {merge}, updated_at = excluded.updated_at"
    );
    let done =
        sqlx::query(&sql).bind(workspace_id).bind(day).bind(metric).bind(value).bind(now_millis()).execute(db).await?;
    if done.rows_affected() == 0 {
        return Err(sqlx::Error::RowNotFound);
    }
    Ok(())
}
