//! Running a client's SQL in a workspace's database and describing what
//! comes back in PostgreSQL's terms: a command tag per statement, and a
//! PostgreSQL type per column (from the column's declared type, else from
//! the values). Blocking: called on the blocking pool.

use pgwire::api::Type;
use rusqlite::types::Value;
use rusqlite::Statement;

use super::budget::Holding;
use super::dialect::{self, Hint, Piece};
use super::store::WorkspaceDb;

/// A refusal or failure, as a PostgreSQL error: SQLSTATE and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub code: &'static str,
    pub message: String,
}

impl SqlError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        let text = match &e {
            rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
            other => other.to_string(),
        };
        let code = match e.sqlite_error_code() {
            Some(C::ConstraintViolation) if text.contains("UNIQUE") => "23505",
            Some(C::ConstraintViolation) if text.contains("NOT NULL") => "23502",
            Some(C::ConstraintViolation) if text.contains("FOREIGN KEY") => "23503",
            Some(C::ConstraintViolation) => "23514",
            Some(C::AuthorizationForStatementDenied) => {
                return Self::new("42501", "not allowed in a Sluice workspace (ATTACH, extensions and pragmas that reach outside the workspace are refused)");
            }
            Some(C::OperationInterrupted) => {
                let secs = super::store::STATEMENT_TIME.as_secs();
                return Self::new("57014", format!("canceling statement due to statement timeout ({secs} s)"));
            }
            Some(C::DiskFull) => {
                let mb = super::store::MAX_BYTES / (1024 * 1024);
                return Self::new("53100", format!("the workspace is full: a workspace holds at most {mb} MB"));
            }
            Some(C::DatabaseBusy | C::DatabaseLocked) => "55P03",
            Some(C::OutOfMemory) => {
                return Self::new("53200", "out of memory: the statement needed more memory than a workspace may use");
            }
            Some(C::TooBig) => "54000",
            _ if text.contains("syntax error") || text.contains("incomplete input") => "42601",
            _ if text.contains("no such table") => "42P01",
            _ if text.contains("no such column") => "42703",
            _ if text.contains("already exists") => "42P07",
            _ => "XX000",
        };
        Self::new(code, text)
    }
}

/// A result column: its name and PostgreSQL type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub ty: Type,
}

/// What one statement did.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Rows, with the command tag's word (`SELECT`, or `INSERT 0` for
    /// `INSERT … RETURNING`); the count is added when they are sent.
    Rows { tag: String, columns: Vec<Column>, rows: Vec<Vec<Value>> },
    /// A complete command tag: `CREATE TABLE`, `INSERT 0 1`, `UPDATE 3`.
    Done(String),
    /// `BEGIN` (or `SAVEPOINT` outside a transaction is not this).
    Begin,
    /// `COMMIT` or `ROLLBACK`: the tag.
    End(String),
}

/// The first `n` words of `sql`, upper case, comments and blanks skipped.
fn words(sql: &str, n: usize) -> Vec<String> {
    let mut rest = sql;
    let mut out = Vec::new();
    while out.len() < n {
        rest = rest.trim_start();
        if let Some(after) = rest.strip_prefix("--") {
            rest = after.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(after) = rest.strip_prefix("/*") {
            rest = after.split_once("*/").map_or("", |(_, r)| r);
        } else {
            let end = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            out.push(rest[..end].to_ascii_uppercase());
            rest = &rest[end..];
        }
    }
    out
}

/// PostgreSQL's ways to open a transaction (`START TRANSACTION`, `BEGIN
/// ISOLATION LEVEL …`, `BEGIN READ ONLY`), which drivers send, as SQLite's
/// `BEGIN`: a SQLite transaction is serializable already. Only a leading
/// statement is rewritten; the rest of the text is kept.
fn translate(sql: &str) -> std::borrow::Cow<'_, str> {
    let w = words(sql, 2);
    let opens = match (w.first().map(String::as_str), w.get(1).map(String::as_str)) {
        (Some("START"), Some("TRANSACTION")) => true,
        (Some("BEGIN"), Some(next)) => !matches!(next, "TRANSACTION" | "DEFERRED" | "IMMEDIATE" | "EXCLUSIVE"),
        _ => false,
    };
    if !opens {
        return sql.into();
    }
    let rest = sql.split_once(';').map_or("", |(_, r)| r);
    format!("BEGIN;{rest}").into()
}

/// The command tag for a statement that returned no rows.
fn tag(sql: &str, changes: usize) -> Outcome {
    let w = words(sql, 4);
    let first = w.first().map(String::as_str).unwrap_or("");
    match first {
        "BEGIN" => Outcome::Begin,
        "COMMIT" | "END" => Outcome::End("COMMIT".into()),
        "ROLLBACK" if w.get(1).map(String::as_str) != Some("TO") => Outcome::End("ROLLBACK".into()),
        "INSERT" | "REPLACE" => Outcome::Done(format!("INSERT 0 {changes}")),
        "UPDATE" | "DELETE" => Outcome::Done(format!("{first} {changes}")),
        "CREATE" | "DROP" | "ALTER" => {
            let object = w[1..]
                .iter()
                .find(|x| !matches!(x.as_str(), "UNIQUE" | "TEMP" | "TEMPORARY" | "VIRTUAL"))
                .cloned()
                .unwrap_or_default();
            Outcome::Done(format!("{first} {object}").trim_end().to_owned())
        }
        "" => Outcome::Done(String::new()),
        other => Outcome::Done(other.to_owned()),
    }
}

/// PostgreSQL's type for a column: by its declared type as PostgreSQL
/// reads it (`INTEGER` is `int4`, `BIGINT` `int8`), else by the first value
/// that is not NULL. Types without an encoding here (dates, numerics,
/// `varchar`) are sent as `text`.
pub fn column_type(declared: Option<&str>, sample: Option<&Value>) -> Type {
    if let Some(d) = declared.filter(|d| !d.trim().is_empty()) {
        return match super::pg_catalog::declared_type(d).0 {
            16 => Type::BOOL,
            17 => Type::BYTEA,
            20 => Type::INT8,
            21 => Type::INT2,
            23 => Type::INT4,
            700 | 701 => Type::FLOAT8,
            1700 => match sample {
                Some(Value::Integer(_)) => Type::INT8,
                Some(Value::Real(_)) => Type::FLOAT8,
                _ => Type::TEXT,
            },
            _ => Type::TEXT,
        };
    }
    match sample {
        Some(Value::Integer(_)) => Type::INT8,
        Some(Value::Real(_)) => Type::FLOAT8,
        Some(Value::Blob(_)) => Type::BYTEA,
        _ => Type::TEXT,
    }
}

fn declared(stmt: &Statement<'_>) -> Vec<(String, Option<String>)> {
    stmt.columns().iter().map(|c| (c.name().to_owned(), c.decl_type().map(str::to_owned))).collect()
}

/// Result rows are held in memory to be typed and sent; a larger answer is
/// refused rather than let grow (see [`super::budget`] for the bytes).
const MAX_ROWS: usize = 1_000_000;

/// What a value will take in memory once copied out of SQLite: the value
/// itself and its text or bytes, twice (the copy, and the row encoded for
/// the wire while it waits to be sent). Measured before the copy is made.
fn size_of(v: rusqlite::types::ValueRef<'_>) -> usize {
    use rusqlite::types::ValueRef;
    std::mem::size_of::<Value>()
        + 2 * match v {
            ValueRef::Text(t) | ValueRef::Blob(t) => t.len(),
            _ => 0,
        }
}

fn types_from(decl: &[(String, Option<String>)], rows: &[Vec<Value>]) -> Vec<Column> {
    decl.iter()
        .enumerate()
        .map(|(i, (name, d))| {
            let sample = rows.iter().map(|r| &r[i]).find(|v| !matches!(v, Value::Null));
            Column { name: name.clone(), ty: column_type(d.as_deref(), sample) }
        })
        .collect()
}

/// Runs a statement whose parameters are bound. `columns` are the types
/// the client was told at Describe, if it asked; else they come from the
/// declared types and the rows.
fn finish(
    stmt: &mut Statement<'_>,
    sql: &str,
    columns: Option<&[Column]>,
    holding: &mut Holding,
) -> Result<Outcome, SqlError> {
    if stmt.column_count() == 0 {
        let changes = stmt.raw_execute()?;
        return Ok(tag(sql, changes));
    }
    let decl = declared(stmt);
    let n = decl.len();
    let mut found = stmt.raw_query();
    let mut rows = Vec::new();
    while let Some(row) = found.next()? {
        let size = (0..n).map(|i| row.get_ref(i).map(size_of)).sum::<Result<usize, _>>()?;
        holding.add(size)?;
        let values: Vec<Value> = (0..n).map(|i| row.get::<_, Value>(i)).collect::<Result<_, _>>()?;
        if rows.len() == MAX_ROWS {
            return Err(SqlError::new("54000", format!("a result may have at most {MAX_ROWS} rows; add LIMIT")));
        }
        rows.push(values);
    }
    drop(found);
    let columns = match columns {
        Some(c) => c.to_vec(),
        None => types_from(&decl, &rows),
    };
    let tag = match words(sql, 1).first().map(String::as_str) {
        Some("INSERT" | "REPLACE") => "INSERT 0",
        Some("UPDATE") => "UPDATE",
        Some("DELETE") => "DELETE",
        _ => "SELECT",
    };
    Ok(Outcome::Rows { tag: tag.into(), columns, rows })
}

/// `SHOW name` answered: one row, one text column named for the setting.
fn show(name: &str) -> Result<Outcome, SqlError> {
    let value = super::functions::setting(name)
        .ok_or_else(|| SqlError::new("42704", format!("unrecognized configuration parameter \"{name}\"")))?;
    let column = name.rsplit(' ').next().unwrap_or(name).to_owned();
    Ok(Outcome::Rows {
        tag: "SHOW".into(),
        columns: vec![Column { name: column, ty: Type::TEXT }],
        rows: vec![vec![Value::Text(value.to_owned())]],
    })
}

/// Runs `sql` (one or more statements) on `conn`, stopping at the first
/// error.
fn run_batch(
    db: &WorkspaceDb,
    conn: &rusqlite::Connection,
    sql: &str,
    holding: &mut Holding,
    done: &mut Vec<Outcome>,
) -> Result<(), SqlError> {
    let mut batch = rusqlite::Batch::new(conn, sql);
    loop {
        db.arm();
        let Some(mut stmt) = batch.next()? else { return Ok(()) };
        // Without parameters, the expansion is the statement's own text.
        let text = stmt.expanded_sql().unwrap_or_default();
        done.push(finish(&mut stmt, &text, None, holding)?);
    }
}

/// A simple-protocol query string: each statement in turn, stopping at
/// the first error (as PostgreSQL does), in SQLite's words (see
/// [`super::dialect`]); one that reads the catalog runs on it.
pub fn run_script(db: &WorkspaceDb, sql: &str, holding: &mut Holding) -> (Vec<Outcome>, Option<SqlError>) {
    let mut done = Vec::new();
    let sql = translate(sql);
    let translation = dialect::translate(&sql);
    let ran = (|| {
        let catalog = if translation.catalog { Some(db.catalog()?) } else { None };
        let conn = catalog.as_ref().map_or(&db.conn, |c| &c.conn);
        match &translation.pieces {
            None => run_batch(db, conn, &sql, holding, &mut done),
            Some(pieces) => {
                for piece in pieces {
                    match piece {
                        Piece::Sql(text) => run_batch(db, conn, text, holding, &mut done)?,
                        Piece::Show(name) => done.push(show(name)?),
                        Piece::Done(tag) => done.push(Outcome::Done((*tag).into())),
                    }
                }
                Ok(())
            }
        }
    })();
    (done, ran.err())
}

/// A statement prepared through the extended protocol: its parameters'
/// types and its result columns, as told to the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub sql: String,
    pub params: Vec<Type>,
    pub columns: Vec<Column>,
    /// It reads the catalog, not the workspace.
    pub catalog: bool,
    /// `SHOW`, `SET` and the like, answered without SQLite.
    pub answered: Option<Piece>,
    /// The workspace's `schema_version` when it was described.
    pub schema: i64,
}

fn schema_version(db: &WorkspaceDb) -> Result<i64, SqlError> {
    Ok(super::store::schema_version(&db.conn)?)
}

/// `n` of SQLite's parameter `i` (1-based), written `$n`. `$n` are named
/// parameters to SQLite: bound by name, so `$2` before `$1` is fine.
fn param_number(stmt: &Statement<'_>, i: usize) -> Result<usize, SqlError> {
    stmt.parameter_name(i)
        .and_then(|name| name.strip_prefix('$'))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| SqlError::new("42P02", "parameters are written $1, $2, …"))
}

/// The number of `$n` parameters `stmt` takes: the largest `n`.
fn param_count(stmt: &Statement<'_>) -> Result<usize, SqlError> {
    (1..=stmt.parameter_count()).try_fold(0, |max, i| Ok(max.max(param_number(stmt, i)?)))
}

/// A column's declared type, looked up in `conn`'s schema.
fn declared_of(conn: &rusqlite::Connection, table: &str, column: &str) -> Option<String> {
    conn.query_row("SELECT type FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE", [table, column], |r| {
        r.get::<_, String>(0)
    })
    .ok()
}

/// The type a parameter gets from what it was seen beside, among those
/// a parameter can be read as.
fn hinted_type(conn: &rusqlite::Connection, hint: &Hint, tables: &[String]) -> Option<Type> {
    let declared = match hint {
        Hint::Type(ty) => return Some(ty.clone()),
        Hint::Column { table: Some(t), column } => {
            declared_of(conn, t, column).or_else(|| tables.iter().find_map(|t| declared_of(conn, t, column)))
        }
        Hint::Column { table: None, column } => tables.iter().find_map(|t| declared_of(conn, t, column)),
        Hint::Position { table, index } => conn
            .query_row(
                "SELECT type FROM pragma_table_info(?1) WHERE cid = ?2",
                rusqlite::params![table, *index as i64],
                |r| r.get::<_, String>(0),
            )
            .ok(),
    }?;
    match column_type(Some(&declared), None) {
        t @ (Type::BOOL | Type::INT2 | Type::INT4 | Type::INT8 | Type::FLOAT8 | Type::BYTEA) => Some(t),
        _ => Some(Type::TEXT),
    }
}

/// Prepares `sql` (one statement) and describes it. A parameter the
/// client did not type takes the type of what it meets (see
/// [`super::dialect::Hint`]), else `text` (SQLite converts by the column's
/// affinity). A result column without a declared type is typed by running
/// a read-only statement once with NULL parameters and looking at its
/// first row.
pub fn prepare(db: &WorkspaceDb, sql: &str, client_types: &[Option<Type>]) -> Result<Prepared, SqlError> {
    db.arm();
    let sql = translate(sql);
    let translation = dialect::translate(&sql);
    let one = || SqlError::new("42601", "a prepared statement holds one SQL statement");
    let (text, answered) = match translation.pieces.as_deref() {
        None => (sql.into_owned(), None),
        Some([Piece::Sql(text)]) => (text.clone(), None),
        Some([piece]) => (String::new(), Some(piece.clone())),
        Some(_) => return Err(one()),
    };
    if let Some(piece) = answered {
        let columns = match &piece {
            Piece::Show(name) => match show(name)? {
                Outcome::Rows { columns, .. } => columns,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        return Ok(Prepared {
            sql: text,
            params: Vec::new(),
            columns,
            catalog: false,
            answered: Some(piece),
            schema: 0,
        });
    }
    let schema = schema_version(db)?;
    let catalog = if translation.catalog { Some(db.catalog()?) } else { None };
    let conn = catalog.as_ref().map_or(&db.conn, |c| &c.conn);
    let mut stmt = conn.prepare(&text).map_err(|e| match e {
        rusqlite::Error::MultipleStatement => one(),
        e => e.into(),
    })?;
    let n = param_count(&stmt)?;
    let params = (0..n)
        .map(|i| {
            client_types.get(i).cloned().flatten().filter(|t| *t != Type::UNKNOWN).unwrap_or_else(|| {
                translation
                    .hints
                    .get(i)
                    .cloned()
                    .flatten()
                    .and_then(|hint| hinted_type(conn, &hint, &translation.tables))
                    .unwrap_or(Type::TEXT)
            })
        })
        .collect();
    let decl = declared(&stmt);
    let mut sample = Vec::new();
    if decl.iter().any(|(_, d)| d.is_none()) && stmt.readonly() {
        // Unbound parameters are NULL.
        let mut rows = stmt.raw_query();
        if let Some(row) = rows.next()? {
            sample.push((0..decl.len()).map(|i| row.get::<_, Value>(i)).collect::<Result<Vec<_>, _>>()?);
        }
    }
    let columns = types_from(&decl, &sample);
    Ok(Prepared { sql: text, params, columns, catalog: translation.catalog, answered: None, schema })
}

/// The SQLSTATE of a prepared statement whose result changed shape since
/// the client was told it (PostgreSQL's "cached plan must not change
/// result type").
pub const CHANGED_RESULT: &str = "0A000";

/// Runs a prepared statement with its parameters, bound by `$n` name.
pub fn execute(
    db: &WorkspaceDb,
    prepared: &Prepared,
    params: &[Value],
    holding: &mut Holding,
) -> Result<Outcome, SqlError> {
    db.arm();
    match &prepared.answered {
        Some(Piece::Show(name)) => return show(name),
        Some(Piece::Done(tag)) => return Ok(Outcome::Done((*tag).into())),
        Some(Piece::Sql(_)) => {}
        None => {}
    }
    let catalog = if prepared.catalog { Some(db.catalog()?) } else { None };
    let conn = catalog.as_ref().map_or(&db.conn, |c| &c.conn);
    let changed = !prepared.catalog && schema_version(db)? != prepared.schema;
    if changed {
        // SQLite's own cache holds statements as compiled before, and the
        // connection reads the new schema only once a statement runs.
        conn.flush_prepared_statement_cache();
        db.conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get::<_, i64>(0))?;
    }
    let described = |stmt: &Statement<'_>| {
        stmt.column_count() == prepared.columns.len()
            && stmt.column_names().iter().zip(&prepared.columns).all(|(a, b)| *a == b.name)
    };
    let mut stmt = conn.prepare_cached(&prepared.sql)?;
    if !described(&stmt) {
        drop(stmt);
        conn.flush_prepared_statement_cache();
        stmt = conn.prepare_cached(&prepared.sql)?;
        if !described(&stmt) {
            return Err(SqlError::new(
                CHANGED_RESULT,
                "cached plan must not change result type: prepare the statement again",
            ));
        }
    }
    for i in 1..=stmt.parameter_count() {
        let n = param_number(&stmt, i)?;
        let value = params.get(n - 1).ok_or_else(|| SqlError::new("08P01", format!("no value was given for ${n}")))?;
        stmt.raw_bind_parameter(i, value)?;
    }
    let outcome = finish(&mut stmt, &prepared.sql, Some(&prepared.columns), holding);
    stmt.clear_bindings();
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_tags_read_like_postgresql() {
        assert_eq!(tag("create table t (a int)", 0), Outcome::Done("CREATE TABLE".into()));
        assert_eq!(tag("CREATE UNIQUE INDEX i ON t(a)", 0), Outcome::Done("CREATE INDEX".into()));
        assert_eq!(tag("-- note\n insert into t values (1),(2)", 2), Outcome::Done("INSERT 0 2".into()));
        assert_eq!(tag("update t set a = 1", 3), Outcome::Done("UPDATE 3".into()));
        assert_eq!(tag("/* x */ delete from t", 0), Outcome::Done("DELETE 0".into()));
        assert_eq!(tag("begin", 0), Outcome::Begin);
        assert_eq!(tag("END TRANSACTION", 0), Outcome::End("COMMIT".into()));
        assert_eq!(tag("ROLLBACK", 0), Outcome::End("ROLLBACK".into()));
        assert_eq!(tag("ROLLBACK TO s1", 0), Outcome::Done("ROLLBACK".into()));
        assert_eq!(tag("drop table t", 0), Outcome::Done("DROP TABLE".into()));
    }

    #[test]
    fn postgresql_transaction_openings_become_begin() {
        assert_eq!(translate("START TRANSACTION"), "BEGIN;");
        assert_eq!(translate("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1"), "BEGIN; SELECT 1");
        assert_eq!(translate("begin read only"), "BEGIN;");
        for kept in ["BEGIN", "BEGIN TRANSACTION", "BEGIN IMMEDIATE", "SELECT 1; START TRANSACTION"] {
            assert_eq!(translate(kept), kept);
        }
    }

    #[test]
    fn a_result_too_large_to_hold_is_refused() {
        let dir = std::env::temp_dir().join(format!("sluice-sql-{}", rand::random::<u64>()));
        let db = WorkspaceDb::open(&dir.join("w.sqlite3"), super::super::store::tests::test_names()).unwrap();
        let budget = super::super::budget::Budget::new(super::super::budget::ENDPOINT_BYTES);
        let (done, error) = run_script(
            &db,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) \
             SELECT i, zeroblob(1000000) FROM n",
            &mut budget.holding(),
        );
        assert!(done.is_empty());
        assert_eq!(error.unwrap().code, "54000");
        // Twenty statements of 16 MB each: the query as a whole is capped.
        let script = "SELECT zeroblob(16000000);".repeat(20);
        let (done, error) = run_script(&db, &script, &mut budget.holding());
        assert!(done.len() <= 2, "{} statements' results were held", done.len());
        assert_eq!(error.unwrap().code, "54000");
        let (done, error) = run_script(&db, "SELECT 1 AS one", &mut budget.holding());
        assert!(error.is_none());
        assert!(matches!(&done[0], Outcome::Rows { rows, .. } if rows == &vec![vec![Value::Integer(1)]]));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn column_types_follow_sqlite_affinity_then_values() {
        assert_eq!(column_type(Some("bigint"), None), Type::INT8);
        assert_eq!(column_type(Some("INTEGER"), None), Type::INT4);
        assert_eq!(column_type(Some("bytea"), None), Type::BYTEA);
        assert_eq!(column_type(Some("VARCHAR(20)"), None), Type::TEXT);
        assert_eq!(column_type(Some("double precision"), None), Type::FLOAT8);
        assert_eq!(column_type(Some("boolean"), None), Type::BOOL);
        assert_eq!(column_type(Some("blob"), None), Type::BYTEA);
        assert_eq!(column_type(None, Some(&Value::Integer(1))), Type::INT8);
        assert_eq!(column_type(Some("NUMERIC"), Some(&Value::Real(1.5))), Type::FLOAT8);
        assert_eq!(column_type(Some("DATE"), Some(&Value::Integer(1))), Type::TEXT);
        assert_eq!(column_type(None, None), Type::TEXT);
    }
}
