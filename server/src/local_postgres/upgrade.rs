//! At start, the workspaces an earlier release kept as SQLite files
//! (their rows say no cluster but were ready) move onto the managed
//! PostgreSQL, one at a time: the owner's role and the database are made,
//! the file is copied in ([`super::import`]) and committed, then the
//! workspace points at its new home, then the file goes — unless a table
//! could not be moved, when the file stays and the owner is told.

use std::path::Path;

use app::infra::db::{begin_write, lock_user};
use app::infra::time::now_millis;
use app::infra::workspace_storage::Role;
use app::infra::AppState;

use super::import::{import, legacy_file, remove_legacy_file};
use crate::clusters::{Clusters, LOCAL};

#[derive(sqlx::FromRow)]
struct Legacy {
    id: String,
    handle: String,
    user_id: String,
    owner: String,
    database_name: String,
    scram_verifier: Option<String>,
}

/// Moves every legacy workspace; answers how many moved. Workspaces made
/// while no engine ran are then made at once, by the worker.
pub async fn run(state: &AppState, clusters: &Clusters) -> usize {
    let moved = move_all(state, clusters).await;
    let waiting =
        sqlx::query("UPDATE workspaces SET provision_not_before = 0 WHERE cluster IS NULL AND provisioned_at IS NULL")
            .execute(&state.db)
            .await;
    if let Err(error) = waiting {
        tracing::warn!(%error, "workspaces waiting for an engine will be made later");
    }
    state.jobs.notify_one();
    moved
}

async fn move_all(state: &AppState, clusters: &Clusters) -> usize {
    let rows: Vec<Legacy> = match sqlx::query_as(
        "SELECT w.id, w.handle, w.user_id, u.handle AS owner, w.database_name, w.scram_verifier
         FROM workspaces w JOIN users u ON u.id = w.user_id
         WHERE w.cluster IS NULL AND w.provisioned_at IS NOT NULL ORDER BY w.id",
    )
    .fetch_all(&state.db)
    .await
    {
        Ok(rows) => rows,
        Err(error) => {
            tracing::error!(%error, "could not list the workspaces to move onto PostgreSQL");
            return 0;
        }
    };
    if rows.is_empty() {
        return 0;
    }
    tracing::info!(workspaces = rows.len(), "moving workspaces from SQLite files onto the managed PostgreSQL");
    let mut moved = 0;
    for ws in rows {
        match move_one(state, clusters, &ws).await {
            Ok(()) => moved += 1,
            Err(error) => {
                tracing::error!(workspace = %ws.id, %error, "a workspace was not moved onto PostgreSQL; its file is kept and the move is tried at the next start")
            }
        }
    }
    moved
}

async fn move_one(state: &AppState, clusters: &Clusters, ws: &Legacy) -> Result<(), Box<dyn std::error::Error>> {
    let Some(verifier) = &ws.scram_verifier else {
        return Err("its password's verifier is not written yet".into());
    };
    let role = Role { name: &ws.owner, owner: Some(&ws.user_id), adopt_unbound: false };
    clusters.create(LOCAL, &role, verifier, &ws.database_name).await?;
    let file = legacy_file(&state.settings.data_dir, &ws.id);
    let imported = if file.exists() {
        let admin = clusters.get(LOCAL)?.admin_options().database(&ws.database_name);
        Some(import(&file, &admin, &ws.owner, &ws.id).await?)
    } else {
        None
    };
    // Point the workspace at its new home, under the owner's handle of
    // now (a handle change while the copy ran renames the role).
    let mut tx = begin_write(&state.db).await?;
    lock_user(&mut tx, &ws.user_id).await?;
    let handle: Option<String> =
        sqlx::query_scalar("SELECT handle FROM users WHERE id = $1").bind(&ws.user_id).fetch_optional(&mut *tx).await?;
    let updated = sqlx::query("UPDATE workspaces SET cluster = $1, updated_at = $2 WHERE id = $3 AND cluster IS NULL")
        .bind(LOCAL)
        .bind(now_millis())
        .bind(&ws.id)
        .execute(&mut *tx)
        .await?;
    if let Some(now_handle) = handle.as_ref().filter(|h| **h != ws.owner) {
        clusters.rename(LOCAL, &role, now_handle).await?;
    }
    tx.commit().await?;
    if updated.rows_affected() == 0 {
        // Deleted while it was copied: what was made goes too.
        clusters.drop_database(LOCAL, &ws.database_name).await?;
    }
    match imported {
        Some(done) if !done.refused.is_empty() => {
            let names: Vec<&str> = done.refused.iter().map(|(t, _)| t.as_str()).collect();
            for (table, why) in &done.refused {
                tracing::warn!(workspace = %ws.id, %table, %why, "a table was not moved onto PostgreSQL; the SQLite file is kept");
            }
            tell_owner(state, ws, &names, &file).await;
        }
        Some(done) => {
            tracing::info!(workspace = %ws.id, tables = done.tables, rows = done.rows, "a workspace moved onto PostgreSQL");
            remove_legacy_file(&state.settings.data_dir, &ws.id).await?;
        }
        None => {}
    }
    Ok(())
}

async fn tell_owner(state: &AppState, ws: &Legacy, tables: &[&str], file: &Path) {
    let body = format!(
        "Your workspace {} now runs on PostgreSQL. These tables could not be moved and are not in it: {}.\n\n\
         Their data is kept, untouched, in the workspace's earlier SQLite file on the Sluice server \
         ({}); the server's operator can give it to you.",
        ws.handle,
        tables.join(", "),
        file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
    );
    app::infra::system_mail::to_account(state, &ws.user_id, "Some tables of your workspace were not moved", body).await;
}
