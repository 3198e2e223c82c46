//! Which release of the site's built files (`/pkg/`) a page names.

use std::sync::Arc;

/// What comes before `/pkg/` in a page's links to the site's built files.
///
/// In production it is `/v/{hash}`, the hash being of every file in the
/// folder: a release's files have names no other release's have, so a
/// browser may keep them for a year without asking, and a page from a new
/// release names the new ones. Empty in development, where the files
/// change under a running server.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Release(Arc<str>);

impl Release {
    /// Where every release's files are served.
    pub const PREFIX: &'static str = "/v/";

    pub fn versioned(hash: &str) -> Self {
        Self(format!("{}{hash}", Self::PREFIX).into())
    }

    pub fn unversioned() -> Self {
        Self::default()
    }

    /// `/v/{hash}`, or empty.
    pub fn root(&self) -> &str {
        &self.0
    }
}
