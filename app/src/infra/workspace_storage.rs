//! Where workspaces live, behind one interface: a PostgreSQL cluster of
//! the workspace's region, which is Sluice's own PostgreSQL (the `server`
//! crate runs it) unless clusters are configured for the region. The
//! pages, the API and the jobs ask this for what they need and do not
//! care which cluster holds a workspace.
//!
//! A workspace is placed once, when it is made ([`Placement`]); after
//! that every operation names the placement stored with it. A workspace
//! without one waits for an engine (none could run when it was made), or
//! was kept by an earlier release as a SQLite file that the server moves
//! onto PostgreSQL at start.

/// The region new workspaces are placed in, and the one Sluice's own
/// PostgreSQL serves.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The cluster that holds a workspace, by its key: `local` for Sluice's
/// own PostgreSQL, else the configured cluster's public `host:port`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement(pub String);

impl Placement {
    /// The placement a `workspaces.cluster` column holds, if any.
    pub fn of_column(cluster: Option<String>) -> Option<Self> {
        cluster.map(Self)
    }

    pub fn column(&self) -> &str {
        &self.0
    }
}

/// A region people may put a workspace in, and what serves it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    /// What runs its workspaces, as the pages say it.
    pub engine: String,
}

/// A person's role on a cluster: named by their handle, bound to their
/// immutable id.
#[derive(Debug, Clone, Copy)]
pub struct Role<'a> {
    pub name: &'a str,
    /// The person's id; `None` for a removal written before roles were
    /// bound, which drops only a role that is bound to nobody.
    pub owner: Option<&'a str>,
    /// A role of this name that is bound to nobody (made before roles were
    /// bound) may be taken as the person's: they already have a ready
    /// workspace on the cluster, so it was made for them.
    pub adopt_unbound: bool,
}

/// Where a client reaches a cluster's workspaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: u16,
    /// The cluster speaks TLS: connection strings ask for it.
    pub tls: bool,
    /// Each workspace is reached at its own DNS name (Sluice's own
    /// PostgreSQL), `host` being the domain.
    pub per_workspace_names: bool,
    /// The address psql is given instead of resolving the name.
    pub hostaddr: Option<String>,
    /// What runs it, as the pages say it ("PostgreSQL 15 on this server").
    pub engine: String,
}

/// A database's usage as its cluster reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub database: String,
    /// `pg_database_size`.
    pub bytes: i64,
    /// Statement time, whole milliseconds: `pg_stat_statements`'s
    /// execution time where it can be read (`from_statements`), else
    /// `pg_stat_database.active_time`; since the statistics were reset.
    pub active_ms: i64,
    pub from_statements: bool,
    /// How long the statements running in it now have run, added up over
    /// its sessions: time `active_ms` does not count yet.
    pub running_ms: i64,
}

/// A client connected to a workspace, as its cluster's `pg_stat_activity`
/// shows it (sampled with usage): a use of the owner's database password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceSignIn {
    /// The role: the owner's handle.
    pub role: String,
    pub database: String,
    pub address: std::net::IpAddr,
    /// `application_name`, as the client set it (may be empty).
    pub application: String,
}

/// What a cluster refused or could not do; said in the log and, for a
/// handle change, to the person as "try again".
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no cluster {0} is configured")]
    UnknownCluster(String),
    #[error("the role {0} exists on the cluster and is not one Sluice made")]
    ForeignRole(String),
    /// One of Sluice's roles, made for another person (a handle given up
    /// while the role's removal waits): it is never handed on.
    #[error("the role {0} on the cluster is another person's, waiting to be removed")]
    RoleInUse(String),
    #[error("the cluster refused or could not be reached: {0}")]
    Cluster(#[from] sqlx::Error),
}

/// What an implementation of [`WorkspaceStorage`] is marked with.
pub use async_trait::async_trait;

#[async_trait]
pub trait WorkspaceStorage: Send + Sync {
    /// The regions offered for new workspaces, by name; empty when no
    /// engine runs (see [`WorkspaceStorage::unavailable`]).
    fn regions(&self) -> Vec<Region>;

    /// The clusters (keys) of `region` new workspaces go to; empty: the
    /// region has none running.
    fn clusters_in(&self, region: &str) -> Vec<String>;

    /// Why Sluice's own PostgreSQL is not running, in one line, when no
    /// configured cluster serves the default region either.
    fn unavailable(&self) -> Option<String>;

    /// Where clients reach a cluster; `None` for a cluster no longer
    /// configured.
    fn address(&self, cluster: &str) -> Option<Address>;

    /// Makes what a new workspace needs: on a cluster, the owner's role
    /// (`role.name`, its password from `verifier`, with the configured
    /// limits) if it has none there yet, then the database owned by it.
    /// A role is bound to the person it was made for: one made for
    /// someone else is never taken over ([`StorageError::RoleInUse`]).
    /// Safe to repeat after a failure.
    async fn create(&self, at: &Placement, role: &Role<'_>, verifier: &str, database: &str)
        -> Result<(), StorageError>;

    /// Sets the password of the person's role on the workspace's engine to
    /// the one `verifier` (a SCRAM-SHA-256 verifier) was made from.
    /// Connections already open stay open.
    async fn set_verifier(&self, at: &Placement, role: &Role<'_>, verifier: &str) -> Result<(), StorageError>;

    /// Renames a person's role from `role.name` to `to` (their handle
    /// changed).
    async fn rename(&self, at: &Placement, role: &Role<'_>, to: &str) -> Result<(), StorageError>;

    /// Removes a deleted workspace's database, ending its connections
    /// first.
    async fn delete(&self, at: &Placement, database: &str) -> Result<(), StorageError>;

    /// Removes what an earlier release kept of a workspace deleted before
    /// it was moved onto PostgreSQL (its SQLite file).
    async fn forget_unplaced(&self, workspace_id: &str);

    /// Removes a role no workspace on the cluster needs any more: it can
    /// no longer sign in, its sessions end, what it owns anywhere on the
    /// cluster goes, then the role. A role of that name made for someone
    /// else is left alone (success: nothing of this person's is there).
    async fn drop_role(&self, at: &Placement, role: &Role<'_>) -> Result<(), StorageError>;

    /// Closes a workspace's database to its owner, who filled it past the
    /// storage limit: their sign-ins there are refused and their sessions
    /// there end; their other workspaces go on. Paused already, or gone,
    /// is success.
    async fn pause(&self, at: &Placement, database: &str) -> Result<(), StorageError>;

    /// Gives a paused database back to its owner's role.
    async fn resume(&self, at: &Placement, role: &Role<'_>, database: &str) -> Result<(), StorageError>;

    /// The usage of these databases as the cluster reports it.
    async fn measure(&self, at: &Placement, databases: &[String]) -> Result<Vec<Measured>, StorageError>;
}
