//! A workspace's database on a cluster beyond its making: dropped when
//! the workspace goes, and paused (closed to its owner) past the storage
//! limit.

use app::infra::workspace_storage::{Role, StorageError};
use sqlx::{Executor, PgPool};

use super::roles::{whose, Whose};
use super::statements::{ident, literal};
use super::GROUP;

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
