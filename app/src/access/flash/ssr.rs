//! The flash cookie: sealed with the server's key for one person, valid
//! for two minutes, `HttpOnly` and `SameSite=Strict`, cleared by the page
//! that shows it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header::{HeaderValue, ACCEPT, SET_COOKIE};
use http::request::Parts;
use serde::{Deserialize, Serialize};

use super::Flash;
use crate::infra::request::cookie;
use crate::infra::time::now_millis;
use crate::infra::{AppState, Settings};

const LIFETIME_MS: i64 = 120_000;

/// The flash a page request carried, opened, for the renderer.
#[derive(Debug, Clone)]
pub struct CurrentFlash(pub Option<Flash>);

#[derive(Serialize, Deserialize)]
struct Sealed {
    expires_at: i64,
    flash: Flash,
}

fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure_cookies() {
        "__Host-sluice_flash"
    } else {
        "sluice_flash"
    }
}

fn owner(user_id: &str) -> String {
    format!("flash:{user_id}")
}

fn header(settings: &Settings, value: &str, max_age_secs: i64) -> Option<HeaderValue> {
    let secure = if settings.secure_cookies() { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}",
        cookie_name(settings)
    ))
    .ok()
}

/// Whether the request is a browser's plain form post (it asks for HTML),
/// which is answered with a redirect rather than data.
pub fn is_plain_form(parts: &Parts) -> bool {
    parts.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("text/html"))
}

/// Leaves `flash` for `user_id`'s next page, on the current server
/// function's response.
pub fn set(state: &AppState, user_id: &str, flash: Flash) {
    let sealed = Sealed { expires_at: now_millis() + LIFETIME_MS, flash };
    let Ok(json) = serde_json::to_vec(&sealed) else {
        return;
    };
    let value = URL_SAFE_NO_PAD.encode(state.vault.seal(&owner(user_id), &json));
    if let Some(h) = header(&state.settings, &value, LIFETIME_MS / 1000) {
        crate::access::session::ssr::set_cookie(h);
    }
}

/// The flash the request carries for `user_id`, if it opens and has not
/// expired. A cookie sealed for someone else does not open.
pub fn open(state: &AppState, parts: &Parts, user_id: &str) -> Option<Flash> {
    let raw = URL_SAFE_NO_PAD.decode(cookie(parts, cookie_name(&state.settings))?).ok()?;
    let plain = state.vault.open(&owner(user_id), &raw).ok()?;
    let sealed: Sealed = serde_json::from_slice(plain.expose()).ok()?;
    (sealed.expires_at > now_millis()).then_some(sealed.flash)
}

/// Whether the request carries a flash cookie at all.
pub fn present(state: &AppState, parts: &Parts) -> bool {
    cookie(parts, cookie_name(&state.settings)).is_some()
}

/// The header that clears the flash cookie, appended to a response.
pub fn clear(state: &AppState, headers: &mut http::HeaderMap) {
    if let Some(h) = header(&state.settings, "", 0) {
        headers.append(SET_COOKIE, h);
    }
}

/// For a plain form post, leaves `flash()` for the page the browser
/// returns to and answers `true`: the caller then keeps the secret out of
/// its own answer, which the browser does not show.
pub fn divert(state: &AppState, user_id: &str, flash: impl FnOnce() -> Flash) -> bool {
    let plain = crate::infra::request::parts().is_ok_and(|p| is_plain_form(&p));
    if plain {
        set(state, user_id, flash());
    }
    plain
}
