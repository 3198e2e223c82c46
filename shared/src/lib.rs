//! Types and rules that both the browser and the server use, so that the
//! instant feedback a form gives is the same rule the server enforces.
//! Nothing here does I/O; everything compiles to WASM and native.

#![forbid(unsafe_code)]

pub mod avatar;
mod display_name;
mod email;
mod handle;
mod ids;
mod newtype;
mod token_access;
pub mod token_format;
mod token_status;

pub use display_name::{DisplayName, DisplayNameError};
pub use email::{Email, EmailError};
pub use handle::{Handle, HandleError, WorkspaceHandle};
pub use ids::{is_prefixed_id, ID_BODY_LEN};
pub use token_access::TokenAccess;
pub use token_status::{TokenStatus, UnknownTokenStatus};

/// A day in milliseconds (UTC days: no leap seconds in Unix time).
pub const DAY_MS: i64 = 86_400_000;

/// The port of Sluice's own PostgreSQL unless configured.
pub const DEFAULT_DB_PORT: u16 = 9193;
