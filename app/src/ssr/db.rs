//! The storage engine: one pool, opened and migrated at start.
//!
//! SQL in Sluice is written to mean the same on SQLite and PostgreSQL:
//! `$n` placeholders, `BIGINT` epoch milliseconds, `TEXT` ids, no
//! engine-specific functions. Only this module knows which engine it is.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Sqlite, Transaction};
use std::str::FromStr;
use std::time::Duration;

use super::settings::Settings;

pub type Db = sqlx::SqlitePool;
pub type Tx = Transaction<'static, Sqlite>;

#[derive(Debug, thiserror::Error)]
pub enum DbOpenError {
    #[error("SLUICE_DATABASE_URL: not a database URL Sluice can open ({0})")]
    Url(sqlx::Error),
    #[error("SLUICE_DATA_DIR: cannot create {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot open the database: {0}")]
    Open(sqlx::Error),
    #[error("cannot migrate the database: {0}")]
    Migrate(sqlx::migrate::MigrateError),
}

/// Opens (creating if needed) and migrates the database.
pub async fn open(settings: &Settings) -> Result<Db, DbOpenError> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|source| DbOpenError::DataDir {
        path: settings.data_dir.display().to_string(),
        source,
    })?;
    let options = SqliteConnectOptions::from_str(settings.database_url.expose())
        .map_err(DbOpenError::Url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // Writes that hand a secret to a person must survive a power cut.
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(Duration::from_secs(5))
        .foreign_keys(true)
        // What is deleted (an account, a token) is overwritten, not left in
        // free pages of the file.
        .pragma("secure_delete", "on");
    let db = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await
        .map_err(DbOpenError::Open)?;
    sqlx::migrate!("../migrations")
        .run(&db)
        .await
        .map_err(DbOpenError::Migrate)?;
    Ok(db)
}

/// Copies the write-ahead log into the database file and empties it, so
/// that deleted content no longer lingers in the log. Best effort: a reader
/// holding an old snapshot leaves it for the next checkpoint.
pub async fn checkpoint(db: &Db) {
    if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(db).await {
        tracing::warn!(%error, "checkpoint did not run");
    }
}

/// A write transaction that takes the write lock at once, so that a
/// read-then-write cannot fail half-way with SQLITE_BUSY.
pub async fn begin_write(db: &Db) -> Result<Tx, sqlx::Error> {
    db.begin_with("BEGIN IMMEDIATE").await
}
