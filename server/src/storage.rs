//! The one [`WorkspaceStorage`] Sluice runs with: the embedded endpoint's
//! files for the workspaces it holds, the configured clusters for theirs.

use std::sync::Arc;

use app::infra::workspace_storage::{Address, Measured, Placement, Region, Role, StorageError, WorkspaceStorage};
use app::workspaces::ssr::DEFAULT_REGION;
use futures::future::BoxFuture;

use crate::clusters::Clusters;
use crate::endpoint::Files;

pub struct Storage {
    pub files: Files,
    pub clusters: Arc<Clusters>,
}

type Done<'a> = BoxFuture<'a, Result<(), StorageError>>;

impl WorkspaceStorage for Storage {
    fn regions(&self) -> Vec<Region> {
        let mut regions: Vec<Region> =
            self.clusters.all().iter().map(|c| Region { name: c.spec.region.clone(), cluster: true }).collect();
        if !regions.iter().any(|r| r.name == DEFAULT_REGION) {
            regions.push(Region { name: DEFAULT_REGION.to_owned(), cluster: false });
        }
        regions.sort_by(|a, b| a.name.cmp(&b.name));
        regions.dedup();
        regions
    }

    fn clusters_in(&self, region: &str) -> Vec<String> {
        self.clusters.all().iter().filter(|c| c.spec.region == region).map(|c| c.spec.key()).collect()
    }

    fn address(&self, cluster: &str) -> Option<Address> {
        self.clusters.address(cluster)
    }

    fn create<'a>(&'a self, at: &'a Placement, role: &'a Role<'a>, verifier: &'a str, database: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                // The endpoint reads the row when a client signs in.
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.create(key, role, verifier, database).await,
            }
        })
    }

    fn set_verifier<'a>(&'a self, at: &'a Placement, role: &'a Role<'a>, verifier: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                // The verifier is the row's; the endpoint reads it.
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.set_verifier(key, role, verifier).await,
            }
        })
    }

    fn rename<'a>(&'a self, at: &'a Placement, from: &'a Role<'a>, to: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                // The endpoint signs people in by the handle of the moment.
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.rename(key, from, to).await,
            }
        })
    }

    fn delete<'a>(&'a self, at: &'a Placement, workspace_id: &'a str, database: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                Placement::Embedded => {
                    self.files.remove(std::slice::from_ref(&workspace_id.to_owned())).await;
                    Ok(())
                }
                Placement::Cluster(key) => self.clusters.drop_database(key, database).await,
            }
        })
    }

    fn drop_role<'a>(&'a self, at: &'a Placement, role: &'a Role<'a>) -> Done<'a> {
        Box::pin(async move {
            match at {
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.drop_role(key, role).await,
            }
        })
    }

    fn pause<'a>(&'a self, at: &'a Placement, database: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                // The endpoint is retired: nothing to close.
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.pause(key, database).await,
            }
        })
    }

    fn resume<'a>(&'a self, at: &'a Placement, role: &'a Role<'a>, database: &'a str) -> Done<'a> {
        Box::pin(async move {
            match at {
                Placement::Embedded => Ok(()),
                Placement::Cluster(key) => self.clusters.resume(key, role, database).await,
            }
        })
    }

    fn measure<'a>(
        &'a self,
        at: &'a Placement,
        databases: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Measured>, StorageError>> {
        Box::pin(async move {
            match at {
                Placement::Embedded => Ok(Vec::new()),
                Placement::Cluster(key) => self.clusters.measure(key, databases).await,
            }
        })
    }
}
