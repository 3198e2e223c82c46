//! Reset Authentication in storage: `token_min_issued_at` moves to now,
//! and everything issued before it stops, in one transaction.

use serde_json::json;

use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// Moves `token_min_issued_at` forward to `at` and ends the sessions it
/// kills, in one transaction. Moving it back is refused: what was
/// revoked stays revoked. Answers whether anything changed.
/// Why authentication was not reset.
#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    /// What was revoked stays revoked.
    #[error("token_min_issued_at cannot move back: it is {current}")]
    MovesBack { current: String },
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<ResetError> for AppError {
    fn from(e: ResetError) -> Self {
        match e {
            ResetError::MovesBack { .. } => AppError::invalid(e),
            ResetError::Db(e) => e.into(),
        }
    }
}

pub async fn reset(state: &AppState, actor: &Actor, at: i64) -> Result<bool, ResetError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let current: i64 = sqlx::query_scalar("SELECT token_min_issued_at FROM users WHERE id = $1")
        .bind(&actor.id)
        .fetch_one(&mut *tx)
        .await?;
    if at < current {
        return Err(ResetError::MovesBack { current: rfc3339(current) });
    }
    if at == current {
        return Ok(false);
    }
    sqlx::query("UPDATE users SET updated_at = $1, version_id = version_id + 1 WHERE id = $2")
        .bind(now)
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    // A passkey is a way in like a session: whoever made one while
    // they were in could sign in again after the reset.
    crate::access::revocation::revoke_before(&mut tx, &actor.id, at, 0).await?;
    let data = json!({ "token_min_issued_at": rfc3339(at) });
    audit_trail::record_own(&mut tx, actor, "auth.reset", data, now).await?;
    tx.commit().await?;
    let what = "Authentication was reset for your Sluice account: every session, every \
                temporary token and every API token issued before now stopped working, \
                and every passkey was removed.";
    crate::infra::system_mail::security(state, actor, "Authentication was reset for your account", what).await;
    Ok(true)
}
