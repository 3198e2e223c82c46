//! Database Password (Credentials & Access): every person has one; it is
//! in the connection string of each of their workspaces, shown masked with
//! Reveal and Copy, and Rotate Password replaces it and carries the new
//! one to every workspace.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod jobs;
#[cfg(feature = "ssr")]
pub mod ssr;
#[cfg(feature = "ssr")]
pub mod verifier;
mod view;

pub use view::{flashed_password, Connections, PasswordSection};

pub use shared::DEFAULT_DB_PORT as PORT;

/// One workspace's connection, without the password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceConnection {
    pub handle: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub database: String,
    /// The workspace accepts the current password (else it is on its way).
    pub updated: bool,
    /// Its cluster has it ready and open to its owner.
    pub reachable: bool,
    /// The address psql connects to instead of resolving `host`, where
    /// workspace DNS names do not resolve (localhost).
    pub hostaddr: Option<String>,
    /// Its PostgreSQL speaks TLS: the string asks for it (`sslmode=require`).
    pub tls: bool,
    /// A running cluster holds it (else it waits for one: no engine ran
    /// when it was made, or its cluster is no longer configured).
    pub placed: bool,
    /// Closed past the storage limit until it is below.
    #[serde(default)]
    pub paused: bool,
}

impl WorkspaceConnection {
    /// `postgres://{handle}:{password}@{host}:9193/{database}`, and
    /// `?sslmode=require` when its PostgreSQL speaks TLS.
    pub fn connection_string(&self, password: &str) -> String {
        let tls = if self.tls { "?sslmode=require" } else { "" };
        format!("postgres://{}:{}@{}:{}/{}{tls}", self.user, password, self.host, self.port, self.database)
    }

    /// A `psql` command to paste in a terminal.
    pub fn psql_command(&self, password: &str) -> String {
        let joiner = if self.tls { '&' } else { '?' };
        let hostaddr = self.hostaddr.as_ref().map(|a| format!("{joiner}hostaddr={a}")).unwrap_or_default();
        format!("psql \"{}{hostaddr}\"", self.connection_string(password))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordOverview {
    pub created_at: String,
    pub workspaces: Vec<WorkspaceConnection>,
}

impl PasswordOverview {
    pub fn all_updated(&self) -> bool {
        self.workspaces.iter().all(|w| w.updated)
    }

    /// Nothing is on its way: every workspace has the current password
    /// and, where a cluster holds it, can be reached (a new workspace is
    /// not for the moment it takes to make its role and database).
    pub fn settled(&self) -> bool {
        self.all_updated() && self.workspaces.iter().all(|w| w.reachable || !w.placed)
    }
}

/// The password revealed by a plain form post, for the page it returns to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RevealedPassword(pub String);

impl crate::access::flash::Flashed for RevealedPassword {
    const KIND: &'static str = "password";
}

#[server(prefix = "/sfn", endpoint = "database_password")]
pub async fn database_password(handle: String) -> Result<PasswordOverview, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::overview(&state, &viewer.id, &viewer.handle).await?)
}

/// The password itself, asked for by Reveal or Copy.
#[server(prefix = "/sfn", endpoint = "reveal_password")]
pub async fn reveal_password(handle: String) -> Result<String, AppError> {
    let viewer = crate::access::owner_of(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    // The password opens every workspace: a stale session proves itself.
    crate::access::proof::require(&state, &crate::infra::request::parts()?).await?;
    let current = ssr::current(&state.db, &state.vault, &viewer.id).await?;
    let password = current.password.expose().clone();
    if crate::access::flash::ssr::divert(&state, &viewer.id, || {
        crate::access::flash::Flash::of(&RevealedPassword(password.clone()))
    }) {
        return Ok(String::new());
    }
    Ok(password)
}

#[server(prefix = "/sfn", endpoint = "rotate_password")]
pub async fn rotate_password(handle: String) -> Result<(), AppError> {
    let actor = crate::access::owner_actor(&handle).await?;
    let state = crate::infra::AppState::from_context()?;
    Ok(ssr::rotate(&state, &actor, None).await.map(drop)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ada's first workspace, current and reachable.
    fn default_workspace() -> WorkspaceConnection {
        WorkspaceConnection {
            handle: "default".into(),
            host: "default-ada.us-east-1.db.sluice.localhost".into(),
            port: PORT,
            user: "ada".into(),
            database: "d4k2m9q1x7".into(),
            updated: true,
            reachable: true,
            hostaddr: None,
            tls: false,
            placed: true,
            paused: false,
        }
    }

    #[test]
    fn connection_strings_have_the_documented_shape() {
        let w = default_workspace();
        assert_eq!(
            w.connection_string("pw"),
            "postgres://ada:pw@default-ada.us-east-1.db.sluice.localhost:9193/d4k2m9q1x7"
        );
        assert_eq!(
            w.psql_command("pw"),
            "psql \"postgres://ada:pw@default-ada.us-east-1.db.sluice.localhost:9193/d4k2m9q1x7\""
        );
        let local = WorkspaceConnection { hostaddr: Some("127.0.0.1".into()), ..w.clone() };
        assert!(local.psql_command("pw").ends_with("/d4k2m9q1x7?hostaddr=127.0.0.1\""));
        let tls = WorkspaceConnection { tls: true, ..w };
        assert!(tls.connection_string("pw").ends_with("/d4k2m9q1x7?sslmode=require"));
        let both = WorkspaceConnection { hostaddr: Some("127.0.0.1".into()), ..tls };
        assert!(both.psql_command("pw").ends_with("/d4k2m9q1x7?sslmode=require&hostaddr=127.0.0.1\""));
    }

    #[test]
    fn settled_waits_for_the_password_and_for_reachability() {
        let w = default_workspace();
        let overview =
            |workspaces: Vec<WorkspaceConnection>| PasswordOverview { created_at: String::new(), workspaces };
        assert!(overview(vec![w.clone()]).settled());
        let pending = WorkspaceConnection { updated: false, ..w.clone() };
        assert!(!overview(vec![w.clone(), pending]).settled());
        // A new workspace whose role and database are still being made.
        let fresh = WorkspaceConnection { reachable: false, ..w.clone() };
        assert!(!overview(vec![w.clone(), fresh.clone()]).settled());
        // One waiting for an engine is not on its way: nothing to wait for.
        assert!(overview(vec![WorkspaceConnection { placed: false, ..fresh }]).settled());
    }
}
