//! Codes that confirm it is you: six digits mailed to the account's
//! address, for the session that asked, good for 10 minutes and five
//! tries; kept only as a hash. A few an hour per account.

use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::access::session::Viewer;
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::begin_write;
use crate::infra::ids::hash_secret;
use crate::infra::mail::Mail;
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;

const CODE_LASTS_MS: i64 = 10 * 60 * 1000;
const TRIES: i64 = 5;
const SENDS: Limit = Limit { max: 6, window_secs: 60 * 60 };

fn code_hash(session: &str, code: &str) -> String {
    hash_secret(&format!("{session}:{code}"))
}

pub async fn send_code(state: &AppState, viewer: &Viewer, session: &str) -> Result<(), AppError> {
    let now = now_millis();
    rate_limit::hit(&state.db, &format!("confirm-code:{}", viewer.id), SENDS, now).await?;
    let code = format!("{:06}", OsRng.gen_range(0..1_000_000u32));
    let mut tx = begin_write(&state.db).await?;
    sqlx::query("DELETE FROM confirm_codes WHERE session_hash = $1").bind(session).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO confirm_codes (session_hash, code_hash, expires_at, attempts) VALUES ($1, $2, $3, 0)")
        .bind(session)
        .bind(code_hash(session, &code))
        .bind(now + CODE_LASTS_MS)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    let body = format!(
        "Hello {name},\n\nYour code to confirm it is you on Sluice:\n\n    {code}\n\n\
         It works once, in the browser that asked for it, for 10 minutes.\n\
         If you did not ask for it, someone may be signed in to your account: open\n\
         Credentials & Access and choose Reset authentication.\n\nSluice\n",
        name = viewer.display_name,
    );
    let mail = Mail { to: viewer.email.clone(), subject: format!("Your Sluice confirmation code: {code}"), body };
    state.mailer.send(&state.settings.mail_from, mail).await
}

pub async fn check_code(state: &AppState, actor: &Actor, session: &str, code: &str) -> Result<(), AppError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid("Enter the 6-digit code from the e-mail."));
    }
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    // Each guess claims one of the tries in one conditional statement, so
    // guesses that race (on PostgreSQL, where reads do not wait for each
    // other) still get five between them.
    let claimed: Option<(String, i64)> = sqlx::query_as(
        "UPDATE confirm_codes SET attempts = attempts + 1
         WHERE session_hash = $1 AND expires_at > $2 AND attempts < $3
         RETURNING code_hash, attempts",
    )
    .bind(session)
    .bind(now)
    .bind(TRIES)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((stored, tries_used)) = claimed else {
        return Err(AppError::invalid("That code has expired or was already used. Send a new one."));
    };
    let right = bool::from(stored.as_bytes().ct_eq(code_hash(session, &code).as_bytes()));
    if !right {
        if tries_used >= TRIES {
            sqlx::query("DELETE FROM confirm_codes WHERE session_hash = $1").bind(session).execute(&mut *tx).await?;
            tx.commit().await?;
            return Err(AppError::invalid("Too many wrong codes. Send a new one."));
        }
        tx.commit().await?;
        return Err(AppError::invalid("That code is not right. Check the e-mail and try again."));
    }
    sqlx::query("DELETE FROM confirm_codes WHERE session_hash = $1").bind(session).execute(&mut *tx).await?;
    let proved_at = state.settings.clock.now_millis().await;
    crate::access::proof::mark_proved(&mut tx, session, proved_at).await?;
    audit_trail::record_own(&mut tx, actor, "identity.confirm", json!({ "method": "email_code" }), now).await?;
    tx.commit().await?;
    Ok(())
}
