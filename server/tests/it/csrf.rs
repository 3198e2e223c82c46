//! Cross-site requests cannot act with a person's cookie.

use crate::harness::*;
use reqwest::StatusCode;

#[test]
fn a_cross_site_post_is_refused() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app
            .raw_client()
            .post(app.url("/sfn/sign_out"))
            .header("cookie", &cookie)
            .header("sec-fetch-site", "cross-site")
            .header("origin", "https://evil.example")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(app.get("/user/ada", Some(&cookie)).await.status(), StatusCode::OK, "still signed in");
    })
}

#[test]
fn without_fetch_metadata_the_origin_must_match() {
    run(async {
        let app = TestApp::spawn().await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let post = |origin: Option<String>| {
            let mut req = app.raw_client().post(app.url("/sfn/viewer")).header("cookie", &cookie);
            if let Some(o) = origin {
                req = req.header("origin", o);
            }
            req.send()
        };
        assert_eq!(post(Some("https://evil.example".into())).await.unwrap().status(), StatusCode::FORBIDDEN);
        assert_eq!(post(None).await.unwrap().status(), StatusCode::FORBIDDEN, "a cookie with no origin at all");
        assert_eq!(post(Some(app.base.clone())).await.unwrap().status(), StatusCode::OK);
    })
}
