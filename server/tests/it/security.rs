//! The security suite: every server function and every API operation,
//! called signed out, as another person, and from another site; nothing
//! answers with data or changes anything it should not.

use crate::api::new_token;
use crate::harness::*;
use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Server functions anyone may call: signing in, and reading who you are;
/// and the upload, a multipart form (avatar_upload.rs holds it to the same
/// rules with a real image).
const SKIPPED: [&str; 14] = [
    "/sfn/upload_avatar",
    "/sfn/request_sign_in_link",
    "/sfn/inspect_sign_in_link",
    "/sfn/confirm_sign_in",
    "/sfn/viewer",
    "/sfn/sign_out",
    "/sfn/cli_login_request",
    // Signing in with a passkey, and the links of an e-mail change, are for
    // whoever holds the passkey or the link (tests in `identity`).
    "/sfn/passkey_sign_in_start",
    "/sfn/passkey_sign_in",
    "/sfn/inspect_email_link",
    "/sfn/use_email_link",
    // The second step answers whoever holds a half-signed-in cookie, and
    // nobody else (tests in `second_factor`).
    "/sfn/second_step_ask",
    "/sfn/second_step",
    "/sfn/cancel_second_step",
];

/// Server functions that act on the caller's own session (confirming it
/// is them), with no handle to aim at someone else.
const OWN_SESSION: [&str; 6] = [
    "/sfn/proof_status",
    "/sfn/confirm_with_authenticator",
    "/sfn/send_confirm_code",
    "/sfn/confirm_with_code",
    "/sfn/confirm_passkey_start",
    "/sfn/confirm_passkey",
];

/// Every field any server function takes, aimed at Ada's account, so each
/// call gets past reading its arguments to the check that matters.
fn form_for_ada() -> Vec<(&'static str, &'static str)> {
    vec![
        ("handle", "ada"),
        ("display_name", "Mallory"),
        ("new_handle", "mallory"),
        ("confirm", "ada"),
        ("workspace", "default"),
        ("avatar_url", ""),
        ("kind", "ProductUpdates"),
        ("on", "false"),
        ("id", "k_00000000000000000000"),
        ("active", "false"),
        ("session", "s_00000000000000000000"),
        ("period", ""),
        ("compute_hours", "1"),
        ("compute_action", "cap_and_warn"),
        ("storage_gib", ""),
        ("storage_action", "warn"),
        ("spend_dollars", ""),
        ("spend_action", "warn"),
        ("after", ""),
        ("filter[action]", ""),
        ("filter[from]", ""),
        ("filter[to]", ""),
        ("r", "spttr_00000000000000000000_0000000000000000000000000000000000000000000000000000"),
        ("email", "mallory@evil.example"),
        ("name", "Mallory's key"),
        ("credential", "{}"),
        ("code", "000000"),
        ("required", "off"),
        ("network", "127.0.0.0/24"),
    ]
}

async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut rows: Vec<String> = Vec::new();
    for sql in [
        "SELECT handle || display_name || version_id || token_min_issued_at FROM users ORDER BY id",
        "SELECT id || status || version_id FROM tokens ORDER BY id",
        "SELECT handle FROM workspaces ORDER BY id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM sessions",
        "SELECT COALESCE(MAX(id), '') FROM database_passwords",
        "SELECT CAST(COUNT(*) AS TEXT) FROM avatars",
        "SELECT CAST(COUNT(*) AS TEXT) FROM user_preferences",
        "SELECT CAST(COUNT(*) AS TEXT) FROM handle_holds",
        "SELECT CAST(COUNT(*) AS TEXT) FROM usage_thresholds",
        "SELECT user_id || CAST(last_step AS TEXT) FROM authenticators ORDER BY user_id",
        "SELECT CAST(COUNT(*) AS TEXT) FROM recovery_codes",
        "SELECT user_id || network FROM known_networks ORDER BY user_id, network",
        "SELECT CAST(COUNT(*) AS TEXT) FROM users WHERE second_factor_required_at IS NOT NULL",
    ] {
        let values: Vec<String> = sqlx::query_scalar(sql).fetch_all(&app.db).await.unwrap_or_else(|_| panic!("{sql}"));
        rows.extend(values);
    }
    rows
}

#[test]
fn no_server_function_serves_a_stranger_or_another_site() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let mallory = app.sign_up("mallory@example.com", "mallory-x", "Mallory").await;
        new_token(&app, "ada", &ada).await;
        // Ada has an authenticator, recovery codes and the requirement on.
        crate::second_factor::set_up(&app, "ada", &ada).await;
        crate::second_factor::require(&app, "ada", &ada).await;
        // Ada's half-signed-in state: the e-mail link used, no code given.
        let half = crate::second_factor::first_step(&app, "ada@example.com").await;
        let before = snapshot(&app).await;
        let paths: Vec<&str> = leptos::server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
        assert!(paths.len() >= 30, "{paths:?}");
        let body = encode_form(&form_for_ada());
        let mut checked = 0;
        for path in paths.iter().copied().filter(|p| !SKIPPED.contains(p)) {
            let post = |site: &'static str, cookie: Option<&str>| {
                let mut req = app
                    .raw_client()
                    .post(app.url(path))
                    .header("sec-fetch-site", site)
                    .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(body.clone());
                if site == "cross-site" {
                    req = req.header(ORIGIN, "https://evil.example");
                }
                if let Some(c) = cookie {
                    req = req.header(COOKIE, c.to_owned());
                }
                req.send()
            };
            // From another site, with Ada's own cookie: refused before anything runs.
            let res = post("cross-site", Some(&ada)).await.unwrap();
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path} cross-site");
            // Signed out.
            let res = post("same-origin", None).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path} signed out");
            // Half signed in (an e-mail link, no second factor yet): nobody.
            let res = post("same-origin", Some(&half)).await.unwrap();
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path} half signed in");
            // As Mallory, aimed at Ada: not found, and nothing of Ada's in the answer.
            let res = post("same-origin", Some(&mallory)).await.unwrap();
            let status = res.status();
            let text = res.text().await.unwrap();
            if OWN_SESSION.contains(&path) {
                // Mallory's own session: nothing of Ada's, checked below.
                assert!(status != StatusCode::INTERNAL_SERVER_ERROR, "{path}: {status}");
            } else if path.contains("cli_login") {
                // Login requests belong to whoever confirms them, not to a handle.
                assert!(status.is_client_error(), "{path}: {status}");
            } else {
                assert_eq!(status, StatusCode::NOT_FOUND, "{path} as another person: {text}");
            }
            assert!(!text.contains("ada@example.com") && !text.contains("postgres://"), "{path} leaked: {text}");
            checked += 1;
        }
        assert!(checked >= 24, "{checked}");
        assert_eq!(snapshot(&app).await, before, "nothing changed");
    });
}

#[test]
fn no_api_operation_serves_a_stranger() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let mallory = app.sign_up("mallory@example.com", "mallory-x", "Mallory").await;
        let (token_id, _) = new_token(&app, "ada", &ada).await;
        let (_, mallory_token) = new_token(&app, "mallory-x", &mallory).await;
        let ada_id: String =
            sqlx::query_scalar("SELECT id FROM users WHERE handle = 'ada'").fetch_one(&app.db).await.unwrap();
        let ada_session: String = sqlx::query_scalar(
            "SELECT 's_' || substr(s.id_hash, 1, 20) FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE u.handle = 'ada' LIMIT 1",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        let before = snapshot(&app).await;
        let doc: Value = app.get("/api/v0/openapi.json", None).await.json().await.unwrap();
        let mut checked = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in item.as_object().unwrap().keys() {
                let concrete = path
                    .replace("{user_handle}", "ada")
                    .replace("{token_id}", &token_id)
                    .replace("{session_id}", &ada_session)
                    .replace("{workspace_handle}", "default")
                    .replace(
                        "{temporary_token_request_id}",
                        "spttr_00000000000000000000_0000000000000000000000000000000000000000000000000000",
                    );
                let m = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let body = (m != Method::GET && m != Method::DELETE).then(|| serde_json::json!({}));
                if path.starts_with("/login/token") {
                    // The CLI login flow is public by design: its secret is the request id.
                    continue;
                }
                let res = app.api(m.clone(), &concrete, None, body.clone()).await;
                assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{m} {concrete} without a token");
                if path.starts_with("/user/") {
                    let res = app.api(m.clone(), &concrete, Some(&mallory_token), body.clone()).await;
                    assert_eq!(res.status(), StatusCode::FORBIDDEN, "{m} {concrete} with another person's token");
                    let text = res.text().await.unwrap();
                    assert!(!text.contains("ada@example.com") && !text.contains(&ada_id), "{m} {concrete}: {text}");
                }
                checked += 1;
            }
        }
        assert!(checked >= 20, "{checked}");
        assert_eq!(snapshot(&app).await, before, "nothing changed");
    });
}

#[test]
fn every_page_carries_the_security_headers() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let pages = [
            "/login",
            "/user/ada",
            "/user/ada/activity",
            "/user/ada/advanced/profile",
            "/user/ada/advanced/usage",
            "/user/ada/advanced/billing",
            "/user/ada/advanced/credentials",
            "/user/ada/advanced/notifications",
            "/user/somebody",
        ];
        for path in pages {
            for cookie in [None, Some(ada.as_str())] {
                let res = app.get(path, cookie).await;
                let h = res.headers();
                assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
                assert_eq!(h["x-frame-options"], "DENY", "{path}");
                assert_eq!(h["referrer-policy"], "same-origin", "{path}");
                let csp = h["content-security-policy"].to_str().unwrap();
                assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{path}: {csp}");
                if cookie.is_some() {
                    let cache = h.get("cache-control").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
                    assert!(cache.contains("no-store"), "{path}: a signed-in page is not cached: {cache:?}");
                }
            }
        }
    });
}
