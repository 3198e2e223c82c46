//! Reset Authentication: every session, temporary token and API token of
//! the account stops working at once (`token_min_issued_at` moves to now),
//! every passkey and a pending e-mail change go, and this browser goes to
//! the sign-in page.

use leptos::form::ActionForm;
use leptos::prelude::*;

use crate::error::AppError;
use crate::ui::{Confirm, ConfirmActions, Dialog, ErrorPanel, HandleField};

#[server(prefix = "/sfn", endpoint = "reset_authentication")]
pub async fn reset_authentication(handle: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    crate::access::proof::require(&state, &parts).await?;
    // Everything issued up to and including this millisecond stops working.
    let at = crate::infra::time::now_millis() + 1;
    ssr::reset(&state, &actor, at).await?;
    crate::access::session::ssr::end(&state, &parts).await?;
    if let Some(viewer) = use_context::<crate::access::session::ViewerState>() {
        viewer.set(None);
    }
    leptos_axum::redirect("/login?reset=1");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use serde_json::json;

    use crate::error::AppError;
    use crate::infra::audit_trail::{self, Actor};
    use crate::infra::db::{begin_write, lock_user, Tx};
    use crate::infra::time::{now_millis, rfc3339};
    use crate::infra::AppState;

    /// Within `tx`, stops everything of `user_id`'s issued before `at`: the
    /// sessions are deleted, `token_min_issued_at` moves forward to `at`
    /// (never back), which every temporary and API token is checked
    /// against, a pending e-mail change ends (its link, mailed to an address
    /// someone else may hold, would change the account after the reset),
    /// and the passkeys added from `passkeys_since` on are removed.
    pub async fn revoke_before(tx: &mut Tx, user_id: &str, at: i64, passkeys_since: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE users SET token_min_issued_at = $1 WHERE id = $2 AND token_min_issued_at < $1")
            .bind(at)
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND created_at < $2")
            .bind(user_id)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM email_changes WHERE user_id = $1 AND kind = 'confirm' AND used_at IS NULL")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM passkeys WHERE user_id = $1 AND created_at >= $2 AND created_at < $3")
            .bind(user_id)
            .bind(passkeys_since)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    /// Moves `token_min_issued_at` forward to `at` and ends the sessions it
    /// kills, in one transaction. Moving it back is refused: what was
    /// revoked stays revoked. Answers whether anything changed.
    pub async fn reset(state: &AppState, actor: &Actor, at: i64) -> Result<bool, AppError> {
        let now = now_millis();
        let mut tx = begin_write(&state.db).await?;
        lock_user(&mut tx, &actor.id).await?;
        let current: i64 = sqlx::query_scalar("SELECT token_min_issued_at FROM users WHERE id = $1")
            .bind(&actor.id)
            .fetch_one(&mut *tx)
            .await?;
        if at < current {
            return Err(AppError::invalid(format!("token_min_issued_at cannot move back: it is {}", rfc3339(current))));
        }
        if at == current {
            return Ok(false);
        }
        sqlx::query("UPDATE users SET updated_at = $1, version_id = version_id + 1 WHERE id = $2")
            .bind(now)
            .bind(&actor.id)
            .execute(&mut *tx)
            .await?;
        // A passkey is a way in like a session: whoever made one while
        // they were in could sign in again after the reset.
        revoke_before(&mut tx, &actor.id, at, 0).await?;
        let data = json!({ "token_min_issued_at": rfc3339(at) });
        audit_trail::record_own(&mut tx, actor, "auth.reset", data, now).await?;
        tx.commit().await?;
        let what = "Authentication was reset for your Sluice account: every session, every \
                    temporary token and every API token issued before now stopped working, \
                    and every passkey was removed.";
        crate::infra::system_mail::security(state, actor, "Authentication was reset for your account", what).await;
        Ok(true)
    }
}

#[component]
pub fn ResetSection() -> impl IntoView {
    let action = ServerAction::<ResetAuthentication>::new();
    let confirming = RwSignal::new(false);
    let error = move || action.value().get().and_then(Result::err);
    view! {
        <section class="panel" aria-labelledby="reset-title">
            <div class="panel-head">
                <h2 id="reset-title">"Reset Authentication"</h2>
                <Confirm label="Reset authentication" class="button button-danger-outline"
                    on_open=move || confirming.set(true)>
                    <ResetText/>
                    <ActionForm action>
                        <HandleField/>
                        <button type="submit" class="button button-danger">"Reset authentication"</button>
                    </ActionForm>
                </Confirm>
            </div>
            <p class="muted">"Stops every temporary token (from console or CLI login) and every API token of your account, removes every passkey, ends a pending change of sign-in e-mail, and signs out this session and any other you have open. You will need to create new tokens for anything that uses the API. Your database password stays as it is, and connections to your workspaces keep working."</p>
            {move || error().map(|error| view! { <ErrorPanel error/> })}
            <Show when=move || confirming.get()>
                <crate::identity::Proven on_cancel=move || confirming.set(false)>
                    <ResetDialog action confirming/>
                </crate::identity::Proven>
            </Show>
        </section>
    }
}

#[component]
fn ResetDialog(action: ServerAction<ResetAuthentication>, confirming: RwSignal<bool>) -> impl IntoView {
    view! {
        <Dialog id="reset-dialog" title="Reset authentication?" on_close=move || confirming.set(false)
            body=|| view! { <ResetText/> }>
            <ActionForm action attr:class="dialog-actions">
                <HandleField/>
                <ConfirmActions on_cancel=move || confirming.set(false) label="Reset authentication"
                    busy_label="Resetting…" busy=action.pending() danger=true/>
            </ActionForm>
        </Dialog>
    }
}

#[component]
fn ResetText() -> impl IntoView {
    view! {
        <p>"This at once:"</p>
        <ul>
            <li>"stops every API token and every temporary token of your account;"</li>
            <li>"removes every passkey of your account, and ends a change of sign-in e-mail that waits for its link;"</li>
            <li>"signs you out here and in every other browser and device."</li>
        </ul>
        <p>"Your workspaces and database password do not change. You will need to sign in again (with an e-mail link), create new tokens and add your passkeys again."</p>
    }
}
