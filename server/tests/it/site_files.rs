//! The site's built files: asked for again by the browser each time, a
//! `304` while unchanged, compressed copies when the browser takes them,
//! nothing outside the folder.

use crate::harness::*;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, IF_MODIFIED_SINCE, LAST_MODIFIED, VARY,
};
use reqwest::{Client, StatusCode};

#[test]
fn the_sites_files_are_asked_for_again_and_answer_304_while_unchanged() {
    run(async {
        let app = TestApp::spawn().await;
        let site = app.dir.path().join("site");
        std::fs::create_dir_all(site.join("pkg")).unwrap();
        std::fs::write(site.join("pkg/sluice.wasm"), b"\0asm\x01\0\0\0 the module").unwrap();
        std::fs::write(site.join("pkg/sluice.wasm.br"), b"the module, brotli").unwrap();
        std::fs::write(site.join("pkg/chunk_1.wasm"), b"\0asm\x01\0\0\0 a chunk").unwrap();
        // Beside the site, in the data folder (as the server's key is).
        std::fs::write(app.dir.path().join("outside.txt"), b"not part of the site").unwrap();
        let client = Client::new();
        let get = |path: &str| client.get(app.url(path)).header(ACCEPT_ENCODING, "identity");

        let res = get("/pkg/sluice.wasm").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache");
        assert_eq!(res.headers()[CONTENT_TYPE], "application/wasm");
        assert_eq!(res.headers()[VARY], "accept-encoding", "the copy sent depends on Accept-Encoding");
        assert_eq!(res.headers()["x-content-type-options"], "nosniff", "the security headers too");
        let modified = res.headers()[LAST_MODIFIED].clone();
        assert_eq!(&res.bytes().await.unwrap()[..], b"\0asm\x01\0\0\0 the module");

        // Asked again: unchanged, so no body.
        let res = get("/pkg/sluice.wasm").header(IF_MODIFIED_SINCE, modified.clone()).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache");
        assert!(res.bytes().await.unwrap().is_empty());

        // Changed by a release (its time moves forward): the new file.
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        let file = std::fs::File::options().write(true).open(site.join("pkg/sluice.wasm")).unwrap();
        file.set_modified(later).unwrap();
        let res = get("/pkg/sluice.wasm").header(IF_MODIFIED_SINCE, modified).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(&res.bytes().await.unwrap()[..], b"\0asm\x01\0\0\0 the module");

        // The brotli copy for a browser that takes it; the plain file for one that does not.
        let res = client.get(app.url("/pkg/sluice.wasm")).header(ACCEPT_ENCODING, "br").send().await.unwrap();
        assert_eq!(res.headers()[CONTENT_ENCODING], "br");
        assert_eq!(res.headers()[VARY], "accept-encoding");
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache");
        let res = get("/pkg/chunk_1.wasm").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers().get(CONTENT_ENCODING).is_none());

        // Nothing that is not there, and nothing outside the folder
        // (slashes written as %2f reach the server as they are).
        for path in [
            "/pkg/nothing.js",
            "/pkg/..%2f..%2foutside.txt",
            "/pkg/%2e%2e%2f%2e%2e%2foutside.txt",
            "/pkg/..%2f..%2fsecret.key",
            "/pkg/..%5c..%5coutside.txt",
        ] {
            let res = get(path).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            let body = res.text().await.unwrap();
            assert!(!body.contains("not part of the site") && body.len() < 64, "{path}: {body}");
        }
    })
}
