//! Billing from storage: a developer account's subscription is its plan
//! since sign-up; estimates and invoices are priced from recorded usage.

use super::pricing::{self, lines, total};
use super::{BillingState, Invoice};
use crate::ssr::db::Db;
use crate::usage::period::day_text;
use crate::usage::ssr::report;
use crate::usage::Period;

/// The tenant (its handle) that pays for `user_id`, if one does.
pub async fn tenant_of(db: &Db, user_id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT t.handle FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1")
        .bind(user_id)
        .fetch_optional(db)
        .await
}

/// The period `now` is in, priced so far, and an invoice for each period
/// before it that has usage.
pub async fn summary(db: &Db, user_id: &str, now: i64) -> Result<BillingState, sqlx::Error> {
    let current = Period::containing(now);
    let this = report(db, user_id, current, now).await?;
    let estimate = lines(this.total_compute_ms(), this.peak_storage_bytes());
    let mut invoices = Vec::new();
    for period in this.periods.iter().filter(|p| **p < current) {
        let past = report(db, user_id, *period, now).await?;
        let lines = lines(past.total_compute_ms(), past.peak_storage_bytes());
        invoices.push(Invoice {
            number: invoice_number(user_id, *period),
            period: *period,
            total_cents: total(&lines),
            lines,
            status: "paid".into(),
        });
    }
    Ok(BillingState {
        plan: pricing::PLAN.into(),
        status: "active".into(),
        period: current,
        period_end: day_text(current.next().first_day() - 1),
        estimate_cents: total(&estimate),
        estimate,
        invoices,
    })
}

/// `in_` + the account's id body + the period: stable, and unique per account.
pub fn invoice_number(user_id: &str, period: Period) -> String {
    format!("in_{}{:04}{:02}", user_id.get(2..).unwrap_or_default(), period.year, period.month)
}
