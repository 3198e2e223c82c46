//! The Advanced tab: the left-hand menu of the settings pages. A page that
//! does not exist yet is not listed.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use super::use_handle;

#[component]
pub fn AdvancedLayout() -> impl IntoView {
    let handle = use_handle();
    let link = move |page: &'static str| move || format!("/user/{}/advanced/{page}", handle.get());
    view! {
        <div class="advanced">
            <nav class="side-menu" aria-label="Advanced">
                <A href=link("profile")>"User Profile"</A>
                <A href=link("usage")>"Usage"</A>
                <A href=link("credentials")>"Credentials & Access"</A>
                <A href=link("notifications")>"Notifications"</A>
            </nav>
            <div class="advanced-body">
                <Outlet/>
            </div>
        </div>
    }
}

/// `/user/{handle}/advanced` opens its first page.
#[component]
pub fn AdvancedIndex() -> impl IntoView {
    let handle = use_handle();
    view! { <Redirect path=format!("/user/{}/advanced/profile", handle.get_untracked())/> }
}
