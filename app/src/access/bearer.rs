//! Who a bearer token belongs to. A token is `spt_{id}_{secret}`; the id
//! picks the row and the SHA-256 of the whole token is compared in
//! constant time, so a guessed id learns nothing.

use subtle::ConstantTimeEq;

use crate::infra::db::Db;
use crate::infra::ids::hash_secret;
use crate::infra::time::now_millis;

use shared::DAY_MS;

/// Only refresh `last_used_at` this often, so that API calls do not each
/// write to the database.
const TOUCH_EVERY_MS: i64 = 60_000;

/// What a presented bearer token turned out to be.
#[derive(Debug)]
pub enum TokenCheck {
    /// Not a token Sluice issued: there is nobody to tell.
    Unknown,
    /// A real token's id, refused (wrong secret, deactivated, revoked by
    /// Reset authentication): its owner's Audit Log hears of it.
    Refused { owner_id: String, owner_handle: String, token_id: String, reason: &'static str },
    /// A good token; `first_use_today` when its last use was before today
    /// (UTC), which the Audit Log records once; `read_only` when it may
    /// change nothing.
    /// `last_network`: the network it was last used from (see `networks`).
    Accepted {
        account: Box<Account>,
        token_id: String,
        first_use_today: bool,
        read_only: bool,
        last_network: Option<String>,
    },
}

/// The token owner's account as the API shows it, read in the same
/// statement as the token: `GET /actor` answers from it without a second
/// read.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Account {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub tenant_id: Option<String>,
    pub status: String,
    pub token_min_issued_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub version_id: i64,
    pub avatar_hash: Option<String>,
}

/// A token and the person it belongs to.
#[derive(sqlx::FromRow)]
struct TokenOwnerRow {
    secret_hash: String,
    #[sqlx(try_from = "String")]
    token_status: shared::TokenStatus,
    token_created_at: i64,
    last_used_at: Option<i64>,
    expires_at: Option<i64>,
    access: String,
    last_network: Option<String>,
    #[sqlx(flatten)]
    account: Account,
}

/// Checks a presented token: the id picks the row, the SHA-256 of the
/// whole token is compared in constant time. `last_used_at` is written at
/// most once a minute.
pub async fn authenticate(db: &Db, presented: &str) -> Result<TokenCheck, sqlx::Error> {
    let Some(id) = parse_token_id(presented) else {
        return Ok(TokenCheck::Unknown);
    };
    let row: Option<TokenOwnerRow> = sqlx::query_as(
        "SELECT t.secret_hash, t.status AS token_status, t.created_at AS token_created_at, t.last_used_at,
                t.expires_at, t.access, t.last_network,
                u.id, u.handle, u.display_name, u.tenant_id, u.status, u.token_min_issued_at, u.created_at,
                u.updated_at, u.version_id, a.hash AS avatar_hash
         FROM tokens t JOIN users u ON u.id = t.user_id
         LEFT JOIN avatars a ON a.user_id = u.id WHERE t.id = $1",
    )
    .bind(&id)
    .fetch_optional(db)
    .await?;
    let Some(TokenOwnerRow {
        secret_hash: hash,
        token_status: status,
        token_created_at: created_at,
        last_used_at,
        expires_at,
        access,
        last_network,
        account,
    }) = row
    else {
        return Ok(TokenCheck::Unknown);
    };
    let now = now_millis();
    let matches: bool = hash_secret(presented).as_bytes().ct_eq(hash.as_bytes()).into();
    let refused = if !matches {
        Some("wrong secret")
    } else if created_at < account.token_min_issued_at {
        Some("revoked by Reset authentication")
    } else if status != shared::TokenStatus::Active {
        Some("deactivated")
    } else if expires_at.is_some_and(|at| at <= now) {
        Some("expired")
    } else {
        None
    };
    if let Some(reason) = refused {
        return Ok(TokenCheck::Refused { owner_id: account.id, owner_handle: account.handle, token_id: id, reason });
    }
    let today = now - now.rem_euclid(DAY_MS);
    let first_use_today = if last_used_at.is_none_or(|t| t < today) {
        // Of two racing first requests of the day, one wins the flag.
        sqlx::query(
            "UPDATE tokens SET last_used_at = $1
             WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
        )
        .bind(now)
        .bind(&id)
        .bind(today)
        .execute(db)
        .await?
        .rows_affected()
            == 1
    } else {
        if last_used_at.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
            sqlx::query("UPDATE tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(&id).execute(db).await?;
        }
        false
    };
    // Only a token of full access may change anything.
    let read_only = shared::TokenAccess::parse(&access) != Some(shared::TokenAccess::Full);
    Ok(TokenCheck::Accepted { account: Box::new(account), token_id: id, first_use_today, read_only, last_network })
}

/// `spt_{20 base32hex}_{52 base32hex}` → `k_{20}`; anything else is not a token.
pub(crate) fn parse_token_id(presented: &str) -> Option<String> {
    let (body, _) = shared::token_format::parts(presented)?;
    Some(["k_", body].concat())
}
