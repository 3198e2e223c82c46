//! PostgreSQL's functions that clients call at connect and in catalog
//! queries (`version()`, `current_schema()`, `format_type(…)`, …), as
//! SQLite functions on both of a connection's databases, and the settings
//! `SHOW` answers.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::pg_catalog::{Names, TYPES};

/// What `SHOW` and `current_setting` answer.
pub const SETTINGS: &[(&str, &str)] = &[
    ("server_version", "15.0"),
    ("server_version_num", "150000"),
    ("server_encoding", "UTF8"),
    ("client_encoding", "UTF8"),
    ("standard_conforming_strings", "on"),
    ("transaction isolation level", "serializable"),
    ("transaction_isolation", "serializable"),
    ("default_transaction_isolation", "serializable"),
    ("datestyle", "ISO, MDY"),
    ("timezone", "UTC"),
    ("integer_datetimes", "on"),
    ("intervalstyle", "postgres"),
    ("search_path", "public"),
    ("max_identifier_length", "63"),
    ("lc_collate", "C.UTF-8"),
    ("lc_ctype", "C.UTF-8"),
    ("application_name", ""),
    ("is_superuser", "off"),
];

/// `version()`: PostgreSQL's form first, as drivers parse it.
pub fn version() -> String {
    format!("PostgreSQL 15.0 on Sluice (SQLite {})", rusqlite::version())
}

/// The value of a setting `SHOW` is asked for, if it is one.
pub fn setting(name: &str) -> Option<&'static str> {
    SETTINGS.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
}

fn type_name(oid: i64) -> Option<&'static str> {
    let name = TYPES.iter().find(|t| t.0 == oid)?.1;
    Some(match name {
        "int4" => "integer",
        "int8" => "bigint",
        "int2" => "smallint",
        "float8" => "double precision",
        "float4" => "real",
        "bool" => "boolean",
        "varchar" => "character varying",
        "bpchar" => "character",
        "timestamp" => "timestamp without time zone",
        "timestamptz" => "timestamp with time zone",
        other => other,
    })
}

pub fn register(conn: &Connection, names: &Names) -> rusqlite::Result<()> {
    let pure = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let constant = |conn: &Connection, name: &str, value: Value| {
        conn.create_scalar_function(name, 0, pure, move |_| Ok(value.clone()))
    };
    constant(conn, "version", Value::Text(version()))?;
    constant(conn, "current_database", Value::Text(names.database.clone()))?;
    constant(conn, "current_catalog", Value::Text(names.database.clone()))?;
    constant(conn, "current_schema", Value::Text("public".into()))?;
    for user in ["current_user", "session_user", "user", "current_role"] {
        constant(conn, user, Value::Text(names.user.clone()))?;
    }
    constant(conn, "pg_backend_pid", Value::Integer(i64::from(std::process::id())))?;
    constant(conn, "pg_is_in_recovery", Value::Integer(0))?;
    constant(conn, "current_schemas", Value::Text("{public}".into()))?;
    // Visible, allowed: one schema, one owner.
    for (name, arity) in [("pg_table_is_visible", 1), ("pg_type_is_visible", 1), ("pg_function_is_visible", 1)] {
        conn.create_scalar_function(name, arity, pure, |_| Ok(1))?;
    }
    for arity in [2, 3] {
        conn.create_scalar_function("has_table_privilege", arity, pure, |_| Ok(1))?;
        conn.create_scalar_function("has_schema_privilege", arity, pure, |_| Ok(1))?;
        conn.create_scalar_function("has_database_privilege", arity, pure, |_| Ok(1))?;
    }
    let owner = names.user.clone();
    conn.create_scalar_function("pg_get_userbyid", 1, pure, move |_| Ok(owner.clone()))?;
    conn.create_scalar_function("pg_encoding_to_char", 1, pure, |_| Ok("UTF8"))?;
    conn.create_scalar_function("format_type", 2, pure, |ctx| {
        Ok(match ctx.get_raw(0) {
            ValueRef::Integer(oid) => type_name(oid).map(str::to_owned).or_else(|| Some("???".into())),
            _ => None,
        })
    })?;
    conn.create_scalar_function("to_regtype", 1, pure, |ctx| {
        let name = match ctx.get_raw(0) {
            ValueRef::Text(t) => String::from_utf8_lossy(t).to_ascii_lowercase(),
            _ => return Ok(None),
        };
        Ok(TYPES.iter().find(|t| t.1 == name || type_name(t.0) == Some(name.as_str())).map(|t| t.0))
    })?;
    // A default's expression is kept as its text.
    conn.create_scalar_function("pg_get_expr", 2, pure, |ctx| ctx.get::<Option<String>>(0))?;
    conn.create_scalar_function("pg_get_expr", 3, pure, |ctx| ctx.get::<Option<String>>(0))?;
    for (name, arity) in [
        ("pg_get_constraintdef", 1),
        ("pg_get_constraintdef", 2),
        ("pg_get_indexdef", 1),
        ("pg_get_indexdef", 3),
        ("pg_get_serial_sequence", 2),
        ("obj_description", 1),
        ("obj_description", 2),
        ("col_description", 2),
        ("shobj_description", 2),
        ("pg_get_viewdef", 1),
        ("pg_get_viewdef", 2),
    ] {
        conn.create_scalar_function(name, arity, pure, |_| Ok(None::<String>))?;
    }
    conn.create_scalar_function("array_to_string", 2, pure, |ctx| ctx.get::<Option<String>>(0))?;
    // PostgreSQL's regular expression operators (`~`, `~*`), rewritten as
    // calls by [`super::dialect`]: linear-time matching, bounded in size.
    conn.create_scalar_function("pg_regex_match", 3, pure, |ctx| {
        let (Some(text), Some(pattern)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?) else {
            return Ok(None);
        };
        let insensitive = ctx.get::<i64>(2)? != 0;
        let regex = regex::RegexBuilder::new(&pattern)
            .case_insensitive(insensitive)
            .size_limit(1 << 20)
            .build()
            .map_err(|e| rusqlite::Error::UserFunctionError(format!("invalid regular expression: {e}").into()))?;
        Ok(Some(regex.is_match(&text)))
    })?;
    // Functions that return rows inside a select list have no SQLite form:
    // said plainly rather than "no such function".
    for (name, arity) in [("unnest", 1), ("generate_subscripts", 2)] {
        conn.create_scalar_function(name, arity, pure, move |_| -> rusqlite::Result<i64> {
            Err(rusqlite::Error::UserFunctionError(
                format!("{name}() returns rows, which a Sluice workspace cannot do in a select list (so SQLAlchemy's reflection of keys and indexes is not supported); list them from information_schema.key_column_usage, or PRAGMA index_list(table)").into(),
            ))
        })?;
    }
    conn.create_scalar_function("current_setting", 1, pure, |ctx| {
        let name: String = ctx.get(0)?;
        Ok(setting(&name).map(str::to_owned))
    })?;
    // `set_config(name, value, is_local)`: accepted, answers the value.
    conn.create_scalar_function("set_config", 3, pure, |ctx| ctx.get::<Option<String>>(1))?;
    Ok(())
}
