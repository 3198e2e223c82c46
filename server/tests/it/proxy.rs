//! Behind a load balancer: the address that counts for rate limits and the
//! Audit Log is the one a trusted proxy forwarded, and nobody else can
//! choose theirs with a header.

use crate::harness::*;
use reqwest::StatusCode;

/// Asks for a sign-in link for `email` with `X-Forwarded-For: forwarded`;
/// answers whether it was sent.
async fn ask(app: &TestApp, email: &str, forwarded: &str) -> bool {
    let res = app
        .raw_client()
        .post(app.url("/sfn/request_sign_in_link"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(encode_form(&[("email", email)]))
        .send()
        .await
        .unwrap();
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
    let res = app
        .raw_client()
        .post(app.url("/sfn/confirm_sign_in"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .body(encode_form(&[("t", &t), ("handle", "ada"), ("display_name", "Ada")]))
        .send()
        .await
        .unwrap();
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
