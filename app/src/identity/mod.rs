//! Proving who one is: passkeys (WebAuthn) to sign in without e-mail and
//! to confirm it is you, and "Confirm it is you" itself, which asks for a
//! passkey or a code from the account's e-mail before the irreversible
//! (the check is `access::proof`); and Reset Authentication, which ends
//! every way in at once.

pub mod passkeys;
pub mod proof;
pub mod reset;

pub use passkeys::{PasskeysSection, SignInWithPasskey};
pub use proof::{ConfirmPage, Proven, Then};
pub use reset::ResetSection;
