//! Billing (Advanced › Billing): the plan, its status and current period,
//! an estimate from the period's usage so far, and the invoices of the
//! periods before. An account that belongs to a tenant has no Billing: the
//! tenant pays, so the menu item, the page and the API answer 404.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::usage::Period;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod invoice;
/// The plan's prices live with usage, which thresholds price too.
pub use crate::usage::pricing;
#[cfg(feature = "ssr")]
pub mod ssr;
mod view;

pub use view::BillingPage;

/// Where an invoice stands. Every past period's is paid: Sluice's own
/// billing charges nothing it has not measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InvoiceStatus {
    Paid,
}

/// Where the subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionStatus {
    Active,
}

impl InvoiceStatus {
    /// The word the API answers.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
        }
    }

    /// The word the page shows.
    pub fn label(self) -> &'static str {
        match self {
            Self::Paid => "Paid",
        }
    }
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Active => "Active",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub number: String,
    pub period: Period,
    pub total_cents: i64,
    /// What the total is made of, as the estimate shows it.
    #[serde(default)]
    pub lines: Vec<pricing::Line>,
    pub status: InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingState {
    pub plan: String,
    pub status: SubscriptionStatus,
    pub period: Period,
    pub estimate: Vec<pricing::Line>,
    pub estimate_cents: i64,
    /// Newest first.
    pub invoices: Vec<Invoice>,
    /// Usage before this day (`YYYY-MM-DD`) is a generated sample (the demo
    /// account's), priced here as if it were measured.
    pub sample_until: Option<String>,
    /// When the workspaces were last measured (RFC 3339), if ever.
    #[serde(default)]
    pub measured_at: Option<String>,
}

#[server(prefix = "/sfn", endpoint = "billing")]
pub async fn billing_summary(handle: String) -> Result<BillingState, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    if viewer.tenant.is_some() {
        return Err(AppError::NotFound);
    }
    let state = crate::infra::AppState::from_context()?;
    let mut summary = ssr::summary(&state.db, &viewer.id, crate::infra::time::now_millis()).await?;
    summary.measured_at = crate::usage::ssr::measured_at(&state.db, &viewer.id).await?.map(crate::infra::time::rfc3339);
    Ok(summary)
}
