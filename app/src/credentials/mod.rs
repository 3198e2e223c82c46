//! Credentials & Access: API tokens, the database password, passkeys, sessions, and
//! Reset authentication.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::database_password::PasswordSection;
use crate::identity::{PasskeysSection, ResetSection};
use crate::sessions::SessionsSection;
use crate::tokens::TokensSection;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    view! {
        <Title text="Credentials & Access"/>
        <h2 class="page-title">"Credentials & Access"</h2>
        <TokensSection/>
        <PasswordSection/>
        <PasskeysSection/>
        <SessionsSection/>
        <ResetSection/>
    }
}
