//! The generated default avatar.

use crate::harness::*;
use reqwest::StatusCode;

#[test]
fn every_account_has_a_generated_avatar_served_with_long_caching() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id: String =
            sqlx::query_scalar("SELECT id FROM users WHERE handle = 'ada'").fetch_one(&app.db).await.unwrap();
        let page = app.get("/user/ada", Some(&ada)).await.text().await.unwrap();
        let path = format!("/avatar/{id}.svg");
        assert!(page.contains(&path), "the page shows the generated avatar");

        let res = app.get(&path, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        assert_eq!(h["content-type"], "image/svg+xml");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h["cache-control"].to_str().unwrap().contains("max-age=31536000"));
        let etag = h["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "a strong ETag");
        let body = res.text().await.unwrap();
        assert!(body.starts_with("<svg") && !body.contains("<script"));

        let again = app.raw_client().get(app.url(&path)).header("if-none-match", &etag).send().await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    })
}

#[test]
fn only_user_ids_have_avatars() {
    run(async {
        let app = TestApp::spawn().await;
        for path in ["/avatar/nope.svg", "/avatar/u_0123456789abcdefghij.png", "/avatar/..%2Fsluice.db"] {
            assert_eq!(app.get(path, None).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
    })
}
