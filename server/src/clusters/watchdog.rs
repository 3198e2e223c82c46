//! What a person cannot lift from inside their workspace. A role's
//! `statement_timeout` and `idle_in_transaction_session_timeout` are only
//! defaults: any session may `SET` them to 0, or `ALTER ROLE` itself. So
//! Sluice watches every session of its roles on each cluster: a statement
//! that has run past its limit is cancelled (and its session ended if it
//! is still running at twice the limit), and a transaction left idle past
//! its limit has its session ended, whatever the session set.
//! `temp_file_limit` needs no watching: only a superuser (or a role
//! granted `SET` on it) may change it.

use std::sync::Arc;
use std::time::Duration;

use sqlx::PgPool;

use super::{Clusters, GROUP};

/// How often each cluster is looked at: the most a statement or an idle
/// transaction outlives its limit (and what PostgreSQL's own timeout,
/// when it was not lifted, leaves to do).
pub const EVERY: Duration = Duration::from_secs(1);

/// Watches every cluster every [`EVERY`], for good.
pub async fn run(clusters: Arc<Clusters>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        for cluster in clusters.all() {
            match watch(cluster.pool(), clusters.limits()).await {
                Ok((0, 0)) => {}
                Ok((cancelled, ended)) => {
                    tracing::info!(cluster = %cluster.spec.key(), cancelled, ended,
                        "sessions past their limits were stopped");
                }
                Err(error) => tracing::warn!(cluster = %cluster.spec.key(), %error, "the limits watch failed"),
            }
        }
    }
}

/// One look at a cluster; answers how many statements were cancelled and
/// how many sessions ended.
pub async fn watch(pool: &PgPool, limits: &app::infra::settings::RoleLimits) -> Result<(i64, i64), sqlx::Error> {
    let statement_ms = i64::try_from(limits.statement_timeout.as_millis()).unwrap_or(i64::MAX);
    let idle_ms = i64::try_from(limits.idle_in_transaction_timeout.as_millis()).unwrap_or(i64::MAX);
    // PostgreSQL's own timeout goes first where it still stands: the watch
    // acts a moment after it would have.
    let grace_ms = 200;
    sqlx::query_as(
        "WITH ours AS (
             SELECT a.pid, a.state, a.query_start, a.state_change FROM pg_stat_activity a
             WHERE a.pid <> pg_backend_pid()
               AND a.usesysid IN (SELECT m.member FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                                  WHERE g.rolname = $1)
         ),
         ended AS (
             SELECT pg_terminate_backend(pid) AS done FROM ours
             WHERE (state = 'active' AND query_start < clock_timestamp() - ($2 * 2 + $4) * interval '1 millisecond')
                OR (state LIKE 'idle in transaction%'
                    AND state_change < clock_timestamp() - ($3 + $4) * interval '1 millisecond')
         ),
         cancelled AS (
             SELECT pg_cancel_backend(pid) AS done FROM ours
             WHERE state = 'active'
               AND query_start < clock_timestamp() - ($2 + $4) * interval '1 millisecond'
               AND query_start >= clock_timestamp() - ($2 * 2 + $4) * interval '1 millisecond'
         )
         SELECT (SELECT COUNT(*) FROM cancelled WHERE done), (SELECT COUNT(*) FROM ended WHERE done)",
    )
    .bind(GROUP)
    .bind(statement_ms)
    .bind(idle_ms)
    .bind(grace_ms)
    .fetch_one(pool)
    .await
}
