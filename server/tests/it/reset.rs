//! Reset authentication: every session and token of the account stops
//! working in one step; the browser that asked is sent to sign in.

use crate::api::{get_user, new_token, time_now_rfc3339};
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::json;
use serde_json::Value;

#[test]
fn reset_ends_every_session_and_token() {
    run(async {
        let app = TestApp::spawn().await;
        let here = app.sign_up("ada@example.com", "ada", "Ada").await;
        let t = app.request_link("ada@example.com").await;
        let elsewhere = session_cookie(&app.confirm(&t, None).await).expect("a second session");
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        let (_, token) = new_token(&app, "ada", &here).await;
        let (_, bob_token) = new_token(&app, "bob", &bob).await;
        assert!(app.is_signed_in("ada", &elsewhere).await);

        let res = app.post_form("/sfn/reset_authentication", &[("handle", "ada")], Some(&here)).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert!(
            location(&res).starts_with("/login?reset=1") || location(&res).ends_with("/login?reset=1"),
            "{}",
            location(&res)
        );
        assert!(set_cookie_headers(&res).iter().any(|c| c.contains("Max-Age=0")));

        assert!(!app.is_signed_in("ada", &here).await);
        assert!(!app.is_signed_in("ada", &elsewhere).await);
        let status = app.api(Method::GET, "/user/ada", Some(&token), None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Another person is untouched.
        assert!(app.is_signed_in("bob", &bob).await);
        let status = app.api(Method::GET, "/user/bob", Some(&bob_token), None).await.status();
        assert_eq!(status, StatusCode::OK);

        let sessions: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.handle = 'ada'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(sessions, 0);
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'auth.reset'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(audit, 1);
        let mail = app.last_mail_to("ada@example.com").unwrap();
        assert!(mail.contains("Authentication was reset"), "{mail}");
        assert!(!mail.contains(&token[25..]));

        // Signed in again: the old token shows as revoked and no longer
        // counts towards the two.
        let t = app.request_link("ada@example.com").await;
        let again = session_cookie(&app.confirm(&t, None).await).unwrap();
        let list: Vec<Value> = app.call("/sfn/tokens", &[("handle", "ada")], &again).await.json().await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0]["status"], "revoked");
        new_token(&app, "ada", &again).await;
        new_token(&app, "ada", &again).await;
        let res = app
            .call(
                "/sfn/set_token_status",
                &[("handle", "ada"), ("id", list[0]["id"].as_str().unwrap()), ("active", "true")],
                &again,
            )
            .await;
        assert!(!res.status().is_success(), "a revoked token stays revoked");
    })
}

#[test]
fn another_person_cannot_reset_an_account() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        let res = app.call("/sfn/reset_authentication", &[("handle", "ada")], &bob).await;
        assert!(!res.status().is_success(), "{}", res.status());
        assert!(app.is_signed_in("ada", &ada).await);
        assert!(app.is_signed_in("bob", &bob).await);
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
