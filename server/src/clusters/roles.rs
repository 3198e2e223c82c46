//! A person's role on a cluster, bound to them by a comment naming their
//! immutable id: made, given a password, renamed and dropped only for the
//! person it is bound to, so a handle given up never brings its role to
//! the next person who takes it.

use app::infra::settings::RoleLimits;
use app::infra::workspace_storage::{Role, StorageError};
use sqlx::postgres::PgConnectOptions;
use sqlx::{Connection, Executor, PgPool};

use super::statements::{ident, literal};
use super::GROUP;

/// The comment that binds a role to the person it was made for is this,
/// then their id.
const BOUND_TO: &str = "sluice owner ";

fn binding_of(owner: &str) -> String {
    [BOUND_TO, owner].concat()
}

/// The person a role's comment binds it to.
pub(super) fn bound_owner(comment: &str) -> Option<&str> {
    comment.strip_prefix(BOUND_TO)
}

/// A role of that name on the cluster, as Sluice sees it.
pub(super) struct Found {
    /// A member of [`GROUP`]: one of Sluice's.
    ours: bool,
    /// The person it is bound to (`None`: made before roles were bound).
    owner: Option<String>,
    oid: i64,
}

/// Whose a role of the name is, for `role`'s person.
#[derive(PartialEq)]
pub(super) enum Whose {
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
        owner: comment.as_deref().and_then(bound_owner).map(str::to_owned),
        oid,
    }))
}

pub(super) async fn whose(
    conn: &mut sqlx::PgConnection,
    role: &Role<'_>,
) -> Result<(Whose, Option<Found>), sqlx::Error> {
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
