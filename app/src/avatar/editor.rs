//! The avatar on User Profile: click it to choose a photo, crop it in a
//! dialog (drag, corners, zoom slider or wheel, arrow keys, a round live
//! preview), and Save: the photo is decoded, oriented, cropped, resized and
//! encoded to PNG here in the browser (WASM), then uploaded. Reset goes
//! back to the generated avatar. Without JavaScript the same form uploads
//! the photo and the server centre-crops it.

use leptos::form::ActionForm;
use leptos::prelude::*;
use shared::avatar::{sniff, AvatarPngs, Corner, Crop, Frame, ALLOWED_TYPES};
use wasm_bindgen::JsCast;

use super::{upload_avatar, ResetAvatar};
use crate::access::session::{edit_viewer, Viewer, ViewerState};
use crate::error::AppError;
use crate::ui::{Avatar, ErrorPanel, HandleField};

/// The photo a person picked: its bytes and a URL the page can show.
#[derive(Clone)]
struct Picked {
    bytes: StoredValue<Vec<u8>>,
    url: String,
}

#[component]
pub fn AvatarEditor() -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let state = expect_context::<ViewerState>();
    let input = NodeRef::<leptos::html::Input>::new();
    let picked = RwSignal::new(None::<Picked>);
    let problem = RwSignal::new(None::<String>);
    let reset = ServerAction::<ResetAvatar>::new();
    // Hydrated: the file input opens the crop dialog instead of posting.
    let hydrated = crate::ui::use_live();
    let set_avatar = move |path: String| {
        edit_viewer(state, |v| {
            v.avatar = path;
            v.avatar_source = None;
        })
    };
    Effect::new(move |_| {
        if let Some(Ok(path)) = reset.value().get() {
            set_avatar(path);
        }
    });
    let custom = move || !viewer.read().avatar.ends_with(".svg");

    let on_change = move |_| {
        problem.set(None);
        let Some(el) = input.get() else { return };
        let Some(file) = el.files().and_then(|f| f.get(0)) else { return };
        el.set_value("");
        leptos::task::spawn_local(async move {
            let blob = gloo_file::Blob::from(file.clone());
            let bytes = match gloo_file::futures::read_as_bytes(&blob).await {
                Ok(b) => b,
                Err(_) => {
                    problem.set(Some("The file could not be read. Try another.".into()));
                    return;
                }
            };
            if sniff(&bytes).is_none() {
                problem.set(Some(format!(
                    "“{}” is not a {ALLOWED_TYPES} image. Choose a {ALLOWED_TYPES} file.",
                    file.name()
                )));
                return;
            }
            let url = web_sys::Url::create_object_url_with_blob(&file).unwrap_or_default();
            picked.set(Some(Picked { bytes: StoredValue::new(bytes), url }));
        });
    };
    let choose = move |_| {
        if let Some(el) = input.get() {
            el.click();
        }
    };
    let close = move || {
        if let Some(p) = picked.get_untracked() {
            let _ = web_sys::Url::revoke_object_url(&p.url);
        }
        picked.set(None);
    };

    view! {
        <div class="avatar-editor">
            <button type="button" class="avatar-button" on:click=choose
                aria-label="Change avatar" aria-describedby="avatar-help">
                <Avatar size="xl"/>
                <span class="avatar-edit" aria-hidden="true">"Change"</span>
            </button>
            <form method="post" action="/sfn/upload_avatar" enctype="multipart/form-data" class="avatar-form"
                on:submit=move |ev| if hydrated.get_untracked() { ev.prevent_default() }>
                <HandleField/>
                <label class="visually-hidden" for="avatar-file">"Avatar image"</label>
                <input id="avatar-file" node_ref=input type="file" name="avatar" accept="image/jpeg,image/png"
                    class:visually-hidden=move || hydrated.get() on:change=on_change/>
                <button type="submit" class="button button-secondary" hidden=move || hydrated.get()>"Upload"</button>
            </form>
            <p id="avatar-help" class="help">"JPEG or PNG. You choose the square to keep."</p>
            <p class="field-error" role="alert">{move || problem.get()}</p>
            <Show when=custom>
                <ActionForm action=reset attr:class="avatar-reset">
                    <HandleField/>
                    <button type="submit" class="button button-secondary" disabled=move || reset.pending().get()>
                        {move || if reset.pending().get() { "Resetting…" } else { "Reset" }}
                    </button>
                </ActionForm>
            </Show>
            {move || picked.get().map(|p| {
                let on_close = Callback::new(move |()| close());
                let on_saved = Callback::new(move |path: String| { set_avatar(path); close(); });
                view! {
                    // The dialog's code may still be on its way.
                    <Suspense fallback=|| view! { <p class="help" role="status">"Opening the crop dialog…"</p> }>
                        {move || {
                            let p = p.clone();
                            Suspend::new(async move { crop_dialog(p, on_close, on_saved).await })
                        }}
                    </Suspense>
                }
            })}
        </div>
    }
}

/// What a pointer is doing to the box.
#[derive(Clone, Copy)]
enum Drag {
    Move,
    Resize(Corner),
}

#[derive(Clone, Copy)]
struct Gesture {
    drag: Drag,
    start_x: f64,
    start_y: f64,
    start: Crop,
}

/// The stages of Save, for the progress bar.
#[derive(Clone, Copy, PartialEq)]
enum Stage {
    Idle,
    Cropping,
    Uploading,
}

const PREVIEW: f64 = 128.0;

#[component]
fn CropDialog(
    picked: Picked,
    #[prop(into)] on_close: Callback<()>,
    #[prop(into)] on_saved: Callback<String>,
) -> impl IntoView {
    let viewer = expect_context::<Memo<Viewer>>();
    let img = NodeRef::<leptos::html::Img>::new();
    let frame = RwSignal::new(None::<Frame>);
    let crop = RwSignal::new(Crop { x: 0.0, y: 0.0, size: 1.0 });
    // Screen pixels per image pixel, as the image is shown.
    let scale = RwSignal::new(1.0f64);
    let gesture = RwSignal::new(None::<Gesture>);
    let stage = RwSignal::new(Stage::Idle);
    let error = RwSignal::new(None::<AppError>);
    let url = picked.url.clone();
    // Start fetching the image code now, so Save does not wait for it.
    let _image_code = lazy_preload!(crop_to_pngs);

    let measure = move || {
        if let (Some(i), Some(f)) = (img.get_untracked(), frame.get_untracked()) {
            let w = i.client_width() as f64;
            if w > 0.0 {
                scale.set(w / f.width);
            }
        }
    };
    let on_load = move |_| {
        let Some(i) = img.get_untracked() else { return };
        let f = Frame::new(i.natural_width() as f64, i.natural_height() as f64);
        frame.set(Some(f));
        crop.set(Crop::centred(f));
        measure();
    };
    let _resize = window_event_listener(leptos::ev::resize, move |_| measure());

    let start = move |drag: Drag, ev: web_sys::PointerEvent| {
        ev.prevent_default();
        ev.stop_propagation();
        if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = t.set_pointer_capture(ev.pointer_id());
        }
        gesture.set(Some(Gesture {
            drag,
            start_x: ev.client_x() as f64,
            start_y: ev.client_y() as f64,
            start: crop.get_untracked(),
        }));
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        let (Some(g), Some(f)) = (gesture.get_untracked(), frame.get_untracked()) else { return };
        let s = scale.get_untracked();
        let dx = (ev.client_x() as f64 - g.start_x) / s;
        let dy = (ev.client_y() as f64 - g.start_y) / s;
        crop.set(match g.drag {
            Drag::Move => g.start.moved(dx, dy, f),
            Drag::Resize(corner) => g.start.resized(corner, dx, dy, f),
        });
    };
    let end = move |_| gesture.set(None);
    let on_wheel = move |ev: web_sys::WheelEvent| {
        let Some(f) = frame.get_untracked() else { return };
        ev.prevent_default();
        let c = crop.get_untracked();
        let factor = (-ev.delta_y() * 0.002).exp();
        crop.set(c.zoomed(c.zoom(f) * factor, f));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(f) = frame.get_untracked() else { return };
        if let Some(c) = crop.get_untracked().after_key(&ev.key(), ev.shift_key(), f) {
            ev.prevent_default();
            crop.set(c);
        }
    };
    let zoom = move || frame.get().map(|f| crop.get().zoom(f)).unwrap_or(1.0);
    let max_zoom = move || frame.get().map(|f| f.max_zoom()).unwrap_or(1.0);
    let on_zoom = move |ev| {
        let Some(f) = frame.get_untracked() else { return };
        if let Ok(z) = event_target_value(&ev).parse::<f64>() {
            crop.set(crop.get_untracked().zoomed(z, f));
        }
    };
    let box_style = move || {
        let (c, s) = (crop.get(), scale.get());
        format!("left:{:.1}px;top:{:.1}px;width:{:.1}px;height:{:.1}px", c.x * s, c.y * s, c.size * s, c.size * s)
    };
    let preview_style = {
        let url = url.clone();
        move || {
            let Some(f) = frame.get() else { return String::new() };
            let c = crop.get();
            let k = PREVIEW / c.size;
            format!(
                "background-image:url(\"{url}\");background-size:{:.2}px {:.2}px;background-position:{:.2}px {:.2}px",
                f.width * k,
                f.height * k,
                -c.x * k,
                -c.y * k
            )
        }
    };

    let save = move |_| {
        if stage.get_untracked() != Stage::Idle || frame.get_untracked().is_none() {
            return;
        }
        error.set(None);
        stage.set(Stage::Cropping);
        let chosen = crop.get_untracked();
        let handle = viewer.get_untracked().handle;
        leptos::task::spawn_local(async move {
            // Let the progress bar paint before the image work takes the thread.
            gloo_timers::future::TimeoutFuture::new(30).await;
            let bytes = picked.bytes.with_value(|bytes| bytes.clone());
            let pngs = match crop_to_pngs(bytes, chosen).await {
                Ok(p) => p,
                Err(e) => {
                    error.set(Some(AppError::invalid(e)));
                    stage.set(Stage::Idle);
                    return;
                }
            };
            stage.set(Stage::Uploading);
            gloo_timers::future::TimeoutFuture::new(0).await;
            match upload(&handle, &pngs.large).await {
                Ok(path) => on_saved.run(path),
                Err(e) => {
                    error.set(Some(e));
                    stage.set(Stage::Idle);
                }
            }
        });
    };
    let busy = move || stage.get() != Stage::Idle;
    let progress = move || match stage.get() {
        Stage::Idle => 0.0,
        Stage::Cropping => 0.35,
        Stage::Uploading => 0.8,
    };
    let cancel_ref = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if let Some(b) = cancel_ref.get() {
            let _ = b.focus();
        }
    });

    view! {
        <div class="overlay" on:keydown=move |ev| if ev.key() == "Escape" && !busy() { on_close.run(()) }>
            <div class="dialog dialog-wide" role="dialog" aria-modal="true" aria-labelledby="crop-title" aria-describedby="crop-help">
                <h3 id="crop-title">"Crop your avatar"</h3>
                <p id="crop-help" class="help">"Drag the square to move it, drag a corner to resize it, zoom with the slider or the mouse wheel. With the keyboard: focus the square and use the arrow keys (Shift moves further)."</p>
                <div class="crop-body">
                    <div class="crop-stage" on:wheel=on_wheel on:pointermove=on_move on:pointerup=end on:pointercancel=end>
                        <img node_ref=img src=url.clone() alt="The photo you chose" on:load=on_load draggable="false"/>
                        <Show when=move || frame.get().is_some()>
                            <div class="crop-box" style=box_style tabindex="0" role="slider"
                                aria-label="Crop area" aria-valuetext=move || { let c = crop.get(); format!("{:.0}×{:.0} pixels at {:.0}, {:.0}", c.size, c.size, c.x, c.y) }
                                on:pointerdown=move |ev| start(Drag::Move, ev) on:keydown=on_key>
                                <span class="crop-handle tl" on:pointerdown=move |ev| start(Drag::Resize(Corner::TopLeft), ev)></span>
                                <span class="crop-handle tr" on:pointerdown=move |ev| start(Drag::Resize(Corner::TopRight), ev)></span>
                                <span class="crop-handle bl" on:pointerdown=move |ev| start(Drag::Resize(Corner::BottomLeft), ev)></span>
                                <span class="crop-handle br" on:pointerdown=move |ev| start(Drag::Resize(Corner::BottomRight), ev)></span>
                            </div>
                        </Show>
                    </div>
                    <div class="crop-side">
                        <div class="crop-preview" style=preview_style role="img" aria-label="Preview"></div>
                        <label for="crop-zoom">"Zoom"</label>
                        <input id="crop-zoom" type="range" min="1" step="0.01" max=move || format!("{:.2}", max_zoom())
                            prop:value=move || format!("{:.2}", zoom()) on:input=on_zoom/>
                    </div>
                </div>
                <Show when=busy>
                    <div class="crop-progress" role="status">
                        <progress max="1" value=progress></progress>
                        <span>{move || if stage.get() == Stage::Cropping { "Cropping and resizing…" } else { "Uploading…" }}</span>
                    </div>
                </Show>
                {move || error.get().map(|error| view! { <ErrorPanel error/> })}
                <div class="dialog-actions">
                    <button type="button" class="button button-secondary" node_ref=cancel_ref disabled=busy on:click=move |_| on_close.run(())>"Cancel"</button>
                    <button type="button" class="button" disabled=move || busy() || frame.get().is_none() on:click=save>
                        {move || if busy() { "Saving…" } else { "Save" }}
                    </button>
                </div>
            </div>
        </div>
    }
}

/// The crop dialog. Its code is a file of its own in the release build,
/// fetched when a photo has been picked: reading or editing the rest of
/// the profile never loads it.
#[lazy]
fn crop_dialog(picked: Picked, on_close: Callback<()>, on_saved: Callback<String>) -> AnyView {
    view! { <CropDialog picked on_close on_saved/> }.into_any()
}

/// The image work of Save: decode, orient, crop, resize, encode. The
/// `image` code it needs is a third of the browser's WASM, so the release
/// build splits it into a file of its own that the browser fetches the
/// first time a crop is saved (or the crop dialog asks for it ahead).
#[lazy]
pub fn crop_to_pngs(bytes: Vec<u8>, crop: Crop) -> Result<AvatarPngs, String> {
    shared::avatar::avatar_pngs(&bytes, Some(crop)).map_err(|e| e.to_string())
}

/// Sends the cropped PNG through the upload server function.
async fn upload(handle: &str, png: &[u8]) -> Result<String, AppError> {
    let form = web_sys::FormData::new().map_err(|_| AppError::Internal)?;
    form.append_with_str("handle", handle).map_err(|_| AppError::Internal)?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(png));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("image/png");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|_| AppError::Internal)?;
    form.append_with_blob_and_filename("avatar", &blob, "avatar.png").map_err(|_| AppError::Internal)?;
    upload_avatar(form.into()).await
}
