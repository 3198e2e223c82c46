//! The frame of every account page: top bar, the account's name, the tabs,
//! and the rule that decides who sees it (the owner; a signed-out visitor
//! goes to sign-in; anyone else gets a 404).

use leptos::prelude::*;
use leptos_router::components::{Outlet, A};

use crate::access::session::{Viewer, ViewerState};
use crate::access::use_handle;
use crate::ui::{Avatar, NotFound, SignedOut, TopBar};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    Owner,
    Other,
    SignedOut,
}

#[component]
pub fn AccountLayout() -> impl IntoView {
    let handle = use_handle();
    let state = expect_context::<ViewerState>();
    let access = Memo::new(move |_| {
        state.with(|v| match v {
            Some(v) if v.handle == handle.get() => Access::Owner,
            Some(_) => Access::Other,
            None => Access::SignedOut,
        })
    });
    move || match access.get() {
        Access::Owner => view! { <AccountFrame/> }.into_any(),
        Access::Other => view! { <NotFound/> }.into_any(),
        Access::SignedOut => view! { <SignedOut/> }.into_any(),
    }
}

#[component]
fn AccountFrame() -> impl IntoView {
    let state = expect_context::<ViewerState>();
    let viewer: Memo<Viewer> =
        Memo::new(move |prev: Option<&Viewer>| state.get().or_else(|| prev.cloned()).unwrap_or_default());
    provide_context(viewer);
    let base = move || format!("/user/{}", viewer.read().handle);
    view! {
        <TopBar/>
        <main id="main" class="page">
            <div class="account-head">
                <Avatar size="lg"/>
                <div>
                    <h1 class="account-name">{move || viewer.read().display_name.clone()}</h1>
                    <p class="muted">
                        <span class="mono">{move || viewer.read().handle.clone()}</span>
                        " · Developer account"
                    </p>
                </div>
            </div>
            <nav class="tabs" aria-label="Account sections">
                <A href=base exact=true>"Workspaces"</A>
                <A href=move || format!("{}/activity", base())>"Activity"</A>
                <A href=move || format!("{}/advanced", base())>"Advanced"</A>
            </nav>
            <Outlet/>
        </main>
    }
}
