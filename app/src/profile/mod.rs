//! The User Profile page: who this account is, and the fields a person
//! edits (Display Name).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::access::session::Viewer;
use crate::avatar::{AvatarEditor, AvatarUrlForm};
use crate::deletion::DeleteAccountSection;
use crate::handle::HandleForm;

pub mod display_name;

pub use display_name::{DisplayNameForm, UpdateDisplayName};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let query = leptos_router::hooks::use_query_map();
    let handle_changed = move || query.read().get("handle").as_deref() == Some("changed");
    view! {
        <Title text="User Profile"/>
        <Show when=handle_changed>
            <div class="notice" role="status">
                "Your handle is now " <strong class="mono">{move || viewer.read().handle.clone()}</strong>
                ". Your account's pages and the DNS names of all of your workspaces use it."
            </div>
        </Show>
        <section class="panel" aria-labelledby="profile-title">
            <h2 id="profile-title">"User Profile"</h2>
            <div class="profile-grid">
                <AvatarEditor/>
                <div class="profile-fields">
                    <DisplayNameForm/>
                    <AvatarUrlForm/>
                    <HandleForm/>
                    <dl class="facts">
                        <dt>"E-mail"</dt><dd>{move || viewer.read().email.clone()}</dd>
                    </dl>
                </div>
            </div>
        </section>
        <DeleteAccountSection/>
    }
}
