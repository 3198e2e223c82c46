//! Server-side sessions: a random cookie value, stored only as its hash,
//! with idle and absolute timeouts (see docs/security.md), and dead once
//! the account's `token_min_issued_at` passes its start.

use http::header::{HeaderValue, SET_COOKIE};
use http::request::Parts;
use sqlx::AnyConnection;

use super::Viewer;
use crate::error::AppError;
use crate::infra::ids::{hash_secret, new_secret};
use crate::infra::request::{client_ip_text, cookie};
use crate::infra::time::now_millis;
use crate::infra::{AppState, Settings};

/// The request's signed-in person, resolved before a page renders.
#[derive(Debug, Clone)]
pub struct CurrentViewer(pub Option<Viewer>);

/// For page requests: resolves the session once and leaves the answer in
/// the request's extensions for the renderer; `next` answers the request.
pub async fn attach_viewer<F: std::future::Future<Output = axum::response::Response>>(
    state: &AppState,
    request: axum::extract::Request,
    next: impl FnOnce(axum::extract::Request) -> F,
) -> axum::response::Response {
    if request.method() != http::Method::GET || !is_page_path(request.uri().path()) {
        return next(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let current = match viewer(state, &parts).await {
        Ok(v) => v.map(|(viewer, _)| viewer),
        Err(_) => None,
    };
    // A flash is shown by this page and no other: taken and cleared.
    let flashed = crate::access::flash::ssr::present(state, &parts);
    let flash =
        current.as_ref().filter(|_| flashed).and_then(|v| crate::access::flash::ssr::open(state, &parts, &v.id));
    parts.extensions.insert(CurrentViewer(current));
    parts.extensions.insert(crate::access::flash::ssr::CurrentFlash(flash));
    let mut response = next(axum::extract::Request::from_parts(parts, body)).await;
    if flashed {
        crate::access::flash::ssr::clear(state, response.headers_mut());
    }
    response
}

/// Whether a path may be answered with a page (the app's or its 404):
/// everything but the site's files (a release's too), server functions,
/// the API and avatars.
pub fn is_page_path(path: &str) -> bool {
    !["/pkg/", crate::infra::release::Release::PREFIX, "/sfn/", "/api/", "/avatar/", "/favicon"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// Only refresh `last_seen_at` this often, so that reading a page does not
/// write to the database every time.
const TOUCH_EVERY_MS: i64 = 60_000;

pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-sluice_session"
    } else {
        "sluice_session"
    }
}

fn cookie_header(settings: &Settings, value: &str, max_age_secs: u64) -> HeaderValue {
    named_cookie(settings, cookie_name(settings), value, max_age_secs)
}

/// A `Set-Cookie` value for `name` (a `__Host-` name when cookies are secure):
/// the session's, and the half-signed-in state's.
pub fn named_cookie(settings: &Settings, name: &str, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if settings.secure_cookies() { "; Secure" } else { "" };
    let header = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}");
    HeaderValue::from_str(&header).expect("cookie values are base64url")
}

/// The User-Agent a session keeps: as sent, cut to this many characters.
pub const USER_AGENT_MAX: usize = 512;

/// The request's User-Agent, cut to [`USER_AGENT_MAX`] characters.
pub fn user_agent(parts: &Parts) -> String {
    let sent = parts.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or_default();
    sent.chars().take(USER_AGENT_MAX).collect()
}

/// Starts a session for `user_id`, signed in by the request `parts`, and
/// returns its `Set-Cookie` value and the session's hash.
pub async fn start(
    conn: &mut AnyConnection,
    settings: &Settings,
    user_id: &str,
    parts: &Parts,
    now_ms: i64,
) -> Result<(HeaderValue, String), sqlx::Error> {
    let secret = new_secret();
    let id_hash = hash_secret(&secret);
    let ip = client_ip_text(parts);
    // Signing in is a proof of who one is ("Confirm it is you").
    let proved_at = settings.clock.now_millis().await;
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, user_agent, signed_in_ip, last_ip, confirmed_at)
         VALUES ($1, $2, $3, $3, $4, $5, $5, $6)",
    )
    .bind(&id_hash)
    .bind(user_id)
    .bind(now_ms)
    .bind(user_agent(parts))
    .bind(ip)
    .bind(proved_at)
    .execute(conn)
    .await?;
    Ok((cookie_header(settings, &secret, settings.session_absolute.as_secs()), id_hash))
}

/// Sets a cookie on the response of the current server function.
pub fn set_cookie(value: HeaderValue) {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(SET_COOKIE, value);
    }
}

/// A live session's person, with their avatar and tenant.
#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    handle: String,
    display_name: String,
    email: String,
    avatar_hash: Option<String>,
    avatar_source: Option<String>,
    last_seen_at: i64,
    tenant: Option<String>,
}

/// The person this request's session belongs to, and the session's hash.
pub async fn viewer(state: &AppState, parts: &Parts) -> Result<Option<(Viewer, String)>, AppError> {
    let Some(secret) = cookie(parts, cookie_name(&state.settings)) else {
        return Ok(None);
    };
    let id_hash = hash_secret(secret);
    let now = now_millis();
    let idle_ms = state.settings.session_idle.as_millis() as i64;
    let absolute_ms = state.settings.session_absolute.as_millis() as i64;
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT u.id, u.handle, u.display_name, u.email, a.hash AS avatar_hash, a.source_url AS avatar_source,
                s.last_seen_at, t.handle AS tenant
         FROM sessions s JOIN users u ON u.id = s.user_id
         LEFT JOIN avatars a ON a.user_id = u.id
         LEFT JOIN tenants t ON t.id = u.tenant_id
         WHERE s.id_hash = $1 AND s.created_at > $2 AND s.last_seen_at > $3
           AND s.created_at >= u.token_min_issued_at",
    )
    .bind(&id_hash)
    .bind(now - absolute_ms)
    .bind(now - idle_ms)
    .fetch_optional(&state.db)
    .await?;
    let Some(SessionRow { id, handle, display_name, email, avatar_hash, avatar_source, last_seen_at, tenant }) = row
    else {
        return Ok(None);
    };
    if now - last_seen_at > TOUCH_EVERY_MS {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, last_ip = $2 WHERE id_hash = $3")
            .bind(now)
            .bind(client_ip_text(parts))
            .bind(&id_hash)
            .execute(&state.db)
            .await?;
    }
    Ok(Some((
        Viewer {
            avatar: shared::avatar::avatar_path(&id, avatar_hash.as_deref()),
            avatar_source,
            tenant,
            id,
            handle,
            display_name,
            email,
        },
        id_hash,
    )))
}

/// The signed-in person, or `Unauthorized`.
pub async fn require_viewer() -> Result<Viewer, AppError> {
    let state = AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    viewer(&state, &parts).await?.map(|(v, _)| v).ok_or(AppError::Unauthorized)
}

/// Ends the request's session (if any) and clears the cookie.
pub async fn end(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if let Some(secret) = cookie(parts, cookie_name(&state.settings)) {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash_secret(secret)).execute(&state.db).await?;
    }
    set_cookie(cookie_header(&state.settings, "", 0));
    Ok(())
}

/// The hash of the session this request carries, signed in or not.
pub fn presented_hash(settings: &Settings, parts: &Parts) -> Option<String> {
    cookie(parts, cookie_name(settings)).map(hash_secret)
}

/// The cookie of the half-signed-in state: an e-mail link was used, a
/// second factor is still to come. It is no session: it opens nothing but
/// the second step (`login::second_step`).
pub fn second_step_cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-sluice_second_step"
    } else {
        "sluice_second_step"
    }
}

/// The hash of the half-signed-in state this request carries, if any.
pub fn presented_second_step(settings: &Settings, parts: &Parts) -> Option<String> {
    cookie(parts, second_step_cookie_name(settings)).map(hash_secret)
}

/// Ends the request's half-signed-in state (signed in another way, or
/// given up) and clears its cookie.
pub async fn end_second_step(state: &AppState, parts: &Parts) -> Result<(), AppError> {
    if let Some(hash) = presented_second_step(&state.settings, parts) {
        sqlx::query("DELETE FROM second_steps WHERE id_hash = $1").bind(hash).execute(&state.db).await?;
        set_cookie(named_cookie(&state.settings, second_step_cookie_name(&state.settings), "", 0));
    }
    Ok(())
}
