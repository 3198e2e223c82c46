//! Something used from somewhere new. Every credential's use is placed in
//! a network (an IPv4 /24, an IPv6 /48) of the account's: the first use in
//! 90 days of any credential from a network the account has not used
//! sends one System e-mail per credential and network, with one link,
//! "This wasn't me" (the `networks` feature's page), and is audited
//! (`security.new_network`). An account's very first network is its own:
//! it is recorded without a mail.

use std::net::IpAddr;

use serde_json::json;

use crate::error::AppError;
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::begin_write;
use crate::infra::ids::new_id;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// A network stays known this long after its last use.
pub const KNOWN_FOR_MS: i64 = 90 * shared::DAY_MS;
/// A known network's last use is written at most this often.
const TOUCH_EVERY_MS: i64 = shared::DAY_MS;

/// What was used.
#[derive(Debug, Clone)]
pub enum Credential {
    /// A browser signed in; the session's hash.
    Browser { session_hash: String },
    /// `sluice login` got its token.
    CliLogin { token_id: String },
    /// An API token.
    Token { token_id: String },
    /// A workspace sign-in with the database password; the role's workspace.
    DatabasePassword { workspace: String },
}

impl Credential {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Browser { .. } => "browser",
            Self::CliLogin { .. } => "cli_login",
            Self::Token { .. } => "token",
            Self::DatabasePassword { .. } => "database_password",
        }
    }

    /// The row it names: one alert per credential and network.
    fn id(&self, user_id: &str) -> String {
        match self {
            Self::Browser { session_hash } => session_hash.clone(),
            Self::CliLogin { token_id } | Self::Token { token_id } => token_id.clone(),
            Self::DatabasePassword { .. } => user_id.to_owned(),
        }
    }
}

/// The network `ip` is in: an IPv4 /24 or an IPv6 /48 (an IPv4 address
/// written as IPv6 counts as IPv4).
pub fn network_of(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => network_of(IpAddr::V4(v4)),
            None => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], 0, 0, 0, 0, 0);
                format!("{net}/48")
            }
        },
    }
}

/// One use: whose, what, from where, by what (a browser and system, a
/// client's name; empty when unknown).
#[derive(Debug, Clone)]
pub struct Use {
    pub user_id: String,
    pub credential: Credential,
    pub address: IpAddr,
    pub client: String,
}

/// Records a use, and alerts if its network is new to the account.
/// Answers whether a mail was sent.
pub async fn used(state: &AppState, u: Use) -> Result<bool, AppError> {
    let network = network_of(u.address);
    let now = now_millis();
    let known: Option<i64> =
        sqlx::query_scalar("SELECT last_used_at FROM known_networks WHERE user_id = $1 AND network = $2")
            .bind(&u.user_id)
            .bind(&network)
            .fetch_optional(&state.db)
            .await?;
    if let Some(at) = known.filter(|at| now - at < KNOWN_FOR_MS) {
        if now - at > TOUCH_EVERY_MS {
            sqlx::query("UPDATE known_networks SET last_used_at = $1 WHERE user_id = $2 AND network = $3")
                .bind(now)
                .bind(&u.user_id)
                .bind(&network)
                .execute(&state.db)
                .await?;
        }
        return Ok(false);
    }
    let mut tx = begin_write(&state.db).await?;
    // The account's very first network is its own: marked, not mailed.
    let first = sqlx::query("UPDATE users SET networks_since = $1 WHERE id = $2 AND networks_since IS NULL")
        .bind(now)
        .bind(&u.user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    sqlx::query(
        "INSERT INTO known_networks (user_id, network, first_used_at, last_used_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (user_id, network) DO UPDATE SET last_used_at = excluded.last_used_at",
    )
    .bind(&u.user_id)
    .bind(&network)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if first {
        tx.commit().await?;
        return Ok(false);
    }
    let account: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT u.handle, u.display_name, a.hash FROM users u LEFT JOIN avatars a ON a.user_id = u.id WHERE u.id = $1",
    )
    .bind(&u.user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((handle, display_name, avatar)) = account else { return Ok(false) };
    let name = credential_name(&mut tx, &u.credential).await?;
    let id = new_id("na");
    let credential_id = u.credential.id(&u.user_id);
    let inserted = sqlx::query(
        "INSERT INTO network_alerts (id, user_id, credential_kind, credential_id, credential_name, network, address, client, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id, credential_kind, credential_id, network) DO NOTHING",
    )
    .bind(&id)
    .bind(&u.user_id)
    .bind(u.credential.kind())
    .bind(&credential_id)
    .bind(&name)
    .bind(&network)
    .bind(u.address.to_string())
    .bind(&u.client)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        tx.commit().await?;
        return Ok(false);
    }
    let actor = Actor {
        avatar_url: shared::avatar::avatar_path(&u.user_id, avatar.as_deref()),
        id: u.user_id.clone(),
        handle: handle.clone(),
        display_name: display_name.clone(),
        ip: u.address.to_string(),
    };
    let data = json!({ "alert_id": id, "credential": u.credential.kind(), "credential_name": name,
                       "network": network, "client": u.client });
    audit_trail::record_own(&mut tx, &actor, "security.new_network", data, now).await?;
    tx.commit().await?;
    let link = state.settings.absolute(&format!("/not-me/{id}"));
    let client = if u.client.is_empty() { "not known".to_owned() } else { u.client.clone() };
    let body = format!(
        "Hello {display_name},\n\n{what} was used from a network your account has not used in the last 90 days.\n\n\
         What: {name}\nNetwork: {network} (address {address})\nClient: {client}\nWhen: {when}\nAccount: {handle}\n\n\
         If this was you, there is nothing to do: the network is known from now on. If it was not,\n\
         this link {undo} (after you confirm it is you):\n\nThis wasn't me: {link}\n\n{footer}\n\nSluice\n",
        what = capitalised(&name),
        address = u.address,
        when = rfc3339(now),
        undo = undo_words(&u.credential),
        footer = crate::infra::system_mail::FOOTER,
    );
    let subject = format!("New network: {name} was used from {network}");
    crate::infra::system_mail::to_account(state, &u.user_id, &subject, body).await;
    Ok(true)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// What "This wasn't me" does to the credential, in the mail's words.
pub fn undo_words(credential: &Credential) -> &'static str {
    match credential {
        Credential::Browser { .. } => "signs that browser out",
        Credential::CliLogin { .. } | Credential::Token { .. } => "revokes that token",
        Credential::DatabasePassword { .. } => "rotates your database password",
    }
}

async fn credential_name(conn: &mut sqlx::AnyConnection, credential: &Credential) -> Result<String, sqlx::Error> {
    Ok(match credential {
        Credential::Browser { .. } => "a browser sign-in".to_owned(),
        Credential::CliLogin { .. } => "a CLI login (sluice login)".to_owned(),
        Credential::Token { token_id } => {
            let token: Option<(String, String)> = sqlx::query_as("SELECT title, token_type FROM tokens WHERE id = $1")
                .bind(token_id)
                .fetch_optional(conn)
                .await?;
            match token {
                Some((_, kind)) if kind == "temporary" => "a CLI login's token".to_owned(),
                Some((title, _)) => format!("the API token \u{201c}{title}\u{201d}"),
                None => "an API token".to_owned(),
            }
        }
        Credential::DatabasePassword { workspace } => {
            format!("the database password (a sign-in to the workspace \u{201c}{workspace}\u{201d})")
        }
    })
}

/// For a browser sign-in that has just made its session.
pub async fn signed_in(state: &AppState, user_id: &str, session_hash: &str, parts: &http::request::Parts) {
    let Some(address) = crate::infra::request::client_ip(parts) else { return };
    let (browser, system) = crate::infra::user_agent::describe(&super::session::ssr::user_agent(parts));
    let u = Use {
        user_id: user_id.to_owned(),
        credential: Credential::Browser { session_hash: session_hash.to_owned() },
        address,
        client: format!("{browser} on {system}"),
    };
    if let Err(error) = used(state, u).await {
        tracing::warn!(%error, "a sign-in's network was not checked");
    }
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn networks_are_v4_24s_and_v6_48s() {
        let n = |s: &str| network_of(s.parse().unwrap());
        assert_eq!(n("203.0.113.7"), "203.0.113.0/24");
        assert_eq!(n("203.0.113.250"), "203.0.113.0/24");
        assert_eq!(n("::ffff:198.51.100.9"), "198.51.100.0/24");
        assert_eq!(n("2001:db8:1234:5678::1"), "2001:db8:1234::/48");
        assert_eq!(n("::1"), "::/48");
    }
}
