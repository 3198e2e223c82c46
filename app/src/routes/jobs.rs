//! The process's one worker: every feature's jobs are rows, and one loop
//! runs whatever is due (a new database password carried to workspaces,
//! workspaces made on and removed from their engines, tokens' expiry
//! reminders). It wakes when a request asks it to (`AppState::jobs`) and
//! otherwise looks for due work every second. Several processes' workers
//! may run at once: each job is taken by one of them. The workspace
//! engines' usage sampler and caps call in here too ([`usage_sampled`],
//! [`capped_roles`]): they know no feature.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::infra::AppState;

const IDLE_POLL: Duration = Duration::from_secs(1);

/// Runs the worker until the process ends.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let done = [
                crate::database_password::jobs::run_due(&state).await,
                crate::workspaces::jobs::run_due(&state).await,
                crate::tokens::jobs::run_due(&state).await,
                crate::usage::thresholds::jobs::run_due(&state).await,
            ];
            let mut any = false;
            for result in done {
                match result {
                    Ok(n) => any |= n > 0,
                    Err(error) => tracing::error!(%error, "a background job failed; will retry"),
                }
            }
            if any {
                continue;
            }
            let _ = tokio::time::timeout(IDLE_POLL, state.jobs.notified()).await;
        }
    })
}

/// After each round of usage samples: usage against every account's
/// thresholds (`running`: each account's statements still running).
pub async fn usage_sampled(state: &AppState, running: &HashMap<String, i64>) -> Result<(), sqlx::Error> {
    crate::usage::thresholds::ssr::evaluate_all(state, crate::infra::time::now_millis(), running).await
}

/// Clients seen connected to workspaces on `cluster`: uses of their
/// owners' database passwords, which alert from a new network.
pub async fn workspace_sign_ins(
    state: &AppState,
    cluster: &str,
    seen: &[crate::infra::workspace_storage::WorkspaceSignIn],
) -> Result<(), sqlx::Error> {
    if let Err(error) = crate::networks::ssr::workspace_sign_ins(state, cluster, seen).await {
        tracing::warn!(%error, "workspace sign-ins were not checked");
    }
    Ok(())
}

/// The roles the usage caps close on `cluster`, by name, each with the
/// sentence that refuses its sign-ins.
pub async fn capped_roles(state: &AppState, cluster: &str) -> Result<BTreeMap<String, String>, sqlx::Error> {
    crate::usage::thresholds::ssr::capped_roles(state, cluster, crate::infra::time::now_millis()).await
}
