//! The half-signed-in state in storage: a row per e-mail sign-in that
//! still needs its second factor, found by the hash of its cookie.

use http::header::HeaderValue;
use http::request::Parts;
use serde_json::json;
use sqlx::AnyConnection;

use super::SecondStepInfo;
use crate::access::session::ssr::{named_cookie, presented_second_step, second_step_cookie_name};
use crate::error::AppError;
use crate::identity::second_factor::ssr as factor;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::begin_write;
use crate::infra::ids::{hash_secret, new_secret};
use crate::infra::time::now_millis;
use crate::infra::{AppState, Settings};

const LASTS_MS: i64 = 10 * 60 * 1000;
/// Codes one half-signed-in state may try (the account's own limit, in
/// `second_factor`, holds across them).
const TRIES: i64 = 5;
const EXPIRED: &str = "This sign-in has expired or had too many wrong codes. Request a new sign-in link.";

/// Begins the half-signed-in state; answers its cookie.
pub async fn begin(
    conn: &mut AnyConnection,
    settings: &Settings,
    user_id: &str,
    next: &str,
    now: i64,
) -> Result<HeaderValue, sqlx::Error> {
    let secret = new_secret();
    sqlx::query("DELETE FROM second_steps WHERE expires_at < $1").bind(now).execute(&mut *conn).await?;
    sqlx::query(
        "INSERT INTO second_steps (id_hash, user_id, next_path, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_secret(&secret))
    .bind(user_id)
    .bind(next)
    .bind(now)
    .bind(now + LASTS_MS)
    .execute(conn)
    .await?;
    Ok(named_cookie(settings, second_step_cookie_name(settings), &secret, (LASTS_MS / 1000) as u64))
}

#[derive(sqlx::FromRow)]
pub struct Pending {
    pub id_hash: String,
    pub user_id: String,
    next_path: Option<String>,
}

/// The request's half-signed-in state, while it lasts.
pub async fn pending(state: &AppState, parts: &Parts) -> Result<Option<Pending>, AppError> {
    let Some(hash) = presented_second_step(&state.settings, parts) else { return Ok(None) };
    Ok(sqlx::query_as(
        "SELECT id_hash, user_id, next_path FROM second_steps WHERE id_hash = $1 AND expires_at > $2 AND tries < $3",
    )
    .bind(hash)
    .bind(now_millis())
    .bind(TRIES)
    .fetch_optional(&state.db)
    .await?)
}

pub async fn info(state: &AppState, user_id: &str) -> Result<SecondStepInfo, AppError> {
    let (email, authenticators, passkeys): (String, i64, i64) = sqlx::query_as(
        "SELECT email,
                (SELECT COUNT(*) FROM authenticators WHERE user_id = $1 AND confirmed_at IS NOT NULL),
                (SELECT COUNT(*) FROM passkeys WHERE user_id = $1)
         FROM users WHERE id = $1",
    )
    .bind(user_id)
    .fetch_one(&state.db)
    .await?;
    Ok(SecondStepInfo {
        email,
        authenticator: authenticators > 0,
        passkeys: passkeys > 0 && state.relying_party.webauthn().is_ok(),
    })
}

pub struct Finished {
    pub cookie: HeaderValue,
    pub user_id: String,
    pub session_hash: String,
    pub next: String,
}

/// Takes the second factor `typed` for the request's half-signed-in state.
pub async fn finish(state: &AppState, parts: &Parts, typed: &str) -> Result<Finished, AppError> {
    let pending = pending(state, parts).await?.ok_or_else(|| AppError::invalid(EXPIRED))?;
    let now = now_millis();
    // Each try claims one of the five in one statement, so racing tries share them.
    let claimed =
        sqlx::query("UPDATE second_steps SET tries = tries + 1 WHERE id_hash = $1 AND tries < $2 AND expires_at > $3")
            .bind(&pending.id_hash)
            .bind(TRIES)
            .bind(now)
            .execute(&state.db)
            .await?;
    if claimed.rows_affected() != 1 {
        return Err(AppError::invalid(EXPIRED));
    }
    let (handle, display_name): (String, String) =
        sqlx::query_as("SELECT handle, display_name FROM users WHERE id = $1")
            .bind(&pending.user_id)
            .fetch_one(&state.db)
            .await?;
    let actor = Actor::person(&pending.user_id, &handle, &display_name, parts);
    let given = match factor::check(state, &actor, typed).await {
        Ok(given) => given,
        Err(e) => {
            let data = json!({ "reason": "wrong second factor" });
            audit_trail::write_own(&state.db, &actor, "user.login.refused", data).await;
            return Err(e);
        }
    };
    let mut tx = begin_write(&state.db).await?;
    let gone =
        sqlx::query("DELETE FROM second_steps WHERE id_hash = $1").bind(&pending.id_hash).execute(&mut *tx).await?;
    if gone.rows_affected() != 1 {
        return Err(AppError::invalid(EXPIRED));
    }
    if let Some(old) = crate::access::session::ssr::presented_hash(&state.settings, parts) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(old).execute(&mut *tx).await?;
    }
    let (cookie, session_hash) =
        crate::access::session::ssr::start(&mut tx, &state.settings, &pending.user_id, parts, now).await?;
    let data = json!({ "method": "email_link", "second_factor": given.as_str() });
    audit_trail::record_own(&mut tx, &actor, "user.login", data, now).await?;
    tx.commit().await?;
    let next = crate::access::safe_next(pending.next_path.as_deref())
        .map(str::to_owned)
        .unwrap_or_else(|| format!("/user/{handle}"));
    Ok(Finished { cookie, user_id: pending.user_id, session_hash, next })
}
