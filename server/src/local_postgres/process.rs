//! Running `postgres` as Sluice's child: its settings, waiting until it
//! takes connections, restarting it with back-off when it dies, stopping
//! it, and dealing with one a killed Sluice left behind.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;
use sqlx::Connection;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use super::data_dir::RunAs;
use super::Unavailable;

/// How long a start may take before it is given up.
const READY_WITHIN: Duration = Duration::from_secs(60);
/// How long a fast shutdown may take before the server is told to quit.
const STOP_WITHIN: Duration = Duration::from_secs(30);

/// What `postgres` is started with: everything on its command line, so
/// that a setting is Sluice's and the same at every start.
#[derive(Debug, Clone)]
pub struct Launch {
    pub program: PathBuf,
    pub pgdata: PathBuf,
    pub args: Vec<String>,
    pub log: PathBuf,
    pub run_as: Option<RunAs>,
    /// How Sluice connects as the administrator (the Unix socket).
    pub admin: PgConnectOptions,
    /// The address space each of its processes may take (bytes).
    pub process_memory: u64,
}

impl Launch {
    #[allow(unsafe_code)] // libc; see the SAFETY notes
    fn command(&self) -> Result<Command, Unavailable> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| Unavailable(format!("cannot open {}: {e}", self.log.display())))?;
        let err = log.try_clone().map_err(|e| Unavailable(format!("cannot open {}: {e}", self.log.display())))?;
        let mut command = Command::new(&self.program);
        command.arg("-D").arg(&self.pgdata).args(&self.args);
        command.stdin(Stdio::null()).stdout(log).stderr(err);
        // Its own process group: a Ctrl-C at Sluice's terminal reaches
        // Sluice, which then stops PostgreSQL in order.
        command.process_group(0);
        if let Some(who) = &self.run_as {
            command.uid(who.uid).gid(who.gid);
        }
        // Every backend inherits it: a session that asks for more memory
        // (a `SET work_mem` of its own) gets PostgreSQL's "out of memory"
        // error, and the server and the machine go on.
        let bytes = self.process_memory;
        // SAFETY: setrlimit is async-signal-safe; nothing else runs in the
        // child between fork and exec.
        unsafe {
            command.pre_exec(move || {
                let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
                if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        Ok(command)
    }
}

/// The settings for a small machine; see docs/workspaces.md.
pub struct Sizing {
    pub max_connections: u32,
    pub shared_buffers_mb: u64,
    /// Load `pg_stat_statements`: compute time is then read as each
    /// statement ends, not when its session reports (see
    /// `clusters::statements::measure`).
    pub statement_stats: bool,
}

/// `-c name=value` for each of Sluice's settings.
pub fn args(
    listen: std::net::SocketAddr,
    socket_dir: &Path,
    tls: Option<&(PathBuf, PathBuf)>,
    sizing: &Sizing,
) -> Vec<String> {
    let mut settings: Vec<(String, String)> = vec![
        ("listen_addresses".into(), listen.ip().to_string()),
        ("port".into(), listen.port().to_string()),
        ("unix_socket_directories".into(), socket_dir.display().to_string()),
        // Only the user who runs it (and root) may use the socket.
        ("unix_socket_permissions".into(), "0700".into()),
        ("password_encryption".into(), "scram-sha-256".into()),
        ("authentication_timeout".into(), "10s".into()),
        ("max_connections".into(), sizing.max_connections.to_string()),
        // Sluice administers as a superuser: its connections are these.
        ("superuser_reserved_connections".into(), "5".into()),
        ("shared_buffers".into(), format!("{}MB", sizing.shared_buffers_mb)),
        ("work_mem".into(), "4MB".into()),
        ("maintenance_work_mem".into(), "64MB".into()),
        ("huge_pages".into(), "off".into()),
        ("logging_collector".into(), "off".into()),
        ("log_line_prefix".into(), "%m [%p] %q%u@%d ".into()),
    ];
    if sizing.statement_stats {
        settings.push(("shared_preload_libraries".into(), "pg_stat_statements".into()));
        settings.push(("pg_stat_statements.max".into(), "10000".into()));
        settings.push(("pg_stat_statements.track".into(), "top".into()));
    }
    match tls {
        Some((cert, key)) => {
            settings.push(("ssl".into(), "on".into()));
            settings.push(("ssl_cert_file".into(), cert.display().to_string()));
            settings.push(("ssl_key_file".into(), key.display().to_string()));
            settings.push(("ssl_min_protocol_version".into(), "TLSv1.2".into()));
        }
        None => settings.push(("ssl".into(), "off".into())),
    }
    settings.into_iter().flat_map(|(k, v)| ["-c".to_owned(), format!("{k}={v}")]).collect()
}

/// A server a killed Sluice left running on this data (`postmaster.pid`
/// names a live process): it is stopped, so that the one Sluice starts is
/// its own child. Never two on the same data: PostgreSQL's lock file
/// refuses a second, and this waits for the first to be gone.
pub async fn stop_leftover(pgdata: &Path) -> Result<(), Unavailable> {
    let Ok(text) = std::fs::read_to_string(pgdata.join("postmaster.pid")) else { return Ok(()) };
    let mut lines = text.lines();
    let pid: Option<i32> = lines.next().and_then(|l| l.trim().parse().ok());
    let dir = lines.next().map(str::trim);
    let Some(pid) = pid.filter(|p| *p > 0) else { return Ok(()) };
    let same = |d: &str| match (std::fs::canonicalize(d), std::fs::canonicalize(pgdata)) {
        (Ok(a), Ok(b)) => a == b,
        _ => Path::new(d) == pgdata,
    };
    if !alive(pid) || dir.is_some_and(|d| !same(d)) {
        return Ok(());
    }
    tracing::info!(pid, "found the managed PostgreSQL a previous Sluice left running; stopping it to start it again");
    signal(pid, libc::SIGINT);
    if !gone_within(pid, STOP_WITHIN).await {
        signal(pid, libc::SIGQUIT);
        if !gone_within(pid, Duration::from_secs(10)).await {
            return Err(Unavailable(format!(
                "the PostgreSQL left running on {} (pid {pid}) does not stop",
                pgdata.display()
            )));
        }
    }
    Ok(())
}

#[allow(unsafe_code)] // libc; see the SAFETY notes
fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 checks only that the process exists.
    unsafe { libc::kill(pid, 0) == 0 }
}

#[allow(unsafe_code)] // libc; see the SAFETY notes
fn signal(pid: i32, sig: i32) {
    // SAFETY: sends a signal; the pid is the server's postmaster.
    unsafe {
        libc::kill(pid, sig);
    }
}

async fn gone_within(pid: i32, within: Duration) -> bool {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    !alive(pid)
}

/// Starts the server and waits until the administrator can connect.
pub async fn start(launch: &Launch) -> Result<Child, Unavailable> {
    let mut child =
        launch.command()?.spawn().map_err(|e| Unavailable(format!("cannot run {}: {e}", launch.program.display())))?;
    let until = Instant::now() + READY_WITHIN;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(Unavailable(format!("PostgreSQL stopped at start ({status}): {}", last_line(&launch.log))));
        }
        if let Ok(conn) = sqlx::PgConnection::connect_with(&launch.admin).await {
            let _ = conn.close().await;
            return Ok(child);
        }
        if Instant::now() > until {
            let _ = child.start_kill();
            return Err(Unavailable(format!(
                "PostgreSQL did not take connections within a minute: {}",
                last_line(&launch.log)
            )));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last thing PostgreSQL logged, for a one-line reason.
fn last_line(log: &Path) -> String {
    let text = std::fs::read(log).unwrap_or_default();
    let tail = &text[text.len().saturating_sub(4096)..];
    String::from_utf8_lossy(tail).lines().rfind(|l| !l.trim().is_empty()).unwrap_or("(nothing logged)").to_owned()
}

/// Watches the child: restarts it (waiting 1, 2, 4 … 30 seconds) when it
/// dies, stops it (fast shutdown, then quit) when `stop` turns true.
pub async fn supervise(launch: Launch, mut child: Child, pid: Arc<AtomicU32>, mut stop: watch::Receiver<bool>) {
    let mut failures = 0u32;
    loop {
        let started = Instant::now();
        tokio::select! {
            status = child.wait() => {
                pid.store(0, Ordering::SeqCst);
                if *stop.borrow() {
                    return;
                }
                if started.elapsed() > Duration::from_secs(60) {
                    failures = 0;
                }
                let wait = Duration::from_secs(1u64 << failures.min(5)).min(Duration::from_secs(30));
                failures += 1;
                tracing::error!(status = ?status.ok(), last = %last_line(&launch.log), "the managed PostgreSQL stopped; starting it again in {}s", wait.as_secs());
                loop {
                    tokio::select! {
                        _ = tokio::time::sleep(wait) => {}
                        _ = stop.changed() => return,
                    }
                    let _ = stop_leftover(&launch.pgdata).await;
                    match start(&launch).await {
                        Ok(next) => {
                            child = next;
                            pid.store(child.id().unwrap_or(0), Ordering::SeqCst);
                            tracing::info!("the managed PostgreSQL is running again");
                            break;
                        }
                        Err(e) => tracing::error!(reason = %e, "the managed PostgreSQL did not start; trying again"),
                    }
                }
            }
            _ = stop.changed() => {
                let Some(id) = child.id() else { return };
                signal(id as i32, libc::SIGINT);
                if tokio::time::timeout(STOP_WITHIN, child.wait()).await.is_err() {
                    signal(id as i32, libc::SIGQUIT);
                    let _ = child.wait().await;
                }
                pid.store(0, Ordering::SeqCst);
                tracing::info!("the managed PostgreSQL stopped");
                return;
            }
        }
    }
}

/// Asks the server `pid` for a fast shutdown without waiting (a Sluice
/// that ends without its orderly stop: a test's, or a panic).
pub fn stop_now(pid: u32) {
    if pid > 0 {
        signal(pid as i32, libc::SIGINT);
    }
}
