//! The audit trail: one row per change, sign-in or refusal, written in the
//! same transaction as the change it records. Never holds a secret.

use serde_json::Value;
use sqlx::AnyConnection;

use super::ids::new_id;

/// Who acted.
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub avatar_url: String,
    pub ip: String,
}

impl Actor {
    /// A person acting through this request, with their current avatar.
    pub fn person(id: &str, handle: &str, display_name: &str, parts: &http::request::Parts) -> Self {
        Self {
            id: id.to_owned(),
            handle: handle.to_owned(),
            display_name: display_name.to_owned(),
            avatar_url: shared::avatar::default_avatar_path(id),
            ip: super::request::client_ip_text(parts),
        }
    }

    /// Someone who could not be identified (a refused token), by address.
    pub fn unknown(parts: &http::request::Parts) -> Self {
        Self {
            id: String::new(),
            handle: String::new(),
            display_name: "Unknown caller".to_owned(),
            avatar_url: "/favicon.svg".to_owned(),
            ip: super::request::client_ip_text(parts),
        }
    }
}

/// One record: `action_type` such as `user.login`, the account it concerns,
/// and the changed fields (never a secret).
#[derive(Debug, Clone)]
pub struct Entry<'a> {
    pub action_type: &'a str,
    pub identity_id: &'a str,
    pub identity_handle: &'a str,
    pub target_id: Option<&'a str>,
    pub target_handle: Option<&'a str>,
    pub data: Value,
}

impl<'a> Entry<'a> {
    /// A change a person made to their own account.
    pub fn on_own_account(action_type: &'a str, user_id: &'a str, handle: &'a str, data: Value) -> Self {
        Self {
            action_type,
            identity_id: user_id,
            identity_handle: handle,
            target_id: Some(user_id),
            target_handle: Some(handle),
            data,
        }
    }
}

/// Records a change `actor` made to their own account.
pub async fn record_own(
    conn: &mut AnyConnection,
    actor: &Actor,
    action_type: &str,
    data: Value,
    now_ms: i64,
) -> Result<(), sqlx::Error> {
    let entry = Entry::on_own_account(action_type, &actor.id, &actor.handle, data);
    record(conn, actor, entry, now_ms).await
}

pub async fn record(conn: &mut AnyConnection, actor: &Actor, entry: Entry<'_>, now_ms: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (id, identity_id, identity_handle, action_type, actor_id,
           actor_handle, actor_display_name, actor_avatar_url, actor_ip, target_id,
           target_handle, data, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(new_id("a"))
    .bind(entry.identity_id)
    .bind(entry.identity_handle)
    .bind(entry.action_type)
    .bind(&actor.id)
    .bind(&actor.handle)
    .bind(&actor.display_name)
    .bind(&actor.avatar_url)
    .bind(&actor.ip)
    .bind(entry.target_id)
    .bind(entry.target_handle)
    .bind(entry.data.to_string())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records something that changed nothing (a use, a refusal) on its own.
/// The request's answer does not wait on it failing: a failure is logged.
pub async fn write_own(db: &super::db::Db, actor: &Actor, action_type: &str, data: Value) {
    let entry = Entry::on_own_account(action_type, &actor.id, &actor.handle, data);
    write(db, actor, entry).await
}

/// Records a refusal on the account it concerns, at most once a minute for
/// the same action and target, so that a stream of bad requests cannot
/// flood a person's log.
pub async fn write_refusal(db: &super::db::Db, actor: &Actor, entry: Entry<'_>) {
    let now = super::time::now_millis();
    let recent: Result<Option<i64>, _> = sqlx::query_scalar(
        "SELECT 1 FROM audit_log WHERE identity_id = $1 AND action_type = $2
           AND target_id IS NOT DISTINCT FROM $3 AND created_at > $4 LIMIT 1",
    )
    .bind(entry.identity_id)
    .bind(entry.action_type)
    .bind(entry.target_id)
    .bind(now - 60_000)
    .fetch_optional(db)
    .await;
    match recent {
        Ok(None) => write(db, actor, entry).await,
        Ok(Some(_)) => {}
        Err(e) => tracing::warn!(action = %entry.action_type, error = %e, "refusal not recorded"),
    }
}

async fn write(db: &super::db::Db, actor: &Actor, entry: Entry<'_>) {
    let action = entry.action_type.to_owned();
    let result = async {
        let mut conn = db.acquire().await?;
        record(&mut conn, actor, entry, super::time::now_millis()).await
    }
    .await;
    if let Err(e) = result {
        tracing::warn!(action = %action, error = %e, "audit record not written");
    }
}
