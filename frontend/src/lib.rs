//! The browser's entry point: take over the server-rendered page.

// The page's view types nest deeply; the compiler needs room to lay them out.
#![recursion_limit = "256"]
#![forbid(unsafe_code)]

use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    // Some routes load their code when visited (see app::shell::lazy), so
    // hydration waits for the page's module. Once it is done, and the
    // effects it queued have run, the page is live: `body[data-hydrated]`
    // says so to tests and timing tools.
    wasm_bindgen_futures::spawn_local(async {
        let Some(body) = leptos::prelude::document().body() else {
            return;
        };
        leptos::mount::hydrate_from_async(body.clone(), app::App).await.forget();
        leptos::prelude::set_timeout(
            move || {
                let _ = body.set_attribute("data-hydrated", "");
            },
            std::time::Duration::ZERO,
        );
    });
}

/// The avatar pipeline the crop dialog runs (decode, orient, crop, resize,
/// encode), callable from JavaScript: answers the 512 px PNG. It goes
/// through the same lazily loaded code as the dialog. The benchmark
/// measures it against the browser's canvas.
#[wasm_bindgen]
pub async fn avatar_png(bytes: Vec<u8>, x: f64, y: f64, size: f64) -> Result<Vec<u8>, JsError> {
    let crop = shared::avatar::Crop { x, y, size };
    app::avatar::crop_to_pngs(bytes, crop).await.map(|p| p.large).map_err(|e| JsError::new(&e))
}
