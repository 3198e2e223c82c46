//! The workspace endpoint: PostgreSQL's wire protocol in front of each
//! workspace's own SQLite database, so that the connection string on
//! Credentials & Access works in `psql` and in any PostgreSQL driver.
//!
//! A client signs in with SCRAM-SHA-256 ([`auth`]) against the verifier
//! the workspace holds, which the password propagation job writes: a
//! workspace accepts the password it has been given, and a rotation
//! reaches it when its job runs. The verifier is read only when a
//! connection starts, so connections already open stay open.

pub mod auth;
pub mod catalog;
pub mod sql;
pub mod store;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use rand::RngCore;
use tokio::net::TcpListener;

use crate::ssr::AppState;
use auth::Target;
use store::WorkspaceDb;

/// One client connection: the workspace it asked for and, once signed in,
/// its open database.
pub struct Session {
    state: AppState,
    target: Mutex<Option<Target>>,
    authenticated: AtomicBool,
    db: tokio::sync::OnceCell<Arc<Mutex<WorkspaceDb>>>,
}

impl Session {
    fn new(state: AppState) -> Self {
        Self {
            state,
            target: Mutex::new(None),
            authenticated: AtomicBool::new(false),
            db: tokio::sync::OnceCell::new(),
        }
    }

    fn set_target(&self, target: Target) {
        *self.target.lock().unwrap_or_else(|e| e.into_inner()) = Some(target);
    }

    fn target(&self) -> Option<Target> {
        self.target.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn authenticated(&self) {
        self.authenticated.store(true, Ordering::SeqCst);
    }

    /// The signed-in workspace: its owner's handle and its open database.
    async fn workspace(&self) -> Result<(Target, Arc<Mutex<WorkspaceDb>>), sql::SqlError> {
        let target = self
            .target()
            .filter(|_| self.authenticated.load(Ordering::SeqCst))
            .ok_or_else(|| sql::SqlError::new("28000", "not signed in"))?;
        let path = store::path(&self.state.settings.data_dir, &target.workspace_id);
        let db = self
            .db
            .get_or_try_init(|| async move {
                let opened = tokio::task::spawn_blocking(move || WorkspaceDb::open(&path)).await;
                match opened.map_err(|e| e.to_string()).and_then(|r| r.map_err(|e| e.to_string())) {
                    Ok(db) => Ok(Arc::new(Mutex::new(db))),
                    Err(error) => {
                        tracing::error!(%error, "workspace endpoint: cannot open a workspace database");
                        Err(sql::SqlError::new("58000", "the workspace's database cannot be opened"))
                    }
                }
            })
            .await?
            .clone();
        Ok((target, db))
    }
}

/// Runs `work` on the workspace's database on the blocking pool.
async fn blocking<T: Send + 'static>(
    db: Arc<Mutex<WorkspaceDb>>,
    work: impl FnOnce(&WorkspaceDb) -> T + Send + 'static,
) -> Result<T, sql::SqlError> {
    tokio::task::spawn_blocking(move || work(&db.lock().unwrap_or_else(|e| e.into_inner())))
        .await
        .map_err(|_| sql::SqlError::new("XX000", "the statement failed"))
}

/// The SQLite library the workspaces run on.
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}

/// Accepts clients until the process ends.
pub fn spawn(listener: TcpListener, state: AppState) -> tokio::task::JoinHandle<()> {
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let decoy_key = Arc::new(key);
    tokio::spawn(async move {
        loop {
            let socket = match listener.accept().await {
                Ok((socket, _)) => socket,
                Err(error) => {
                    tracing::warn!(%error, "workspace endpoint: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let _ = socket.set_nodelay(true);
            let session = Arc::new(Session::new(state.clone()));
            let handlers = Arc::new(wire::Handlers::new(session, decoy_key.clone()));
            tokio::spawn(async move {
                let _ = pgwire::tokio::process_socket(socket, None, handlers).await;
            });
        }
    })
}
