//! Sign-up, sign-in, single-use and expiring links, sign-out, cookies.

use crate::harness::*;
use reqwest::StatusCode;

#[test]
fn a_new_address_signs_up_and_lands_on_its_account() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada Lovelace").await;
        let page = app.get("/user/ada", Some(&cookie)).await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.unwrap();
        assert!(html.contains("Ada Lovelace"), "the account page names its owner");
        assert!(html.contains("default-ada.us-east-1.db.sluice.localhost"), "the first workspace exists");
        let (users, workspaces): (i64, i64) =
            sqlx::query_as("SELECT (SELECT COUNT(*) FROM users), (SELECT COUNT(*) FROM workspaces)")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!((users, workspaces), (1, 1));
    })
}

#[test]
fn an_existing_account_signs_in_without_sign_up_fields() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada Lovelace").await;
        // The address is matched whatever its case.
        let t = app.request_link("ADA@Example.com").await;
        let page = app.get(&format!("/login/confirm?t={t}"), None).await;
        let html = page.text().await.unwrap();
        assert!(html.contains("Welcome back"), "{html}");
        let res = app.confirm(&t, None).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/user/ada");
        assert!(session_cookie(&res).is_some());
    })
}

#[test]
fn a_link_works_once() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let t = app.request_link("ada@example.com").await;
        let first = app.confirm(&t, None).await;
        assert!(session_cookie(&first).is_some());
        let again = app.confirm(&t, None).await;
        assert!(session_cookie(&again).is_none(), "a used link signs nobody in");
        let page = app.confirm_page(&t).await;
        assert!(page.contains("This link can"), "the page says the link is unusable");
    })
}

#[test]
fn an_expired_link_is_refused() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let t = app.request_link("ada@example.com").await;
        sqlx::query("UPDATE sign_in_links SET expires_at = expires_at - 16 * 60 * 1000 WHERE used_at IS NULL")
            .execute(&app.db)
            .await
            .unwrap();
        let res = app.confirm(&t, None).await;
        assert!(session_cookie(&res).is_none());
        let page = app.confirm_page(&t).await;
        assert!(page.contains("expire after 15 minutes"));
    })
}

#[test]
fn an_unknown_link_gets_a_clear_page() {
    run(async {
        let app = TestApp::spawn().await;
        let res = app.get("/login/confirm?t=not-a-real-link", None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("Request a new link"));
    })
}

#[test]
fn a_bad_sign_up_leaves_the_link_usable() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("taken@example.com", "taken", "First").await;
        let t = app.request_link("new@example.com").await;
        for (handle, name) in [("taken", "Second"), ("Bad Handle", "Second"), ("admin", "Second"), ("fresh", "   ")] {
            let res = app
                .post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", handle), ("display_name", name)], None)
                .await;
            assert!(session_cookie(&res).is_none(), "{handle:?}/{name:?} must not sign up");
        }
        let res = app
            .post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", "fresh"), ("display_name", "Second")], None)
            .await;
        assert_eq!(location(&res), "/user/fresh");
    })
}

#[test]
fn sign_out_ends_the_session() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.post_form("/sfn/sign_out", &[], Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/login?signed_out=1");
        assert!(set_cookie_headers(&res).iter().any(|c| c.contains("Max-Age=0")), "the cookie is cleared");
        let page = app.get("/user/ada", Some(&cookie)).await;
        assert_eq!(page.status(), StatusCode::FOUND, "the old cookie no longer works");
        let sessions: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions").fetch_one(&app.db).await.unwrap();
        assert_eq!(sessions, 0);
    })
}

#[test]
fn the_session_cookie_has_safe_flags_and_is_stored_hashed() {
    run(async {
        let app = TestApp::spawn().await;
        let t = app.request_link("ada@example.com").await;
        let res =
            app.post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", "ada"), ("display_name", "Ada")], None).await;
        let header = set_cookie_headers(&res).into_iter().find(|c| c.starts_with("sluice_session=")).unwrap();
        for flag in ["HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(header.contains(flag), "{header} lacks {flag}");
        }
        // Plain-http loopback development is the one case without Secure.
        assert!(!header.contains("Secure"));
        let value = header.split(';').next().unwrap().split_once('=').unwrap().1.to_owned();
        assert!(value.len() >= 43);
        let stored: Vec<String> = sqlx::query_scalar("SELECT id_hash FROM sessions").fetch_all(&app.db).await.unwrap();
        assert!(!stored.contains(&value), "the cookie value itself is not stored");
        let link_rows: Vec<String> =
            sqlx::query_scalar("SELECT token_hash FROM sign_in_links").fetch_all(&app.db).await.unwrap();
        assert!(!link_rows.contains(&t), "the link secret itself is not stored");
    })
}

#[test]
fn a_new_sign_in_replaces_the_session_presented() {
    run(async {
        let app = TestApp::spawn().await;
        let old = app.sign_up("ada@example.com", "ada", "Ada").await;
        let t = app.request_link("ada@example.com").await;
        let res = app.confirm(&t, Some(&old)).await;
        let new = session_cookie(&res).unwrap();
        assert_ne!(old, new);
        assert_eq!(app.get("/user/ada", Some(&old)).await.status(), StatusCode::FOUND);
        assert_eq!(app.get("/user/ada", Some(&new)).await.status(), StatusCode::OK);
    })
}

#[test]
fn sign_in_requests_are_rate_limited() {
    run(async {
        let app = TestApp::spawn().await;
        for _ in 0..5 {
            app.request_link("ada@example.com").await;
        }
        let before = app.mail_count();
        let res = app.post_form("/sfn/request_sign_in_link", &[("email", "ada@example.com")], None).await;
        assert!(res.headers().contains_key("serverfnerror"));
        assert_ne!(location(&res), "/login?sent=1");
        let body = res.text().await.unwrap();
        assert!(body.contains("RateLimited"), "{body}");
        assert_eq!(app.mail_count(), before, "no sixth mail");
    })
}

#[test]
fn a_malformed_address_is_refused_without_mail() {
    run(async {
        let app = TestApp::spawn().await;
        let res = app.post_form("/sfn/request_sign_in_link", &[("email", "not an address")], None).await;
        assert_ne!(location(&res), "/login?sent=1");
        assert_eq!(app.mail_count(), 0);
    })
}

#[test]
fn sign_in_returns_to_the_page_asked_for() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app
            .post_form(
                "/sfn/request_sign_in_link",
                &[("email", "ada@example.com"), ("next", "/user/ada/activity")],
                None,
            )
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        let t = link_secret(&app.last_mail_to("ada@example.com").unwrap());
        let res = app.confirm(&t, None).await;
        assert_eq!(location(&res), "/user/ada/activity");
        // Somewhere else entirely is not followed.
        app.post_form("/sfn/request_sign_in_link", &[("email", "ada@example.com"), ("next", "//evil.example")], None)
            .await;
        let t = link_secret(&app.last_mail_to("ada@example.com").unwrap());
        let res = app.confirm(&t, None).await;
        assert_eq!(location(&res), "/user/ada");
    })
}

#[test]
fn an_idle_session_ends() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.exec("UPDATE sessions SET last_seen_at = last_seen_at - 25 * 3600 * 1000").await;
        assert!(!app.is_signed_in("ada", &cookie).await);
    })
}

#[test]
fn a_session_ends_at_its_absolute_limit_however_active() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        // Started 15 days ago, seen a minute ago.
        app.exec("UPDATE sessions SET created_at = created_at - 15 * 24 * 3600 * 1000, last_seen_at = last_seen_at - 60 * 1000").await;
        app.exec("UPDATE users SET token_min_issued_at = 0").await;
        assert!(!app.is_signed_in("ada", &cookie).await);
    })
}

#[test]
fn sessions_started_before_token_min_issued_at_are_dead() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        assert!(app.is_signed_in("ada", &cookie).await);
        app.exec("UPDATE users SET token_min_issued_at = token_min_issued_at + 1000").await;
        assert!(!app.is_signed_in("ada", &cookie).await);
    })
}

#[test]
fn an_active_session_is_refreshed_at_most_once_a_minute() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let seen = || async {
            sqlx::query_scalar::<_, i64>("SELECT last_seen_at FROM sessions").fetch_one(&app.db).await.unwrap()
        };
        let first = seen().await;
        app.get("/user/ada", Some(&cookie)).await;
        assert_eq!(seen().await, first, "a page read soon after does not write");
        app.exec("UPDATE sessions SET last_seen_at = last_seen_at - 2 * 60 * 1000").await;
        app.get("/user/ada", Some(&cookie)).await;
        assert!(seen().await > first - 2 * 60 * 1000, "an older session is refreshed");
    })
}
