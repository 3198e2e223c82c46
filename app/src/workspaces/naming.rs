//! How workspaces are named: the database name each gets and the DNS
//! name it is reached at.

use crate::infra::ids::new_id;

use crate::infra::Settings;

/// A database name like `d4k2m9q1x7`: a letter, then random base32hex.
pub fn database_name() -> String {
    new_id("d").replace('_', "")[..11].to_owned()
}

pub fn dns_name(settings: &Settings, workspace: &str, handle: &str, region: &str) -> String {
    format!("{workspace}-{handle}.{region}.db.{}", settings.db_domain)
}
