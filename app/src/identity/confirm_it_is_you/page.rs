//! `/confirm?next=…`: "Confirm it is you" as a page, where a plain form
//! (no script) that needed a fresh proof is sent. After the proof the
//! person goes back to `next` and asks again.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::view::ProofForms;
use super::{proof_status, ProofState};
use crate::error::AppError;
use crate::ui::{AuthCard, ErrorPanel, Loading, SignInRedirect};

/// What "Confirm it is you" loads, asked for as soon as its route is
/// chosen, while the page's own code is still on its way.
pub struct ProofData {
    status: Resource<Result<ProofState, AppError>>,
}

impl ProofData {
    pub fn start() -> Self {
        Self { status: Resource::new(|| (), |_| proof_status()) }
    }
}

#[component]
pub fn ConfirmItIsYouPage(data: ProofData) -> impl IntoView {
    let query = use_query_map();
    let next = query.with_untracked(|q| crate::access::safe_next(q.get("next").as_deref()).unwrap_or("/").to_owned());
    let sent = query.with_untracked(|q| q.get("sent").is_some());
    let status = data.status;
    let back = StoredValue::new(next);
    view! {
        <Title text="Confirm it is you"/>
        <AuthCard>
            <h1>"Confirm it is you"</h1>
            <Suspense fallback=|| view! { <Loading/> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) if s.fresh => view! {
                            <p class="notice" role="status">"You confirmed it is you. For the next 10 minutes this browser is not asked again."</p>
                            <a class="button button-wide" href=back.get_value()>"Go back and continue"</a>
                        }.into_any(),
                        Ok(s) => view! {
                            <p>"What you asked for cannot be undone, and this browser last proved it is you more than 10 minutes ago. Confirm with a passkey or a code from your e-mail, then go back and do it again."</p>
                            <ProofForms status=s next=back.get_value() sent_before=sent on_proved=move || {
                                if let Some(window) = web_sys::window() {
                                    let _ = window.location().assign(&back.get_value());
                                }
                            }/>
                            <a class="button button-secondary button-wide" href=back.get_value()>"Cancel"</a>
                        }.into_any(),
                        Err(AppError::Unauthorized) => view! { <SignInRedirect/> }.into_any(),
                        Err(error) => view! { <ErrorPanel error/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
