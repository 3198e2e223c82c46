//! The User Profile page: who this account is, and the fields a person
//! edits (Display Name).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::access::session::Viewer;
use crate::avatar::{AvatarEditor, AvatarUrlForm};
use crate::data_export::DownloadData;
use crate::deletion::DeleteAccountSection;
use crate::display_name::DisplayNameForm;
use crate::email_change::EmailSection;
use crate::handle::HandleForm;

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
                </div>
            </div>
        </section>
        <EmailSection/>
        <section class="panel" aria-labelledby="your-data-title">
            <div class="panel-head">
                <h2 id="your-data-title">"Your data"</h2>
                <DownloadData handle=Signal::derive(move || viewer.read().handle.clone())/>
            </div>
            <p class="muted">"A ZIP of your profile, workspaces (without your database password), tokens (without the tokens themselves), notification preferences, sessions, passkeys, usage and your whole Audit Log, as JSON and CSV."</p>
        </section>
        <DeleteAccountSection/>
    }
}
