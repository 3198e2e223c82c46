//! The statements Sluice runs on a cluster. Identifiers are always quoted
//! ([`ident`]) and the one literal, a SCRAM verifier, is quoted as a
//! string ([`literal`]): `CREATE ROLE`, `ALTER ROLE` and `CREATE DATABASE`
//! take no bind parameters. Each operation is safe to repeat.

use app::infra::settings::RoleLimits;
use app::infra::workspace_storage::{Measured, StorageError};
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

/// Checks the version and the administrative role's privileges, makes
/// [`GROUP`] if missing; answers whether the cluster speaks TLS.
pub async fn check(pool: &PgPool) -> Result<bool, String> {
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
    Ok(row.get::<String, _>("ssl") == "on")
}

/// Whether `role` exists, and whether it is one of Sluice's.
async fn role_state(conn: &mut sqlx::PgConnection, role: &str) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                        WHERE g.rolname = $2 AND m.member = r.oid)
         FROM pg_roles r WHERE r.rolname = $1",
    )
    .bind(role)
    .bind(GROUP)
    .fetch_optional(&mut *conn)
    .await
}

/// The owner's role (made, or given the password again) with its
/// limits, then the database, owned by it and closed to everyone else.
pub async fn create(
    pool: &PgPool,
    role: &str,
    verifier: &str,
    database: &str,
    limits: &RoleLimits,
) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    let r = ident(role);
    match role_state(&mut conn, role).await? {
        None => {
            let make = format!(
                "CREATE ROLE {r} LOGIN PASSWORD {} CONNECTION LIMIT {} IN ROLE {}",
                literal(verifier),
                limits.connections,
                ident(GROUP)
            );
            conn.execute(make.as_str()).await?;
        }
        Some(false) => return Err(StorageError::ForeignRole(role.to_owned())),
        Some(true) => {
            let again =
                format!("ALTER ROLE {r} LOGIN PASSWORD {} CONNECTION LIMIT {}", literal(verifier), limits.connections);
            conn.execute(again.as_str()).await?;
        }
    }
    // Membership lets the administrative role make the role's database,
    // end its sessions and drop what it owns.
    let granted: bool =
        sqlx::query_scalar("SELECT pg_has_role(current_user, $1, 'MEMBER')").bind(role).fetch_one(&mut *conn).await?;
    if !granted {
        conn.execute(format!("GRANT {r} TO CURRENT_USER").as_str()).await?;
    }
    for (setting, value) in [
        ("statement_timeout", format!("{}ms", limits.statement_timeout.as_millis())),
        ("idle_in_transaction_session_timeout", format!("{}ms", limits.idle_in_transaction_timeout.as_millis())),
        ("temp_file_limit", format!("{}MB", limits.temp_file_limit_mb)),
    ] {
        conn.execute(format!("ALTER ROLE {r} SET {setting} = {}", literal(&value)).as_str()).await?;
    }
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)")
        .bind(database)
        .fetch_one(&mut *conn)
        .await?;
    let d = ident(database);
    if !exists {
        conn.execute(format!("CREATE DATABASE {d} OWNER {r}").as_str()).await?;
    }
    conn.execute(format!("REVOKE ALL ON DATABASE {d} FROM PUBLIC").as_str()).await?;
    Ok(())
}

pub async fn set_verifier(pool: &PgPool, role: &str, verifier: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match role_state(&mut conn, role).await? {
        Some(true) => {}
        Some(false) => return Err(StorageError::ForeignRole(role.to_owned())),
        None => return Err(StorageError::Cluster(sqlx::Error::RowNotFound)),
    }
    conn.execute(format!("ALTER ROLE {} PASSWORD {}", ident(role), literal(verifier)).as_str()).await?;
    Ok(())
}

/// `from` becomes `to`; done already, or nothing to rename (the person
/// has no role here yet), is success.
pub async fn rename(pool: &PgPool, from: &str, to: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match (role_state(&mut conn, from).await?, role_state(&mut conn, to).await?) {
        (Some(true), None) => {
            conn.execute(format!("ALTER ROLE {} RENAME TO {}", ident(from), ident(to)).as_str()).await?;
            Ok(())
        }
        (None, Some(true)) | (None, None) => Ok(()),
        (Some(false), _) => Err(StorageError::ForeignRole(from.to_owned())),
        (_, Some(_)) => Err(StorageError::ForeignRole(to.to_owned())),
    }
}

/// Ends the database's connections and drops it; gone already is success.
/// A database whose owner is not one of Sluice's roles is left alone.
pub async fn drop_database(pool: &PgPool, database: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    let owner: Option<(String, bool)> = sqlx::query_as(
        "SELECT o.rolname, pg_has_role(o.oid, $2, 'MEMBER') FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba
         WHERE d.datname = $1",
    )
    .bind(database)
    .bind(GROUP)
    .fetch_optional(&mut *conn)
    .await?;
    match owner {
        None => Ok(()),
        Some((owner, false)) => Err(StorageError::ForeignRole(owner)),
        Some(_) => {
            conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(database)).as_str()).await?;
            Ok(())
        }
    }
}

/// Drops one of Sluice's roles; gone already is success.
pub async fn drop_role(pool: &PgPool, role: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match role_state(&mut conn, role).await? {
        None => Ok(()),
        Some(false) => Err(StorageError::ForeignRole(role.to_owned())),
        Some(true) => {
            conn.execute(format!("DROP ROLE IF EXISTS {}", ident(role)).as_str()).await?;
            Ok(())
        }
    }
}

/// Size and statement time of each named database that exists.
pub async fn measure(pool: &PgPool, databases: &[String]) -> Result<Vec<Measured>, StorageError> {
    let rows: Vec<(String, i64, f64)> = sqlx::query_as(
        "SELECT d.datname::text, pg_database_size(d.oid), COALESCE(s.active_time, 0)
         FROM pg_database d LEFT JOIN pg_stat_database s ON s.datid = d.oid
         WHERE d.datname = ANY($1)",
    )
    .bind(databases)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(database, bytes, active)| Measured { database, bytes, active_ms: active as i64 })
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
