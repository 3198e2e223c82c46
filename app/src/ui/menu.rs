//! A menu button: a control that opens a list of `menuitem`s. It is one
//! disclosure (`<details>`) on the server and in the browser, so a click
//! made while the page hydrates opens the same list and is never lost on a
//! control that goes away; without script its items (links and forms) work
//! in place. Once the page is live, Escape, a click outside or moving the
//! focus away close it, and the arrow keys move between the items.

use leptos::ev::{FocusEvent, KeyboardEvent};
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn Menu(
    /// The button's accessible name.
    #[prop(into)]
    label: String,
    #[prop(into, optional)] class: String,
    /// What the button shows.
    #[prop(into)]
    button: ViewFn,
    children: Children,
) -> impl IntoView {
    // Follows the disclosure, whoever opened it (a click before the page
    // was live included).
    let open = RwSignal::new(false);
    let root = NodeRef::<html::Details>::new();
    let summary = NodeRef::<html::Summary>::new();

    let items = move || -> Vec<web_sys::HtmlElement> {
        let Some(root) = root.get_untracked() else {
            return vec![];
        };
        let Ok(list) = root.query_selector_all("[role=menuitem]") else {
            return vec![];
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
            .collect()
    };
    let focus_item = move |step: i32| {
        let items = items();
        if items.is_empty() {
            return;
        }
        let active = document().active_element();
        let current = items.iter().position(|el| Some(el.unchecked_ref::<web_sys::Element>()) == active.as_ref());
        let len = items.len() as i32;
        let next = match current {
            Some(i) => (i as i32 + step).rem_euclid(len),
            None if step > 0 => 0,
            None => len - 1,
        };
        let _ = items[next as usize].focus();
    };
    let set_open = move |value: bool| {
        if let Some(details) = root.get_untracked() {
            details.set_open(value);
        }
    };
    let close = move |refocus: bool| {
        set_open(false);
        if refocus {
            if let Some(s) = summary.get_untracked() {
                let _ = s.focus();
            }
        }
    };
    let on_toggle = move |_| {
        let now = root.get_untracked().is_some_and(|d| d.open());
        open.set(now);
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" if open.get_untracked() => {
            ev.prevent_default();
            close(true);
        }
        "ArrowDown" | "ArrowUp" => {
            ev.prevent_default();
            set_open(true);
            let step = if ev.key() == "ArrowDown" { 1 } else { -1 };
            request_animation_frame(move || focus_item(step));
        }
        _ => {}
    };
    let on_focusout = move |ev: FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(root.get_untracked())
            .is_some_and(|(node, root)| root.contains(Some(&node)));
        if !inside {
            set_open(false);
        }
    };
    let on_click_summary = move |_| {
        // Opening by a click puts the focus on the first item, as a menu
        // button does; the disclosure itself opens as it would without script.
        if !open.get_untracked() {
            request_animation_frame(move || focus_item(1));
        }
    };
    let on_click_item = move |ev: leptos::ev::MouseEvent| {
        let on_item = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[role=menuitem]").ok().flatten())
            .is_some();
        if on_item {
            set_open(false);
        }
    };

    view! {
        <details class=format!("menu {class}") node_ref=root on:toggle=on_toggle on:keydown=on_keydown
            on:focusout=on_focusout>
            <summary class="menu-button" role="button" node_ref=summary aria-label=label aria-haspopup="menu"
                aria-expanded=move || open.get().to_string() on:click=on_click_summary>
                {button.run()}
            </summary>
            <div class="menu-list" role="menu" on:click=on_click_item>{children()}</div>
        </details>
    }
}
