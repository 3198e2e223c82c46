//! The statements Sluice runs on a cluster that concern it as a whole:
//! quoting, the check at start, and reading usage. Identifiers are always
//! quoted ([`ident`]) and the one literal, a SCRAM verifier, is quoted as
//! a string ([`literal`]): `CREATE ROLE`, `ALTER ROLE` and `CREATE
//! DATABASE` take no bind parameters. Each operation is safe to repeat.
//! A person's role is `roles`'s, their databases `databases`'s.

use app::infra::workspace_storage::{Measured, StorageError, WorkspaceSignIn};
use sqlx::{Executor, PgPool, Row};

use super::{GROUP, MIN_VERSION};

/// `"name"`, with any `"` doubled: an identifier PostgreSQL takes as is.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, with any `'` doubled (`standard_conforming_strings` is on
/// from PostgreSQL 9.1: a backslash is itself).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// What [`check`] learns of a cluster.
pub struct Checked {
    pub tls: bool,
    /// `server_version_num`.
    pub version: i32,
    /// Sluice administers it as a superuser.
    pub superuser: bool,
    /// `pg_stat_statements` can be read: compute time is read from it.
    pub statement_stats: bool,
}

/// Checks the version and the administrative role's privileges, makes
/// [`GROUP`] if missing.
pub async fn check(pool: &PgPool) -> Result<Checked, String> {
    let row = sqlx::query(
        "SELECT current_setting('server_version_num')::int AS version, current_setting('ssl') AS ssl,
                r.rolcreatedb, r.rolcreaterole, r.rolsuper
         FROM pg_roles r WHERE r.rolname = current_user",
    )
    .fetch_one(pool)
    .await
    .map_err(|e| format!("cannot read its settings: {e}"))?;
    let version: i32 = row.get("version");
    if version < MIN_VERSION {
        return Err(format!("PostgreSQL 14 or later is needed (it runs {version})"));
    }
    let (createdb, createrole, superuser): (bool, bool, bool) =
        (row.get("rolcreatedb"), row.get("rolcreaterole"), row.get("rolsuper"));
    let may_administer = superuser || (createdb && createrole);
    if !may_administer {
        return Err("the administrative role needs CREATEDB and CREATEROLE".into());
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
        .bind(GROUP)
        .fetch_one(pool)
        .await
        .map_err(|e| e.to_string())?;
    if !exists {
        match pool.execute(format!("CREATE ROLE {} NOLOGIN", ident(GROUP)).as_str()).await {
            Ok(_) => {}
            // Another Sluice process made it at the same moment.
            Err(sqlx::Error::Database(e))
                if e.code().as_deref() == Some("23505") || e.code().as_deref() == Some("42710") => {}
            Err(e) => return Err(format!("cannot make the role {GROUP}: {e}")),
        }
    }
    close_own_databases(pool, superuser).await?;
    let statement_stats = statement_stats(pool, superuser).await;
    Ok(Checked { tls: row.get::<String, _>("ssl") == "on", version, superuser, statement_stats })
}

/// Whether `pg_stat_statements` can be read here (made in Sluice's
/// database if a superuser may; it reads only when the server preloads
/// it).
async fn statement_stats(pool: &PgPool, superuser: bool) -> bool {
    if superuser {
        if let Err(error) = pool.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements").await {
            tracing::info!(%error, "pg_stat_statements is not available: compute time is read from pg_stat_database");
        }
    }
    sqlx::query("SELECT 1 FROM pg_stat_statements LIMIT 1").fetch_optional(pool).await.is_ok()
}

/// Every role may open `postgres` and `template1` unless that was revoked
/// from PUBLIC: a person's role could list every handle and database name
/// there, and own objects outside their workspaces. A superuser revokes
/// it; a role with less can only say how.
async fn close_own_databases(pool: &PgPool, superuser: bool) -> Result<(), String> {
    let open: Vec<String> = sqlx::query_scalar(
        "SELECT datname::text FROM pg_database WHERE datname IN ('postgres', 'template1')
         AND (has_database_privilege('public', datname, 'CONNECT') OR has_database_privilege('public', datname, 'TEMP'))",
    )
    .fetch_all(pool)
    .await
    .map_err(|e| format!("cannot read its databases' privileges: {e}"))?;
    for database in open {
        let d = ident(&database);
        if superuser {
            pool.execute(format!("REVOKE CONNECT, TEMPORARY ON DATABASE {d} FROM PUBLIC").as_str())
                .await
                .map_err(|e| format!("cannot close {database} to PUBLIC: {e}"))?;
        } else {
            tracing::warn!(
                database = %database,
                "every workspace role can connect to this database of the cluster; as its superuser run: \
                 REVOKE CONNECT, TEMPORARY ON DATABASE {d} FROM PUBLIC (and GRANT CONNECT to Sluice's role)"
            );
        }
    }
    Ok(())
}
/// Size and statement time of each named database that exists, and the
/// time of the statements running there now. Statement time is
/// `pg_stat_statements`'s where it can be read: PostgreSQL adds a
/// statement there as it ends, where `pg_stat_database.active_time` waits
/// for its session to report (at its end, after 10 s idle, or when it
/// next touches a table outside a transaction, at most once a second).
/// The clients connected to Sluice's workspace roles now, one line per
/// role, database, address and application. Addresses show only where
/// Sluice may read every session's (a superuser, or `pg_read_all_stats`);
/// elsewhere none are seen.
pub async fn sign_ins(pool: &PgPool) -> Result<Vec<WorkspaceSignIn>, sqlx::Error> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT DISTINCT a.usename::text, a.datname::text, host(a.client_addr), COALESCE(a.application_name, '')
         FROM pg_stat_activity a
         WHERE a.backend_type = 'client backend' AND a.client_addr IS NOT NULL AND a.pid <> pg_backend_pid()
           AND a.usesysid IN (SELECT m.member FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                              WHERE g.rolname = $1)
         LIMIT 10000",
    )
    .bind(GROUP)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(role, database, address, application)| {
            Some(WorkspaceSignIn {
                role,
                database,
                address: address.parse().ok()?,
                application: application.chars().take(64).collect(),
            })
        })
        .collect())
}

pub async fn measure(
    pool: &PgPool,
    databases: &[String],
    statement_stats: bool,
) -> Result<Vec<Measured>, StorageError> {
    let spent = if statement_stats {
        "COALESCE((SELECT SUM(p.total_exec_time) FROM pg_stat_statements p WHERE p.dbid = d.oid), 0)::float8"
    } else {
        "COALESCE(s.active_time, 0)"
    };
    let rows: Vec<(String, i64, f64, f64)> = sqlx::query_as(&format!(
        "SELECT d.datname::text, pg_database_size(d.oid), {spent},
                COALESCE((SELECT SUM(EXTRACT(EPOCH FROM clock_timestamp() - a.state_change) * 1000)
                          FROM pg_stat_activity a
                          WHERE a.datid = d.oid AND a.state = 'active' AND a.pid <> pg_backend_pid()), 0)::float8
         FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
         WHERE d.datname = ANY($1)"
    ))
    .bind(databases)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(database, bytes, active, running)| Measured {
            database,
            bytes,
            active_ms: active as i64,
            from_statements: statement_stats,
            running_ms: running.max(0.0) as i64,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_names_and_literals_whole() {
        assert_eq!(ident("ada"), "\"ada\"");
        assert_eq!(ident("a\"; DROP ROLE x; --"), "\"a\"\"; DROP ROLE x; --\"");
        assert_eq!(literal("SCRAM-SHA-256$4096:c2FsdA==$a:b"), "'SCRAM-SHA-256$4096:c2FsdA==$a:b'");
        assert_eq!(literal("it's"), "'it''s'");
    }
}
