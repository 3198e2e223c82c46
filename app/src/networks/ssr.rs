//! Known networks and alerts in storage, "This wasn't me", and the
//! workspace sign-ins the engines see.

use serde_json::json;

use super::{Alert, KnownNetwork, Undo};
use crate::access::networks::{self, Credential, Use, KNOWN_FOR_MS};
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::begin_write;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::workspace_storage::WorkspaceSignIn;
use crate::infra::AppState;

pub async fn list(state: &AppState, user_id: &str) -> Result<Vec<KnownNetwork>, sqlx::Error> {
    let rows: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT network, first_used_at, last_used_at FROM known_networks
         WHERE user_id = $1 AND last_used_at > $2 ORDER BY last_used_at DESC LIMIT 200",
    )
    .bind(user_id)
    .bind(now_millis() - KNOWN_FOR_MS)
    .fetch_all(&state.db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(network, first, last)| KnownNetwork {
            network,
            first_used_at: rfc3339(first),
            last_used_at: rfc3339(last),
        })
        .collect())
}

/// Forgets `network` and its alerts, so that a credential used from it
/// alerts again.
pub async fn remove(state: &AppState, actor: &Actor, network: &str) -> Result<bool, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let gone = sqlx::query("DELETE FROM known_networks WHERE user_id = $1 AND network = $2")
        .bind(&actor.id)
        .bind(network)
        .execute(&mut *tx)
        .await?;
    if gone.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM network_alerts WHERE user_id = $1 AND network = $2 AND undone_at IS NULL")
        .bind(&actor.id)
        .bind(network)
        .execute(&mut *tx)
        .await?;
    audit_trail::record_own(&mut tx, actor, "security.network.remove", json!({ "network": network }), now).await?;
    tx.commit().await?;
    Ok(true)
}

#[derive(sqlx::FromRow)]
struct AlertRow {
    id: String,
    credential_kind: String,
    credential_id: String,
    credential_name: String,
    network: String,
    address: String,
    client: String,
    created_at: i64,
    undone_at: Option<i64>,
}

fn undo_of(kind: &str) -> Undo {
    match kind {
        "browser" => Undo::SignOut,
        "cli_login" | "token" => Undo::RevokeToken,
        _ => Undo::RotatePassword,
    }
}

async fn row(state: &AppState, user_id: &str, id: &str) -> Result<Option<AlertRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, credential_kind, credential_id, credential_name, network, address, client, created_at, undone_at
         FROM network_alerts WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(&state.db)
    .await
}

pub async fn alert(state: &AppState, user_id: &str, handle: &str, id: &str) -> Result<Option<Alert>, sqlx::Error> {
    Ok(row(state, user_id, id).await?.map(|r| Alert {
        undo: undo_of(&r.credential_kind),
        id: r.id,
        handle: handle.to_owned(),
        credential_name: r.credential_name,
        network: r.network,
        address: r.address,
        client: r.client,
        created_at: rfc3339(r.created_at),
        undone_at: r.undone_at.map(rfc3339),
    }))
}

/// Ends what alert `id` names: the session, the token, or the database
/// password (rotated). The network is forgotten too.
pub async fn undo(state: &AppState, actor: &Actor, id: &str) -> Result<(), AppError> {
    let r = row(state, &actor.id, id).await?.ok_or(AppError::NotFound)?;
    if r.undone_at.is_some() {
        return Ok(());
    }
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    crate::infra::db::lock_user(&mut tx, &actor.id).await?;
    let end = match r.credential_kind.as_str() {
        "browser" => Some("DELETE FROM sessions WHERE user_id = $1 AND id_hash = $2"),
        "cli_login" => Some("DELETE FROM tokens WHERE user_id = $1 AND id = $2 AND token_type = 'temporary'"),
        "token" => Some("UPDATE tokens SET status = 'inactive' WHERE user_id = $1 AND id = $2 AND status = 'active'"),
        _ => None,
    };
    let ended = match end {
        Some(sql) => {
            sqlx::query(sql).bind(&actor.id).bind(&r.credential_id).execute(&mut *tx).await?.rows_affected() > 0
        }
        None => true,
    };
    sqlx::query("UPDATE network_alerts SET undone_at = $1 WHERE id = $2")
        .bind(now)
        .bind(&r.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM known_networks WHERE user_id = $1 AND network = $2")
        .bind(&actor.id)
        .bind(&r.network)
        .execute(&mut *tx)
        .await?;
    let data = json!({ "alert_id": r.id, "credential": r.credential_kind, "network": r.network, "ended": ended });
    audit_trail::record_own(&mut tx, actor, "security.new_network.undo", data, now).await?;
    tx.commit().await?;
    if r.credential_kind == "database_password" {
        crate::database_password::ssr::rotate(state, actor, None).await?;
    }
    Ok(())
}

/// Workspace sign-ins seen on `cluster`: each is a use of its owner's
/// database password.
pub async fn workspace_sign_ins(state: &AppState, cluster: &str, seen: &[WorkspaceSignIn]) -> Result<(), AppError> {
    for s in seen {
        let owner: Option<(String, String)> = sqlx::query_as(
            "SELECT u.id, w.handle FROM workspaces w JOIN users u ON u.id = w.user_id
             WHERE w.cluster = $1 AND w.database_name = $2 AND u.handle = $3",
        )
        .bind(cluster)
        .bind(&s.database)
        .bind(&s.role)
        .fetch_optional(&state.db)
        .await?;
        let Some((user_id, workspace)) = owner else { continue };
        let client = if s.application.is_empty() { "a PostgreSQL client".to_owned() } else { s.application.clone() };
        let u = Use { user_id, credential: Credential::DatabasePassword { workspace }, address: s.address, client };
        networks::used(state, u).await?;
    }
    Ok(())
}
