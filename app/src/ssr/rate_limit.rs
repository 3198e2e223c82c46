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
    // A counter need not survive a power cut (a lost count errs towards
    // letting someone in a moment sooner), so this write does not wait for
    // the disk: the connection commits it without fsync, then goes back to
    // the database's default. Measured: the API's per-request cost was
    // this fsync, about 1 ms.
    let mut conn = db.acquire().await?;
    sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
    let counted: Result<i64, sqlx::Error> = sqlx::query_scalar(
        "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN rate_limits.window_start = excluded.window_start
                        THEN rate_limits.count + 1 ELSE 1 END,
           window_start = excluded.window_start
         RETURNING count",
    )
    .bind(key)
    .bind(window_start)
    .fetch_one(&mut *conn)
    .await;
    if let Err(e) = sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await {
        // Never back into the pool without fsync on commit.
        drop(conn.detach());
        return Err(e.into());
    }
    let count = counted?;
    if count > limit.max {
        let retry_after_secs = ((window_start + window_ms - now_ms) / 1000).max(1) as u64;
        return Err(AppError::RateLimited { retry_after_secs });
    }
    Ok(())
}
