//! Passkeys in storage and their WebAuthn ceremonies (`webauthn-rs`).
//! A ceremony's state is a row keyed by the hash of an id the browser
//! holds: taken (deleted) by the one answer that may finish it, refused
//! once five minutes have passed, and, for adding a passkey or confirming
//! it is you, refused from any session but the one that began it. Each use
//! of a passkey stores its new signature counter; the library refuses a
//! counter that went back (a cloned authenticator), and a credential id is
//! registered once in all of Sluice.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::request::Parts;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use webauthn_rs::prelude::{
    AuthenticationResult, DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential, Uuid,
};
use webauthn_rs::Webauthn;

use super::{Ceremony, PasskeyName, PasskeySummary, MAX_PASSKEYS};
use crate::access::session::Viewer;
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, for_update, lock_user, Db};
use crate::infra::ids::{hash_secret, new_id, new_secret};
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// How long a ceremony may take, from its options to the browser's answer.
const CEREMONY_MS: i64 = 5 * 60 * 1000;
/// The most a browser's answer may weigh (they are a few hundred bytes).
const ANSWER_MAX: usize = 16 * 1024;
/// Sign-ins with a passkey one address may begin in 15 minutes.
const SIGN_IN_PER_PEER: Limit = Limit { max: 60, window_secs: 15 * 60 };
const REFUSED: &str = "That passkey was not accepted. Try again, or sign in with an e-mail link.";
const EXPIRED: &str = "This passkey request has expired or was already used. Try again.";

#[derive(Clone, Copy)]
enum Purpose {
    Register,
    SignIn,
    Confirm,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
            Self::Confirm => "confirm",
        }
    }
}

/// The refusal of a passkey past [`MAX_PASSKEYS`].
fn at_cap() -> AppError {
    AppError::invalid(format!("You can have up to {MAX_PASSKEYS} passkeys. Remove one to add another."))
}

fn webauthn(state: &AppState) -> Result<&Webauthn, AppError> {
    state.relying_party.webauthn().map_err(AppError::invalid)
}

/// The hash of the request's session; a ceremony for the signed-in belongs to it.
pub fn session_of(state: &AppState, parts: &Parts) -> Result<String, AppError> {
    crate::access::session::ssr::presented_hash(&state.settings, parts).ok_or(AppError::Unauthorized)
}

/// The id an authenticator keeps for the person: derived from the account
/// id, never the e-mail address (which can change).
fn user_handle(user_id: &str) -> Uuid {
    let digest = Sha256::digest(format!("sluice passkey user {user_id}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    Uuid::from_bytes(bytes)
}

fn credential_key(id: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(id)
}

async fn begin<T: Serialize>(
    state: &AppState,
    purpose: Purpose,
    user_id: Option<&str>,
    session: Option<&str>,
    ceremony: &T,
    options: String,
) -> Result<Ceremony, AppError> {
    let id = new_secret();
    let now = now_millis();
    let saved = serde_json::to_string(ceremony).map_err(|e| {
        tracing::error!(%e, "a passkey ceremony could not be saved");
        AppError::Internal
    })?;
    sqlx::query("DELETE FROM passkey_challenges WHERE expires_at < $1").bind(now).execute(&state.db).await?;
    sqlx::query(
        "INSERT INTO passkey_challenges (id_hash, purpose, user_id, session_hash, state, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash_secret(&id))
    .bind(purpose.as_str())
    .bind(user_id)
    .bind(session)
    .bind(saved)
    .bind(now + CEREMONY_MS)
    .execute(&state.db)
    .await?;
    Ok(Ceremony { id, options })
}

/// Takes the ceremony `id` for `purpose`: it can finish once, in time, and
/// (when it has one) from the session that began it.
async fn take<T: DeserializeOwned>(
    state: &AppState,
    purpose: Purpose,
    id: &str,
    session: Option<&str>,
) -> Result<(T, Option<String>), AppError> {
    let row: Option<(String, Option<String>, Option<String>, i64)> = sqlx::query_as(
        "DELETE FROM passkey_challenges WHERE id_hash = $1 AND purpose = $2
         RETURNING state, user_id, session_hash, expires_at",
    )
    .bind(hash_secret(id))
    .bind(purpose.as_str())
    .fetch_optional(&state.db)
    .await?;
    let Some((saved, user_id, began_in, expires_at)) = row else {
        return Err(AppError::invalid(EXPIRED));
    };
    if expires_at < now_millis() || began_in.as_deref() != session {
        return Err(AppError::invalid(EXPIRED));
    }
    let ceremony = serde_json::from_str(&saved).map_err(|e| {
        tracing::error!(%e, "a passkey ceremony could not be read");
        AppError::Internal
    })?;
    Ok((ceremony, user_id))
}

/// The browser's answer, read as WebAuthn's JSON.
fn answer<T: DeserializeOwned>(raw: &str) -> Result<T, AppError> {
    if raw.len() > ANSWER_MAX {
        return Err(AppError::invalid(REFUSED));
    }
    serde_json::from_str(raw).map_err(|_| AppError::invalid(REFUSED))
}

fn options<T: Serialize>(options: &T) -> Result<String, AppError> {
    serde_json::to_string(options).map_err(|_| AppError::Internal)
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<PasskeySummary>, sqlx::Error> {
    let rows: Vec<(String, String, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, name, created_at, last_used_at)| PasskeySummary {
            id,
            name,
            created_at: rfc3339(created_at),
            last_used_at: last_used_at.map(rfc3339),
        })
        .collect())
}

/// The options for the browser's "create a passkey" dialog.
pub async fn start_registration(state: &AppState, viewer: &Viewer, session: &str) -> Result<Ceremony, AppError> {
    let webauthn = webauthn(state)?;
    let known: Vec<String> = sqlx::query_scalar("SELECT credential_id FROM passkeys WHERE user_id = $1")
        .bind(&viewer.id)
        .fetch_all(&state.db)
        .await?;
    if known.len() as i64 >= MAX_PASSKEYS {
        return Err(at_cap());
    }
    let exclude = known.iter().filter_map(|k| URL_SAFE_NO_PAD.decode(k).ok()).collect();
    let (creation, registration) = webauthn
        .start_passkey_registration(user_handle(&viewer.id), &viewer.email, &viewer.display_name, Some(exclude))
        .map_err(|e| {
            tracing::error!(%e, "a passkey registration could not begin");
            AppError::Internal
        })?;
    // The authenticator keeps the passkey (a discoverable credential), so
    // that it signs in without an e-mail address being typed.
    let mut options = serde_json::to_value(&creation.public_key).map_err(|_| AppError::Internal)?;
    options["authenticatorSelection"]["residentKey"] = json!("required");
    options["authenticatorSelection"]["requireResidentKey"] = json!(true);
    let options = options.to_string();
    begin(state, Purpose::Register, Some(&viewer.id), Some(session), &registration, options).await
}

pub async fn finish_registration(
    state: &AppState,
    actor: &Actor,
    session: &str,
    id: &str,
    credential: &str,
    name: &PasskeyName,
) -> Result<(), AppError> {
    let webauthn = webauthn(state)?;
    let (registration, user_id): (PasskeyRegistration, _) = take(state, Purpose::Register, id, Some(session)).await?;
    if user_id.as_deref() != Some(actor.id.as_str()) {
        return Err(AppError::invalid(EXPIRED));
    }
    let credential: RegisterPublicKeyCredential = answer(credential)?;
    let passkey = webauthn.finish_passkey_registration(&credential, &registration).map_err(|e| {
        tracing::info!(%e, "a passkey was not added");
        AppError::invalid("The passkey could not be added. Try again.")
    })?;
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM passkeys WHERE user_id = $1")
        .bind(&actor.id)
        .fetch_one(&mut *tx)
        .await?;
    if count >= MAX_PASSKEYS {
        return Err(at_cap());
    }
    let saved = serde_json::to_string(&passkey).map_err(|_| AppError::Internal)?;
    let inserted = sqlx::query(
        "INSERT INTO passkeys (id, user_id, name, credential_id, credential, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new_id("pk"))
    .bind(&actor.id)
    .bind(name.as_str())
    .bind(credential_key(passkey.cred_id()))
    .bind(saved)
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::invalid("This passkey is already added to a Sluice account."));
        }
        other => other?,
    };
    audit_trail::record_own(&mut tx, actor, "passkey.add", json!({ "name": name.as_str() }), now).await?;
    tx.commit().await?;
    let what = format!("A passkey named \"{}\" was added to your Sluice account: it can sign in to it.", name.as_str());
    crate::infra::system_mail::security(state, actor, "A passkey was added to your account", &what).await;
    Ok(())
}

pub async fn rename(state: &AppState, actor: &Actor, id: &str, name: &PasskeyName) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let renamed = sqlx::query("UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3")
        .bind(name.as_str())
        .bind(id)
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    if renamed.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit_trail::record_own(&mut tx, actor, "passkey.update", json!({ "id": id, "name": name.as_str() }), now).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn remove(state: &AppState, actor: &Actor, id: &str) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    crate::infra::db::lock_user(&mut tx, &actor.id).await?;
    let exists: Option<String> = sqlx::query_scalar("SELECT id FROM passkeys WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(&actor.id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_some() {
        crate::identity::second_factor::ssr::keep_a_factor(&mut tx, &actor.id).await?;
    }
    let name: Option<String> = sqlx::query_scalar("DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name")
        .bind(id)
        .bind(&actor.id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(name) = name else { return Err(AppError::NotFound) };
    audit_trail::record_own(&mut tx, actor, "passkey.remove", json!({ "id": id, "name": name }), now).await?;
    tx.commit().await?;
    let what = format!("The passkey named \"{name}\" was removed from your Sluice account: it no longer signs in.");
    crate::infra::system_mail::security(state, actor, "A passkey was removed from your account", &what).await;
    Ok(())
}

/// The options for a sign-in with any passkey of this site.
pub async fn start_sign_in(state: &AppState, parts: &Parts) -> Result<Ceremony, AppError> {
    let webauthn = webauthn(state)?;
    if let Some(ip) = crate::infra::request::client_ip(parts) {
        let key = format!("passkey:peer:{}", hash_secret(&ip.to_string()));
        rate_limit::hit(&state.db, &key, SIGN_IN_PER_PEER, now_millis()).await?;
    }
    let (mut request, authentication) = webauthn.start_discoverable_authentication().map_err(|e| {
        tracing::error!(%e, "a passkey sign-in could not begin");
        AppError::Internal
    })?;
    // The browser decides how to ask (a dialog, or the e-mail field's autofill).
    request.mediation = None;
    let options = options(&request.public_key)?;
    begin(state, Purpose::SignIn, None, None, &authentication, options).await
}

pub struct SignedIn {
    pub cookie: http::HeaderValue,
    pub handle: String,
    pub user_id: String,
    pub session_hash: String,
}

/// A passkey of the account, as the ceremony that used it finds it.
struct Stored {
    id: String,
    user_id: String,
    name: String,
    passkey: Passkey,
}

async fn stored(db: &Db, credential_id: &[u8]) -> Result<Option<Stored>, AppError> {
    let row: Option<(String, String, String, String)> =
        sqlx::query_as("SELECT id, user_id, name, credential FROM passkeys WHERE credential_id = $1")
            .bind(credential_key(credential_id))
            .fetch_optional(db)
            .await?;
    let Some((id, user_id, name, saved)) = row else { return Ok(None) };
    let passkey = serde_json::from_str(&saved).map_err(|e| {
        tracing::error!(%e, "a stored passkey could not be read");
        AppError::Internal
    })?;
    Ok(Some(Stored { id, user_id, name, passkey }))
}

/// Moves the signature counter of the passkey `id` (webauthn-rs's JSON
/// keeps it at `cred.counter`) to `counter`, inside the caller's write
/// transaction, and answers the passkey as stored now. It is read under
/// the write's lock: of uses that race with one counter value (a cloned
/// authenticator), only the first moves it and the others are refused,
/// as the library refuses a counter that went back. Both zero is an
/// authenticator without a counter (most synced passkeys): always good.
pub async fn take_counter(conn: &mut sqlx::AnyConnection, id: &str, counter: u32) -> Result<String, AppError> {
    let sql = format!("SELECT credential FROM passkeys WHERE id = $1{}", for_update(conn));
    let latest: Option<String> = sqlx::query_scalar(&sql).bind(id).fetch_optional(&mut *conn).await?;
    let Some(latest) = latest else { return Err(AppError::invalid(REFUSED)) };
    let mut saved: serde_json::Value = serde_json::from_str(&latest).map_err(|_| AppError::Internal)?;
    let Some(stored) = saved.get_mut("cred").and_then(|c| c.get_mut("counter")) else {
        return Err(AppError::Internal);
    };
    let before = stored.as_u64().unwrap_or(0);
    if (counter != 0 || before != 0) && u64::from(counter) <= before {
        tracing::info!("a passkey use was refused: its counter did not move forward");
        return Err(AppError::invalid(REFUSED));
    }
    *stored = counter.into();
    let now_saved = saved.to_string();
    sqlx::query("UPDATE passkeys SET credential = $1 WHERE id = $2").bind(&now_saved).bind(id).execute(conn).await?;
    Ok(now_saved)
}

/// Stores the counter the use moved (see [`take_counter`]), the backup
/// state it reported and when it was used.
async fn used(
    conn: &mut sqlx::AnyConnection,
    mut key: Stored,
    result: &AuthenticationResult,
    now: i64,
) -> Result<String, AppError> {
    let latest = take_counter(conn, &key.id, result.counter()).await?;
    key.passkey = serde_json::from_str(&latest).map_err(|_| AppError::Internal)?;
    key.passkey.update_credential(result);
    let saved = serde_json::to_string(&key.passkey).map_err(|_| AppError::Internal)?;
    sqlx::query("UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3")
        .bind(saved)
        .bind(now)
        .bind(&key.id)
        .execute(conn)
        .await?;
    Ok(key.name)
}

pub async fn finish_sign_in(state: &AppState, parts: &Parts, id: &str, credential: &str) -> Result<SignedIn, AppError> {
    let webauthn = webauthn(state)?;
    let (authentication, _): (DiscoverableAuthentication, _) = take(state, Purpose::SignIn, id, None).await?;
    let credential: PublicKeyCredential = answer(credential)?;
    let (user, credential_id) =
        webauthn.identify_discoverable_authentication(&credential).map_err(|_| AppError::invalid(REFUSED))?;
    let Some(key) = stored(&state.db, credential_id).await? else {
        return Err(AppError::invalid(
            "This passkey does not belong to a Sluice account (it may have been removed). Sign in with an e-mail link.",
        ));
    };
    if user_handle(&key.user_id) != user {
        return Err(AppError::invalid(REFUSED));
    }
    let result =
        webauthn.finish_discoverable_authentication_v2(&credential, authentication, &key.passkey).map_err(|e| {
            tracing::info!(%e, "a passkey sign-in was refused");
            AppError::invalid(REFUSED)
        })?;
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let account: Option<(String, String)> = sqlx::query_as("SELECT handle, display_name FROM users WHERE id = $1")
        .bind(&key.user_id)
        .fetch_optional(&mut *tx)
        .await?;
    let Some((handle, display_name)) = account else { return Err(AppError::invalid(REFUSED)) };
    let user_id = key.user_id.clone();
    let name = used(&mut tx, key, &result, now).await?;
    if let Some(old) = crate::access::session::ssr::presented_hash(&state.settings, parts) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(old).execute(&mut *tx).await?;
    }
    let (cookie, session_hash) =
        crate::access::session::ssr::start(&mut tx, &state.settings, &user_id, parts, now).await?;
    let actor = Actor::person(&user_id, &handle, &display_name, parts);
    let data = json!({ "method": "passkey", "passkey": name });
    audit_trail::record_own(&mut tx, &actor, "user.login", data, now).await?;
    tx.commit().await?;
    // A passkey sign-in is two factors: a half-signed-in state ends with it.
    crate::access::session::ssr::end_second_step(state, parts).await?;
    Ok(SignedIn { cookie, handle, user_id, session_hash })
}

/// The options to confirm it is you with one of the account's passkeys.
pub async fn start_confirm(state: &AppState, viewer: &Viewer, session: &str) -> Result<Ceremony, AppError> {
    let webauthn = webauthn(state)?;
    let saved: Vec<String> = sqlx::query_scalar("SELECT credential FROM passkeys WHERE user_id = $1")
        .bind(&viewer.id)
        .fetch_all(&state.db)
        .await?;
    let keys: Vec<Passkey> = saved.iter().filter_map(|s| serde_json::from_str(s).ok()).collect();
    if keys.is_empty() {
        return Err(AppError::invalid("You have no passkey yet. Use a code from your e-mail instead."));
    }
    let (request, authentication) = webauthn.start_passkey_authentication(&keys).map_err(|e| {
        tracing::error!(%e, "a passkey confirmation could not begin");
        AppError::Internal
    })?;
    let options = options(&request.public_key)?;
    begin(state, Purpose::Confirm, Some(&viewer.id), Some(session), &authentication, options).await
}

pub async fn finish_confirm(
    state: &AppState,
    actor: &Actor,
    session: &str,
    id: &str,
    credential: &str,
) -> Result<(), AppError> {
    let webauthn = webauthn(state)?;
    let (authentication, user_id): (PasskeyAuthentication, _) =
        take(state, Purpose::Confirm, id, Some(session)).await?;
    if user_id.as_deref() != Some(actor.id.as_str()) {
        return Err(AppError::invalid(EXPIRED));
    }
    let credential: PublicKeyCredential = answer(credential)?;
    let result = webauthn.finish_passkey_authentication(&credential, &authentication).map_err(|e| {
        tracing::info!(%e, "a passkey confirmation was refused");
        AppError::invalid("That passkey was not accepted. Try again, or use a code from your e-mail.")
    })?;
    let Some(key) = stored(&state.db, result.cred_id()).await?.filter(|k| k.user_id == actor.id) else {
        return Err(AppError::invalid(REFUSED));
    };
    let now = now_millis();
    let proved_at = state.settings.clock.now_millis().await;
    let mut tx = begin_write(&state.db).await?;
    let name = used(&mut tx, key, &result, now).await?;
    crate::access::proof::mark_proved(&mut tx, session, proved_at).await?;
    let data = json!({ "method": "passkey", "passkey": name });
    audit_trail::record_own(&mut tx, actor, "identity.confirm", data, now).await?;
    tx.commit().await?;
    Ok(())
}
