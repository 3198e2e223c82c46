//! Usage you can take away: a period's days as CSV, the figures the Usage
//! page charts (all workspaces together), from the page
//! (`/user/{handle}/usage/export.csv?period=YYYY-MM`) and from the API's
//! usage operation when it is asked for `text/csv`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use serde::Deserialize;

use super::{format_bytes, format_duration, ssr, Period, UsageReport};
use crate::infra::csv_text::{csv_document, csv_download};
use crate::infra::time::now_millis;
use crate::infra::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/user/{handle}/usage/export.csv", get(download))
}

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    #[serde(default)]
    pub period: Option<String>,
}

/// The period asked for (`YYYY-MM`), else the current one.
pub fn period_of(query: &PeriodQuery, now: i64) -> Option<Period> {
    match query.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        None => Some(Period::containing(now)),
        Some(raw) => Period::parse(raw),
    }
}

/// One line per day of the period (up to today), as the page shows it.
pub fn csv(report: &UsageReport) -> Vec<u8> {
    let rows: Vec<Vec<String>> = report
        .days
        .iter()
        .map(|d| {
            vec![
                d.date.clone(),
                d.compute_ms.to_string(),
                format_duration(d.compute_ms),
                d.storage_bytes.to_string(),
                format_bytes(d.storage_bytes),
            ]
        })
        .collect();
    csv_document(&["date", "compute_ms", "compute", "storage_bytes", "storage"], rows.iter().map(Vec::as_slice))
}

/// The CSV as a download named for the account and period.
pub fn attachment(handle: &str, period: Period, body: Vec<u8>) -> Response {
    csv_download(&format!("sluice-usage-{handle}-{}.csv", period.key()), body)
}

async fn download(
    State(state): State<AppState>,
    Path(handle): Path<String>,
    Query(query): Query<PeriodQuery>,
    parts: Parts,
) -> Response {
    // A person downloads only their own usage; anyone else learns nothing.
    let viewer = match crate::access::session::ssr::viewer(&state, &parts).await {
        Ok(Some((viewer, _))) if viewer.handle == handle => viewer,
        Ok(_) => return (StatusCode::NOT_FOUND, "That page does not exist.").into_response(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let now = now_millis();
    let Some(period) = period_of(&query, now) else {
        return (StatusCode::BAD_REQUEST, "Choose a period such as 2026-11.").into_response();
    };
    match ssr::report(&state.db, &viewer.id, period, now).await {
        Ok(report) => attachment(&viewer.handle, period, csv(&report)),
        Err(error) => {
            tracing::error!(%error, "a usage export failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
