//! Custom avatars: whatever arrives is sniffed, decoded within limits,
//! re-encoded to square PNGs and served by content hash; anything else is
//! a 4xx that stores nothing.

use crate::api::new_token;
use crate::harness::*;
use image::{DynamicImage, Rgb, RgbImage};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::io::Cursor;
use std::time::{Duration, Instant};

pub fn photo(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| Rgb([(x * 255 / width) as u8, (y * 255 / height) as u8, 128]));
    let mut out = Vec::new();
    DynamicImage::ImageRgb8(img).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

pub fn form(handle: &str, name: &str, bytes: Vec<u8>) -> Form {
    Form::new().text("handle", handle.to_owned()).part("avatar", Part::bytes(bytes).file_name(name.to_owned()))
}

/// The upload server function, as the page calls it.
pub async fn upload(app: &TestApp, cookie: &str, form: Form) -> reqwest::Response {
    app.raw_client()
        .post(app.url("/sfn/upload_avatar"))
        .header("cookie", cookie)
        .header("sec-fetch-site", "same-origin")
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn stored(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM avatars").fetch_one(&app.db).await.unwrap()
}

async fn viewer_avatar(app: &TestApp, cookie: &str) -> String {
    let v: Value = app.call("/sfn/viewer", &[], cookie).await.json().await.unwrap();
    v["avatar"].as_str().unwrap().to_owned()
}

#[test]
fn a_photo_becomes_two_square_pngs_served_by_hash() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let default = viewer_avatar(&app, &ada).await;
        assert!(default.ends_with(".svg"));
        let res = upload(&app, &ada, form("ada", "me.jpg", photo(1200, 900))).await;
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        let path: String = res.json().await.unwrap();
        assert!(path.starts_with("/avatar/c/") && path.ends_with(".png"), "{path}");
        assert_eq!(viewer_avatar(&app, &ada).await, path);

        for (p, side) in [(path.clone(), 256), (path.replace(".png", "@2x.png"), 512)] {
            let res = app.get(&p, None).await;
            assert_eq!(res.status(), StatusCode::OK);
            let h = res.headers().clone();
            assert_eq!(h["content-type"], "image/png");
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
            let etag = h["etag"].to_str().unwrap().to_owned();
            assert!(etag.starts_with('"'), "a strong ETag: {etag}");
            let img = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
            assert_eq!((img.width(), img.height()), (side, side));
            let again = app.raw_client().get(app.url(&p)).header("if-none-match", &etag).send().await.unwrap();
            assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        }
        let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'user.avatar.update'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(audit, 1);

        // Reset: back to the generated one.
        let res = app.call("/sfn/reset_avatar", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(viewer_avatar(&app, &ada).await, default);
        assert_eq!(stored(&app).await, 0);
        assert_eq!(app.get(&path, None).await.status(), StatusCode::NOT_FOUND);
    })
}

#[test]
fn anything_but_a_jpeg_or_png_is_refused_and_nothing_is_stored() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let jpeg = photo(300, 200);
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("a.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), "JPEG or PNG"),
            ("a.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec(), "JPEG or PNG"),
            ("a.png", b"<html><script>alert(1)</script></html>".to_vec(), "JPEG or PNG"),
            ("a.jpg", jpeg[..jpeg.len() / 3].to_vec(), "could not be read"),
            ("a.png", Vec::new(), "empty"),
        ];
        for (name, bytes, message) in cases {
            let res = upload(&app, &ada, form("ada", name, bytes)).await;
            assert!(!res.status().is_success(), "{name}");
            assert!(res.status().as_u16() < 500, "{name}: {}", res.status());
            let text = res.text().await.unwrap();
            assert!(text.contains(message), "{name}: {text}");
        }
        // Not a multipart form at all: a clear 400, never a crash.
        let res = app
            .raw_client()
            .post(app.url("/sfn/upload_avatar"))
            .header("cookie", &ada)
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("handle=ada")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(stored(&app).await, 0);
    })
}

/// A PNG that says it is 20000×20000 pixels: 66 bytes that would decode
/// to over a gigabyte.
fn bomb() -> Vec<u8> {
    include_bytes!("../../../fixtures/png-bomb-20000x20000.png").to_vec()
}

#[test]
fn a_decompression_bomb_is_refused_quickly() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let bytes = bomb();
        assert!(bytes.len() < 4096);
        let start = Instant::now();
        let res = upload(&app, &ada, form("ada", "bomb.png", bytes)).await;
        let took = start.elapsed();
        assert!(
            res.status().is_client_error() || (!res.status().is_success() && res.status().as_u16() < 500),
            "{}",
            res.status()
        );
        let text = res.text().await.unwrap();
        assert!(text.contains("20000×20000"), "{text}");
        assert!(took < Duration::from_secs(1), "{took:?}");
        assert_eq!(stored(&app).await, 0);
    })
}

#[test]
fn another_persons_avatar_is_out_of_reach() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        let res = upload(&app, &bob, form("ada", "me.jpg", photo(300, 300))).await;
        assert!(!res.status().is_success());
        assert_eq!(stored(&app).await, 0);
        let (_, token) = new_token(&app, "bob", &bob).await;
        let res = app
            .raw_client()
            .post(app.url("/api/v0/user/ada/avatar"))
            .bearer_auth(&token)
            .multipart(form("ada", "me.jpg", photo(300, 300)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.api(Method::DELETE, "/user/ada/avatar", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(stored(&app).await, 0);
    })
}

#[test]
fn the_api_sets_and_deletes_the_avatar() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let res = app
            .raw_client()
            .post(app.url("/api/v0/user/ada/avatar"))
            .bearer_auth(&token)
            .multipart(Form::new().part("file", Part::bytes(photo(640, 480)).file_name("p.jpg")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let created: Value = res.json().await.unwrap();
        let url = created["avatar_url"].as_str().unwrap().to_owned();
        assert!(url.starts_with(&app.base) && url.contains("/avatar/c/"), "{url}");
        let user: Value = app.api(Method::GET, "/user/ada", Some(&token), None).await.json().await.unwrap();
        assert_eq!(user["avatar_url"], url.as_str());
        let res = app.api(Method::DELETE, "/user/ada/avatar", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let deleted: Value = res.json().await.unwrap();
        assert_eq!(deleted["avatar_url"], url.as_str());
        let user: Value = app.api(Method::GET, "/user/ada", Some(&token), None).await.json().await.unwrap();
        assert!(user["avatar_url"].as_str().unwrap().ends_with(".svg"));
        let again = app.api(Method::DELETE, "/user/ada/avatar", Some(&token), None).await;
        assert_eq!(again.status(), StatusCode::BAD_REQUEST);
        // Not a form, or a form without a file.
        let res = app
            .raw_client()
            .post(app.url("/api/v0/user/ada/avatar"))
            .bearer_auth(&token)
            .json(&serde_json::json!({ "avatar": "x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app
            .raw_client()
            .post(app.url("/api/v0/user/ada/avatar"))
            .bearer_auth(&token)
            .multipart(Form::new().text("note", "no file"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    })
}

#[test]
fn without_javascript_the_form_uploads_and_the_server_centre_crops() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app
            .raw_client()
            .post(app.url("/sfn/upload_avatar"))
            .header("cookie", &ada)
            .header("origin", &app.base)
            .header("accept", "text/html")
            .header("referer", app.url("/user/ada/advanced/profile"))
            .multipart(form("ada", "wide.jpg", photo(1600, 400)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FOUND);
        let path = viewer_avatar(&app, &ada).await;
        let png = app.get(&path.replace(".png", "@2x.png"), None).await.bytes().await.unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (512, 512));
        // The centre 400×400 of a left-to-right red ramp: red runs from
        // about 1/3 to 2/3 of full across the square.
        let (left, right) = (img.get_pixel(5, 256)[0], img.get_pixel(506, 256)[0]);
        assert!((70..=110).contains(&left) && (145..=185).contains(&right), "{left} {right}");
    })
}

/// A web server on this machine with an image, a text file and a redirect.
async fn image_host() -> String {
    use axum::routing::get;
    let jpeg = photo(800, 600);
    let router = axum::Router::new()
        .route("/me.jpg", get(move || async move { ([("content-type", "image/jpeg")], jpeg) }))
        .route("/notes.txt", get(|| async { "just text" }))
        .route("/moved", get(|| async { (StatusCode::FOUND, [("location", "/me.jpg")]) }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}

async fn set_url(app: &TestApp, cookie: &str, url: &str) -> reqwest::Response {
    app.call("/sfn/set_avatar_url", &[("handle", "ada"), ("avatar_url", url)], cookie).await
}

#[test]
fn an_avatar_url_is_fetched_once_and_served_by_sluice() {
    run(async {
        let options = Options { avatar_fetch_private: true, ..Options::default() };
        let app = TestApp::spawn_with(options, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let host = image_host().await;
        let url = format!("{host}/me.jpg");
        let res = set_url(&app, &ada, &url).await;
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        let path = viewer_avatar(&app, &ada).await;
        assert!(path.starts_with("/avatar/c/"), "served by Sluice, not hot-linked: {path}");
        let shown: Option<String> = app.call("/sfn/avatar_url", &[("handle", "ada")], &ada).await.json().await.unwrap();
        assert_eq!(shown.as_deref(), Some(url.as_str()));
        let png = app.get(&path, None).await.bytes().await.unwrap();
        assert_eq!(image::load_from_memory(&png).unwrap().width(), 256);

        // Not an image, missing, redirected, not http: refused, avatar kept.
        for bad in [
            format!("{host}/notes.txt"),
            format!("{host}/missing.png"),
            format!("{host}/moved"),
            "ftp://example.com/a.png".to_owned(),
            "https://user:pw@example.com/a.png".to_owned(),
        ] {
            let res = set_url(&app, &ada, &bad).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
            assert_eq!(viewer_avatar(&app, &ada).await, path, "{bad}");
        }
        // Empty: back to the generated avatar.
        let res = set_url(&app, &ada, "").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(viewer_avatar(&app, &ada).await.ends_with(".svg"));
    })
}

#[test]
fn an_avatar_url_may_not_reach_a_private_address() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let host = image_host().await;
        for url in [
            format!("{host}/me.jpg"),
            "http://169.254.169.254/latest/meta-data".to_owned(),
            "http://[::1]:9/x.png".to_owned(),
            "http://localhost/x.png".to_owned(),
            // IPv4-compatible and NAT64 forms of loopback and private
            // addresses, site-local IPv6, IETF protocol assignments.
            "http://[::127.0.0.1]:9/x.png".to_owned(),
            "http://[::10.0.0.1]:9/x.png".to_owned(),
            "http://[64:ff9b::7f00:1]:9/x.png".to_owned(),
            "http://[fec0::1]:9/x.png".to_owned(),
            "http://192.0.0.1:9/x.png".to_owned(),
        ] {
            let res = set_url(&app, &ada, &url).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{url}");
            let text = res.text().await.unwrap();
            assert!(text.contains("private network"), "{url}: {text}");
        }
        assert_eq!(stored(&app).await, 0);
    })
}

/// A small baseline JPEG whose frame header is made to say `width` ×
/// `height`, and progressive when `progressive`: the header is all that
/// the budget reads.
fn jpeg_claiming(width: u16, height: u16, progressive: bool) -> Vec<u8> {
    let mut out = photo(16, 16);
    let at = out.windows(2).position(|w| w == [0xFF, 0xC0]).expect("a baseline frame");
    if progressive {
        out[at + 1] = 0xC2;
    }
    out[at + 5..at + 7].copy_from_slice(&height.to_be_bytes());
    out[at + 7..at + 9].copy_from_slice(&width.to_be_bytes());
    out
}

#[test]
fn a_progressive_jpeg_counts_the_decoders_coefficients_in_the_budget() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        // 6900×6900: 143 MB of picture fits the budget, but a progressive
        // decoder keeps as much again in coefficients until its last scan.
        let start = Instant::now();
        let res = upload(&app, &ada, form("ada", "progressive.jpg", jpeg_claiming(6900, 6900, true))).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let text = res.text().await.unwrap();
        assert!(text.contains("more than Sluice can process"), "{text}");
        assert!(start.elapsed() < Duration::from_secs(1), "refused before decoding");
        assert_eq!(stored(&app).await, 0);
    })
}
