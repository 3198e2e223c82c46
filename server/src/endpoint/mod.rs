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
pub mod budget;
pub mod catalog;
pub mod dialect;
mod functions;
pub mod meter;
pub mod pg_catalog;
pub mod registry;
pub mod sql;
pub mod store;
pub mod tls;
mod wire;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::RngCore;
use tokio::net::TcpListener;

use crate::connections::{open_files_limit, ConnectionCaps};
use app::infra::AppState;
use auth::Target;
pub use registry::Registry;
use registry::{Closer, Entered, OpenFile, Refusal};
use store::WorkspaceDb;

/// Connections the endpoint holds at once (and at most a quarter of the
/// process's open files); more wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 256;
/// Connections one client address may hold; more are closed at once.
pub const PER_ADDRESS: usize = 32;
/// A client must have signed in this long after connecting (PostgreSQL
/// waits 60 seconds).
pub const STARTUP_TIME: Duration = Duration::from_secs(10);

/// A workspace's database, open for one connection, and its place in the
/// registry (given back after the file is closed: fields drop in order).
pub struct OpenDb {
    db: Mutex<WorkspaceDb>,
    _file: OpenFile,
}

/// One client connection: the workspace it asked for and, once signed in,
/// its open database.
pub struct Session {
    state: AppState,
    registry: Registry,
    budget: budget::Budget,
    meter: meter::Meter,
    target: Mutex<Option<Target>>,
    authenticated: AtomicBool,
    entered: Mutex<Option<Entered>>,
    closer: Arc<Closer>,
    db: tokio::sync::OnceCell<Arc<OpenDb>>,
}

impl Session {
    fn new(state: AppState, registry: Registry, budget: budget::Budget, meter: meter::Meter) -> Self {
        Self {
            state,
            registry,
            budget,
            meter,
            target: Mutex::new(None),
            authenticated: AtomicBool::new(false),
            entered: Mutex::new(None),
            closer: Arc::default(),
            db: tokio::sync::OnceCell::new(),
        }
    }

    fn signed_in(&self) -> bool {
        self.authenticated.load(Ordering::SeqCst)
    }

    fn set_target(&self, target: Target) {
        *self.target.lock().unwrap_or_else(|e| e.into_inner()) = Some(target);
    }

    fn target(&self) -> Option<Target> {
        self.target.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A place in the registry for the connection about to prove who it
    /// is (none for an unknown user or workspace, which cannot succeed):
    /// refused when the owner holds too many or the workspace was deleted.
    fn reserve(&self) -> Option<Result<Entered, Refusal>> {
        let target = self.target()?;
        Some(self.registry.enter(&target.user_id, &target.workspace_id, self.closer.clone()))
    }

    /// The proof was right: the connection keeps its place and may query.
    fn authenticated(&self, entered: Entered) {
        *self.entered.lock().unwrap_or_else(|e| e.into_inner()) = Some(entered);
        self.authenticated.store(true, Ordering::SeqCst);
    }

    /// The signed-in workspace: its owner's handle and its open database.
    async fn workspace(&self) -> Result<(Target, Arc<OpenDb>), sql::SqlError> {
        let target =
            self.target().filter(|_| self.signed_in()).ok_or_else(|| sql::SqlError::new("28000", "not signed in"))?;
        let path = store::path(&self.state.settings.data_dir, &target.workspace_id);
        let names = pg_catalog::Names { user: target.handle.clone(), database: target.database.clone() };
        let registry = self.registry.clone();
        let id = target.workspace_id.clone();
        let db = self
            .db
            .get_or_try_init(|| async move {
                let opened =
                    tokio::task::spawn_blocking(move || registry.open(&id, || WorkspaceDb::open(&path, names))).await;
                match opened {
                    Ok(Ok((Ok(db), file))) => Ok(Arc::new(OpenDb { db: Mutex::new(db), _file: file })),
                    Ok(Err(_)) => Err(deleted()),
                    Ok(Ok((Err(error), _))) => {
                        tracing::error!(%error, "workspace endpoint: cannot open a workspace database");
                        Err(sql::SqlError::new("58000", "the workspace's database cannot be opened"))
                    }
                    Err(_) => Err(sql::SqlError::new("58000", "the workspace's database cannot be opened")),
                }
            })
            .await?
            .clone();
        Ok((target, db))
    }
}

fn deleted() -> sql::SqlError {
    sql::SqlError::new("3D000", "this workspace was deleted")
}

impl Session {
    /// Runs `work` on the workspace's database, in its turn (see
    /// [`budget::RUNNING`]); the time it runs is the workspace's compute
    /// time. SQLite's calls block: on the multi-threaded runtime they run
    /// in place, the worker handing its other tasks on for the while
    /// (`block_in_place`: no hop to another thread and back, which cost
    /// more than a short statement); elsewhere on the blocking pool.
    async fn run<T: Send + 'static>(
        &self,
        db: Arc<OpenDb>,
        work: impl FnOnce(&WorkspaceDb) -> T + Send + 'static,
    ) -> Result<T, sql::SqlError> {
        let turn = self.budget.turn().await;
        let meter = self.meter.clone();
        let workspace_id = self.target().map(|t| t.workspace_id);
        let job = move || {
            let started = std::time::Instant::now();
            let done = work(&db.db.lock().unwrap_or_else(|e| e.into_inner()));
            if let Some(id) = workspace_id {
                meter.add(&id, started.elapsed());
            }
            drop(turn);
            done
        };
        tokio::task::spawn_blocking(job).await.map_err(|_| sql::SqlError::new("XX000", "the statement failed"))
    }
}

/// The workspace files behind the endpoint, as features see them: removing
/// a deleted workspace ends its connections here, waits until its file is
/// closed, then removes the file.
#[derive(Clone)]
pub struct Files {
    pub registry: Registry,
    pub data_dir: std::path::PathBuf,
}

impl Files {
    /// Ends every connection to these deleted workspaces, waits until
    /// nothing holds their files open, then removes them. Never fails:
    /// what cannot be removed is logged.
    pub async fn remove(&self, workspace_ids: &[String]) {
        self.registry.retire(workspace_ids).await;
        for id in workspace_ids {
            store::remove_logged(&self.data_dir, id).await;
        }
    }
}

/// The SQLite library the workspaces run on.
pub fn sqlite_version() -> &'static str {
    rusqlite::version()
}

/// The endpoint's bound socket and, when TLS is on, its acceptor.
pub struct Listener {
    pub tcp: TcpListener,
    pub tls: Option<tokio_rustls::TlsAcceptor>,
}

/// Accepts clients until the process ends, within the connection caps;
/// a client that has not signed in within [`STARTUP_TIME`] is let go, and
/// a signed-in one ends when its workspace is deleted.
pub fn spawn(listener: Listener, state: AppState, registry: Registry) -> tokio::task::JoinHandle<()> {
    let Listener { tcp: listener, tls } = listener;
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    let decoy_key = Arc::new(key);
    let fd_room = open_files_limit().map_or(usize::MAX, |n| n as usize / 4);
    let caps = ConnectionCaps::new(MAX_CONNECTIONS.min(fd_room), PER_ADDRESS, Vec::new());
    let budget = budget::Budget::new(budget::ENDPOINT_BYTES);
    let meter = meter::Meter::default();
    meter::spawn(state.clone(), meter.clone(), state.settings.usage_interval);
    store::limit_heap();
    tokio::spawn(async move {
        loop {
            let room = caps.room().await;
            let (socket, peer) = match listener.accept().await {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "workspace endpoint: accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                    continue;
                }
            };
            let Some(admitted) = caps.admit(room, peer.ip()) else { continue };
            let _ = socket.set_nodelay(true);
            let session = Arc::new(Session::new(state.clone(), registry.clone(), budget.clone(), meter.clone()));
            let handlers = Arc::new(wire::Handlers::new(session.clone(), decoy_key.clone()));
            let tls = tls.clone();
            tokio::spawn(async move {
                let serve = pgwire::tokio::process_socket(socket, tls, handlers);
                let too_slow = async {
                    tokio::time::sleep(STARTUP_TIME).await;
                    if session.signed_in() {
                        std::future::pending::<()>().await;
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    () = too_slow => {}
                    () = session.closer.closed() => {}
                }
                drop(admitted);
            });
        }
    })
}
