//! The User Profile page: who this account is, and the fields a person
//! edits (Display Name).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::session::Viewer;
use crate::avatar::{AvatarEditor, AvatarUrlForm};

pub mod display_name;

pub use display_name::{DisplayNameForm, UpdateDisplayName};

#[component]
pub fn ProfilePage() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    view! {
        <Title text="User Profile"/>
        <section class="panel" aria-labelledby="profile-title">
            <h2 id="profile-title">"User Profile"</h2>
            <div class="profile-grid">
                <AvatarEditor/>
                <div class="profile-fields">
                    <DisplayNameForm/>
                    <AvatarUrlForm/>
                    <dl class="facts">
                        <dt>"Handle"</dt><dd class="mono">{move || viewer.read().handle.clone()}</dd>
                        <dt>"E-mail"</dt><dd>{move || viewer.read().email.clone()}</dd>
                    </dl>
                </div>
            </div>
        </section>
    }
}
