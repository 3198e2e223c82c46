//! The `sluice` binary as a process, and what it prints.

#[allow(unused_imports)]
use super::*;

/// The `server` binary, to run from the repository's root with none of
/// the `SLUICE_*` or `LEPTOS_*` settings of the environment the suite runs in.
pub fn server_process() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    for (key, _) in std::env::vars() {
        if key.starts_with("SLUICE_") || key.starts_with("LEPTOS_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// What `server --demo` printed on stdout once it was serving: the secret
/// of the demo account's sign-in link and, when it runs, its PostgreSQL's
/// address. Reads until both are there (`postgres`: whether to wait for
/// the PostgreSQL line).
pub fn read_started(child: &mut std::process::Child, postgres: bool) -> (String, Option<SocketAddr>) {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("stdout is piped");
    let (mut link, mut at) = (String::new(), None);
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(i) = line.find("/login/confirm?t=") {
            link = line[i + "/login/confirm?t=".len()..].trim().to_owned();
        }
        if let Some(rest) = line.strip_prefix("Workspace databases: PostgreSQL ") {
            at = rest.split(" at ").nth(1).map(|addr| addr.trim().parse().unwrap());
        }
        if !link.is_empty() && (at.is_some() || !postgres) {
            break;
        }
    }
    assert!(!link.is_empty(), "the server printed no sign-in link");
    (link, at)
}

/// The demo account's workspace `name` on a server process at `base`,
/// once it is ready, and the database password (signed in with `cookie`).
pub async fn demo_connection(
    client: &Client,
    base: &str,
    cookie: &str,
    name: &str,
) -> (app::database_password::WorkspaceConnection, String) {
    let call = |path: &'static str| {
        client
            .post(format!("{base}{path}"))
            .header("sec-fetch-site", "same-origin")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(reqwest::header::COOKIE, cookie)
            .body("handle=demo")
            .send()
    };
    let started = std::time::Instant::now();
    loop {
        let overview: serde_json::Value = call("/sfn/database_password").await.unwrap().json().await.unwrap();
        let all: Vec<app::database_password::WorkspaceConnection> =
            serde_json::from_value(overview["workspaces"].clone()).unwrap();
        let ws = all.into_iter().find(|w| w.handle == name).expect("the demo has this workspace");
        if ws.reachable && ws.updated {
            let password: String = call("/sfn/reveal_password").await.unwrap().json().await.unwrap();
            return (ws, password);
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "the demo workspace never became ready");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
