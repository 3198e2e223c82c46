//! Tenants: the organisations whose members are known by their e-mail's
//! domain. A tenant's row is made when its first member arrives.

use sqlx::AnyConnection;

use super::ids::new_id;

/// The id of the tenant `handle`, made when its first member arrives (by
/// signing up, or by changing their e-mail to the tenant's domain).
pub async fn tenant_id(conn: &mut AnyConnection, handle: &str, now_ms: i64) -> Result<String, sqlx::Error> {
    sqlx::query("INSERT INTO tenants (id, handle, created_at) VALUES ($1, $2, $3) ON CONFLICT (handle) DO NOTHING")
        .bind(new_id("t"))
        .bind(handle)
        .bind(now_ms)
        .execute(&mut *conn)
        .await?;
    sqlx::query_scalar("SELECT id FROM tenants WHERE handle = $1").bind(handle).fetch_one(conn).await
}
