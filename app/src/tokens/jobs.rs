//! Seven days before a token expires, its owner gets a System e-mail,
//! once per token. The token is marked in a transaction that claims it
//! (`SKIP LOCKED`, so of several processes one sends), and the mail goes
//! after that commits: a crash in between loses a reminder rather than
//! sending two.

use crate::infra::db::{begin_write, skip_locked};
use crate::infra::system_mail;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// How long before its expiry a token's owner is told.
pub const WARN_BEFORE_MS: i64 = 7 * shared::DAY_MS;
const BATCH: usize = 20;

#[derive(sqlx::FromRow)]
struct Expiring {
    id: String,
    title: String,
    last4: String,
    expires_at: i64,
    email: String,
    handle: String,
    display_name: String,
}

/// Sends what is due; answers how many were sent.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for _ in 0..BATCH {
        let Some(token) = claim_next(state).await? else { break };
        mail_expiring(state, &token).await;
        sent += 1;
    }
    Ok(sent)
}

/// Marks the next token that expires within [`WARN_BEFORE_MS`] and whose
/// owner was not told yet; answers it, with its owner.
async fn claim_next(state: &AppState) -> Result<Option<Expiring>, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let next: Option<Expiring> = sqlx::query_as(&format!(
        "SELECT t.id, t.title, t.last4, t.expires_at, u.email, u.handle, u.display_name
         FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_type = 'user' AND t.expiry_warned_at IS NULL AND t.status = 'active'
           AND t.expires_at > $1 AND t.expires_at <= $2 AND t.created_at >= u.token_min_issued_at
         ORDER BY t.expires_at LIMIT 1{}",
        skip_locked(&tx, "t")
    ))
    .bind(now)
    .bind(now + WARN_BEFORE_MS)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(token) = next else { return Ok(None) };
    sqlx::query("UPDATE tokens SET expiry_warned_at = $1 WHERE id = $2 AND expiry_warned_at IS NULL")
        .bind(now)
        .bind(&token.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(token))
}

async fn mail_expiring(state: &AppState, token: &Expiring) {
    let credentials = state.settings.absolute(&format!("/user/{}/advanced/credentials", token.handle));
    let body = format!(
        "Hello {name},\n\nYour API token “{title}” (ending in {last4}) expires on {when}.\n\
         Anything that uses it stops working then. To keep access, create a new token on\n\
         Credentials & Access and use it instead:\n\n{credentials}\n\n{footer}\n\nSluice\n",
        name = token.display_name,
        title = token.title,
        last4 = token.last4,
        when = rfc3339(token.expires_at),
        footer = system_mail::FOOTER,
    );
    system_mail::send(state, token.email.clone(), "Your API token expires in 7 days", body).await;
}
