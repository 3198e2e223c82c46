//! The demo account for trying Sluice locally: created on first use with a
//! second workspace (`analytics`, with a table of sample page views once
//! Sluice's own PostgreSQL has made it) and a generated usage history,
//! and a fresh one-time sign-in link printed at each start.

use app::account::ssr::UserRow;
use app::error::AppError;
use app::infra::audit_trail::Actor;
use app::infra::{db::begin_write, time::now_millis, AppState};
use shared::{DisplayName, Email, Handle, WorkspaceHandle};
use sqlx::{Connection, Executor};
use std::sync::Arc;
use std::time::Duration;

use crate::clusters::statements::ident;
use crate::clusters::{Clusters, LOCAL};

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

pub async fn sign_in_link(state: &AppState, clusters: &Arc<Clusters>) -> Result<String, AppError> {
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
        let (state, clusters) = (state.clone(), clusters.clone());
        tokio::spawn(async move {
            if let Err(error) = sample_data(&state, &clusters, &user.id, &user.handle).await {
                tracing::warn!(%error, "the demo's sample data was not written");
            }
        });
    }
    let secret = app::login::ssr::create_link(state, &email, None).await?;
    Ok(app::login::ssr::link_url(state, &secret))
}

/// Once Sluice's own PostgreSQL has made the demo's `analytics` workspace,
/// a table of 5,000 page views in it, owned by the demo's role: something
/// to query at once. On a configured cluster Sluice is no superuser there
/// and writes nothing into people's databases.
async fn sample_data(
    state: &AppState,
    clusters: &Clusters,
    user_id: &str,
    role: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let mut database = None;
    for _ in 0..600 {
        database = sqlx::query_scalar::<_, String>(
            "SELECT database_name FROM workspaces
             WHERE user_id = $1 AND handle = 'analytics' AND cluster = $2 AND provisioned_at IS NOT NULL",
        )
        .bind(user_id)
        .bind(LOCAL)
        .fetch_optional(&state.db)
        .await?;
        if database.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let Some(database) = database else { return Ok(()) };
    let options = clusters.get(LOCAL)?.admin_options().database(&database);
    let mut conn = sqlx::PgConnection::connect_with(&options).await?;
    let sql = format!(
        "BEGIN;
         SET LOCAL ROLE {};
         CREATE TABLE IF NOT EXISTS page_views (
           id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           path text NOT NULL,
           country text NOT NULL,
           viewed_at timestamptz NOT NULL,
           duration_ms integer NOT NULL
         );
         INSERT INTO page_views (path, country, viewed_at, duration_ms)
         SELECT (ARRAY['/', '/pricing', '/docs', '/blog', '/signup'])[1 + g % 5],
                (ARRAY['US', 'DE', 'FR', 'BR', 'JP', 'IN'])[1 + g % 6],
                timestamptz '2026-11-01 00:00:00+00' + g * interval '7 minutes',
                50 + (g * 37) % 2000
         FROM generate_series(1, 5000) g
         WHERE NOT EXISTS (SELECT 1 FROM page_views);
         COMMIT;",
        ident(role)
    );
    conn.execute(sql.as_str()).await?;
    conn.close().await?;
    Ok(())
}
