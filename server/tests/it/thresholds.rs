//! Usage thresholds: kept per period, checked at the edge, each person's
//! own; the cap's promise (sign-ins stop within the stated bound, on a
//! configured cluster and on Sluice's own PostgreSQL, and open again when
//! the cap is raised); billing clamped by it; and the downloads that carry
//! the page's figures away.

use crate::api::new_token;
use crate::clusters::*;
use crate::harness::*;
use crate::local_postgres::{password, pg_connect, with_plain_postgres};
use app::usage::ssr::{period_usage, record_compute, record_storage, report};
use app::usage::thresholds::{Action, Threshold, Thresholds};
use app::usage::Period;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const HOUR: i64 = 3_600_000;
/// 2026-11-15T00:00:00Z and 2026-12-15T00:00:00Z.
const NOV_15: i64 = 1_794_700_800_000;
const DEC_15: i64 = 1_797_292_800_000;

async fn user_id(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE handle = $1").bind(handle).fetch_one(&app.db).await.unwrap()
}

async fn view(app: &TestApp, handle: &str, cookie: &str) -> Value {
    let res = app.call("/sfn/usage_thresholds", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn form<'a>(handle: &'a str, compute: &'a str, compute_action: &'a str, spend: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("handle", handle),
        ("compute_hours", compute),
        ("compute_action", compute_action),
        ("storage_gib", ""),
        ("storage_action", "warn"),
        ("spend_dollars", spend),
        ("spend_action", "warn"),
    ]
}

#[test]
fn thresholds_are_kept_per_period_and_bad_ones_change_nothing() {
    run(async {
        let app = TestApp::spawn_with(Options { sample_usage: false, ..Options::default() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/set_usage_thresholds", &form("ada", "5", "cap_and_warn", "20"), &ada).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let v = view(&app, "ada", &ada).await;
        assert_eq!(v["thresholds"]["compute"], json!({ "amount": 5 * HOUR, "action": "cap_and_warn" }));
        assert_eq!(v["thresholds"]["spend"], json!({ "amount": 2000, "action": "warn" }));
        assert_eq!(v["thresholds"]["storage"], Value::Null);
        let audited: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'usage.threshold.update'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(audited, 1);

        // Each bad input is refused with its reason, and nothing changes.
        for (compute, action, spend, says) in [
            ("five", "warn", "", "must be a number"),
            ("-1", "warn", "", "must be a number"),
            ("0", "warn", "", "more than zero"),
            ("1.0001", "warn", "", "at most 3 decimals"),
            ("100001", "warn", "", "at most 100,000 hours"),
            ("1", "stop", "", "Choose Warn or Cap and warn"),
            ("1", "warn", "9999999", "at most $1,000,000"),
            (&"9".repeat(10_000), "warn", "", "at most 100,000 hours"),
        ] {
            let res = app.call("/sfn/set_usage_thresholds", &form("ada", compute, action, spend), &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{compute} {action} {spend}");
            let text = res.text().await.unwrap();
            assert!(text.contains(says), "{says}: {text}");
        }
        assert_eq!(view(&app, "ada", &ada).await["thresholds"], v["thresholds"]);

        // Per period: what was set in November applies to November; a
        // change in December applies from December on, and leaves
        // November's invoice as it was.
        let id = user_id(&app, "ada").await;
        let state_db = app.db.clone();
        let cap = |amount| Some(Threshold { amount, action: Action::CapAndWarn });
        let november = Thresholds { compute: cap(110 * HOUR), ..Default::default() };
        let december = Thresholds { compute: cap(200 * HOUR), ..Default::default() };
        sqlx::query("DELETE FROM usage_thresholds").execute(&state_db).await.unwrap();
        for (period, t) in [("2026-11", november), ("2026-12", december)] {
            sqlx::query(
                "INSERT INTO usage_thresholds (user_id, period, compute_ms, compute_action, updated_at)
                 VALUES ($1, $2, $3, 'cap_and_warn', 0)",
            )
            .bind(&id)
            .bind(period)
            .bind(t.compute.unwrap().amount)
            .execute(&state_db)
            .await
            .unwrap();
        }
        let history = app::usage::thresholds::ssr::history(&state_db, &id).await.unwrap();
        let nov = Period::containing(NOV_15);
        assert_eq!(app::usage::thresholds::ssr::applying(&history, nov), november);
        assert_eq!(app::usage::thresholds::ssr::applying(&history, nov.next()), december);
        assert_eq!(app::usage::thresholds::ssr::applying(&history, nov.next().next()), december);
        assert_eq!(app::usage::thresholds::ssr::applying(&history, nov.previous()), Thresholds::default());
        let ws: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE user_id = $1")
            .bind(&id)
            .fetch_one(&state_db)
            .await
            .unwrap();
        record_compute(&state_db, &ws, 140 * HOUR, NOV_15).await.unwrap();
        let billing = app::billing::ssr::summary(&state_db, &id, DEC_15).await.unwrap();
        let invoice = &billing.invoices[0];
        assert_eq!(invoice.period, nov);
        // 110 h billed, 100 h included: $1.00, and the line says why.
        assert_eq!(invoice.total_cents, 100, "{invoice:?}");
        assert!(invoice.lines[1].note.contains("cap of 110 h"), "{:?}", invoice.lines);
    })
}

#[test]
fn another_persons_thresholds_cannot_be_read_or_set() {
    run(async {
        let app = TestApp::spawn_with(Options { sample_usage: false, ..Options::default() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let res = app.call("/sfn/set_usage_thresholds", &form("ada", "5", "cap_and_warn", ""), &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let before = view(&app, "ada", &ada).await;

        // Through the page's server functions.
        let res = app.call("/sfn/usage_thresholds", &[("handle", "ada")], &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.call("/sfn/set_usage_thresholds", &form("ada", "", "warn", ""), &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Through the API, with Grace's token on Ada's path (refused as
        // every operation refuses another person's path).
        let (_, grace_token) = new_token(&app, "grace", &grace).await;
        let res = app.api(Method::GET, "/user/ada/usage/threshold", Some(&grace_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let body = json!({ "compute_ms": null });
        let res = app.api(Method::PUT, "/user/ada/usage/threshold", Some(&grace_token), Some(body)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.api(Method::GET, "/user/ada/usage/threshold", None, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(view(&app, "ada", &ada).await, before, "nothing changed");

        // Ada's own token reads and sets them, checked as the page checks.
        let (_, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::GET, "/user/ada/usage/threshold", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let got: Value = res.json().await.unwrap();
        assert_eq!(
            (got["compute_ms"].clone(), got["compute_action"].clone()),
            (json!(5 * HOUR), json!("cap_and_warn"))
        );
        for bad in [
            json!({ "compute_ms": 0 }),
            json!({ "spend_cents": -1 }),
            json!({ "compute_ms": 1, "compute_action": "stop" }),
            json!({ "nope": 1 }),
        ] {
            let res = app.api(Method::PUT, "/user/ada/usage/threshold", Some(&token), Some(bad.clone())).await;
            assert!(res.status().is_client_error(), "{bad}: {}", res.status());
        }
        assert_eq!(view(&app, "ada", &ada).await, before, "nothing changed");
        let set = json!({ "storage_bytes": 1 << 30, "storage_action": "cap_and_warn", "spend_cents": 0 });
        let res = app.api(Method::PUT, "/user/ada/usage/threshold", Some(&token), Some(set)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v = view(&app, "ada", &ada).await;
        assert_eq!(v["thresholds"]["compute"], Value::Null, "PUT sets them all");
        assert_eq!(v["thresholds"]["storage"], json!({ "amount": 1 << 30, "action": "cap_and_warn" }));
        assert_eq!(v["thresholds"]["spend"], json!({ "amount": 0, "action": "warn" }));
    })
}

#[test]
fn the_downloads_carry_the_pages_figures() {
    run(async {
        let app = TestApp::spawn_with(Options { sample_usage: false, ..Options::default() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let id = user_id(&app, "ada").await;
        let ws: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE user_id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        let now = app::infra::time::now_millis();
        let this = Period::containing(now);
        let last = this.previous();
        let (last_start, _) = last.bounds_ms();
        for day in 0..5 {
            record_compute(&app.db, &ws, (day + 1) * 31 * HOUR, last_start + day * 86_400_000).await.unwrap();
            record_storage(&app.db, &ws, (day + 1) << 29, last_start + day * 86_400_000).await.unwrap();
        }
        record_compute(&app.db, &ws, 90_000, now).await.unwrap();

        // Usage: one CSV line per day of the page's chart, the same figures.
        for period in [last, this] {
            let page = report(&app.db, &id, period, now).await.unwrap();
            let res = app.get(&format!("/user/ada/usage/export.csv?period={}", period.key()), Some(&ada)).await;
            assert_eq!(res.status(), StatusCode::OK);
            assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
            let csv = res.text().await.unwrap();
            let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
            assert_eq!(lines[0], "date,compute_ms,compute,storage_bytes,storage");
            assert_eq!(lines.len() - 1, page.days.len());
            for (line, day) in lines[1..].iter().zip(&page.days) {
                let f: Vec<&str> = line.split(',').collect();
                assert_eq!(f[0], day.date);
                assert_eq!(f[1].parse::<i64>().unwrap(), day.compute_ms);
                assert_eq!(f[2], app::usage::format_duration(day.compute_ms));
                assert_eq!(f[3].parse::<i64>().unwrap(), day.storage_bytes);
            }
            let sum: i64 = lines[1..].iter().map(|l| l.split(',').nth(1).unwrap().parse::<i64>().unwrap()).sum();
            assert_eq!(sum, page.total_compute_ms());
            // The API's usage operation, asked for CSV, answers the same.
            let (_, token) = new_token(&app, "ada", &ada).await;
            let res = app
                .raw_client()
                .get(app.url(&format!("/api/v0/user/ada/usage?period={}", period.key())))
                .bearer_auth(&token)
                .header("accept", "text/csv")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), StatusCode::OK);
            assert_eq!(res.text().await.unwrap(), csv);
        }
        let res = app.get("/user/ada/usage/export.csv?period=2026-13", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        for cookie in [Some(grace.as_str()), None] {
            let res = app.get("/user/ada/usage/export.csv", cookie).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "only the owner");
        }

        // The invoice: its HTML page and CSV carry the Billing page's lines
        // and total.
        let billing = app::billing::ssr::summary(&app.db, &id, now).await.unwrap();
        let invoice = billing.invoices.iter().find(|i| i.period == last).expect("last period's invoice");
        assert!(invoice.total_cents > 0);
        let base = format!("/user/ada/billing/invoice/{}", invoice.number);
        let html = app.get(&base, Some(&ada)).await.text().await.unwrap();
        assert!(html.contains(&app::billing::pricing::dollars(invoice.total_cents)), "{html}");
        assert!(html.contains(&last.label()));
        for line in &invoice.lines {
            assert!(html.contains(&app::billing::pricing::dollars(line.cents)));
        }
        let csv = app.get(&format!("{base}.csv"), Some(&ada)).await.text().await.unwrap();
        let rows: Vec<Vec<&str>> = csv.trim_end().split("\r\n").skip(1).map(|l| l.split(',').collect()).collect();
        assert_eq!(rows.len(), invoice.lines.len() + 1);
        let cents: Vec<i64> = rows.iter().map(|r| r[5].parse().unwrap()).collect();
        assert_eq!(cents[..invoice.lines.len()].iter().sum::<i64>(), invoice.total_cents);
        assert_eq!(*cents.last().unwrap(), invoice.total_cents);
        for cookie in [Some(grace.as_str()), None] {
            assert_eq!(app.get(&base, cookie).await.status(), StatusCode::NOT_FOUND);
        }
        assert_eq!(app.get("/user/ada/billing/invoice/in_nothing", Some(&ada)).await.status(), StatusCode::NOT_FOUND);
        // The Billing page shows the same total and links both.
        let page = app.get("/user/ada/advanced/billing", Some(&ada)).await.text().await.unwrap();
        assert!(page.contains(&format!("{base}.csv")));
    })
}

/// Where a cap test's workspaces live.
#[derive(Clone, Copy, Debug)]
enum Home {
    Cluster,
    Local,
}

#[test]
fn a_compute_cap_stops_a_busy_client_within_its_bound_on_a_cluster() {
    compute_cap(Home::Cluster);
}

#[test]
fn a_compute_cap_stops_a_busy_client_within_its_bound_on_sluices_own_postgresql() {
    compute_cap(Home::Local);
}

/// The promise: with a 5-second compute cap and a client looping
/// `SELECT pg_sleep(1)`, the recorded compute stays within the cap plus
/// one sampling interval and one second (PostgreSQL's own report of
/// finished statements), the next sign-in is refused, and raising the cap
/// lets it in again within seconds.
fn compute_cap(home: Home) {
    run(async {
        let options = match home {
            Home::Cluster => with_cluster(),
            Home::Local => with_plain_postgres(),
        };
        let app = TestApp::spawn_with(options, None).await;
        let ada = unique_handle("ada");
        let email = format!("{ada}@example.com");
        let cookie = app.sign_up(&email, &ada, "Ada").await;
        let ws = match home {
            Home::Cluster => cluster_workspace(&app, &ada, &cookie, "busy").await,
            Home::Local => settled(&app, &ada, &cookie, "default").await,
        };
        let pw = password(&app, &ada, &cookie).await;
        let id = user_id(&app, &ada).await;
        let (_, token) = new_token(&app, &ada, &cookie).await;
        let cap = 5_000;
        let set = json!({ "compute_ms": cap, "compute_action": "cap_and_warn" });
        let res = app.api(Method::PUT, &format!("/user/{ada}/usage/threshold"), Some(&token), Some(set)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let period = Period::containing(app::infra::time::now_millis());
        let (before, _) = period_usage(&app.db, &id, period).await.unwrap();

        let client = pg_connect(&ws, &pw).await.unwrap();
        // Sluice's own PostgreSQL reads statement time from
        // pg_stat_statements as each statement ends. The test cluster has
        // no pg_stat_statements: PostgreSQL reports a session's time when
        // it next touches a table (at most once a second), so the loop
        // reads a table there, as real work does.
        let statement = match home {
            Home::Local => "SELECT pg_sleep(1)",
            Home::Cluster => {
                client.batch_execute("CREATE TABLE one AS SELECT 1 AS x").await.unwrap();
                "SELECT pg_sleep(1) FROM one"
            }
        };
        let start = Instant::now();
        let mut statements = 0;
        while client.query_one(statement, &[]).await.is_ok() {
            statements += 1;
            if start.elapsed() > Duration::from_secs(30) {
                let (used, _) = period_usage(&app.db, &id, period).await.unwrap();
                let caps: Vec<(String, String)> =
                    sqlx::query_as("SELECT period, metric FROM usage_caps").fetch_all(&app.db).await.unwrap();
                let steps: i64 =
                    sqlx::query_scalar("SELECT COUNT(*) FROM usage_threshold_steps").fetch_one(&app.db).await.unwrap();
                let rows: Vec<(String, String, i64, i64)> =
                    sqlx::query_as("SELECT user_id, metric, usage_date, value FROM usage_daily")
                        .fetch_all(&app.db)
                        .await
                        .unwrap();
                let wss: Vec<(String, Option<String>, Option<i64>)> =
                    sqlx::query_as("SELECT handle, cluster, provisioned_at FROM workspaces")
                        .fetch_all(&app.db)
                        .await
                        .unwrap();
                panic!("the client was never stopped: {used} ms recorded, caps {caps:?}, {steps} steps, {statements} statements, {rows:?} {wss:?} {id}");
            }
        }
        let stopped_after = start.elapsed();
        // What the cap lets through: one sampling interval past it (and
        // the statement under way when its session ended); on the cluster,
        // also the one statement PostgreSQL reports a second late.
        let interval = 300;
        let bound = match home {
            Home::Local => cap + interval + 1_000,
            Home::Cluster => cap + interval + 2_000,
        };
        // The last samples settle (the ended session's time is reported).
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let (after, _) = period_usage(&app.db, &id, period).await.unwrap();
        let recorded = after - before;
        eprintln!("{home:?}: {statements} statements, stopped after {stopped_after:?}, {recorded} ms recorded (bound {bound})");
        assert!(recorded >= cap, "the cap was reached: {recorded}");
        assert!(recorded <= bound, "past the cap by more than the bound: {recorded} > {bound}");

        // The next sign-in is refused, saying why where Sluice may.
        let refused = pg_connect(&ws, &pw).await.expect_err("refused at the cap");
        let message = refused.as_db_error().map(|e| e.message().to_owned()).unwrap_or_else(|| refused.to_string());
        match home {
            Home::Local => {
                assert!(message.contains("usage cap reached (compute time)"), "{message}");
                assert!(message.contains(&format!("/user/{ada}/advanced/usage")), "{message}");
            }
            Home::Cluster => assert!(message.contains("not permitted to log in"), "{message}"),
        }
        let list: Vec<app::workspaces::WorkspaceSummary> =
            app.call("/sfn/workspaces", &[("handle", &ada)], &cookie).await.json().await.unwrap();
        assert!(list.iter().all(|w| w.capped), "{list:?}");
        let html = app.get(&format!("/user/{ada}"), Some(&cookie)).await.text().await.unwrap();
        assert!(html.contains("Paused: usage cap reached"), "the card says why");
        // No new workspace while capped.
        let res = app.call("/sfn/create_workspace", &[("handle", &ada), ("workspace", "more")], &cookie).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("usage cap"));
        // Billing never charges past it.
        let billing = app::billing::ssr::summary(&app.db, &id, app::infra::time::now_millis()).await.unwrap();
        assert_eq!(billing.estimate_cents, 0);

        // The 75 % and 100 % warnings, one mail each.
        let started = Instant::now();
        loop {
            let mailed: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM usage_threshold_steps WHERE user_id = $1 AND mailed_at IS NOT NULL",
            )
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
            if mailed >= 2 {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "warnings never sent");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let mail = app.last_mail_to(&email).unwrap();
        assert!(mail.contains("% of your compute time threshold"), "{mail}");

        // Raised: open again within seconds.
        let raise = json!({ "compute_ms": 3_600_000, "compute_action": "cap_and_warn" });
        let res = app.api(Method::PUT, &format!("/user/{ada}/usage/threshold"), Some(&token), Some(raise)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let raised = Instant::now();
        let client = loop {
            if let Ok(client) = pg_connect(&ws, &pw).await {
                break client;
            }
            assert!(raised.elapsed() < Duration::from_secs(5), "never opened again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        eprintln!("{home:?}: open again {:?} after the cap was raised", raised.elapsed());
        client.query_one("SELECT 1", &[]).await.unwrap();
        let list: Vec<app::workspaces::WorkspaceSummary> =
            app.call("/sfn/workspaces", &[("handle", &ada)], &cookie).await.json().await.unwrap();
        assert!(list.iter().all(|w| !w.capped), "{list:?}");
    })
}

#[test]
fn storage_and_spend_caps_stop_new_workspaces_and_hold_the_bill() {
    run(async {
        let app = TestApp::spawn_with(Options { sample_usage: false, ..Options::default() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id = user_id(&app, "ada").await;
        let ws: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE user_id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        let now = app::infra::time::now_millis();
        // 3 GiB stored, 150 h of compute: $0.25 + $1.00 over the plan… the
        // caps hold it at 2 GiB of storage and $0.50 in all.
        record_storage(&app.db, &ws, 3 << 30, now).await.unwrap();
        record_compute(&app.db, &ws, 150 * HOUR, now).await.unwrap();
        let form = [
            ("handle", "ada"),
            ("compute_hours", ""),
            ("compute_action", "warn"),
            ("storage_gib", "2"),
            ("storage_action", "cap_and_warn"),
            ("spend_dollars", "0.50"),
            ("spend_action", "cap_and_warn"),
        ];
        assert_eq!(app.call("/sfn/set_usage_thresholds", &form, &ada).await.status(), StatusCode::OK);
        // Saving looked at usage at once: both caps are reached.
        let v = view(&app, "ada", &ada).await;
        let capped: Vec<&str> = v["standings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["capped"] == true)
            .map(|s| s["metric"].as_str().unwrap())
            .collect();
        assert_eq!(capped, ["storage", "spend"], "{v}");
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "more")], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("usage cap for storage and spend is reached"));
        let billing = app::billing::ssr::summary(&app.db, &id, now).await.unwrap();
        assert_eq!(billing.estimate_cents, 50, "{:?}", billing.estimate);
        assert!(billing.estimate.iter().any(|l| l.note.contains("storage cap of 2.0 GiB")), "{:?}", billing.estimate);
        assert!(billing.estimate.iter().any(|l| l.label == "Spend cap"), "{:?}", billing.estimate);
        let page = app.get("/user/ada/advanced/billing", Some(&ada)).await.text().await.unwrap();
        assert!(page.contains("Paused: usage cap reached"), "the banner");
        assert!(page.contains("Never charged past the spend cap of $0.50"));
        // Removed: the caps lift at once, and workspaces can be made again.
        let none = [
            ("handle", "ada"),
            ("compute_hours", ""),
            ("compute_action", "warn"),
            ("storage_gib", ""),
            ("storage_action", "warn"),
            ("spend_dollars", ""),
            ("spend_action", "warn"),
        ];
        assert_eq!(app.call("/sfn/set_usage_thresholds", &none, &ada).await.status(), StatusCode::OK);
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM usage_caps").fetch_one(&app.db).await.unwrap();
        assert_eq!(left, 0);
        // (This server runs no PostgreSQL: what refuses now is that.)
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "more")], &ada).await;
        assert!(!res.text().await.unwrap().contains("usage cap"));
    })
}
