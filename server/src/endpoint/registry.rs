//! Who is connected to which workspace, in this process. Deleting a
//! workspace (or its account) ends its connections and waits until its
//! database file is closed before the file is removed, so that nothing can
//! write it back: before, a connection left open wrote a new file after the
//! deletion, with the deleted person's data in it. It also caps the
//! connections one person holds.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

/// Connections one person may hold open to their workspaces at once.
pub const PER_USER: usize = 20;
/// How long a deletion waits for a workspace's connections to close: a
/// statement runs for 5 seconds at most.
const CLOSE_WAIT: Duration = Duration::from_secs(15);

#[derive(Clone, Default)]
pub struct Registry {
    inner: Arc<Mutex<Inner>>,
    /// Rung whenever a connection or an open database goes away.
    changed: Arc<Notify>,
}

#[derive(Default)]
struct Inner {
    next: u64,
    /// Signed-in connections per workspace, with the way to end each.
    sessions: HashMap<String, Vec<(u64, Arc<Closer>)>>,
    per_user: HashMap<String, usize>,
    /// Open database files per workspace.
    open: HashMap<String, usize>,
    /// Workspaces deleted while this process ran: nothing opens them again.
    retired: HashSet<String>,
}

/// Ends one connection from outside it.
#[derive(Default)]
pub struct Closer {
    closed: AtomicBool,
    notify: Notify,
}

impl Closer {
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.notify.notify_waiters();
    }

    /// Completes once [`Closer::close`] was called.
    pub async fn closed(&self) {
        loop {
            let notified = self.notify.notified();
            if self.closed.load(Ordering::SeqCst) {
                return;
            }
            notified.await;
        }
    }
}

/// Why a connection may not go on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The person holds [`PER_USER`] connections already.
    TooMany,
    /// The workspace was deleted.
    Deleted,
}

/// A signed-in connection, counted until dropped.
pub struct Entered {
    registry: Registry,
    id: u64,
    workspace_id: String,
    user_id: String,
}

/// An open database file, counted until dropped.
pub struct OpenFile {
    registry: Registry,
    workspace_id: String,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Counts a connection that signed in to `workspace_id` as `user_id`.
    pub fn enter(&self, user_id: &str, workspace_id: &str, closer: Arc<Closer>) -> Result<Entered, Refusal> {
        let mut inner = self.lock();
        if inner.retired.contains(workspace_id) {
            return Err(Refusal::Deleted);
        }
        let held = inner.per_user.entry(user_id.to_owned()).or_insert(0);
        if *held >= PER_USER {
            return Err(Refusal::TooMany);
        }
        *held += 1;
        inner.next += 1;
        let id = inner.next;
        inner.sessions.entry(workspace_id.to_owned()).or_default().push((id, closer));
        Ok(Entered { registry: self.clone(), id, workspace_id: workspace_id.to_owned(), user_id: user_id.to_owned() })
    }

    /// Runs `open` (which opens the workspace's file; blocking) unless the
    /// workspace was deleted, holding the registry so that a deletion
    /// cannot pass between the check and the opening.
    pub fn open<T>(&self, workspace_id: &str, open: impl FnOnce() -> T) -> Result<(T, OpenFile), Refusal> {
        let mut inner = self.lock();
        if inner.retired.contains(workspace_id) {
            return Err(Refusal::Deleted);
        }
        let opened = open();
        *inner.open.entry(workspace_id.to_owned()).or_insert(0) += 1;
        Ok((opened, OpenFile { registry: self.clone(), workspace_id: workspace_id.to_owned() }))
    }

    /// Ends every connection to these (deleted) workspaces and waits until
    /// their files are closed; from now on nothing opens them.
    pub async fn retire(&self, workspace_ids: &[String]) {
        {
            let mut inner = self.lock();
            for id in workspace_ids {
                inner.retired.insert(id.clone());
                for (_, closer) in inner.sessions.get(id).into_iter().flatten() {
                    closer.close();
                }
            }
        }
        let all_closed = async {
            loop {
                let changed = self.changed.notified();
                {
                    let inner = self.lock();
                    let busy =
                        workspace_ids.iter().any(|id| inner.open.contains_key(id) || inner.sessions.contains_key(id));
                    if !busy {
                        return;
                    }
                }
                changed.await;
            }
        };
        if tokio::time::timeout(CLOSE_WAIT, all_closed).await.is_err() {
            tracing::error!("a deleted workspace's connections did not close in time");
        }
    }

    /// Connections `user_id` holds now.
    pub fn held_by(&self, user_id: &str) -> usize {
        self.lock().per_user.get(user_id).copied().unwrap_or(0)
    }
}

impl Drop for Entered {
    fn drop(&mut self) {
        let mut inner = self.registry.lock();
        if let Some(list) = inner.sessions.get_mut(&self.workspace_id) {
            list.retain(|(id, _)| *id != self.id);
            if list.is_empty() {
                inner.sessions.remove(&self.workspace_id);
            }
        }
        if let Some(held) = inner.per_user.get_mut(&self.user_id) {
            *held -= 1;
            if *held == 0 {
                inner.per_user.remove(&self.user_id);
            }
        }
        drop(inner);
        self.registry.changed.notify_waiters();
    }
}

impl Drop for OpenFile {
    fn drop(&mut self) {
        let mut inner = self.registry.lock();
        if let Some(open) = inner.open.get_mut(&self.workspace_id) {
            *open -= 1;
            if *open == 0 {
                inner.open.remove(&self.workspace_id);
            }
        }
        drop(inner);
        self.registry.changed.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_deletion_ends_the_connections_and_waits_for_the_files() {
        let registry = Registry::default();
        let closer = Arc::new(Closer::default());
        let entered = registry.enter("u1", "w1", closer.clone()).unwrap();
        let ((), file) = registry.open("w1", || ()).unwrap();
        // The connection closes its file and leaves once it is told to.
        let connection = tokio::spawn(async move {
            closer.closed().await;
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(file);
            drop(entered);
        });
        let started = std::time::Instant::now();
        registry.retire(&["w1".to_owned()]).await;
        assert!(started.elapsed() >= Duration::from_millis(100), "it waited for the file");
        connection.await.unwrap();
        assert_eq!(registry.open("w1", || ()).err(), Some(Refusal::Deleted));
        assert_eq!(registry.enter("u1", "w1", Arc::default()).err(), Some(Refusal::Deleted));
        assert_eq!(registry.held_by("u1"), 0);
    }

    #[test]
    fn one_person_holds_at_most_their_share() {
        let registry = Registry::default();
        let held: Vec<_> = (0..PER_USER).map(|_| registry.enter("u1", "w1", Arc::default()).unwrap()).collect();
        assert_eq!(registry.enter("u1", "w2", Arc::default()).err(), Some(Refusal::TooMany));
        assert!(registry.enter("u2", "w3", Arc::default()).is_ok());
        drop(held);
        assert!(registry.enter("u1", "w1", Arc::default()).is_ok());
    }
}
