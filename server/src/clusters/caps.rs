//! Usage caps on the clusters. Whoever is in `usage_caps` for the current
//! period (written by the thresholds' evaluation after each usage sample,
//! and by a change of thresholds) has their role on every cluster closed
//! and their sessions ended; whoever is no longer there has it opened. Every
//! Sluice process holds every cluster to that table once a second, so a cap
//! raised or removed, or a new period, opens the workspaces within seconds
//! wherever they are, and a process that was down catches up when it runs.
//!
//! How a role is closed depends on what Sluice may do there. As a
//! superuser (always, on Sluice's own PostgreSQL), the role keeps LOGIN and
//! gets `session_preload_libraries` set to a sentence: PostgreSQL fails
//! each new session of it at its start with `could not access file "Sluice:
//! usage cap reached …"`, so `psql` and every driver show why and where to
//! raise the cap; only a superuser can set or override that setting, so no
//! client option lifts it. Elsewhere the role loses LOGIN (marked by a
//! connection limit of 0, which no other change of Sluice's writes), and
//! PostgreSQL says `role "…" is not permitted to log in`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use app::infra::settings::RoleLimits;
use app::infra::workspace_storage::WorkspaceSignIn;
use app::infra::AppState;
use futures::future::BoxFuture;
use sqlx::Executor;

use super::statements::{ident, literal};
use super::{Cluster, Clusters, GROUP};

/// How often every cluster is held to `usage_caps`.
pub const EVERY: Duration = Duration::from_secs(1);

/// The setting that carries the sentence.
const SETTING: &str = "session_preload_libraries";

/// The roles to close on a cluster (by name), each with the sentence that
/// refuses its sign-ins.
pub type Wanted = BTreeMap<String, String>;

/// Each account's running statements' time, by id.
pub type Running = HashMap<String, i64>;
/// What a hook answers.
pub type Answer<'a, T> = BoxFuture<'a, Result<T, sqlx::Error>>;

/// What the engines ask of the account side, which they do not know: the
/// process wires these to `app::routes::jobs`.
#[derive(Clone, Copy)]
pub struct Hooks {
    /// After each round of usage samples, with each account's running
    /// statements' time.
    pub sampled: for<'a> fn(&'a AppState, &'a Running) -> Answer<'a, ()>,
    /// The roles the caps close on a cluster.
    pub capped: for<'a> fn(&'a AppState, &'a str) -> Answer<'a, Wanted>,
    /// The clients connected to a cluster's workspaces, seen at a sample.
    pub signed_in: for<'a> fn(&'a AppState, &'a str, &'a [WorkspaceSignIn]) -> Answer<'a, ()>,
}

/// Holds every cluster to the caps every [`EVERY`], for good.
pub async fn run(state: AppState, clusters: Arc<Clusters>, hooks: Hooks) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        enforce_all(&state, &clusters, hooks).await;
    }
}

/// Holds every cluster to the caps once.
pub async fn enforce_all(state: &AppState, clusters: &Clusters, hooks: Hooks) {
    for cluster in clusters.all() {
        let done = match (hooks.capped)(state, &cluster.spec.key()).await {
            Ok(wanted) => enforce(state, cluster, clusters.limits(), &wanted).await,
            Err(e) => Err(e),
        };
        if let Err(error) = done {
            tracing::warn!(cluster = %cluster.spec.key(), %error, "usage caps: a cluster was not brought in line");
        }
    }
}

/// A role of Sluice's on the cluster that is closed now.
#[derive(sqlx::FromRow)]
struct Closed {
    name: String,
    /// The sentence it carries, if closed that way.
    setting: Option<String>,
    /// Closed by losing LOGIN.
    no_login: bool,
    /// The comment that binds it to a person.
    binding: Option<String>,
}

/// Brings one cluster in line; answers how many roles were closed and
/// opened.
pub async fn enforce(
    state: &AppState,
    cluster: &Cluster,
    limits: &RoleLimits,
    wanted: &Wanted,
) -> Result<(usize, usize), sqlx::Error> {
    let key = cluster.spec.key();
    let pool = cluster.pool();
    let closed: Vec<Closed> = sqlx::query_as(
        "WITH ours AS (
             SELECT r.oid, r.rolname, r.rolconnlimit FROM pg_roles r
             JOIN pg_auth_members m ON m.member = r.oid JOIN pg_roles g ON g.oid = m.roleid
             WHERE g.rolname = $1
         ), said AS (
             SELECT s.setrole, c AS setting FROM pg_db_role_setting s, unnest(s.setconfig) c
             WHERE s.setdatabase = 0 AND c LIKE $2
         )
         SELECT o.rolname::text AS name, said.setting, o.rolconnlimit = 0 AS no_login,
                shobj_description(o.oid, 'pg_authid') AS binding
         FROM ours o LEFT JOIN said ON said.setrole = o.oid
         WHERE said.setting IS NOT NULL OR o.rolconnlimit = 0",
    )
    .bind(GROUP)
    .bind(format!("{SETTING}=%"))
    .fetch_all(pool)
    .await?;
    let mut shut = 0;
    for (handle, text) in wanted {
        let r = ident(handle);
        let was = closed.iter().find(|c| &c.name == handle);
        if cluster.superuser() {
            let current = was.and_then(|c| c.setting.as_deref()).and_then(|s| s.split_once('=')).map(|(_, v)| v);
            if current != Some(text.as_str()) {
                pool.execute(format!("ALTER ROLE {r} SET {SETTING} = {}", literal(text)).as_str()).await?;
                shut += 1;
            }
        } else if !was.is_some_and(|c| c.no_login) {
            pool.execute(format!("ALTER ROLE {r} NOLOGIN CONNECTION LIMIT 0").as_str()).await?;
            shut += 1;
        }
    }
    if !wanted.is_empty() {
        // Sessions open before the cap end; none can start after it.
        let names: Vec<&str> = wanted.keys().map(String::as_str).collect();
        sqlx::query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = ANY($1) AND pid <> pg_backend_pid()",
        )
        .bind(&names)
        .execute(pool)
        .await?;
    }
    let mut opened = 0;
    for c in closed.iter().filter(|c| !wanted.contains_key(&c.name)) {
        // Only a living person's role opens: one whose removal is under
        // way (its account deleted) stays shut.
        let owner = c.binding.as_deref().and_then(super::roles::bound_owner);
        let alive: Option<String> = match owner {
            Some(id) => sqlx::query_scalar("SELECT id FROM users WHERE id = $1").bind(id),
            None => sqlx::query_scalar("SELECT id FROM users WHERE handle = $1").bind(&c.name),
        }
        .fetch_optional(&state.db)
        .await?;
        if alive.is_none() {
            continue;
        }
        let r = ident(&c.name);
        if c.setting.is_some() {
            pool.execute(format!("ALTER ROLE {r} RESET {SETTING}").as_str()).await?;
        }
        if c.no_login {
            pool.execute(format!("ALTER ROLE {r} LOGIN CONNECTION LIMIT {}", limits.connections).as_str()).await?;
        }
        opened += 1;
    }
    if shut > 0 || opened > 0 {
        tracing::info!(cluster = %key, closed = shut, opened, "usage caps: roles brought in line");
    }
    Ok((shut, opened))
}
