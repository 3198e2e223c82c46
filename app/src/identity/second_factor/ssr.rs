//! The second factor in storage: the authenticator (its secret sealed by
//! the vault, each step's code accepted once), the recovery codes (kept
//! as hashes, each good once), and the requirement. A few tries a quarter
//! hour per account, wherever the codes are typed.

use base64::Engine;
use rand::rngs::OsRng;
use rand::{Rng, RngCore};
use serde_json::json;
use sqlx::AnyConnection;

use super::totp;
use super::{AuthenticatorSetup, Factors, FactorsAuthenticator, FactorsRecovery};
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, Db};
use crate::infra::ids::hash_secret;
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;

/// Codes typed (right or wrong) per account per quarter hour.
pub const TRIES: Limit = Limit { max: 10, window_secs: 15 * 60 };
/// How long a set-up waits for its first code.
const SETUP_LASTS_MS: i64 = 15 * 60 * 1000;
pub const RECOVERY_CODES: usize = 10;
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// How a second factor was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Given {
    Authenticator,
    RecoveryCode,
}

impl Given {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authenticator => "authenticator",
            Self::RecoveryCode => "recovery_code",
        }
    }
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

pub async fn factors(db: &Db, user_id: &str) -> Result<Factors, sqlx::Error> {
    let auth: Option<(i64, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT created_at, confirmed_at, last_used_at FROM authenticators WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db)
            .await?;
    let passkeys: Vec<(String, i64, Option<i64>)> =
        sqlx::query_as("SELECT name, created_at, last_used_at FROM passkeys WHERE user_id = $1 ORDER BY created_at")
            .bind(user_id)
            .fetch_all(db)
            .await?;
    let (made, at, left): (i64, i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(MAX(created_at), 0), COUNT(CASE WHEN used_at IS NULL THEN 1 END)
         FROM recovery_codes WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(db)
    .await?;
    let codes = (made > 0).then_some((at, left));
    let required: Option<i64> = sqlx::query_scalar("SELECT second_factor_required_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(db)
        .await?;
    let rfc = crate::infra::time::rfc3339;
    Ok(Factors {
        required: required.is_some(),
        authenticator: auth.and_then(|(_, confirmed, used)| {
            confirmed.map(|at| FactorsAuthenticator { added_at: rfc(at), last_used_at: used.map(rfc) })
        }),
        passkeys: passkeys
            .into_iter()
            .map(|(name, created, used)| super::FactorsPasskey {
                name,
                added_at: rfc(created),
                last_used_at: used.map(rfc),
            })
            .collect(),
        recovery_codes: codes.map(|(at, left)| FactorsRecovery { created_at: rfc(at), remaining: left }),
    })
}

fn setup_of(secret: &[u8], handle: &str, issuer: &str) -> AuthenticatorSetup {
    let b32 = totp::base32(secret);
    let uri = totp::uri(&b32, handle, issuer);
    AuthenticatorSetup { qr_svg: super::qr::svg(&uri).unwrap_or_default(), secret: totp::grouped(&b32), uri }
}

fn issuer(state: &AppState) -> String {
    let host = state.settings.public_origin();
    let host = host.split("://").nth(1).unwrap_or("localhost");
    if host.starts_with("localhost") || host.starts_with("127.") {
        "Sluice".into()
    } else {
        format!("Sluice ({host})")
    }
}

fn open_secret(state: &AppState, user_id: &str, sealed: &str) -> Result<Vec<u8>, AppError> {
    let bytes = b64().decode(sealed).map_err(|_| AppError::Internal)?;
    let opened = state.vault.open(user_id, &bytes).map_err(|e| {
        tracing::error!(%e, "an authenticator's secret does not open");
        AppError::Internal
    })?;
    Ok(opened.expose().clone())
}

/// Begins setting up an authenticator: a new secret, shown by the answer.
pub async fn start_authenticator(state: &AppState, actor: &Actor) -> Result<AuthenticatorSetup, AppError> {
    let mut secret = [0u8; totp::SECRET_LEN];
    OsRng.fill_bytes(&mut secret);
    let sealed = b64().encode(state.vault.seal(&actor.id, &secret));
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let done = sqlx::query(
        "INSERT INTO authenticators (user_id, sealed_secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE SET sealed_secret = excluded.sealed_secret,
           created_at = excluded.created_at, last_step = 0
         WHERE authenticators.confirmed_at IS NULL",
    )
    .bind(&actor.id)
    .bind(&sealed)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(AppError::invalid(
            "Your account already has an authenticator app. Remove it first to set up another.",
        ));
    }
    tx.commit().await?;
    Ok(setup_of(&secret, &actor.handle, &issuer(state)))
}

/// A set-up still waiting for its first code, shown again on the page.
pub async fn pending_setup(
    state: &AppState,
    user_id: &str,
    handle: &str,
) -> Result<Option<AuthenticatorSetup>, AppError> {
    let sealed: Option<String> = sqlx::query_scalar(
        "SELECT sealed_secret FROM authenticators WHERE user_id = $1 AND confirmed_at IS NULL AND created_at > $2",
    )
    .bind(user_id)
    .bind(now_millis() - SETUP_LASTS_MS)
    .fetch_optional(&state.db)
    .await?;
    match sealed {
        Some(s) => Ok(Some(setup_of(&open_secret(state, user_id, &s)?, handle, &issuer(state)))),
        None => Ok(None),
    }
}

/// Counts one try against the account's limit.
async fn count_try(state: &AppState, user_id: &str) -> Result<(), AppError> {
    rate_limit::hit(&state.db, &format!("second-factor:{user_id}"), TRIES, now_millis()).await.map_err(|e| match e {
        AppError::RateLimited { .. } => AppError::invalid("Too many codes were tried. Wait 15 minutes and try again."),
        other => other,
    })
}

/// Takes the authenticator's code `typed` for `user_id` (confirmed or, with
/// `setting_up`, not yet): a code of a step after the last one accepted,
/// so a code is good once.
async fn take_code(
    state: &AppState,
    conn: &mut AnyConnection,
    user_id: &str,
    typed: &str,
    setting_up: bool,
) -> Result<bool, AppError> {
    let Some(code) = totp::parse_code(typed) else {
        return Err(AppError::invalid("Enter the 6-digit code from your authenticator app."));
    };
    let row: Option<(String, i64)> = sqlx::query_as(if setting_up {
        "SELECT sealed_secret, last_step FROM authenticators WHERE user_id = $1 AND confirmed_at IS NULL"
    } else {
        "SELECT sealed_secret, last_step FROM authenticators WHERE user_id = $1 AND confirmed_at IS NOT NULL"
    })
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((sealed, _)) = row else { return Ok(false) };
    let secret = open_secret(state, user_id, &sealed)?;
    let now = state.settings.clock.now_millis().await;
    let Some(step) = totp::matching_step(&secret, &code, now) else { return Ok(false) };
    // Of two uses of one code (a replay, a race), one moves the step.
    let taken = sqlx::query(
        "UPDATE authenticators SET last_step = $1, last_used_at = $2 WHERE user_id = $3 AND last_step < $1",
    )
    .bind(step)
    .bind(now_millis())
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(taken.rows_affected() == 1)
}

/// Confirms a set-up with its first code, within the 15 minutes that the
/// page shows it for.
pub async fn finish_authenticator(state: &AppState, actor: &Actor, typed: &str) -> Result<(), AppError> {
    count_try(state, &actor.id).await?;
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let started: Option<i64> =
        sqlx::query_scalar("SELECT created_at FROM authenticators WHERE user_id = $1 AND confirmed_at IS NULL")
            .bind(&actor.id)
            .fetch_optional(&mut *tx)
            .await?;
    if started.is_some_and(|at| at <= now - SETUP_LASTS_MS) {
        return Err(AppError::invalid(
            "This set-up was left for more than 15 minutes. Start again with Set up authenticator app.",
        ));
    }
    if !take_code(state, &mut tx, &actor.id, typed, true).await? {
        return Err(AppError::invalid(
            "That code is not right. Check that your phone's clock is set automatically and enter the newest code.",
        ));
    }
    sqlx::query("UPDATE authenticators SET confirmed_at = $1 WHERE user_id = $2")
        .bind(now)
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    audit_trail::record_own(&mut tx, actor, "identity.authenticator.add", json!({}), now).await?;
    tx.commit().await?;
    let what = "An authenticator app was set up as a second factor for your Sluice account.";
    crate::infra::system_mail::security(state, actor, "An authenticator app was added to your account", what).await;
    Ok(())
}

/// Whether `user_id` would still have a factor (a passkey or a confirmed
/// authenticator) without the one being removed.
pub async fn factors_left(conn: &mut AnyConnection, user_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = $1)
              + (SELECT COUNT(*) FROM authenticators WHERE user_id = $1 AND confirmed_at IS NOT NULL)",
    )
    .bind(user_id)
    .fetch_one(conn)
    .await
}

/// Whether the account asks for a second factor after the e-mail link.
pub async fn required(conn: &mut AnyConnection, user_id: &str) -> Result<bool, sqlx::Error> {
    let at: Option<i64> = sqlx::query_scalar("SELECT second_factor_required_at FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(conn)
        .await?;
    Ok(at.is_some())
}

/// Refuses to remove the last factor while a second factor is required.
pub async fn keep_a_factor(conn: &mut AnyConnection, user_id: &str) -> Result<(), AppError> {
    if required(&mut *conn, user_id).await? && factors_left(conn, user_id).await? <= 1 {
        return Err(AppError::invalid(
            "This is your account's last second factor, and sign-in requires one. Turn off Require a second factor first.",
        ));
    }
    Ok(())
}

pub async fn remove_authenticator(state: &AppState, actor: &Actor) -> Result<(), AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    crate::infra::db::lock_user(&mut tx, &actor.id).await?;
    let confirmed: Option<Option<i64>> =
        sqlx::query_scalar("SELECT confirmed_at FROM authenticators WHERE user_id = $1")
            .bind(&actor.id)
            .fetch_optional(&mut *tx)
            .await?;
    match confirmed {
        None => return Err(AppError::NotFound),
        Some(Some(_)) => keep_a_factor(&mut tx, &actor.id).await?,
        Some(None) => {}
    }
    sqlx::query("DELETE FROM authenticators WHERE user_id = $1").bind(&actor.id).execute(&mut *tx).await?;
    if confirmed.flatten().is_none() {
        // A set-up given up: nothing was added, nothing to tell.
        tx.commit().await?;
        return Ok(());
    }
    audit_trail::record_own(&mut tx, actor, "identity.authenticator.remove", json!({}), now).await?;
    tx.commit().await?;
    let what = "The authenticator app was removed from your Sluice account; its codes no longer work.";
    crate::infra::system_mail::security(state, actor, "An authenticator app was removed from your account", what).await;
    Ok(())
}

fn recovery_code() -> String {
    let mut rng = OsRng;
    let mut pick = || char::from(RECOVERY_ALPHABET[rng.gen_range(0..RECOVERY_ALPHABET.len())]);
    let first: String = (0..5).map(|_| pick()).collect();
    let second: String = (0..5).map(|_| pick()).collect();
    format!("{first}-{second}")
}

/// A recovery code as typed, as it is stored: lowercase, one hyphen.
fn normal_recovery(typed: &str) -> Option<String> {
    let letters: String = typed.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    (letters.len() == 10).then(|| format!("{}-{}", &letters[..5], &letters[5..]))
}

/// Ten new recovery codes; the old set stops working.
pub async fn new_recovery_codes(state: &AppState, actor: &Actor) -> Result<Vec<String>, AppError> {
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| recovery_code()).collect();
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let replaced =
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1").bind(&actor.id).execute(&mut *tx).await?;
    for code in &codes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES ($1, $2, $3)")
            .bind(&actor.id)
            .bind(hash_secret(code))
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    let data = json!({ "count": RECOVERY_CODES, "replaced": replaced.rows_affected() > 0 });
    audit_trail::record_own(&mut tx, actor, "identity.recovery_codes.create", data, now).await?;
    tx.commit().await?;
    let what = "New recovery codes were made for your Sluice account; any earlier ones no longer work.";
    crate::infra::system_mail::security(state, actor, "New recovery codes for your account", what).await;
    Ok(codes)
}

/// Turns the requirement on (with a factor and recovery codes) or off.
pub async fn set_required(state: &AppState, actor: &Actor, on: bool) -> Result<bool, AppError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    crate::infra::db::lock_user(&mut tx, &actor.id).await?;
    if on {
        if factors_left(&mut tx, &actor.id).await? == 0 {
            return Err(AppError::invalid("Add a passkey or set up an authenticator app first."));
        }
        let codes: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
                .bind(&actor.id)
                .fetch_one(&mut *tx)
                .await?;
        if codes == 0 {
            return Err(AppError::invalid(
                "Save a set of recovery codes first: they let you in if you lose your second factor.",
            ));
        }
    }
    let changed = sqlx::query(if on {
        "UPDATE users SET second_factor_required_at = $1 WHERE id = $2 AND second_factor_required_at IS NULL"
    } else {
        "UPDATE users SET second_factor_required_at = NULL WHERE id = $2 AND second_factor_required_at IS NOT NULL AND $1 > 0"
    })
    .bind(now)
    .bind(&actor.id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if !changed {
        return Ok(false);
    }
    let action = if on { "identity.second_factor.require" } else { "identity.second_factor.unrequire" };
    audit_trail::record_own(&mut tx, actor, action, json!({}), now).await?;
    tx.commit().await?;
    let (subject, what) = if on {
        ("A second factor is now required", "Signing in to your Sluice account with an e-mail link now also asks for a passkey, an authenticator code or a recovery code.")
    } else {
        (
            "A second factor is no longer required",
            "Signing in to your Sluice account no longer asks for a second factor after the e-mail link.",
        )
    };
    crate::infra::system_mail::security(state, actor, subject, what).await;
    Ok(true)
}

/// Checks a second factor typed by `actor` (a code from the authenticator,
/// or a recovery code), counting the try. A recovery code is used up,
/// audited and mailed.
pub async fn check(state: &AppState, actor: &Actor, typed: &str) -> Result<Given, AppError> {
    count_try(state, &actor.id).await?;
    if totp::parse_code(typed).is_some() {
        let mut conn = state.db.acquire().await?;
        if take_code(state, &mut conn, &actor.id, typed, false).await? {
            return Ok(Given::Authenticator);
        }
        return Err(AppError::invalid(
            "That code is not right, or was already used. Enter the newest code from your authenticator app.",
        ));
    }
    let Some(code) = normal_recovery(typed) else {
        return Err(AppError::invalid(
            "Enter the 6-digit code from your authenticator app, or a recovery code (xxxxx-xxxxx).",
        ));
    };
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    let used =
        sqlx::query("UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL")
            .bind(now)
            .bind(&actor.id)
            .bind(hash_secret(&code))
            .execute(&mut *tx)
            .await?;
    if used.rows_affected() != 1 {
        return Err(AppError::invalid("That recovery code is not right, or was already used."));
    }
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(&actor.id)
        .fetch_one(&mut *tx)
        .await?;
    audit_trail::record_own(&mut tx, actor, "identity.recovery_code.use", json!({ "remaining": left }), now).await?;
    tx.commit().await?;
    let what = format!(
        "A recovery code was used to sign in to your Sluice account. {left} unused recovery code{} remain{}; \
         make a new set on Credentials & Access when they run low.",
        if left == 1 { "" } else { "s" },
        if left == 1 { "s" } else { "" }
    );
    crate::infra::system_mail::security(state, actor, "A recovery code was used", &what).await;
    Ok(Given::RecoveryCode)
}

/// Checks a code from the authenticator (not a recovery code): "Confirm it is you".
pub async fn check_authenticator(state: &AppState, user_id: &str, typed: &str) -> Result<(), AppError> {
    count_try(state, user_id).await?;
    let mut conn = state.db.acquire().await?;
    if take_code(state, &mut conn, user_id, typed, false).await? {
        Ok(())
    } else {
        Err(AppError::invalid(
            "That code is not right, or was already used. Enter the newest code from your authenticator app.",
        ))
    }
}

/// What an operator does when every factor is lost: the requirement of the
/// account `handle` is lifted, audited as the operator's. Answers whether
/// it was on.
pub async fn lift(db: &Db, handle: &str, operator: &str) -> Result<Option<bool>, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(db).await?;
    let user: Option<(String, String, Option<i64>)> =
        sqlx::query_as("SELECT id, display_name, second_factor_required_at FROM users WHERE handle = $1")
            .bind(handle)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((id, display_name, required)) = user else { return Ok(None) };
    if required.is_none() {
        return Ok(Some(false));
    }
    sqlx::query("UPDATE users SET second_factor_required_at = NULL WHERE id = $1").bind(&id).execute(&mut *tx).await?;
    let actor =
        Actor { id: id.clone(), handle: handle.to_owned(), display_name, avatar_url: String::new(), ip: String::new() };
    let data = json!({ "by": "operator", "operator": operator });
    audit_trail::record_own(&mut tx, &actor, "identity.second_factor.lift", data, now).await?;
    tx.commit().await?;
    Ok(Some(true))
}

#[cfg(test)]
mod tests {
    #[test]
    fn recovery_codes_read_as_typed() {
        let code = super::recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(super::normal_recovery(&code), Some(code.clone()));
        assert_eq!(super::normal_recovery(&code.to_uppercase().replace('-', " ")), Some(code));
        assert_eq!(super::normal_recovery("abcde-fghi"), None);
        assert_eq!(super::normal_recovery("123456"), None);
    }
}
