//! Signing up: creating a person with their first workspace and their
//! database password, and finding an account by its e-mail address.

use shared::{DisplayName, Email, Handle};
use sqlx::AnyConnection;

use crate::infra::ids::new_id;
use crate::infra::workspace_storage::Placement;
use crate::infra::workspace_storage::DEFAULT_REGION;
use crate::infra::AppState;
use crate::workspaces::naming::database_name;
use crate::workspaces::placement::place;

/// The handle of the workspace every account starts with.
const FIRST_WORKSPACE: &str = "default";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub handle: String,
    pub display_name: String,
    pub email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CreateUserError {
    #[error("The handle “{0}” is taken. Choose another.")]
    HandleTaken(String),
    #[error("An account with this e-mail address already exists.")]
    EmailTaken,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

pub async fn find_by_email(conn: &mut AnyConnection, email: &Email) -> Result<Option<UserRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, handle, display_name, email FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(conn)
        .await
}

/// Creates a person, their first workspace and their database password. Call inside a write
/// transaction; the unique constraints still hold if two race.
pub async fn create(
    conn: &mut AnyConnection,
    email: &Email,
    handle: &Handle,
    display_name: &DisplayName,
    tenant: Option<&str>,
    state: &AppState,
    now_ms: i64,
) -> Result<UserRow, CreateUserError> {
    // A handle held after someone gave it up counts as taken.
    if crate::handle::ssr::taken(&mut *conn, handle.as_str(), None, now_ms).await? {
        return Err(CreateUserError::HandleTaken(handle.to_string()));
    }
    if find_by_email(&mut *conn, email).await?.is_some() {
        return Err(CreateUserError::EmailTaken);
    }
    let id = new_id("u");
    let tenant_id = match tenant {
        Some(tenant) => Some(crate::infra::tenants::tenant_id(&mut *conn, tenant, now_ms).await?),
        None => None,
    };
    sqlx::query(
        "INSERT INTO users (id, handle, email, display_name, tenant_id, token_min_issued_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $6)",
    )
    .bind(&id)
    .bind(handle.as_str())
    .bind(email.as_str())
    .bind(display_name.as_str())
    .bind(tenant_id)
    .bind(now_ms)
    .execute(&mut *conn)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            if db.message().contains("email") {
                CreateUserError::EmailTaken
            } else {
                CreateUserError::HandleTaken(handle.to_string())
            }
        }
        _ => CreateUserError::Db(e),
    })?;
    // In the default region, wherever that region's workspaces go.
    // Without an engine running it waits, unplaced, for one.
    let first = place(state, &mut *conn, DEFAULT_REGION).await?;
    sqlx::query(
        "INSERT INTO workspaces (id, user_id, handle, region, database_name, created_at, updated_at, cluster, provisioned_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8)",
    )
    .bind(new_id("w"))
    .bind(&id)
    .bind(FIRST_WORKSPACE)
    .bind(DEFAULT_REGION)
    .bind(database_name())
    .bind(now_ms)
    .bind(first.as_ref().map(Placement::column))
    // Made on its cluster by the worker.
    .bind(None::<i64>)
    .execute(&mut *conn)
    .await?;
    crate::database_password::ssr::create_initial(&mut *conn, &state.vault, &id, now_ms).await?;
    Ok(UserRow { id, handle: handle.to_string(), display_name: display_name.to_string(), email: email.to_string() })
}
