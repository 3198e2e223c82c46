//! The one [`WorkspaceStorage`] Sluice runs with: every workspace is a
//! database on a cluster, Sluice's own PostgreSQL or a configured one.

use std::path::PathBuf;
use std::sync::Arc;

use app::infra::workspace_storage::{
    async_trait, Address, Measured, Placement, Region, Role, StorageError, WorkspaceStorage, DEFAULT_REGION,
};

use crate::clusters::Clusters;
use crate::local_postgres::Unavailable;

pub struct Storage {
    pub clusters: Arc<Clusters>,
    /// Why Sluice's own PostgreSQL is not running, when it is not.
    pub local_unavailable: Option<Unavailable>,
    /// Where earlier releases kept workspaces as SQLite files.
    pub data_dir: PathBuf,
}

impl Storage {
    /// Configured clusters of `region`, else Sluice's own PostgreSQL for
    /// the default region.
    fn serving(&self, region: &str) -> Vec<&crate::clusters::Cluster> {
        let configured: Vec<_> =
            self.clusters.all().iter().filter(|c| !c.spec.local && c.spec.region == region).collect();
        if !configured.is_empty() {
            return configured;
        }
        self.clusters.all().iter().filter(|c| c.spec.local && region == DEFAULT_REGION).collect()
    }
}

#[async_trait]
impl WorkspaceStorage for Storage {
    fn regions(&self) -> Vec<Region> {
        let mut names: Vec<String> = self.clusters.all().iter().map(|c| c.spec.region.clone()).collect();
        names.sort();
        names.dedup();
        names
            .into_iter()
            .filter_map(|name| {
                let serving = self.serving(&name);
                let engine = match serving.as_slice() {
                    [] => return None,
                    [one] => one.engine(),
                    many => format!("{} PostgreSQL clusters", many.len()),
                };
                Some(Region { name, engine })
            })
            .collect()
    }

    fn clusters_in(&self, region: &str) -> Vec<String> {
        self.serving(region).iter().map(|c| c.spec.key()).collect()
    }

    fn unavailable(&self) -> Option<String> {
        if !self.serving(DEFAULT_REGION).is_empty() {
            return None;
        }
        Some(match &self.local_unavailable {
            Some(why) => why.to_string(),
            None => "Sluice's own PostgreSQL is turned off (SLUICE_DB_LISTEN=off) and no cluster serves the region"
                .to_owned(),
        })
    }

    fn address(&self, cluster: &str) -> Option<Address> {
        self.clusters.address(cluster)
    }

    async fn create(
        &self,
        at: &Placement,
        role: &Role<'_>,
        verifier: &str,
        database: &str,
    ) -> Result<(), StorageError> {
        self.clusters.create(&at.0, role, verifier, database).await
    }

    async fn set_verifier(&self, at: &Placement, role: &Role<'_>, verifier: &str) -> Result<(), StorageError> {
        self.clusters.set_verifier(&at.0, role, verifier).await
    }

    async fn rename(&self, at: &Placement, from: &Role<'_>, to: &str) -> Result<(), StorageError> {
        self.clusters.rename(&at.0, from, to).await
    }

    async fn delete(&self, at: &Placement, database: &str) -> Result<(), StorageError> {
        self.clusters.drop_database(&at.0, database).await
    }

    async fn forget_unplaced(&self, workspace_id: &str) {
        if let Err(error) = crate::local_postgres::import::remove_legacy_file(&self.data_dir, workspace_id).await {
            tracing::error!(%error, "a deleted workspace's SQLite file could not be removed");
        }
    }

    async fn drop_role(&self, at: &Placement, role: &Role<'_>) -> Result<(), StorageError> {
        self.clusters.drop_role(&at.0, role).await
    }

    async fn pause(&self, at: &Placement, database: &str) -> Result<(), StorageError> {
        self.clusters.pause(&at.0, database).await
    }

    async fn resume(&self, at: &Placement, role: &Role<'_>, database: &str) -> Result<(), StorageError> {
        self.clusters.resume(&at.0, role, database).await
    }

    async fn measure(&self, at: &Placement, databases: &[String]) -> Result<Vec<Measured>, StorageError> {
        self.clusters.measure(&at.0, databases).await
    }
}
