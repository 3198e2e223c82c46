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

/// The path before `/pkg/` that `page` names its stylesheet under.
fn release_root(page: &str) -> String {
    let end = page.find("/pkg/sluice.css").expect("the page names its stylesheet");
    let start = page[..end].rfind('"').expect("in an attribute") + 1;
    page[start..end].to_owned()
}

#[test]
fn pages_name_their_releases_files_which_are_kept_a_year_and_change_with_the_release() {
    run(async {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("site/pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        std::fs::write(pkg.join("sluice.wasm"), b"\0asm\x01\0\0\0 release one").unwrap();
        std::fs::write(pkg.join("sluice.js"), b"export default function () {}").unwrap();
        std::fs::write(pkg.join("sluice.css"), b"body { margin: 0 }").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"not part of the site").unwrap();
        let production = || Options { production: true, ..Options::default() };
        let app = TestApp::spawn_with(production(), Some(dir)).await;
        let client = Client::new();
        let get = |app: &TestApp, path: &str| client.get(app.url(path)).header(ACCEPT_ENCODING, "identity").send();

        let page = get(&app, "/login").await.unwrap().text().await.unwrap();
        let first = release_root(&page);
        assert!(first.starts_with("/v/") && first.len() == "/v/".len() + 16, "{first}");
        // (The module is `sluice_bg.wasm` in builds cargo-leptos did not make.)
        for files in [&["sluice.css"][..], &["sluice.js"], &["sluice.wasm", "sluice_bg.wasm"]] {
            let named = files.iter().any(|file| page.contains(&format!("href=\"{first}/pkg/{file}\"")));
            assert!(named, "{files:?} named under {first}");
        }
        assert!(!page.contains("\"/pkg/"), "nothing is named by its unversioned path");

        // Kept a year without asking; the copy still depends on Accept-Encoding.
        let res = get(&app, &format!("{first}/pkg/sluice.wasm")).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert_eq!(res.headers()[CONTENT_TYPE], "application/wasm");
        assert_eq!(res.headers()[VARY], "accept-encoding");
        assert_eq!(&res.bytes().await.unwrap()[..], b"\0asm\x01\0\0\0 release one");
        // The unversioned name is still served, asked for again each time.
        let res = get(&app, "/pkg/sluice.wasm").await.unwrap();
        assert_eq!(res.headers()[CACHE_CONTROL], "no-cache");
        // Another release's path, and nothing outside the folder.
        for path in [
            "/v/0123456789abcdef/pkg/sluice.wasm".to_owned(),
            format!("{first}/pkg/nothing.js"),
            format!("{first}/pkg/..%2f..%2foutside.txt"),
            format!("{first}/pkg/%2e%2e%2f%2e%2e%2foutside.txt"),
        ] {
            let res = get(&app, &path).await.unwrap();
            assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
            assert_ne!(
                res.headers().get(CACHE_CONTROL).map(|v| v.to_str().unwrap()),
                Some("public, max-age=31536000, immutable")
            );
            assert!(!res.text().await.unwrap().contains("not part of the site"), "{path}");
        }

        // The next release: one file changed. Its pages name new paths;
        // the old release's are not served by it.
        std::fs::write(app.dir.path().join("site/pkg/sluice.wasm"), b"\0asm\x01\0\0\0 release two").unwrap();
        let app = app.restart(production()).await;
        let page = get(&app, "/login").await.unwrap().text().await.unwrap();
        let second = release_root(&page);
        assert_ne!(second, first, "a new release, new names");
        let res = get(&app, &format!("{second}/pkg/sluice.wasm")).await.unwrap();
        assert_eq!(&res.bytes().await.unwrap()[..], b"\0asm\x01\0\0\0 release two");
        assert_eq!(get(&app, &format!("{first}/pkg/sluice.wasm")).await.unwrap().status(), StatusCode::NOT_FOUND);

        // The same files, the same names: a restart keeps them.
        let app = app.restart(production()).await;
        let page = get(&app, "/login").await.unwrap().text().await.unwrap();
        assert_eq!(release_root(&page), second);
    })
}
