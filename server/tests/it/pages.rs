//! Who may see which page: signed-out visitors go to /login and come
//! back; another person's account pages do not exist for you.

use crate::harness::*;
use reqwest::StatusCode;

#[test]
fn signed_out_visitors_are_sent_to_sign_in_and_back() {
    run(async {
        let app = TestApp::spawn().await;
        for path in ["/user/ada", "/user/ada/activity", "/user/ada/advanced/profile"] {
            let res = app.get(path, None).await;
            assert_eq!(res.status(), StatusCode::FOUND, "{path}");
            let expected = format!("/login?next={path}");
            assert_eq!(location(&res), expected, "{path}");
        }
        let res = app.get("/settings", None).await;
        assert_eq!(location(&res), "/login?next=/settings");
    })
}

#[test]
fn settings_opens_the_user_profile() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.get("/settings", Some(&cookie)).await;
        assert_eq!(location(&res), "/user/ada/advanced/profile");
        let res = app.get("/user/ada/advanced/profile", Some(&cookie)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("User Profile") && html.contains("ada@example.com"));
    })
}

#[test]
fn another_persons_pages_are_not_found() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("grace@example.com", "grace", "Grace Hopper").await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        for path in ["/user/grace", "/user/grace/activity", "/user/grace/advanced/profile", "/user/nobody"] {
            let res = app.get(path, Some(&ada)).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            let html = res.text().await.unwrap();
            assert!(!html.contains("Grace Hopper") && !html.contains("grace@example.com"), "{path} leaks");
        }
        // The server functions behind the pages refuse too.
        let res = app.post_form("/sfn/workspaces", &[("handle", "grace")], Some(&ada)).await;
        let body = res.text().await.unwrap();
        assert!(!body.contains("default-grace"), "{body}");
    })
}

#[test]
fn pages_carry_security_headers() {
    run(async {
        let app = TestApp::spawn().await;
        for path in ["/login", "/user/ada", "/does-not-exist"] {
            let res = app.get(path, None).await;
            let h = res.headers();
            assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
            assert_eq!(h["x-frame-options"], "DENY", "{path}");
            assert_eq!(h["referrer-policy"], "same-origin", "{path}");
            let csp = h["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        }
        // Every page, every time (the header layer makes the nonce; the
        // page's inline scripts must all carry it, or none of them runs).
        for round in 0..20 {
            for path in ["/login", "/user/ada", "/does-not-exist"] {
                let res = app.get(path, None).await;
                let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
                assert!(csp.contains("'wasm-unsafe-eval'") && csp.contains("'nonce-"), "{path} (round {round}): {csp}");
                let nonce = csp.split("'nonce-").nth(1).unwrap().split('\'').next().unwrap().to_owned();
                let html = res.text().await.unwrap();
                let carried: Vec<&str> = html.split("nonce=\"").skip(1).filter_map(|s| s.split('"').next()).collect();
                assert!(!carried.is_empty(), "{path}: inline scripts carry a nonce");
                assert!(carried.iter().all(|n| *n == nonce), "{path}: {carried:?} against {nonce}");
            }
        }
    })
}

#[test]
fn unknown_pages_are_404() {
    run(async {
        let app = TestApp::spawn().await;
        let res = app.get("/no/such/page", None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(res.text().await.unwrap().contains("This page does not exist"));
    })
}
