//! The top of the crate and the server's one door into it: the page
//! routes, the API router, the routes that answer with files, the worker
//! that runs every feature's jobs, the demo account and what an operator
//! does from the command line. The only place
//! that knows every feature.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod jobs;
mod lazy;
#[cfg(feature = "ssr")]
mod openapi;
#[cfg(feature = "ssr")]
pub mod operator;
mod pages;

pub use pages::App;
#[cfg(feature = "ssr")]
pub use pages::{page_policy, reload_source, shell};
