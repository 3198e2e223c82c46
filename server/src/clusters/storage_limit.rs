//! The storage limit of a workspace on a cluster. PostgreSQL has no disk
//! quota of its own, so Sluice keeps one from its usage samples: a
//! workspace whose database is larger than `SLUICE_WORKSPACE_STORAGE_LIMIT`
//! at a sample is paused (its database closed to its owner's role, their
//! sessions there ended; see `statements::pause`), its owner is mailed
//! once, and its card says why; at the first sample below the limit (the
//! limit was raised, or data went another way) it is open again. How far
//! past the limit a workspace can grow is what its owner writes in one
//! sampling interval (`SLUICE_USAGE_INTERVAL`).

use app::infra::time::now_millis;
use app::infra::workspace_storage::Role;
use app::infra::AppState;

use super::usage::Marked;
use super::Clusters;

pub(super) async fn enforce(
    state: &AppState,
    clusters: &Clusters,
    key: &str,
    ws: &Marked,
    bytes: i64,
) -> Result<(), Box<dyn std::error::Error>> {
    let limit_mb = clusters.limits().storage_mb;
    let limit = i64::try_from(limit_mb.saturating_mul(1024 * 1024)).unwrap_or(i64::MAX);
    match (bytes > limit, ws.paused_at.is_some()) {
        (true, false) => {
            clusters.pause(key, &ws.database_name).await?;
            // Of several Sluice processes sampling at once, one records it
            // and mails.
            let now = now_millis();
            let marked = sqlx::query("UPDATE workspaces SET paused_at = $1 WHERE id = $2 AND paused_at IS NULL")
                .bind(now)
                .bind(&ws.id)
                .execute(&state.db)
                .await?
                .rows_affected();
            if marked == 1 {
                tracing::info!(cluster = key, "a workspace past the storage limit was paused");
                mail(state, ws, bytes, limit_mb).await;
            }
        }
        (false, true) => {
            let role = Role { name: &ws.owner, owner: Some(&ws.user_id), adopt_unbound: true };
            clusters.resume(key, &role, &ws.database_name).await?;
            sqlx::query("UPDATE workspaces SET paused_at = NULL WHERE id = $1").bind(&ws.id).execute(&state.db).await?;
            tracing::info!(cluster = key, "a paused workspace is below the storage limit again");
        }
        _ => {}
    }
    Ok(())
}

async fn mail(state: &AppState, ws: &Marked, bytes: i64, limit_mb: u64) {
    let page = state.settings.absolute(&format!("/user/{}", ws.owner));
    let body = format!(
        "Hello,\n\nYour workspace {workspace} holds {used} MB, past the limit of {limit_mb} MB a\n\
         workspace may hold. It is paused: connections to it are refused and those that\n\
         were open have ended. Your other workspaces are not affected.\n\n\
         It opens again by itself once it is below the limit (if the limit is raised).\n\
         To start afresh, delete it on the Workspaces page:\n\n{page}\n\n{footer}\n\nSluice\n",
        workspace = ws.handle,
        used = bytes / (1024 * 1024),
        footer = app::infra::system_mail::FOOTER,
    );
    let subject = "Your workspace is paused: storage limit reached";
    app::infra::system_mail::to_account(state, &ws.user_id, subject, body).await;
}
