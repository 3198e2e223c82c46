//! E-mail change links in storage: a 256-bit secret kept as a hash, good
//! once; `confirm` links (to the new address) for an hour, `undo` links
//! (to the old one) for 7 days.

use http::request::Parts;
use serde_json::json;
use shared::Email;

use super::EmailLink;
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user, Tx};
use crate::infra::ids::{hash_secret, new_secret};
use crate::infra::mail::Mail;
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;

const CONFIRM_MS: i64 = 60 * 60 * 1000;
pub const UNDO_DAYS: i64 = 7;
const REQUESTS: Limit = Limit { max: 5, window_secs: 60 * 60 };
const TAKEN: &str = "That address cannot be used for your account. Choose another.";
const UNUSABLE: &str = "This link has expired or was already used.";

async fn taken(conn: &mut sqlx::AnyConnection, email: &str, user_id: &str) -> Result<bool, sqlx::Error> {
    let other: Option<String> = sqlx::query_scalar("SELECT id FROM users WHERE email = $1 AND id <> $2")
        .bind(email)
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    Ok(other.is_some())
}

/// Which link a row is: the one to the new address that makes the change,
/// or the one to the old address that takes it back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LinkKind {
    Confirm,
    Undo,
}

impl LinkKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Undo => "undo",
        }
    }

    fn from_stored(word: &str) -> Option<Self> {
        match word {
            "confirm" => Some(Self::Confirm),
            "undo" => Some(Self::Undo),
            _ => None,
        }
    }
}

async fn link(
    tx: &mut Tx,
    kind: LinkKind,
    user_id: &str,
    old: &str,
    new: &str,
    lasts_ms: i64,
) -> Result<String, sqlx::Error> {
    let secret = new_secret();
    let now = now_millis();
    sqlx::query(
        "INSERT INTO email_changes (token_hash, kind, user_id, old_email, new_email, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash_secret(&secret))
    .bind(kind.as_str())
    .bind(user_id)
    .bind(old)
    .bind(new)
    .bind(now)
    .bind(now + lasts_ms)
    .execute(&mut **tx)
    .await?;
    Ok(secret)
}

pub async fn request(state: &AppState, actor: &Actor, email: &Email) -> Result<(), AppError> {
    let now = now_millis();
    rate_limit::hit(&state.db, &format!("email-change:{}", actor.id), REQUESTS, now).await?;
    let mut tx = begin_write(&state.db).await?;
    let current: String =
        sqlx::query_scalar("SELECT email FROM users WHERE id = $1").bind(&actor.id).fetch_one(&mut *tx).await?;
    if current == email.as_str() {
        return Err(AppError::invalid("That is already your sign-in e-mail."));
    }
    if taken(&mut tx, email.as_str(), &actor.id).await? {
        return Err(AppError::invalid(TAKEN));
    }
    // One pending change at a time: an earlier link stops working.
    sqlx::query("DELETE FROM email_changes WHERE user_id = $1 AND kind = 'confirm' AND used_at IS NULL")
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    let secret = link(&mut tx, LinkKind::Confirm, &actor.id, &current, email.as_str(), CONFIRM_MS).await?;
    audit_trail::record_own(&mut tx, actor, "user.email.request", json!({ "to": email.as_str() }), now).await?;
    tx.commit().await?;
    // Nobody has confirmed this address: the mail carries none of the
    // sender's own words (a display name can read like a warning).
    let body = format!(
        "Hello,\n\nSomeone, hopefully you, asked to make this address the sign-in e-mail of the\n\
         Sluice account {handle}. Open this link to confirm it:\n\n{url}\n\n\
         It works once and expires in 60 minutes. Until it is used, nothing changes.\n\
         If you did not ask for it, ignore this e-mail.\n\nSluice\n",
        handle = actor.handle,
        url = state.settings.absolute(&format!("/email/confirm?t={secret}")),
    );
    let mail = Mail { to: email.to_string(), subject: "Confirm your new Sluice sign-in e-mail".into(), body };
    state.mailer.send(&state.settings.mail_from, mail).await
}

/// What joining or leaving a tenant (by the address's domain) changes.
fn tenant_change(state: &AppState, old: &str, new: &str) -> Option<String> {
    match (state.settings.tenant_for(old), state.settings.tenant_for(new)) {
        (a, b) if a == b => None,
        (None, None) => None,
        (None, Some(t)) => Some(format!(
            "Your account joins the tenant {t}: {t} manages its billing, and the Billing page disappears from your account."
        )),
        (Some(t), None) => Some(format!(
            "Your account leaves the tenant {t}: Billing appears on your account, and you manage it yourself."
        )),
        (Some(a), Some(b)) => Some(format!("Your account moves from the tenant {a} to the tenant {b}, which manages its billing.")),
    }
}

type Row = (LinkKind, String, String, String, String, i64);

/// An unused, unexpired link. A confirm link made before the account's
/// last Reset authentication (or undo) is dead: the reset ends it.
async fn find(conn: &mut sqlx::AnyConnection, secret: &str) -> Result<Option<Row>, sqlx::Error> {
    let row: Option<(String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT e.kind, e.user_id, e.old_email, e.new_email, u.handle, e.created_at
         FROM email_changes e JOIN users u ON u.id = e.user_id
         WHERE e.token_hash = $1 AND e.used_at IS NULL AND e.expires_at > $2
           AND (e.kind <> 'confirm' OR e.created_at >= u.token_min_issued_at)",
    )
    .bind(hash_secret(secret))
    .bind(now_millis())
    .fetch_optional(conn)
    .await?;
    // A kind Sluice does not write is no link.
    Ok(row.and_then(|(kind, user, old, new, handle, made)| {
        Some((LinkKind::from_stored(&kind)?, user, old, new, handle, made))
    }))
}

pub async fn inspect(state: &AppState, secret: &str) -> Result<EmailLink, AppError> {
    let mut conn = state.db.acquire().await?;
    Ok(match find(&mut conn, secret).await? {
        Some((LinkKind::Confirm, _, old, new, handle, _)) => {
            EmailLink::Confirm { tenant_change: tenant_change(state, &old, &new), handle, old, new }
        }
        Some((_, _, old, new, handle, _)) => EmailLink::Undo { handle, old, new },
        None => EmailLink::Unusable,
    })
}

async fn tenant_id(tx: &mut Tx, state: &AppState, email: &str) -> Result<Option<String>, sqlx::Error> {
    let Some(tenant) = state.settings.tenant_for(email) else { return Ok(None) };
    crate::infra::tenants::tenant_id(tx, tenant, now_millis()).await.map(Some)
}

/// Uses a link in one transaction and answers where to go next.
pub async fn use_link(state: &AppState, parts: &Parts, secret: &str) -> Result<String, AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let Some((kind, user_id, old, new, handle, made_at)) = find(&mut tx, secret).await? else {
        return Err(AppError::invalid(UNUSABLE));
    };
    lock_user(&mut tx, &user_id).await?;
    // Used once: of requests racing with the same link, one claims it.
    let claimed = sqlx::query("UPDATE email_changes SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL")
        .bind(now)
        .bind(hash_secret(secret))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if claimed != 1 {
        return Err(AppError::invalid(UNUSABLE));
    }
    let (from, to) = if kind == LinkKind::Confirm { (&old, &new) } else { (&new, &old) };
    if taken(&mut tx, to, &user_id).await? {
        return Err(AppError::invalid(TAKEN));
    }
    let tenant = tenant_id(&mut tx, state, to).await?;
    sqlx::query(
        "UPDATE users SET email = $1, tenant_id = $2, updated_at = $3, version_id = version_id + 1 WHERE id = $4",
    )
    .bind(to)
    .bind(tenant)
    .bind(now)
    .bind(&user_id)
    .execute(&mut *tx)
    .await?;
    // Unused sign-in links to the address the account no longer has.
    sqlx::query("DELETE FROM sign_in_links WHERE email = $1").bind(from).execute(&mut *tx).await?;
    let display_name: String =
        sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1").bind(&user_id).fetch_one(&mut *tx).await?;
    let actor = Actor::person(&user_id, &handle, &display_name, parts);
    let data = json!({ "from": from, "to": to });
    if kind == LinkKind::Confirm {
        audit_trail::record_own(&mut tx, &actor, "user.email.update", data, now).await?;
        let undo = link(&mut tx, LinkKind::Undo, &user_id, &old, &new, UNDO_DAYS * 24 * 3600 * 1000).await?;
        tx.commit().await?;
        let body = format!(
            "Hello {display_name},\n\nThe sign-in e-mail of your Sluice account {handle} was changed from\n\
             {old} to {new}. Sign-in links now go to the new address.\n\n\
             If this was not you, open this link within {UNDO_DAYS} days to undo the change; it also\n\
             signs out every session of the account and stops every API token and temporary token\n\
             issued before it:\n\n{url}\n\nSluice\n",
            url = state.settings.absolute(&format!("/email/undo?t={undo}")),
        );
        let mail = Mail { to: old.clone(), subject: "Your Sluice sign-in e-mail was changed".into(), body };
        if state.mailer.send(&state.settings.mail_from, mail).await.is_err() {
            tracing::warn!("the notice of an e-mail change was not delivered");
        }
        Ok(format!("/user/{handle}/advanced/profile?email=changed"))
    } else {
        // Whoever changed it may still be signed in, or hold a token made
        // while the address was theirs: nobody is, and no token issued up
        // to now works (as Reset Authentication does).
        // A passkey added since the change is theirs too. Pending confirm
        // links go with the reset.
        crate::access::revocation::revoke_before(&mut tx, &user_id, now + 1, made_at).await?;
        // The oldest undo wins: an undo of a later change (which whoever
        // made it holds) can neither cancel this one nor follow it.
        sqlx::query(
            "DELETE FROM email_changes WHERE user_id = $1 AND kind = 'undo' AND used_at IS NULL AND created_at >= $2",
        )
        .bind(&user_id)
        .bind(made_at)
        .execute(&mut *tx)
        .await?;
        audit_trail::record_own(&mut tx, &actor, "user.email.restore", data, now).await?;
        tx.commit().await?;
        Ok("/login?email=restored".into())
    }
}
