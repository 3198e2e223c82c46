//! The storage engine: one pool, opened and migrated at start.
//!
//! SQL in Sluice is written to mean the same on SQLite and PostgreSQL:
//! `$n` placeholders, `BIGINT` epoch milliseconds, `TEXT` ids, no
//! engine-specific functions. `SLUICE_DATABASE_URL` picks the engine
//! (`sqlite://…`, the embedded default, or `postgres://…`, which several
//! server processes can share); this module holds what differs (locks,
//! PRAGMAs, migrations), and only the rate-limit counter also asks which
//! engine it is, to skip the fsync each engine's way.

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{Any, AnyConnection, Executor, Transaction};
use std::str::FromStr;
use std::time::Duration;

use super::settings::Settings;

pub type Db = sqlx::AnyPool;
pub type Tx = Transaction<'static, Any>;

/// The two engines Sluice runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The engine a database URL names, if Sluice runs on it.
    pub fn of_url(url: &str) -> Option<Self> {
        let scheme = url.split_once(':')?.0;
        match scheme {
            "sqlite" => Some(Self::Sqlite),
            "postgres" | "postgresql" => Some(Self::Postgres),
            _ => None,
        }
    }

    /// The engine behind a pool.
    pub fn of(db: &Db) -> Self {
        Self::of_url(db.connect_options().database_url.as_str()).unwrap_or(Self::Sqlite)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("SLUICE_DATABASE_URL: not a database URL Sluice can open ({0})")]
    Url(sqlx::Error),
    #[error("SLUICE_DATABASE_URL: Sluice runs on sqlite:// or postgres:// URLs")]
    Scheme,
    #[error("SLUICE_DATA_DIR: cannot create {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error("cannot open the database: {0}")]
    Open(sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

/// How the pool behaves: connections, how long a request waits for one,
/// how long one stays open unused.
#[derive(Debug, Clone, Copy)]
pub struct PoolSettings {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    pub idle_timeout: Duration,
}

/// Opens (creating if needed) and migrates the database. On PostgreSQL the
/// migrations run under an advisory lock, so processes starting together
/// apply each one once.
pub async fn open(settings: &Settings) -> Result<Db, DbOpenError> {
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|source| DbOpenError::DataDir { path: settings.data_dir.display().to_string(), source })?;
    sqlx::any::install_default_drivers();
    let url = settings.database_url.expose();
    let engine = Engine::of_url(url).ok_or(DbOpenError::Scheme)?;
    let url = match engine {
        // Create the file if it is not there yet.
        Engine::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
        _ => url.clone(),
    };
    let options = AnyConnectOptions::from_str(&url).map_err(DbOpenError::Url)?;
    let db = AnyPoolOptions::new()
        .max_connections(settings.pool.max_connections)
        .acquire_timeout(settings.pool.acquire_timeout)
        .idle_timeout(settings.pool.idle_timeout)
        // A SQLite connection is a file opened in this process: nothing can
        // break it between two uses, and pinging it cost a round trip to its
        // thread before every statement (15 % of an API request's time).
        // A PostgreSQL connection can be cut, so it is still tested.
        .test_before_acquire(engine != Engine::Sqlite)
        .after_connect(move |conn, _| Box::pin(async move { prepare(conn, engine).await }))
        .connect_with(options)
        .await
        .map_err(DbOpenError::Open)?;
    migrate(&db, engine).await.map_err(DbOpenError::Migrate)?;
    Ok(db)
}

/// The migrations, written once: SQL that means the same on both engines.
static MIGRATIONS: Migrator = sqlx::migrate!("../migrations");

/// Before the shared migrations, PostgreSQL learns SQLite's name for a
/// column of bytes, `BLOB` (a domain over `bytea`, which clients see as
/// `bytea`), so that the same files serve both engines.
const POSTGRES_NAMES: &str = "CREATE DOMAIN blob AS bytea;";
const POSTGRES_NAMES_VERSION: i64 = 20261121000000;

/// The migrations PostgreSQL runs: its names, then the shared ones.
#[derive(Debug)]
struct PostgresMigrations;

impl MigrationSource<'static> for PostgresMigrations {
    fn resolve(
        self,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>> + Send>>
    {
        let names = Migration::new(
            POSTGRES_NAMES_VERSION,
            "postgres names".into(),
            MigrationType::Simple,
            POSTGRES_NAMES.into(),
            false,
        );
        let all = std::iter::once(names).chain(MIGRATIONS.iter().cloned()).collect();
        Box::pin(std::future::ready(Ok(all)))
    }
}

/// Applies the migrations not applied yet, once even when several
/// processes start together: PostgreSQL's migrator holds an advisory lock;
/// SQLite's takes none, so there they run inside one transaction that
/// holds the write lock (each migration a savepoint in it), and a second
/// process finds them applied.
async fn migrate(db: &Db, engine: Engine) -> Result<(), sqlx::migrate::MigrateError> {
    match engine {
        Engine::Postgres => Migrator::new(PostgresMigrations).await?.run(db).await,
        Engine::Sqlite => {
            let mut tx = begin_write(db).await?;
            MIGRATIONS.run(&mut *tx).await?;
            tx.commit().await?;
            Ok(())
        }
    }
}

/// Puts a SQLite file in write-ahead-log mode (a lasting property of the
/// file). Switching takes the file for itself, without waiting for a
/// process that has it open; two processes opening a new file at once
/// take turns.
async fn write_ahead_log(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    for _ in 0..100 {
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut *conn).await?;
        if mode.eq_ignore_ascii_case("wal") {
            return Ok(());
        }
        match conn.execute("PRAGMA journal_mode = WAL").await {
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("5") => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            other => {
                other?;
            }
        }
    }
    Err(sqlx::Error::Protocol("the database file stays out of write-ahead-log mode".into()))
}

/// What each new connection is set to.
async fn prepare(conn: &mut AnyConnection, engine: Engine) -> Result<(), sqlx::Error> {
    match engine {
        Engine::Sqlite => {
            conn.execute("PRAGMA busy_timeout = 5000").await?;
            write_ahead_log(conn).await?;
            conn.execute(
                "PRAGMA foreign_keys = ON;
                 -- Writes that hand a secret to a person must survive a power cut.
                 PRAGMA synchronous = FULL;
                 -- What is deleted (an account, a token) is overwritten, not
                 -- left in free pages of the file.
                 PRAGMA secure_delete = ON;",
            )
            .await?;
        }
        Engine::Postgres => {
            // Times are epoch milliseconds computed by Sluice, never by the
            // database; UTC keeps anything the server prints unambiguous.
            conn.execute("SET TIME ZONE 'UTC'").await?;
        }
    }
    Ok(())
}

/// Copies SQLite's write-ahead log into the database file and empties it,
/// so that deleted content no longer lingers in the log. Best effort: a
/// reader holding an old snapshot leaves it for the next checkpoint.
/// PostgreSQL recycles its own log.
pub async fn checkpoint(db: &Db) {
    if Engine::of(db) != Engine::Sqlite {
        return;
    }
    if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db).await {
        tracing::warn!(%error, "checkpoint did not run");
    }
}

/// A write transaction. On SQLite it takes the write lock at once, so that
/// a read-then-write cannot fail half-way with SQLITE_BUSY, and so every
/// write transaction runs alone. On PostgreSQL writers run side by side:
/// a read-then-write that must not interleave with another locks the row
/// it depends on first ([`lock_user`]).
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    match Engine::of(db) {
        Engine::Sqlite => db.begin_with("BEGIN IMMEDIATE").await,
        Engine::Postgres => db.begin().await,
    }
}

/// ` FOR UPDATE` on PostgreSQL, to end a `SELECT` whose rows must stay as
/// read until the transaction ends; nothing on SQLite, where
/// [`begin_write`] already holds the database's write lock.
pub fn for_update(conn: &AnyConnection) -> &'static str {
    match conn.backend_name() {
        "SQLite" => "",
        _ => " FOR UPDATE",
    }
}

/// ` FOR UPDATE OF {table} SKIP LOCKED` on PostgreSQL, to end the `SELECT`
/// by which a worker takes a row for itself: it stays locked until the
/// transaction ends, and other processes' workers pass over it. Nothing on
/// SQLite, where [`begin_write`] holds the only write lock.
pub fn skip_locked(conn: &AnyConnection, table: &str) -> String {
    match for_update(conn) {
        "" => String::new(),
        lock => format!("{lock} OF {table} SKIP LOCKED"),
    }
}

/// Holds the account's row until the transaction ends, so that what one
/// request counts or checks for that account (its tokens, its workspaces,
/// its password) no other request changes before this one commits.
///
/// `FOR NO KEY UPDATE`, not `FOR UPDATE`: two holders still wait for each
/// other, but a row that merely refers to the account (a usage reading,
/// whose foreign key check takes `FOR KEY SHARE`) is not held up. With
/// `FOR UPDATE` a holder waiting on a workspace row that a sampler had
/// written, while the sampler's reading waited on the account, deadlocked.
pub async fn lock_user(tx: &mut Tx, user_id: &str) -> Result<(), sqlx::Error> {
    if for_update(tx).is_empty() {
        return Ok(());
    }
    sqlx::query("SELECT id FROM users WHERE id = $1 FOR NO KEY UPDATE").bind(user_id).fetch_optional(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_their_engine() {
        assert_eq!(Engine::of_url("sqlite://data/sluice.db"), Some(Engine::Sqlite));
        assert_eq!(Engine::of_url("postgres://u:p@db/sluice"), Some(Engine::Postgres));
        assert_eq!(Engine::of_url("postgresql://db/sluice"), Some(Engine::Postgres));
        assert_eq!(Engine::of_url("mysql://db/sluice"), None);
        assert_eq!(Engine::of_url("sluice.db"), None);
    }
}
