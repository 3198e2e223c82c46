//! Reset Authentication: every session, temporary token and API token of
//! the account stops working at once (`token_min_issued_at` moves to now),
//! every passkey and a pending e-mail change go, and this browser goes to
//! the sign-in page.

use leptos::prelude::*;

use crate::error::AppError;

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
pub mod ssr;
mod view;

pub use view::ResetSection;
