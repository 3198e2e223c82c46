//! Whether the page is live (hydrated). Until it is, and always without
//! JavaScript, controls that need script give way to plain forms that post
//! and come back; once it is, the dialogs and menus take over.

use leptos::prelude::*;

#[derive(Clone, Copy)]
struct Live(RwSignal<bool>);

/// Call once, at the top of the app. Effects run only in the browser, once
/// the page is live; tests and timing tools wait for `body[data-hydrated]`.
pub fn provide_live() {
    let live = RwSignal::new(false);
    provide_context(Live(live));
    Effect::new(move |_| {
        live.set(true);
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "");
        }
    });
}

/// `false` while rendering on the server and before hydration.
pub fn use_live() -> Signal<bool> {
    use_context::<Live>()
        .map(|l| l.0.into())
        .unwrap_or_else(|| Signal::stored(false))
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
