//! The signed-in person's avatar: until they choose an image, the one
//! Sluice generates from their id.

use leptos::prelude::*;

use crate::avatar::default_avatar_path;
use crate::session::Viewer;

#[component]
pub fn Avatar(#[prop(into)] size: String) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    view! {
        <img class=format!("avatar avatar-{size}") src=move || default_avatar_path(&viewer.read().id) alt="" />
    }
}
