//! The demo account for trying Sluice locally (`sluice --demo`): made on
//! first use with a second workspace, `analytics`, and a generated usage
//! history; a fresh one-time sign-in link at each start. What goes into
//! the workspace's database is the engine's business (the process's).

use shared::{DisplayName, Email, Handle, WorkspaceHandle};

use crate::error::AppError;
use crate::infra::audit_trail::Actor;
use crate::infra::db::begin_write;
use crate::infra::time::now_millis;
use crate::infra::workspace_storage::DEFAULT_REGION;
use crate::infra::AppState;
use crate::login::sign_up::UserRow;
use crate::workspaces::ssr::WorkspaceError;

pub const DEMO_EMAIL: &str = "demo@sluice.localhost";

/// The demo account as it was just made.
pub struct DemoAccount {
    pub user_id: String,
    pub handle: String,
}

/// Makes the demo account, its `analytics` workspace and its usage history
/// unless the account exists; answers it if it was made here.
pub async fn set_up(state: &AppState) -> Result<Option<DemoAccount>, AppError> {
    let Some(user) = create_account(state, &demo_email()?).await? else { return Ok(None) };
    let actor = Actor {
        id: user.id.clone(),
        handle: user.handle.clone(),
        display_name: user.display_name.clone(),
        avatar_url: crate::avatar::default_avatar_path(&user.id),
        ip: "127.0.0.1".into(),
    };
    let analytics = WorkspaceHandle::parse("analytics").map_err(AppError::invalid)?;
    match crate::workspaces::ssr::create(state, &actor, &analytics, DEFAULT_REGION).await {
        Ok(_) => {}
        // Without PostgreSQL the demo has its first workspace only,
        // waiting; the start already said why.
        Err(WorkspaceError::Unavailable(_)) => {}
        Err(e) => return Err(AppError::invalid(e)),
    }
    crate::usage::ssr::seed_demo(&state.db, &user.id, now_millis()).await?;
    Ok(Some(DemoAccount { user_id: user.id, handle: user.handle }))
}

/// A fresh one-time sign-in link for the demo account.
pub async fn sign_in_link(state: &AppState) -> Result<String, AppError> {
    let secret = crate::login::ssr::create_link(state, &demo_email()?, None).await?;
    Ok(crate::login::ssr::link_url(state, &secret))
}

fn demo_email() -> Result<Email, AppError> {
    Email::parse(DEMO_EMAIL).map_err(AppError::invalid)
}

/// Makes the demo account unless it exists; answers it if it was made here.
async fn create_account(state: &AppState, email: &Email) -> Result<Option<UserRow>, AppError> {
    let mut tx = begin_write(&state.db).await?;
    if crate::login::sign_up::find_by_email(&mut tx, email).await?.is_some() {
        return Ok(None);
    }
    let handle = Handle::parse("demo").map_err(AppError::invalid)?;
    let name = DisplayName::parse("Demo Developer").map_err(AppError::invalid)?;
    match crate::login::sign_up::create(&mut tx, email, &handle, &name, None, state, now_millis()).await {
        Ok(user) => {
            tx.commit().await?;
            Ok(Some(user))
        }
        Err(e) => {
            tx.rollback().await?;
            // Another process started with --demo on the same database
            // made it meanwhile.
            let mut conn = state.db.acquire().await?;
            match crate::login::sign_up::find_by_email(&mut conn, email).await? {
                Some(_) => Ok(None),
                None => Err(AppError::invalid(e)),
            }
        }
    }
}
