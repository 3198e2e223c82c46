//! Usage in storage: the report a period shows and the demo account's
//! generated history. The readings themselves are written by
//! [`crate::infra::usage_meter`].

use std::collections::BTreeMap;

use super::period::{day_text, Period};
use super::{UsageDay, UsageReport, WorkspaceUsage};
use crate::infra::db::Db;
pub use crate::infra::usage_meter::{record_compute, record_storage, COMPUTE, STORAGE};
use shared::DAY_MS;

/// The period's days (up to today in the current period), per workspace,
/// and every period that has usage.
pub async fn report(db: &Db, user_id: &str, period: Period, now: i64) -> Result<UsageReport, sqlx::Error> {
    let (from, to) = period.bounds_ms();
    let rows: Vec<(String, i64, String, i64)> = sqlx::query_as(
        "SELECT workspace_handle, usage_date, metric, value FROM usage_daily
         WHERE user_id = $1 AND usage_date >= $2 AND usage_date < $3",
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    let first = period.first_day();
    let today = now.div_euclid(DAY_MS);
    let last = (first + period.days() - 1).min(today.max(first));
    let mut days: Vec<UsageDay> =
        (first..=last).map(|d| UsageDay { date: day_text(d), compute_ms: 0, storage_bytes: 0 }).collect();
    let mut per_ws: BTreeMap<String, WorkspaceUsage> = BTreeMap::new();
    for (workspace, date, metric, value) in rows {
        let index = (date / DAY_MS - first) as usize;
        let ws = per_ws.entry(workspace.clone()).or_insert_with(|| WorkspaceUsage {
            workspace,
            compute_ms: 0,
            storage_bytes: 0,
        });
        let day = days.get_mut(index);
        match metric.as_str() {
            COMPUTE => {
                ws.compute_ms += value;
                if let Some(day) = day {
                    day.compute_ms += value;
                }
            }
            STORAGE => {
                ws.storage_bytes = ws.storage_bytes.max(value);
                if let Some(day) = day {
                    day.storage_bytes += value;
                }
            }
            _ => {}
        }
    }
    let months: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT usage_date FROM usage_daily WHERE user_id = $1")
        .bind(user_id)
        .fetch_all(db)
        .await?;
    let mut periods: Vec<Period> = months.into_iter().map(Period::containing).collect();
    periods.push(Period::containing(now));
    periods.push(period);
    periods.sort_by(|a, b| b.cmp(a));
    periods.dedup();
    let mut workspaces: Vec<WorkspaceUsage> = per_ws.into_values().collect();
    workspaces.sort_by(|a, b| b.compute_ms.cmp(&a.compute_ms).then(a.workspace.cmp(&b.workspace)));
    let sample_until =
        sample_until(db, user_id).await?.filter(|until| from < *until).map(|until| day_text(until.div_euclid(DAY_MS)));
    Ok(UsageReport { period, periods, days, workspaces, sample_until, measured_at: None, interval_secs: 0 })
}

/// Each period with usage: its compute time and its peak storage (the
/// largest day, all workspaces together), as the report counts them, in
/// one read.
pub async fn period_totals(db: &Db, user_id: &str) -> Result<BTreeMap<Period, (i64, i64)>, sqlx::Error> {
    totals_between(db, user_id, 0, i64::MAX).await
}

/// One period's compute time and peak storage, as [`period_totals`]
/// counts them.
pub async fn period_usage(db: &Db, user_id: &str, period: Period) -> Result<(i64, i64), sqlx::Error> {
    let (from, to) = period.bounds_ms();
    Ok(totals_between(db, user_id, from, to).await?.get(&period).copied().unwrap_or_default())
}

async fn totals_between(
    db: &Db,
    user_id: &str,
    from: i64,
    to: i64,
) -> Result<BTreeMap<Period, (i64, i64)>, sqlx::Error> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT usage_date, metric, CAST(SUM(value) AS BIGINT) FROM usage_daily
         WHERE user_id = $1 AND usage_date >= $2 AND usage_date < $3 GROUP BY usage_date, metric",
    )
    .bind(user_id)
    .bind(from)
    .bind(to)
    .fetch_all(db)
    .await?;
    let mut totals: BTreeMap<Period, (i64, i64)> = BTreeMap::new();
    for (date, metric, value) in rows {
        let (compute, storage) = totals.entry(Period::containing(date)).or_default();
        match metric.as_str() {
            COMPUTE => *compute += value,
            STORAGE => *storage = (*storage).max(value),
            _ => {}
        }
    }
    Ok(totals)
}

/// When the account's usage was last measured, in milliseconds.
pub async fn measured_at(db: &Db, user_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(updated_at) FROM usage_daily WHERE user_id = $1").bind(user_id).fetch_one(db).await
}

/// One stored figure, as the API lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row {
    pub workspace_id: String,
    pub usage_date: i64,
    pub metric: String,
    pub value: i64,
}

/// Newest first; `after` is the last row of the previous page.
pub async fn page(
    db: &Db,
    user_id: &str,
    after: Option<&(i64, String, String)>,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let (date, ws, metric) = after.cloned().unwrap_or((i64::MAX, String::new(), String::new()));
    sqlx::query_as(
        "SELECT workspace_id, usage_date, metric, value FROM usage_daily
         WHERE user_id = $1
           AND (usage_date < $2 OR (usage_date = $2 AND (workspace_id > $3 OR (workspace_id = $3 AND metric > $4))))
         ORDER BY usage_date DESC, workspace_id, metric
         LIMIT $5",
    )
    .bind(user_id)
    .bind(date)
    .bind(ws)
    .bind(metric)
    .bind(limit)
    .fetch_all(db)
    .await
}

/// The first measured day of an account whose earlier usage is a
/// generated sample (the demo account's), in milliseconds.
pub async fn sample_until(db: &Db, user_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT until FROM usage_samples WHERE user_id = $1").bind(user_id).fetch_optional(db).await
}

/// A believable history for the demo account: the days of the current
/// period before today and the two periods before it, for each of its
/// workspaces, marked as a sample; from today on its usage is measured.
/// The same account, workspaces and day give the same figures on every
/// machine. Does nothing if the account has its sample already.
pub async fn seed_demo(db: &Db, user_id: &str, now: i64) -> Result<(), sqlx::Error> {
    if sample_until(db, user_id).await?.is_some() {
        return Ok(());
    }
    let workspaces: Vec<(String, String)> =
        sqlx::query_as("SELECT id, handle FROM workspaces WHERE user_id = $1 ORDER BY created_at, handle")
            .bind(user_id)
            .fetch_all(db)
            .await?;
    let today = now.div_euclid(DAY_MS);
    let start = Period::containing(now).previous().previous().first_day();
    for (rank, (id, handle)) in workspaces.iter().enumerate() {
        for day in start..today {
            let (compute, storage) = demo_day(handle, rank, day - start, day);
            record_compute(db, id, compute, day * DAY_MS).await?;
            record_storage(db, id, storage, day * DAY_MS).await?;
        }
    }
    sqlx::query("INSERT INTO usage_samples (user_id, until) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING")
        .bind(user_id)
        .bind(today * DAY_MS)
        .execute(db)
        .await?;
    Ok(())
}

/// One workspace's day: compute busier on weekdays, storage growing.
fn demo_day(workspace: &str, rank: usize, age_days: i64, day: i64) -> (i64, i64) {
    let mut seed =
        workspace.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    seed ^= (day as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let noise = |s: &mut u64| {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        (*s % 1000) as i64
    };
    // 1970-01-01 was a Thursday: days 2 and 3 of each week are the weekend.
    let weekend = matches!(day.rem_euclid(7), 2 | 3);
    let scale = 1 + (rank == 0) as i64 * 2;
    let minutes = if weekend { 4 + noise(&mut seed) % 20 } else { 35 + noise(&mut seed) % 110 } * scale;
    let compute = minutes * 60_000 + noise(&mut seed) * 37;
    let base_mib = 180 * scale + 40 * rank as i64;
    let storage = (base_mib + age_days * (3 + scale) + noise(&mut seed) % 9) * 1024 * 1024;
    (compute, storage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_days_are_the_same_every_time_and_plausible() {
        assert_eq!(demo_day("default", 0, 10, 20_400), demo_day("default", 0, 10, 20_400));
        assert_ne!(demo_day("default", 0, 10, 20_400), demo_day("analytics", 1, 10, 20_400));
        for day in 20_000..20_100 {
            let (compute, storage) = demo_day("default", 0, day - 20_000, day);
            assert!((0..24 * 3_600_000).contains(&compute), "{compute}");
            assert!(storage > 100 * 1024 * 1024 && storage < 10 * 1024 * 1024 * 1024, "{storage}");
        }
        // Weekends are quieter than weekdays, on average.
        let sum = |weekend: bool| -> i64 {
            (20_000..20_700)
                .filter(|d: &i64| matches!(d.rem_euclid(7), 2 | 3) == weekend)
                .map(|d| demo_day("default", 0, 0, d).0)
                .sum::<i64>()
        };
        assert!(sum(false) / 500 > sum(true) / 200 * 2);
    }
}
