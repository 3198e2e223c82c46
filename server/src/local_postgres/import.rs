//! Moving the workspaces of earlier releases onto PostgreSQL. Those kept
//! each workspace as a SQLite file (`workspaces/{id}.sqlite3` in the data
//! dir) behind an imitation of PostgreSQL's protocol. At the first start
//! with the managed PostgreSQL each becomes a database there: tables with
//! their columns (types mapped), primary keys, indexes and rows. A table
//! that cannot be mapped is reported by name and the file kept; a file is
//! removed only after its copy is committed and the workspace points at
//! its new home.

use std::path::{Path, PathBuf};

use futures::TryStreamExt;
use sqlx::postgres::PgConnectOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteRow};
use sqlx::{Connection, Executor, PgConnection, Row, SqliteConnection, TypeInfo, ValueRef};

use crate::clusters::statements::{ident, literal};

/// Parameters in one INSERT (PostgreSQL takes 65535).
const PARAMS_PER_INSERT: usize = 2000;

/// Where an earlier release kept a workspace.
pub fn legacy_file(data_dir: &Path, workspace_id: &str) -> PathBuf {
    data_dir.join("workspaces").join(format!("{workspace_id}.sqlite3"))
}

/// Removes a legacy file with its WAL and shared-memory files.
pub async fn remove_legacy_file(data_dir: &Path, workspace_id: &str) -> std::io::Result<()> {
    let file = legacy_file(data_dir, workspace_id);
    for suffix in ["-wal", "-shm", ""] {
        let mut path = file.clone().into_os_string();
        path.push(suffix);
        match tokio::fs::remove_file(&path).await {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// What a move did.
#[derive(Debug, Default)]
pub struct Imported {
    pub tables: usize,
    pub rows: u64,
    /// Tables left behind in the file, with why.
    pub refused: Vec<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read the workspace's SQLite file: {0}")]
    Source(sqlx::Error),
    #[error("PostgreSQL refused or could not be reached: {0}")]
    Target(sqlx::Error),
}

/// One column of a SQLite table, as PostgreSQL will have it.
struct Column {
    name: String,
    pg_type: &'static str,
    not_null: bool,
    /// Its place in the primary key (1-based), 0 outside it.
    pk: i64,
}

/// PostgreSQL's type for a SQLite column's declared type. SQLite kept the
/// declaration as written; a length (`varchar(3)`) was never enforced
/// there, so text stays unbounded text.
pub fn pg_type(declared: &str) -> &'static str {
    let lower = declared.trim().to_ascii_lowercase();
    if lower.contains("with time zone") {
        return if lower.starts_with("time ") { "time" } else { "timestamptz" };
    }
    let base = lower.split(|c: char| c == '(' || c.is_whitespace()).next().unwrap_or("");
    match base {
        "int" | "integer" | "int2" | "int4" | "int8" | "smallint" | "bigint" | "tinyint" | "mediumint" | "serial"
        | "serial4" | "serial8" | "bigserial" | "smallserial" => "bigint",
        "bool" | "boolean" => "boolean",
        "real" | "float" | "float4" | "float8" | "double" => "double precision",
        "numeric" | "decimal" | "money" => "numeric",
        "date" => "date",
        "timestamp" | "datetime" => "timestamp",
        "timestamptz" => "timestamptz",
        "time" => "time",
        "json" => "json",
        "jsonb" => "jsonb",
        "uuid" => "uuid",
        "bytea" | "blob" => "bytea",
        _ => "text",
    }
}

/// A name as PostgreSQL would have folded it had it been written without
/// quotes (what the imitation's users typed), else kept as is.
fn pg_name(name: &str) -> String {
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    if plain {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    }
}

/// Copies every table of `file` into the database `admin` connects to,
/// owned by `owner`; marks each table with `marker` so that a repeat
/// after a crash skips what was committed.
pub async fn import(file: &Path, admin: &PgConnectOptions, owner: &str, marker: &str) -> Result<Imported, ImportError> {
    let source_options = SqliteConnectOptions::new().filename(file).read_only(true).create_if_missing(false);
    let mut source = SqliteConnection::connect_with(&source_options).await.map_err(ImportError::Source)?;
    let mut target = PgConnection::connect_with(admin).await.map_err(ImportError::Target)?;
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )
    .fetch_all(&mut source)
    .await
    .map_err(ImportError::Source)?;
    let mut done = Imported::default();
    let comment = format!("sluice import {marker}");
    target.execute("BEGIN").await.map_err(ImportError::Target)?;
    for table in tables {
        let name = pg_name(&table);
        let there: Option<Option<String>> = sqlx::query_scalar(
            "SELECT obj_description(c.oid, 'pg_class') FROM pg_class c
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = $1",
        )
        .bind(&name)
        .fetch_optional(&mut target)
        .await
        .map_err(ImportError::Target)?;
        match there {
            Some(Some(c)) if c == comment => continue,
            Some(_) => {
                done.refused.push((table, "a table of that name is already in the database".into()));
                continue;
            }
            None => {}
        }
        target.execute("SAVEPOINT one_table").await.map_err(ImportError::Target)?;
        match copy_table(&mut source, &mut target, &table, &name, owner, &comment).await {
            Ok(rows) => {
                target.execute("RELEASE SAVEPOINT one_table").await.map_err(ImportError::Target)?;
                done.tables += 1;
                done.rows += rows;
            }
            Err(TableError::Source(e)) => return Err(ImportError::Source(e)),
            Err(TableError::Refused(why)) => {
                target.execute("ROLLBACK TO SAVEPOINT one_table").await.map_err(ImportError::Target)?;
                done.refused.push((table, why));
            }
        }
    }
    target.execute("COMMIT").await.map_err(ImportError::Target)?;
    let _ = target.close().await;
    let _ = source.close().await;
    Ok(done)
}

enum TableError {
    Source(sqlx::Error),
    /// PostgreSQL refused the table or one of its rows: it stays in the file.
    Refused(String),
}

fn refused(e: sqlx::Error) -> TableError {
    TableError::Refused(match &e {
        sqlx::Error::Database(d) => d.message().to_owned(),
        other => other.to_string(),
    })
}

async fn copy_table(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &str,
    name: &str,
    owner: &str,
    comment: &str,
) -> Result<u64, TableError> {
    let columns: Vec<Column> = sqlx::query(&format!("PRAGMA table_info({})", ident(table)))
        .fetch_all(&mut *source)
        .await
        .map_err(TableError::Source)?
        .iter()
        .map(|r| Column {
            name: pg_name(&r.get::<String, _>("name")),
            pg_type: pg_type(&r.get::<String, _>("type")),
            not_null: r.get::<i64, _>("notnull") != 0,
            pk: r.get::<i64, _>("pk"),
        })
        .collect();
    if columns.is_empty() {
        return Err(TableError::Refused("it has no columns".into()));
    }
    let mut key: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    // SQLite's INTEGER PRIMARY KEY numbers rows itself: an identity here.
    let identity = (key.len() == 1 && key[0].pg_type == "bigint").then(|| key[0].name.clone());
    let mut defs: Vec<String> = columns
        .iter()
        .map(|c| {
            let mut def = format!("{} {}", ident(&c.name), c.pg_type);
            if identity.as_deref() == Some(c.name.as_str()) {
                def.push_str(" GENERATED BY DEFAULT AS IDENTITY");
            } else if c.not_null {
                def.push_str(" NOT NULL");
            }
            def
        })
        .collect();
    if !key.is_empty() {
        let names: Vec<String> = key.iter().map(|c| ident(&c.name)).collect();
        defs.push(format!("PRIMARY KEY ({})", names.join(", ")));
    }
    let qualified = format!("public.{}", ident(name));
    target.execute(format!("CREATE TABLE {qualified} ({})", defs.join(", ")).as_str()).await.map_err(refused)?;
    let rows = copy_rows(source, target, table, &qualified, &columns).await?;
    if let Some(id) = &identity {
        let sql = format!(
            "SELECT setval(pg_get_serial_sequence({}, {}), GREATEST(COALESCE(MAX({}), 0), 1), MAX({}) IS NOT NULL) FROM {qualified}",
            literal(&qualified),
            literal(id),
            ident(id),
            ident(id)
        );
        target.execute(sql.as_str()).await.map_err(refused)?;
    }
    copy_indexes(source, target, table, name).await?;
    target.execute(format!("ALTER TABLE {qualified} OWNER TO {}", ident(owner)).as_str()).await.map_err(refused)?;
    target.execute(format!("COMMENT ON TABLE {qualified} IS {}", literal(comment)).as_str()).await.map_err(refused)?;
    Ok(rows)
}

/// One SQLite value, for a column of `pg_type`: text cast on the way in,
/// bytes for `bytea`.
enum Cell {
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

fn cell(row: &SqliteRow, i: usize, pg_type: &str) -> Result<Cell, TableError> {
    let raw = row.try_get_raw(i).map_err(TableError::Source)?;
    let info = raw.type_info();
    let kind = if raw.is_null() { "NULL" } else { info.name() };
    let text = |v: Result<String, sqlx::Error>| v.map(Some).map_err(TableError::Source);
    let value = match kind {
        "NULL" => None,
        "INTEGER" => Some(row.try_get::<i64, _>(i).map_err(TableError::Source)?.to_string()),
        "REAL" => Some(row.try_get::<f64, _>(i).map_err(TableError::Source)?.to_string()),
        "BLOB" => {
            let bytes: Vec<u8> = row.try_get(i).map_err(TableError::Source)?;
            if pg_type == "bytea" {
                return Ok(Cell::Bytes(Some(bytes)));
            }
            Some(
                String::from_utf8(bytes)
                    .map_err(|_| TableError::Refused(format!("binary data in a column of type {pg_type}")))?,
            )
        }
        _ => text(row.try_get::<String, _>(i))?,
    };
    Ok(if pg_type == "bytea" { Cell::Bytes(value.map(String::into_bytes)) } else { Cell::Text(value) })
}

async fn copy_rows(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &str,
    qualified: &str,
    columns: &[Column],
) -> Result<u64, TableError> {
    let per_insert = (PARAMS_PER_INSERT / columns.len()).max(1);
    let names: Vec<String> = columns.iter().map(|c| ident(&c.name)).collect();
    let insert = |rows: usize| {
        let mut n = 0;
        let tuples: Vec<String> = (0..rows)
            .map(|_| {
                let cells: Vec<String> = columns
                    .iter()
                    .map(|c| {
                        n += 1;
                        if c.pg_type == "bytea" {
                            format!("${n}::bytea")
                        } else {
                            format!("${n}::text::{}", c.pg_type)
                        }
                    })
                    .collect();
                format!("({})", cells.join(", "))
            })
            .collect();
        format!("INSERT INTO {qualified} ({}) OVERRIDING SYSTEM VALUE VALUES {}", names.join(", "), tuples.join(", "))
    };
    let full = insert(per_insert);
    let mut pending: Vec<Cell> = Vec::with_capacity(per_insert * columns.len());
    let mut copied = 0u64;
    let select = format!("SELECT * FROM {}", ident(table));
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    while let Some(row) = rows.try_next().await.map_err(TableError::Source)? {
        for (i, c) in columns.iter().enumerate() {
            pending.push(cell(&row, i, c.pg_type)?);
        }
        if pending.len() == per_insert * columns.len() {
            send(target, &full, &mut pending).await?;
            copied += per_insert as u64;
        }
    }
    if !pending.is_empty() {
        let left = pending.len() / columns.len();
        send(target, &insert(left), &mut pending).await?;
        copied += left as u64;
    }
    Ok(copied)
}

async fn send(target: &mut PgConnection, sql: &str, cells: &mut Vec<Cell>) -> Result<(), TableError> {
    let mut query = sqlx::query(sql);
    for cell in cells.drain(..) {
        query = match cell {
            Cell::Text(t) => query.bind(t),
            Cell::Bytes(b) => query.bind(b),
        };
    }
    query.execute(&mut *target).await.map_err(refused)?;
    Ok(())
}

/// The table's indexes made with CREATE INDEX or UNIQUE (not partial, not
/// on expressions: those are reported in the log and left out).
async fn copy_indexes(
    source: &mut SqliteConnection,
    target: &mut PgConnection,
    table: &str,
    name: &str,
) -> Result<(), TableError> {
    let list = sqlx::query(&format!("PRAGMA index_list({})", ident(table)))
        .fetch_all(&mut *source)
        .await
        .map_err(TableError::Source)?;
    for index in list {
        let (index_name, unique, origin, partial): (String, i64, String, i64) =
            (index.get("name"), index.get("unique"), index.get("origin"), index.get("partial"));
        if origin == "pk" {
            continue;
        }
        let cols = sqlx::query(&format!("PRAGMA index_info({})", ident(&index_name)))
            .fetch_all(&mut *source)
            .await
            .map_err(TableError::Source)?;
        let names: Option<Vec<String>> =
            cols.iter().map(|c| c.get::<Option<String>, _>("name").map(|n| ident(&pg_name(&n)))).collect();
        let Some(names) = names.filter(|n| !n.is_empty() && partial == 0) else {
            tracing::warn!(table = %name, index = %index_name, "an index on expressions or partial was not moved");
            continue;
        };
        let pg_index = match index_name.strip_prefix("sqlite_autoindex_") {
            Some(rest) => format!("{rest}_key"),
            None => pg_name(&index_name),
        };
        let sql = format!(
            "CREATE {}INDEX {} ON public.{} ({})",
            if unique != 0 { "UNIQUE " } else { "" },
            ident(&pg_index),
            ident(name),
            names.join(", ")
        );
        target.execute(sql.as_str()).await.map_err(refused)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declared_types_map_to_postgresql_types() {
        assert_eq!(pg_type("INTEGER"), "bigint");
        assert_eq!(pg_type("varchar(3)"), "text");
        assert_eq!(pg_type("NUMERIC(10, 2)"), "numeric");
        assert_eq!(pg_type("timestamp with time zone"), "timestamptz");
        assert_eq!(pg_type("double precision"), "double precision");
        assert_eq!(pg_type("BOOLEAN"), "boolean");
        assert_eq!(pg_type(""), "text");
        assert_eq!(pg_type("BLOB"), "bytea");
        assert_eq!(pg_name("Notes"), "notes");
        assert_eq!(pg_name("my table"), "my table");
    }
}
