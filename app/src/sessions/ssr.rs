//! Listing and ending a person's sessions. A browser session is known by
//! `s_` and the first 20 characters of its cookie's SHA-256 (the cookie
//! itself is never stored, and this prefix cannot be turned back into
//! it); a CLI login by its temporary token's id. Only live ones are shown:
//! those the sign-in check would still accept.

use serde_json::json;

use super::{SessionItem, SessionKind};
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::user_agent as agent;
use crate::infra::AppState;

/// Characters of the cookie's hash in a browser session's id.
const ID_HASH_CHARS: usize = 20;
/// The most of each kind listed (sign-in links are rate-limited, so a
/// person rarely has more than a handful).
const LIST_MAX: i64 = 200;

/// A session's id as parsed at the edge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionId {
    /// The first [`ID_HASH_CHARS`] of the session's hash.
    Browser(String),
    /// A temporary token's id.
    Cli(String),
}

impl SessionId {
    pub fn parse(raw: &str) -> Option<Self> {
        let hex =
            |s: &str| s.len() == ID_HASH_CHARS && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if let Some(prefix) = raw.strip_prefix("s_").filter(|s| hex(s)) {
            return Some(Self::Browser(prefix.to_owned()));
        }
        let b32 = |s: &str| {
            s.len() == shared::ID_BODY_LEN && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'v').contains(&b))
        };
        raw.strip_prefix("k_").filter(|s| b32(s)).map(|_| Self::Cli(raw.to_owned()))
    }

    fn text(&self) -> String {
        match self {
            Self::Browser(prefix) => format!("s_{prefix}"),
            Self::Cli(id) => id.clone(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct BrowserRow {
    id_hash: String,
    user_agent: String,
    signed_in_ip: String,
    last_ip: String,
    created_at: i64,
    last_seen_at: i64,
}

#[derive(sqlx::FromRow)]
struct CliRow {
    id: String,
    created_ip: String,
    created_at: i64,
    last_used_at: Option<i64>,
    expires_at: i64,
}

/// The person's live sessions, newest first, then their CLI logins;
/// `current` is the hash of the cookie this request came with.
pub async fn list(state: &AppState, user_id: &str, current: Option<&str>) -> Result<Vec<SessionItem>, sqlx::Error> {
    let now = now_millis();
    let idle = state.settings.session_idle.as_millis() as i64;
    let absolute = state.settings.session_absolute.as_millis() as i64;
    let browsers: Vec<BrowserRow> = sqlx::query_as(
        "SELECT s.id_hash, s.user_agent, s.signed_in_ip, s.last_ip, s.created_at, s.last_seen_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.user_id = $1 AND s.created_at > $2 AND s.last_seen_at > $3
           AND s.created_at >= u.token_min_issued_at
         ORDER BY s.last_seen_at DESC LIMIT $4",
    )
    .bind(user_id)
    .bind(now - absolute)
    .bind(now - idle)
    .bind(LIST_MAX)
    .fetch_all(&state.db)
    .await?;
    let clis: Vec<CliRow> = sqlx::query_as(
        "SELECT t.id, t.created_ip, t.created_at, t.last_used_at, t.expires_at
         FROM tokens t JOIN users u ON u.id = t.user_id
         WHERE t.user_id = $1 AND t.token_type = 'temporary' AND t.status = 'active'
           AND t.expires_at > $2 AND t.created_at >= u.token_min_issued_at
         ORDER BY t.created_at DESC LIMIT $3",
    )
    .bind(user_id)
    .bind(now)
    .bind(LIST_MAX)
    .fetch_all(&state.db)
    .await?;
    let mut items: Vec<SessionItem> = browsers
        .into_iter()
        .map(|s| {
            let (browser, system) = agent::describe(&s.user_agent);
            SessionItem {
                id: format!("s_{}", &s.id_hash[..ID_HASH_CHARS.min(s.id_hash.len())]),
                kind: SessionKind::Browser,
                browser,
                system,
                current: current == Some(s.id_hash.as_str()),
                signed_in_ip: s.signed_in_ip,
                last_ip: s.last_ip,
                created_at: rfc3339(s.created_at),
                last_active_at: Some(rfc3339(s.last_seen_at)),
                expires_at: rfc3339((s.created_at + absolute).min(s.last_seen_at + idle)),
            }
        })
        .collect();
    items.extend(clis.into_iter().map(|t| SessionItem {
        id: t.id,
        kind: SessionKind::Cli,
        browser: "Sluice CLI".into(),
        system: "Command line".into(),
        signed_in_ip: t.created_ip.clone(),
        last_ip: t.created_ip,
        created_at: rfc3339(t.created_at),
        last_active_at: t.last_used_at.map(rfc3339),
        expires_at: rfc3339(t.expires_at),
        current: false,
    }));
    // The current one first: the page marks it This device.
    items.sort_by_key(|i| !i.current);
    Ok(items)
}

/// Ends one of `actor`'s sessions; answers whether there was such a one.
pub async fn revoke(state: &AppState, actor: &Actor, id: &SessionId) -> Result<bool, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let ended = match id {
        SessionId::Browser(prefix) => {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND substr(id_hash, 1, 20) = $2")
                .bind(&actor.id)
                .bind(prefix)
                .execute(&mut *tx)
                .await?
        }
        SessionId::Cli(token_id) => {
            sqlx::query("DELETE FROM tokens WHERE user_id = $1 AND id = $2 AND token_type = 'temporary'")
                .bind(&actor.id)
                .bind(token_id)
                .execute(&mut *tx)
                .await?
        }
    };
    if ended.rows_affected() == 0 {
        return Ok(false);
    }
    let kind = match id {
        SessionId::Browser(_) => "browser",
        SessionId::Cli(_) => "cli",
    };
    let data = json!({ "session_id": id.text(), "kind": kind });
    audit_trail::record_own(&mut tx, actor, "session.revoke", data, now).await?;
    tx.commit().await?;
    Ok(true)
}

/// Ends every session and CLI login of `actor` but the browser session
/// whose hash is `keep`; answers how many ended.
pub async fn revoke_others(state: &AppState, actor: &Actor, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let browsers = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(&actor.id)
        .bind(keep.unwrap_or_default())
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let clis = sqlx::query("DELETE FROM tokens WHERE user_id = $1 AND token_type = 'temporary'")
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    let data = json!({ "browsers": browsers, "cli_logins": clis });
    audit_trail::record_own(&mut tx, actor, "session.revoke_others", data, now).await?;
    tx.commit().await?;
    Ok(browsers + clis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_parse_at_the_edge() {
        assert_eq!(SessionId::parse("s_0123456789abcdef0123"), Some(SessionId::Browser("0123456789abcdef0123".into())));
        assert_eq!(SessionId::parse("k_0123456789abcdefghij"), Some(SessionId::Cli("k_0123456789abcdefghij".into())));
        for bad in [
            "",
            "s_",
            "s_0123456789ABCDEF0123",
            "s_0123456789abcdef012",
            "k_0123456789abcdefghiz",
            "x_1",
            "s_0123456789abcdef0123 ",
        ] {
            assert_eq!(SessionId::parse(bad), None, "{bad}");
        }
    }
}
