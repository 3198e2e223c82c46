//! Usage: the recorder the workspace side calls, the page's report of a
//! period, the API's pages of daily figures, and the demo history.

use crate::api::new_token;
use crate::harness::*;
use app::usage::ssr::{record_compute, record_storage, report, seed_demo};
use app::usage::Period;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::collections::HashSet;

const DAY: i64 = 86_400_000;
/// 2026-11-01T00:00:00Z
const NOV_1: i64 = 1_793_491_200_000;

async fn ids(app: &TestApp, handle: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT u.id, w.id FROM users u JOIN workspaces w ON w.user_id = u.id
         WHERE u.handle = $1 ORDER BY w.created_at LIMIT 1",
    )
    .bind(handle)
    .fetch_one(&app.db)
    .await
    .unwrap()
}

#[test]
fn the_recorder_adds_compute_and_keeps_the_days_largest_storage() {
    run(async {
        let app =
            TestApp::spawn_with(Options { sample_usage: false, ..crate::local_postgres::with_postgres() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (user, ws) = ids(&app, "ada").await;
        record_compute(&app.db, &ws, 60_000, NOV_1 + 1_000).await.unwrap();
        record_compute(&app.db, &ws, 30_000, NOV_1 + DAY - 1).await.unwrap();
        record_compute(&app.db, &ws, 5_000, NOV_1 + DAY).await.unwrap();
        record_storage(&app.db, &ws, 700, NOV_1 + 10).await.unwrap();
        record_storage(&app.db, &ws, 500, NOV_1 + 20).await.unwrap();
        assert!(record_compute(&app.db, "w_00000000000000000000", 1, NOV_1).await.is_err(), "unknown workspace");
        assert!(record_compute(&app.db, &ws, -1, NOV_1).await.is_err(), "negative");

        let r = report(&app.db, &user, Period::containing(NOV_1), NOV_1 + 5 * DAY).await.unwrap();
        assert_eq!(r.days.len(), 6, "the current period runs to today");
        assert_eq!(
            (r.days[0].date.as_str(), r.days[0].compute_ms, r.days[0].storage_bytes),
            ("2026-11-01", 90_000, 700)
        );
        assert_eq!((r.days[1].compute_ms, r.days[1].storage_bytes), (5_000, 0));
        assert_eq!(r.total_compute_ms(), 95_000);
        assert_eq!(r.peak_storage_bytes(), 700);
        assert_eq!(r.workspaces.len(), 1);
        assert_eq!(r.workspaces[0].workspace, "default");

        // A past period shows all its days; its usage outlives its workspace.
        let later = NOV_1 + 40 * DAY;
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "scratch")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let scratch: String =
            sqlx::query_scalar("SELECT id FROM workspaces WHERE handle = 'scratch'").fetch_one(&app.db).await.unwrap();
        record_compute(&app.db, &scratch, 1_000, NOV_1 + 2 * DAY).await.unwrap();
        let res = app
            .call("/sfn/delete_workspace", &[("handle", "ada"), ("workspace", "scratch"), ("confirm", "scratch")], &ada)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let r = report(&app.db, &user, Period::containing(NOV_1), later).await.unwrap();
        assert_eq!(r.days.len(), 30);
        assert_eq!(r.total_compute_ms(), 96_000);
        assert!(r.workspaces.iter().any(|w| w.workspace == "scratch"));
        let keys: Vec<String> = r.periods.iter().map(Period::key).collect();
        assert_eq!(keys, ["2026-12", "2026-11"], "newest first, the current one included");
    });
}

#[test]
fn the_page_reads_only_the_owners_usage_and_checks_the_period() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, ws) = ids(&app, "ada").await;
        record_compute(&app.db, &ws, 3_600_000, NOV_1).await.unwrap();

        let res = app.call("/sfn/usage", &[("handle", "ada"), ("period", "2026-11")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let r: Value = res.json().await.unwrap();
        assert_eq!(r["days"][0]["compute_ms"], 3_600_000);
        assert_eq!(r["period"], serde_json::json!({ "year": 2026, "month": 11 }));
        for bad in ["2026-13", "november", "2026-1"] {
            let res = app.call("/sfn/usage", &[("handle", "ada"), ("period", bad)], &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let res = app.call("/sfn/usage", &[("handle", "ada"), ("period", "2026-11")], &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // The page itself, signed in: the chart, its table, the workspace table.
        let html = app.get("/user/ada/advanced/usage?period=2026-11", Some(&ada)).await.text().await.unwrap();
        assert!(html.contains("November 2026"), "the period");
        assert!(html.contains("<svg") && html.contains("class=\"chart-bar\""), "a server-drawn chart");
        assert!(html.contains("Compute time per day"), "the chart's data table");
        assert!(html.contains("2026-11-01: 1 h"), "a bar's title");
    });
}

#[test]
fn the_api_pages_through_daily_figures_by_the_spec() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (user, ws) = ids(&app, "ada").await;
        for d in 0..30 {
            record_compute(&app.db, &ws, 61_000 + d, NOV_1 + d * DAY).await.unwrap();
            record_storage(&app.db, &ws, 5 * 1024 * 1024 + 1, NOV_1 + d * DAY).await.unwrap();
        }
        let (_, token) = new_token(&app, "ada", &ada).await;
        let (_, grace_token) = new_token(&app, "grace", &grace).await;

        let mut seen = HashSet::new();
        let mut sizes = Vec::new();
        let mut next = String::new();
        let mut last_date = String::from("9999");
        loop {
            let path = if next.is_empty() {
                "/user/ada/usage".to_owned()
            } else {
                format!("/user/ada/usage?next_token={next}")
            };
            let res = app.api(Method::GET, &path, Some(&token), None).await;
            assert_eq!(res.status(), StatusCode::OK);
            let page: Value = res.json().await.unwrap();
            let items = page["items"].as_array().unwrap();
            sizes.push(items.len());
            for item in items {
                let date = item["usage_date"].as_str().unwrap().to_owned();
                assert!(date <= last_date, "newest first");
                last_date = date.clone();
                assert!(seen.insert((date, item["metric"].as_str().unwrap().to_owned())), "no duplicates");
                assert_eq!(item["identity_id"], user.as_str());
                assert_eq!(item["workspace_id"], ws.as_str());
                assert_eq!(item["billing_mode"], "billable");
                match item["metric"].as_str().unwrap() {
                    "db_execution_ms" => {
                        assert_eq!(
                            (item["dimension"].as_str(), item["unit"].as_str()),
                            (Some("compute"), Some("millisecond"))
                        );
                        assert_eq!(item["value_rounded"], 120_000, "started minutes");
                    }
                    "db_volume_bytes" => {
                        assert_eq!(
                            (item["dimension"].as_str(), item["unit"].as_str()),
                            (Some("storage"), Some("byte"))
                        );
                        assert_eq!(item["value_rounded"], 6 * 1024 * 1024, "started MiB");
                    }
                    other => panic!("{other}"),
                }
            }
            match page["next_token"].as_str() {
                Some(t) => next = t.to_owned(),
                None => break,
            }
        }
        assert_eq!(sizes, [25, 25, 10]);
        assert_eq!(seen.len(), 60);

        for bad in ["/user/ada/usage?limit=0", "/user/ada/usage?next_token=Zm9v", "/user/ada/usage?where=value%3E1"] {
            let res = app.api(Method::GET, bad, Some(&token), None).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        assert_eq!(
            app.api(Method::GET, "/user/ada/usage", Some(&grace_token), None).await.status(),
            StatusCode::FORBIDDEN
        );
        assert_eq!(app.api(Method::GET, "/user/ada/usage", None, None).await.status(), StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn the_demo_history_is_the_same_on_every_machine() {
    run(async {
        let now = NOV_1 + 22 * DAY + 3_600_000;
        let mut reports = Vec::new();
        for _ in 0..2 {
            let app =
                TestApp::spawn_with(Options { sample_usage: false, ..crate::local_postgres::with_postgres() }, None)
                    .await;
            let demo = app.sign_up("demo@example.com", "demo", "Demo").await;
            let res = app.call("/sfn/create_workspace", &[("handle", "demo"), ("workspace", "analytics")], &demo).await;
            assert_eq!(res.status(), StatusCode::OK);
            let (user, _) = ids(&app, "demo").await;
            seed_demo(&app.db, &user, now).await.unwrap();
            seed_demo(&app.db, &user, now).await.unwrap();
            let mut periods = Vec::new();
            for p in ["2026-09", "2026-10", "2026-11"] {
                periods.push(report(&app.db, &user, Period::parse(p).unwrap(), now).await.unwrap());
            }
            // A period after the sample is not labelled.
            let dec = report(&app.db, &user, Period::parse("2026-12").unwrap(), now + 8 * DAY).await.unwrap();
            assert_eq!(dec.sample_until, None);
            reports.push(periods);
        }
        assert_eq!(reports[0], reports[1]);
        let [sep, oct, nov] = &reports[0][..] else { panic!() };
        assert_eq!((sep.days.len(), oct.days.len(), nov.days.len()), (30, 31, 23));
        for r in [sep, oct, nov] {
            assert_eq!(r.workspaces.len(), 2);
            assert_eq!(r.sample_until.as_deref(), Some("2026-11-23"), "labelled as a sample");
        }
        // Every day before today is generated; today's usage is measured.
        let (today, before) = nov.days.split_last().unwrap();
        for d in sep.days.iter().chain(&oct.days).chain(before) {
            assert!(d.compute_ms > 0 && d.storage_bytes > 0, "{} has usage", d.date);
        }
        assert_eq!((today.compute_ms, today.storage_bytes), (0, 0));

        // Storage grows over time; seeding twice did not double anything.
        assert!(nov.peak_storage_bytes() > sep.peak_storage_bytes());
        assert!(oct.total_compute_ms() < 31 * 2 * 24 * 3_600_000);
    });
}
