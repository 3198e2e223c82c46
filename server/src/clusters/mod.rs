//! Workspaces on PostgreSQL clusters: each person has a LOGIN role on every
//! cluster where they have a workspace, named by their handle, whose
//! password is set from a SCRAM-SHA-256 verifier (the plaintext never
//! travels to the cluster); each workspace is a database owned by that
//! role, with `CONNECT` revoked from `PUBLIC`.
//!
//! Sluice administers a cluster as a role with CREATEDB and CREATEROLE
//! (not a superuser). The roles it makes are members of [`GROUP`]: it
//! alters, renames and drops no role that is not, and drops no database
//! whose owner is not.

pub mod caps;
mod databases;
mod roles;
pub(crate) mod statements;
mod storage_limit;
pub mod usage;
pub mod watchdog;

use std::time::Duration;

use app::infra::settings::{ClusterSpec, RoleLimits};
use app::infra::workspace_storage::{Address, Measured, Role, StorageError};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

/// The role every person's role on a cluster is a member of.
pub const GROUP: &str = "sluice_workspaces";
/// The key of the managed PostgreSQL ([`crate::local_postgres`]) among
/// the clusters.
pub const LOCAL: &str = "local";
/// `active_time` in `pg_stat_database` is PostgreSQL 14's.
const MIN_VERSION: i32 = 140_000;

/// Why a configured cluster cannot be used; said in one line at start.
#[derive(Debug, thiserror::Error)]
#[error("SLUICE_WORKSPACE_CLUSTERS: the cluster of {region} ({key}): {problem}")]
pub struct ClusterError {
    region: String,
    key: String,
    problem: String,
}

/// One configured cluster, connected.
pub struct Cluster {
    pub spec: ClusterSpec,
    pool: PgPool,
    /// How to reach the cluster as its administrator, for the statements
    /// that must run inside one of its other databases.
    options: PgConnectOptions,
    tls: bool,
    /// PostgreSQL's major version.
    major: i32,
    /// Sluice's role there is a superuser: a usage cap can say why it
    /// refuses a sign-in.
    superuser: bool,
    /// `pg_stat_statements` can be read there.
    statement_stats: bool,
}

impl Cluster {
    /// The administrative connections.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Sluice administers it as a superuser.
    pub fn superuser(&self) -> bool {
        self.superuser
    }

    /// How to connect as the administrator (to name another database).
    pub fn admin_options(&self) -> PgConnectOptions {
        self.options.clone()
    }

    /// What the pages say runs the cluster's workspaces.
    pub fn engine(&self) -> String {
        if self.spec.local {
            format!("PostgreSQL {} on this server", self.major)
        } else {
            format!("PostgreSQL {} cluster at {}", self.major, self.spec.key())
        }
    }
}

/// Every configured cluster, and the limits set on the roles made there.
pub struct Clusters {
    list: Vec<Cluster>,
    limits: RoleLimits,
}

impl Clusters {
    /// Connects to each cluster and checks that Sluice can work there
    /// (version, privileges), making [`GROUP`] if it is missing. A
    /// configured cluster that is unreachable or unfit stops the start.
    /// `local` is the managed PostgreSQL, already running, with how
    /// Sluice administers it (its Unix socket).
    pub async fn connect(
        specs: &[ClusterSpec],
        limits: RoleLimits,
        local: Option<(ClusterSpec, PgConnectOptions)>,
    ) -> Result<Self, ClusterError> {
        let mut list = Vec::with_capacity(specs.len() + 1);
        for spec in specs {
            let fail = |problem: String| ClusterError { region: spec.region.clone(), key: spec.key(), problem };
            let options: PgConnectOptions = spec
                .admin_url
                .expose()
                .parse()
                .map_err(|e: sqlx::Error| fail(format!("the administrative URL is not usable: {}", redact(&e))))?;
            list.push(Self::connect_one(spec.clone(), options.application_name("sluice")).await?);
        }
        if let Some((spec, options)) = local {
            list.push(Self::connect_one(spec, options).await?);
        }
        Ok(Self { list, limits })
    }

    async fn connect_one(spec: ClusterSpec, options: PgConnectOptions) -> Result<Cluster, ClusterError> {
        let fail = |problem: String| ClusterError { region: spec.region.clone(), key: spec.key(), problem };
        let pool = PgPoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(10))
            .idle_timeout(Duration::from_secs(300))
            .connect_with(options.clone())
            .await
            .map_err(|e| fail(format!("cannot connect: {}", redact(&e))))?;
        let checked = statements::check(&pool).await.map_err(fail)?;
        Ok(Cluster {
            spec,
            pool,
            options,
            tls: checked.tls,
            major: checked.version / 10_000,
            superuser: checked.superuser,
            statement_stats: checked.statement_stats,
        })
    }

    pub fn all(&self) -> &[Cluster] {
        &self.list
    }

    /// The limits set on every person's role.
    pub fn limits(&self) -> &RoleLimits {
        &self.limits
    }

    pub fn get(&self, key: &str) -> Result<&Cluster, StorageError> {
        self.list.iter().find(|c| c.spec.key() == key).ok_or_else(|| StorageError::UnknownCluster(key.to_owned()))
    }

    pub fn address(&self, key: &str) -> Option<Address> {
        let c = self.get(key).ok()?;
        Some(Address {
            host: c.spec.public_host.clone(),
            port: c.spec.public_port,
            tls: c.tls,
            // The managed PostgreSQL answers every workspace's own name.
            per_workspace_names: c.spec.local,
            hostaddr: c.spec.hostaddr.map(|a| a.to_string()),
            engine: c.engine(),
        })
    }

    pub async fn create(&self, key: &str, role: &Role<'_>, verifier: &str, database: &str) -> Result<(), StorageError> {
        let c = self.get(key)?;
        roles::create(&c.pool, role, verifier, database, &self.limits).await
    }

    pub async fn set_verifier(&self, key: &str, role: &Role<'_>, verifier: &str) -> Result<(), StorageError> {
        roles::set_verifier(&self.get(key)?.pool, role, verifier).await?;
        tracing::info!(cluster = key, "the database password was set on a cluster");
        Ok(())
    }

    pub async fn rename(&self, key: &str, from: &Role<'_>, to: &str) -> Result<(), StorageError> {
        roles::rename(&self.get(key)?.pool, from, to).await
    }

    pub async fn drop_database(&self, key: &str, database: &str) -> Result<(), StorageError> {
        databases::drop_database(&self.get(key)?.pool, database).await
    }

    pub async fn drop_role(&self, key: &str, role: &Role<'_>) -> Result<(), StorageError> {
        let c = self.get(key)?;
        roles::drop_role(&c.pool, &c.options, role).await
    }

    pub async fn pause(&self, key: &str, database: &str) -> Result<(), StorageError> {
        databases::pause(&self.get(key)?.pool, database).await
    }

    pub async fn resume(&self, key: &str, role: &Role<'_>, database: &str) -> Result<(), StorageError> {
        databases::resume(&self.get(key)?.pool, role, database).await
    }

    pub async fn measure(&self, key: &str, databases: &[String]) -> Result<Vec<Measured>, StorageError> {
        let c = self.get(key)?;
        statements::measure(&c.pool, databases, c.statement_stats).await
    }
}

/// A connection error without what the URL held (sqlx does not print it,
/// but a driver's message may quote the host's answer).
fn redact(e: &sqlx::Error) -> String {
    e.to_string().lines().next().unwrap_or_default().to_owned()
}
