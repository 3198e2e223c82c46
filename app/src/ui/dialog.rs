//! A modal confirmation: the frame every destructive action asks through.
//! It names itself from its heading, says what will happen in its text,
//! puts the focus on the safe choice, and Escape closes it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Closes a dialog that submits through a server action once the request
/// it sent has finished: `version` is the action's (`action.version()`),
/// `open` the signal that shows the dialog. Call it when the dialog opens.
pub fn close_when_done(version: RwSignal<usize>, open: RwSignal<bool>) {
    let opened_at = version.get_untracked();
    Effect::new(move |_| {
        if version.get() != opened_at {
            open.set(false);
        }
    });
}

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
        let Some(dialog) = node.get() else { return };
        // A dialog rendered inside a Suspense (after "Confirm it is you")
        // joins the document after this runs: focus on the next frame.
        request_animation_frame(move || {
            let target = dialog
                .query_selector("[data-autofocus]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(el) = target {
                let _ = el.focus();
            }
        });
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

/// A dialog's two choices: Cancel (which takes the focus) and the action,
/// which says what it is doing while `busy`. Without `on_confirm` the
/// action submits the form it is in (so it also works before the page is
/// live); `disabled` holds it back until the dialog's condition is met.
#[component]
pub fn ConfirmActions(
    #[prop(into)] on_cancel: Callback<()>,
    label: &'static str,
    busy_label: &'static str,
    #[prop(into, optional)] busy: Signal<bool>,
    #[prop(into, optional)] disabled: Signal<bool>,
    #[prop(optional)] danger: bool,
    #[prop(into, optional)] on_confirm: Option<Callback<()>>,
) -> impl IntoView {
    let class = if danger { "button button-danger" } else { "button" };
    let kind = if on_confirm.is_some() { "button" } else { "submit" };
    view! {
        <button type="button" class="button button-secondary" data-autofocus on:click=move |_| on_cancel.run(())>
            "Cancel"
        </button>
        <button type=kind class=class disabled=move || disabled.get() || busy.get()
            on:click=move |_| if let Some(confirm) = on_confirm { confirm.run(()) }>
            {move || if busy.get() { busy_label } else { label }}
        </button>
    }
}
