//! Who is signed in: the session cookie, the signed-in person as the pages
//! see them, and signing out.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod ssr;

/// The signed-in person, as every page may show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub email: String,
    /// Where their avatar is: a custom one, else the generated default.
    pub avatar: String,
    /// The Avatar URL their avatar was fetched from, if it was.
    pub avatar_source: Option<String>,
    /// The tenant (its handle) that manages this account, if any: then
    /// billing is the tenant's, and the account has no Billing page.
    pub tenant: Option<String>,
}

impl Viewer {
    pub fn profile_path(&self) -> String {
        format!("/user/{}/advanced/profile", self.handle)
    }
}

/// Who is signed in, known before the page renders: the server resolves
/// the session once per page request (see `ssr::attach_viewer`) and the
/// page carries the answer to the browser, so the account frame renders
/// without waiting on a resource.
pub type ViewerState = RwSignal<Option<Viewer>>;

/// Changes the signed-in person as every part of the page shows them (the
/// top bar, the switcher, the account heading), after a saved change.
pub fn edit_viewer(state: ViewerState, change: impl FnOnce(&mut Viewer)) {
    state.update(|v| {
        if let Some(v) = v {
            change(v);
        }
    });
}

const VIEWER_SCRIPT_ID: &str = "sluice-viewer";

/// Provides [`ViewerState`] and renders the element that hands it to the
/// browser. Call once, at the top of the app.
pub fn provide_viewer() -> impl IntoView {
    #[cfg(feature = "ssr")]
    let initial: Option<Viewer> = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<ssr::CurrentViewer>().cloned())
        .and_then(|c| c.0);
    #[cfg(not(feature = "ssr"))]
    let initial: Option<Viewer> = crate::access::handover::read_json_script(VIEWER_SCRIPT_ID).flatten();
    let state: ViewerState = RwSignal::new(initial.clone());
    provide_context(state);
    crate::access::handover::json_script(VIEWER_SCRIPT_ID, &initial)
}

/// The signed-in person, or `None`.
#[server(prefix = "/sfn", endpoint = "viewer")]
pub async fn get_viewer() -> Result<Option<Viewer>, AppError> {
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    Ok(ssr::viewer(&state, &parts).await?.map(|(viewer, _)| viewer))
}

/// Ends this browser's session and goes to the sign-in page.
#[server(prefix = "/sfn", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::infra::AppState::from_context()?;
    let parts = crate::infra::request::parts()?;
    ssr::end(&state, &parts).await?;
    if let Some(viewer) = use_context::<ViewerState>() {
        viewer.set(None);
    }
    leptos_axum::redirect("/login?signed_out=1");
    Ok(())
}
