//! Sluice's user interface and the operations behind it. Each feature keeps
//! its wire types, server functions and components together; what must never
//! reach the browser (SQL, secrets, mail) sits behind the `ssr` feature.

#![recursion_limit = "256"]

pub mod account;
#[cfg(feature = "ssr")]
pub mod api;
pub mod audit;
pub mod avatar;
pub mod billing;
pub mod cli_login;
pub mod credentials;
pub mod deletion;
#[cfg(feature = "ssr")]
pub mod endpoint;
pub mod error;
pub mod flash;
pub mod handle;
pub mod login;
pub mod notifications;
pub mod notify;
pub mod password;
pub mod profile;
pub mod session;
pub mod shell;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod tokens;
pub mod usage;

pub use shell::{shell, App};
