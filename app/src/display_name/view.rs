//! The Display Name form of User Profile: checked as the person types,
//! saved without a page load (or posted without script).

use leptos::form::ActionForm;
use leptos::prelude::*;
use shared::DisplayName;

use super::UpdateDisplayName;
use crate::access::session::{edit_viewer, Viewer, ViewerState};
use crate::ui::{typed_before_live, ErrorPanel, HandleField};

#[component]
pub fn DisplayNameForm() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let state = expect_context::<ViewerState>();
    let action = ServerAction::<UpdateDisplayName>::new();
    let draft = RwSignal::new(typed_before_live("display_name").unwrap_or_else(|| viewer.get_untracked().display_name));
    let problem = move || DisplayName::parse(&draft.get()).err().map(|e| e.to_string());
    let saved = RwSignal::new(false);

    // A saved name shows everywhere at once: the top bar, the switcher, here.
    Effect::new(move |_| {
        if let Some(Ok(name)) = action.value().get() {
            edit_viewer(state, |v| v.display_name = name.clone());
            draft.set(name);
            saved.set(true);
        }
    });
    let error = move || action.value().get().and_then(Result::err);

    view! {
        <ActionForm action attr:class="inline-form">
            <HandleField/>
            <div class="field">
                <label for="display_name">"Display Name"</label>
                <div class="field-row">
                    <input id="display_name" name="display_name" type="text" required=true maxlength="100"
                        autocomplete="name" aria-describedby="display-name-problem display-name-status"
                        aria-invalid=move || problem().is_some().to_string()
                        prop:value=move || draft.get()
                        value=viewer.get_untracked().display_name
                        on:input=move |ev| {
                            saved.set(false);
                            draft.set(event_target_value(&ev));
                        }/>
                    <button type="submit" disabled=move || action.pending().get() || problem().is_some()>
                        {move || if action.pending().get() { "Saving…" } else { "Save" }}
                    </button>
                </div>
                <p id="display-name-problem" class="field-error" aria-live="polite">{problem}</p>
                <p id="display-name-status" class="field-ok" role="status">
                    {move || saved.get().then_some("Saved.")}
                </p>
            </div>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
        </ActionForm>
    }
}
