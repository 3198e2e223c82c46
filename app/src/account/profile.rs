//! The User Profile page: who this account is.

use leptos::prelude::*;

use crate::session::Viewer;
use crate::shell::Avatar;

#[component]
pub fn ProfilePage() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    view! {
        <section class="panel" aria-labelledby="profile-title">
            <h2 id="profile-title">"User Profile"</h2>
            <div class="profile-grid">
                <Avatar size="xl"/>
                <dl class="facts">
                    <dt>"Display Name"</dt><dd>{move || viewer.read().display_name.clone()}</dd>
                    <dt>"Handle"</dt><dd class="mono">{move || viewer.read().handle.clone()}</dd>
                    <dt>"E-mail"</dt><dd>{move || viewer.read().email.clone()}</dd>
                </dl>
            </div>
        </section>
    }
}
