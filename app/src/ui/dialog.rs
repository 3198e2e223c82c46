//! A modal confirmation: the frame every destructive action asks through.
//! It names itself from its heading, says what will happen in its text,
//! puts the focus on the safe choice, and Escape closes it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// `id` prefixes the heading's and the text's ids; `body` is the text;
/// `children` are the actions. The element marked `data-autofocus`
/// (the Cancel button, by convention) takes the focus when it opens.
#[component]
pub fn Dialog(
    id: &'static str,
    title: &'static str,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] body: ViewFn,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        let target = node
            .get()
            .and_then(|d| d.query_selector("[data-autofocus]").ok().flatten())
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(el) = target {
            let _ = el.focus();
        }
    });
    let (title_id, text_id) = (format!("{id}-title"), format!("{id}-text"));
    let (labelled_by, described_by) = (title_id.clone(), text_id.clone());
    view! {
        <div class="overlay" on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }>
            <div class="dialog" role="dialog" aria-modal="true" node_ref=node
                aria-labelledby=labelled_by aria-describedby=described_by>
                <h3 id=title_id>{title}</h3>
                <div id=text_id>{body.run()}</div>
                {children()}
            </div>
        </div>
    }
}
