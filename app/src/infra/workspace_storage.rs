//! Where workspaces live, behind one interface: the embedded workspace
//! endpoint (in the `server` crate), or a PostgreSQL cluster of the
//! workspace's region. The pages, the API and the jobs ask this for what
//! they need and do not care which engine holds a workspace.
//!
//! A workspace is placed once, when it is made ([`Placement`]); after
//! that every operation names the placement stored with it. On the
//! embedded endpoint a workspace is rows in Sluice's own database that the
//! endpoint reads when a client signs in, so making it, renaming its
//! owner and giving it a new password need nothing of the storage; on a
//! cluster each is a statement there.

use futures::future::BoxFuture;

/// Which engine holds a workspace: `None` in the database column is the
/// embedded endpoint, a cluster's key (its public `host:port`) the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    Embedded,
    Cluster(String),
}

impl Placement {
    pub fn of_column(cluster: Option<String>) -> Self {
        cluster.map_or(Self::Embedded, Self::Cluster)
    }

    pub fn column(&self) -> Option<&str> {
        match self {
            Self::Embedded => None,
            Self::Cluster(key) => Some(key),
        }
    }
}

/// A region people may put a workspace in, and what serves it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    pub name: String,
    /// A PostgreSQL cluster serves it (else the embedded endpoint).
    pub cluster: bool,
}

/// Where a client reaches a cluster's workspaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    pub host: String,
    pub port: u16,
    /// The cluster speaks TLS: connection strings ask for it.
    pub tls: bool,
}

/// A database's usage as its cluster reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    pub database: String,
    /// `pg_database_size`.
    pub bytes: i64,
    /// `pg_stat_database.active_time`, whole milliseconds since the
    /// cluster's statistics were last reset.
    pub active_ms: i64,
}

/// What a cluster refused or could not do; said in the log and, for a
/// handle change, to the person as "try again".
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no cluster {0} is configured")]
    UnknownCluster(String),
    #[error("the role {0} exists on the cluster and is not one Sluice made")]
    ForeignRole(String),
    #[error("the cluster refused or could not be reached: {0}")]
    Cluster(#[from] sqlx::Error),
}

pub trait WorkspaceStorage: Send + Sync {
    /// The regions offered for new workspaces, by name.
    fn regions(&self) -> Vec<Region>;

    /// The clusters (keys) of `region`; empty: the embedded endpoint
    /// serves it.
    fn clusters_in(&self, region: &str) -> Vec<String>;

    /// Where clients reach a cluster; `None` for a cluster no longer
    /// configured.
    fn address(&self, cluster: &str) -> Option<Address>;

    /// Makes what a new workspace needs: on a cluster, the owner's role
    /// (`role`, its password from `verifier`, with the configured limits)
    /// if it has none there yet, then the database owned by it. Safe to
    /// repeat after a failure.
    fn create<'a>(
        &'a self,
        at: &'a Placement,
        role: &'a str,
        verifier: &'a str,
        database: &'a str,
    ) -> BoxFuture<'a, Result<(), StorageError>>;

    /// Sets the password of `role` on the workspace's engine to the one
    /// `verifier` (a SCRAM-SHA-256 verifier) was made from. Connections
    /// already open stay open.
    fn set_verifier<'a>(
        &'a self,
        at: &'a Placement,
        role: &'a str,
        verifier: &'a str,
    ) -> BoxFuture<'a, Result<(), StorageError>>;

    /// Renames a person's role from `from` to `to` (their handle changed).
    fn rename<'a>(&'a self, at: &'a Placement, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;

    /// Removes a deleted workspace's database, ending its connections
    /// first. `workspace_id` names it on the embedded endpoint,
    /// `database` on a cluster.
    fn delete<'a>(
        &'a self,
        at: &'a Placement,
        workspace_id: &'a str,
        database: &'a str,
    ) -> BoxFuture<'a, Result<(), StorageError>>;

    /// Removes a role no workspace on the cluster needs any more.
    fn drop_role<'a>(&'a self, at: &'a Placement, role: &'a str) -> BoxFuture<'a, Result<(), StorageError>>;

    /// The usage of these databases as the engine reports it. The embedded
    /// endpoint meters its workspaces itself, as it serves them, and
    /// answers nothing here.
    fn measure<'a>(
        &'a self,
        at: &'a Placement,
        databases: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Measured>, StorageError>>;
}
