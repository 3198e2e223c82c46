//! Fixed-window rate limits kept in the database, so that every server
//! process counts the same attempts.

use super::db::Db;
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

/// Counts one attempt under `key`; refuses it once `limit.max` were made in
/// the current window.
pub async fn hit(db: &Db, key: &str, limit: Limit, now_ms: i64) -> Result<(), AppError> {
    let window_ms = limit.window_secs * 1000;
    let window_start = now_ms - now_ms.rem_euclid(window_ms);
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start = excluded.window_start
                        THEN rate_limits.count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count",
    )
    .bind(key)
    .bind(window_start)
    .fetch_one(db)
    .await?;
    if count > limit.max {
        let retry_after_secs = ((window_start + window_ms - now_ms) / 1000).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}
