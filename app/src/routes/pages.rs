//! The HTML document and the page routes: the one place that knows every
//! page.

use leptos::prelude::*;
#[cfg(feature = "ssr")]
use leptos_meta::MetaTags;
use leptos_meta::{provide_meta_context, Link, Title};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, Lazy, SsrMode};

use super::lazy::{
    AuditLogRoute, BillingRoute, CliLoginRoute, ConfirmIdentityRoute, CredentialsRoute, EmailLinkRoute, NotMeRoute,
    NotificationsRoute, SecondStepRoute, UsageRoute, WorkspacesRoute,
};
use crate::account::{AccountLayout, AdvancedIndex, AdvancedLayout};
use crate::login::{LoginPage, SignInLinkPage};
use crate::profile::ProfilePage;
use crate::ui::{HomeRedirect, NotFoundPage};

#[cfg(feature = "ssr")]
use crate::infra::release::Release;

/// The HTML document around the app, naming `release`'s stylesheet and
/// scripts.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions, release: Release) -> impl IntoView {
    adopt_request_nonce();
    let stylesheet = format!("{}/{}/{}.css", release.root(), options.site_pkg_dir, options.output_name);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options root=release.root().to_owned()/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The page's scripts carry the nonce that the server's header layer made
/// for this request and wrote into the response's Content-Security-Policy
/// (see [`page_policy`]); the layer owns the header, so no render path can
/// answer a page whose policy blocks its own scripts.
#[cfg(feature = "ssr")]
fn adopt_request_nonce() {
    let nonce = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned());
    match nonce {
        Some(nonce) => provide_context(nonce),
        None => tracing::warn!("a page was rendered without the nonce of its Content-Security-Policy"),
    }
}

/// The Content-Security-Policy of a page whose inline scripts carry
/// `nonce`: exactly those scripts, our own files and the WASM module;
/// `reload` is the development server's live-reload socket, if any.
#[cfg(feature = "ssr")]
pub fn page_policy(nonce: &str, reload: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The live-reload socket pages may connect to: only in development.
#[cfg(feature = "ssr")]
pub fn reload_source(options: &LeptosOptions) -> String {
    if options.env == leptos::config::Env::DEV {
        format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
    } else {
        String::new()
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let viewer_script = crate::access::session::provide_viewer();
    let flash_script = crate::access::flash::provide_flash();
    view! {
        {viewer_script}
        {flash_script}
        <Link rel="icon" type_="image/svg+xml" href="/favicon.svg"/>
        <Title formatter=crate::ui::page_title text=crate::ui::served_title()/>
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Router>
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomeRedirect ssr=SsrMode::Async/>
                <Route path=path!("/settings") view=HomeRedirect ssr=SsrMode::Async/>
                <Route path=path!("/login") view=LoginPage/>
                <Route path=path!("/login/confirm") view=SignInLinkPage ssr=SsrMode::Async/>
                <Route path=path!("/email/confirm") view={Lazy::<EmailLinkRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/email/undo") view={Lazy::<EmailLinkRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/confirm") view={Lazy::<ConfirmIdentityRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login/token") view={Lazy::<CliLoginRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/login/second-step") view={Lazy::<SecondStepRoute>::new()} ssr=SsrMode::Async/>
                <Route path=path!("/not-me/:id") view={Lazy::<NotMeRoute>::new()} ssr=SsrMode::Async/>
                <ParentRoute path=path!("/user/:handle") view=AccountLayout ssr=SsrMode::Async>
                    <Route path=path!("") view={Lazy::<WorkspacesRoute>::new()}/>
                    <Route path=path!("activity") view={Lazy::<AuditLogRoute>::new()}/>
                    <ParentRoute path=path!("advanced") view=AdvancedLayout>
                        <Route path=path!("") view=AdvancedIndex/>
                        <Route path=path!("profile") view=ProfilePage/>
                        <Route path=path!("usage") view={Lazy::<UsageRoute>::new()}/>
                        <Route path=path!("billing") view={Lazy::<BillingRoute>::new()}/>
                        <Route path=path!("credentials") view={Lazy::<CredentialsRoute>::new()}/>
                        <Route path=path!("notifications") view={Lazy::<NotificationsRoute>::new()}/>
                    </ParentRoute>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
