//! The hidden field every account form posts: the handle in the page's
//! path, which the server function checks against the signed-in person.

use leptos::prelude::*;

#[component]
pub fn HandleField() -> impl IntoView {
    let handle = crate::access::use_handle();
    view! { <input type="hidden" name="handle" value=move || handle.get()/> }
}
