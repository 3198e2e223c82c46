//! Credentials & Access: API tokens, the database password, passkeys, the
//! second factor, sessions and the networks they were used from, and
//! Reset authentication.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::database_password::PasswordSection;
use crate::identity::{PasskeysSection, ResetSection, SecondFactorSection};
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
        <SecondFactorSection/>
        <SessionsSection/>
        <ResetSection/>
    }
}
