//! API tokens in storage. A token is `spt_{id}_{secret}` with a 256-bit
//! secret from the OS; only the SHA-256 of the whole token is stored, and
//! the cap of two per person is checked inside the write transaction.

use http::request::Parts;
use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;

use super::{TokenSummary, MAX_TOKENS};
use crate::error::AppError;
use crate::session::Viewer;
use crate::ssr::audit::{self, Actor};
use crate::ssr::db::{begin_write, Db, Tx};
use crate::ssr::ids::{hash_secret, new_id};
use crate::ssr::secret::Secret;
use crate::ssr::time::{now_millis, rfc3339};
use crate::ssr::AppState;

const BASE32HEX: &[u8; 32] = b"0123456789abcdefghijklmnopqrstuv";
/// 52 base32 characters carry 260 random bits.
const SECRET_CHARS: usize = 52;

/// The whole token, shown to its owner once.
fn new_token(id: &str) -> Secret<String> {
    let mut rng = OsRng;
    let secret: String = (0..SECRET_CHARS)
        .map(|_| BASE32HEX[rng.gen_range(0..32)] as char)
        .collect();
    let body = id.strip_prefix("k_").unwrap_or(id);
    Secret::new(format!("spt_{body}_{secret}"))
}

fn summary(row: (String, String, String, String, i64, Option<i64>)) -> TokenSummary {
    let (id, title, last4, status, created_at, last_used_at) = row;
    TokenSummary {
        masked: format!("spt_…{last4}"),
        id,
        title,
        status,
        created_at: rfc3339(created_at),
        last_used_at: last_used_at.map(rfc3339),
    }
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<TokenSummary>, sqlx::Error> {
    let rows: Vec<(String, String, String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, title, last4, status, created_at, last_used_at FROM tokens
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(summary).collect())
}

/// Creates a token unless the person has two already.
pub async fn create(
    state: &AppState,
    parts: &Parts,
    viewer: &Viewer,
    title: &str,
) -> Result<(TokenSummary, Secret<String>), AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tokens WHERE user_id = $1")
        .bind(&viewer.id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_TOKENS {
        return Err(AppError::invalid(super::CAP_MESSAGE));
    }
    let id = new_id("k");
    let token = new_token(&id);
    let last4: String = token.expose()[token.expose().len() - 4..].to_owned();
    sqlx::query(
        "INSERT INTO tokens (id, user_id, title, secret_hash, last4, status, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)",
    )
    .bind(&id)
    .bind(&viewer.id)
    .bind(title)
    .bind(hash_secret(token.expose()))
    .bind(&last4)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let actor = Actor::person(&viewer.id, &viewer.handle, &viewer.display_name, parts);
    let data = json!({ "token_id": id, "title": title, "last4": last4 });
    audit::record_own(&mut tx, &actor, "token.create", data, now).await?;
    tx.commit().await?;
    let created = summary((id, title.to_owned(), last4, "active".into(), now, None));
    Ok((created, token))
}

/// Sets a token `active` or `inactive`; only its owner can.
pub async fn set_status(
    state: &AppState,
    parts: &Parts,
    viewer: &Viewer,
    id: &str,
    active: bool,
) -> Result<(), AppError> {
    let now = now_millis();
    let status = if active { "active" } else { "inactive" };
    let mut tx = begin_write(&state.db).await?;
    let changed = sqlx::query(
        "UPDATE tokens SET status = $1, updated_at = $2, version_id = version_id + 1
         WHERE id = $3 AND user_id = $4",
    )
    .bind(status)
    .bind(now)
    .bind(id)
    .bind(&viewer.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    finish(
        tx,
        changed,
        parts,
        viewer,
        "token.update",
        json!({ "token_id": id, "status": status }),
        now,
    )
    .await
}

/// Ends an update or delete of one token: none changed means it is not
/// this person's (or does not exist); otherwise audit and commit.
async fn finish(
    mut tx: Tx,
    changed: u64,
    parts: &Parts,
    viewer: &Viewer,
    action_type: &str,
    data: serde_json::Value,
    now: i64,
) -> Result<(), AppError> {
    if changed == 0 {
        return Err(AppError::NotFound);
    }
    let actor = Actor::person(&viewer.id, &viewer.handle, &viewer.display_name, parts);
    audit::record_own(&mut tx, &actor, action_type, data, now).await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes a token; only its owner can.
pub async fn delete(
    state: &AppState,
    parts: &Parts,
    viewer: &Viewer,
    id: &str,
) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let changed = sqlx::query("DELETE FROM tokens WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(&viewer.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    finish(
        tx,
        changed,
        parts,
        viewer,
        "token.delete",
        json!({ "token_id": id }),
        now,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_the_documented_shape() {
        let id = new_id("k");
        let token = new_token(&id);
        let t = token.expose();
        assert!(t.starts_with(&format!("spt_{}_", &id[2..])), "{t}");
        assert_eq!(t.len(), 4 + 20 + 1 + SECRET_CHARS);
        assert_ne!(new_token(&id).expose(), t);
        assert_eq!(format!("{token:?}"), "[redacted]");
    }
}
