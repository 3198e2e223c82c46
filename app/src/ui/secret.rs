//! Showing a secret: the Reveal (eye) and Copy buttons, and copying with
//! the Clipboard API, falling back to selecting the text for Ctrl+C.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn RevealButton(revealed: Signal<bool>, on_click: impl Fn() + 'static) -> impl IntoView {
    // Without script there is nothing to press: the section offers a form.
    let live = super::use_live();
    view! {
        <button type="button" class="icon-button" aria-label="Reveal" hidden=move || !live.get()
            aria-pressed=move || revealed.get().to_string() on:click=move |_| on_click()>
            <EyeIcon/>
        </button>
    }
}

#[component]
pub fn EyeIcon() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><path d="M2 12s3.6-7 10-7 10 7 10 7-3.6 7-10 7S2 12 2 12Z" fill="none" stroke="currentColor" stroke-width="2"/><circle cx="12" cy="12" r="3" fill="none" stroke="currentColor" stroke-width="2"/></svg>
    }
}

#[component]
pub fn CopyButton(on_click: impl Fn() + 'static) -> impl IntoView {
    let live = super::use_live();
    view! {
        <button type="button" class="icon-button" aria-label="Copy" hidden=move || !live.get() on:click=move |_| on_click()>
            <svg viewBox="0 0 24 24" width="18" height="18" aria-hidden="true"><rect x="9" y="9" width="11" height="11" rx="2" fill="none" stroke="currentColor" stroke-width="2"/><path d="M5 15V5a2 2 0 0 1 2-2h8" fill="none" stroke="currentColor" stroke-width="2"/></svg>
        </button>
    }
}

/// Copies `text`; says how in `status`. If the browser refuses the
/// clipboard, `on_refused` runs (to show the text) and the text in
/// `shown` is selected for the person to copy.
pub fn copy_text(
    text: String,
    shown: NodeRef<leptos::html::Code>,
    status: RwSignal<Option<&'static str>>,
    on_refused: impl FnOnce() + 'static,
) {
    let promise = window().navigator().clipboard().write_text(&text);
    leptos::task::spawn_local(async move {
        match wasm_bindgen_futures::JsFuture::from(promise).await {
            Ok(_) => status.set(Some("Copied to the clipboard.")),
            Err(_) => {
                on_refused();
                if let (Some(el), Some(sel)) = (shown.get(), window().get_selection().ok().flatten()) {
                    let _ = sel.select_all_children(el.unchecked_ref());
                }
                status.set(Some("Selected: press Ctrl+C (⌘C) to copy."));
            }
        }
    });
}
