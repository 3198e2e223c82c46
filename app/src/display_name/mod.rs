//! Display Name: edit and Save. The rule is `shared::DisplayName`, checked
//! as the person types and again on the server; the new name shows at once
//! wherever the name appears, and the change is audited.

use leptos::prelude::*;

use crate::error::AppError;

/// Saves the Display Name of the account `handle` and returns it as stored.
#[server(prefix = "/sfn", endpoint = "update_display_name")]
pub async fn update_display_name(handle: String, display_name: String) -> Result<String, AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let name = shared::DisplayName::parse(&display_name).map_err(AppError::invalid)?;
    let state = crate::infra::AppState::from_context()?;
    ssr::update(&state, &actor, &name).await?;
    Ok(name.to_string())
}

#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::DisplayNameForm;
