//! Whole-page states every route can end in: loading, not found, an error,
//! and the redirects to where a person belongs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use crate::access::encode_component;
#[cfg(not(feature = "ssr"))]
use crate::access::session::get_viewer;
use crate::access::session::ViewerState;
use crate::error::AppError;

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status">
            <span class="spinner" aria-hidden="true"></span>
            <span>"Loading…"</span>
        </div>
    }
}

/// A 404 inside the app's frame; the status reaches the browser too.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main id="main" class="centered">
            <div class="auth-card">
                <p class="eyebrow">"404"</p>
                <h1>"This page does not exist"</h1>
                <p class="muted">"The address may be mistyped, or the page may belong to another account."</p>
                <a class="button" href="/settings">"Go to your account"</a>
            </div>
        </main>
    }
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! { <NotFound/> }
}

#[component]
pub fn ErrorPanel(error: AppError) -> impl IntoView {
    view! {
        <div class="notice notice-error" role="alert">
            <strong>"Sorry. "</strong>
            {error.to_string()}
        </div>
    }
}

/// Sends a signed-out visitor to `/login`, to come back here afterwards.
#[component]
pub fn SignInRedirect() -> impl IntoView {
    let location = use_location();
    let search = location.search.get_untracked();
    let search = search.trim_start_matches('?');
    let here = location.pathname.get_untracked();
    let here = if search.is_empty() { here } else { format!("{here}?{search}") };
    let here = if here == "/" { "/settings".to_owned() } else { here };
    view! { <Redirect path=format!("/login?next={}", encode_component(&here))/> }
}

/// An RFC 3339 time as the console shows it: `YYYY-MM-DD HH:MM` (UTC).
pub fn day_and_time(rfc3339: &str) -> String {
    rfc3339.get(..16).unwrap_or(rfc3339).replace('T', " ")
}

/// `/` and `/settings`: the signed-in person's User Profile, else sign-in.
#[component]
pub fn HomeRedirect() -> impl IntoView {
    let state = expect_context::<ViewerState>();
    move || match state.get() {
        Some(v) => view! { <Redirect path=v.profile_path()/> }.into_any(),
        None => view! { <SignedOut/> }.into_any(),
    }
}

/// No session came with the page. The server sends the visitor to sign-in;
/// in the browser a sign-in may just have happened without a page load, so
/// it asks the server once before doing the same.
#[component]
pub fn SignedOut() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        view! { <SignInRedirect/> }
    }
    #[cfg(not(feature = "ssr"))]
    {
        let state = expect_context::<ViewerState>();
        let check = LocalResource::new(get_viewer);
        view! {
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match check.await {
                        Ok(Some(v)) => {
                            state.set(Some(v));
                            view! { <Loading/> }.into_any()
                        }
                        _ => view! { <SignInRedirect/> }.into_any(),
                    }
                })}
            </Suspense>
        }
    }
}
