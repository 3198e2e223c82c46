//! The signed-in person's avatar: their photo, or until they choose one,
//! the image Sluice generates from their id.

use leptos::prelude::*;

use crate::access::session::Viewer;
use shared::avatar::high_density;

#[component]
pub fn Avatar(#[prop(into)] size: String) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let src = move || viewer.read().avatar.clone();
    view! {
        <img class=format!("avatar avatar-{size}") src=src
            srcset=move || high_density(&src()) alt="" />
    }
}
