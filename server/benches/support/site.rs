//! Sluice in the benchmark's own process, the demo account signed in and
//! holding one API token.

use axum::http::header::CONTENT_TYPE;
use axum::Router;
use leptos::config::get_configuration;
use reqwest::{redirect, Client};
use std::path::Path;

use app::infra::AppState;

pub struct Site {
    pub base: String,
    pub state: AppState,
    /// `sluice_session=…`
    pub cookie: String,
    /// The API token's secret.
    pub token: String,
}

/// Starts Sluice on a loopback port with its data dir `dir` and, if given,
/// its database at `database_url`; the routes `extra` makes come first.
pub async fn start(
    dir: &Path,
    database_url: Option<String>,
    extra: impl FnOnce(&AppState) -> Router + Send + 'static,
) -> Site {
    let mut leptos =
        get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))).unwrap().leptos_options;
    let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let addr = listener.local_addr().unwrap();
    leptos.site_addr = addr;
    let base = format!("http://{addr}");
    let mut settings = server::config::settings_for(dir.to_owned(), base.parse().unwrap());
    if let Some(url) = database_url {
        settings.database_url = app::infra::secret::Secret::new(url);
    }
    settings.api_per_minute = i64::MAX / 2;
    let plan = server::Plan { extra: Some(Box::new(extra)), ..server::Plan::new(leptos, settings, listener) };
    let running = server::start(plan, std::future::pending()).await.unwrap();
    let state = running.state.clone();
    let link = server::demo::sign_in_link(&state, &running.clusters).await.unwrap();

    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let secret = link.split("t=").nth(1).unwrap();
    let res = client
        .post(format!("{base}/sfn/confirm_sign_in"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("t={secret}"))
        .send()
        .await
        .unwrap();
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.contains("sluice_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .expect("signed in");
    let created: serde_json::Value = client
        .post(format!("{base}/sfn/create_token"))
        .header("sec-fetch-site", "same-origin")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header("cookie", &cookie)
        .body("handle=demo")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = created["secret"].as_str().unwrap().to_owned();
    Site { base, state, cookie, token }
}
