//! Sluice's mark and name, and the centred card of the pages a person
//! signs in (or confirms something) on.

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

/// The centred card of the sign-in pages, with the brand on top.
#[component]
pub fn AuthCard(children: Children) -> impl IntoView {
    view! {
        <main id="main" class="centered">
            <div class="auth-card">
                <Brand/>
                {children()}
            </div>
        </main>
    }
}
