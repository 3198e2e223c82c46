//! Credentials & Access: the API tokens (and, as they are built, the
//! database password and Reset authentication).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::tokens::TokensSection;

#[component]
pub fn CredentialsPage() -> impl IntoView {
    view! {
        <Title text="Credentials & Access"/>
        <h2 class="page-title">"Credentials & Access"</h2>
        <TokensSection/>
    }
}
