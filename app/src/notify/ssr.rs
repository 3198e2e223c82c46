//! System notifications: sent after the change has committed, through the
//! same mailer as sign-in links, and never carrying a secret. A failed
//! delivery is logged and does not undo the change.

use crate::handle::{DnsChange, HOLD_DAYS};
use crate::ssr::audit::Actor;
use crate::ssr::mail::Mail;
use crate::ssr::time::{now_millis, rfc3339};
use crate::ssr::AppState;

const FOOTER: &str = "This is a system notification about your account; it cannot be turned off.";

async fn address(state: &AppState, user_id: &str) -> Option<String> {
    match sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db)
        .await
    {
        Ok(e) => e,
        Err(error) => {
            tracing::error!(%error, "cannot look up the address for a system notification");
            None
        }
    }
}

async fn send(state: &AppState, to: String, subject: &str, body: String) {
    let mail = Mail {
        to,
        subject: subject.to_owned(),
        body,
    };
    if state.mailer.send(&state.settings.mail_from, mail).await.is_err() {
        tracing::warn!(subject, "a system notification was not delivered");
    }
}

/// A change to the account's security: what happened, and where to undo
/// access if it was not them.
async fn security(state: &AppState, actor: &Actor, subject: &str, what: &str) {
    let Some(to) = address(state, &actor.id).await else { return };
    let credentials = state
        .settings
        .absolute(&format!("/user/{}/advanced/credentials", actor.handle));
    let body = format!(
        "Hello {name},\n\n{what}\n\nWhen: {when}\nAccount: {handle}\n\n\
         If this was you, there is nothing to do. If it was not, open Credentials & Access\n\
         and choose Reset authentication:\n\n{credentials}\n\n{FOOTER}\n\nSluice\n",
        name = actor.display_name,
        when = rfc3339(now_millis()),
        handle = actor.handle,
    );
    send(state, to, subject, body).await;
}

pub async fn token_created(state: &AppState, actor: &Actor, last4: &str) {
    let what = format!("A new API token ending in {last4} was created for your Sluice account.");
    security(state, actor, "A new API token was created", &what).await;
}

pub async fn password_rotated(state: &AppState, actor: &Actor) {
    let what = "Your database password was rotated. Connections that use the old password \
                keep working until they close; new connections need the new one.";
    security(state, actor, "Your database password was rotated", what).await;
}

pub async fn auth_reset(state: &AppState, actor: &Actor) {
    let what = "Authentication was reset for your Sluice account: every session, every \
                temporary token and every API token issued before now stopped working.";
    security(state, actor, "Authentication was reset for your account", what).await;
}

/// `actor` carries the new handle.
pub async fn handle_changed(state: &AppState, actor: &Actor, old: &str, changes: &[DnsChange]) {
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
    security(state, actor, "Your handle was changed", &what).await;
}

/// Sent to the address the account had, after everything of it is gone.
pub async fn account_deleted(state: &AppState, to: String, name: &str, handle: &str) {
    let body = format!(
        "Hello {name},\n\nYour Sluice developer account {handle} was deleted on {when}, with its\n\
         workspaces, tokens, database password, avatar, preferences, usage and Audit Log.\n\
         This cannot be undone. Nobody can take the handle {handle} for {HOLD_DAYS} days.\n\n\
         If you sign in with this address again, you will start a new account.\n\n{FOOTER}\n\nSluice\n",
        when = rfc3339(now_millis()),
    );
    send(state, to, "Your developer account was deleted", body).await;
}
