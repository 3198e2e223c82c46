//! The statements Sluice runs on a cluster. Identifiers are always quoted
//! ([`ident`]) and the one literal, a SCRAM verifier, is quoted as a
//! string ([`literal`]): `CREATE ROLE`, `ALTER ROLE` and `CREATE DATABASE`
//! take no bind parameters. Each operation is safe to repeat.

use app::infra::settings::RoleLimits;
use app::infra::workspace_storage::{Measured, Role, StorageError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgPool, Row};

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
    close_own_databases(pool, superuser).await?;
    Ok(row.get::<String, _>("ssl") == "on")
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

/// The comment that binds a role to the person it was made for.
fn binding_of(owner: &str) -> String {
    format!("sluice owner {owner}")
}

/// A role of that name on the cluster, as Sluice sees it.
struct Found {
    /// A member of [`GROUP`]: one of Sluice's.
    ours: bool,
    /// The person it is bound to (`None`: made before roles were bound).
    owner: Option<String>,
    oid: i64,
}

/// Whose a role of the name is, for `role`'s person.
#[derive(PartialEq)]
enum Whose {
    Nobody,
    NotSluices,
    Theirs,
    /// Sluice's, bound to nobody, and the person may take it.
    TheirsToBind,
    Another,
}

async fn find(conn: &mut sqlx::PgConnection, name: &str) -> Result<Option<Found>, sqlx::Error> {
    let row: Option<(bool, Option<String>, i64)> = sqlx::query_as(
        "SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                        WHERE g.rolname = $2 AND m.member = r.oid),
                shobj_description(r.oid, 'pg_authid'), r.oid::bigint
         FROM pg_roles r WHERE r.rolname = $1",
    )
    .bind(name)
    .bind(GROUP)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(row.map(|(ours, comment, oid)| Found {
        ours,
        owner: comment.and_then(|c| c.strip_prefix("sluice owner ").map(str::to_owned)),
        oid,
    }))
}

async fn whose(conn: &mut sqlx::PgConnection, role: &Role<'_>) -> Result<(Whose, Option<Found>), sqlx::Error> {
    let found = find(conn, role.name).await?;
    let whose = match &found {
        None => Whose::Nobody,
        Some(f) if !f.ours => Whose::NotSluices,
        Some(Found { owner: Some(o), .. }) if Some(o.as_str()) == role.owner => Whose::Theirs,
        Some(Found { owner: None, .. }) if role.adopt_unbound => Whose::TheirsToBind,
        Some(_) => Whose::Another,
    };
    Ok((whose, found))
}

async fn bind(conn: &mut sqlx::PgConnection, name: &str, owner: Option<&str>) -> Result<(), sqlx::Error> {
    if let Some(owner) = owner {
        conn.execute(format!("COMMENT ON ROLE {} IS {}", ident(name), literal(&binding_of(owner))).as_str()).await?;
    }
    Ok(())
}

/// The owner's role (made, or given the password again) with its
/// limits, then the database, owned by it and closed to everyone else.
/// A role of the name that was made for someone else is refused: its
/// removal may have failed while its old owner was still signed in.
pub async fn create(
    pool: &PgPool,
    role: &Role<'_>,
    verifier: &str,
    database: &str,
    limits: &RoleLimits,
) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    let r = ident(role.name);
    match whose(&mut conn, role).await?.0 {
        Whose::Nobody => {
            let make = format!(
                "CREATE ROLE {r} LOGIN PASSWORD {} CONNECTION LIMIT {} IN ROLE {}",
                literal(verifier),
                limits.connections,
                ident(GROUP)
            );
            conn.execute(make.as_str()).await?;
            bind(&mut conn, role.name, role.owner).await?;
        }
        Whose::NotSluices => return Err(StorageError::ForeignRole(role.name.to_owned())),
        Whose::Another => return Err(StorageError::RoleInUse(role.name.to_owned())),
        Whose::Theirs | Whose::TheirsToBind => {
            bind(&mut conn, role.name, role.owner).await?;
            let again =
                format!("ALTER ROLE {r} LOGIN PASSWORD {} CONNECTION LIMIT {}", literal(verifier), limits.connections);
            conn.execute(again.as_str()).await?;
        }
    }
    // Membership lets the administrative role make the role's database,
    // end its sessions and drop what it owns.
    let granted: bool = sqlx::query_scalar("SELECT pg_has_role(current_user, $1, 'MEMBER')")
        .bind(role.name)
        .fetch_one(&mut *conn)
        .await?;
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

pub async fn set_verifier(pool: &PgPool, role: &Role<'_>, verifier: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match whose(&mut conn, role).await?.0 {
        Whose::Theirs => {}
        Whose::TheirsToBind => bind(&mut conn, role.name, role.owner).await?,
        Whose::NotSluices => return Err(StorageError::ForeignRole(role.name.to_owned())),
        Whose::Another => return Err(StorageError::RoleInUse(role.name.to_owned())),
        Whose::Nobody => return Err(StorageError::Cluster(sqlx::Error::RowNotFound)),
    }
    conn.execute(format!("ALTER ROLE {} PASSWORD {}", ident(role.name), literal(verifier)).as_str()).await?;
    Ok(())
}

/// The person's role `from` becomes `to`; done already, or nothing of
/// theirs to rename (no role here yet, or the name is another's that
/// waits for its removal), is success.
pub async fn rename(pool: &PgPool, from: &Role<'_>, to: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    let target = Role { name: to, ..*from };
    match (whose(&mut conn, from).await?.0, whose(&mut conn, &target).await?.0) {
        (Whose::Theirs | Whose::TheirsToBind, Whose::Nobody) => {
            conn.execute(format!("ALTER ROLE {} RENAME TO {}", ident(from.name), ident(to)).as_str()).await?;
            bind(&mut conn, to, from.owner).await?;
            Ok(())
        }
        (Whose::Nobody | Whose::Another, Whose::Theirs | Whose::Nobody) => Ok(()),
        (Whose::NotSluices, _) => Err(StorageError::ForeignRole(from.name.to_owned())),
        (_, Whose::NotSluices) => Err(StorageError::ForeignRole(to.to_owned())),
        (_, _) => Err(StorageError::RoleInUse(to.to_owned())),
    }
}

/// The comment on a database Sluice closed to its owner (it is then
/// owned by Sluice's own role).
const PAUSED: &str = "sluice paused";

/// Who holds a workspace's database now.
enum Holder {
    Gone,
    /// One of Sluice's roles: its owner's, open to them.
    Person,
    /// Sluice's own role, having paused it.
    Paused,
    /// Anyone else: not Sluice's to touch.
    Foreign(String),
}

async fn holder(conn: &mut sqlx::PgConnection, database: &str) -> Result<Holder, sqlx::Error> {
    let row: Option<(String, bool, bool, Option<String>)> = sqlx::query_as(
        "SELECT o.rolname::text, pg_has_role(o.oid, $2, 'MEMBER'), o.rolname = current_user,
                shobj_description(d.oid, 'pg_database')
         FROM pg_database d JOIN pg_roles o ON o.oid = d.datdba WHERE d.datname = $1",
    )
    .bind(database)
    .bind(GROUP)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(match row {
        None => Holder::Gone,
        Some((_, _, true, Some(comment))) if comment == PAUSED => Holder::Paused,
        Some((_, true, _, _)) => Holder::Person,
        Some((owner, false, _, _)) => Holder::Foreign(owner),
    })
}

/// Ends the database's connections and drops it; gone already is success.
/// A database neither one of Sluice's roles nor Sluice (pausing it) owns
/// is left alone.
pub async fn drop_database(pool: &PgPool, database: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match holder(&mut conn, database).await? {
        Holder::Gone => Ok(()),
        Holder::Foreign(owner) => Err(StorageError::ForeignRole(owner)),
        Holder::Person | Holder::Paused => {
            conn.execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", ident(database)).as_str()).await?;
            Ok(())
        }
    }
}

/// Sluice's own role takes the database over (the owner's privileges on
/// it go with the ownership, so their role can no longer connect or alter
/// it), marks it paused, and ends its other sessions.
pub async fn pause(pool: &PgPool, database: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match holder(&mut conn, database).await? {
        Holder::Gone | Holder::Paused => return Ok(()),
        Holder::Foreign(owner) => return Err(StorageError::ForeignRole(owner)),
        Holder::Person => {}
    }
    let d = ident(database);
    conn.execute(format!("COMMENT ON DATABASE {d} IS {}", literal(PAUSED)).as_str()).await?;
    conn.execute(format!("ALTER DATABASE {d} OWNER TO CURRENT_USER").as_str()).await?;
    conn.execute(format!("REVOKE ALL ON DATABASE {d} FROM PUBLIC").as_str()).await?;
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
    )
    .bind(database)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Gives a paused database back to the person's role.
pub async fn resume(pool: &PgPool, role: &Role<'_>, database: &str) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    match whose(&mut conn, role).await?.0 {
        Whose::Theirs | Whose::TheirsToBind => {}
        Whose::NotSluices => return Err(StorageError::ForeignRole(role.name.to_owned())),
        Whose::Another => return Err(StorageError::RoleInUse(role.name.to_owned())),
        Whose::Nobody => return Err(StorageError::Cluster(sqlx::Error::RowNotFound)),
    }
    match holder(&mut conn, database).await? {
        Holder::Paused => {}
        Holder::Gone | Holder::Person => return Ok(()),
        Holder::Foreign(owner) => return Err(StorageError::ForeignRole(owner)),
    }
    let d = ident(database);
    conn.execute(format!("ALTER DATABASE {d} OWNER TO {}", ident(role.name)).as_str()).await?;
    conn.execute(format!("REVOKE ALL ON DATABASE {d} FROM PUBLIC").as_str()).await?;
    conn.execute(format!("COMMENT ON DATABASE {d} IS NULL").as_str()).await?;
    Ok(())
}

/// Drops the person's role: it can no longer sign in, its sessions are
/// ended, what it owns in any database of the cluster (a large object
/// made in `postgres`, a grant) goes, then the role. Gone already, or a
/// role of the name bound to someone else, is success: nothing of this
/// person's is left under that name.
pub async fn drop_role(pool: &PgPool, admin: &PgConnectOptions, role: &Role<'_>) -> Result<(), StorageError> {
    let mut conn = pool.acquire().await?;
    let removal = Role { adopt_unbound: true, ..*role };
    let found = match whose(&mut conn, &removal).await? {
        (Whose::Nobody | Whose::Another, _) => return Ok(()),
        (Whose::NotSluices, _) => return Err(StorageError::ForeignRole(role.name.to_owned())),
        (Whose::Theirs | Whose::TheirsToBind, found) => found.ok_or(sqlx::Error::RowNotFound)?,
    };
    let r = ident(role.name);
    conn.execute(format!("ALTER ROLE {r} NOLOGIN").as_str()).await?;
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usesysid = $1::oid")
        .bind(found.oid)
        .execute(&mut *conn)
        .await?;
    let elsewhere: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT d.datname::text FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
         WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = $1::oid AND d.datname <> current_database()",
    )
    .bind(found.oid)
    .fetch_all(&mut *conn)
    .await?;
    let drop_owned = format!("DROP OWNED BY {r}");
    conn.execute(drop_owned.as_str()).await?;
    for database in elsewhere {
        let mut other = sqlx::PgConnection::connect_with(&admin.clone().database(&database)).await?;
        other.execute(drop_owned.as_str()).await?;
        other.close().await?;
    }
    conn.execute(format!("DROP ROLE IF EXISTS {r}").as_str()).await?;
    Ok(())
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
