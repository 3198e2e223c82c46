//! The signed-in person's avatar. Until an image is chosen, their initials
//! on a colour derived from their id.

use leptos::prelude::*;

use crate::session::Viewer;

const HUES: [u16; 8] = [210, 262, 330, 12, 36, 150, 182, 290];

fn hue(id: &str) -> u16 {
    let sum = id
        .bytes()
        .fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(b as u32));
    HUES[(sum % HUES.len() as u32) as usize]
}

#[component]
pub fn Avatar(#[prop(into)] size: String) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let style = move || format!("--avatar-hue: {}", hue(&viewer.read().id));
    view! {
        <span class=format!("avatar avatar-{size}") style=style aria-hidden="true">
            {move || viewer.read().initials()}
        </span>
    }
}
