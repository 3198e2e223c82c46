//! The site's built files under `/pkg/`: the browser module, its script,
//! wasm-split's chunks and manifest, the stylesheet, each also as brotli
//! and gzip copies.
//!
//! Pages name them under their release's own path, `/v/{hash}/pkg/…`, the
//! hash being of every file in the folder as the process found it at
//! start ([`release`]): a browser keeps those for a year without asking
//! (`immutable`), and a page from the next release names new ones. Another
//! release's path is not found here (a process serves the files it has).
//!
//! Under `/pkg/` itself (what development pages name, and anything that
//! remembers an old name) they keep their names from one release to the
//! next, so a browser must not keep one on its own judgement: with only
//! `Last-Modified`, it keeps a file for a tenth of the file's age without
//! asking, and after a release would run a module it kept beside chunks and
//! a page from the new one. Each answer there says `no-cache`, and a
//! browser that asks again with `If-Modified-Since` gets a `304` without
//! the body while the file is unchanged.
//!
//! Every answer depends on `Accept-Encoding` (a brotli or gzip copy, or the
//! file), and says so in `Vary`, so that a cache between the browser and
//! Sluice never hands one client's copy to another that cannot read it.
//! (Leptos's file fallback forwards only `Accept-Encoding`, so it could
//! never answer `304`; it still serves the site's other files, the
//! favicon.)

use std::path::{Path, PathBuf};

use axum::http::header::{CACHE_CONTROL, VARY};
use axum::http::{HeaderValue, Response};
use axum::Router;
use leptos::config::{Env, LeptosOptions};
use sha2::{Digest, Sha256};
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

use app::infra::release::Release;
use app::infra::AppState;

/// `/{site-pkg-dir}/…`, served from the site root's copy of it, and the
/// same files under `release`'s own path.
pub fn routes(options: &LeptosOptions, release: &Release) -> Router<AppState> {
    let dir = pkg_dir(options);
    let pkg = format!("/{}", options.site_pkg_dir);
    let router = Router::new().nest_service(&pkg, files(&dir, asked_again));
    if release.root().is_empty() {
        return router;
    }
    router.nest_service(&format!("{}{pkg}", release.root()), files(&dir, kept_a_year))
}

type FilesAnswer = Response<ServeFileSystemResponseBody>;

/// The folder's files, compressed as the browser takes them, with the
/// `Cache-Control` that `cache` gives each answer.
type Files = SetResponseHeader<SetResponseHeader<ServeDir, fn(&FilesAnswer) -> Option<HeaderValue>>, HeaderValue>;

fn files(dir: &Path, cache: fn(&FilesAnswer) -> Option<HeaderValue>) -> Files {
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    let files = SetResponseHeader::overriding(files, CACHE_CONTROL, cache);
    SetResponseHeader::appending(files, VARY, HeaderValue::from_static("accept-encoding"))
}

fn asked_again(_: &FilesAnswer) -> Option<HeaderValue> {
    Some(HeaderValue::from_static("no-cache"))
}

/// A release's file is kept a year; a file it does not have is not.
fn kept_a_year(answer: &FilesAnswer) -> Option<HeaderValue> {
    Some(HeaderValue::from_static(if answer.status().is_success() {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }))
}

fn pkg_dir(options: &LeptosOptions) -> PathBuf {
    Path::new(&*options.site_root).join(&*options.site_pkg_dir)
}

/// The release of the files in the site's `pkg` folder as they are at
/// start (read once, off the async threads). None in development, where
/// they change under the running server, nor when there are none.
pub async fn release(options: &LeptosOptions) -> Release {
    if options.env == Env::DEV {
        return Release::unversioned();
    }
    let dir = pkg_dir(options);
    let hashed = tokio::task::spawn_blocking(move || hash_of(&dir)).await.map_err(std::io::Error::other);
    match hashed.and_then(|read| read) {
        Ok(Some(hash)) => Release::versioned(&hash),
        Ok(None) => Release::unversioned(),
        Err(error) => {
            tracing::warn!(%error, "the site's files could not be read; pages name them unversioned");
            Release::unversioned()
        }
    }
}

/// A hash of every file's name and bytes in `dir` (16 hex digits), or
/// `None` when it has no files.
fn hash_of(dir: &Path) -> std::io::Result<Option<String>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            names.push(entry.file_name());
        }
    }
    if names.is_empty() {
        return Ok(None);
    }
    names.sort();
    let mut hash = Sha256::new();
    for name in names {
        let name_bytes = name.as_encoded_bytes();
        let bytes = std::fs::read(dir.join(&name))?;
        // Lengths first, so that no two folders hash alike.
        hash.update((name_bytes.len() as u64).to_le_bytes());
        hash.update(name_bytes);
        hash.update((bytes.len() as u64).to_le_bytes());
        hash.update(&bytes);
    }
    Ok(Some(hash.finalize()[..8].iter().map(|b| format!("{b:02x}")).collect()))
}
