//! `GET /user/{user_handle}/usage`: the spec's user_listUsage, one item per
//! workspace, day and metric, newest first.

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::ssr::{self, Row, COMPUTE};
use crate::access::Owner;
use crate::api::{cursor_token, ApiError, Page};
use crate::infra::time::{now_millis, rfc3339};
use crate::infra::AppState;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
}

/// What Sluice bills by: compute per started minute, storage per started MiB.
const MINUTE_MS: i64 = 60_000;
const MIB: i64 = 1024 * 1024;
/// Sluice runs one kind of database instance.
pub const INSTANCE_TYPE: &str = "db1.shared";

/// The spec's `UsageMetric`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageMetric {
    billing_mode: &'static str,
    dimension: &'static str,
    metric: String,
    unit: &'static str,
    usage_date: String,
    value: i64,
    value_rounded: i64,
    value_weighted: i64,
    identity_id: String,
    tenant_id: String,
    workspace_id: String,
    instance_type: &'static str,
}

/// The spec's `ListUsageMetricsResponse`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UsageList {
    items: Vec<UsageMetric>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Filter {
    #[serde(rename = "where")]
    where_: Option<String>,
    /// With `Accept: text/csv`: the period (`YYYY-MM`) whose days to list.
    period: Option<String>,
    #[serde(flatten)]
    page: Page,
}

fn round_up(value: i64, unit: i64) -> i64 {
    (value + unit - 1) / unit * unit
}

fn item(row: Row, user_id: &str) -> UsageMetric {
    let compute = row.metric == COMPUTE;
    let rounded = round_up(row.value, if compute { MINUTE_MS } else { MIB });
    UsageMetric {
        billing_mode: "billable",
        dimension: if compute { "compute" } else { "storage" },
        unit: if compute { "millisecond" } else { "byte" },
        metric: row.metric,
        usage_date: rfc3339(row.usage_date),
        value: row.value,
        value_rounded: rounded,
        value_weighted: rounded,
        identity_id: user_id.to_owned(),
        // A developer account is its own tenant.
        tenant_id: format!("t_{}", user_id.get(2..).unwrap_or_default()),
        workspace_id: row.workspace_id,
        instance_type: INSTANCE_TYPE,
    }
}

fn encode(row: &Row) -> String {
    cursor_token(&format!("{}:{}:{}", row.usage_date, row.workspace_id, row.metric))
}

fn decode(raw: &str) -> Option<(i64, String, String)> {
    let mut parts = raw.splitn(3, ':');
    let date = parts.next()?.parse().ok()?;
    let ws = parts.next()?;
    let metric = parts.next()?;
    (shared::is_prefixed_id(ws, "w") && (metric == COMPUTE || metric == ssr::STORAGE))
        .then(|| (date, ws.to_owned(), metric.to_owned()))
}

/// Whether the request asks for CSV rather than JSON.
fn wants_csv(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(',').any(|t| t.split(';').next().is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))))
}

#[utoipa::path(get, path = "/user/{user_handle}/usage", operation_id = "user_listUsage", tag = "Users",
    params(crate::api::UserPath, ("where" = Option<String>, Query, description = "Not supported: filters are refused"), crate::api::PageQuery,
        ("period" = Option<String>, Query, description = "An extension: with `Accept: text/csv`, the billing period (YYYY-MM, default the current one) whose days are listed as the Usage page's CSV")),
    responses((status = 200, description = "OK", body = UsageList, content_type = "application/json"),
        (status = 200, description = "With Accept: text/csv, the period's days as CSV", body = String, content_type = "text/csv"),
        crate::api::Refusals),
    security(("bearer" = [])))]
async fn list(
    State(state): State<AppState>,
    Owner(caller): Owner,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Result<Response, ApiError> {
    if filter.where_.as_deref().is_some_and(|w| !w.trim().is_empty()) {
        return Err(ApiError::field("query.where", "filters are not supported: page through the list instead"));
    }
    if wants_csv(&headers) {
        let now = now_millis();
        let query = super::export::PeriodQuery { period: filter.period.clone() };
        let period = super::export::period_of(&query, now)
            .ok_or_else(|| ApiError::field("query.period", "must be a billing period such as 2026-11"))?;
        let report = ssr::report(&state.db, &caller.account.id, period, now).await?;
        return Ok(super::export::attachment(&caller.account.handle, period, super::export::csv(&report)));
    }
    let limit = filter.page.limit()?;
    let after = filter.page.resume(decode)?;
    let mut rows = ssr::page(&state.db, &caller.account.id, after.as_ref(), limit + 1).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_token = more.then(|| rows.last().map(encode)).flatten();
    Ok(Json(UsageList { items: rows.into_iter().map(|r| item(r, &caller.account.id)).collect(), next_token })
        .into_response())
}
