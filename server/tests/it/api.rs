//! `/api/v0`: bearer tokens authenticate it and nothing else does; every
//! error is an `ErrorModel`; a person reaches only their own account.

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A token made through the page, as a person would.
pub async fn new_token(app: &TestApp, handle: &str, cookie: &str) -> (String, String) {
    let res = app.call("/sfn/create_token", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    (v["token"]["id"].as_str().unwrap().to_owned(), v["secret"].as_str().unwrap().to_owned())
}

/// The answer, checked to be an `ErrorModel` with `status`.
async fn error_model(res: reqwest::Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/json"), "{ct}");
    let body: Value = res.json().await.unwrap();
    for field in ["type", "title", "instance"] {
        assert!(body[field].is_string(), "{field} in {body}");
    }
    assert_eq!(body["status"], status.as_u16());
    body
}

async fn get_user(app: &TestApp, token: &str) -> StatusCode {
    app.api(Method::GET, "/user/ada", Some(token), None).await.status()
}

#[test]
fn a_token_authenticates_until_it_is_deactivated_or_deleted() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (id, token) = new_token(&app, "ada", &ada).await;

        let res = app.api(Method::GET, "/user/ada", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let user: Value = res.json().await.unwrap();
        assert_eq!(user["handle"], "ada");
        assert_eq!(user["display_name"], "Ada");
        for field in ["id", "created_at", "status", "tenant_id", "version_id", "token_min_issued_at"] {
            assert!(!user[field].is_null(), "{field}");
        }
        let used: Option<i64> = sqlx::query_scalar("SELECT last_used_at FROM tokens WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(used.is_some(), "last_used_at is set by a use");

        // Deactivated through the API itself: the next call is refused.
        let res = app
            .api(Method::PATCH, &format!("/user/ada/token/{id}"), Some(&token), Some(json!({ "status": "inactive" })))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let t: Value = res.json().await.unwrap();
        assert_eq!(t["status"], "inactive");
        assert!(t.get("token").is_none(), "only creation answers the secret");
        error_model(app.api(Method::GET, "/user/ada", Some(&token), None).await, StatusCode::UNAUTHORIZED).await;

        // Activated again on the page; then deleted.
        let res = app.call("/sfn/set_token_status", &[("handle", "ada"), ("id", &id), ("active", "true")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(get_user(&app, &token).await, StatusCode::OK);
        let res = app.api(Method::DELETE, &format!("/user/ada/token/{id}"), Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(get_user(&app, &token).await, StatusCode::UNAUTHORIZED);
    })
}

#[test]
fn last_used_at_is_not_written_on_every_request() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (id, token) = new_token(&app, "ada", &ada).await;
        assert_eq!(get_user(&app, &token).await, StatusCode::OK);
        app.exec(&format!("UPDATE tokens SET last_used_at = 1000 WHERE id = '{id}'")).await;
        let recent = sluice_now() - 5_000;
        app.exec(&format!("UPDATE tokens SET last_used_at = {recent} WHERE id = '{id}'")).await;
        assert_eq!(get_user(&app, &token).await, StatusCode::OK);
        let used: i64 = sqlx::query_scalar("SELECT last_used_at FROM tokens WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(used, recent, "a use within the minute writes nothing");
        app.exec(&format!("UPDATE tokens SET last_used_at = 1000 WHERE id = '{id}'")).await;
        assert_eq!(get_user(&app, &token).await, StatusCode::OK);
        let used: i64 = sqlx::query_scalar("SELECT last_used_at FROM tokens WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(used > recent, "an older mark is refreshed");
    })
}

fn sluice_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn nothing_but_a_valid_bearer_token_authenticates() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let body = error_model(app.api(Method::GET, "/user/ada", None, None).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(body["instance"], "/api/v0/user/ada");
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'a' { 'b' } else { 'a' });
        for bad in [forged.as_str(), "spt_x", "", "Bearer", &token.to_uppercase()] {
            assert_eq!(get_user(&app, bad).await, StatusCode::UNAUTHORIZED, "{bad}");
        }
        // The session cookie does not open the API, for reads or writes.
        let res = app.raw_client().get(app.url("/api/v0/user/ada")).header("cookie", &ada).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app
            .raw_client()
            .post(app.url("/api/v0/user/ada/token"))
            .header("cookie", &ada)
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            app.api(Method::GET, "/user/ada/token", Some(&token), None).await.json::<Value>().await.unwrap()["items"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        // And the token does not open the pages.
        let res = app
            .raw_client()
            .get(app.url("/user/ada"))
            .header("accept", "text/html")
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FOUND, "signed-out visitors go to sign-in");
    })
}

#[test]
fn another_persons_account_is_forbidden() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        let (_, ada_token) = new_token(&app, "ada", &ada).await;
        let (bob_token_id, _) = new_token(&app, "bob", &bob).await;
        for (method, path, body) in [
            (Method::GET, "/user/bob".to_owned(), None),
            (Method::PATCH, "/user/bob".to_owned(), Some(json!({ "display_name": "Mallory" }))),
            (Method::GET, "/user/bob/token".to_owned(), None),
            (Method::POST, "/user/bob/token".to_owned(), None),
            (Method::GET, format!("/user/bob/token/{bob_token_id}"), None),
            (Method::PATCH, format!("/user/bob/token/{bob_token_id}"), Some(json!({ "status": "inactive" }))),
            (Method::DELETE, format!("/user/bob/token/{bob_token_id}"), None),
            (Method::GET, "/user/bob/password".to_owned(), None),
            (Method::POST, "/user/bob/password".to_owned(), Some(json!({}))),
            (Method::GET, "/user/nobody-here/token".to_owned(), None),
        ] {
            let res = app.api(method.clone(), &path, Some(&ada_token), body).await;
            error_model(res, StatusCode::FORBIDDEN).await;
        }
        // Bob's token under Ada's own handle is not found.
        let res = app.api(Method::DELETE, &format!("/user/ada/token/{bob_token_id}"), Some(&ada_token), None).await;
        error_model(res, StatusCode::NOT_FOUND).await;
        let bob_row: (String, String) = sqlx::query_as(
            "SELECT status, (SELECT display_name FROM users WHERE handle = 'bob') FROM tokens WHERE id = $1",
        )
        .bind(&bob_token_id)
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(bob_row, ("active".into(), "Bob".into()));
    })
}

#[test]
fn bad_input_is_a_400_error_model_and_changes_nothing() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (id, token) = new_token(&app, "ada", &ada).await;
        let path = format!("/user/ada/token/{id}");
        let cases: Vec<(Method, String, Option<Value>, &str)> = vec![
            (Method::PATCH, path.clone(), Some(json!({ "status": "paused" })), "body.status"),
            (Method::PATCH, path.clone(), Some(json!({ "status": 1 })), "body"),
            (Method::PATCH, path.clone(), Some(json!({})), "body"),
            (Method::PATCH, path.clone(), Some(json!({ "status": "active", "title": "x".repeat(101) })), "body.title"),
            (Method::PATCH, path.clone(), Some(json!({ "status": "active", "colour": "red" })), "body"),
            (Method::GET, "/user/ada/token?limit=0".into(), None, "query.limit"),
            (Method::GET, "/user/ada/token?limit=101".into(), None, "query.limit"),
            (Method::GET, "/user/ada/token?limit=ten".into(), None, "query.limit"),
            (Method::GET, "/user/ada/token/not-an-id".into(), None, "path.token_id"),
            (Method::GET, "/user/-ada-/token".into(), None, "path.user_handle"),
            (Method::PATCH, "/user/ada".into(), Some(json!({ "display_name": "   " })), "body.display_name"),
            (
                Method::PATCH,
                "/user/ada".into(),
                Some(json!({ "display_name": "New", "handle": "Ada 2" })),
                "body.handle",
            ),
            (
                Method::PATCH,
                "/user/ada".into(),
                Some(json!({ "display_name": "New", "handle": "admin" })),
                "body.handle",
            ),
            (
                Method::PATCH,
                "/user/ada".into(),
                Some(json!({ "token_min_issued_at": "yesterday" })),
                "body.token_min_issued_at",
            ),
            (
                Method::PATCH,
                "/user/ada".into(),
                Some(json!({ "token_min_issued_at": "2999-01-01T00:00:00Z" })),
                "body.token_min_issued_at",
            ),
            (
                Method::POST,
                "/user/ada/password".into(),
                Some(json!({ "expires_in_minutes": 0 })),
                "body.expires_in_minutes",
            ),
        ];
        for (method, p, body, location) in cases {
            let res = app.api(method.clone(), &p, Some(&token), body.clone()).await;
            let model = error_model(res, StatusCode::BAD_REQUEST).await;
            let errors =
                model["validation_errors"].as_array().unwrap_or_else(|| panic!("{method} {p} {body:?}: {model}"));
            assert_eq!(errors[0]["location"], location, "{method} {p} {body:?}");
        }
        // A body that is not JSON at all, and one of the wrong type.
        let res = app
            .raw_client()
            .patch(app.url(&format!("/api/v0{path}")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        error_model(res, StatusCode::BAD_REQUEST).await;
        let res = app
            .raw_client()
            .patch(app.url(&format!("/api/v0{path}")))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(format!("{{\"status\":\"active\",\"title\":\"{}\"}}", "x".repeat(100_000)))
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(status.is_client_error(), "{status}");
        error_model(res, status).await;
        error_model(app.api(Method::GET, "/nowhere", Some(&token), None).await, StatusCode::NOT_FOUND).await;
        // Nothing changed.
        let user: Value = app.api(Method::GET, "/user/ada", Some(&token), None).await.json().await.unwrap();
        assert_eq!(user["display_name"], "Ada");
        assert_eq!(user["version_id"], 1);
        let status: String =
            sqlx::query_scalar("SELECT status FROM tokens WHERE id = $1").bind(&id).fetch_one(&app.db).await.unwrap();
        assert_eq!(status, "active");
    })
}

#[test]
fn tokens_through_the_api_follow_the_spec() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (first_id, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::POST, "/user/ada/token", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let created: Value = res.json().await.unwrap();
        let secret = created["token"].as_str().unwrap();
        assert!(secret.ends_with(created["last4"].as_str().unwrap()));
        for field in ["created_at", "created_by_id", "id", "status", "updated_by_id", "user_id", "version_id"] {
            assert!(!created[field].is_null(), "{field}");
        }
        assert_eq!(created["status"], "active");
        // The new token works; a third is refused with the plan's 402.
        assert_eq!(get_user(&app, secret).await, StatusCode::OK);
        let body = error_model(
            app.api(Method::POST, "/user/ada/token", Some(secret), None).await,
            StatusCode::PAYMENT_REQUIRED,
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains("up to 2 tokens"));
        let list: Value =
            app.api(Method::GET, "/user/ada/token?limit=1", Some(&token), None).await.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|t| t.get("token").is_none()));
        let one: Value = app
            .api(Method::GET, &format!("/user/ada/token/{first_id}"), Some(secret), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(one["id"], first_id.as_str());
        let res = app
            .api(
                Method::PATCH,
                &format!("/user/ada/token/{first_id}"),
                Some(secret),
                Some(json!({ "status": "active", "title": "CI", "description": "deploys" })),
            )
            .await;
        let updated: Value = res.json().await.unwrap();
        assert_eq!((updated["title"].as_str(), updated["description"].as_str()), (Some("CI"), Some("deploys")));
        assert_eq!(updated["version_id"], 2);
        let actions: Vec<String> = sqlx::query_scalar("SELECT action_type FROM audit_log WHERE action_type LIKE 'token.%' AND action_type != 'token.use' ORDER BY created_at")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert_eq!(actions, ["token.create", "token.create", "token.update"]);
    })
}

#[test]
fn patching_token_min_issued_at_resets_authentication() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let now = time_now_rfc3339();
        let res = app.api(Method::PATCH, "/user/ada", Some(&token), Some(json!({ "token_min_issued_at": now }))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let user: Value = res.json().await.unwrap();
        assert_ne!(user["token_min_issued_at"], user["created_at"]);
        assert_eq!(get_user(&app, &token).await, StatusCode::UNAUTHORIZED);
        assert!(!app.is_signed_in("ada", &ada).await);
    })
}

fn time_now_rfc3339() -> String {
    app::infra::time::rfc3339(sluice_now())
}

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
fn workspaces_are_read_through_the_api() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let (_, grace_token) = new_token(&app, "grace", &grace).await;

        let res = app.api(Method::GET, "/user/ada/workspace", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let list: Value = res.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let ws = &items[0];
        assert_eq!(ws["handle"], "default");
        assert_eq!(ws["host"], "default-ada.us-east-1.db.sluice.localhost");
        for field in [
            "created_at",
            "created_by_id",
            "db_volume_size_bytes",
            "deleted_by_id",
            "desired_state",
            "handle",
            "id",
            "identity_id",
            "instance_type",
            "updated_by_id",
            "version_id",
        ] {
            assert!(!ws[field].is_null(), "{field}");
        }
        let res = app.api(Method::GET, "/user/ada/workspace/default", Some(&token), None).await;
        assert_eq!(res.json::<Value>().await.unwrap()["id"], ws["id"]);

        let res = app.api(Method::GET, "/user/ada/workspace/nothere", Some(&token), None).await;
        error_model(res, StatusCode::NOT_FOUND).await;
        let res = app.api(Method::GET, "/user/ada/workspace/Bad_Handle!", Some(&token), None).await;
        let model = error_model(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(model["validation_errors"][0]["location"], "path.workspace_handle");
        let res = app.api(Method::GET, "/user/ada/workspace/default", Some(&grace_token), None).await;
        error_model(res, StatusCode::FORBIDDEN).await;
        let res = app.api(Method::GET, "/user/ada/workspace", None, None).await;
        error_model(res, StatusCode::UNAUTHORIZED).await;
        let res = app.api(Method::GET, "/user/ada/workspace?limit=0", Some(&token), None).await;
        error_model(res, StatusCode::BAD_REQUEST).await;
    });
}

#[test]
fn workspaces_are_created_and_deleted_through_the_api() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let create = |body: Value| app.api(Method::POST, "/user/ada/workspace", Some(&token), Some(body));

        let res = create(json!({ "handle": "analytics" })).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let ws: Value = res.json().await.unwrap();
        assert_eq!(ws["host"], "analytics-ada.us-east-1.db.sluice.localhost");
        let has_password: Option<String> =
            sqlx::query_scalar("SELECT password_id FROM workspaces WHERE handle = 'analytics'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(has_password.is_some(), "a new workspace takes the current password");

        for (body, status, location) in [
            (json!({ "handle": "analytics" }), StatusCode::CONFLICT, None),
            (json!({ "handle": "Not OK" }), StatusCode::BAD_REQUEST, Some("body.handle")),
            (json!({ "handle": "x2", "desired_state": "paused" }), StatusCode::BAD_REQUEST, Some("body.desired_state")),
            (
                json!({ "handle": "x2", "instance_type": "db1.medium" }),
                StatusCode::BAD_REQUEST,
                Some("body.instance_type"),
            ),
            (json!({ "handle": "x2", "colour": "red" }), StatusCode::BAD_REQUEST, Some("body")),
            (json!({}), StatusCode::BAD_REQUEST, Some("body")),
        ] {
            let model = error_model(create(body.clone()).await, status).await;
            if let Some(l) = location {
                assert_eq!(model["validation_errors"][0]["location"], l, "{body}");
            }
        }
        assert_eq!(create(json!({ "handle": "third" })).await.status(), StatusCode::CREATED);
        let model = error_model(create(json!({ "handle": "fourth" })).await, StatusCode::PAYMENT_REQUIRED).await;
        assert!(model["detail"].as_str().unwrap().contains("at most 3"));

        let res = app.api(Method::DELETE, "/user/ada/workspace/analytics", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["handle"], "analytics");
        let res = app.api(Method::GET, "/user/ada/workspace/analytics", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.api(Method::DELETE, "/user/ada/workspace/analytics", Some(&token), None).await;
        error_model(res, StatusCode::BAD_REQUEST).await;
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action_type FROM audit_log WHERE action_type LIKE 'workspace.%' ORDER BY created_at, id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(actions, ["workspace.create", "workspace.create", "workspace.delete"]);
        // The page lists what the API made.
        let page = app.get("/user/ada", Some(&ada)).await.text().await.unwrap();
        assert!(page.contains("third-ada.us-east-1.db.sluice.localhost"));
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
