//! Mail Sluice sends about an account. System notifications (a new token,
//! a rotated password, Reset authentication) cannot be turned off.

#[cfg(feature = "ssr")]
pub mod ssr;
