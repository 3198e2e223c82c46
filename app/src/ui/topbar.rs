//! The top bar: the brand, the account switcher, the account menu.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{Avatar, Menu};
use crate::access::session::{SignOut, Viewer};

#[component]
pub fn TopBar() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let sign_out = ServerAction::<SignOut>::new();
    let home = move || format!("/user/{}", viewer.read().handle);
    view! {
        <header class="topbar">
            <a class="brand" href=home>
                <svg class="brand-mark" viewBox="0 0 24 24" aria-hidden="true"><path d="M3 7c3 0 3 3 6 3s3-3 6-3 3 3 6 3M3 14c3 0 3 3 6 3s3-3 6-3 3 3 6 3" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round"/></svg>
                <span>"Sluice"</span>
            </a>
            <div class="switcher">
                <span class="switcher-current">{move || viewer.read().display_name.clone()}</span>
                <Menu label="Switch account" class="menu-left" button=|| view! {
                    <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M8 4v16M8 4 4 8M8 4l4 4M16 20V4M16 20l-4-4M16 20l4-4" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/></svg>
                }>
                    <p class="menu-heading">"Your accounts"</p>
                    <a role="menuitem" href=move || format!("/user/{}", viewer.read().handle) aria-current="true">
                        <span class="menu-item-title">{move || viewer.read().display_name.clone()}</span>
                        <span class="menu-item-sub">{move || viewer.read().handle.clone()} " · Developer account"</span>
                    </a>
                </Menu>
            </div>
            <div class="topbar-end">
                <Menu label="Account menu" class="menu-right" button=|| view! { <Avatar size="sm"/> }>
                    <div class="menu-heading">
                        <span class="menu-item-title">{move || viewer.read().display_name.clone()}</span>
                        <span class="menu-item-sub">{move || viewer.read().email.clone()}</span>
                    </div>
                    <a role="menuitem" href=move || viewer.read().profile_path()>"Your Profile"</a>
                    <ActionForm action=sign_out attr:class="menu-form">
                        <button type="submit" role="menuitem">"Sign out"</button>
                    </ActionForm>
                </Menu>
            </div>
        </header>
    }
}
