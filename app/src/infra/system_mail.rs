//! System notifications: sent after the change has committed, through the
//! same mailer as sign-in links, and never carrying a secret. A failed
//! delivery is logged and does not undo the change. Each feature writes its
//! own message; this is how they reach the account's address.

use super::audit_trail::Actor;
use super::mail::Mail;
use super::time::{now_millis, rfc3339};
use super::AppState;

pub const FOOTER: &str = "This is a system notification about your account; it cannot be turned off.";

async fn address(state: &AppState, user_id: &str) -> Option<String> {
    match sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(user_id).fetch_optional(&state.db).await {
        Ok(e) => e,
        Err(error) => {
            tracing::error!(%error, "cannot look up the address for a system notification");
            None
        }
    }
}

pub async fn send(state: &AppState, to: String, subject: &str, body: String) {
    let mail = Mail { to, subject: subject.to_owned(), body };
    if state.mailer.send(&state.settings.mail_from, mail).await.is_err() {
        tracing::warn!(subject, "a system notification was not delivered");
    }
}

/// A notice to the account `user_id`'s own address (none if it is gone).
pub async fn to_account(state: &AppState, user_id: &str, subject: &str, body: String) {
    if let Some(to) = address(state, user_id).await {
        send(state, to, subject, body).await;
    }
}

/// A change to the account's security: what happened, and where to undo
/// access if it was not them.
pub async fn security(state: &AppState, actor: &Actor, subject: &str, what: &str) {
    let credentials = state.settings.absolute(&format!("/user/{}/advanced/credentials", actor.handle));
    let body = format!(
        "Hello {name},\n\n{what}\n\nWhen: {when}\nAccount: {handle}\n\n\
         If this was you, there is nothing to do. If it was not, open Credentials & Access\n\
         and choose Reset authentication:\n\n{credentials}\n\n{FOOTER}\n\nSluice\n",
        name = actor.display_name,
        when = rfc3339(now_millis()),
        handle = actor.handle,
    );
    to_account(state, &actor.id, subject, body).await;
}
