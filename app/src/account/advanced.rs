//! The Advanced tab: the left-hand menu of the settings pages. Billing is
//! not listed for an account that belongs to a tenant.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::access::session::Viewer;
use crate::access::use_handle;

#[component]
pub fn AdvancedLayout() -> impl IntoView {
    let handle = use_handle();
    let viewer = expect_context::<Memo<Viewer>>();
    let billing = move || viewer.read().tenant.is_none();
    let link = move |page: &'static str| move || format!("/user/{}/advanced/{page}", handle.get());
    view! {
        <div class="advanced">
            <nav class="side-menu" aria-label="Advanced">
                <A href=link("profile")>"User Profile"</A>
                <A href=link("usage")>"Usage"</A>
                <Show when=billing>
                    <A href=link("billing")>"Billing"</A>
                </Show>
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
