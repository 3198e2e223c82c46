//! The database password: created at sign-up, sealed at rest with the
//! owner's id as associated data, rotated with jobs that carry it to every
//! workspace and survive a restart.

use crate::api::new_token;
use crate::harness::*;
use app::infra::vault::Vault;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

async fn overview(app: &TestApp, cookie: &str) -> Value {
    let res = app.call("/sfn/database_password", &[("handle", "ada")], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

fn all_updated(o: &Value) -> bool {
    o["workspaces"].as_array().unwrap().iter().all(|w| w["updated"] == true)
}

async fn wait_until_updated(app: &TestApp, cookie: &str, within: Duration) -> Duration {
    let start = Instant::now();
    while !all_updated(&overview(app, cookie).await) {
        assert!(start.elapsed() < within, "propagation did not finish in {within:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

async fn api_password(app: &TestApp, token: &str) -> Value {
    let res = app.api(Method::GET, "/user/ada/password", Some(token), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

#[test]
fn every_account_has_a_password_from_sign_up() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let o = overview(&app, &ada).await;
        let ws = &o["workspaces"][0];
        assert_eq!(ws["handle"], "default");
        assert_eq!(ws["host"], "default-ada.us-east-1.db.sluice.localhost");
        assert_eq!(ws["port"], 9193);
        assert_eq!(ws["user"], "ada");
        assert!(all_updated(&o), "the first password is in place at once");
        assert!(!o.to_string().contains("postgres://"), "the overview has no password");
        let revealed: String = app.call("/sfn/reveal_password", &[("handle", "ada")], &ada).await.json().await.unwrap();
        assert_eq!(revealed.len(), 32);
        let (_, token) = new_token(&app, "ada", &ada).await;
        let p = api_password(&app, &token).await;
        assert_eq!(p["$password"], revealed.as_str());
        assert!(shared::is_prefixed_id(p["id"].as_str().unwrap(), "p"));
        assert!(p["created_at"].is_string());
    })
}

#[test]
fn the_password_is_sealed_for_its_owner_only() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.sign_up("bob@example.com", "bob", "Bob").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let before = api_password(&app, &token).await["$password"].as_str().unwrap().to_owned();
        let res = app.api(Method::POST, "/user/ada/password", Some(&token), Some(json!({}))).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let rotated: Value = res.json().await.unwrap();
        let after = rotated["$password"].as_str().unwrap().to_owned();
        assert_ne!(before, after);
        assert_eq!(api_password(&app, &token).await["$password"], after.as_str());

        let (ada_id, sealed): (String, Vec<u8>) = sqlx::query_as(
            "SELECT p.user_id, p.sealed FROM database_passwords p JOIN users u ON u.id = p.user_id
             WHERE u.handle = 'ada'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        let bob_id: String =
            sqlx::query_scalar("SELECT id FROM users WHERE handle = 'bob'").fetch_one(&app.db).await.unwrap();
        let vault = Vault::from_key_file(app.dir.path()).unwrap();
        assert_eq!(vault.open(&ada_id, &sealed).unwrap().expose(), after.as_bytes());
        assert!(vault.open(&bob_id, &sealed).is_err(), "another user's id does not open it");
        // Neither password is anywhere on disk in the clear, nor in mail.
        for secret in [&before, &after] {
            let disk = crate::tokens::everything_on_disk(&app);
            assert!(!disk.windows(secret.len()).any(|w| w == secret.as_bytes()));
        }
        let mail = app.last_mail_to("ada@example.com").unwrap();
        assert!(mail.contains("Your database password was rotated"), "{mail}");
        let audit: String = sqlx::query_scalar("SELECT data FROM audit_log WHERE action_type = 'user.password.rotate'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert!(!audit.contains(&after));
    })
}

#[test]
fn another_person_cannot_read_or_rotate_it_on_the_page() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let bob = app.sign_up("bob@example.com", "bob", "Bob").await;
        for endpoint in ["/sfn/database_password", "/sfn/reveal_password", "/sfn/rotate_password"] {
            let res = app.call(endpoint, &[("handle", "ada")], &bob).await;
            assert!(!res.status().is_success(), "{endpoint}: {}", res.status());
            assert!(!res.text().await.unwrap().contains("postgres"));
        }
        let rotations: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'user.password.rotate'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert_eq!(rotations, 0);
    })
}

#[test]
fn rotation_reaches_every_workspace_within_seconds() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.exec(
            "INSERT INTO workspaces (id, user_id, handle, region, database_name, created_at, updated_at)
             SELECT 'w_00000000000000000001', id, 'analytics', 'eu-west-1', 'dabc', 0, 0 FROM users WHERE handle = 'ada'",
        )
        .await;
        let res = app.call("/sfn/rotate_password", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let took = wait_until_updated(&app, &ada, Duration::from_secs(5)).await;
        eprintln!("propagation to 2 workspaces took {took:?}");
        let o = overview(&app, &ada).await;
        assert_eq!(o["workspaces"].as_array().unwrap().len(), 2);
    })
}

#[test]
fn propagation_resumes_after_a_restart() {
    run(async {
        let no_worker = Options { worker: false, ..Options::default() };
        let app = TestApp::spawn_with(no_worker, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.call("/sfn/rotate_password", &[("handle", "ada")], &ada).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!all_updated(&overview(&app, &ada).await), "pending while nothing runs the job");
        let app = app.restart(Options::default()).await;
        wait_until_updated(&app, &ada, Duration::from_secs(5)).await;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_propagations WHERE state = 'pending'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(pending, 0);
    })
}

#[test]
fn a_configured_delay_keeps_workspaces_pending_until_it_passes() {
    run(async {
        let slow = Options { propagation_delay: Duration::from_secs(1), ..Options::default() };
        let app = TestApp::spawn_with(slow, None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.call("/sfn/rotate_password", &[("handle", "ada")], &ada).await;
        assert!(!all_updated(&overview(&app, &ada).await));
        let took = wait_until_updated(&app, &ada, Duration::from_secs(5)).await;
        assert!(took >= Duration::from_millis(500), "{took:?}");
    })
}
