//! API tokens: shown once, stored hashed, at most two, owner only.

use crate::harness::*;
use serde_json::Value;

async fn create(app: &TestApp, cookie: &str) -> Value {
    let res = app.call("/sfn/create_token", &[("handle", "ada")], cookie).await;
    res.json().await.unwrap()
}

async fn list(app: &TestApp, cookie: &str) -> Vec<Value> {
    let res = app.call("/sfn/tokens", &[("handle", "ada")], cookie).await;
    res.json::<Value>().await.unwrap().as_array().cloned().unwrap_or_default()
}

/// Every byte Sluice keeps on disk (database, WAL, outbox).
pub fn everything_on_disk(app: &TestApp) -> Vec<u8> {
    fn walk(dir: &std::path::Path, out: &mut Vec<u8>) {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.extend(std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    let mut out = Vec::new();
    walk(app.dir.path(), &mut out);
    out
}

#[test]
fn a_new_token_is_shown_once_and_only_its_hash_is_kept() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let created = create(&app, &ada).await;
        let secret = created["secret"].as_str().unwrap().to_owned();
        assert!(secret.starts_with("spt_") && secret.len() >= 70, "{secret}");
        let tokens = list(&app, &ada).await;
        assert_eq!(tokens.len(), 1);
        let masked = tokens[0]["masked"].as_str().unwrap();
        assert_eq!(masked, format!("spt_…{}", &secret[secret.len() - 4..]));
        assert!(!serde_json::to_string(&tokens).unwrap().contains(&secret[10..]), "the list never has the secret");
        let disk = everything_on_disk(&app);
        let needle = &secret.as_bytes()[25..];
        assert!(!disk.windows(needle.len()).any(|w| w == needle), "the secret is nowhere on disk");
        let audit: Vec<String> = sqlx::query_scalar("SELECT data FROM audit_log WHERE action_type = 'token.create'")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert_eq!(audit.len(), 1);
        assert!(!audit[0].contains(&secret[25..]));
    })
}

#[test]
fn a_third_token_is_refused() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        create(&app, &ada).await;
        create(&app, &ada).await;
        let third = create(&app, &ada).await;
        assert!(third["Invalid"].as_str().unwrap().contains("up to 2 tokens"), "{third}");
        assert_eq!(list(&app, &ada).await.len(), 2);
    })
}

/// `n` token creates for Ada at once, spread over `apps` in turn; answers
/// how many succeeded.
pub async fn concurrent_creates(apps: &[&TestApp], cookie: &str, n: usize) -> usize {
    let mut calls = tokio::task::JoinSet::new();
    for i in 0..n {
        let app = apps[i % apps.len()];
        let request = app
            .raw_client()
            .post(app.url("/sfn/create_token"))
            .header("sec-fetch-site", "same-origin")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie.to_owned())
            .body("handle=ada");
        calls.spawn(async move { request.send().await.unwrap().status().is_success() });
    }
    calls.join_all().await.into_iter().filter(|ok| *ok).count()
}

#[test]
fn fifty_concurrent_creates_leave_two() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let ok = concurrent_creates(&[&app], &ada, 50).await;
        assert_eq!(ok, 2);
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tokens").fetch_one(&app.db).await.unwrap();
        assert_eq!(count, 2);
    })
}

#[test]
fn deactivate_activate_and_delete() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id = create(&app, &ada).await["token"]["id"].as_str().unwrap().to_owned();
        app.call("/sfn/set_token_status", &[("handle", "ada"), ("id", &id), ("active", "false")], &ada).await;
        assert_eq!(list(&app, &ada).await[0]["status"], "inactive");
        app.call("/sfn/set_token_status", &[("handle", "ada"), ("id", &id), ("active", "true")], &ada).await;
        assert_eq!(list(&app, &ada).await[0]["status"], "active");
        let res = app.call("/sfn/delete_token", &[("handle", "ada"), ("id", &id)], &ada).await;
        assert!(res.status().is_success());
        assert!(list(&app, &ada).await.is_empty());
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action_type FROM audit_log WHERE action_type LIKE 'token.%' ORDER BY created_at",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(actions.iter().filter(|a| *a == "token.update").count(), 2);
        assert!(actions.contains(&"token.delete".to_owned()));
    })
}

#[test]
fn another_persons_tokens_are_out_of_reach() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let id = create(&app, &ada).await["token"]["id"].as_str().unwrap().to_owned();
        // Grace names Ada's account, or her own with Ada's token id.
        let listed = app.call("/sfn/tokens", &[("handle", "ada")], &grace).await.text().await.unwrap();
        assert!(!listed.contains(&id), "{listed}");
        app.call("/sfn/create_token", &[("handle", "ada")], &grace).await;
        for handle in ["ada", "grace"] {
            app.call("/sfn/set_token_status", &[("handle", handle), ("id", &id), ("active", "false")], &grace).await;
            app.call("/sfn/delete_token", &[("handle", handle), ("id", &id)], &grace).await;
        }
        let tokens = list(&app, &ada).await;
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0]["status"], "active");
    })
}
