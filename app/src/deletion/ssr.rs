//! Deleting a developer account: one transaction removes the person and
//! everything that is theirs, then the address they had gets a System
//! e-mail. The handle is held for nobody (see `handle::ssr`).

use crate::handle::HOLD_DAYS;
use crate::infra::db::{begin_write, lock_user};
use crate::infra::system_mail;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// Removes the account `user_id`. Rows that point at the user go with it
/// (`ON DELETE CASCADE`: sessions, tokens, workspaces and their password
/// jobs, the database password, avatar, preferences, usage, CLI login
/// requests, the Audit Log); what refers to the person some other way is
/// removed here by name. Answers whether there was such an account.
pub async fn delete(state: &AppState, user_id: &str) -> Result<bool, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, user_id).await?;
    let Some((email, handle, name)): Option<(String, String, String)> =
        sqlx::query_as("SELECT email, handle, display_name FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?
    else {
        return Ok(false);
    };
    // Unused sign-in links carry the address, not the id.
    sqlx::query("DELETE FROM sign_in_links WHERE email = $1").bind(&email).execute(&mut *tx).await?;
    // The API's per-token counters are keyed by the token id.
    sqlx::query("DELETE FROM rate_limits WHERE key IN (SELECT 'api:' || id FROM tokens WHERE user_id = $1)")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    // Counters of failed workspace sign-ins that earlier releases kept by
    // user name.
    sqlx::query("DELETE FROM rate_limits WHERE key = 'pg-login:user:' || $1").bind(&handle).execute(&mut *tx).await?;
    let workspaces: Vec<String> =
        sqlx::query_scalar("SELECT id FROM workspaces WHERE user_id = $1").bind(user_id).fetch_all(&mut *tx).await?;
    let leftovers = crate::workspaces::placement::forget(&mut tx, user_id, &handle, &workspaces, now).await?;
    sqlx::query("DELETE FROM users WHERE id = $1").bind(user_id).execute(&mut *tx).await?;
    // Earlier handles of this person lost their owner with the row above;
    // the current one joins them, held for nobody.
    crate::handle::ssr::hold(&mut tx, &handle, None, now).await?;
    tx.commit().await?;
    leftovers.remove(state).await;
    crate::infra::db::checkpoint(&state.db).await;
    tracing::info!("a developer account was deleted");
    mail_account_deleted(state, email, &name, &handle).await;
    Ok(true)
}

/// Sent to the address the account had, after everything of it is gone.
async fn mail_account_deleted(state: &AppState, to: String, name: &str, handle: &str) {
    let body = format!(
        "Hello {name},\n\nYour Sluice developer account {handle} was deleted on {when}, with its\n\
         workspaces, tokens, database password, avatar, preferences, usage and Audit Log.\n\
         This cannot be undone. Nobody can take the handle {handle} for {HOLD_DAYS} days.\n\n\
         If you sign in with this address again, you will start a new account.\n\n{footer}\n\nSluice\n",
        when = rfc3339(now_millis()),
        footer = system_mail::FOOTER,
    );
    system_mail::send(state, to, "Your developer account was deleted", body).await;
}
