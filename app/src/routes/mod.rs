//! The top of the crate: the page routes and the API router, the only
//! places that know every feature.

#[cfg(feature = "ssr")]
pub mod api;
mod lazy;
#[cfg(feature = "ssr")]
mod openapi;
mod pages;

#[cfg(feature = "ssr")]
pub use pages::{page_policy, reload_source};
pub use pages::{shell, App};
