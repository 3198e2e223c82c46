//! Billing: the plan, an estimate priced from this period's usage,
//! invoices for the periods before; and none of it for a tenant member,
//! whose tenant pays (404 on the page, the server function and the API).

use crate::api::new_token;
use crate::harness::*;
use app::usage::ssr::{record_compute, record_storage};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const HOUR: i64 = 3_600_000;
const GIB: i64 = 1024 * 1024 * 1024;

async fn first_workspace(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT w.id FROM workspaces w JOIN users u ON u.id = w.user_id WHERE u.handle = $1")
        .bind(handle)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

fn is_id(v: &Value, prefix: &str) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.strip_prefix(prefix)
        .is_some_and(|b| b.len() == 20 && b.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'v').contains(&c)))
}

#[test]
fn the_estimate_and_invoices_are_priced_from_usage() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let ws = first_workspace(&app, "ada").await;
        let now = app::infra::time::now_millis();
        let period = app::usage::Period::containing(now);
        let (start, _) = period.bounds_ms();
        // This period: 140 h (40 over), 1.5 GiB (0.5 over): $4.00 + $0.25.
        record_compute(&app.db, &ws, 140 * HOUR, start).await.unwrap();
        record_storage(&app.db, &ws, GIB + GIB / 2, start).await.unwrap();
        // Two periods before: 110 h, within storage: $1.00.
        let (two_before, _) = period.previous().previous().bounds_ms();
        record_compute(&app.db, &ws, 110 * HOUR, two_before).await.unwrap();

        let res = app.call("/sfn/billing", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let b: Value = res.json().await.unwrap();
        assert_eq!(b["plan"], "Developer");
        assert_eq!(b["status"], "active");
        assert_eq!(b["estimate_cents"], 425);
        let cents: Vec<i64> = b["estimate"].as_array().unwrap().iter().map(|l| l["cents"].as_i64().unwrap()).collect();
        assert_eq!(cents, [0, 400, 25]);
        let invoices = b["invoices"].as_array().unwrap();
        assert_eq!(invoices.len(), 1, "a period without usage has no invoice: {invoices:?}");
        assert_eq!(invoices[0]["total_cents"], 100);
        assert_eq!(invoices[0]["status"], "paid");

        let html = app.get("/user/ada/advanced/billing", Some(&ada)).await.text().await.unwrap();
        for words in ["Billing", "Developer", "Estimate for", "$4.25", "$1.00", "Paid"] {
            assert!(html.contains(words), "the page lacks {words:?}");
        }
        let profile = app.get("/user/ada/advanced/profile", Some(&ada)).await.text().await.unwrap();
        assert!(profile.contains("href=\"/user/ada/advanced/billing\""), "the menu lists Billing");
    });
}

#[test]
fn the_api_answers_subscription_and_invoices_by_the_spec() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let ws = first_workspace(&app, "ada").await;
        let period = app::usage::Period::containing(app::infra::time::now_millis());
        let mut p = period;
        for _ in 0..3 {
            p = p.previous();
            record_compute(&app.db, &ws, 101 * HOUR, p.bounds_ms().0).await.unwrap();
        }
        let (_, token) = new_token(&app, "ada", &ada).await;

        let v: Value =
            app.api(Method::GET, "/user/ada/billing/subscription", Some(&token), None).await.json().await.unwrap();
        let sub = &v["items"][0];
        assert!(is_id(&sub["id"], "sub_"), "{sub}");
        assert!(is_id(&sub["items"][0]["id"], "si_"), "{sub}");
        assert!(is_id(&sub["items"][0]["pricing_id"], "price_"), "{sub}");
        for field in [
            "cancel_at",
            "cancel_at_period_end",
            "canceled_at",
            "created_at",
            "currency",
            "current_period_end",
            "current_period_start",
        ] {
            assert!(sub[field].is_string(), "{field}: {sub}");
        }
        assert_eq!(sub["status"], "active");
        assert_eq!(sub["items"][0]["billing_scheme"], "per_unit");

        let first: Value =
            app.api(Method::GET, "/user/ada/billing/invoice?limit=2", Some(&token), None).await.json().await.unwrap();
        assert_eq!(first["items"].as_array().unwrap().len(), 2);
        assert_eq!(first["items"][0]["total"], 10, "one hour over: $0.10");
        assert_eq!(first["items"][0]["period_start"].as_str().unwrap()[..7], period.previous().key());
        let next = first["next_token"].as_str().unwrap();
        let second: Value = app
            .api(Method::GET, &format!("/user/ada/billing/invoice?limit=2&next_token={next}"), Some(&token), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(second["items"].as_array().unwrap().len(), 1);
        assert!(second.get("next_token").is_none());
        for item in first["items"].as_array().unwrap().iter().chain(second["items"].as_array().unwrap()) {
            for field in ["created_at", "next_payment_attempt", "period_end", "period_start"] {
                assert!(item[field].is_string(), "{field}: {item}");
            }
        }
        let res = app.api(Method::GET, "/user/ada/billing/invoice?next_token=bm9wZQ", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    });
}

#[test]
fn a_tenant_member_has_no_billing_anywhere() {
    run(async {
        let options = Options { tenant_domains: vec![("acme.example".into(), "acme".into())], ..Options::default() };
        let app = TestApp::spawn_with(options, None).await;
        let wile = app.sign_up("wile@ACME.example", "wile", "Wile").await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "wile", &wile).await;
        let (_, ada_token) = new_token(&app, "ada", &ada).await;

        let tenant: String =
            sqlx::query_scalar("SELECT id FROM tenants WHERE handle = 'acme'").fetch_one(&app.db).await.unwrap();
        let user: Value = app.api(Method::GET, "/actor", Some(&token), None).await.json().await.unwrap();
        assert_eq!(user["tenant_id"], tenant.as_str());

        let res = app.get("/user/wile/advanced/billing", Some(&wile)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("manages its billing"));
        let profile = app.get("/user/wile/advanced/profile", Some(&wile)).await.text().await.unwrap();
        assert!(!profile.contains("/advanced/billing"), "no Billing in the menu");
        assert!(profile.contains("/advanced/usage"));
        assert_eq!(app.call("/sfn/billing", &[("handle", "wile")], &wile).await.status(), StatusCode::NOT_FOUND);
        for path in ["/user/wile/billing/subscription", "/user/wile/billing/invoice"] {
            let res = app.api(Method::GET, path, Some(&token), None).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            let model: Value = res.json().await.unwrap();
            assert_eq!(model["detail"], json!("This account belongs to the tenant acme, which manages its billing."));
        }
        // An account outside the tenant has its Billing.
        assert_eq!(app.get("/user/ada/advanced/billing", Some(&ada)).await.status(), StatusCode::OK);
        let res = app.api(Method::GET, "/user/ada/billing/subscription", Some(&ada_token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
    });
}
