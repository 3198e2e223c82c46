//! Display Name: edit and Save. The rule is `shared::DisplayName`, checked
//! as the person types and again on the server; the new name shows at once
//! wherever the name appears, and the change is audited.

use leptos::form::ActionForm;
use leptos::prelude::*;
use shared::DisplayName;

use crate::access::session::{edit_viewer, Viewer, ViewerState};
use crate::error::AppError;
use crate::ui::{ErrorPanel, HandleField};

/// Saves the Display Name of the account `handle` and returns it as stored.
#[server(prefix = "/sfn", endpoint = "update_display_name")]
pub async fn update_display_name(handle: String, display_name: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let name = DisplayName::parse(&display_name).map_err(AppError::invalid)?;
    let state = crate::infra::AppState::from_context()?;
    ssr::update(&state, &actor, &name).await?;
    Ok(name.to_string())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use serde_json::json;
    use shared::DisplayName;

    use crate::error::AppError;
    use crate::infra::audit_trail::{self, Actor};
    use crate::infra::db::{begin_write, lock_user};
    use crate::infra::time::now_millis;
    use crate::infra::AppState;

    /// Saves `name` for the acting person; the audit record names them by
    /// the new name.
    pub async fn update(state: &AppState, actor: &Actor, name: &DisplayName) -> Result<(), AppError> {
        let now = now_millis();
        let mut tx = begin_write(&state.db).await?;
        lock_user(&mut tx, &actor.id).await?;
        let old: String = sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1")
            .bind(&actor.id)
            .fetch_one(&mut *tx)
            .await?;
        if old == name.as_str() {
            // Saving what is there changes nothing, and records nothing.
            return Ok(());
        }
        sqlx::query("UPDATE users SET display_name = $1, updated_at = $2, version_id = version_id + 1 WHERE id = $3")
            .bind(name.as_str())
            .bind(now)
            .bind(&actor.id)
            .execute(&mut *tx)
            .await?;
        let actor = Actor { display_name: name.to_string(), ..actor.clone() };
        let data = json!({ "display_name": { "old": old, "new": name.as_str() } });
        audit_trail::record_own(&mut tx, &actor, "user.update", data, now).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[component]
pub fn DisplayNameForm() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let state = expect_context::<ViewerState>();
    let action = ServerAction::<UpdateDisplayName>::new();
    let draft = RwSignal::new(viewer.get_untracked().display_name);
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
