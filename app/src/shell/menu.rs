//! A menu button: a button that opens a list of `menuitem`s, closed by
//! Escape, a click outside or moving focus away; arrow keys move between
//! the items.

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
    children: ChildrenFn,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let root = NodeRef::<html::Div>::new();
    let button_ref = NodeRef::<html::Button>::new();

    let items = move || -> Vec<web_sys::HtmlElement> {
        let Some(root) = root.get() else {
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
        let current = items
            .iter()
            .position(|el| Some(el.unchecked_ref::<web_sys::Element>()) == active.as_ref());
        let len = items.len() as i32;
        let next = match current {
            Some(i) => (i as i32 + step).rem_euclid(len),
            None if step > 0 => 0,
            None => len - 1,
        };
        let _ = items[next as usize].focus();
    };
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(b) = button_ref.get() {
                let _ = b.focus();
            }
        }
    };
    let on_keydown = move |ev: KeyboardEvent| match ev.key().as_str() {
        "Escape" if open.get_untracked() => {
            ev.prevent_default();
            close(true);
        }
        "ArrowDown" => {
            ev.prevent_default();
            if !open.get_untracked() {
                open.set(true);
            }
            request_animation_frame(move || focus_item(1));
        }
        "ArrowUp" => {
            ev.prevent_default();
            if !open.get_untracked() {
                open.set(true);
            }
            request_animation_frame(move || focus_item(-1));
        }
        _ => {}
    };
    let on_focusout = move |ev: FocusEvent| {
        let inside = ev
            .related_target()
            .and_then(|t| t.dyn_into::<web_sys::Node>().ok())
            .zip(root.get())
            .is_some_and(|(node, root)| root.contains(Some(&node)));
        if !inside {
            open.set(false);
        }
    };
    let on_click_item = move |ev: leptos::ev::MouseEvent| {
        let on_item = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[role=menuitem]").ok().flatten())
            .is_some();
        if on_item {
            open.set(false);
        }
    };

    // Without script the menu is a disclosure: the items show in place.
    let live = super::use_live();
    let plain_class = format!("menu menu-plain {class}");
    let plain_label = label.clone();
    let plain_button = button.clone();
    let plain_children = children.clone();
    let plain = move || view! {
        <details class=plain_class.clone()>
            <summary class="menu-button" aria-label=plain_label.clone()>{plain_button.run()}</summary>
            <div class="menu-list" role="menu">{plain_children()}</div>
        </details>
    };
    view! {
        <Show when=move || live.get() fallback=plain>
        <div class=format!("menu {class}") node_ref=root on:keydown=on_keydown on:focusout=on_focusout>
            <button
                type="button"
                class="menu-button"
                node_ref=button_ref
                aria-label=label.clone()
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                on:click=move |_| {
                    let was_open = open.get_untracked();
                    open.set(!was_open);
                    if !was_open {
                        request_animation_frame(move || focus_item(1));
                    }
                }
            >
                {button.run()}
            </button>
            <div class="menu-list" role="menu" hidden=move || !open.get() on:click=on_click_item>
                {children()}
            </div>
        </div>
        </Show>
    }
}
