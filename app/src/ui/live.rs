//! Whether the page is live (hydrated), and controls that work the same
//! element both ways. A control is never swapped for another one when the
//! page hydrates: a click made while the page's script arrives lands on an
//! element that stays, and does what it does without script (a disclosure
//! opens, a form posts). Once the page is live the same element gets its
//! richer behaviour (a dialog, a request without a page load).

use leptos::html;
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
    if !hydrating() {
        return Signal::stored(true);
    }
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    live.into()
}

/// What a person typed into the server-rendered input `id` before the page
/// went live, read while the calling component hydrates: a signal bound to
/// the input's value would otherwise put the server's value back over what
/// they typed. `None` on the server and for components made after hydration.
pub fn typed_before_live(id: &str) -> Option<String> {
    if !hydrating() {
        return None;
    }
    input_value(id)
}

/// What every page's title ends with.
pub const TITLE_SUFFIX: &str = " · Sluice";

/// The document's title as people read it: `Usage · Sluice`, or `Sluice`.
pub fn page_title(title: String) -> String {
    if title.is_empty() {
        "Sluice".to_owned()
    } else {
        format!("{title}{TITLE_SUFFIX}")
    }
}

/// The page part of the title the server rendered, read while the app
/// hydrates; empty on the server and after. The app's own `<Title>` starts
/// from it: hydrating a title with no text yet empties the document's
/// title until the route's code has loaded and set it again, and a page
/// must stay as the server drew it while it goes live.
pub fn served_title() -> String {
    if !hydrating() {
        return String::new();
    }
    served_document_title()
        .map(|full| full.strip_suffix(TITLE_SUFFIX).map(str::to_owned).unwrap_or_default())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
fn served_document_title() -> Option<String> {
    Some(document().title())
}

#[cfg(feature = "ssr")]
fn served_document_title() -> Option<String> {
    None
}

#[cfg(not(feature = "ssr"))]
fn input_value(id: &str) -> Option<String> {
    use wasm_bindgen::JsCast;
    document().get_element_by_id(id)?.dyn_into::<web_sys::HtmlInputElement>().ok().map(|input| input.value())
}

#[cfg(feature = "ssr")]
fn input_value(_id: &str) -> Option<String> {
    None
}

/// Whether the calling component is hydrating what the server rendered
/// (never on the server).
fn hydrating() -> bool {
    Owner::current_shared_context().is_some_and(|sc| sc.during_hydration())
}

/// The opener of a confirmation: a disclosure whose summary is the
/// control. Without script it opens in place and shows `children` (the
/// explanation and a plain form that posts). Once the page is live, a click
/// on a closed one runs `on_open` instead (which opens the dialog), and the
/// plain form leaves the page so that nothing is there twice; one that was
/// opened before the page went live keeps it and closes as a disclosure does.
#[component]
pub fn Confirm(
    /// What the control says.
    #[prop(into)]
    label: String,
    class: &'static str,
    /// `button`, or `menuitem` inside a menu.
    #[prop(default = "button")]
    role: &'static str,
    /// A longer accessible name, where the label alone is ambiguous.
    #[prop(into, optional)]
    aria_label: Option<String>,
    #[prop(into)] on_open: Callback<()>,
    children: ChildrenFn,
) -> impl IntoView {
    let live = use_live();
    let details = NodeRef::<html::Details>::new();
    let plain = RwSignal::new(true);
    Effect::new(move |_| {
        if live.get() {
            plain.set(details.get_untracked().is_some_and(|d| d.open()));
        }
    });
    let on_click = move |ev: leptos::ev::MouseEvent| {
        let open = details.get_untracked().is_some_and(|d| d.open());
        if live.get_untracked() && !open {
            ev.prevent_default();
            on_open.run(());
        }
    };
    // The open box is a group named for the question it asks.
    let question = format!("{}?", aria_label.as_deref().unwrap_or(&label));
    view! {
        <details class="plain-confirm" node_ref=details>
            <summary class=class role=role aria-label=aria_label on:click=on_click>{label}</summary>
            <div class="plain-confirm-box" role="group" aria-label=question>
                <Show when=move || plain.get()>{children()}</Show>
            </div>
        </details>
    }
}
