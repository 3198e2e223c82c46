//! Usage from what the endpoint really does: the time statements spend
//! running, per workspace, added up in memory and written to Usage every
//! interval; and each workspace's size, read from its files after it was
//! used and once a day for every workspace (storage is a day's largest
//! reading, so a workspace left alone still has its size every day).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::store;
use app::infra::time::now_millis;
use app::infra::AppState;
use app::usage::ssr::{record_compute, record_storage};
use shared::DAY_MS;

/// Compute time not yet written, per workspace; a workspace is here once
/// it was used since the last write, so its size is read again.
#[derive(Clone, Default)]
pub struct Meter {
    pending: Arc<Mutex<HashMap<String, Duration>>>,
}

impl Meter {
    pub fn add(&self, workspace_id: &str, spent: Duration) {
        let mut pending = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        match pending.get_mut(workspace_id) {
            Some(total) => *total += spent,
            None => {
                pending.insert(workspace_id.to_owned(), spent);
            }
        }
    }

    fn take(&self) -> HashMap<String, Duration> {
        std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// A workspace's size on disk: its database and its write-ahead log.
async fn size_of(data_dir: &Path, workspace_id: &str) -> Option<u64> {
    let main = store::path(data_dir, workspace_id);
    let bytes = tokio::fs::metadata(&main).await.ok()?.len();
    let mut wal = main.into_os_string();
    wal.push("-wal");
    Some(bytes + tokio::fs::metadata(&wal).await.map_or(0, |m| m.len()))
}

/// Writes what `meter` holds and reads the sizes of the workspaces used,
/// every `every`, and every workspace's size at the first pass of a day.
pub fn spawn(state: AppState, meter: Meter, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut swept_day = None;
        let mut carried = HashMap::new();
        loop {
            tokio::time::sleep(every).await;
            write_compute(&state, &meter, &mut carried).await;
            let today = now_millis().div_euclid(DAY_MS);
            if swept_day != Some(today) && sweep_storage(&state).await {
                swept_day = Some(today);
            }
        }
    })
}

/// Whole milliseconds are written; what is left of each workspace's time
/// is `carried` to its next write.
async fn write_compute(state: &AppState, meter: &Meter, carried: &mut HashMap<String, Duration>) {
    let now = now_millis();
    for (workspace_id, spent) in meter.take() {
        let spent = spent + carried.remove(&workspace_id).unwrap_or_default();
        let ms = spent.as_millis() as i64;
        let rest = spent - Duration::from_millis(ms as u64);
        if ms > 0 {
            match record_compute(&state.db, &workspace_id, ms, now).await {
                Ok(()) | Err(sqlx::Error::RowNotFound) => {}
                Err(error) => {
                    tracing::warn!(%error, "usage: compute time not written; kept for the next pass");
                    meter.add(&workspace_id, spent);
                    continue;
                }
            }
        }
        if !rest.is_zero() {
            carried.insert(workspace_id.clone(), rest);
        }
        write_storage(state, &workspace_id, now).await;
    }
}

async fn write_storage(state: &AppState, workspace_id: &str, now: i64) {
    let Some(bytes) = size_of(&state.settings.data_dir, workspace_id).await else { return };
    match record_storage(&state.db, workspace_id, bytes as i64, now).await {
        Ok(()) | Err(sqlx::Error::RowNotFound) => {}
        Err(error) => tracing::warn!(%error, "usage: a storage reading was not written"),
    }
}

/// Every workspace's size, a page of ids at a time; false if the reading
/// stopped on an error (it is tried again at the next pass).
async fn sweep_storage(state: &AppState) -> bool {
    let now = now_millis();
    let mut after = String::new();
    loop {
        let ids: Vec<String> = match sqlx::query_scalar("SELECT id FROM workspaces WHERE id > $1 ORDER BY id LIMIT 500")
            .bind(&after)
            .fetch_all(&state.db)
            .await
        {
            Ok(ids) => ids,
            Err(error) => {
                tracing::warn!(%error, "usage: the daily storage reading stopped");
                return false;
            }
        };
        let Some(last) = ids.last().cloned() else { return true };
        for id in &ids {
            write_storage(state, id, now).await;
        }
        after = last;
    }
}
