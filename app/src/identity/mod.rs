//! Proving who one is: passkeys (WebAuthn) to sign in without e-mail and
//! to confirm it is you, and "Confirm it is you" itself, which asks for a
//! passkey or a code from the account's e-mail before the irreversible
//! (the check is `access::proof`); a second factor the owner can require
//! (`second_factor/`); and Reset Authentication, which ends every way in
//! at once.

pub mod confirm_it_is_you;
pub mod passkeys;
pub mod reset;
pub mod second_factor;

pub use confirm_it_is_you::{ConfirmItIsYouPage, ProofData, Proven, Then};
pub use passkeys::{PasskeysSection, SignInWithPasskey};
pub use reset::ResetSection;
pub use second_factor::SecondFactorSection;
