//! Sign-in links in storage: created with a 256-bit secret kept only as a
//! hash, good once, for 15 minutes; rate-limited per peer, per e-mail
//! address and peer, and per e-mail address (except from a browser that
//! signed in to that account before: see `known_browser`).

use http::header::HeaderValue;
use http::request::Parts;
use serde_json::json;
use shared::{DisplayName, Email, Handle};
use std::net::IpAddr;

use super::sign_up::{self as accounts, CreateUserError};
use super::{safe_next, LinkInfo};
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::begin_write;
use crate::infra::ids::{hash_secret, new_secret};
use crate::infra::mail::Mail;
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;

/// Links for one e-mail address asked from one peer.
const PER_ADDRESS_AND_PEER: Limit = Limit { max: 5, window_secs: 15 * 60 };
/// Links for one e-mail address from anywhere: what keeps a mailbox from
/// being flooded from many peers. A known browser of the account is not
/// held back by it.
const PER_ADDRESS: Limit = Limit { max: 20, window_secs: 60 * 60 };
const UNUSABLE: &str = "This sign-in link has expired or was already used. Request a new one.";

/// Creates a link and returns the secret that goes in it.
pub async fn create_link(state: &AppState, email: &Email, next: Option<&str>) -> Result<String, AppError> {
    let secret = new_secret();
    let now = now_millis();
    let ttl = state.settings.sign_in_link_ttl.as_millis() as i64;
    sqlx::query(
        "INSERT INTO sign_in_links (token_hash, email, next_path, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash_secret(&secret))
    .bind(email.as_str())
    .bind(safe_next(next))
    .bind(now)
    .bind(now + ttl)
    .execute(&state.db)
    .await?;
    // Old links are of no use to anyone: sweep them as new ones are made.
    sqlx::query("DELETE FROM sign_in_links WHERE expires_at < $1")
        .bind(now - 24 * 3600 * 1000)
        .execute(&state.db)
        .await?;
    Ok(secret)
}

pub fn link_url(state: &AppState, secret: &str) -> String {
    state.settings.absolute(&format!("/login/confirm?t={secret}"))
}

/// Mails a sign-in link to `email`, asked from `ip` by a browser that
/// signed in to the account `known` before (if any).
pub async fn request_link(
    state: &AppState,
    email: &Email,
    next: Option<&str>,
    ip: Option<IpAddr>,
    known: Option<&str>,
) -> Result<(), AppError> {
    let now = now_millis();
    let peer = ip.map(|ip| hash_secret(&ip.to_string())).unwrap_or_default();
    if ip.is_some() {
        let per_peer = Limit { max: state.settings.sign_in_per_peer, window_secs: 15 * 60 };
        rate_limit::hit(&state.db, &format!("sign-in:peer:{peer}"), per_peer, now).await?;
    }
    let address = hash_secret(email.as_str());
    rate_limit::hit(&state.db, &format!("sign-in:address:{address}:{peer}"), PER_ADDRESS_AND_PEER, now).await?;
    if !is_known_browser(state, email, known).await? {
        rate_limit::hit(&state.db, &format!("sign-in:address:{address}"), PER_ADDRESS, now).await?;
    }
    let secret = create_link(state, email, next).await?;
    let minutes = state.settings.sign_in_link_ttl.as_secs() / 60;
    let body = format!(
        "Hello,\n\nUse this link to sign in to Sluice:\n\n{}\n\nIt works once and expires in {minutes} minutes.\n\
         If you did not ask for it, you can ignore this e-mail: nobody can sign in without the link.\n\n\
         Sluice\n",
        link_url(state, &secret)
    );
    state
        .mailer
        .send(
            &state.settings.mail_from,
            Mail { to: email.to_string(), subject: "Your Sluice sign-in link".into(), body },
        )
        .await
}

/// Whether `known` (the account a browser signed in to before) is the
/// account of `email`.
async fn is_known_browser(state: &AppState, email: &Email, known: Option<&str>) -> Result<bool, AppError> {
    let Some(known) = known else { return Ok(false) };
    let mut conn = state.db.acquire().await?;
    Ok(accounts::find_by_email(&mut conn, email).await?.is_some_and(|user| user.id == known))
}

pub async fn inspect(state: &AppState, secret: &str) -> Result<LinkInfo, AppError> {
    let email: Option<String> = sqlx::query_scalar(
        "SELECT email FROM sign_in_links WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(hash_secret(secret))
    .bind(now_millis())
    .fetch_optional(&state.db)
    .await?;
    let Some(email) = email.and_then(|e| Email::parse(&e).ok()) else {
        return Ok(LinkInfo::Unusable);
    };
    let mut conn = state.db.acquire().await?;
    Ok(match accounts::find_by_email(&mut conn, &email).await? {
        Some(_) => LinkInfo::SignIn { email: email.to_string() },
        None => LinkInfo::SignUp { suggested_handle: suggest_handle(&email), email: email.to_string() },
    })
}

/// A handle to start from: the address's local part, cleaned to the rule.
fn suggest_handle(email: &Email) -> String {
    let local = email.as_str().split('@').next().unwrap_or_default();
    let mut out = String::new();
    for c in local.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(39).collect();
    let out = out.trim_end_matches('-').to_owned();
    if Handle::parse(&out).is_ok() {
        out
    } else {
        String::new()
    }
}

pub struct SignedIn {
    pub cookie: HeaderValue,
    pub user_id: String,
    pub next: String,
    /// The session's hash; none when a second factor is still to come
    /// (`cookie` is then the half-signed-in state's).
    pub session_hash: Option<String>,
}

/// Uses the link in one transaction: a sign-up that fails (a taken handle,
/// say) leaves the link unused so that the person can try again.
pub async fn confirm(
    state: &AppState,
    parts: &Parts,
    secret: &str,
    handle: Option<&str>,
    display_name: Option<&str>,
) -> Result<SignedIn, AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let link: Option<(String, Option<String>)> = sqlx::query_as(
        "UPDATE sign_in_links SET used_at = $1
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
         RETURNING email, next_path",
    )
    .bind(now)
    .bind(hash_secret(secret))
    .fetch_optional(&mut *tx)
    .await?;
    let Some((email, next)) = link else {
        return Err(AppError::invalid(UNUSABLE));
    };
    let email = Email::parse(&email).map_err(|_| AppError::invalid(UNUSABLE))?;

    let (user, created) = match accounts::find_by_email(&mut tx, &email).await? {
        Some(user) => (user, false),
        None => {
            let handle = Handle::parse(handle.unwrap_or_default()).map_err(AppError::invalid)?;
            let name = DisplayName::parse(display_name.unwrap_or_default()).map_err(AppError::invalid)?;
            let user = accounts::create(
                &mut tx,
                &email,
                &handle,
                &name,
                state.settings.tenant_for(email.as_str()),
                state,
                now,
            )
            .await
            .map_err(|e| match e {
                CreateUserError::Db(e) => AppError::from(e),
                other => AppError::invalid(other),
            })?;
            (user, true)
        }
    };
    let actor = Actor::person(&user.id, &user.handle, &user.display_name, parts);
    if created {
        let data = json!({ "handle": user.handle, "display_name": user.display_name });
        audit_trail::record_own(&mut tx, &actor, "user.create", data, now).await?;
    }
    // A new session id at every sign-in; the one presented (if any) ends.
    if let Some(old) = crate::access::session::ssr::presented_hash(&state.settings, parts) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(old).execute(&mut *tx).await?;
    }
    let next = safe_next(next.as_deref()).map(str::to_owned).unwrap_or_else(|| format!("/user/{}", user.handle));
    if !created && crate::identity::second_factor::ssr::required(&mut tx, &user.id).await? {
        // No session yet: the second step makes it.
        let cookie = super::second_step::ssr::begin(&mut tx, &state.settings, &user.id, &next, now).await?;
        let data = json!({ "method": "email_link", "second_factor": "asked" });
        audit_trail::record_own(&mut tx, &actor, "user.login.first_factor", data, now).await?;
        tx.commit().await?;
        return Ok(SignedIn { cookie, user_id: user.id, next: super::second_step::PATH.into(), session_hash: None });
    }
    let (cookie, session_hash) =
        crate::access::session::ssr::start(&mut tx, &state.settings, &user.id, parts, now).await?;
    audit_trail::record_own(&mut tx, &actor, "user.login", json!({ "method": "email_link" }), now).await?;
    tx.commit().await?;
    if created {
        // The first workspace gets its verifier now, not at the next poll.
        state.jobs.notify_one();
    }
    Ok(SignedIn { cookie, user_id: user.id, next, session_hash: Some(session_hash) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_valid_handle() {
        let s = |e: &str| suggest_handle(&Email::parse(e).unwrap());
        assert_eq!(s("Ada.Lovelace@example.com"), "ada-lovelace");
        assert_eq!(s("x@example.com"), "");
        assert_eq!(s("admin@example.com"), "");
        assert_eq!(s("__j.doe+1__@example.com"), "j-doe-1");
    }
}
