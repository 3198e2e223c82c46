//! Whether the page is live (hydrated). Until it is, and always without
//! JavaScript, controls that need script give way to plain forms that post
//! and come back; once it is, the dialogs and menus take over.

use leptos::prelude::*;

/// `false` while rendering on the server and while the calling component
/// hydrates (it must first render exactly what the server rendered), then
/// `true`; `true` from the start for a component made in the browser after
/// hydration. A page whose code loads with its route hydrates after the
/// rest of the app is live, so each caller asks for itself.
pub fn use_live() -> Signal<bool> {
    if cfg!(feature = "ssr") {
        return Signal::stored(false);
    }
    let hydrating = Owner::current_shared_context().is_some_and(|sc| sc.during_hydration());
    if !hydrating {
        return Signal::stored(true);
    }
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    live.into()
}

/// Without script, a confirmation opens in place: a disclosure whose
/// summary looks like the button that opens the dialog once the page is
/// live. Its children are the explanation and a plain form; once the page
/// is live it leaves the page, so nothing is there twice.
#[component]
pub fn PlainConfirm(
    #[prop(into)] label: String,
    class: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    let live = use_live();
    view! {
        <Show when=move || !live.get()>
            <details class="plain-confirm">
                <summary class=class>{label.clone()}</summary>
                <div class="plain-confirm-box">{children()}</div>
            </details>
        </Show>
    }
}
