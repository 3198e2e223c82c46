//! API tokens: shown once, stored hashed, at most two, owner only.

use crate::api::{error_model, get_user, new_token};
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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

#[test]
fn a_tokens_checksum_validates_and_a_one_character_change_fails_it() {
    use shared::token_format::has_valid_checksum;
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let secret = create(&app, &ada).await["secret"].as_str().unwrap().to_owned();
        assert!(has_valid_checksum(&secret), "{secret}");
        // One character of the random part changed: the checksum fails
        // offline, and the server refuses the token.
        let mut changed = secret.clone().into_bytes();
        changed[30] = if changed[30] == b'a' { b'b' } else { b'a' };
        let changed = String::from_utf8(changed).unwrap();
        assert!(!has_valid_checksum(&changed), "{changed}");
        let res = app.api(reqwest::Method::GET, "/actor", Some(&changed), None).await;
        assert_eq!(res.status(), reqwest::StatusCode::UNAUTHORIZED);
        let res = app.api(reqwest::Method::GET, "/actor", Some(&secret), None).await;
        assert_eq!(res.status(), reqwest::StatusCode::OK);
    })
}

/// Every mail in the outbox whose subject is `subject`.
fn mails_with_subject(app: &TestApp, subject: &str) -> usize {
    std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| {
            d.flatten()
                .filter(|e| {
                    std::fs::read_to_string(e.path()).unwrap_or_default().contains(&format!("Subject: {subject}"))
                })
                .count()
        })
        .unwrap_or(0)
}

async fn api_token(app: &TestApp, token: &str, body: serde_json::Value) -> (reqwest::StatusCode, Value) {
    let res = app.api(reqwest::Method::POST, "/user/ada/token", Some(token), Some(body)).await;
    (res.status(), res.json().await.unwrap_or(Value::Null))
}

#[test]
fn a_read_only_token_reads_everything_and_changes_nothing() {
    use reqwest::{Method, StatusCode};
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app
            .call(
                "/sfn/create_token",
                &[("handle", "ada"), ("name", "Dashboards"), ("expiration", "30"), ("access", "read_only")],
                &ada,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let created: Value = res.json().await.unwrap();
        let token = created["secret"].as_str().unwrap().to_owned();
        assert_eq!(created["token"]["access"], "read_only");
        assert_eq!(created["token"]["title"], "Dashboards");
        let expires = created["token"]["expires_at"].as_str().unwrap();
        assert!(expires > created["token"]["created_at"].as_str().unwrap());

        for path in ["/actor", "/user/ada", "/user/ada/token", "/user/ada/workspace", "/user/ada/audit_log"] {
            let res = app.api(Method::GET, path, Some(&token), None).await;
            assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        }
        let before: String =
            sqlx::query_scalar("SELECT display_name FROM users WHERE handle = 'ada'").fetch_one(&app.db).await.unwrap();
        let body = serde_json::json!({ "display_name": "Mallory" });
        let res = app.api(Method::PATCH, "/user/ada", Some(&token), Some(body)).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["status"], 403);
        assert!(e["detail"].as_str().unwrap().contains("Read only"), "{e}");
        for (method, path) in
            [(Method::POST, "/user/ada/token"), (Method::DELETE, "/user/ada"), (Method::POST, "/user/ada/workspace")]
        {
            let res = app.api(method.clone(), path, Some(&token), Some(serde_json::json!({}))).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{method} {path}");
        }
        let after: String =
            sqlx::query_scalar("SELECT display_name FROM users WHERE handle = 'ada'").fetch_one(&app.db).await.unwrap();
        assert_eq!(before, after, "nothing changed");
        let refusals: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'auth.refused'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(refusals, 4, "each refusal is in the Audit Log");
        // Bad choices change nothing.
        for (field, value) in [("expiration", "14"), ("access", "admin"), ("expiration", "date")] {
            let res = app.call("/sfn/create_token", &[("handle", "ada"), (field, value)], &ada).await;
            assert_ne!(res.status(), StatusCode::OK, "{field}={value}");
        }
        assert_eq!(list(&app, &ada).await.len(), 1);
    })
}

#[test]
fn a_read_only_token_is_not_given_the_database_password() {
    use reqwest::{Method, StatusCode};
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let make = |access: &'static str| {
            let (app, ada) = (&app, &ada);
            async move {
                let form = [("handle", "ada"), ("name", access), ("access", access)];
                let created: Value = app.call("/sfn/create_token", &form, ada).await.json().await.unwrap();
                created["secret"].as_str().unwrap().to_owned()
            }
        };
        let read_only = make("read_only").await;
        let full = make("full").await;
        // The password writes to every workspace: it is more than a read.
        let res = app.api(Method::GET, "/user/ada/password", Some(&read_only), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let e: Value = res.json().await.unwrap();
        assert!(e["detail"].as_str().unwrap().contains("Read only"), "{e}");
        assert!(e.get("$password").is_none() && !e.to_string().contains("password\":"), "{e}");
        let res = app.api(Method::GET, "/user/ada/password", Some(&full), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert!(body["$password"].as_str().is_some_and(|p| !p.is_empty()));
        let refused: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action_type = 'auth.refused' AND data LIKE '%database password%'",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(refused, 1, "the refusal is in the Audit Log");
    })
}

#[test]
fn an_expired_token_is_refused_listed_as_expired_and_does_not_count_toward_the_cap() {
    use reqwest::StatusCode;
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let full = create(&app, &ada).await["secret"].as_str().unwrap().to_owned();
        let soon = app_time(2_000);
        let (status, short) =
            api_token(&app, &full, serde_json::json!({ "title": "short", "expires_at": soon, "access": "full" })).await;
        assert_eq!(status, StatusCode::CREATED, "{short}");
        assert_eq!(short["expires_at"].as_str().unwrap()[..19], soon[..19]);
        let short_secret = short["token"].as_str().unwrap().to_owned();
        assert_eq!(app.api(reqwest::Method::GET, "/actor", Some(&short_secret), None).await.status(), StatusCode::OK);
        // At the cap now.
        let (status, _) = api_token(&app, &full, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);

        tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
        assert_eq!(
            app.api(reqwest::Method::GET, "/actor", Some(&short_secret), None).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let listed = list(&app, &ada).await;
        let expired = listed.iter().find(|t| t["title"] == "short").unwrap();
        assert_eq!(expired["status"], "expired");
        // It no longer counts: one more can be made, not two.
        let (status, _) = api_token(&app, &full, serde_json::json!({ "title": "third" })).await;
        assert_eq!(status, StatusCode::CREATED);
        let (status, _) = api_token(&app, &full, serde_json::json!({ "title": "fourth" })).await;
        assert_eq!(status, StatusCode::PAYMENT_REQUIRED);
        // A past or unreadable expiry, or an unknown field, is refused.
        for body in [
            serde_json::json!({ "expires_at": "2000-01-01T00:00:00Z" }),
            serde_json::json!({ "expires_at": "tomorrow" }),
            serde_json::json!({ "scopes": ["all"] }),
        ] {
            let (status, e) = api_token(&app, &full, body.clone()).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {e}");
        }
    })
}

/// An RFC 3339 time `ms` from now.
fn app_time(ms: i64) -> String {
    app::infra::time::rfc3339(app::infra::time::now_millis() + ms)
}

#[test]
fn the_owner_is_told_once_when_a_token_expires_within_seven_days() {
    use reqwest::StatusCode;
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let full = create(&app, &ada).await["secret"].as_str().unwrap().to_owned();
        let subject = "Your API token expires in 7 days";
        // Expiring in 30 days: no reminder yet.
        let (status, _) =
            api_token(&app, &full, serde_json::json!({ "title": "later", "expires_at": app_time(30 * 86_400_000) }))
                .await;
        assert_eq!(status, StatusCode::CREATED);
        tokio::time::sleep(std::time::Duration::from_millis(1_500)).await;
        assert_eq!(mails_with_subject(&app, subject), 0);
        // Delete it; one expiring in three days gets one reminder.
        sqlx::query("DELETE FROM tokens WHERE title = 'later'").execute(&app.db).await.unwrap();
        let (status, _) =
            api_token(&app, &full, serde_json::json!({ "title": "soon", "expires_at": app_time(3 * 86_400_000) }))
                .await;
        assert_eq!(status, StatusCode::CREATED);
        let started = std::time::Instant::now();
        while mails_with_subject(&app, subject) == 0 {
            assert!(started.elapsed() < std::time::Duration::from_secs(10), "no reminder was sent");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        // The worker looks every second: still one after a few passes.
        tokio::time::sleep(std::time::Duration::from_millis(3_000)).await;
        assert_eq!(mails_with_subject(&app, subject), 1);
        let mail = app.last_mail_to("ada@example.com").unwrap();
        assert!(mail.contains("“soon”") && mail.contains("/user/ada/advanced/credentials"), "{mail}");
    })
}

#[test]
fn tokens_through_the_api_follow_the_spec() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (first_id, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::POST, "/user/ada/token", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let created: Value = res.json().await.unwrap();
        let secret = created["token"].as_str().unwrap();
        assert!(secret.ends_with(created["last4"].as_str().unwrap()));
        for field in ["created_at", "created_by_id", "id", "status", "updated_by_id", "user_id", "version_id"] {
            assert!(!created[field].is_null(), "{field}");
        }
        assert_eq!(created["status"], "active");
        // The new token works; a third is refused with the plan's 402.
        assert_eq!(get_user(&app, secret).await, StatusCode::OK);
        let body = error_model(
            app.api(Method::POST, "/user/ada/token", Some(secret), None).await,
            StatusCode::PAYMENT_REQUIRED,
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains("up to 2 tokens"));
        let list: Value =
            app.api(Method::GET, "/user/ada/token?limit=1", Some(&token), None).await.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert!(items.iter().all(|t| t.get("token").is_none()));
        let one: Value = app
            .api(Method::GET, &format!("/user/ada/token/{first_id}"), Some(secret), None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(one["id"], first_id.as_str());
        let res = app
            .api(
                Method::PATCH,
                &format!("/user/ada/token/{first_id}"),
                Some(secret),
                Some(json!({ "status": "active", "title": "CI", "description": "deploys" })),
            )
            .await;
        let updated: Value = res.json().await.unwrap();
        assert_eq!((updated["title"].as_str(), updated["description"].as_str()), (Some("CI"), Some("deploys")));
        assert_eq!(updated["version_id"], 2);
        let actions: Vec<String> = sqlx::query_scalar("SELECT action_type FROM audit_log WHERE action_type LIKE 'token.%' AND action_type != 'token.use' ORDER BY created_at")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert_eq!(actions, ["token.create", "token.create", "token.update"]);
    })
}

/// A token Reset authentication revoked stays revoked: neither door
/// changes it, and each says why (the API naming the field).
#[test]
fn a_revoked_token_cannot_be_changed_and_both_doors_say_why() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (old_id, _) = new_token(&app, "ada", &ada).await;
        // Made before the account's last reset: revoked.
        sqlx::query("UPDATE tokens SET created_at = 1 WHERE id = $1").bind(&old_id).execute(&app.db).await.unwrap();
        sqlx::query("UPDATE users SET token_min_issued_at = 2 WHERE handle = 'ada'").execute(&app.db).await.unwrap();
        let (_, token) = new_token(&app, "ada", &ada).await;
        let body = error_model(
            app.api(
                Method::PATCH,
                &format!("/user/ada/token/{old_id}"),
                Some(&token),
                Some(json!({ "status": "active" })),
            )
            .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(body["detail"].as_str().unwrap().contains("revoked by Reset authentication"), "{body}");
        assert_eq!(body["validation_errors"][0]["location"], "body.status", "{body}");
        let res =
            app.call("/sfn/set_token_status", &[("handle", "ada"), ("id", &old_id), ("active", "true")], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("revoked by Reset authentication"));
        // Another person's id, or none at all, is not found.
        let res = app.api(Method::DELETE, "/user/ada/token/k_aaaaaaaaaaaaaaaaaaaa", Some(&token), None).await;
        error_model(res, StatusCode::NOT_FOUND).await;
        let status: String = sqlx::query_scalar("SELECT status FROM tokens WHERE id = $1")
            .bind(&old_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(status, "active", "nothing changed");
    })
}
