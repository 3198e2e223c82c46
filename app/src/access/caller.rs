//! Who is calling: the bearer token in `Authorization`, and nothing else.
//! A session cookie on an API request is ignored.

use axum::extract::FromRequestParts;
use http::header::AUTHORIZATION;
use http::request::Parts;

use super::bearer::{authenticate, Account, TokenCheck};
use crate::api::{ApiError, UserPath};
use crate::infra::audit_trail::{self, Actor, Entry};
use crate::infra::rate_limit::{self, Limit};
use crate::infra::time::now_millis;
use crate::infra::AppState;
use serde_json::json;

/// The person an API token belongs to, and the token they used.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Their account as the API shows it, read with the token.
    pub account: Account,
    pub token_id: String,
    /// The token has Read only access: it reads the account and changes
    /// nothing, and is given nothing that could change anything.
    pub read_only: bool,
    /// The same person as the Audit Log names them, with the request's
    /// address.
    pub actor: Actor,
}

/// The caller, on a path under `/user/{user_handle}` that is theirs:
/// every such route takes this, so none can forget the check. Another
/// handle is a 403 whether or not it exists; no token is a 401 first.
#[derive(Debug, Clone)]
pub struct Owner(pub Caller);

impl FromRequestParts<AppState> for Owner {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = Caller::from_request_parts(parts, state).await?;
        let handle = UserPath::from_request_parts(parts, state).await?;
        if handle.as_str() == caller.account.handle {
            return Ok(Self(caller));
        }
        let data = json!({ "method": parts.method.as_str(), "path": full_path(parts), "token_id": caller.token_id });
        audit_trail::write_own(&state.db, &caller.actor, "auth.refused", data).await;
        Err(ApiError::forbidden())
    }
}

impl Caller {
    /// Goes on only with a Full access token. A read that hands out a
    /// credential (the database password, which writes to every
    /// workspace) is more than read-only access, though it is a GET.
    pub async fn require_full_access(&self, state: &AppState, what: &str) -> Result<(), ApiError> {
        if !self.read_only {
            return Ok(());
        }
        let data = json!({ "token_id": self.token_id, "reason": "read-only token", "what": what });
        audit_trail::write_own(&state.db, &self.actor, "auth.refused", data).await;
        Err(ApiError::read_only())
    }
}

/// A token used from another network than last time: noted, and alerted
/// if the network is new to the account.
async fn token_moved(
    state: &AppState,
    user_id: &str,
    token_id: &str,
    address: std::net::IpAddr,
    network: &str,
    parts: &Parts,
) {
    let agent = super::session::ssr::user_agent(parts);
    let client = if agent.is_empty() { String::new() } else { agent.chars().take(80).collect() };
    let u = super::networks::Use {
        user_id: user_id.to_owned(),
        credential: super::networks::Credential::Token { token_id: token_id.to_owned() },
        address,
        client,
    };
    if let Err(error) = super::networks::used(state, u).await {
        tracing::warn!(%error, "a token's network was not checked");
        return;
    }
    let noted = sqlx::query("UPDATE tokens SET last_network = $1 WHERE id = $2")
        .bind(network)
        .bind(token_id)
        .execute(&state.db)
        .await;
    if let Err(error) = noted {
        tracing::warn!(%error, "a token's network was not noted");
    }
}

fn full_path(parts: &Parts) -> String {
    crate::api::full_path(&parts.extensions, &parts.uri)
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(ApiError::unauthorized)?;
        match authenticate(&state.db, token).await? {
            TokenCheck::Unknown => Err(ApiError::unauthorized()),
            TokenCheck::Refused { owner_id, owner_handle, token_id, reason } => {
                let entry = Entry {
                    action_type: "token.refused",
                    identity_id: &owner_id,
                    identity_handle: &owner_handle,
                    target_id: Some(&token_id),
                    target_handle: None,
                    data: json!({ "token_id": token_id, "reason": reason, "path": full_path(parts) }),
                };
                audit_trail::write_refusal(&state.db, &Actor::unknown(parts), entry).await;
                Err(ApiError::unauthorized())
            }
            TokenCheck::Accepted { account, token_id, first_use_today, read_only, last_network } => {
                let limit = Limit { max: state.settings.api_per_minute, window_secs: 60 };
                let key = format!("api:{token_id}");
                rate_limit::hit_leased(&state.db, &state.leases, &key, limit, now_millis()).await?;
                let actor = Actor {
                    id: account.id.clone(),
                    handle: account.handle.clone(),
                    display_name: account.display_name.clone(),
                    avatar_url: shared::avatar::avatar_path(&account.id, account.avatar_hash.as_deref()),
                    ip: crate::infra::request::client_ip_text(parts),
                };
                // A read-only token reads; anything else is refused before
                // any handler runs.
                let reads = matches!(parts.method, http::Method::GET | http::Method::HEAD | http::Method::OPTIONS);
                if read_only && !reads {
                    let data = json!({ "method": parts.method.as_str(), "path": full_path(parts), "token_id": token_id,
                                       "reason": "read-only token" });
                    audit_trail::write_own(&state.db, &actor, "auth.refused", data).await;
                    return Err(ApiError::read_only());
                }
                if first_use_today {
                    let data = json!({ "token_id": token_id, "path": full_path(parts) });
                    audit_trail::write_own(&state.db, &actor, "token.use", data).await;
                }
                // Only a token used from another network than last time is looked at.
                if let Some(address) = crate::infra::request::client_ip(parts) {
                    let network = super::networks::network_of(address);
                    if last_network.as_deref() != Some(network.as_str()) {
                        token_moved(state, &account.id, &token_id, address, &network, parts).await;
                    }
                }
                Ok(Self { account: *account, token_id, read_only, actor })
            }
        }
    }
}
