//! The demo account for trying Sluice locally: created on first use, and a
//! fresh one-time sign-in link printed at each start.

use app::error::AppError;
use app::ssr::{db::begin_write, time::now_millis, AppState};
use shared::{DisplayName, Email, Handle};

pub const DEMO_EMAIL: &str = "demo@sluice.localhost";

pub async fn sign_in_link(state: &AppState) -> Result<String, AppError> {
    let email = Email::parse(DEMO_EMAIL).map_err(AppError::invalid)?;
    let mut tx = begin_write(&state.db).await?;
    if app::account::ssr::find_by_email(&mut tx, &email)
        .await?
        .is_none()
    {
        let handle = Handle::parse("demo").map_err(AppError::invalid)?;
        let name = DisplayName::parse("Demo Developer").map_err(AppError::invalid)?;
        app::account::ssr::create(&mut tx, &email, &handle, &name, None, &state.vault, now_millis())
            .await
            .map_err(AppError::invalid)?;
    }
    tx.commit().await?;
    let user = app::account::ssr::find_by_email(&mut *state.db.acquire().await?, &email)
        .await?
        .ok_or(AppError::Internal)?;
    app::usage::ssr::seed_demo(&state.db, &user.id, now_millis()).await?;
    let secret = app::login::ssr::create_link(state, &email, None).await?;
    Ok(app::login::ssr::link_url(state, &secret))
}
