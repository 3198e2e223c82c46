//! Each API token's budget of requests per minute: spent without waste
//! by concurrent requests, never exceeded by several processes.

use crate::api::{error_model, get_user, new_token};
use crate::harness::*;
use reqwest::{Method, StatusCode};

#[test]
fn each_token_has_a_budget_per_minute() {
    run(async {
        let app = TestApp::spawn_with(Options { api_per_minute: 5, ..Options::default() }, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, first) = new_token(&app, "ada", &ada).await;
        let (_, second) = new_token(&app, "ada", &ada).await;
        for _ in 0..5 {
            assert_eq!(get_user(&app, &first).await, StatusCode::OK);
        }
        let res = app.api(Method::GET, "/user/ada", Some(&first), None).await;
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry), "{retry}");
        let model = error_model(res, StatusCode::TOO_MANY_REQUESTS).await;
        assert!(model["detail"].as_str().unwrap().contains("Try again"), "{model}");
        // Another token has its own budget.
        assert_eq!(get_user(&app, &second).await, StatusCode::OK);
    });
}

#[test]
fn concurrent_requests_on_one_token_spend_its_budget_without_waste() {
    use app::infra::rate_limit::{hit_leased, Leases, Limit};
    run(async {
        let app = TestApp::spawn().await;
        let leases = Leases::default();
        let limit = Limit { max: 100, window_secs: 60 };
        let start = 1_800_000_000_000_i64;
        let start = start - start.rem_euclid(60_000) + 1_000;
        // Many at once find the lease spent together: one of them claims
        // a block, the others wait for it, so no block is claimed and lost.
        let attempts = (0..140).map(|i| {
            let (db, leases) = (app.db.clone(), leases.clone());
            tokio::spawn(async move { hit_leased(&db, &leases, "api:busy", limit, start + i).await.is_ok() })
        });
        let mut granted = 0;
        for attempt in attempts.collect::<Vec<_>>() {
            granted += usize::from(attempt.await.unwrap());
        }
        assert_eq!(granted, 100, "the whole limit, and no more");
        let counted: i64 = sqlx::query_scalar("SELECT count FROM rate_limits WHERE key = 'api:busy'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        // Blocks of 5 up to the limit, then one refused claim: later
        // requests in the window are refused without writing.
        assert_eq!(counted, 105);
        for i in 0..20 {
            assert!(hit_leased(&app.db, &leases, "api:busy", limit, start + 200 + i).await.is_err());
        }
        let after: i64 = sqlx::query_scalar("SELECT count FROM rate_limits WHERE key = 'api:busy'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(after, 105, "refused without a write");
        // The next window is claimed afresh.
        hit_leased(&app.db, &leases, "api:busy", limit, start + 60_000).await.unwrap();
    });
}

#[test]
fn processes_leasing_one_token_budget_never_let_more_than_it_through() {
    use app::infra::rate_limit::{hit_leased, Leases, Limit};
    run(async {
        let app = TestApp::spawn().await;
        // Two servers on one database, each with its own leases.
        let (a, b) = (Leases::default(), Leases::default());
        let limit = Limit { max: 100, window_secs: 60 };
        let start = 1_800_000_000_000_i64;
        let start = start - start.rem_euclid(60_000) + 1_000;
        let count = |key: &'static str| {
            let db = app.db.clone();
            async move {
                sqlx::query_scalar::<_, i64>("SELECT count FROM rate_limits WHERE key = $1")
                    .bind(key)
                    .fetch_one(&db)
                    .await
                    .unwrap()
            }
        };

        // A claim takes a block (a twentieth of the limit), not one.
        hit_leased(&app.db, &a, "api:t1", limit, start).await.unwrap();
        assert_eq!(count("api:t1").await, 5);

        let mut granted = 1;
        for i in 0..400 {
            let leases = if i % 3 == 0 { &a } else { &b };
            if hit_leased(&app.db, leases, "api:t1", limit, start + i).await.is_ok() {
                granted += 1;
            }
        }
        assert_eq!(granted, 100, "exactly the limit, across both");
        match hit_leased(&app.db, &b, "api:t1", limit, start + 30_000).await {
            Err(app::error::AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 29),
            other => panic!("{other:?}"),
        }
        // The next window starts afresh; another key has its own budget.
        hit_leased(&app.db, &a, "api:t1", limit, start + 60_000).await.unwrap();
        hit_leased(&app.db, &b, "api:t2", limit, start).await.unwrap();
        assert_eq!(count("api:t2").await, 5);
    });
}
