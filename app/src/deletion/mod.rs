//! Delete developer account (User Profile): a dialog that says what goes
//! and that it cannot be undone; **Delete** works only when the typed
//! handle matches exactly. `DELETE /api/v0/user/{handle}` does the same.

use leptos::prelude::*;

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::DeleteAccountSection;

/// Deletes the signed-in person's account when `confirm` is its handle,
/// ends this browser's session and sends it to the sign-in page, which says
/// it is done.
#[server(prefix = "/sfn", endpoint = "delete_account")]
pub async fn delete_account(handle: String, confirm: String) -> Result<(), AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    if confirm != viewer.handle {
        return Err(AppError::invalid("Type your handle exactly to delete your account."));
    }
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    crate::access::proof::require(&state, &parts).await?;
    ssr::delete(&state, &viewer.id).await?;
    crate::access::session::ssr::end(&state, &parts).await?;
    if let Some(viewer) = use_context::<crate::access::session::ViewerState>() {
        viewer.set(None);
    }
    leptos_axum::redirect("/login?deleted=1");
    Ok(())
}
