//! psql's meta-commands ask `pg_catalog`, which a SQLite workspace does not
//! have. `\dt` (and `\d` without a name: every table and view) is answered
//! from `sqlite_schema`; any other catalog query gets an error that says
//! what works.

use rusqlite::types::Value;

use super::sql::{Column, Outcome, SqlError};
use super::store::WorkspaceDb;
use pgwire::api::Type;

/// Whether `sql` is psql's list of relations (`\\dt`, `\\d`).
pub fn is_psql_listing(sql: &str) -> bool {
    listing(sql).is_some()
}

const UNSUPPORTED: &str = "Sluice workspaces answer \\dt and \\d (list tables and views) from psql's catalog \
     commands; other catalog queries (\\d name, \\l, \\dn, \\df, …) are not supported. \
     Ask SQLite instead: SELECT sql FROM sqlite_schema; or PRAGMA table_info(name);";

/// psql's relation list (`listTables` in psql's describe.c): which kinds it
/// asks for, and the name pattern if one was given.
struct Listing {
    views: bool,
    pattern: Option<String>,
}

fn listing(sql: &str) -> Option<Listing> {
    let lower = sql.to_ascii_lowercase();
    if !(lower.contains("from pg_catalog.pg_class c") && lower.contains("c.relkind in (")) {
        return None;
    }
    if lower.contains("pg_catalog.pg_attribute") {
        return None;
    }
    let kinds = lower.split("c.relkind in (").nth(1)?.split(')').next()?.to_owned();
    if !kinds.contains("'r'") {
        return None;
    }
    // `\dt name`: `c.relname OPERATOR(pg_catalog.~) '^(name)$'`.
    let pattern = sql
        .split("OPERATOR(pg_catalog.~) '^(")
        .nth(1)
        .and_then(|rest| rest.split(")$'").next())
        .map(|regex| regex.replace(".*", "*").replace('.', "?"));
    Some(Listing { views: kinds.contains("'v'"), pattern })
}

/// The answer to a catalog query, or the error saying what is supported.
pub fn answer(db: &WorkspaceDb, sql: &str, owner: &str) -> Result<Outcome, SqlError> {
    let Some(listing) = listing(sql) else {
        return Err(SqlError::new("0A000", UNSUPPORTED));
    };
    let kinds = if listing.views { "('table', 'view')" } else { "('table')" };
    let query = format!(
        "SELECT name, type FROM sqlite_schema WHERE type IN {kinds}
         AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND ($1 IS NULL OR name GLOB $1) ORDER BY name"
    );
    db.arm();
    let mut stmt = db.conn.prepare(&query)?;
    let rows = stmt
        .query_map([listing.pattern.as_deref()], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    let text = |name: &str| Column { name: name.into(), ty: Type::TEXT };
    Ok(Outcome::Rows {
        tag: "SELECT".into(),
        columns: vec![text("Schema"), text("Name"), text("Type"), text("Owner")],
        rows: rows
            .into_iter()
            .map(|(name, kind)| {
                ["public".to_owned(), name, kind, owner.to_owned()].into_iter().map(Value::Text).collect()
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What psql 15 sends for `\dt` and `\dt t*`.
    const DT: &str = "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' END as \"Type\",\n  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam\nWHERE c.relkind IN ('r','p','')\n      AND n.nspname <> 'pg_catalog'\n      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n  AND pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 1,2;";

    #[test]
    fn psql_table_lists_are_recognised_and_other_catalog_queries_are_not() {
        let all = listing(DT).unwrap();
        assert!(!all.views && all.pattern.is_none());
        let named = DT.replace(
            "  AND pg_catalog.pg_table_is_visible",
            "  AND c.relname OPERATOR(pg_catalog.~) '^(t.*)$' COLLATE pg_catalog.default\n  AND pg_catalog.pg_table_is_visible",
        );
        assert_eq!(listing(&named).unwrap().pattern.as_deref(), Some("t*"));
        assert!(is_psql_listing(DT));
        assert!(!is_psql_listing("SELECT * FROM notes"));
        assert!(listing("SELECT datname FROM pg_catalog.pg_database").is_none());
    }
}
