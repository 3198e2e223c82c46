//! `/user/{user_handle}/billing/subscription` and `…/billing/invoice`: the
//! spec's UserBilling operations. A tenant member's billing is the
//! tenant's: 404, saying so.

use axum::extract::{Query, State};
use axum::Json;
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{pricing, ssr, SubscriptionStatus};
use crate::access::{Caller, Owner};
use crate::api::{cursor_token, ApiError, Page};
use crate::infra::time::rfc3339;
use crate::infra::AppState;
use crate::usage::Period;

/// This feature's operations, each documented by its own `#[utoipa::path]`.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(subscriptions)).routes(routes!(invoices))
}

/// The spec's `BillingSubscriptionItem`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BillingSubscriptionItem {
    id: String,
    pricing_id: String,
    billing_scheme: &'static str,
    quantity: i64,
    unit_amount: i64,
}

/// The spec's `BillingSubscription`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BillingSubscription {
    id: String,
    status: String,
    currency: &'static str,
    created_at: String,
    current_period_start: String,
    current_period_end: String,
    cancel_at: String,
    cancel_at_period_end: String,
    canceled_at: String,
    items: Vec<BillingSubscriptionItem>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SubscriptionList {
    items: Vec<BillingSubscription>,
}

/// The spec's `BillingInvoice`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BillingInvoice {
    id: String,
    status: String,
    currency: &'static str,
    total: i64,
    attempted: bool,
    attempt_count: i64,
    billing_reason: &'static str,
    created_at: String,
    period_start: String,
    period_end: String,
    next_payment_attempt: String,
    hosted_invoice_url: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceList {
    items: Vec<BillingInvoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The Developer plan's one price.
const PRICE_ID: &str = "price_developer00000000000";

/// A tenant member's billing is the tenant's: refused, naming the tenant.
async fn not_a_tenant_member(state: &AppState, caller: &Caller) -> Result<(), ApiError> {
    let Some(tenant_id) = &caller.account.tenant_id else {
        return Ok(());
    };
    let tenant: Option<String> = sqlx::query_scalar("SELECT handle FROM tenants WHERE id = $1")
        .bind(tenant_id)
        .fetch_optional(&state.db)
        .await?;
    match tenant {
        Some(tenant) => {
            Err(ApiError::absent(format!("This account belongs to the tenant {tenant}, which manages its billing.")))
        }
        None => Ok(()),
    }
}

#[utoipa::path(get, path = "/user/{user_handle}/billing/subscription", operation_id = "userBilling_listUserSubscription", tag = "UserBilling",
    params(crate::api::UserPath),
    responses((status = 200, description = "OK", body = SubscriptionList), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn subscriptions(
    State(state): State<AppState>,
    Owner(caller): Owner,
) -> Result<Json<SubscriptionList>, ApiError> {
    not_a_tenant_member(&state, &caller).await?;
    let created: i64 = sqlx::query_scalar("SELECT created_at FROM users WHERE id = $1")
        .bind(&caller.account.id)
        .fetch_one(&state.db)
        .await?;
    let (start, end) = Period::containing(crate::infra::time::now_millis()).bounds_ms();
    let body = caller.account.id.get(2..).unwrap_or_default();
    Ok(Json(SubscriptionList {
        items: vec![BillingSubscription {
            id: format!("sub_{body}"),
            status: SubscriptionStatus::Active.as_str().into(),
            currency: pricing::CURRENCY,
            created_at: rfc3339(created),
            current_period_start: rfc3339(start),
            current_period_end: rfc3339(end),
            cancel_at: String::new(),
            cancel_at_period_end: "false".into(),
            canceled_at: String::new(),
            items: vec![BillingSubscriptionItem {
                id: format!("si_{body}"),
                pricing_id: PRICE_ID.into(),
                billing_scheme: "per_unit",
                quantity: 1,
                unit_amount: 0,
            }],
        }],
    }))
}

#[utoipa::path(get, path = "/user/{user_handle}/billing/invoice", operation_id = "userBilling_listUserBillingInvoices", tag = "UserBilling",
    params(crate::api::UserPath, crate::api::PageQuery),
    responses((status = 200, description = "OK", body = InvoiceList), (status = 404, description = "Not Found", body = crate::api::ErrorModel), crate::api::Refusals),
    security(("bearer" = [])))]
async fn invoices(
    State(state): State<AppState>,
    Owner(caller): Owner,
    Query(page): Query<Page>,
) -> Result<Json<InvoiceList>, ApiError> {
    not_a_tenant_member(&state, &caller).await?;
    let limit = page.limit()? as usize;
    // The cursor is the last period listed; the next page starts before it.
    let before = page.resume(Period::parse)?;
    let summary = ssr::summary(&state.db, &caller.account.id, crate::infra::time::now_millis()).await?;
    let mut listed: Vec<_> = summary.invoices.into_iter().filter(|i| before.is_none_or(|b| i.period < b)).collect();
    let more = listed.len() > limit;
    listed.truncate(limit);
    let next_token = more.then(|| listed.last().map(|i| cursor_token(&i.period.key()))).flatten();
    let page_url = state.settings.absolute(&format!("/user/{}/advanced/billing", caller.account.handle));
    let items = listed
        .into_iter()
        .map(|i| {
            let (start, end) = i.period.bounds_ms();
            BillingInvoice {
                hosted_invoice_url: format!("{page_url}#{}", i.number),
                id: i.number,
                status: i.status.as_str().into(),
                currency: pricing::CURRENCY,
                total: i.total_cents,
                attempted: true,
                attempt_count: 1,
                billing_reason: "subscription_cycle",
                created_at: rfc3339(end),
                period_start: rfc3339(start),
                period_end: rfc3339(end),
                next_payment_attempt: String::new(),
            }
        })
        .collect();
    Ok(Json(InvoiceList { items, next_token }))
}
