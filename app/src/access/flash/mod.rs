//! What a plain form post (no JavaScript) must show once on the page it
//! returns to: a new token, a CLI login code, the revealed database
//! password. With script these come back in the server function's answer;
//! without it the browser follows a redirect, so the server function seals
//! the result into a short-lived cookie that the next page takes and
//! clears.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
pub mod ssr;

/// A value a feature hands to the next page once; the feature's own type
/// says what it is (`Flashed::KIND`), so this module knows none of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    kind: String,
    value: serde_json::Value,
}

/// A feature's one-time value.
pub trait Flashed: Serialize + DeserializeOwned {
    /// Names the value inside the sealed cookie.
    const KIND: &'static str;
}

impl Flash {
    pub fn of<T: Flashed>(value: &T) -> Self {
        Self { kind: T::KIND.to_owned(), value: serde_json::to_value(value).unwrap_or_default() }
    }

    /// The value, if it is a `T`.
    pub fn get<T: Flashed>(&self) -> Option<T> {
        (self.kind == T::KIND).then(|| T::deserialize(&self.value).ok()).flatten()
    }
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
    let initial: Option<Flash> = crate::access::handover::read_json_script(FLASH_SCRIPT_ID).flatten();
    provide_context(FlashState(RwSignal::new(initial.clone())));
    crate::access::handover::json_script(FLASH_SCRIPT_ID, &initial)
}

/// The flash, if `pick` wants it: the first part of the page that asks
/// gets it, once.
pub fn take_flash<T>(pick: impl Fn(&Flash) -> Option<T>) -> Option<T> {
    let state = use_context::<FlashState>()?.0;
    let wanted = state.with_untracked(|f| f.as_ref().and_then(&pick))?;
    state.set(None);
    Some(wanted)
}
