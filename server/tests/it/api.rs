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
pub async fn error_model(res: reqwest::Response, status: StatusCode) -> Value {
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

pub async fn get_user(app: &TestApp, token: &str) -> StatusCode {
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

pub fn sluice_now() -> i64 {
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

pub fn time_now_rfc3339() -> String {
    app::infra::time::rfc3339(sluice_now())
}
