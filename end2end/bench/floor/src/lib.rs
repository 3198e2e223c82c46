//! One page: a name read from the server and a form that changes it.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Me {
    pub name: String,
    pub handle: String,
}

#[server]
pub async fn load_me() -> Result<Me, ServerFnError> {
    Ok(Me { name: "Ada".into(), handle: "ada".into() })
}

#[server]
pub async fn rename(name: String) -> Result<(), ServerFnError> {
    let _ = name;
    Ok(())
}

#[component]
fn ProfilePage() -> impl IntoView {
    let rename = ServerAction::<Rename>::new();
    let me = Resource::new(move || rename.version().get(), |_| load_me());
    view! {
        <Title text="User Profile"/>
        <Suspense fallback=|| "Loading">
            {move || Suspend::new(async move { me.await.map(|me| view! { <h1>{me.name}</h1><p>{me.handle}</p> }) })}
        </Suspense>
        <ActionForm action=rename>
            <input name="name"/>
            <button type="submit">"Save"</button>
        </ActionForm>
    }
}

#[component]
fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Router>
            <Routes fallback=|| "Not found">
                <Route path=path!("/user/:handle/advanced/profile") view=ProfilePage/>
            </Routes>
        </Router>
    }
}

#[wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    wasm_bindgen_futures::spawn_local(async {
        if let Some(body) = document().body() {
            leptos::mount::hydrate_from_async(body, App).await.forget();
        }
    });
}
