//! Usage (Advanced › Usage): storage and compute time per workspace for a
//! billing period (a calendar month, UTC) and the ones before it, as a
//! chart of bars per day with a total and a data table, and per workspace.
//! `GET /api/v0/user/{handle}/usage` lists the same daily figures.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
mod chart;
#[cfg(feature = "ssr")]
pub mod export;
pub mod period;
pub mod pricing;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod thresholds;
mod view;

pub use period::Period;
pub use view::{UsageBanner, UsageData, UsagePage};

/// One day of the period, all workspaces together.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageDay {
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub compute_ms: i64,
    /// The day's largest reading, summed over workspaces.
    pub storage_bytes: i64,
}

/// One workspace over the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceUsage {
    pub workspace: String,
    pub compute_ms: i64,
    /// The largest daily reading in the period.
    pub storage_bytes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageReport {
    pub period: Period,
    /// Every period with usage, and the current one; newest first.
    pub periods: Vec<Period>,
    pub days: Vec<UsageDay>,
    pub workspaces: Vec<WorkspaceUsage>,
    /// The period's figures before this day (`YYYY-MM-DD`) are a generated
    /// sample (the demo account's); from it on they are measured.
    pub sample_until: Option<String>,
    /// When the workspaces were last measured (RFC 3339), if ever.
    #[serde(default)]
    pub measured_at: Option<String>,
    /// Seconds between two measurements.
    #[serde(default)]
    pub interval_secs: u64,
}

impl UsageReport {
    pub fn total_compute_ms(&self) -> i64 {
        self.days.iter().map(|d| d.compute_ms).sum()
    }

    pub fn peak_storage_bytes(&self) -> i64 {
        self.days.iter().map(|d| d.storage_bytes).max().unwrap_or(0)
    }
}

/// The usage of the account `handle` in `period` (`YYYY-MM`; the current
/// one if empty).
#[server(prefix = "/sfn", endpoint = "usage")]
pub async fn usage_for_period(handle: String, period: String) -> Result<UsageReport, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    let now = crate::infra::time::now_millis();
    let period = if period.is_empty() {
        Period::containing(now)
    } else {
        Period::parse(&period).ok_or_else(|| AppError::invalid("Choose a period such as 2026-11."))?
    };
    let mut report = ssr::report(&state.db, &viewer.id, period, now).await?;
    report.measured_at = ssr::measured_at(&state.db, &viewer.id).await?.map(crate::infra::time::rfc3339);
    report.interval_secs = state.settings.usage_interval.as_secs().max(1);
    Ok(report)
}

/// `every 60 s`, `every 5 min`: how often usage is measured.
pub fn interval_text(secs: u64) -> String {
    if secs <= 1 {
        "every second".to_owned()
    } else if secs.is_multiple_of(60) {
        format!("every {} min", secs / 60)
    } else {
        format!("every {secs} s")
    }
}

/// Compute time as people read it: `3 h 25 min`, `42 min`, `12 s`, `7 ms`.
pub fn format_duration(ms: i64) -> String {
    let secs = ms / 1000;
    let (h, m) = (secs / 3600, secs % 3600 / 60);
    match (h, m) {
        (0, 0) if secs == 0 && ms > 0 => format!("{ms} ms"),
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// Bytes in binary units with one decimal: `1.5 GiB`.
pub fn format_bytes(bytes: i64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_sizes_read_well() {
        assert_eq!(format_duration(12_400), "12 s");
        assert_eq!(format_duration(7), "7 ms");
        assert_eq!(format_duration(0), "0 s");
        assert_eq!(format_duration(42 * 60_000 + 5_000), "42 min");
        assert_eq!(format_duration(3 * 3_600_000), "3 h");
        assert_eq!(format_duration(3 * 3_600_000 + 25 * 60_000), "3 h 25 min");
        assert_eq!(format_bytes(512), "512 B");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
