//! API tokens in storage. A token is `spt_{id}_{secret}`: 45 random
//! base32hex characters from the OS (225 bits), then a 35-bit checksum
//! (`shared::token_format`); only the SHA-256 of the whole token is stored, and
//! the cap of two per person is checked inside the write transaction.

use crate::infra::system_mail;
use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use shared::TokenStatus;
use sqlx::AnyConnection;

use super::{TokenAccess, TokenSummary, MAX_TOKENS};
use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user, Db};
use crate::infra::ids::{hash_secret, new_id};
use crate::infra::secret::Secret;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

use shared::token_format::{with_checksum, BASE32HEX, RANDOM_CHARS};

/// The whole token, shown to its owner once: 45 random characters (225
/// bits from the OS) and a checksum a secret scanner can verify
/// (`shared::token_format`).
fn new_token(id: &str) -> Secret<String> {
    let mut rng = OsRng;
    let random: String = (0..RANDOM_CHARS).map(|_| BASE32HEX[rng.gen_range(0..32)] as char).collect();
    let body = id.strip_prefix("k_").unwrap_or(id);
    Secret::new(with_checksum(body, &random))
}

/// A token as stored, with the status it has now: `revoked` once Reset
/// authentication has passed its creation.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TokenRow {
    pub id: String,
    pub user_id: String,
    pub title: String,
    pub description: String,
    pub last4: String,
    #[sqlx(try_from = "String")]
    pub status: TokenStatus,
    pub version_id: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    #[sqlx(try_from = "String")]
    pub access: Access,
}

/// The stored access level, read into [`TokenAccess`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Access(pub TokenAccess);

impl TryFrom<String> for Access {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        TokenAccess::parse(&raw).map(Self).ok_or(raw)
    }
}

impl TokenRow {
    pub fn summary(&self) -> TokenSummary {
        TokenSummary {
            masked: format!("spt_…{}", self.last4),
            id: self.id.clone(),
            title: self.title.clone(),
            status: self.status,
            access: self.access.0,
            created_at: rfc3339(self.created_at),
            last_used_at: self.last_used_at.map(rfc3339),
            expires_at: self.expires_at.map(rfc3339),
        }
    }

    /// An active or inactive token whose expiry has passed is Expired.
    fn at(mut self, now: i64) -> Self {
        let live = matches!(self.status, TokenStatus::Active | TokenStatus::Inactive);
        if live && self.expires_at.is_some_and(|at| at <= now) {
            self.status = TokenStatus::Expired;
        }
        self
    }
}

const SELECT_ROWS: &str = "SELECT t.id, t.user_id, t.title, t.description, t.last4,
       CASE WHEN t.created_at < u.token_min_issued_at THEN 'revoked' ELSE t.status END AS status,
       t.version_id, t.created_at, t.updated_at, t.last_used_at, t.expires_at, t.access
     FROM tokens t JOIN users u ON u.id = t.user_id";

/// Only the tokens a person made: temporary ones (CLI login) are neither
/// listed nor counted toward the cap.
const USER_TOKENS: &str = "t.token_type = 'user'";

pub async fn rows(conn: &mut AnyConnection, user_id: &str) -> Result<Vec<TokenRow>, sqlx::Error> {
    let rows: Vec<TokenRow> =
        sqlx::query_as(&format!("{SELECT_ROWS} WHERE t.user_id = $1 AND {USER_TOKENS} ORDER BY t.created_at, t.id"))
            .bind(user_id)
            .fetch_all(conn)
            .await?;
    let now = now_millis();
    Ok(rows.into_iter().map(|r| r.at(now)).collect())
}

pub async fn row(conn: &mut AnyConnection, user_id: &str, id: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    let row: Option<TokenRow> =
        sqlx::query_as(&format!("{SELECT_ROWS} WHERE t.user_id = $1 AND t.id = $2 AND {USER_TOKENS}"))
            .bind(user_id)
            .bind(id)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.at(now_millis())))
}

pub async fn list(db: &Db, user_id: &str) -> Result<Vec<TokenSummary>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    Ok(rows(&mut conn, user_id).await?.iter().map(TokenRow::summary).collect())
}

/// Creates a token unless the person has two that still work. Tokens
/// that Reset authentication revoked do not count.
/// Why a token was not made.
#[derive(Debug, thiserror::Error)]
pub enum CreateTokenError {
    /// The account holds its [`MAX_TOKENS`] tokens already.
    #[error("{}", super::cap_message())]
    AtCap,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<CreateTokenError> for AppError {
    fn from(e: CreateTokenError) -> Self {
        match e {
            CreateTokenError::AtCap => AppError::invalid(super::cap_message()),
            CreateTokenError::Db(e) => e.into(),
        }
    }
}

/// Why a token was not changed or deleted.
#[derive(Debug, thiserror::Error)]
pub enum ChangeTokenError {
    /// No token of the actor's has that id.
    #[error("That token does not exist.")]
    NotFound,
    /// Reset authentication revoked it: it stays revoked.
    #[error("{}", super::REVOKED_MESSAGE)]
    Revoked,
    #[error("{}", super::EXPIRED_MESSAGE)]
    Expired,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<ChangeTokenError> for AppError {
    fn from(e: ChangeTokenError) -> Self {
        match e {
            ChangeTokenError::NotFound => AppError::NotFound,
            ChangeTokenError::Revoked | ChangeTokenError::Expired => AppError::invalid(e),
            ChangeTokenError::Db(e) => e.into(),
        }
    }
}

/// A token to make: its name (a default when `None`), expiry and access.
#[derive(Debug, Clone, Default)]
pub struct NewToken {
    pub title: Option<String>,
    pub description: String,
    /// `None`: No expiration.
    pub expires_at: Option<i64>,
    pub access: TokenAccess,
}

/// Makes a token for the actor (within the cap: revoked and expired
/// tokens do not count) and tells them by mail.
pub async fn create(
    state: &AppState,
    actor: &Actor,
    new: &NewToken,
) -> Result<(TokenRow, Secret<String>), CreateTokenError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.user_id = $1 AND t.created_at >= u.token_min_issued_at AND t.token_type = 'user'
           AND (t.expires_at IS NULL OR t.expires_at > $2)",
    )
    .bind(&actor.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if count >= MAX_TOKENS {
        return Err(CreateTokenError::AtCap);
    }
    let title = new.title.clone().unwrap_or_else(|| format!("Token of {}", &rfc3339(now)[..10]));
    let made = Made { kind: "user", title: &title, expires_at: new.expires_at, access: new.access };
    let (id, token, last4) = insert(&mut tx, &actor.id, &made, now).await?;
    if !new.description.is_empty() {
        sqlx::query("UPDATE tokens SET description = $1 WHERE id = $2")
            .bind(&new.description)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
    }
    let data = json!({ "token_id": id, "title": title, "last4": last4, "access": new.access.as_str(),
                       "expires_at": new.expires_at.map(rfc3339) });
    audit_trail::record_own(&mut tx, actor, "token.create", data, now).await?;
    let created = row(&mut tx, &actor.id, &id).await?.ok_or(sqlx::Error::RowNotFound)?;
    tx.commit().await?;
    mail_token_created(state, actor, &created.last4).await;
    Ok((created, token))
}

/// A temporary token (CLI login) for `user_id`, valid until `expires_at`.
/// Reset authentication ends it like any other.
pub async fn insert_temporary(
    conn: &mut AnyConnection,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(String, Secret<String>), sqlx::Error> {
    let made = Made { kind: "temporary", title: "CLI login", expires_at: Some(expires_at), access: TokenAccess::Full };
    let (id, token, _) = insert(conn, user_id, &made, now).await?;
    Ok((id, token))
}

/// A token's row as it is first written.
struct Made<'a> {
    /// `user` (a person's) or `temporary` (a CLI login).
    kind: &'static str,
    title: &'a str,
    expires_at: Option<i64>,
    access: TokenAccess,
}

/// Stores a new token and answers its id, the whole token (to show once)
/// and its last four.
async fn insert(
    conn: &mut AnyConnection,
    user_id: &str,
    made: &Made<'_>,
    now: i64,
) -> Result<(String, Secret<String>, String), sqlx::Error> {
    let id = new_id("k");
    let token = new_token(&id);
    let last4: String = token.expose()[token.expose().len() - 4..].to_owned();
    sqlx::query(
        "INSERT INTO tokens (id, user_id, title, secret_hash, last4, status, token_type, expires_at,
                             created_at, updated_at, access)
         VALUES ($1, $2, $3, $4, $5, 'active', $6, $7, $8, $8, $9)",
    )
    .bind(&id)
    .bind(user_id)
    .bind(made.title)
    .bind(hash_secret(token.expose()))
    .bind(&last4)
    .bind(made.kind)
    .bind(made.expires_at)
    .bind(now)
    .bind(made.access.as_str())
    .execute(conn)
    .await?;
    Ok((id, token, last4))
}

/// What may change on a token.
#[derive(Debug, Clone, Default)]
pub struct TokenChange {
    pub active: bool,
    pub title: Option<String>,
    pub description: Option<String>,
}

/// Sets a token `active` or `inactive` (and its title or description);
/// only its owner can, and a revoked token stays revoked.
pub async fn update(
    state: &AppState,
    actor: &Actor,
    id: &str,
    change: TokenChange,
) -> Result<TokenRow, ChangeTokenError> {
    let now = now_millis();
    let status = if change.active { TokenStatus::Active } else { TokenStatus::Inactive };
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let before = row(&mut tx, &actor.id, id).await?.ok_or(ChangeTokenError::NotFound)?;
    if before.status == TokenStatus::Revoked {
        return Err(ChangeTokenError::Revoked);
    }
    if before.status == TokenStatus::Expired {
        return Err(ChangeTokenError::Expired);
    }
    let title = change.title.unwrap_or(before.title);
    let description = change.description.unwrap_or(before.description);
    sqlx::query(
        "UPDATE tokens SET status = $1, title = $2, description = $3, updated_at = $4,
           version_id = version_id + 1
         WHERE id = $5 AND user_id = $6",
    )
    .bind(status.as_str())
    .bind(&title)
    .bind(&description)
    .bind(now)
    .bind(id)
    .bind(&actor.id)
    .execute(&mut *tx)
    .await?;
    let data = json!({ "token_id": id, "status": status, "title": title });
    audit_trail::record_own(&mut tx, actor, "token.update", data, now).await?;
    // Written just above, inside the same transaction.
    let after = row(&mut tx, &actor.id, id).await?.ok_or(ChangeTokenError::NotFound)?;
    tx.commit().await?;
    Ok(after)
}

/// Deletes a token; only its owner can. Answers the token as it was.
pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> Result<TokenRow, ChangeTokenError> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let before = row(&mut tx, &actor.id, id).await?.ok_or(ChangeTokenError::NotFound)?;
    sqlx::query("DELETE FROM tokens WHERE id = $1 AND user_id = $2").bind(id).bind(&actor.id).execute(&mut *tx).await?;
    audit_trail::record_own(&mut tx, actor, "token.delete", json!({ "token_id": id }), now).await?;
    tx.commit().await?;
    Ok(before)
}

/// Tells the owner a token was made for their account.
async fn mail_token_created(state: &AppState, actor: &Actor, last4: &str) {
    let what = format!("A new API token ending in {last4} was created for your Sluice account.");
    system_mail::security(state, actor, "A new API token was created", &what).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::bearer::parse_token_id;

    #[test]
    fn tokens_have_the_documented_shape() {
        let id = new_id("k");
        let token = new_token(&id);
        let t = token.expose();
        assert!(t.starts_with(&format!("spt_{}_", &id[2..])), "{t}");
        assert_eq!(t.len(), 4 + 20 + 1 + shared::token_format::TAIL_CHARS);
        assert!(shared::token_format::has_valid_checksum(t));
        assert_ne!(new_token(&id).expose(), t);
        assert_eq!(format!("{token:?}"), "[redacted]");
    }

    #[test]
    fn only_well_formed_tokens_name_an_id() {
        let id = new_id("k");
        let token = new_token(&id);
        assert_eq!(parse_token_id(token.expose()).as_deref(), Some(id.as_str()));
        let t = token.expose();
        for bad in [
            "",
            "spt_",
            &t[..t.len() - 1],
            &format!("{t}x"),
            &t.replacen("spt_", "spx_", 1),
            &t.to_uppercase(),
            &format!("{}w", &t[..t.len() - 1]),
        ] {
            assert_eq!(parse_token_id(bad), None, "{bad}");
        }
    }
}
