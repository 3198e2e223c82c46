//! The database password in storage: one per person, sealed by the vault
//! with the user id as associated data. Rotating it replaces the sealed
//! value and queues one propagation job per workspace in the same
//! transaction.

use crate::infra::system_mail;
use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use sqlx::AnyConnection;

use super::{PasswordOverview, WorkspaceConnection};
use crate::error::AppError;

/// Why the database password could not be read or changed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// It does not open with this server's key (logged where it happens).
    #[error("the database password does not open with this server's key")]
    Unreadable,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<PasswordError> for AppError {
    fn from(e: PasswordError) -> Self {
        match e {
            PasswordError::Unreadable => AppError::Internal,
            PasswordError::Db(e) => e.into(),
        }
    }
}
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user, Db};
use crate::infra::ids::new_id;
use crate::infra::secret::Secret;
use crate::infra::time::now_millis;
use crate::infra::vault::Vault;
use crate::infra::AppState;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/// 32 characters of 62: about 190 bits.
const PASSWORD_LEN: usize = 32;

fn new_password() -> Secret<String> {
    let mut rng = OsRng;
    Secret::new((0..PASSWORD_LEN).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect())
}

/// The current password, opened.
pub struct Current {
    pub id: String,
    pub user_id: String,
    pub password: Secret<String>,
    pub created_at: i64,
    pub expires_at: Option<i64>,
}

/// Writes a new sealed password for `user_id` (replacing any) and returns its id.
async fn store(
    conn: &mut AnyConnection,
    vault: &Vault,
    user_id: &str,
    expires_at: Option<i64>,
    now_ms: i64,
) -> Result<(String, Secret<String>), sqlx::Error> {
    let id = new_id("p");
    let password = new_password();
    let sealed = vault.seal(user_id, password.expose().as_bytes());
    sqlx::query(
        "INSERT INTO database_passwords (id, user_id, sealed, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (user_id) DO UPDATE SET id = excluded.id, sealed = excluded.sealed,
           created_at = excluded.created_at, expires_at = excluded.expires_at",
    )
    .bind(&id)
    .bind(user_id)
    .bind(&sealed)
    .bind(now_ms)
    .bind(expires_at)
    .execute(conn)
    .await?;
    Ok((id, password))
}

/// At sign-up: the first password, which every workspace has at once.
pub async fn create_initial(
    conn: &mut AnyConnection,
    vault: &Vault,
    user_id: &str,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let (id, _) = store(&mut *conn, vault, user_id, None, now_ms).await?;
    sqlx::query("UPDATE workspaces SET password_id = $1 WHERE user_id = $2")
        .bind(&id)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Opens a sealed password of `user_id`.
pub fn unseal(vault: &Vault, user_id: &str, sealed: &[u8]) -> Result<Secret<String>, PasswordError> {
    let plain = vault.open(user_id, sealed).map_err(|_| {
        tracing::error!("a database password does not open with this server's key");
        PasswordError::Unreadable
    })?;
    let password = String::from_utf8(plain.expose().clone()).map_err(|_| PasswordError::Unreadable)?;
    Ok(Secret::new(password))
}

async fn read(conn: &mut AnyConnection, vault: &Vault, user_id: &str) -> Result<Option<Current>, PasswordError> {
    let row: Option<(String, Vec<u8>, i64, Option<i64>)> =
        sqlx::query_as("SELECT id, sealed, created_at, expires_at FROM database_passwords WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(conn)
            .await?;
    let Some((id, sealed, created_at, expires_at)) = row else {
        return Ok(None);
    };
    Ok(Some(Current {
        id,
        user_id: user_id.to_owned(),
        password: unseal(vault, user_id, &sealed)?,
        created_at,
        expires_at,
    }))
}

/// The current password. An account from before passwords existed gets
/// one now, as if at sign-up.
pub async fn current(db: &Db, vault: &Vault, user_id: &str) -> Result<Current, PasswordError> {
    let mut conn = db.acquire().await?;
    if let Some(current) = read(&mut conn, vault, user_id).await? {
        return Ok(current);
    }
    drop(conn);
    let mut tx = begin_write(db).await?;
    lock_user(&mut tx, user_id).await?;
    if read(&mut tx, vault, user_id).await?.is_none() {
        create_initial(&mut tx, vault, user_id, now_millis()).await?;
    }
    // Made just above, in the same transaction.
    let current = read(&mut tx, vault, user_id).await?.ok_or(PasswordError::Unreadable)?;
    tx.commit().await?;
    Ok(current)
}

/// Rotates the password: a new sealed value, one pending job per
/// workspace (jobs for an older password are dropped: the newest wins),
/// an audit record, then the worker is woken and the owner told.
pub async fn rotate(
    state: &AppState,
    actor: &Actor,
    expires_in_minutes: Option<i64>,
) -> Result<Current, PasswordError> {
    let now = now_millis();
    let expires_at = expires_in_minutes.map(|m| now + m * 60_000);
    let delay = state.settings.propagation_delay.as_millis() as i64;
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let (id, password) = store(&mut tx, &state.vault, &actor.id, expires_at, now).await?;
    sqlx::query("DELETE FROM password_propagations WHERE user_id = $1 AND state = 'pending'")
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO password_propagations
           (workspace_id, password_id, user_id, state, not_before, created_at)
         SELECT id, $1, user_id, 'pending', $2, $3 FROM workspaces WHERE user_id = $4",
    )
    .bind(&id)
    .bind(now + delay)
    .bind(now)
    .bind(&actor.id)
    .execute(&mut *tx)
    .await?;
    let data = json!({ "password_id": id });
    audit_trail::record_own(&mut tx, actor, "user.password.rotate", data, now).await?;
    tx.commit().await?;
    state.jobs.notify_one();
    mail_password_rotated(state, actor).await;
    Ok(Current { id, user_id: actor.id.clone(), password, created_at: now, expires_at })
}

/// A workspace's connection as stored: which password it has (and whether
/// its verifier is written yet).
#[derive(sqlx::FromRow)]
struct ConnectionRow {
    handle: String,
    region: String,
    database_name: String,
    password_id: Option<String>,
    cluster: Option<String>,
    provisioned: i64,
    paused: i64,
}
/// What Credentials & Access shows: each workspace's connection string
/// without the password, and whether the workspace has the current one.
pub async fn overview(state: &AppState, user_id: &str, handle: &str) -> Result<PasswordOverview, PasswordError> {
    // Which password is current, and since when: no need to open it.
    let meta: Option<(String, i64)> =
        sqlx::query_as("SELECT id, created_at FROM database_passwords WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(&state.db)
            .await?;
    let (current_id, created_at) = match meta {
        Some(m) => m,
        None => {
            let c = current(&state.db, &state.vault, user_id).await?;
            (c.id, c.created_at)
        }
    };
    // A truth value is 0 or 1 here: SQLite has no boolean type.
    let rows: Vec<ConnectionRow> = sqlx::query_as(
        "SELECT handle, region, database_name, password_id, cluster,
                CASE WHEN provisioned_at IS NULL THEN 0 ELSE 1 END AS provisioned,
                CASE WHEN paused_at IS NULL THEN 0 ELSE 1 END AS paused
         FROM workspaces WHERE user_id = $1 ORDER BY created_at, handle",
    )
    .bind(user_id)
    .fetch_all(&state.db)
    .await?;
    let workspaces = rows
        .into_iter()
        .map(|row| {
            let ConnectionRow { handle: ws, region, database_name: database, password_id, .. } = row;
            // Reached at its cluster's address (Sluice's own PostgreSQL
            // answers each workspace's own name); a workspace waiting for
            // an engine, or on a cluster no longer configured, is not.
            let address = row.cluster.as_deref().and_then(|c| state.workspaces.address(c));
            let host = match &address {
                Some(a) if !a.per_workspace_names => a.host.clone(),
                _ => crate::workspaces::naming::dns_name(&state.settings, &ws, handle, &region),
            };
            WorkspaceConnection {
                reachable: row.provisioned == 1 && row.paused == 0 && address.is_some(),
                paused: row.paused == 1,
                host,
                port: address.as_ref().map_or(state.settings.db_port, |a| a.port),
                tls: address.as_ref().map_or(state.settings.db_tls.is_on(), |a| a.tls),
                hostaddr: address.as_ref().and_then(|a| a.hostaddr.clone()),
                placed: address.is_some(),
                user: handle.to_owned(),
                updated: password_id.as_deref() == Some(current_id.as_str()),
                database,
                handle: ws,
            }
        })
        .collect();
    Ok(PasswordOverview { created_at: crate::infra::time::rfc3339(created_at), workspaces })
}

async fn mail_password_rotated(state: &AppState, actor: &Actor) {
    let what = "Your database password was rotated. Connections that use the old password \
                keep working until they close; new connections need the new one.";
    system_mail::security(state, actor, "Your database password was rotated", what).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_long_random_and_url_safe() {
        let a = new_password();
        assert_eq!(a.expose().len(), PASSWORD_LEN);
        assert!(a.expose().bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a.expose(), new_password().expose());
    }
}
