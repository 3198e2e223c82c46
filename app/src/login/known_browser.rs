//! A browser that signed in to an account before. Signing in leaves a
//! cookie that names the account, sealed with the server's key (so it
//! cannot be made or altered elsewhere). A link request for that account's
//! address from that browser is not held back by the limit on links per
//! address: a stranger who knows someone's e-mail can use that limit up
//! (it guards the mailbox against floods), but cannot keep its owner out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::header::HeaderValue;
use http::request::Parts;

use crate::infra::request::cookie;
use crate::infra::AppState;

/// What the sealed value is bound to, so no other sealed value opens as one.
const OWNER: &str = "sign-in:known-browser";
/// A little over a year: a browser used once a year is still known.
const MAX_AGE_SECS: u64 = 400 * 86_400;

fn name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies() {
        "__Host-sluice_known"
    } else {
        "sluice_known"
    }
}

/// The `Set-Cookie` value that marks this browser as `user_id`'s.
pub fn cookie_for(state: &AppState, user_id: &str) -> HeaderValue {
    let value = URL_SAFE_NO_PAD.encode(state.vault.seal(OWNER, user_id.as_bytes()));
    let secure = if state.settings.secure_cookies() { "; Secure" } else { "" };
    let header = format!("{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={MAX_AGE_SECS}{secure}", name(state));
    HeaderValue::from_str(&header).expect("cookie values are base64url")
}

/// The account this browser signed in to before, if it says so truly.
pub fn account(state: &AppState, parts: &Parts) -> Option<String> {
    let sealed = URL_SAFE_NO_PAD.decode(cookie(parts, name(state))?).ok()?;
    let user_id = state.vault.open(OWNER, &sealed).ok()?;
    String::from_utf8(user_id.expose().clone()).ok()
}
