//! Thresholds in storage, and where usage stands against them. A period's
//! thresholds are the newest row at or before it, so changing them this
//! month leaves last month's invoice as it was. [`evaluate`] runs after
//! every usage sample (and at once when thresholds change): it records
//! each step crossed (their mails go out from [`super::jobs`]) and which
//! caps are reached; the server closes and opens the workspaces of the
//! people in `usage_caps` on every cluster.

use std::collections::{BTreeMap, HashMap};

use serde_json::json;

use super::{percent, step_reached, steps_up_to, Action, Metric, Standing, Threshold, Thresholds, ThresholdsView};
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, Db};
use crate::infra::AppState;
use crate::usage::pricing::{lines, total};
use crate::usage::ssr::period_usage;
use crate::usage::Period;

#[derive(sqlx::FromRow)]
struct Row {
    period: String,
    compute_ms: Option<i64>,
    compute_action: String,
    storage_bytes: Option<i64>,
    storage_action: String,
    spend_cents: Option<i64>,
    spend_action: String,
}

impl Row {
    fn thresholds(&self) -> Thresholds {
        let one = |amount: Option<i64>, action: &str| {
            amount.map(|amount| Threshold { amount, action: Action::parse(action).unwrap_or_default() })
        };
        Thresholds {
            compute: one(self.compute_ms, &self.compute_action),
            storage: one(self.storage_bytes, &self.storage_action),
            spend: one(self.spend_cents, &self.spend_action),
        }
    }
}

const COLUMNS: &str =
    "period, compute_ms, compute_action, storage_bytes, storage_action, spend_cents, spend_action FROM usage_thresholds";

/// The thresholds that apply to `period`.
pub async fn effective(db: &Db, user_id: &str, period: Period) -> Result<Thresholds, sqlx::Error> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} WHERE user_id = $1 AND period <= $2 ORDER BY period DESC LIMIT 1"))
            .bind(user_id)
            .bind(period.key())
            .fetch_optional(db)
            .await?;
    Ok(row.map(|r| r.thresholds()).unwrap_or_default())
}

/// Every setting the person made, oldest first: what applies to a past
/// period is the last one at or before it ([`applying`]).
pub async fn history(db: &Db, user_id: &str) -> Result<Vec<(Period, Thresholds)>, sqlx::Error> {
    let rows: Vec<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} WHERE user_id = $1 ORDER BY period"))
        .bind(user_id)
        .fetch_all(db)
        .await?;
    Ok(rows.iter().filter_map(|r| Some((Period::parse(&r.period)?, r.thresholds()))).collect())
}

/// What of `history` applies to `period`.
pub fn applying(history: &[(Period, Thresholds)], period: Period) -> Thresholds {
    history.iter().rev().find(|(from, _)| *from <= period).map(|(_, t)| *t).unwrap_or_default()
}

/// Sets the thresholds of the period `now` is in (and the ones after it),
/// audited, then looks at usage against them at once: a cap raised or
/// removed opens the workspaces again within the next second.
pub async fn save(state: &AppState, actor: &Actor, thresholds: &Thresholds, now: i64) -> Result<(), sqlx::Error> {
    let period = Period::containing(now);
    let amount = |m: Metric| thresholds.get(m).map(|t| t.amount);
    let action = |m: Metric| thresholds.get(m).map(|t| t.action).unwrap_or_default().as_str();
    let mut tx = begin_write(&state.db).await?;
    sqlx::query(
        "INSERT INTO usage_thresholds
           (user_id, period, compute_ms, compute_action, storage_bytes, storage_action, spend_cents, spend_action, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (user_id, period) DO UPDATE SET
           compute_ms = excluded.compute_ms, compute_action = excluded.compute_action,
           storage_bytes = excluded.storage_bytes, storage_action = excluded.storage_action,
           spend_cents = excluded.spend_cents, spend_action = excluded.spend_action, updated_at = excluded.updated_at",
    )
    .bind(&actor.id)
    .bind(period.key())
    .bind(amount(Metric::Compute))
    .bind(action(Metric::Compute))
    .bind(amount(Metric::Storage))
    .bind(action(Metric::Storage))
    .bind(amount(Metric::Spend))
    .bind(action(Metric::Spend))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let mut data = serde_json::Map::new();
    data.insert("period".into(), json!(period.key()));
    for m in Metric::ALL {
        data.insert(
            m.as_str().into(),
            match thresholds.get(m) {
                Some(t) => json!({ "amount": t.amount, "action": t.action.as_str() }),
                None => serde_json::Value::Null,
            },
        );
    }
    audit_trail::record_own(&mut tx, actor, "usage.threshold.update", serde_json::Value::Object(data), now).await?;
    tx.commit().await?;
    evaluate(state, &actor.id, now, 0).await
}

/// Where the period's usage stands against each threshold. `running_ms`
/// is compute time of statements still running (not yet in the samples);
/// `capped`, the caps reached in the period ([`caps_reached`]).
pub async fn standings(
    db: &Db,
    user_id: &str,
    thresholds: &Thresholds,
    period: Period,
    running_ms: i64,
    capped: &[Metric],
) -> Result<Vec<Standing>, sqlx::Error> {
    if thresholds.is_empty() {
        return Ok(Vec::new());
    }
    let (compute, storage) = period_usage(db, user_id, period).await?;
    let compute = compute + running_ms;
    Ok(Metric::ALL
        .into_iter()
        .filter_map(|metric| {
            let threshold = thresholds.get(metric)?;
            let used = match metric {
                Metric::Compute => compute,
                Metric::Storage => storage,
                // What the usage costs before any cap holds it.
                Metric::Spend => total(&lines(compute, storage)),
            };
            Some(Standing {
                metric,
                threshold,
                used,
                percent: percent(used, threshold.amount),
                capped: capped.contains(&metric),
            })
        })
        .collect())
}

/// Looks at the account's usage in the period `now` is in: records the
/// steps crossed (each once, whichever process sees it first) and the caps
/// reached, and lifts the caps no longer reached. Wakes the worker when a
/// warning is due.
pub async fn evaluate(state: &AppState, user_id: &str, now: i64, running_ms: i64) -> Result<(), sqlx::Error> {
    let period = Period::containing(now);
    let thresholds = effective(&state.db, user_id, period).await?;
    let capped = caps_reached(&state.db, user_id, period).await?;
    let standings = standings(&state.db, user_id, &thresholds, period, running_ms, &capped).await?;
    // What should stand, per metric: the steps crossed, and whether its cap is reached.
    let wanted: Vec<(Metric, Option<&Standing>, Vec<i64>, bool)> = Metric::ALL
        .into_iter()
        .map(|metric| {
            let standing = standings.iter().find(|s| s.metric == metric);
            let steps = standing.and_then(|s| step_reached(s.percent)).map(|top| steps_up_to(top).collect());
            let reached = standing.is_some_and(|s| s.threshold.action == Action::CapAndWarn && s.percent >= 100);
            (metric, standing, steps.unwrap_or_default(), reached)
        })
        .collect();
    // Most looks change nothing: they write nothing either.
    let crossed: Vec<(String, i64)> =
        sqlx::query_as("SELECT metric, step FROM usage_threshold_steps WHERE user_id = $1 AND period = $2")
            .bind(user_id)
            .bind(period.key())
            .fetch_all(&state.db)
            .await?;
    let settled = wanted.iter().all(|(metric, _, steps, reached)| {
        steps.iter().all(|step| crossed.iter().any(|(m, n)| m == metric.as_str() && n == step))
            && *reached == capped.contains(metric)
    });
    if settled {
        return Ok(());
    }
    let mut tx = begin_write(&state.db).await?;
    let mut warn = false;
    for (metric, standing, steps, reached) in &wanted {
        if let Some(s) = standing {
            for step in steps {
                let added = sqlx::query(
                    "INSERT INTO usage_threshold_steps (user_id, period, metric, step, used, amount, crossed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (user_id, period, metric, step) DO NOTHING",
                )
                .bind(user_id)
                .bind(period.key())
                .bind(metric.as_str())
                .bind(*step)
                .bind(s.used)
                .bind(s.threshold.amount)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                warn |= added.rows_affected() > 0;
            }
        }
        if *reached {
            sqlx::query(
                "INSERT INTO usage_caps (user_id, period, metric, reached_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id, period, metric) DO NOTHING",
            )
            .bind(user_id)
            .bind(period.key())
            .bind(metric.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query("DELETE FROM usage_caps WHERE user_id = $1 AND period = $2 AND metric = $3")
                .bind(user_id)
                .bind(period.key())
                .bind(metric.as_str())
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    if warn {
        state.jobs.notify_one();
    }
    Ok(())
}

/// [`evaluate`]s every account with thresholds for the period `now` is
/// in; `running` holds each account's statements still running.
pub async fn evaluate_all(state: &AppState, now: i64, running: &HashMap<String, i64>) -> Result<(), sqlx::Error> {
    let period = Period::containing(now);
    let users: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT user_id FROM usage_thresholds WHERE period <= $1
         UNION SELECT user_id FROM usage_caps WHERE period = $1",
    )
    .bind(period.key())
    .fetch_all(&state.db)
    .await?;
    for user in users {
        evaluate(state, &user, now, running.get(&user).copied().unwrap_or(0)).await?;
    }
    Ok(())
}

/// The roles the caps of the period `now` is in close on the cluster
/// `cluster`: each person with a reached cap and a workspace made there,
/// by handle (their role's name), with the sentence that refuses their
/// sign-ins: why, and where to change it.
pub async fn capped_roles(state: &AppState, cluster: &str, now: i64) -> Result<BTreeMap<String, String>, sqlx::Error> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT DISTINCT u.handle, c.metric FROM usage_caps c
         JOIN users u ON u.id = c.user_id
         JOIN workspaces w ON w.user_id = u.id
         WHERE c.period = $1 AND w.cluster = $2 AND w.provisioned_at IS NOT NULL
         ORDER BY u.handle, c.metric",
    )
    .bind(Period::containing(now).key())
    .bind(cluster)
    .fetch_all(&state.db)
    .await?;
    let mut metrics: BTreeMap<String, Vec<Metric>> = BTreeMap::new();
    for (handle, metric) in rows {
        metrics.entry(handle).or_default().extend(Metric::parse(&metric));
    }
    Ok(metrics
        .into_iter()
        .map(|(handle, m)| {
            let text = refusal(state, &handle, &m);
            (handle, text)
        })
        .collect())
}

/// What a capped role's sign-ins are refused with. PostgreSQL reads it as
/// a list of paths: a `//` would be folded, a comma or a quote would split
/// or end it.
fn refusal(state: &AppState, handle: &str, metrics: &[Metric]) -> String {
    let what: Vec<&str> = metrics.iter().map(|m| m.noun()).collect();
    let page = state.settings.absolute(&format!("/user/{handle}/advanced/usage"));
    let page = page.split_once("://").map_or(page.as_str(), |(_, rest)| rest).to_owned();
    format!(
        "Sluice: usage cap reached ({}) for {handle}. Raise or remove the cap on the Usage page at {page} or wait for the next period",
        what.join(" and ")
    )
    .replace([',', '"', '\''], " ")
}

/// The caps the account has reached in `period`.
pub async fn caps_reached(db: &Db, user_id: &str, period: Period) -> Result<Vec<Metric>, sqlx::Error> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT metric FROM usage_caps WHERE user_id = $1 AND period = $2 ORDER BY metric")
            .bind(user_id)
            .bind(period.key())
            .fetch_all(db)
            .await?;
    let mut metrics: Vec<Metric> = rows.iter().filter_map(|m| Metric::parse(m)).collect();
    metrics.sort();
    Ok(metrics)
}

/// The Usage page's section.
pub async fn view(
    state: &AppState,
    user_id: &str,
    tenant: Option<String>,
    now: i64,
) -> Result<ThresholdsView, sqlx::Error> {
    let period = Period::containing(now);
    let thresholds = effective(&state.db, user_id, period).await?;
    let capped = caps_reached(&state.db, user_id, period).await?;
    Ok(ThresholdsView {
        period,
        standings: standings(&state.db, user_id, &thresholds, period, 0, &capped).await?,
        thresholds,
        tenant,
        interval_secs: state.settings.usage_interval.as_secs().max(1),
    })
}
