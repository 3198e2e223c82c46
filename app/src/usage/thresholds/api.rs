//! `/user/{user_handle}/usage/threshold`: an extension of the spec
//! (marked `x-sluice-extension`) that reads and sets the thresholds of
//! the current period, in the units Sluice measures in.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ssr, Action, Metric, Threshold, Thresholds, ThresholdsView};
use crate::access::Owner;
use crate::api::{ApiError, ApiJson};
use crate::infra::time::now_millis;
use crate::infra::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read, update))
}

/// Where usage stands against one threshold.
#[derive(Debug, Serialize, utoipa::ToSchema)]
struct ThresholdStanding {
    /// `compute`, `storage` or `spend`.
    metric: &'static str,
    /// In the threshold's unit.
    used: i64,
    percent: i64,
    /// Its cap is reached: the account's workspaces are paused.
    capped: bool,
}

/// The thresholds of the current billing period. Amounts: compute in
/// milliseconds, storage in bytes, spend in cents; absent or null: none.
/// Actions: `warn` or `cap_and_warn` (default `warn`).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct UsageThresholds {
    /// `YYYY-MM`; ignored when setting.
    #[serde(default, skip_deserializing)]
    period: String,
    #[serde(default)]
    compute_ms: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    compute_action: Option<Action>,
    #[serde(default)]
    storage_bytes: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    storage_action: Option<Action>,
    #[serde(default)]
    spend_cents: Option<i64>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    spend_action: Option<Action>,
    /// Read-only.
    #[serde(default, skip_deserializing)]
    standings: Vec<ThresholdStanding>,
}

impl UsageThresholds {
    fn of(view: ThresholdsView) -> Self {
        let t = view.thresholds;
        Self {
            period: view.period.key(),
            compute_ms: t.compute.map(|t| t.amount),
            compute_action: t.compute.map(|t| t.action),
            storage_bytes: t.storage.map(|t| t.amount),
            storage_action: t.storage.map(|t| t.action),
            spend_cents: t.spend.map(|t| t.amount),
            spend_action: t.spend.map(|t| t.action),
            standings: view
                .standings
                .into_iter()
                .map(|s| ThresholdStanding {
                    metric: s.metric.as_str(),
                    used: s.used,
                    percent: s.percent,
                    capped: s.capped,
                })
                .collect(),
        }
    }

    /// The amounts, each checked against the same bounds as the page's.
    fn thresholds(&self) -> Result<Thresholds, ApiError> {
        let mut out = Thresholds::default();
        for (metric, amount, action, field) in [
            (Metric::Compute, self.compute_ms, self.compute_action, "compute_ms"),
            (Metric::Storage, self.storage_bytes, self.storage_action, "storage_bytes"),
            (Metric::Spend, self.spend_cents, self.spend_action, "spend_cents"),
        ] {
            let Some(amount) = amount else { continue };
            let max = super::parse::max_amount(metric);
            let min = i64::from(metric != Metric::Spend);
            if !(min..=max).contains(&amount) {
                return Err(ApiError::field(&format!("body.{field}"), format!("must be from {min} to {max}")));
            }
            out.set(metric, Some(Threshold { amount, action: action.unwrap_or_default() }));
        }
        Ok(out)
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/usage/threshold", operation_id = "userUsageThreshold_get", tag = "Users",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = UsageThresholds), crate::api::Refusals),
    extensions(("x-sluice-extension" = json!(true))),
    security(("bearer" = [])))]
async fn read(State(state): State<AppState>, Owner(caller): Owner) -> Result<Json<UsageThresholds>, ApiError> {
    let view = ssr::view(&state, &caller.account.id, None, now_millis()).await?;
    Ok(Json(UsageThresholds::of(view)))
}

#[utoipa::path(put, path = "/user/{user_handle}/usage/threshold", operation_id = "userUsageThreshold_update", tag = "Users",
    params(crate::api::UserPath),
    request_body = UsageThresholds,
    responses((status = 200, description = "OK", body = UsageThresholds), crate::api::Refusals),
    extensions(("x-sluice-extension" = json!(true))),
    security(("bearer" = [])))]
async fn update(
    State(state): State<AppState>,
    Owner(caller): Owner,
    ApiJson(request): ApiJson<UsageThresholds>,
) -> Result<Json<UsageThresholds>, ApiError> {
    if caller.account.tenant_id.is_some() {
        return Err(ApiError::conflict("This account belongs to a tenant, which sets its usage thresholds."));
    }
    let thresholds = request.thresholds()?;
    let now = now_millis();
    ssr::save(&state, &caller.actor, &thresholds, now).await?;
    let view = ssr::view(&state, &caller.account.id, None, now).await?;
    Ok(Json(UsageThresholds::of(view)))
}
