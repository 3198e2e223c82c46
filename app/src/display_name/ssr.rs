//! The Display Name in storage: saved and audited in one transaction.

use serde_json::json;
use shared::DisplayName;

use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, lock_user};
use crate::infra::time::now_millis;
use crate::infra::AppState;

/// Saves `name` for the acting person; the audit record names them by
/// the new name.
pub async fn update(state: &AppState, actor: &Actor, name: &DisplayName) -> Result<(), sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &actor.id).await?;
    let old: String =
        sqlx::query_scalar("SELECT display_name FROM users WHERE id = $1").bind(&actor.id).fetch_one(&mut *tx).await?;
    if old == name.as_str() {
        // Saving what is there changes nothing, and records nothing.
        return Ok(());
    }
    sqlx::query("UPDATE users SET display_name = $1, updated_at = $2, version_id = version_id + 1 WHERE id = $3")
        .bind(name.as_str())
        .bind(now)
        .bind(&actor.id)
        .execute(&mut *tx)
        .await?;
    let actor = Actor { display_name: name.to_string(), ..actor.clone() };
    let data = json!({ "display_name": { "old": old, "new": name.as_str() } });
    audit_trail::record_own(&mut tx, &actor, "user.update", data, now).await?;
    tx.commit().await?;
    Ok(())
}
