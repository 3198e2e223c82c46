//! The Developer plan's prices and what a period's usage costs under it.
//! Amounts are in cents (USD); fractions of a cent are rounded up once,
//! per line.

use serde::{Deserialize, Serialize};

use crate::usage::thresholds::{Metric, Thresholds};

pub const PLAN: &str = "Developer";
pub const CURRENCY: &str = "usd";
/// Included each period.
pub const INCLUDED_COMPUTE_MS: i64 = 100 * HOUR_MS;
pub const INCLUDED_STORAGE_BYTES: i64 = GIB;
/// Beyond what is included.
pub const CENTS_PER_COMPUTE_HOUR: i64 = 10;
pub const CENTS_PER_GIB_MONTH: i64 = 50;

const HOUR_MS: i64 = 3_600_000;
const GIB: i64 = 1024 * 1024 * 1024;

/// One line of an estimate or an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub label: String,
    /// What was used, as people read it.
    pub used: String,
    /// What is included, as people read it.
    pub included: String,
    pub cents: i64,
    /// Why the amount is less than the usage would cost: a cap.
    #[serde(default)]
    pub note: String,
}

/// A period's cost: the plan, then compute and storage beyond what it
/// includes.
pub fn lines(compute_ms: i64, peak_storage_bytes: i64) -> Vec<Line> {
    let compute_over = (compute_ms - INCLUDED_COMPUTE_MS).max(0);
    let storage_over = (peak_storage_bytes - INCLUDED_STORAGE_BYTES).max(0);
    vec![
        Line {
            label: format!("{PLAN} plan"),
            used: String::new(),
            included: String::new(),
            cents: 0,
            note: String::new(),
        },
        Line {
            label: "Compute time".into(),
            used: crate::usage::format_duration(compute_ms),
            included: crate::usage::format_duration(INCLUDED_COMPUTE_MS),
            cents: ceil_div(compute_over * CENTS_PER_COMPUTE_HOUR, HOUR_MS),
            note: String::new(),
        },
        Line {
            label: "Storage (peak)".into(),
            used: crate::usage::format_bytes(peak_storage_bytes),
            included: crate::usage::format_bytes(INCLUDED_STORAGE_BYTES),
            cents: ceil_div(storage_over * CENTS_PER_GIB_MONTH, GIB),
            note: String::new(),
        },
    ]
}

/// A period's cost under its caps: compute and storage are billed up to
/// their caps, and the total never passes a spend cap; each line a cap
/// lowered says so.
pub fn capped_lines(compute_ms: i64, peak_storage_bytes: i64, thresholds: &Thresholds) -> Vec<Line> {
    let compute_cap = thresholds.cap(Metric::Compute);
    let storage_cap = thresholds.cap(Metric::Storage);
    let billed_compute = compute_cap.map_or(compute_ms, |cap| compute_ms.min(cap));
    let billed_storage = storage_cap.map_or(peak_storage_bytes, |cap| peak_storage_bytes.min(cap));
    let mut out = lines(billed_compute, billed_storage);
    for (line, used, billed, metric) in
        [(1, compute_ms, billed_compute, Metric::Compute), (2, peak_storage_bytes, billed_storage, Metric::Storage)]
    {
        out[line].used = metric.format(used);
        if billed < used {
            out[line].note = format!("Billed up to the {} cap of {}", metric.noun(), metric.format(billed));
        }
    }
    if let Some(cap) = thresholds.cap(Metric::Spend) {
        let sum = total(&out);
        if sum > cap {
            out.push(Line {
                label: "Spend cap".into(),
                used: String::new(),
                included: String::new(),
                cents: cap - sum,
                note: format!("Never charged past the spend cap of {}", dollars(cap)),
            });
        }
    }
    out
}

pub fn total(lines: &[Line]) -> i64 {
    lines.iter().map(|l| l.cents).sum()
}

fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1).div_euclid(b)
}

/// `$12.34`.
pub fn dollars(cents: i64) -> String {
    format!("${}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_included_costs_nothing() {
        assert_eq!(total(&lines(0, 0)), 0);
        assert_eq!(total(&lines(INCLUDED_COMPUTE_MS, INCLUDED_STORAGE_BYTES)), 0);
    }

    #[test]
    fn usage_beyond_the_plan_is_charged_per_line_rounded_up() {
        // 40 h over: $4.00; a millisecond over: one cent.
        assert_eq!(lines(INCLUDED_COMPUTE_MS + 40 * HOUR_MS, 0)[1].cents, 400);
        assert_eq!(lines(INCLUDED_COMPUTE_MS + 1, 0)[1].cents, 1);
        // Half a GiB over: $0.25.
        assert_eq!(lines(0, INCLUDED_STORAGE_BYTES + GIB / 2)[2].cents, 25);
        assert_eq!(total(&lines(INCLUDED_COMPUTE_MS + 40 * HOUR_MS, INCLUDED_STORAGE_BYTES + GIB / 2)), 425);
        assert_eq!(dollars(425), "$4.25");
        assert_eq!(dollars(7), "$0.07");
    }

    #[test]
    fn caps_clamp_what_is_billed_and_say_so() {
        use crate::usage::thresholds::{Action, Threshold};
        let cap = |amount| Some(Threshold { amount, action: Action::CapAndWarn });
        let warn = |amount| Some(Threshold { amount, action: Action::Warn });
        let used = (INCLUDED_COMPUTE_MS + 40 * HOUR_MS, INCLUDED_STORAGE_BYTES + GIB);
        // A warning changes nothing.
        let t = Thresholds { compute: warn(HOUR_MS), storage: warn(1), spend: warn(0) };
        assert_eq!(total(&capped_lines(used.0, used.1, &t)), 450);
        // A compute cap of 110 h bills 10 h over the plan.
        let t = Thresholds { compute: cap(INCLUDED_COMPUTE_MS + 10 * HOUR_MS), ..Default::default() };
        let priced = capped_lines(used.0, used.1, &t);
        assert_eq!(priced[1].cents, 100);
        assert!(priced[1].note.contains("cap of 110 h"), "{:?}", priced[1]);
        assert_eq!(priced[1].used, "140 h");
        // A spend cap of $3 holds the total, in a line of its own.
        let t = Thresholds { spend: cap(300), ..Default::default() };
        let priced = capped_lines(used.0, used.1, &t);
        assert_eq!(total(&priced), 300);
        assert_eq!(priced.last().unwrap().cents, -150);
        // A $0 spend cap charges nothing.
        let t = Thresholds { spend: cap(0), ..Default::default() };
        assert_eq!(total(&capped_lines(used.0, used.1, &t)), 0);
    }
}
