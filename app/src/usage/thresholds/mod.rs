//! Usage thresholds (Advanced › Usage): per billing period, a compute
//! time, a storage and a spend threshold, each with an action: Warn, or
//! Cap and warn. Crossing 75 %, 100 % and every further 25 % up to
//! 1000 % of one mails its owner once per step and period; a cap reached
//! pauses every workspace of theirs on every cluster until it is raised,
//! removed, or the period ends, and billing never charges past it.
//! `GET`/`PUT /api/v0/user/{handle}/usage/threshold` read and set them.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::Period;
use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
mod banner;
mod form;
#[cfg(feature = "ssr")]
pub mod jobs;
mod parse;
#[cfg(feature = "ssr")]
pub mod ssr;

pub use banner::ThresholdBanner;
pub use form::ThresholdsSection;
pub use parse::{form_value, parse_amount, ThresholdInputError};

/// What a threshold measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Metric {
    /// Compute time, in milliseconds.
    Compute,
    /// Peak storage, in bytes.
    Storage,
    /// The period's estimate, in cents.
    Spend,
}

impl Metric {
    pub const ALL: [Metric; 3] = [Metric::Compute, Metric::Storage, Metric::Spend];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Compute => "compute",
            Self::Storage => "storage",
            Self::Spend => "spend",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }

    /// As a sentence names it: "compute time".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Compute => "compute time",
            Self::Storage => "storage",
            Self::Spend => "spend",
        }
    }

    /// An amount of it as people read it: `5 h`, `1.5 GiB`, `$12.00`.
    pub fn format(self, amount: i64) -> String {
        match self {
            Self::Compute => super::format_duration(amount),
            Self::Storage => super::format_bytes(amount),
            Self::Spend => crate::usage::pricing::dollars(amount),
        }
    }
}

/// What happens when usage reaches a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Mail at each step.
    #[default]
    Warn,
    /// Mail at each step, and at 100 % pause every workspace.
    CapAndWarn,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Warn => "warn",
            Self::CapAndWarn => "cap_and_warn",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "warn" => Some(Self::Warn),
            "cap_and_warn" => Some(Self::CapAndWarn),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Warn => "Warn",
            Self::CapAndWarn => "Cap and warn",
        }
    }
}

/// One threshold: an amount in the metric's unit, and its action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Threshold {
    pub amount: i64,
    pub action: Action,
}

/// The thresholds that apply to a period; `None`: not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Thresholds {
    pub compute: Option<Threshold>,
    pub storage: Option<Threshold>,
    pub spend: Option<Threshold>,
}

impl Thresholds {
    pub fn get(&self, metric: Metric) -> Option<Threshold> {
        match metric {
            Metric::Compute => self.compute,
            Metric::Storage => self.storage,
            Metric::Spend => self.spend,
        }
    }

    pub fn set(&mut self, metric: Metric, threshold: Option<Threshold>) {
        match metric {
            Metric::Compute => self.compute = threshold,
            Metric::Storage => self.storage = threshold,
            Metric::Spend => self.spend = threshold,
        }
    }

    /// The amount of a metric's cap, if its threshold caps.
    pub fn cap(&self, metric: Metric) -> Option<i64> {
        self.get(metric).filter(|t| t.action == Action::CapAndWarn).map(|t| t.amount)
    }

    pub fn is_empty(&self) -> bool {
        Metric::ALL.iter().all(|m| self.get(*m).is_none())
    }
}

/// The steps a warning mail is sent at, in percent of the threshold.
pub const FIRST_STEP: i64 = 75;
pub const STEP: i64 = 25;
pub const LAST_STEP: i64 = 1000;

/// How much of a threshold `used` is, in whole percent. A threshold of
/// nothing (a $0 spend cap) is at 100 % from the first cent.
pub fn percent(used: i64, amount: i64) -> i64 {
    if amount <= 0 {
        return if used > 0 { 100 } else { 0 };
    }
    i64::try_from(i128::from(used.max(0)) * 100 / i128::from(amount)).unwrap_or(i64::MAX)
}

/// The highest step `percent` has crossed, if any.
pub fn step_reached(percent: i64) -> Option<i64> {
    (percent >= FIRST_STEP).then(|| if percent < 100 { FIRST_STEP } else { (percent - percent % STEP).min(LAST_STEP) })
}

/// Every step up to and including `step`: a jump past several counts
/// each of them as crossed (their mail is the last one's).
pub fn steps_up_to(step: i64) -> impl Iterator<Item = i64> {
    std::iter::once(FIRST_STEP).chain((100..=LAST_STEP).step_by(STEP as usize)).filter(move |s| *s <= step)
}

/// A threshold's standing in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standing {
    pub metric: Metric,
    pub threshold: Threshold,
    pub used: i64,
    pub percent: i64,
    /// Its cap is reached: the workspaces are paused.
    pub capped: bool,
}

/// The Usage page's section: the thresholds of the period and where
/// usage stands against them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdsView {
    pub period: Period,
    pub thresholds: Thresholds,
    pub standings: Vec<Standing>,
    /// The account belongs to this tenant, which manages its usage: the
    /// section is read-only.
    pub tenant: Option<String>,
    /// Seconds between two measurements of the workspaces.
    pub interval_secs: u64,
}

impl ThresholdsView {
    pub fn capped(&self) -> Vec<Metric> {
        self.standings.iter().filter(|s| s.capped).map(|s| s.metric).collect()
    }
}

#[server(prefix = "/sfn", endpoint = "usage_thresholds")]
pub async fn usage_thresholds(handle: String) -> Result<ThresholdsView, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::view(&state, &viewer.id, viewer.tenant.clone(), crate::infra::time::now_millis()).await?)
}

/// Saves the thresholds of the current period and the ones after it. An
/// empty amount removes that threshold.
#[allow(clippy::too_many_arguments)]
#[server(prefix = "/sfn", endpoint = "set_usage_thresholds")]
pub async fn set_usage_thresholds(
    handle: String,
    compute_hours: String,
    compute_action: String,
    storage_gib: String,
    storage_action: String,
    spend_dollars: String,
    spend_action: String,
) -> Result<(), AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    if let Some(tenant) = &viewer.tenant {
        return Err(AppError::invalid(format!("The tenant {tenant} sets this account's usage thresholds.")));
    }
    let mut thresholds = Thresholds::default();
    for (metric, amount, action) in [
        (Metric::Compute, compute_hours, compute_action),
        (Metric::Storage, storage_gib, storage_action),
        (Metric::Spend, spend_dollars, spend_action),
    ] {
        let parsed = parse::parse_threshold(metric, &amount, &action).map_err(|e| AppError::invalid(e.to_string()))?;
        thresholds.set(metric, parsed);
    }
    let state = crate::infra::AppState::from_context()?;
    let actor = crate::infra::audit_trail::Actor::viewer(&viewer, &crate::infra::request::parts()?);
    ssr::save(&state, &actor, &thresholds, crate::infra::time::now_millis()).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_run_from_75_to_1000_percent() {
        assert_eq!(step_reached(74), None);
        assert_eq!(step_reached(75), Some(75));
        assert_eq!(step_reached(99), Some(75));
        assert_eq!(step_reached(100), Some(100));
        assert_eq!(step_reached(149), Some(125));
        assert_eq!(step_reached(5000), Some(1000));
        assert_eq!(steps_up_to(125).collect::<Vec<_>>(), vec![75, 100, 125]);
        assert_eq!(steps_up_to(1000).count(), 38);
        assert_eq!(steps_up_to(50).count(), 0);
    }

    #[test]
    fn percent_of_nothing_is_reached_at_the_first_unit() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 0), 100);
        assert_eq!(percent(3, 4), 75);
        assert_eq!(percent(i64::MAX, 1), i64::MAX);
    }
}
