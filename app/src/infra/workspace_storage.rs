//! What features need of the place workspaces' data lives. The embedded
//! workspace endpoint (in the `server` crate) implements it today; a
//! PostgreSQL cluster would implement the same. Creating a workspace,
//! renaming it with its owner's handle and changing its database password
//! are rows in Sluice's own database that the storage reads when a client
//! signs in, so only removal needs the storage itself.

use futures::future::BoxFuture;

pub trait WorkspaceStorage: Send + Sync {
    /// Ends every connection to these deleted workspaces, waits until
    /// nothing holds their data open, then removes it. Never fails: what
    /// cannot be removed is logged.
    fn remove<'a>(&'a self, workspace_ids: &'a [String]) -> BoxFuture<'a, ()>;
}
