//! Sluice's own PostgreSQL, the default home of workspaces: at the first
//! start Sluice runs `initdb` into `$SLUICE_DATA_DIR/postgres`, then runs
//! `postgres` as a child it supervises (restarted with back-off when it
//! dies, stopped in order when Sluice stops). It listens where
//! `SLUICE_DB_LISTEN` says, with TLS from Sluice's certificate; Sluice
//! administers it over a Unix socket in its data directory, and people's
//! roles come in only over TCP (TLS when on) with SCRAM. Once running it
//! is one more cluster ([`crate::clusters`]): the same statements make,
//! rotate, rename, measure and remove its workspaces.
//!
//! When it cannot run (PostgreSQL is not installed, or a setting is
//! wrong), Sluice still starts and says why ([`Unavailable`]).

mod binaries;
mod data_dir;
pub mod import;
mod upgrade;
pub use upgrade::run as move_legacy_workspaces;
mod process;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use app::infra::settings::{DbTls, Settings};
use sqlx::postgres::PgConnectOptions;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use data_dir::{Paths, ADMIN};

/// Why workspaces on the managed PostgreSQL are unavailable, in one line.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct Unavailable(pub String);

/// What to run, from the settings.
#[derive(Debug, Clone)]
pub struct Plan {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    /// The certificate and key, when TLS is on.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// `SLUICE_POSTGRES_BIN`.
    pub bin: Option<PathBuf>,
    pub max_connections: u32,
    pub shared_buffers_mb: u64,
    /// The address space each of its processes may take, in MB.
    pub process_memory_mb: u64,
}

impl Plan {
    /// The plan the settings make; `None` when `SLUICE_DB_LISTEN` is off.
    /// Makes the self-signed certificate at the first start.
    pub fn from_settings(settings: &Settings) -> Result<Option<Self>, Unavailable> {
        let Some(listen) = settings.db_listen else { return Ok(None) };
        let tls = match &settings.db_tls {
            DbTls::Off => None,
            DbTls::Files { certificate, key } => Some((certificate.clone(), key.clone())),
            DbTls::SelfSigned => {
                let pair = crate::certificate::self_signed_paths(&settings.data_dir);
                crate::certificate::ensure(&pair.0, &pair.1, &settings.db_domain)
                    .map_err(|e| Unavailable(e.to_string()))?;
                Some(pair)
            }
        };
        // PostgreSQL works inside its data directory and writes it whole
        // in postmaster.pid: every path it is given is absolute.
        let data_dir = std::path::absolute(&settings.data_dir)
            .map_err(|e| Unavailable(format!("SLUICE_DATA_DIR: {}: {e}", settings.data_dir.display())))?;
        Ok(Some(Self {
            data_dir,
            listen,
            tls,
            bin: settings.postgres_bin.clone(),
            max_connections: settings.postgres_max_connections,
            shared_buffers_mb: settings.postgres_shared_buffers_mb,
            process_memory_mb: settings.postgres_process_memory_mb,
        }))
    }
}

/// The managed PostgreSQL, running.
pub struct LocalPostgres {
    /// Where people connect (the port is the real one when the setting's
    /// was 0).
    pub listen: SocketAddr,
    pub major: u32,
    /// How Sluice connects as its administrator.
    pub admin: PgConnectOptions,
    pub pgdata: PathBuf,
    stop: watch::Sender<bool>,
    pid: Arc<AtomicU32>,
    supervisor: Option<JoinHandle<()>>,
}

impl LocalPostgres {
    /// Finds PostgreSQL, makes its data directory at the first start,
    /// stops a server a killed Sluice left on it, starts it and waits
    /// until it takes connections.
    pub async fn start(plan: Plan) -> Result<Self, Unavailable> {
        let binaries = binaries::find(plan.bin.as_deref()).await?;
        let paths = Paths::new(&plan.data_dir);
        let run_as = data_dir::run_as()?;
        if let Some(who) = &run_as {
            tracing::info!(user = %who.name, "Sluice runs as root: its PostgreSQL runs as the user {}", who.name);
        }
        let socket_dir = paths.pgdata.clone();
        // A Unix socket's path is at most 107 bytes.
        let socket_len = socket_dir.as_os_str().len() + "/.s.PGSQL.65535".len();
        if socket_len > 107 {
            return Err(Unavailable(format!(
                "the data dir's path is too long for PostgreSQL's socket ({socket_len} > 107 bytes): set a shorter SLUICE_DATA_DIR"
            )));
        }
        let listen = match plan.listen.port() {
            0 => free_port(plan.listen.ip())?,
            _ => plan.listen,
        };
        let config = {
            let (paths, run_as, tls) = (paths.clone(), run_as.clone(), plan.tls.clone());
            let initdb = binaries.initdb();
            tokio::task::spawn_blocking(move || -> Result<_, Unavailable> {
                if let Some(parent) = paths.pgdata.parent() {
                    std::fs::create_dir_all(parent)
                        .map_err(|e| Unavailable(format!("cannot make {}: {e}", parent.display())))?;
                }
                if let Some(who) = &run_as {
                    data_dir::make_reachable(&paths.pgdata, who)?;
                }
                if !paths.initialised() {
                    data_dir::initdb(&initdb, &paths, run_as.as_ref())?;
                }
                let tls = tls.as_ref().map(|(c, k)| (c.as_path(), k.as_path()));
                let tls = data_dir::write_config(&paths, crate::clusters::GROUP, tls, run_as.as_ref())?;
                Ok((data_dir::admin_password(&paths)?, tls))
            })
            .await
            .map_err(|e| Unavailable(format!("setting up PostgreSQL's data failed: {e}")))??
        };
        let (password, tls) = config;
        let admin = PgConnectOptions::new()
            .socket(&socket_dir)
            .port(listen.port())
            .username(ADMIN)
            .password(&password)
            .database("postgres")
            .application_name("sluice");
        let sizing = process::Sizing {
            max_connections: plan.max_connections,
            shared_buffers_mb: plan.shared_buffers_mb,
            statement_stats: binaries.has_statement_stats(),
        };
        let launch = process::Launch {
            program: binaries.postgres(),
            pgdata: paths.pgdata.clone(),
            args: process::args(listen, &socket_dir, tls.as_ref(), &sizing),
            log: paths.log.clone(),
            run_as,
            admin: admin.clone(),
            process_memory: plan.process_memory_mb.saturating_mul(1024 * 1024),
        };
        process::stop_leftover(&paths.pgdata).await?;
        let child = process::start(&launch).await?;
        let pid = Arc::new(AtomicU32::new(child.id().unwrap_or(0)));
        let (stop, stopped) = watch::channel(false);
        let supervisor = tokio::spawn(process::supervise(launch, child, pid.clone(), stopped));
        Ok(Self { listen, major: binaries.major, admin, pgdata: paths.pgdata, stop, pid, supervisor: Some(supervisor) })
    }

    /// Stops the server (fast shutdown: open sessions end, what they
    /// committed stays) and waits until it is gone.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.supervisor.take() {
            let _ = task.await;
        }
    }

    /// The postmaster's process id while it runs.
    pub fn pid(&self) -> u32 {
        self.pid.load(Ordering::SeqCst)
    }
}

impl Drop for LocalPostgres {
    /// Without [`LocalPostgres::stop`] (a test's server, a panic), the
    /// server is still asked to stop.
    fn drop(&mut self) {
        if self.supervisor.is_some() {
            let _ = self.stop.send(true);
            process::stop_now(self.pid());
        }
    }
}

/// A port the system has free now on `ip` (for `SLUICE_DB_LISTEN=…:0`).
fn free_port(ip: std::net::IpAddr) -> Result<SocketAddr, Unavailable> {
    let socket = std::net::TcpListener::bind((ip, 0))
        .map_err(|e| Unavailable(format!("SLUICE_DB_LISTEN: cannot listen on {ip}: {e}")))?;
    socket.local_addr().map_err(|e| Unavailable(e.to_string()))
}
