//! CLI login requests: created by the CLI, confirmed by a signed-in person
//! (who is shown a code), exchanged by the CLI with that code for a
//! temporary token. A request lives 10 minutes, its code works once, and
//! five wrong codes end it.

use rand::rngs::OsRng;
use rand::Rng;
use serde_json::json;
use sqlx::AnyConnection;
use subtle::ConstantTimeEq;

use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, for_update, Db};
use crate::infra::ids::{hash_secret, new_id};
use crate::infra::secret::Secret;

pub const REQUEST_TTL_MS: i64 = 10 * 60 * 1000;
pub const TOKEN_TTL_MS: i64 = 30 * 24 * 60 * 60 * 1000;
pub const MAX_WRONG_CODES: i64 = 5;
const SECRET_CHARS: usize = 26;
const ALPHANUMERIC: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// `spttr_{20 base32hex}_{26 [0-9a-z]}`: the first part names the request,
/// the whole is the secret that only the CLI (and the page it opens) has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId {
    public: String,
    whole: String,
}

impl RequestId {
    pub fn parse(raw: &str) -> Option<Self> {
        let rest = raw.strip_prefix("spttr_")?;
        let (body, secret) = rest.split_once('_')?;
        let ok = shared::is_prefixed_id(&format!("x_{body}"), "x")
            && secret.len() == SECRET_CHARS
            && secret.bytes().all(|b| ALPHANUMERIC.contains(&b));
        ok.then(|| Self { public: format!("spttr_{body}"), whole: raw.to_owned() })
    }

    fn generate() -> Self {
        let body = new_id("spttr");
        let mut rng = OsRng;
        let secret: String =
            (0..SECRET_CHARS).map(|_| ALPHANUMERIC[rng.gen_range(0..ALPHANUMERIC.len())] as char).collect();
        Self { whole: format!("{body}_{secret}"), public: body }
    }

    pub fn as_str(&self) -> &str {
        &self.whole
    }
}

/// A six-digit code, as the person types it.
pub fn parse_code(raw: &str) -> Option<&str> {
    (raw.len() == 6 && raw.bytes().all(|b| b.is_ascii_digit())).then_some(raw)
}

/// Where a CLI login request stands: waiting for the person, or confirmed
/// (its code shown once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = TemporaryTokenRequestState)]
pub enum RequestState {
    Pending,
    Confirmed,
}

impl RequestState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
        }
    }
}

impl TryFrom<String> for RequestState {
    type Error = String;

    fn try_from(word: String) -> Result<Self, String> {
        match word.as_str() {
            "pending" => Ok(Self::Pending),
            "confirmed" => Ok(Self::Confirmed),
            _ => Err(format!("unknown login request state {word:?}")),
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RequestRow {
    pub id: String,
    secret_hash: String,
    pub client_ip: String,
    #[sqlx(try_from = "String")]
    pub state: RequestState,
    pub user_id: Option<String>,
    code_hash: Option<String>,
    pub failed_codes: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl RequestRow {
    pub fn expires_at(&self) -> i64 {
        self.created_at + REQUEST_TTL_MS
    }
}

pub async fn create(db: &Db, client_ip: &str, now: i64) -> Result<(RequestId, RequestRow), sqlx::Error> {
    let id = RequestId::generate();
    // Old requests go as new ones come.
    sqlx::query("DELETE FROM login_requests WHERE created_at < $1").bind(now - REQUEST_TTL_MS).execute(db).await?;
    let row = sqlx::query_as(
        "INSERT INTO login_requests (id, secret_hash, client_ip, state, created_at, updated_at)
         VALUES ($1, $2, $3, 'pending', $4, $4) RETURNING *",
    )
    .bind(&id.public)
    .bind(hash_secret(&id.whole))
    .bind(client_ip)
    .bind(now)
    .fetch_one(db)
    .await?;
    Ok((id, row))
}

/// The request, if the whole id matches and it has not expired; inside a
/// transaction, held until it ends (two exchanges of one code, or two
/// wrong codes at once, take turns).
pub async fn find(conn: &mut AnyConnection, id: &RequestId, now: i64) -> Result<Option<RequestRow>, sqlx::Error> {
    let sql = format!("SELECT * FROM login_requests WHERE id = $1{}", for_update(conn));
    let row: Option<RequestRow> = sqlx::query_as(&sql).bind(&id.public).fetch_optional(&mut *conn).await?;
    Ok(row.filter(|r| {
        let matches: bool = hash_secret(&id.whole).as_bytes().ct_eq(r.secret_hash.as_bytes()).into();
        matches && now < r.expires_at()
    }))
}

/// Confirms a pending request for `actor` and answers the code to show
/// them (once: only its hash is kept).
/// Why a CLI login request could not be confirmed or exchanged.
#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    /// No such request, or it expired.
    #[error("That login request does not exist or has expired.")]
    NotFound,
    #[error("This request was already confirmed. Start again with the CLI to get a new code.")]
    AlreadyConfirmed,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl From<RequestError> for AppError {
    fn from(e: RequestError) -> Self {
        match e {
            RequestError::NotFound => AppError::NotFound,
            RequestError::AlreadyConfirmed => AppError::invalid(e),
            RequestError::Db(e) => e.into(),
        }
    }
}

pub async fn confirm(db: &Db, id: &RequestId, actor: &Actor, now: i64) -> Result<Secret<String>, RequestError> {
    let mut tx = begin_write(db).await?;
    let row = find(&mut tx, id, now).await?.ok_or(RequestError::NotFound)?;
    if row.state != RequestState::Pending {
        return Err(RequestError::AlreadyConfirmed);
    }
    let code = Secret::new(format!("{:06}", OsRng.gen_range(0..1_000_000)));
    sqlx::query(
        "UPDATE login_requests SET state = 'confirmed', user_id = $1, code_hash = $2, updated_at = $3
         WHERE id = $4",
    )
    .bind(&actor.id)
    .bind(hash_secret(code.expose()))
    .bind(now)
    .bind(&row.id)
    .execute(&mut *tx)
    .await?;
    let data = json!({ "request_id": row.id, "client_ip": row.client_ip });
    audit_trail::record_own(&mut tx, actor, "auth.cli_login.confirm", data, now).await?;
    tx.commit().await?;
    Ok(code)
}

/// Ends a request (the person cancelled, or the CLI gave up).
pub async fn delete(db: &Db, id: &RequestId, now: i64) -> Result<Option<RequestRow>, sqlx::Error> {
    let mut conn = db.acquire().await?;
    let Some(row) = find(&mut conn, id, now).await? else { return Ok(None) };
    remove(&mut conn, &row.id).await?;
    Ok(Some(row))
}

async fn remove(conn: &mut AnyConnection, id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM login_requests WHERE id = $1").bind(id).execute(conn).await?;
    Ok(())
}

/// What the CLI gets for a code.
#[derive(Debug)]
pub enum Exchange {
    /// Nobody has confirmed the request yet.
    NotConfirmed(RequestRow),
    /// A wrong code; the request ends after the fifth.
    WrongCode { left: i64 },
    /// The temporary token, shown this once; the request is gone.
    Token(RequestRow, Secret<String>, TokenIssued),
}

/// Whose token was issued, and which.
#[derive(Debug)]
pub struct TokenIssued {
    pub user_id: String,
    pub token_id: String,
}

pub async fn exchange(
    db: &Db,
    id: &RequestId,
    code: &str,
    caller_ip: &str,
    now: i64,
) -> Result<Exchange, RequestError> {
    let mut tx = begin_write(db).await?;
    let row = find(&mut tx, id, now).await?.ok_or(RequestError::NotFound)?;
    let (Some(user_id), Some(code_hash)) = (row.user_id.clone(), row.code_hash.clone()) else {
        return Ok(Exchange::NotConfirmed(row));
    };
    let right: bool = hash_secret(code).as_bytes().ct_eq(code_hash.as_bytes()).into();
    if !right {
        let failed = row.failed_codes + 1;
        if failed >= MAX_WRONG_CODES {
            remove(&mut tx, &row.id).await?;
        } else {
            sqlx::query("UPDATE login_requests SET failed_codes = $1, updated_at = $2 WHERE id = $3")
                .bind(failed)
                .bind(now)
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        return Ok(Exchange::WrongCode { left: MAX_WRONG_CODES - failed });
    }
    // The code works once: the request goes with the token's creation.
    remove(&mut tx, &row.id).await?;
    let (token_id, token) = crate::tokens::ssr::insert_temporary(&mut tx, &user_id, now, now + TOKEN_TTL_MS).await?;
    // Where it was issued to, for Sessions on Credentials & Access.
    let network = caller_ip.parse().ok().map(crate::access::networks::network_of);
    sqlx::query("UPDATE tokens SET created_ip = $1, last_network = $3 WHERE id = $2")
        .bind(caller_ip)
        .bind(&token_id)
        .bind(network)
        .execute(&mut *tx)
        .await?;
    let (handle, display_name, avatar): (String, String, Option<String>) = sqlx::query_as(
        "SELECT u.handle, u.display_name, a.hash FROM users u
         LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1",
    )
    .bind(&user_id)
    .fetch_one(&mut *tx)
    .await?;
    let actor = Actor {
        avatar_url: shared::avatar::avatar_path(&user_id, avatar.as_deref()),
        id: user_id,
        handle,
        display_name,
        ip: caller_ip.to_owned(),
    };
    let data = json!({ "token_id": token_id, "token_type": "temporary", "request_id": row.id });
    audit_trail::record_own(&mut tx, &actor, "auth.cli_login", data, now).await?;
    tx.commit().await?;
    Ok(Exchange::Token(row, token, TokenIssued { user_id: actor.id, token_id }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_ids_have_the_spec_format() {
        for _ in 0..50 {
            let id = RequestId::generate();
            assert!(id.whole.starts_with("spttr_"));
            assert_eq!(id.whole.len(), 6 + 20 + 1 + 26);
            assert_eq!(RequestId::parse(&id.whole), Some(id.clone()));
        }
        for bad in [
            "",
            "spttr_",
            "spt_0123456789abcdefghij_0123456789abcdefghijklmnop",
            "spttr_0123456789abcdefghiw_0123456789abcdefghijklmnop", // w is not base32hex
            "spttr_0123456789abcdefghij_0123456789abcdefghijklmno",  // 25
            "spttr_0123456789abcdefghij_0123456789ABCDEFGHIJKLMNOP",
        ] {
            assert_eq!(RequestId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(parse_code("012345"), Some("012345"));
        for bad in ["", "12345", "1234567", "12345a", "１２３４５６"] {
            assert_eq!(parse_code(bad), None, "{bad}");
        }
    }
}
