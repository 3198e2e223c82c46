//! Each workspace's own SQLite file, opened for one client connection with
//! its walls up: no other file can be attached, no extension loaded, no
//! pragma that reaches outside the database or weakens it, no temporary
//! objects (their files would grow outside the size cap), a cap on the
//! file's size and on each statement's time, and no string built past
//! SQLite's length limit (`concat` and `concat_ws` allocated the whole
//! result before checking it: 4 GB for one statement).

use std::cell::{RefCell, RefMut};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

use super::pg_catalog::{Catalog, Names};

/// A workspace's database may grow to this size.
pub const MAX_BYTES: u64 = 256 * 1024 * 1024;
/// The longest string or blob a statement may make.
pub const MAX_LENGTH: usize = 16 * 1024 * 1024;
/// What SQLite may allocate in this process, all connections together
/// (Sluice's own database included): a backstop behind the limits above.
const HEAP_LIMIT: i64 = 256 * 1024 * 1024;
/// Each workspace connection's page cache, in KiB.
const CACHE_KIB: i64 = 512;
/// A statement that runs longer is interrupted.
pub const STATEMENT_TIME: Duration = Duration::from_secs(5);
const PAGE_SIZE: u64 = 4096;

/// Pragmas a client may run: they read or tune this connection only.
const PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "foreign_keys",
    "integrity_check",
    "quick_check",
    "page_count",
    "page_size",
    "freelist_count",
    "user_version",
    "application_id",
    "collation_list",
    "function_list",
    "pragma_list",
    "case_sensitive_like",
    "defer_foreign_keys",
    "recursive_triggers",
    "optimize",
    "data_version",
    "schema_version",
];

/// Functions no client may call.
const FUNCTIONS: &[&str] = &["load_extension", "fts3_tokenizer", "readfile", "writefile", "edit"];

/// Where workspace `id` keeps its data.
pub fn path(data_dir: &Path, workspace_id: &str) -> PathBuf {
    data_dir.join("workspaces").join(format!("{workspace_id}.sqlite3"))
}

/// Removes a deleted workspace's files (the database, its WAL and index).
/// Connections already open keep the deleted file until they close.
pub async fn remove(data_dir: &Path, workspace_id: &str) -> std::io::Result<()> {
    let main = path(data_dir, workspace_id);
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = main.clone().into_os_string();
        name.push(suffix);
        match tokio::fs::remove_file(&name).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// [`remove`], logging a failure: the rows are gone by then, and the
/// person's answer does not wait on the file system.
pub async fn remove_logged(data_dir: &Path, workspace_id: &str) {
    if let Err(error) = remove(data_dir, workspace_id).await {
        tracing::error!(%error, "a deleted workspace's database file could not be removed");
    }
}

/// One client's connection to a workspace's database, and the catalog it
/// reads PostgreSQL's way (made when first asked for).
pub struct WorkspaceDb {
    pub conn: Connection,
    names: Names,
    catalog: RefCell<Option<Catalog>>,
    /// When the running statement must stop (milliseconds since `epoch`).
    deadline: Arc<AtomicU64>,
    epoch: Instant,
}

impl WorkspaceDb {
    /// Opens (making it on first use) the database at `path`. Blocking.
    pub fn open(path: &Path, names: Names) -> rusqlite::Result<Self> {
        Self::open_capped(path, MAX_BYTES, names)
    }

    /// The catalog, its tables up to date with the workspace's schema.
    pub fn catalog(&self) -> rusqlite::Result<RefMut<'_, Catalog>> {
        let mut slot = self.catalog.borrow_mut();
        if slot.is_none() {
            let (epoch, watch) = (self.epoch, self.deadline.clone());
            let stop = move || epoch.elapsed().as_millis() as u64 > watch.load(Ordering::Relaxed);
            *slot = Some(Catalog::open(&self.names, stop)?);
        }
        let mut catalog = RefMut::map(slot, |c| c.as_mut().expect("made above"));
        catalog.refresh(&self.conn, &self.names)?;
        Ok(catalog)
    }

    fn open_capped(path: &Path, max_bytes: u64, names: Names) -> rusqlite::Result<Self> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| {
                rusqlite::Error::SqliteFailure(
                    rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CANTOPEN),
                    Some(e.to_string()),
                )
            })?;
        }
        // Made on first use; once it exists it is only opened, never made
        // again by an open (the caller holds the registry, so a deleted
        // workspace's file is not opened at all).
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        if !path.exists() {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let conn = Connection::open_with_flags(path, flags)?;
        conn.busy_timeout(STATEMENT_TIME)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "max_page_count", (max_bytes / PAGE_SIZE) as i64)?;
        conn.pragma_update(None, "trusted_schema", false)?;
        conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
        conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0);
        conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_LENGTH as i32);
        bounded_concat(&conn)?;
        super::functions::register(&conn, &names)?;
        conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 1024 * 1024);
        conn.authorizer(Some(authorize));
        let deadline = Arc::new(AtomicU64::new(u64::MAX));
        let epoch = Instant::now();
        let watch = deadline.clone();
        // Returning true interrupts the statement.
        conn.progress_handler(10_000, Some(move || epoch.elapsed().as_millis() as u64 > watch.load(Ordering::Relaxed)));
        Ok(Self { conn, names, catalog: RefCell::new(None), deadline, epoch })
    }

    /// Starts the clock for a statement: it may run [`STATEMENT_TIME`].
    pub fn arm(&self) {
        let at = self.epoch.elapsed() + STATEMENT_TIME;
        self.deadline.store(at.as_millis() as u64, Ordering::Relaxed);
    }
}

/// The counter SQLite moves on every change of a database's schema.
pub fn schema_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA schema_version", [], |r| r.get(0))
}

/// Caps the heap SQLite may use in this process. Once, before the
/// endpoint opens any workspace.
pub fn limit_heap() {
    // SAFETY: a plain setting of the library, safe to call at any time.
    unsafe {
        rusqlite::ffi::sqlite3_hard_heap_limit64(HEAP_LIMIT);
    }
}

/// `concat` and `concat_ws` as SQLite has them, but measuring the result
/// before building it.
fn bounded_concat(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::{Context, FunctionFlags};
    use rusqlite::types::ValueRef;
    fn text(v: ValueRef<'_>) -> Option<std::borrow::Cow<'_, [u8]>> {
        Some(match v {
            ValueRef::Null => return None,
            ValueRef::Integer(i) => i.to_string().into_bytes().into(),
            ValueRef::Real(f) => real_text(f).into_bytes().into(),
            ValueRef::Text(t) | ValueRef::Blob(t) => t.into(),
        })
    }
    fn join(ctx: &Context<'_>, from: usize, separator: &[u8]) -> rusqlite::Result<String> {
        let parts: Vec<_> = (from..ctx.len()).filter_map(|i| text(ctx.get_raw(i))).collect();
        let length = parts.iter().map(|p| p.len()).sum::<usize>() + separator.len() * parts.len().saturating_sub(1);
        if length > MAX_LENGTH {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_TOOBIG),
                Some("string or blob too big".to_owned()),
            ));
        }
        let mut out = Vec::with_capacity(length);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(separator);
            }
            out.extend_from_slice(part);
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("concat", -1, flags, |ctx| join(ctx, 0, b""))?;
    conn.create_scalar_function("concat_ws", -1, flags, |ctx| {
        if ctx.len() < 2 {
            return Err(rusqlite::Error::UserFunctionError(
                "concat_ws takes a separator and at least one value".into(),
            ));
        }
        match text(ctx.get_raw(0)) {
            None => Ok(None),
            Some(separator) => join(ctx, 1, &separator).map(Some),
        }
    })
}

/// A real number as SQLite writes it as text (`1.0`, `0.5`, `1.0e+20`).
fn real_text(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        format!("{f}")
    }
}

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => Authorization::Deny,
        AuthAction::CreateTempTable { .. }
        | AuthAction::CreateTempIndex { .. }
        | AuthAction::CreateTempView { .. }
        | AuthAction::CreateTempTrigger { .. } => Authorization::Deny,
        // `CREATE TABLE temp.x` names the schema instead.
        AuthAction::CreateTable { .. }
        | AuthAction::CreateIndex { .. }
        | AuthAction::CreateView { .. }
        | AuthAction::CreateTrigger { .. }
            if ctx.database_name.is_some_and(|d| d.eq_ignore_ascii_case("temp")) =>
        {
            Authorization::Deny
        }
        AuthAction::Pragma { pragma_name, pragma_value } => {
            let name = pragma_name.to_ascii_lowercase();
            // A pragma that only reads a setting is harmless; these may also set one.
            if PRAGMAS.contains(&name.as_str()) || (pragma_value.is_none() && READ_ONLY.contains(&name.as_str())) {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        AuthAction::Function { function_name } if FUNCTIONS.iter().any(|f| f.eq_ignore_ascii_case(function_name)) => {
            Authorization::Deny
        }
        _ => Authorization::Allow,
    }
}

/// Pragmas a client may read but not set.
const READ_ONLY: &[&str] = &["journal_mode", "synchronous", "max_page_count", "encoding", "auto_vacuum"];

#[cfg(test)]
pub mod tests {
    use super::*;

    fn open() -> (tempfile_dir::Dir, WorkspaceDb) {
        let dir = tempfile_dir::Dir::new();
        let db = WorkspaceDb::open(&path(&dir.0, "w_test"), test_names()).unwrap();
        (dir, db)
    }

    /// A throwaway directory without another dependency.
    mod tempfile_dir {
        pub struct Dir(pub std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let p = std::env::temp_dir().join(format!("sluice-ws-{}", rand::random::<u64>()));
                std::fs::create_dir_all(&p).unwrap();
                Self(p)
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }

    pub fn test_names() -> Names {
        Names { user: "ada".into(), database: "d_test".into() }
    }

    fn refused(db: &WorkspaceDb, sql: &str) -> bool {
        db.conn.execute_batch(sql).is_err()
    }

    #[test]
    fn a_workspace_cannot_reach_outside_its_file() {
        let (dir, db) = open();
        let other = dir.0.join("other.sqlite3");
        let other = other.display();
        for sql in [
            format!("ATTACH DATABASE '{other}' AS x"),
            format!("VACUUM INTO '{other}'"),
            "SELECT load_extension('/lib/x.so')".to_owned(),
            "PRAGMA writable_schema = ON".to_owned(),
            "PRAGMA journal_mode = DELETE".to_owned(),
            "PRAGMA max_page_count = 999999999".to_owned(),
            "PRAGMA synchronous = OFF".to_owned(),
            "PRAGMA temp_store_directory = '/tmp'".to_owned(),
            "PRAGMA temp_store = FILE".to_owned(),
            "CREATE TEMP TABLE big (b BLOB)".to_owned(),
            "CREATE TABLE temp.big (b BLOB)".to_owned(),
            "CREATE TEMP VIEW v AS SELECT 1".to_owned(),
        ] {
            assert!(refused(&db, &sql), "{sql}");
        }
        assert!(!dir.0.join("other.sqlite3").exists());
        // What a person needs still works.
        db.conn
            .execute_batch(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v) VALUES ('a');
                 PRAGMA table_info(t); PRAGMA foreign_keys = ON; PRAGMA user_version = 3",
            )
            .unwrap();
        let mode: String = db.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn concat_is_measured_before_it_is_built() {
        let (_dir, db) = open();
        let blowup = format!(
            "SELECT length(concat({})) FROM (SELECT printf('%.*c', 16000000, 'a') x)",
            vec!["x"; 127].join(", ")
        );
        let err = db.conn.query_row(&blowup, [], |r| r.get::<_, i64>(0)).unwrap_err();
        assert!(err.to_string().contains("too big"), "{err}");
        let ws = format!(
            "SELECT length(concat_ws(',', {})) FROM (SELECT printf('%.*c', 16000000, 'a') x)",
            ["x"; 3].join(", ")
        );
        assert!(db.conn.query_row(&ws, [], |r| r.get::<_, i64>(0)).is_err());
        // What they do for ordinary values is what SQLite's do.
        let same: (String, String, Option<String>, String) = db
            .conn
            .query_row(
                "SELECT concat('a', NULL, 1, 2.5, x'41'), concat_ws('-', 'a', NULL, 'b'), concat_ws(NULL, 'a'), concat(1.0)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(same, ("a12.5A".to_owned(), "a-b".to_owned(), None, "1.0".to_owned()));
    }

    #[test]
    fn a_runaway_statement_is_stopped() {
        let (_dir, db) = open();
        db.deadline.store(db.epoch.elapsed().as_millis() as u64 + 200, Ordering::Relaxed);
        let started = Instant::now();
        let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
        let err = db.conn.query_row(endless, [], |r| r.get::<_, i64>(0)).unwrap_err();
        assert_eq!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::OperationInterrupted));
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[test]
    fn a_workspace_stops_growing_at_its_cap() {
        let dir = tempfile_dir::Dir::new();
        let db = WorkspaceDb::open_capped(&path(&dir.0, "w_small"), 1024 * 1024, test_names()).unwrap();
        db.conn.execute_batch("CREATE TABLE t (b BLOB)").unwrap();
        let full = (0..100)
            .map(|_| db.conn.execute("INSERT INTO t VALUES (zeroblob(100000))", []))
            .find_map(Result::err)
            .expect("the cap stops the inserts");
        assert_eq!(full.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull));
        let size = std::fs::metadata(path(&dir.0, "w_small")).unwrap().len()
            + std::fs::metadata(dir.0.join("workspaces/w_small.sqlite3-wal")).map(|m| m.len()).unwrap_or(0);
        assert!(size < 3 * 1024 * 1024, "{size}");
        // A client cannot lift it.
        assert!(refused(&db, "PRAGMA max_page_count = 999999999"));
    }
}
