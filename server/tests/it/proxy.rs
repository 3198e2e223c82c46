//! Behind a load balancer: the address that counts for rate limits and the
//! Audit Log is the one a trusted proxy forwarded, and nobody else can
//! choose theirs with a header.

use crate::harness::*;
use reqwest::StatusCode;

/// A plain form post, as through a proxy that sent `X-Forwarded-For: forwarded`.
async fn post_forwarded(app: &TestApp, path: &str, form: &[(&str, &str)], forwarded: &str) -> reqwest::Response {
    app.raw_client()
        .post(app.url(path))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(encode_form(form))
        .send()
        .await
        .unwrap()
}

/// Asks for a sign-in link for `email` with `X-Forwarded-For: forwarded`;
/// answers whether it was sent.
async fn ask(app: &TestApp, email: &str, forwarded: &str) -> bool {
    let res = post_forwarded(app, "/sfn/request_sign_in_link", &[("email", email)], forwarded).await;
    let sent = location(&res) == "/login?sent=1";
    if !sent {
        assert!(res.text().await.unwrap().contains("RateLimited"));
    }
    sent
}

/// Signs up through a link with `X-Forwarded-For: forwarded`; answers the
/// address the Audit Log recorded for it.
async fn recorded_address(app: &TestApp, forwarded: &str) -> String {
    assert!(ask(app, "ada@example.com", forwarded).await);
    let t = link_secret(&app.last_mail_to("ada@example.com").unwrap());
    let form = [("t", t.as_str()), ("handle", "ada"), ("display_name", "Ada")];
    let res = post_forwarded(app, "/sfn/confirm_sign_in", &form, forwarded).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    sqlx::query_scalar("SELECT actor_ip FROM audit_log WHERE action_type = 'user.create'")
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[test]
fn a_trusted_proxy_names_the_client() {
    run(async {
        let app = TestApp::spawn_with(
            Options {
                sign_in_per_peer: 2,
                trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
                ..Options::default()
            },
            None,
        )
        .await;
        // Each person behind the proxy has their own limit…
        assert!(ask(&app, "a@example.com", "203.0.113.1").await);
        assert!(ask(&app, "b@example.com", "203.0.113.1").await);
        assert!(!ask(&app, "c@example.com", "203.0.113.1").await);
        assert!(ask(&app, "d@example.com", "203.0.113.2").await);
        // …and an address a client put in the header itself, before the
        // proxy added the real one, changes nothing.
        assert!(!ask(&app, "e@example.com", "198.51.100.7, 203.0.113.1").await);
        assert_eq!(recorded_address(&app, "203.0.113.3").await, "203.0.113.3");
    })
}

#[test]
fn without_a_trusted_proxy_the_header_is_ignored() {
    run(async {
        let app = TestApp::spawn_with(Options { sign_in_per_peer: 2, ..Options::default() }, None).await;
        assert!(ask(&app, "a@example.com", "203.0.113.1").await);
        assert!(ask(&app, "b@example.com", "203.0.113.2").await);
        assert!(!ask(&app, "c@example.com", "203.0.113.3").await, "a new header is not a new address");
        let app = TestApp::spawn().await;
        assert_eq!(recorded_address(&app, "203.0.113.3").await, "127.0.0.1");
    })
}
