//! What a plain form post (no JavaScript) must show once on the page it
//! returns to: a new token, a CLI login code, the revealed database
//! password. With script these come back in the server function's answer;
//! without it the browser follows a redirect, so the server function seals
//! the result into a short-lived cookie that the next page takes and
//! clears.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::tokens::CreatedToken;

#[cfg(feature = "ssr")]
pub mod ssr;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Flash {
    NewToken(CreatedToken),
    CliCode { request: String, code: String },
    Password(String),
}

#[derive(Clone, Copy)]
struct FlashState(RwSignal<Option<Flash>>);

const FLASH_SCRIPT_ID: &str = "sluice-flash";

/// Provides the page's flash, if it has one, and renders the element that
/// hands it to the browser. Call once, at the top of the app.
pub fn provide_flash() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let initial: Option<Flash> = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<ssr::CurrentFlash>().cloned())
        .and_then(|c| c.0);
    #[cfg(not(feature = "ssr"))]
    let initial: Option<Flash> = crate::shell::read_json_script(FLASH_SCRIPT_ID).flatten();
    provide_context(FlashState(RwSignal::new(initial.clone())));
    crate::shell::json_script(FLASH_SCRIPT_ID, &initial)
}

/// The flash, if `pick` wants it: the first part of the page that asks
/// gets it, once.
pub fn take_flash<T>(pick: impl Fn(&Flash) -> Option<T>) -> Option<T> {
    let state = use_context::<FlashState>()?.0;
    let wanted = state.with_untracked(|f| f.as_ref().and_then(&pick))?;
    state.set(None);
    Some(wanted)
}
