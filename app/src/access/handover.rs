//! A value the server rendered with, handed to the browser in the page as
//! JSON, so that hydration starts from the same state.

use leptos::prelude::*;
#[cfg(not(feature = "ssr"))]
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The `<script type="application/json">` that carries `value`.
pub fn json_script<T: Serialize>(id: &'static str, value: &T) -> impl IntoView {
    // `</` cannot close the script early: JSON allows `<\/`.
    let json = serde_json::to_string(value).unwrap_or_else(|_| "null".into()).replace("</", "<\\/");
    view! { <script type="application/json" id=id inner_html=json></script> }
}

/// What [`json_script`] left in the page, read in the browser.
#[cfg(not(feature = "ssr"))]
pub fn read_json_script<T: DeserializeOwned>(id: &str) -> Option<T> {
    let text = document().get_element_by_id(id)?.text_content()?;
    serde_json::from_str(&text).ok()
}
