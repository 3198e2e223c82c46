//! Avatar URL on User Profile: an http(s) address of an image. Sluice
//! fetches it once and serves its own copy; clearing it and saving returns
//! to the generated avatar.

use leptos::form::ActionForm;
use leptos::prelude::*;
use shared::avatar::AvatarUrl;

use super::SetAvatarUrl;
use crate::access::session::{edit_viewer, Viewer, ViewerState};
use crate::ui::{typed_before_live, ErrorPanel, HandleField};

#[component]
pub fn AvatarUrlForm() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let state = expect_context::<ViewerState>();
    let action = ServerAction::<SetAvatarUrl>::new();
    let draft = RwSignal::new(
        typed_before_live("avatar_url")
            .filter(|typed| *typed != viewer.get_untracked().avatar_source.unwrap_or_default()),
    );
    let saved = RwSignal::new(false);
    let value = move || draft.get().unwrap_or_else(|| viewer.read().avatar_source.clone().unwrap_or_default());
    let problem = move || {
        let v = value();
        (!v.trim().is_empty()).then(|| AvatarUrl::parse(&v).err().map(|e| e.to_string())).flatten()
    };
    Effect::new(move |_| {
        if let Some(Ok(path)) = action.value().get() {
            let source = draft.get_untracked().filter(|d| !d.trim().is_empty());
            edit_viewer(state, |v| {
                v.avatar = path.clone();
                v.avatar_source = source.map(|s| s.trim().to_owned());
            });
            saved.set(true);
        }
    });
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <ActionForm action attr:class="inline-form">
            <HandleField/>
            <div class="field">
                <label for="avatar_url">"Avatar URL"</label>
                <div class="field-row">
                    <input id="avatar_url" name="avatar_url" type="url" inputmode="url" maxlength="2048"
                        placeholder="https://example.com/me.png" autocomplete="photo"
                        aria-describedby="avatar-url-help avatar-url-problem avatar-url-status"
                        aria-invalid=move || problem().is_some().to_string()
                        prop:value=value
                        on:input=move |ev| { saved.set(false); draft.set(Some(event_target_value(&ev))); }/>
                    <button type="submit" disabled=move || action.pending().get() || problem().is_some()>
                        {move || if action.pending().get() { "Fetching…" } else { "Save" }}
                    </button>
                </div>
                <p id="avatar-url-help" class="help">"A JPEG or PNG on the web. Sluice fetches it once and shows its own copy. Leave empty and save to go back to the generated avatar."</p>
                <p id="avatar-url-problem" class="field-error" aria-live="polite">{problem}</p>
                <p id="avatar-url-status" class="field-ok" role="status">{move || saved.get().then_some("Saved.")}</p>
            </div>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
        </ActionForm>
    }
}
