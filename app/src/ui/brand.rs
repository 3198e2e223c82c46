//! Sluice's mark and name, at the top of the pages a person signs in on.

use leptos::prelude::*;

#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <div class="brand brand-large">
            <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 7c3 0 3 3 6 3s3-3 6-3 3 3 6 3M3 14c3 0 3 3 6 3s3-3 6-3 3 3 6 3" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>
            <span>"Sluice"</span>
        </div>
    }
}
