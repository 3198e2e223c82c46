//! Fixed-window rate limits kept in the database, so that every server
//! process counts the same attempts.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::db::{Db, Engine};
use crate::error::AppError;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: i64,
    pub window_secs: i64,
}

impl Limit {
    fn window_start(self, now_ms: i64) -> i64 {
        now_ms - now_ms.rem_euclid(self.window_secs * 1000)
    }

    fn retry_after_secs(self, now_ms: i64) -> u64 {
        let end = self.window_start(now_ms) + self.window_secs * 1000;
        ((end - now_ms) / 1000).max(1) as u64
    }

    fn refusal(self, now_ms: i64) -> AppError {
        AppError::RateLimited { retry_after_secs: self.retry_after_secs(now_ms) }
    }
}

/// Counts one attempt under `key`; refuses it once `limit.max` were made in
/// the current window.
pub async fn hit(db: &Db, key: &str, limit: Limit, now_ms: i64) -> Result<(), AppError> {
    let count = claim(db, key, limit.window_start(now_ms), 1).await?;
    if count > limit.max {
        return Err(limit.refusal(now_ms));
    }
    Ok(())
}

/// Takes back one attempt counted by [`hit`] under `key` in the current
/// window: for limits on failures, where every attempt is counted before
/// it is tried (so that concurrent ones cannot pass the limit together)
/// and a success is given back. Best effort: a failure to write errs
/// towards the limit.
pub async fn give_back(db: &Db, key: &str, limit: Limit, now_ms: i64) {
    if let Err(error) = claim(db, key, limit.window_start(now_ms), -1).await {
        tracing::warn!(?error, "a rate-limit count could not be given back");
    }
}

/// [`hit`] inside the caller's transaction, so that an attempt counts
/// only if its transaction commits and concurrent attempts are counted in
/// the order they write (for changes capped per account: the caller has
/// locked the account's row).
pub async fn hit_in(conn: &mut sqlx::AnyConnection, key: &str, limit: Limit, now_ms: i64) -> Result<(), HitError> {
    let count: i64 =
        sqlx::query_scalar(COUNT).bind(key).bind(limit.window_start(now_ms)).bind(1_i64).fetch_one(conn).await?;
    if count > limit.max {
        return Err(HitError::Refused { retry_after_secs: limit.retry_after_secs(now_ms) });
    }
    Ok(())
}

/// Why [`hit_in`] refused.
#[derive(Debug, thiserror::Error)]
pub enum HitError {
    #[error("the limit is reached for {retry_after_secs} more seconds")]
    Refused { retry_after_secs: u64 },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Refuses when `limit.max` attempts were already counted under `key` in
/// the current window, without counting this one: for limits on failures,
/// which are counted with [`hit`] only once an attempt has failed.
pub async fn exhausted(db: &Db, key: &str, limit: Limit, now_ms: i64) -> Result<(), AppError> {
    let count: Option<i64> = sqlx::query_scalar("SELECT count FROM rate_limits WHERE key = $1 AND window_start = $2")
        .bind(key)
        .bind(limit.window_start(now_ms))
        .fetch_optional(db)
        .await?;
    if count.unwrap_or(0) >= limit.max {
        return Err(limit.refusal(now_ms));
    }
    Ok(())
}

/// This process's unspent share of each key's current window. A busy key
/// (an API token) claims its window's allowance from the database in
/// blocks, so that it costs one write per block rather than one per
/// request. Every process claims from the same row, so together they never
/// let more than `max` through in a window; a process may hold part of a
/// block it does not use, and the others are then refused that much sooner.
/// Within a process one claim per key is made at a time: requests that
/// find the lease spent wait for the claim in flight rather than each
/// claiming a block of their own. A window's count only grows, so once a
/// claim finds it full, the key's later requests in that window are refused
/// here without writing.
#[derive(Clone, Default)]
pub struct Leases(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<Lease>>>>>);

#[derive(Clone, Copy, Default)]
struct Lease {
    window_start: i64,
    left: i64,
    /// The window's count is at the limit: nothing more to claim in it.
    full: bool,
}

/// How much of a window one claim takes: a twentieth of it, at most 50,
/// at least 1 (small limits are counted one by one).
fn block(limit: Limit) -> i64 {
    (limit.max / 20).clamp(1, 50)
}

/// [`hit`], spending this process's lease first.
pub async fn hit_leased(db: &Db, leases: &Leases, key: &str, limit: Limit, now_ms: i64) -> Result<(), AppError> {
    let window_start = limit.window_start(now_ms);
    let slot = {
        let mut map = leases.0.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some(slot) => slot.clone(),
            None => {
                // Keys whose window is over (and that nobody is using) go.
                map.retain(|_, slot| slot.try_lock().map_or(true, |lease| lease.window_start == window_start));
                map.entry(key.to_owned()).or_default().clone()
            }
        }
    };
    let mut lease = slot.lock().await;
    if lease.window_start == window_start {
        if lease.left > 0 {
            lease.left -= 1;
            return Ok(());
        }
        if lease.full {
            return Err(limit.refusal(now_ms));
        }
    }
    let want = block(limit);
    let count = claim(db, key, window_start, want).await?;
    // What of this block lies within the limit.
    let granted = want.min(limit.max - (count - want));
    if granted <= 0 {
        *lease = Lease { window_start, left: 0, full: true };
        return Err(limit.refusal(now_ms));
    }
    *lease = Lease { window_start, left: granted - 1, full: false };
    Ok(())
}

/// Adds `$3` to key `$1`'s count for the window starting at `$2` (a new
/// window starts from zero); answers the count.
const COUNT: &str = "INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET
       count = CASE WHEN rate_limits.window_start = excluded.window_start
                    THEN rate_limits.count + excluded.count ELSE excluded.count END,
       window_start = excluded.window_start
     RETURNING count";

/// Adds `units` to `key`'s count for the window starting at
/// `window_start` (a new window starts from zero); answers the count.
async fn claim(db: &Db, key: &str, window_start: i64, units: i64) -> Result<i64, AppError> {
    // A counter need not survive a power cut (a lost count errs towards
    // letting someone in a moment sooner), so this write does not wait for
    // the disk. Measured on SQLite: the API's per-request cost was this
    // fsync, about 1 ms.
    async fn count(
        conn: &mut sqlx::AnyConnection,
        key: &str,
        window_start: i64,
        units: i64,
    ) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar(COUNT).bind(key).bind(window_start).bind(units).fetch_one(conn).await
    }
    match Engine::of(db) {
        Engine::Postgres => {
            // Only this transaction's commit skips the wait.
            let mut tx = db.begin().await?;
            sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut *tx).await?;
            let counted = count(&mut tx, key, window_start, units).await?;
            tx.commit().await?;
            Ok(counted)
        }
        Engine::Sqlite => {
            // The connection commits without fsync, then goes back to the
            // database's default.
            let mut conn = db.acquire().await?;
            sqlx::query("PRAGMA synchronous = NORMAL").execute(&mut *conn).await?;
            let counted = count(&mut conn, key, window_start, units).await;
            if let Err(e) = sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await {
                // Never back into the pool without fsync on commit.
                drop(conn.detach());
                return Err(e.into());
            }
            Ok(counted?)
        }
    }
}
