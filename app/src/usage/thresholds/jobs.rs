//! The warning mails: for each threshold of each period, the highest step
//! crossed that was not mailed yet is claimed (`SKIP LOCKED`, so of
//! several processes one sends), marked mailed with every step below it,
//! audited, and the mail goes after that commits: a crash in between loses
//! a warning rather than sending two.

use serde_json::json;

use super::{Action, Metric};
use crate::infra::audit_trail::{self, Actor};
use crate::infra::db::{begin_write, skip_locked};
use crate::infra::system_mail;
use crate::infra::time::now_millis;
use crate::infra::AppState;
use crate::usage::Period;

const BATCH: usize = 20;

#[derive(sqlx::FromRow)]
struct Crossed {
    user_id: String,
    period: String,
    metric: String,
    step: i64,
    used: i64,
    amount: i64,
    handle: String,
    display_name: String,
}

/// Sends what is due; answers how many were sent.
pub async fn run_due(state: &AppState) -> Result<usize, sqlx::Error> {
    let mut sent = 0;
    for _ in 0..BATCH {
        let Some(crossed) = claim_next(state).await? else { break };
        mail(state, &crossed).await;
        sent += 1;
    }
    Ok(sent)
}

async fn claim_next(state: &AppState) -> Result<Option<Crossed>, sqlx::Error> {
    let now = now_millis();
    let mut tx = begin_write(&state.db).await?;
    // The highest unmailed step of its threshold: a jump past several
    // sends one mail.
    let next: Option<Crossed> = sqlx::query_as(&format!(
        "SELECT s.user_id, s.period, s.metric, s.step, s.used, s.amount, u.handle, u.display_name
         FROM usage_threshold_steps s JOIN users u ON u.id = s.user_id
         WHERE s.mailed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM usage_threshold_steps h
                           WHERE h.user_id = s.user_id AND h.period = s.period AND h.metric = s.metric
                             AND h.step > s.step AND h.mailed_at IS NULL)
         ORDER BY s.crossed_at LIMIT 1{}",
        skip_locked(&tx, "s")
    ))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(crossed) = next else { return Ok(None) };
    let marked = sqlx::query(
        "UPDATE usage_threshold_steps SET mailed_at = $1
         WHERE user_id = $2 AND period = $3 AND metric = $4 AND step <= $5 AND mailed_at IS NULL",
    )
    .bind(now)
    .bind(&crossed.user_id)
    .bind(&crossed.period)
    .bind(&crossed.metric)
    .bind(crossed.step)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() == 0 {
        // Another process took it between the two statements (SQLite has
        // no row locks; its writer lock makes this unreachable there).
        return Ok(None);
    }
    let actor = Actor {
        id: crossed.user_id.clone(),
        handle: crossed.handle.clone(),
        display_name: "Sluice".into(),
        avatar_url: "/favicon.svg".into(),
        ip: String::new(),
    };
    let data = json!({ "period": crossed.period, "metric": crossed.metric, "percent": crossed.step,
                       "used": crossed.used, "threshold": crossed.amount });
    audit_trail::record_own(&mut tx, &actor, "usage.threshold.warning", data, now).await?;
    tx.commit().await?;
    Ok(Some(crossed))
}

async fn mail(state: &AppState, c: &Crossed) {
    let Some(metric) = Metric::parse(&c.metric) else { return };
    let period = Period::parse(&c.period).map(|p| p.label()).unwrap_or_else(|| c.period.clone());
    let usage = state.settings.absolute(&format!("/user/{}/advanced/usage", c.handle));
    // Whether it caps is read now: the mail says what holds when it is sent.
    let caps = super::ssr::effective(&state.db, &c.user_id, Period::parse(&c.period).unwrap_or(Period::containing(0)))
        .await
        .map(|t| t.get(metric).is_some_and(|t| t.action == Action::CapAndWarn))
        .unwrap_or(false);
    let consequence = match (caps, c.step >= 100) {
        (true, true) => {
            "This threshold is a cap: your workspaces are paused. New connections are refused\n\
             and open ones have ended until you raise or remove the cap, or the period ends."
        }
        (true, false) => "This threshold is a cap: at 100 % your workspaces will be paused until you\nraise it.",
        (false, _) => "This threshold only warns: nothing is stopped.",
    };
    let subject = format!("Usage: {} % of your {} threshold", c.step, metric.noun());
    let body = format!(
        "Hello {name},\n\nYour {noun} in {period} has reached {step} % of its threshold:\n\
         {used} of {amount}.\n\n{consequence}\n\nSee your usage and change your thresholds on the Usage page:\n\n\
         {usage}\n\n{footer}\n\nSluice\n",
        name = c.display_name,
        noun = metric.noun(),
        step = c.step,
        used = metric.format(c.used),
        amount = metric.format(c.amount),
        footer = system_mail::FOOTER,
    );
    system_mail::to_account(state, &c.user_id, &subject, body).await;
}
