//! The site's built files under `/pkg/`: the browser module, its script,
//! wasm-split's chunks and manifest, the stylesheet, each also as brotli
//! and gzip copies.
//!
//! Their names stay the same from one release to the next, so a browser
//! must not keep one on its own judgement: with only `Last-Modified`, it
//! keeps a file for a tenth of the file's age without asking, and after a
//! release would run a module it kept beside chunks and a page from the new
//! one. Each answer says `no-cache`, and a browser that asks again with
//! `If-Modified-Since` gets a `304` without the body while the file is
//! unchanged. The answer depends on `Accept-Encoding` (a brotli or gzip
//! copy, or the file), and says so in `Vary`, so that a cache between the
//! browser and Sluice never hands one client's copy to another that cannot
//! read it. (Leptos's file fallback forwards only `Accept-Encoding`, so it
//! could never answer `304`; it still serves the site's other files, the
//! favicon.)

use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::HeaderValue;
use axum::Router;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use app::infra::AppState;

/// `/{site-pkg-dir}/…`, served from the site root's copy of it.
pub fn routes(options: &LeptosOptions) -> Router<AppState> {
    let dir = std::path::Path::new(&*options.site_root).join(&*options.site_pkg_dir);
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let files = SetResponseHeader::overriding(files, CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    let files = SetResponseHeader::appending(files, VARY, HeaderValue::from_static("accept-encoding"));
    Router::new().nest_service(&format!("/{}", options.site_pkg_dir), files)
}
