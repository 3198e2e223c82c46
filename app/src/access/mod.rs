//! Who may do what: the signed-in person (session), the caller of the API
//! (bearer token), and the owner check every feature makes on the handle
//! in its path. Builds on `infra`; knows no feature.

#[cfg(feature = "ssr")]
pub mod bearer;
#[cfg(feature = "ssr")]
mod caller;
pub mod flash;
pub mod handover;
mod owner;
pub mod session;

#[cfg(feature = "ssr")]
pub use caller::{Caller, Owner};
pub use owner::use_handle;
#[cfg(feature = "ssr")]
pub use owner::{owner_actor, owner_of};
