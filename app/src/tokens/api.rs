//! `/user/{user_handle}/token…`: the spec's UserTokens operations.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use shared::TokenStatus;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, TokenChange, TokenRow};
use crate::access::Owner;
use crate::api::{path_param, ApiError, ApiJson, Page, UserPath};
use crate::infra::time::rfc3339;
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(read, update, delete))
}

/// The spec's `Token`. `token` is present once: in the answer to its
/// creation. `status` is `active`, `inactive`, `revoked` or `expired`;
/// `expires_at` is left out when the token does not expire; `access` is an
/// extension: `full` or `read_only`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Token {
    id: String,
    user_id: String,
    title: String,
    description: String,
    last4: String,
    status: String,
    token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<String>,
    access: &'static str,
    created_at: String,
    created_by_id: String,
    updated_at: String,
    updated_by_id: String,
    version_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl From<TokenRow> for Token {
    fn from(row: TokenRow) -> Self {
        Self {
            created_by_id: row.user_id.clone(),
            updated_by_id: row.user_id.clone(),
            id: row.id,
            user_id: row.user_id,
            title: row.title,
            description: row.description,
            last4: row.last4,
            status: row.status.as_str().to_owned(),
            token_type: "user",
            expires_at: row.expires_at.map(rfc3339),
            access: row.access.0.as_str(),
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            version_id: row.version_id,
            token: None,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ListTokensResponse {
    items: Vec<Token>,
}

#[utoipa::path(get, path = "/user/{user_handle}/token", operation_id = "userToken_list", tag = "UserTokens",
    params(crate::api::UserPath, crate::api::PageQuery),
    responses((status = 200, description = "OK", body = ListTokensResponse), crate::api::Refusals),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<ListTokensResponse>, ApiError> {
    // A person has at most two tokens: every list fits one page, and
    // `next_token` is never issued.
    page.single()?;
    let mut conn = state.db.acquire().await?;
    let rows = ssr::rows(&mut conn, &caller.account.id).await?;
    Ok(Json(ListTokensResponse { items: rows.into_iter().map(Token::from).collect() }))
}

/// What a new token is to be: every field may be left out (the spec's
/// operation takes no body; an empty body makes a full-access token that
/// does not expire, named for the day).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct CreateTokenRequest {
    title: Option<String>,
    description: Option<String>,
    /// When it stops working, ISO 8601 (RFC 3339); within 5 years.
    expires_at: Option<String>,
    /// `full` (the default) or `read_only`.
    access: Option<String>,
}

impl CreateTokenRequest {
    fn parse(body: &[u8]) -> Result<ssr::NewToken, ApiError> {
        let request: Self = if body.iter().all(u8::is_ascii_whitespace) {
            Self::default()
        } else {
            serde_json::from_slice(body).map_err(|e| ApiError::field("body", e.to_string()))?
        };
        let now = crate::infra::time::now_millis();
        let expires_at = match request.expires_at.as_deref() {
            None => None,
            Some(raw) => {
                let at = crate::infra::time::parse_rfc3339(raw)
                    .ok_or_else(|| ApiError::field("body.expires_at", "is not an ISO 8601 time"))?;
                Some(super::new_token::check_expiry(at, now).map_err(|e| ApiError::field("body.expires_at", e))?)
            }
        };
        let access = match request.access.as_deref() {
            None => super::TokenAccess::Full,
            Some(raw) => super::TokenAccess::parse(raw)
                .ok_or_else(|| ApiError::field("body.access", "must be \"full\" or \"read_only\""))?,
        };
        Ok(ssr::NewToken {
            title: text("body.title", request.title)?.filter(|t| !t.is_empty()),
            description: text("body.description", request.description)?.unwrap_or_default(),
            expires_at,
            access,
        })
    }
}

#[utoipa::path(post, path = "/user/{user_handle}/token", operation_id = "userToken_create", tag = "UserTokens",
    params(crate::api::UserPath),
    request_body(content = CreateTokenRequest, description = "Optional: a name, an expiry and an access level"),
    responses((status = 201, description = "Created", body = Token), (status = 402, description = "Payment Required", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn create(
    State(state): State<AppState>,
    Owner(caller): Owner,
    body: axum::body::Bytes,
) -> Result<impl IntoResponse, ApiError> {
    let new = CreateTokenRequest::parse(&body)?;
    let (row, secret) = ssr::create(&state, &caller.actor, &new).await.map_err(|e| match e {
        ssr::CreateTokenError::AtCap => ApiError::limit_reached(super::cap_message()),
        ssr::CreateTokenError::Db(e) => e.into(),
    })?;
    let mut token = Token::from(row);
    token.token = Some(secret.expose().clone());
    Ok((StatusCode::CREATED, Json(token)))
}

/// `{user_handle}` and `{token_id}`, parsed: a token id in the spec's
/// format (anything else cannot be a token). The same type documents them.
#[derive(Debug, utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
struct TokenPath {
    /// The handle of the user
    #[param(value_type = String)]
    #[allow(dead_code)] // checked against the caller by `Owner`
    user_handle: shared::Handle,
    /// The token id
    token_id: String,
}

impl<S: Send + Sync> FromRequestParts<S> for TokenPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let UserPath { user_handle } = UserPath::from_request_parts(parts, state).await?;
        let token_id = path_param(parts, state, "token_id").await?;
        if !shared::is_prefixed_id(&token_id, "k") {
            return Err(ApiError::field("path.token_id", "is not a token id"));
        }
        Ok(Self { user_handle, token_id })
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/token/{token_id}", operation_id = "userToken_get", tag = "UserTokens",
    params(TokenPath),
    responses((status = 200, description = "OK", body = Token), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn read(
    State(state): State<AppState>,
    Owner(caller): Owner,
    TokenPath { token_id: id, .. }: TokenPath,
) -> Result<Json<Token>, ApiError> {
    let mut conn = state.db.acquire().await?;
    let row = ssr::row(&mut conn, &caller.account.id, &id).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(row.into()))
}

/// The spec's `UpdateTokenRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTokenRequest {
    status: String,
    title: Option<String>,
    description: Option<String>,
}

const TEXT_LIMIT: usize = 100;

fn text(location: &str, value: Option<String>) -> Result<Option<String>, ApiError> {
    let Some(value) = value else { return Ok(None) };
    let value = value.trim().to_owned();
    if value.chars().count() > TEXT_LIMIT {
        return Err(ApiError::field(location, "must be at most 100 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(ApiError::field(location, "must not contain control characters"));
    }
    Ok(Some(value))
}

#[utoipa::path(patch, path = "/user/{user_handle}/token/{token_id}", operation_id = "userToken_update", tag = "UserTokens",
    params(TokenPath),
    request_body = UpdateTokenRequest,
    responses((status = 200, description = "OK", body = Token), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Owner(caller): Owner,
    TokenPath { token_id: id, .. }: TokenPath,
    ApiJson(request): ApiJson<UpdateTokenRequest>,
) -> Result<Json<Token>, ApiError> {
    let id = &id;
    let active = match TokenStatus::try_from(request.status) {
        Ok(TokenStatus::Active) => true,
        Ok(TokenStatus::Inactive) => false,
        _ => return Err(ApiError::field("body.status", "must be \"active\" or \"inactive\"")),
    };
    let change = TokenChange {
        active,
        title: text("body.title", request.title)?,
        description: text("body.description", request.description)?,
    };
    let row = ssr::update(&state, &caller.actor, id, change).await.map_err(change_error)?;
    Ok(Json(row.into()))
}

#[utoipa::path(delete, path = "/user/{user_handle}/token/{token_id}", operation_id = "userToken_delete", tag = "UserTokens",
    params(TokenPath),
    responses((status = 200, description = "OK", body = Token), crate::api::Refusals),
    security(("bearer" = [])))]
async fn delete(
    State(state): State<AppState>,
    Owner(caller): Owner,
    TokenPath { token_id: id, .. }: TokenPath,
) -> Result<Json<Token>, ApiError> {
    let row = ssr::delete(&state, &caller.actor, &id).await.map_err(change_error)?;
    Ok(Json(row.into()))
}

/// The API's door onto a refused change: a token that is not the
/// caller's is not found; one that can no longer change says why.
fn change_error(e: ssr::ChangeTokenError) -> ApiError {
    match e {
        ssr::ChangeTokenError::NotFound => ApiError::not_found(),
        ssr::ChangeTokenError::Revoked | ssr::ChangeTokenError::Expired => {
            ApiError::field("body.status", e.to_string())
        }
        ssr::ChangeTokenError::Db(e) => e.into(),
    }
}
