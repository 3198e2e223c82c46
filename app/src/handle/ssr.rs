//! Handles in storage: whether one is free, changing it in one transaction,
//! and the cooling-off hold on a handle someone gave up.
//!
//! The rule: a handle given up (by a change or by deleting the account) is
//! held for [`HOLD_DAYS`](super::HOLD_DAYS) days. During that time nobody else can take it;
//! the account that gave it up may take it back. After a deletion the hold
//! has no owner, so nobody can take it until it ends.
//!
//! Only a handle the account actually used is held: one it had for less
//! than [`USED_AFTER_MS`] goes back to everyone at once. And an account may
//! change its handle [`CHANGES_PER_DAY`] times a UTC day. Together they keep
//! one account from holding many names (50 renames in a second held 50).

use crate::infra::system_mail;
use serde_json::json;
use shared::Handle;
use sqlx::AnyConnection;

use super::{DnsChange, HOLD_DAYS};
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::rate_limit::{self, HitError, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;

use crate::workspaces::placement::{self, RenameError};
use shared::DAY_MS;
/// How long a handle must have been the account's to be held for it.
pub const USED_AFTER_MS: i64 = DAY_MS;
/// Handle changes one account may make in a UTC day.
pub const CHANGES_PER_DAY: i64 = 3;
const CHANGES: Limit = Limit { max: CHANGES_PER_DAY, window_secs: 86_400 };

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("“{0}” is already your handle.")]
    Unchanged(String),
    #[error("The handle “{0}” is taken. Choose another.")]
    Taken(String),
    #[error("A handle can be changed {CHANGES_PER_DAY} times a day. Try again in {} hour(s).", retry_after_secs.div_ceil(3600))]
    TooMany { retry_after_secs: u64 },
    #[error("A workspace cluster could not rename your database role, so your handle was not changed. Try again in a moment.")]
    Cluster,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// Whether `handle` is someone else's, or held for someone else, at `now`.
/// `me` is the account asking (none for a sign-up).
pub async fn taken(conn: &mut AnyConnection, handle: &str, me: Option<&str>, now: i64) -> Result<bool, sqlx::Error> {
    let me = me.unwrap_or("");
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM users WHERE handle = $1 AND id <> $2
         UNION ALL
         SELECT 1 FROM handle_holds
         WHERE handle = $1 AND until > $3 AND (user_id IS NULL OR user_id <> $2)
         LIMIT 1",
    )
    .bind(handle)
    .bind(me)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(found.is_some())
}

/// Holds `handle` for `owner` (or for nobody) from `now`.
pub async fn hold(conn: &mut AnyConnection, handle: &str, owner: Option<&str>, now: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO handle_holds (handle, user_id, released_at, until) VALUES ($1, $2, $3, $4)
         ON CONFLICT (handle) DO UPDATE SET user_id = excluded.user_id,
             released_at = excluded.released_at, until = excluded.until",
    )
    .bind(handle)
    .bind(owner)
    .bind(now)
    .bind(now + HOLD_DAYS * DAY_MS)
    .execute(conn)
    .await?;
    Ok(())
}

/// Every workspace's DNS name with `from` and with `to` as the handle.
pub async fn dns_changes(state: &AppState, user_id: &str, from: &str, to: &str) -> Result<Vec<DnsChange>, sqlx::Error> {
    let workspaces = crate::workspaces::ssr::list(state, user_id, from).await?;
    Ok(workspaces
        .into_iter()
        .map(|ws| DnsChange {
            after: crate::workspaces::naming::dns_name(&state.settings, &ws.handle, to, &ws.region),
            before: ws.dns_name,
            workspace: ws.handle,
        })
        .collect())
}

/// Changes the acting person's handle to `new`, holds the old one for
/// them, audits it and sends a System e-mail. Two people racing for one
/// handle: the write lock (SQLite) or the unique index (PostgreSQL) orders
/// them and the loser gets [`ChangeError::Taken`].
pub async fn change(state: &AppState, actor: &Actor, new: &Handle) -> Result<(), ChangeError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let (old, since): (String, i64) = sqlx::query_as("SELECT handle, handle_since FROM users WHERE id = $1")
        .bind(&actor.id)
        .fetch_one(&mut *tx)
        .await?;
    if old == new.as_str() {
        return Err(ChangeError::Unchanged(old));
    }
    if taken(&mut tx, new.as_str(), Some(&actor.id), now).await? {
        return Err(ChangeError::Taken(new.to_string()));
    }
    // Counted in this transaction, after the account's row is locked: a
    // refused or failed change does not count, and concurrent ones queue.
    rate_limit::hit_in(&mut tx, &format!("handle-change:{}", actor.id), CHANGES, now).await.map_err(|e| match e {
        HitError::Refused { retry_after_secs } => ChangeError::TooMany { retry_after_secs },
        HitError::Db(e) => ChangeError::Db(e),
    })?;
    // Taking back one's own held handle ends its hold.
    sqlx::query("DELETE FROM handle_holds WHERE handle = $1").bind(new.as_str()).execute(&mut *tx).await?;
    sqlx::query(
        "UPDATE users SET handle = $1, handle_since = $2, updated_at = $2, version_id = version_id + 1 WHERE id = $3",
    )
    .bind(new.as_str())
    .bind(now)
    .bind(&actor.id)
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => ChangeError::Taken(new.to_string()),
        _ => ChangeError::Db(e),
    })?;
    if now - since >= USED_AFTER_MS {
        hold(&mut tx, &old, Some(&actor.id), now).await?;
    }
    let actor = Actor { handle: new.to_string(), ..actor.clone() };
    let data = json!({ "handle": { "old": old, "new": new.as_str() } });
    audit_trail::record_own(&mut tx, &actor, "user.update", data, now).await?;
    // Last, so that nothing else can refuse the change after the roles
    // on the clusters were renamed.
    let renamed =
        placement::rename_roles(state, &mut tx, &actor.id, &old, new.as_str()).await.map_err(|e| match e {
            RenameError::Cluster(error) => {
                tracing::warn!(%error, "a handle change was refused: a cluster did not rename the role");
                ChangeError::Cluster
            }
            RenameError::Db(e) => ChangeError::Db(e),
        })?;
    if let Err(e) = tx.commit().await {
        renamed.undo(state).await;
        return Err(e.into());
    }
    let changes = dns_changes(state, &actor.id, &old, new.as_str()).await.unwrap_or_default();
    mail_handle_changed(state, &actor, &old, &changes).await;
    Ok(())
}

/// `actor` carries the new handle.
async fn mail_handle_changed(state: &AppState, actor: &Actor, old: &str, changes: &[DnsChange]) {
    let mut what = format!(
        "Your handle was changed from {old} to {new}. Your account's pages are now at\n{url}\n\n",
        new = actor.handle,
        url = state.settings.absolute(&format!("/user/{}", actor.handle)),
    );
    if changes.is_empty() {
        what.push_str("You have no workspaces, so no DNS name changed.\n");
    } else {
        what.push_str("The DNS names of your workspaces changed:\n");
        for c in changes {
            what.push_str(&format!("  {}: {} -> {}\n", c.workspace, c.before, c.after));
        }
    }
    what.push_str(&format!(
        "\nNobody else can take {old} for {HOLD_DAYS} days; you can change back to it in that time."
    ));
    system_mail::security(state, actor, "Your handle was changed", &what).await;
}
