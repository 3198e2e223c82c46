//! **Download your data** (User Profile, and in the delete-account dialog):
//! one ZIP with the profile, the workspaces and how to reach them (never
//! the password), the tokens' metadata (never a secret), the notification
//! preferences, the sessions, the passkeys' names, the usage and the whole
//! Audit Log as JSON and CSV. The archive is streamed as it is written, so
//! a long Audit Log never sits in memory.

use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod archive;

/// Where the archive of `handle` is downloaded from.
pub fn download_path(handle: &str) -> String {
    format!("/user/{handle}/export.zip")
}

/// The link, for any page that offers it.
#[component]
pub fn DownloadData(handle: Signal<String>, #[prop(optional)] secondary: bool) -> impl IntoView {
    let class = if secondary { "button button-secondary" } else { "button" };
    view! {
        <a class=class href=move || download_path(&handle.get()) download="" rel="nofollow">"Download your data"</a>
    }
}
