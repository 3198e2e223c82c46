//! `/login/token?r={id}`: the page a CLI login opens. The signed-in person
//! sees who asked (address and time), confirms or cancels, and on
//! confirming is shown the code to type into the terminal.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{
    cancel_cli_login, cli_login_request, confirm_cli_login, CancelCliLogin, ConfirmCliLogin, LoginRequestInfo,
};
use crate::access::flash::take_flash;
use crate::access::session::ViewerState;
use crate::error::AppError;
use crate::identity::{Proven, Then};
use crate::ui::{use_live, AuthCard, ErrorPanel, Loading, SignInRedirect};

#[component]
pub fn CliLoginPage() -> impl IntoView {
    let viewer = expect_context::<ViewerState>();
    let query = use_query_map();
    let r = move || query.read().get("r").unwrap_or_default();
    view! {
        <Title text="Sign in to the CLI"/>
        <AuthCard>
            {move || match viewer.get() {
                None => view! { <SignInRedirect/> }.into_any(),
                Some(_) => view! { <Request r=r()/> }.into_any(),
            }}
        </AuthCard>
    }
}

#[derive(Clone, PartialEq)]
enum Outcome {
    Asking,
    Confirmed(String),
    Cancelled,
}

#[component]
fn Request(r: String) -> impl IntoView {
    let info = Resource::new(
        {
            let r = r.clone();
            move || r.clone()
        },
        cli_login_request,
    );
    // Confirmed by a plain form post: the code comes back once, in the flash.
    let flashed = take_flash(|f| f.get::<super::FlashedCode>().filter(|c| c.request == r).map(|c| c.code));
    let outcome = RwSignal::new(flashed.map_or(Outcome::Asking, Outcome::Confirmed));
    let live = use_live();
    let plain = ServerAction::<ConfirmCliLogin>::new();
    let error = RwSignal::new(plain.value().get_untracked().and_then(Result::err));
    let busy = RwSignal::new(false);
    let proving = RwSignal::new(false);
    let act = move |confirm: bool, r: String| {
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let result = if confirm {
                confirm_cli_login(r).await.map(Outcome::Confirmed)
            } else {
                cancel_cli_login(r).await.map(|_| Outcome::Cancelled)
            };
            match result {
                Ok(o) => outcome.set(o),
                // A stale proof: confirm it is you, then this runs again.
                Err(AppError::ConfirmIdentity) => proving.set(true),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let again = {
        let r = r.clone();
        Callback::new(move |_| {
            proving.set(false);
            act(true, r.clone());
        })
    };
    view! {
        <Show when=move || proving.get()>
            <Proven on_cancel=move || proving.set(false)>
                <Then run=again/>
            </Proven>
        </Show>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || {
                let r = r.clone();
                Suspend::new(async move {
                    match info.await {
                        Ok(info) => {
                            let pending = info.pending;
                            view! {
                            {move || match outcome.get() {
                                Outcome::Asking if info.pending => view! { <Ask info=info.clone()/> }.into_any(),
                                Outcome::Asking => view! {
                                    <h1>"Already confirmed"</h1>
                                    <p>"This request was confirmed and its code shown once. If your terminal still waits, run the login command again."</p>
                                }.into_any(),
                                Outcome::Confirmed(code) => view! { <Code code/> }.into_any(),
                                Outcome::Cancelled => view! {
                                    <h1>"Cancelled"</h1>
                                    <p>"The CLI was not signed in. You can close this tab."</p>
                                }.into_any(),
                            }}
                            {move || error.get().map(|error| view! { <ErrorPanel error/> })}
                            <Show when=move || outcome.get() == Outcome::Asking && pending>
                                // One pair of buttons both ways: each is a form that
                                // posts until the page is live, and asks in place
                                // once it is, so an early click is never lost.
                                <div class="dialog-actions">
                                    <form method="post" action=CancelCliLogin::PATH on:submit={
                                        let r = r.clone();
                                        move |ev| if live.get_untracked() { ev.prevent_default(); act(false, r.clone()) }
                                    }>
                                        <input type="hidden" name="r" value=r.clone()/>
                                        <button type="submit" class="button button-secondary" disabled=busy>"Cancel"</button>
                                    </form>
                                    <form method="post" action=ConfirmCliLogin::PATH on:submit={
                                        let r = r.clone();
                                        move |ev| if live.get_untracked() { ev.prevent_default(); act(true, r.clone()) }
                                    }>
                                        <input type="hidden" name="r" value=r.clone()/>
                                        <button type="submit" class="button" disabled=busy>
                                            {move || if busy.get() { "Confirming…" } else { "Confirm" }}
                                        </button>
                                    </form>
                                </div>
                            </Show>
                        }.into_any()
                        }
                        Err(AppError::NotFound) => view! {
                            <h1>"This login request has ended"</h1>
                            <p>"It expired (requests last 10 minutes), was used, or never existed. Run the login command again."</p>
                        }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Ask(info: LoginRequestInfo) -> impl IntoView {
    let when = info.created_at.replace('T', " ").chars().take(19).collect::<String>();
    view! {
        <h1>"Sign in to the CLI?"</h1>
        <p>"A command-line client asked to sign in to Sluice as you. Confirm only if you started it yourself, just now."</p>
        <dl class="facts">
            <dt>"From address"</dt><dd><code>{info.client_ip}</code></dd>
            <dt>"Asked at (UTC)"</dt><dd><time datetime=info.created_at>{when}</time></dd>
        </dl>
        <p class="help">"The CLI gets a temporary token that works for 30 days, or until you reset authentication."</p>
    }
}

#[component]
fn Code(code: String) -> impl IntoView {
    let spaced = format!("{} {}", &code[..3.min(code.len())], &code[3.min(code.len())..]);
    view! {
        <h1>"Your code"</h1>
        <p>"Type this code in your terminal. It works once."</p>
        <p class="cli-code" data-testid="cli-code" aria-label=format!("Code {code}")>{spaced}</p>
        <p class="help">"You can close this tab once the CLI says you are signed in."</p>
    }
}
