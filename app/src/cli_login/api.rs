//! `/login/token…`: the spec's Auth operations for CLI login. Creating and
//! exchanging need no token (the CLI has none yet); possessing the whole
//! request id is what lets the CLI see and end its own request. Both are
//! rate-limited per address.

use axum::extract::{FromRequestParts, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::Json;
use http::request::Parts;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, Exchange, RequestId, RequestRow, RequestState};
use crate::access::Caller;
use crate::api::{path_param, ApiError, ApiJson};
use crate::infra::rate_limit::{self, Limit};
use crate::infra::request::client_ip_text;
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// Requests made per address and minute.
const CREATE_LIMIT: Limit = Limit { max: 10, window_secs: 60 };
/// Status checks and exchanges per address and minute.
const EXCHANGE_LIMIT: Limit = Limit { max: 60, window_secs: 60 };

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(create)).routes(routes!(read, update, delete))
}

/// The spec's `TemporaryTokenRequest`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct TemporaryTokenRequest {
    id: String,
    state: String,
    client_ip: String,
    /// Never given to the CLI: it must come from the person's screen.
    code: String,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
}

impl TemporaryTokenRequest {
    fn new(id: &RequestId, row: &RequestRow) -> Self {
        Self {
            id: id.as_str().to_owned(),
            state: row.state.as_str().to_owned(),
            client_ip: row.client_ip.clone(),
            code: String::new(),
            created_at: rfc3339(row.created_at),
            updated_at: rfc3339(row.updated_at),
            token: None,
        }
    }
}

/// `{temporary_token_request_id}`, parsed.
struct PathId(RequestId);

impl<S: Send + Sync> FromRequestParts<S> for PathId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let raw = path_param(parts, state, "temporary_token_request_id").await?;
        RequestId::parse(&raw)
            .map(Self)
            .ok_or_else(|| ApiError::field("path.temporary_token_request_id", "is not a login request id"))
    }
}

async fn limit(state: &AppState, what: &str, ip: &str, limit: Limit) -> Result<(), ApiError> {
    rate_limit::hit(&state.db, &format!("cli_login:{what}:{ip}"), limit, now_millis()).await?;
    Ok(())
}

#[utoipa::path(post, path = "/login/token", operation_id = "auth_loginToken_create", tag = "Auth",
    responses((status = 201, description = "Created", body = TemporaryTokenRequest), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)))]
async fn create(State(state): State<AppState>, parts: Parts) -> Result<impl IntoResponse, ApiError> {
    let ip = client_ip_text(&parts);
    limit(&state, "create", &ip, CREATE_LIMIT).await?;
    let (id, row) = ssr::create(&state.db, &ip, now_millis()).await?;
    Ok((StatusCode::CREATED, Json(TemporaryTokenRequest::new(&id, &row))))
}

#[derive(Debug, Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

/// Without `code`: the request's state. With the code the person was
/// shown: the temporary token, once.
#[utoipa::path(get, path = "/login/token/{temporary_token_request_id}", operation_id = "auth_loginToken_get", tag = "Auth",
    params(("temporary_token_request_id" = String, Path, description = "The login request id"), ("code" = Option<String>, Query, description = "The code shown when the request was confirmed")),
    responses((status = 200, description = "OK", body = TemporaryTokenRequest), (status = 400, description = "Bad Request", body = crate::api::ErrorModel), (status = 404, description = "Not Found", body = crate::api::ErrorModel), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)))]
async fn read(
    State(state): State<AppState>,
    PathId(id): PathId,
    Query(query): Query<CodeQuery>,
    parts: Parts,
) -> Result<Json<TemporaryTokenRequest>, ApiError> {
    let ip = client_ip_text(&parts);
    limit(&state, "exchange", &ip, EXCHANGE_LIMIT).await?;
    let now = now_millis();
    let Some(raw) = query.code else {
        let mut conn = state.db.acquire().await?;
        let row = ssr::find(&mut conn, &id, now).await?.ok_or_else(ApiError::not_found)?;
        return Ok(Json(TemporaryTokenRequest::new(&id, &row)));
    };
    let code = ssr::parse_code(&raw).ok_or_else(|| ApiError::field("query.code", "must be six digits"))?;
    match ssr::exchange(&state.db, &id, code, &ip, now).await.map_err(request_error)? {
        Exchange::NotConfirmed(_) => {
            Err(ApiError::bad_request("The request is not confirmed yet: open its page, sign in and press Confirm."))
        }
        Exchange::WrongCode { left } if left > 0 => Err(ApiError::field(
            "query.code",
            format!("is not the code shown; {left} more tries before the request ends"),
        )),
        Exchange::WrongCode { .. } => {
            Err(ApiError::field("query.code", "is not the code shown; the request has ended, start again"))
        }
        Exchange::Token(row, token, issued) => {
            if let Some(address) = crate::infra::request::client_ip(&parts) {
                let agent = crate::access::session::ssr::user_agent(&parts);
                let u = crate::access::networks::Use {
                    user_id: issued.user_id,
                    credential: crate::access::networks::Credential::CliLogin { token_id: issued.token_id },
                    address,
                    client: agent.chars().take(80).collect(),
                };
                if let Err(error) = crate::access::networks::used(&state, u).await {
                    tracing::warn!(%error, "a CLI login's network was not checked");
                }
            }
            let mut body = TemporaryTokenRequest::new(&id, &row);
            body.token = Some(token.expose().clone());
            Ok(Json(body))
        }
    }
}

/// The spec's `UpdateTemporaryTokenRequest`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UpdateTemporaryTokenRequest {
    state: RequestState,
}

/// Confirming through the API, as the console does: the caller's token
/// says who is signing the CLI in; the answer carries the code.
#[utoipa::path(patch, path = "/login/token/{temporary_token_request_id}", operation_id = "auth_loginToken_update", tag = "Auth",
    params(("temporary_token_request_id" = String, Path, description = "The login request id")),
    request_body = UpdateTemporaryTokenRequest,
    responses((status = 200, description = "OK", body = TemporaryTokenRequest), (status = 400, description = "Bad Request", body = crate::api::ErrorModel), (status = 401, description = "Unauthorized", body = crate::api::ErrorModel), (status = 404, description = "Not Found", body = crate::api::ErrorModel), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId,
    ApiJson(body): ApiJson<UpdateTemporaryTokenRequest>,
) -> Result<Json<TemporaryTokenRequest>, ApiError> {
    if body.state != RequestState::Confirmed {
        return Err(ApiError::field("body.state", "a request can only be confirmed"));
    }
    let now = now_millis();
    let code = ssr::confirm(&state.db, &id, &caller.actor, now).await.map_err(request_error)?;
    let mut conn = state.db.acquire().await?;
    let row = ssr::find(&mut conn, &id, now).await?.ok_or_else(ApiError::not_found)?;
    let mut answer = TemporaryTokenRequest::new(&id, &row);
    answer.code = code.expose().clone();
    Ok(Json(answer))
}

#[utoipa::path(delete, path = "/login/token/{temporary_token_request_id}", operation_id = "auth_loginToken_delete", tag = "Auth",
    params(("temporary_token_request_id" = String, Path, description = "The login request id")),
    responses((status = 200, description = "OK", body = TemporaryTokenRequest), (status = 404, description = "Not Found", body = crate::api::ErrorModel), (status = 429, description = "Too Many Requests", body = crate::api::ErrorModel)))]
async fn delete(
    State(state): State<AppState>,
    axum::extract::Path(raw): axum::extract::Path<String>,
) -> Result<Json<TemporaryTokenRequest>, ApiError> {
    // The spec answers an unknown request here with 404, a malformed id too.
    let id = RequestId::parse(&raw).ok_or_else(ApiError::not_found)?;
    let row = ssr::delete(&state.db, &id, now_millis()).await?.ok_or_else(ApiError::not_found)?;
    Ok(Json(TemporaryTokenRequest::new(&id, &row)))
}

/// The API's door onto a request that cannot be confirmed or exchanged.
fn request_error(e: ssr::RequestError) -> ApiError {
    match e {
        ssr::RequestError::NotFound => ApiError::not_found(),
        ssr::RequestError::AlreadyConfirmed => ApiError::bad_request(e.to_string()),
        ssr::RequestError::Db(e) => e.into(),
    }
}
