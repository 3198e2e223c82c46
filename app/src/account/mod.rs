//! The account page `/user/{handle}`: its tabs (Workspaces, Activity,
//! Advanced), what they list, and the rule that a person sees only their
//! own account (another handle is a 404, never data).

mod advanced;
#[cfg(feature = "ssr")]
pub mod api;
mod layout;
mod workspaces;

pub use advanced::{AdvancedIndex, AdvancedLayout};
pub use layout::AccountLayout;
pub use workspaces::{WorkspacesData, WorkspacesTab};
