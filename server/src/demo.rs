//! The demo account for trying Sluice locally: created on first use with a
//! second workspace and a generated usage history, and a fresh one-time
//! sign-in link printed at each start.

use app::account::ssr::UserRow;
use app::error::AppError;
use app::infra::audit_trail::Actor;
use app::infra::{db::begin_write, time::now_millis, AppState};
use shared::{DisplayName, Email, Handle, WorkspaceHandle};

pub const DEMO_EMAIL: &str = "demo@sluice.localhost";

/// Makes the demo account unless it exists; answers it if it was made here.
async fn create_account(state: &AppState, email: &Email) -> Result<Option<UserRow>, AppError> {
    let mut tx = begin_write(&state.db).await?;
    if app::account::ssr::find_by_email(&mut tx, email).await?.is_some() {
        return Ok(None);
    }
    let handle = Handle::parse("demo").map_err(AppError::invalid)?;
    let name = DisplayName::parse("Demo Developer").map_err(AppError::invalid)?;
    match app::account::ssr::create(&mut tx, email, &handle, &name, None, state, now_millis()).await {
        Ok(user) => {
            tx.commit().await?;
            Ok(Some(user))
        }
        Err(e) => {
            tx.rollback().await?;
            // Another process started with --demo on the same database
            // made it meanwhile.
            let mut conn = state.db.acquire().await?;
            match app::account::ssr::find_by_email(&mut conn, email).await? {
                Some(_) => Ok(None),
                None => Err(AppError::invalid(e)),
            }
        }
    }
}

pub async fn sign_in_link(state: &AppState) -> Result<String, AppError> {
    let email = Email::parse(DEMO_EMAIL).map_err(AppError::invalid)?;
    let created = create_account(state, &email).await?;
    if let Some(user) = created {
        // Set up on this machine, by `sluice --demo`.
        let actor = Actor {
            id: user.id.clone(),
            handle: user.handle.clone(),
            display_name: user.display_name.clone(),
            avatar_url: app::avatar::default_avatar_path(&user.id),
            ip: "127.0.0.1".into(),
        };
        let analytics = WorkspaceHandle::parse("analytics").map_err(AppError::invalid)?;
        match app::workspaces::store::create(state, &actor, &analytics, app::infra::workspace_storage::DEFAULT_REGION)
            .await
        {
            Ok(_) => {}
            // Without PostgreSQL the demo has its first workspace only,
            // waiting; the start already said why.
            Err(app::workspaces::store::WorkspaceError::Unavailable(_)) => {}
            Err(e) => return Err(AppError::invalid(e)),
        }
        app::usage::ssr::seed_demo(&state.db, &user.id, now_millis()).await?;
    }
    let secret = app::login::ssr::create_link(state, &email, None).await?;
    Ok(app::login::ssr::link_url(state, &secret))
}
