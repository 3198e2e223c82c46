//! Billing from storage: a developer account's subscription is its plan
//! since sign-up; estimates and invoices are priced from recorded usage,
//! under the caps of their period's usage thresholds.

use super::pricing::{self, capped_lines, total};
use super::{BillingState, Invoice, InvoiceStatus, SubscriptionStatus};
use crate::infra::db::Db;
use crate::usage::period::day_text;
use crate::usage::ssr::{period_totals, sample_until};
use crate::usage::thresholds::ssr::{applying, history};
use crate::usage::Period;
use shared::DAY_MS;

/// The period `now` is in, priced so far, and an invoice for each period
/// before it that has usage.
pub async fn summary(db: &Db, user_id: &str, now: i64) -> Result<BillingState, sqlx::Error> {
    let current = Period::containing(now);
    let totals = period_totals(db, user_id).await?;
    let thresholds = history(db, user_id).await?;
    let (compute, storage) = totals.get(&current).copied().unwrap_or_default();
    let estimate = capped_lines(compute, storage, &applying(&thresholds, current));
    let invoices = totals
        .range(..current)
        .rev()
        .map(|(period, (compute, storage))| {
            let lines = capped_lines(*compute, *storage, &applying(&thresholds, *period));
            Invoice {
                number: invoice_number(user_id, *period),
                period: *period,
                total_cents: total(&lines),
                lines,
                status: InvoiceStatus::Paid,
            }
        })
        .collect();
    Ok(BillingState {
        plan: pricing::PLAN.into(),
        status: SubscriptionStatus::Active,
        period: current,
        estimate_cents: total(&estimate),
        estimate,
        invoices,
        sample_until: sample_until(db, user_id).await?.map(|until| day_text(until.div_euclid(DAY_MS))),
        measured_at: None,
    })
}

/// `in_` + the account's id body + the period: stable, and unique per account.
pub fn invoice_number(user_id: &str, period: Period) -> String {
    format!("in_{}{:04}{:02}", user_id.get(2..).unwrap_or_default(), period.year, period.month)
}
