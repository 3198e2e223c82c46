//! System notifications: sent after the change has committed, through the
//! same mailer as sign-in links, and never carrying a secret. A failed
//! delivery is logged and does not undo the change.

use crate::ssr::audit::Actor;
use crate::ssr::mail::Mail;
use crate::ssr::time::{now_millis, rfc3339};
use crate::ssr::AppState;

async fn system(state: &AppState, actor: &Actor, subject: &str, what: &str) {
    let email: Option<String> = match sqlx::query_scalar("SELECT email FROM users WHERE id = $1")
        .bind(&actor.id)
        .fetch_optional(&state.db)
        .await
    {
        Ok(e) => e,
        Err(error) => {
            tracing::error!(%error, "cannot look up the address for a system notification");
            return;
        }
    };
    let Some(to) = email else { return };
    let credentials = state
        .settings
        .absolute(&format!("/user/{}/advanced/credentials", actor.handle));
    let body = format!(
        "Hello {name},\n\n{what}\n\nWhen: {when}\nAccount: {handle}\n\n\
         If this was you, there is nothing to do. If it was not, open Credentials & Access\n\
         and choose Reset authentication:\n\n{credentials}\n\n\
         This is a system notification about your account's security; it cannot be turned off.\n\n\
         Sluice\n",
        name = actor.display_name,
        when = rfc3339(now_millis()),
        handle = actor.handle,
    );
    let mail = Mail {
        to,
        subject: subject.to_owned(),
        body,
    };
    if state.mailer.send(&state.settings.mail_from, mail).await.is_err() {
        tracing::warn!(subject, "a system notification was not delivered");
    }
}

pub async fn token_created(state: &AppState, actor: &Actor, last4: &str) {
    let what = format!("A new API token ending in {last4} was created for your Sluice account.");
    system(state, actor, "A new API token was created", &what).await;
}

pub async fn password_rotated(state: &AppState, actor: &Actor) {
    let what = "Your database password was rotated. Connections that use the old password \
                keep working until they close; new connections need the new one.";
    system(state, actor, "Your database password was rotated", what).await;
}

pub async fn auth_reset(state: &AppState, actor: &Actor) {
    let what = "Authentication was reset for your Sluice account: every session, every \
                temporary token and every API token issued before now stopped working.";
    system(state, actor, "Authentication was reset for your account", what).await;
}
