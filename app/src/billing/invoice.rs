//! Each invoice as a download: a printable HTML page
//! (`/user/{handle}/billing/invoice/{number}`) and its lines as CSV
//! (`…/{number}.csv`), priced by the same code as the Billing page. Only
//! the account's owner gets them; a tenant member has no billing.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;

use super::pricing::dollars;
use super::{ssr, Invoice};
use crate::infra::csv_text::{csv_document, csv_download};
use crate::infra::time::now_millis;
use crate::infra::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/user/{handle}/billing/invoice/{file}", get(download))
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, "That page does not exist.").into_response()
}

async fn download(
    State(state): State<AppState>,
    Path((handle, file)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    let viewer = match crate::access::session::ssr::viewer(&state, &parts).await {
        Ok(Some((viewer, _))) if viewer.handle == handle && viewer.tenant.is_none() => viewer,
        Ok(_) => return not_found(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let (number, csv) = match file.strip_suffix(".csv") {
        Some(number) => (number, true),
        None => (file.as_str(), false),
    };
    let summary = match ssr::summary(&state.db, &viewer.id, now_millis()).await {
        Ok(s) => s,
        Err(error) => {
            tracing::error!(%error, "an invoice download failed");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let Some(invoice) = summary.invoices.into_iter().find(|i| i.number == number) else {
        return not_found();
    };
    if csv {
        return csv_download(&format!("sluice-{}.csv", invoice.number), csv_lines(&invoice));
    }
    let page = html(&invoice, &viewer.display_name, &viewer.handle, &viewer.email);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            // The page is a document: no script, no outside resources.
            (header::CONTENT_SECURITY_POLICY, "default-src 'none'; style-src 'unsafe-inline'".to_owned()),
        ],
        page,
    )
        .into_response()
}

/// The invoice's lines, then its total; amounts in cents and as dollars.
pub fn csv_lines(invoice: &Invoice) -> Vec<u8> {
    let mut rows: Vec<Vec<String>> = invoice
        .lines
        .iter()
        .map(|l| {
            vec![
                invoice.number.clone(),
                invoice.period.key(),
                l.label.clone(),
                l.used.clone(),
                l.included.clone(),
                l.cents.to_string(),
                dollars(l.cents),
                l.note.clone(),
            ]
        })
        .collect();
    rows.push(vec![
        invoice.number.clone(),
        invoice.period.key(),
        "Total".into(),
        String::new(),
        String::new(),
        invoice.total_cents.to_string(),
        dollars(invoice.total_cents),
        String::new(),
    ]);
    csv_document(
        &["invoice", "period", "item", "used", "included", "amount_cents", "amount", "note"],
        rows.iter().map(Vec::as_slice),
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// A page to read and print: who is billed, for what period, each line
/// and the total.
pub fn html(invoice: &Invoice, name: &str, handle: &str, email: &str) -> String {
    let rows: String = invoice
        .lines
        .iter()
        .map(|l| {
            let note = if l.note.is_empty() {
                String::new()
            } else {
                format!("<div class=\"note\">{}</div>", escape(&l.note))
            };
            format!(
                "<tr><th scope=\"row\">{}{note}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&l.label),
                escape(&l.used),
                escape(&l.included),
                dollars(l.cents)
            )
        })
        .collect();
    format!(
        r#"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Invoice {number} · Sluice</title>
<style>
body {{ font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111827; margin: 0; background: #f6f7f9; }}
main {{ max-width: 760px; margin: 2rem auto; background: #fff; padding: 2.5rem; border: 1px solid #dde1e7; border-radius: 10px; }}
header {{ display: flex; justify-content: space-between; gap: 1rem; flex-wrap: wrap; }}
h1 {{ font-size: 1.6rem; margin: 0 0 .25rem; }} .brand {{ font-weight: 700; color: #4f46e5; font-size: 1.2rem; }}
dl {{ display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 1.5rem 0; }} dt {{ color: #4b5563; }} dd {{ margin: 0; }}
table {{ width: 100%; border-collapse: collapse; margin-top: 1rem; }} th, td {{ text-align: left; padding: .55rem .4rem; border-bottom: 1px solid #dde1e7; vertical-align: top; }}
td {{ text-align: right; }} thead th {{ color: #4b5563; font-weight: 600; font-size: .85rem; }} thead th:not(:first-child) {{ text-align: right; }}
tfoot th, tfoot td {{ font-weight: 700; border-bottom: 0; }} .note {{ color: #4b5563; font-weight: 400; font-size: .85rem; }}
.paid {{ display: inline-block; padding: .1rem .6rem; border-radius: 999px; background: #ecfdf5; color: #047857; font-weight: 600; }}
.mono {{ font-family: ui-monospace, Menlo, Consolas, monospace; }} footer {{ margin-top: 2rem; color: #4b5563; font-size: .85rem; }}
@media print {{ body {{ background: #fff; }} main {{ border: 0; margin: 0; padding: 0; }} }}
@media (max-width: 600px) {{ main {{ margin: 0; border-radius: 0; padding: 1.25rem; }} }}
</style></head>
<body><main>
<header><div><div class="brand">Sluice</div><h1>Invoice</h1><div class="mono">{number}</div></div>
<div><span class="paid">{status}</span></div></header>
<dl>
<dt>Billed to</dt><dd>{name} (<span class="mono">{handle}</span>)<br>{email}</dd>
<dt>Period</dt><dd>{period} ({from} to {to}, UTC)</dd>
<dt>Plan</dt><dd>{plan}</dd>
</dl>
<table><caption hidden>Invoice lines</caption>
<thead><tr><th scope="col">Item</th><th scope="col">Used</th><th scope="col">Included</th><th scope="col">Amount</th></tr></thead>
<tbody>{rows}</tbody>
<tfoot><tr><th scope="row" colspan="3">Total ({currency})</th><td>{total}</td></tr></tfoot>
</table>
<footer>Priced from the usage Sluice measured in the period. Amounts in US dollars; fractions of a cent are rounded up once per line.</footer>
</main></body></html>
"#,
        number = escape(&invoice.number),
        status = invoice.status.label(),
        name = escape(name),
        handle = escape(handle),
        email = escape(email),
        period = invoice.period.label(),
        from = crate::usage::period::day_text(invoice.period.first_day()),
        to = invoice.period.last_day(),
        plan = super::pricing::PLAN,
        currency = super::pricing::CURRENCY.to_uppercase(),
        total = dollars(invoice.total_cents),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::pricing::lines;
    use crate::billing::InvoiceStatus;
    use crate::usage::Period;

    #[test]
    fn an_invoice_escapes_names_and_sums_its_lines() {
        let lines = lines(200 * 3_600_000, 0);
        let invoice = Invoice {
            number: "in_x202611".into(),
            period: Period { year: 2026, month: 11 },
            total_cents: crate::billing::pricing::total(&lines),
            lines,
            status: InvoiceStatus::Paid,
        };
        let page = html(&invoice, "<script>alert(1)</script>", "ada", "ada@example.com");
        assert!(!page.contains("<script>"));
        assert!(page.contains("&lt;script&gt;"));
        assert!(page.contains("$10.00"));
        let csv = String::from_utf8(csv_lines(&invoice)).unwrap();
        assert!(csv.ends_with("in_x202611,2026-11,Total,,,1000,$10.00,\r\n"), "{csv}");
    }
}
