//! The parts of PostgreSQL's `pg_catalog` and `information_schema` that
//! drivers, ORMs and GUI tools read first, made from the workspace's real
//! schema. They live in a small in-memory SQLite database beside the
//! workspace's (one per connection, made when a query first reads them),
//! with the two schemas attached under their PostgreSQL names, so a query
//! such as `SELECT … FROM pg_catalog.pg_class c JOIN pg_namespace n …` runs
//! as written once [`super::dialect`] has put it in SQLite's words. The
//! tables are made again whenever the workspace's schema changes.
//!
//! A client reads them and nothing else: they cannot be written, and a
//! query on them stops after the same time as any statement.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{params, Connection};

/// The catalog's tables, as queries name them (also without `pg_catalog.`).
pub const TABLES: &[&str] = &[
    "pg_namespace",
    "pg_class",
    "pg_attribute",
    "pg_type",
    "pg_database",
    "pg_index",
    "pg_constraint",
    "pg_description",
    "pg_attrdef",
    "pg_am",
    "pg_collation",
    "pg_enum",
    "pg_sequence",
    "pg_roles",
    "pg_user",
    "pg_settings",
    "pg_proc",
    "pg_inherits",
    "pg_tablespace",
    "pg_extension",
];

const SCHEMA: &str = "
CREATE TABLE pg_catalog.pg_namespace (oid INTEGER, nspname TEXT, nspowner INTEGER, nspacl TEXT);
CREATE TABLE pg_catalog.pg_class (oid INTEGER, relname TEXT, relnamespace INTEGER, reltype INTEGER, relowner INTEGER,
  relam INTEGER, relkind TEXT, relpersistence TEXT, reltuples REAL, relhasindex BOOLEAN, relispartition BOOLEAN,
  relchecks SMALLINT, relhasrules BOOLEAN, relhastriggers BOOLEAN, relrowsecurity BOOLEAN, relforcerowsecurity BOOLEAN,
  relispopulated BOOLEAN, reloptions TEXT, relacl TEXT, reltablespace INTEGER, relnatts SMALLINT, relpartbound TEXT,
  reloftype INTEGER);
CREATE TABLE pg_catalog.pg_attribute (attrelid INTEGER, attname TEXT, atttypid INTEGER, attlen SMALLINT,
  attnum SMALLINT, atttypmod INTEGER, attnotnull BOOLEAN, atthasdef BOOLEAN, attisdropped BOOLEAN,
  attidentity TEXT, attgenerated TEXT, attcollation INTEGER, attndims SMALLINT, attislocal BOOLEAN);
CREATE TABLE pg_catalog.pg_type (oid INTEGER, typname TEXT, typnamespace INTEGER, typowner INTEGER, typlen SMALLINT,
  typbyval BOOLEAN, typtype TEXT, typcategory TEXT, typisdefined BOOLEAN, typdelim TEXT, typrelid INTEGER,
  typelem INTEGER, typarray INTEGER, typinput TEXT, typoutput TEXT, typreceive TEXT, typsend TEXT,
  typbasetype INTEGER, typtypmod INTEGER, typnotnull BOOLEAN, typdefault TEXT, typcollation INTEGER, typndims INTEGER);
CREATE TABLE pg_catalog.pg_database (oid INTEGER, datname TEXT, datdba INTEGER, encoding INTEGER, datlocprovider TEXT,
  datistemplate BOOLEAN, datallowconn BOOLEAN, datconnlimit INTEGER, datcollate TEXT, datctype TEXT,
  daticulocale TEXT, datacl TEXT, dattablespace INTEGER);
CREATE TABLE pg_catalog.pg_index (indexrelid INTEGER, indrelid INTEGER, indnatts SMALLINT, indnkeyatts SMALLINT,
  indisunique BOOLEAN, indisprimary BOOLEAN, indisvalid BOOLEAN, indnullsnotdistinct BOOLEAN, indkey TEXT,
  indclass TEXT, indoption TEXT, indexprs TEXT, indpred TEXT);
CREATE TABLE pg_catalog.pg_constraint (oid INTEGER, conname TEXT, connamespace INTEGER, contype TEXT,
  conrelid INTEGER, contypid INTEGER, conindid INTEGER, confrelid INTEGER, conkey TEXT, confkey TEXT,
  condeferrable BOOLEAN, condeferred BOOLEAN, convalidated BOOLEAN);
CREATE TABLE pg_catalog.pg_description (objoid INTEGER, classoid INTEGER, objsubid INTEGER, description TEXT);
CREATE TABLE pg_catalog.pg_attrdef (oid INTEGER, adrelid INTEGER, adnum SMALLINT, adbin TEXT);
CREATE TABLE pg_catalog.pg_am (oid INTEGER, amname TEXT, amtype TEXT);
CREATE TABLE pg_catalog.pg_collation (oid INTEGER, collname TEXT, collnamespace INTEGER);
CREATE TABLE pg_catalog.pg_enum (oid INTEGER, enumtypid INTEGER, enumsortorder REAL, enumlabel TEXT);
CREATE TABLE pg_catalog.pg_sequence (seqrelid INTEGER, seqtypid INTEGER, seqstart BIGINT, seqincrement BIGINT,
  seqmax BIGINT, seqmin BIGINT, seqcache BIGINT, seqcycle BOOLEAN);
CREATE TABLE pg_catalog.pg_roles (oid INTEGER, rolname TEXT, rolsuper BOOLEAN, rolinherit BOOLEAN,
  rolcreaterole BOOLEAN, rolcreatedb BOOLEAN, rolcanlogin BOOLEAN, rolreplication BOOLEAN, rolconnlimit INTEGER,
  rolvaliduntil TEXT, rolbypassrls BOOLEAN);
CREATE TABLE pg_catalog.pg_user (usename TEXT, usesysid INTEGER, usecreatedb BOOLEAN, usesuper BOOLEAN);
CREATE TABLE pg_catalog.pg_settings (name TEXT, setting TEXT, unit TEXT, category TEXT, short_desc TEXT,
  vartype TEXT, source TEXT);
CREATE TABLE pg_catalog.pg_proc (oid INTEGER, proname TEXT, pronamespace INTEGER, prokind TEXT, prorettype INTEGER);
CREATE TABLE pg_catalog.pg_inherits (inhrelid INTEGER, inhparent INTEGER, inhseqno INTEGER);
CREATE TABLE pg_catalog.pg_tablespace (oid INTEGER, spcname TEXT);
CREATE TABLE pg_catalog.pg_extension (oid INTEGER, extname TEXT, extversion TEXT);
CREATE TABLE information_schema.schemata (catalog_name TEXT, schema_name TEXT, schema_owner TEXT);
CREATE TABLE information_schema.tables (table_catalog TEXT, table_schema TEXT, table_name TEXT, table_type TEXT,
  is_insertable_into TEXT, is_typed TEXT);
CREATE TABLE information_schema.columns (table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT,
  ordinal_position INTEGER, column_default TEXT, is_nullable TEXT, data_type TEXT, character_maximum_length INTEGER,
  numeric_precision INTEGER, numeric_scale INTEGER, udt_catalog TEXT, udt_schema TEXT, udt_name TEXT,
  is_identity TEXT, is_generated TEXT, is_updatable TEXT);
CREATE TABLE information_schema.views (table_catalog TEXT, table_schema TEXT, table_name TEXT, view_definition TEXT);
CREATE TABLE information_schema.table_constraints (constraint_catalog TEXT, constraint_schema TEXT,
  constraint_name TEXT, table_catalog TEXT, table_schema TEXT, table_name TEXT, constraint_type TEXT);
CREATE TABLE information_schema.key_column_usage (constraint_catalog TEXT, constraint_schema TEXT,
  constraint_name TEXT, table_catalog TEXT, table_schema TEXT, table_name TEXT, column_name TEXT,
  ordinal_position INTEGER);
";

const PUBLIC: i64 = 2200;
const PG_CATALOG: i64 = 11;
const INFORMATION_SCHEMA: i64 = 13_000;
const OWNER: i64 = 10;
const DATABASE: i64 = 16_384;
/// The first oid of the workspace's own relations.
const FIRST_OID: i64 = 16_400;

/// The built-in types: (oid, name, array oid, category, length).
pub const TYPES: &[(i64, &str, i64, &str, i64)] = &[
    (16, "bool", 1000, "B", 1),
    (17, "bytea", 1001, "U", -1),
    (18, "char", 1002, "S", 1),
    (19, "name", 1003, "S", 64),
    (20, "int8", 1016, "N", 8),
    (21, "int2", 1005, "N", 2),
    (23, "int4", 1007, "N", 4),
    (25, "text", 1009, "S", -1),
    (26, "oid", 1028, "N", 4),
    (114, "json", 199, "U", -1),
    (700, "float4", 1021, "N", 4),
    (701, "float8", 1022, "N", 8),
    (1042, "bpchar", 1014, "S", -1),
    (1043, "varchar", 1015, "S", -1),
    (1082, "date", 1182, "D", 4),
    (1083, "time", 1183, "D", 8),
    (1114, "timestamp", 1115, "D", 8),
    (1184, "timestamptz", 1185, "D", 8),
    (1700, "numeric", 1231, "N", -1),
    (2950, "uuid", 2951, "U", 16),
    (3802, "jsonb", 3807, "U", -1),
];

/// PostgreSQL's reading of a column's declared type: (type oid, the name
/// `information_schema.columns.data_type` gives, the maximum length).
pub fn declared_type(declared: &str) -> (i64, &'static str, Option<i64>) {
    let d = declared.trim().to_ascii_uppercase();
    let length = d
        .split_once('(')
        .and_then(|(_, rest)| rest.split(&[')', ','][..]).next())
        .and_then(|n| n.trim().parse::<i64>().ok());
    let base = d.split('(').next().unwrap_or("").trim();
    match base {
        "BIGINT" | "INT8" | "BIGSERIAL" | "SERIAL8" => (20, "bigint", None),
        "SMALLINT" | "INT2" | "TINYINT" | "SMALLSERIAL" => (21, "smallint", None),
        "SERIAL" | "SERIAL4" => (23, "integer", None),
        "BOOL" | "BOOLEAN" => (16, "boolean", None),
        "DATE" => (1082, "date", None),
        "TIME" | "TIME WITHOUT TIME ZONE" => (1083, "time without time zone", None),
        "TIMESTAMP" | "TIMESTAMP WITHOUT TIME ZONE" | "DATETIME" => (1114, "timestamp without time zone", None),
        "TIMESTAMPTZ" | "TIMESTAMP WITH TIME ZONE" => (1184, "timestamp with time zone", None),
        "NUMERIC" | "DECIMAL" => (1700, "numeric", None),
        "UUID" => (2950, "uuid", None),
        "JSON" => (114, "json", None),
        "JSONB" => (3802, "jsonb", None),
        "REAL" | "FLOAT4" => (700, "real", None),
        "VARCHAR" | "CHARACTER VARYING" | "NVARCHAR" => (1043, "character varying", length),
        "CHAR" | "CHARACTER" | "BPCHAR" | "NCHAR" => (1042, "character", length),
        _ if d.contains("INT") => (23, "integer", None),
        _ if d.contains("CHAR") || d.contains("CLOB") || d.contains("TEXT") => (25, "text", None),
        _ if d.contains("BLOB") || d.contains("BYTEA") => (17, "bytea", None),
        _ if d.contains("DOUB") || d.contains("FLOA") => (701, "double precision", None),
        _ => (25, "text", None),
    }
}

/// The catalog of one connection.
pub struct Catalog {
    pub conn: Connection,
    /// The workspace's `schema_version` the tables were made from.
    version: Option<i64>,
    building: Arc<AtomicBool>,
}

/// Who and where the connection is: the answers of `current_user`,
/// `current_database()` and the owner in the catalog.
#[derive(Debug, Clone)]
pub struct Names {
    pub user: String,
    pub database: String,
}

impl Catalog {
    /// An empty catalog; the workspace's tables come with [`Self::refresh`].
    pub fn open(names: &Names, progress: impl FnMut() -> bool + Send + 'static) -> rusqlite::Result<Self> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("ATTACH ':memory:' AS pg_catalog; ATTACH ':memory:' AS information_schema;")?;
        conn.execute_batch(SCHEMA)?;
        static_rows(&conn, names)?;
        super::functions::register(&conn, names)?;
        let building = Arc::new(AtomicBool::new(false));
        let flag = building.clone();
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            if flag.load(Ordering::Relaxed) {
                return Authorization::Allow;
            }
            match ctx.action {
                AuthAction::Select | AuthAction::Read { .. } | AuthAction::Function { .. } | AuthAction::Recursive => {
                    Authorization::Allow
                }
                _ => Authorization::Deny,
            }
        }));
        conn.progress_handler(10_000, Some(progress));
        Ok(Self { conn, version: None, building })
    }

    /// Makes the workspace's relations again if its schema changed.
    pub fn refresh(&mut self, workspace: &Connection, names: &Names) -> rusqlite::Result<()> {
        let version = super::store::schema_version(workspace)?;
        if self.version == Some(version) {
            return Ok(());
        }
        self.building.store(true, Ordering::Relaxed);
        let built = relations(&self.conn, workspace, names);
        self.building.store(false, Ordering::Relaxed);
        built?;
        self.version = Some(version);
        Ok(())
    }
}

fn static_rows(conn: &Connection, names: &Names) -> rusqlite::Result<()> {
    for (oid, name) in [(PG_CATALOG, "pg_catalog"), (PUBLIC, "public"), (INFORMATION_SCHEMA, "information_schema")] {
        conn.execute("INSERT INTO pg_namespace VALUES (?1, ?2, ?3, NULL)", params![oid, name, OWNER])?;
        conn.execute("INSERT INTO schemata VALUES (?1, ?2, ?3)", params![names.database, name, names.user])?;
    }
    for (oid, name, array, category, len) in TYPES {
        conn.execute(
            "INSERT INTO pg_type VALUES (?1, ?2, 11, 10, ?3, ?4, 'b', ?5, 1, ',', 0, 0, ?6, ?2 || 'in', ?2 || 'out',
             ?2 || 'recv', ?2 || 'send', 0, -1, 0, NULL, 0, 0)",
            params![oid, name, len, *len > 0 && *len <= 8, category, array],
        )?;
        conn.execute(
            "INSERT INTO pg_type VALUES (?1, '_' || ?2, 11, 10, -1, 0, 'b', 'A', 1, ',', 0, ?3, 0, 'array_in',
             'array_out', 'array_recv', 'array_send', 0, -1, 0, NULL, 0, 0)",
            params![array, name, oid],
        )?;
    }
    conn.execute(
        "INSERT INTO pg_database VALUES (?1, ?2, ?3, 6, 'c', 0, 1, -1, 'C.UTF-8', 'C.UTF-8', NULL, NULL, 1663)",
        params![DATABASE, names.database, OWNER],
    )?;
    conn.execute_batch(
        "INSERT INTO pg_am VALUES (2, 'heap', 't'), (403, 'btree', 'i');
                        INSERT INTO pg_collation VALUES (100, 'default', 11);
                        INSERT INTO pg_tablespace VALUES (1663, 'pg_default');",
    )?;
    conn.execute("INSERT INTO pg_roles VALUES (?1, ?2, 0, 1, 0, 0, 1, 0, -1, NULL, 0)", params![OWNER, names.user])?;
    conn.execute("INSERT INTO pg_user VALUES (?1, ?2, 0, 0)", params![names.user, OWNER])?;
    for (name, setting) in super::functions::SETTINGS {
        conn.execute(
            "INSERT INTO pg_settings VALUES (?1, ?2, NULL, NULL, NULL, 'string', 'default')",
            params![name, setting],
        )?;
    }
    Ok(())
}

/// One of the workspace's relations.
struct Relation {
    oid: i64,
    name: String,
    kind: &'static str,
    sql: Option<String>,
}

fn relations(catalog: &Connection, workspace: &Connection, names: &Names) -> rusqlite::Result<()> {
    catalog.execute_batch(
        "DELETE FROM pg_class; DELETE FROM pg_attribute; DELETE FROM pg_index; DELETE FROM pg_constraint;
         DELETE FROM pg_attrdef; DELETE FROM tables; DELETE FROM columns; DELETE FROM views;
         DELETE FROM table_constraints; DELETE FROM key_column_usage;",
    )?;
    let mut found = workspace.prepare(
        "SELECT name, type, sql FROM sqlite_schema WHERE type IN ('table', 'view')
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
    )?;
    let list: Vec<Relation> = found
        .query_map([], |r| {
            let kind: String = r.get(1)?;
            Ok((r.get::<_, String>(0)?, kind, r.get::<_, Option<String>>(2)?))
        })?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .enumerate()
        .map(|(i, (name, kind, sql))| Relation {
            oid: FIRST_OID + 2 * i as i64,
            name,
            kind: if kind == "view" { "v" } else { "r" },
            sql,
        })
        .collect();
    let mut next_oid = FIRST_OID + 2 * list.len() as i64;
    for rel in &list {
        let mut columns =
            workspace.prepare("SELECT cid, name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1)")?;
        let cols = columns
            .query_map([&rel.name], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, i64>(5)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        let indexes: Vec<(String, bool, String)> = workspace
            .prepare("SELECT name, \"unique\", origin FROM pragma_index_list(?1)")?
            .query_map([&rel.name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        catalog.execute(
            "INSERT INTO pg_class VALUES (?1, ?2, 2200, ?3, 10, ?4, ?5, 'p', -1, ?6, 0, 0, 0, 0, 0, 0, 1, NULL, NULL, 0, ?7, NULL, 0)",
            params![rel.oid, rel.name, rel.oid + 1, if rel.kind == "r" { 2 } else { 0 }, rel.kind, !indexes.is_empty(), cols.len() as i64],
        )?;
        let table_type = if rel.kind == "v" { "VIEW" } else { "BASE TABLE" };
        catalog.execute(
            "INSERT INTO tables VALUES (?1, 'public', ?2, ?3, ?4, 'NO')",
            params![names.database, rel.name, table_type, if rel.kind == "r" { "YES" } else { "NO" }],
        )?;
        if rel.kind == "v" {
            catalog.execute(
                "INSERT INTO views VALUES (?1, 'public', ?2, ?3)",
                params![names.database, rel.name, rel.sql],
            )?;
        }
        let primary: Vec<(i64, String)> = {
            let mut pk: Vec<(i64, i64, String)> =
                cols.iter().filter(|c| c.5 > 0).map(|c| (c.5, c.0 + 1, c.1.clone())).collect();
            pk.sort();
            pk.into_iter().map(|(_, num, name)| (num, name)).collect()
        };
        for (cid, name, declared, not_null, default, _) in &cols {
            let (type_oid, data_type, length) = declared_type(declared);
            let num = cid + 1;
            // A primary key column is NOT NULL in PostgreSQL.
            let not_null = *not_null || primary.iter().any(|(n, _)| n == &num);
            catalog.execute(
                "INSERT INTO pg_attribute VALUES (?1, ?2, ?3, -1, ?4, -1, ?5, ?6, 0, '', '', 0, 0, 1)",
                params![rel.oid, name, type_oid, num, not_null, default.is_some()],
            )?;
            if let Some(default) = default {
                catalog.execute(
                    "INSERT INTO pg_attrdef VALUES (?1, ?2, ?3, ?4)",
                    params![next_oid, rel.oid, num, default],
                )?;
                next_oid += 1;
            }
            let udt = TYPES.iter().find(|t| t.0 == type_oid).map_or("text", |t| t.1);
            catalog.execute(
                "INSERT INTO columns VALUES (?1, 'public', ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, NULL, ?1, 'pg_catalog', ?9, 'NO', 'NEVER', ?10)",
                params![
                    names.database, rel.name, name, num, default, if not_null { "NO" } else { "YES" }, data_type, length, udt,
                    if rel.kind == "r" { "YES" } else { "NO" }
                ],
            )?;
        }
        if !primary.is_empty() {
            let (index_oid, constraint_oid) = (next_oid, next_oid + 1);
            next_oid += 2;
            let keys: Vec<i64> = primary.iter().map(|(n, _)| *n).collect();
            let constraint = format!("{}_pkey", rel.name);
            let index =
                Index { oid: index_oid, name: &constraint, table: rel.oid, keys: &keys, unique: true, primary: true };
            index_rows(catalog, &index, Some((constraint_oid, "p")))?;
            catalog.execute(
                "INSERT INTO table_constraints VALUES (?1, 'public', ?2, ?1, 'public', ?3, 'PRIMARY KEY')",
                params![names.database, constraint, rel.name],
            )?;
            for (position, (_, column)) in primary.iter().enumerate() {
                catalog.execute(
                    "INSERT INTO key_column_usage VALUES (?1, 'public', ?2, ?1, 'public', ?3, ?4, ?5)",
                    params![names.database, constraint, rel.name, column, position as i64 + 1],
                )?;
            }
        }
        for (index, unique, origin) in indexes.iter().filter(|i| i.2 != "pk") {
            let oid = next_oid;
            next_oid += 1;
            // Column numbers count from 1 in PostgreSQL, from 0 in SQLite.
            let keys: Vec<i64> = workspace
                .prepare("SELECT cid + 1 FROM pragma_index_info(?1) ORDER BY seqno")?
                .query_map([index], |r| r.get::<_, i64>(0))?
                .collect::<Result<Vec<_>, _>>()?;
            let constraint = (origin == "u").then(|| {
                next_oid += 1;
                (next_oid - 1, "u")
            });
            let index = Index { oid, name: index, table: rel.oid, keys: &keys, unique: *unique, primary: false };
            index_rows(catalog, &index, constraint)?;
        }
    }
    Ok(())
}

/// An index of a workspace table, as `pg_class` and `pg_index` list it.
struct Index<'a> {
    oid: i64,
    name: &'a str,
    table: i64,
    /// The columns' numbers (`attnum`), in key order.
    keys: &'a [i64],
    unique: bool,
    primary: bool,
}

/// An index's rows, and the constraint it stands for (`p` or `u`) if any.
fn index_rows(catalog: &Connection, index: &Index<'_>, constraint: Option<(i64, &str)>) -> rusqlite::Result<()> {
    let key = index.keys.iter().map(i64::to_string).collect::<Vec<_>>();
    let count = index.keys.len() as i64;
    catalog.execute(
        "INSERT INTO pg_class VALUES (?1, ?2, 2200, 0, 10, 403, 'i', 'p', -1, 0, 0, 0, 0, 0, 0, 0, 1, NULL, NULL, 0, ?3, NULL, 0)",
        params![index.oid, index.name, count],
    )?;
    catalog.execute(
        "INSERT INTO pg_index VALUES (?1, ?2, ?3, ?3, ?4, ?5, 1, 0, ?6, NULL, NULL, NULL, NULL)",
        params![index.oid, index.table, count, index.unique, index.primary, key.join(" ")],
    )?;
    if let Some((oid, kind)) = constraint {
        catalog.execute(
            "INSERT INTO pg_constraint VALUES (?1, ?2, 2200, ?3, ?4, 0, ?5, 0, ?6, NULL, 0, 0, 1)",
            params![oid, index.name, kind, index.table, index.oid, format!("{{{}}}", key.join(","))],
        )?;
    }
    Ok(())
}

/// Whether a relation named this is one of the catalog's.
pub fn is_catalog_relation(schema: Option<&str>, name: &str) -> bool {
    match schema.map(str::to_ascii_lowercase).as_deref() {
        Some("pg_catalog" | "information_schema") => true,
        Some(_) => false,
        None => TABLES.contains(&name.to_ascii_lowercase().as_str()),
    }
}
