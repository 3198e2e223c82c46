//! Sluice's user interface and the operations behind it. Each feature keeps
//! its wire types, server functions and components together; what must never
//! reach the browser (SQL, secrets, mail) sits behind the `ssr` feature.

#![recursion_limit = "256"]
#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod activity;
#[cfg(feature = "ssr")]
pub mod api;
pub mod avatar;
pub mod billing;
pub mod cli_login;
pub mod credentials;
pub mod data_export;
pub mod database_password;
pub mod deletion;
pub mod display_name;
pub mod email_change;
pub mod error;
pub mod handle;
pub mod identity;
#[cfg(feature = "ssr")]
pub mod infra;
pub mod login;
pub mod networks;
pub mod notifications;
pub mod profile;
pub mod routes;
pub mod sessions;
pub mod tokens;
pub mod ui;
pub mod usage;
pub mod workspaces;

#[cfg(feature = "ssr")]
pub use routes::shell;
pub use routes::App;
