//! The demo account for trying Sluice locally: `app::routes::demo` makes
//! the account; here, once Sluice's own PostgreSQL has made its
//! `analytics` workspace, a table of sample page views goes into it.

use app::error::AppError;
use app::infra::AppState;
use sqlx::{Connection, Executor};
use std::sync::Arc;
use std::time::Duration;

use crate::clusters::statements::ident;
use crate::clusters::{Clusters, LOCAL};

/// Sets the demo account up on first use and answers a fresh sign-in link.
pub async fn sign_in_link(state: &AppState, clusters: &Arc<Clusters>) -> Result<String, AppError> {
    if let Some(account) = app::routes::demo::set_up(state).await? {
        let (state, clusters) = (state.clone(), clusters.clone());
        tokio::spawn(async move {
            if let Err(error) = sample_data(&state, &clusters, &account.user_id, &account.handle).await {
                tracing::warn!(%error, "the demo's sample data was not written");
            }
        });
    }
    app::routes::demo::sign_in_link(state).await
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
