//! Behind a load balancer: the address that counts for rate limits and the
//! Audit Log is the one a trusted proxy forwarded, and nobody else can
//! choose theirs with a header.

use crate::harness::*;
use reqwest::StatusCode;

/// A plain form post, as through a proxy that sent `X-Forwarded-For: forwarded`.
pub async fn post_forwarded(app: &TestApp, path: &str, form: &[(&str, &str)], forwarded: &str) -> reqwest::Response {
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

/// [`ask`], from a browser that carries `cookie`.
async fn ask_as(app: &TestApp, email: &str, forwarded: &str, cookie: &str) -> bool {
    let res = app
        .raw_client()
        .post(app.url("/sfn/request_sign_in_link"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", forwarded)
        .header("cookie", cookie)
        .body(encode_form(&[("email", email)]))
        .send()
        .await
        .unwrap();
    location(&res) == "/login?sent=1"
}

#[test]
fn a_stranger_who_knows_an_address_cannot_keep_its_owner_out() {
    run(async {
        let app = TestApp::spawn_with(
            Options { trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()], ..Options::default() },
            None,
        )
        .await;
        // Ada signs up from her browser, which is known from then on.
        let ada_at = "198.51.100.1";
        assert!(ask(&app, "ada@example.com", ada_at).await);
        let t = link_secret(&app.last_mail_to("ada@example.com").unwrap());
        let form = [("t", t.as_str()), ("handle", "ada"), ("display_name", "Ada")];
        let res = post_forwarded(&app, "/sfn/confirm_sign_in", &form, ada_at).await;
        let known = set_cookie_headers(&res)
            .into_iter()
            .map(|c| c.split(';').next().unwrap().to_owned())
            .find(|c| c.starts_with("sluice_known="))
            .expect("signing in marks the browser");
        assert!(set_cookie_headers(&res).iter().any(|c| c.starts_with("sluice_known=") && c.contains("HttpOnly")));

        // A stranger asks for Ada's links from one address: five, then no more…
        for _ in 0..5 {
            assert!(ask(&app, "ada@example.com", "203.0.113.9").await);
        }
        assert!(!ask(&app, "ada@example.com", "203.0.113.9").await);
        // …which does not stop Ada, elsewhere.
        assert!(ask(&app, "ada@example.com", ada_at).await);

        // From many addresses the stranger uses up the mailbox's allowance
        // for the hour (it keeps the mailbox from being flooded)…
        let mut refused = false;
        for i in 10..40 {
            if !ask(&app, "ada@example.com", &format!("203.0.113.{i}")).await {
                refused = true;
                break;
            }
        }
        assert!(refused, "the mailbox's hourly allowance ran out");
        assert!(!ask(&app, "ada@example.com", "203.0.113.200").await);
        // …and still Ada's browser gets a link, from anywhere she is.
        assert!(ask_as(&app, "ada@example.com", ada_at, &known).await);
        assert!(ask_as(&app, "ada@example.com", "192.0.2.44", &known).await);
        // The mark is Ada's only: it opens nobody else's allowance, and a
        // forged or altered one opens nothing.
        for i in 0..25 {
            ask(&app, "grace@example.com", &format!("203.0.114.{i}")).await;
        }
        assert!(!ask_as(&app, "grace@example.com", ada_at, &known).await);
        let last = if known.ends_with('A') { 'B' } else { 'A' };
        let forged = format!("{}{last}", &known[..known.len() - 1]);
        assert!(!ask_as(&app, "ada@example.com", "192.0.2.45", &forged).await);
    })
}
