//! The Audit Log: what is recorded, the API's keyset pages, and the
//! exports, each only to the account's owner.

use crate::api::new_token;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::collections::HashSet;

/// `n` records for `user_id`, `per_ms` to a millisecond (so that many
/// share a time and only the id orders them), oldest first.
async fn seed(app: &TestApp, user_id: &str, from: usize, n: usize, per_ms: usize, action: &str) {
    for i in from..from + n {
        app.exec(&format!(
            "INSERT INTO audit_log (id, identity_id, identity_handle, action_type, actor_id, actor_handle,
               actor_display_name, actor_avatar_url, actor_ip, target_id, target_handle, data, created_at)
             VALUES ('a_{i:020}', '{user_id}', 'ada', '{action}', '{user_id}', 'ada', 'Ada',
               '/avatar/{user_id}.svg', '127.0.0.1', NULL, NULL, '{{\"n\":{i}}}', {})",
            1_700_000_000_000i64 + (i / per_ms) as i64
        ))
        .await;
    }
}

async fn user_id(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE handle = $1").bind(handle).fetch_one(&app.db).await.unwrap()
}

async fn list(app: &TestApp, token: &str, query: &str) -> (StatusCode, Value) {
    let res = app.api(Method::GET, &format!("/user/ada/audit_log{query}"), Some(token), None).await;
    (res.status(), res.json().await.unwrap())
}

#[test]
fn pages_are_newest_first_and_stable_while_records_are_added() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let id = user_id(&app, "ada").await;
        // The token's first use of the day is recorded before the seeding.
        app.api(Method::GET, "/actor", Some(&token), None).await;
        app.exec("DELETE FROM audit_log").await;
        seed(&app, &id, 0, 60, 4, "user.update").await;

        let (status, first) = list(&app, &token, "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(first["items"].as_array().unwrap().len(), 25, "25 by default");

        let mut seen = Vec::new();
        let mut next = String::new();
        let mut pages = 0;
        loop {
            let q = if next.is_empty() { "?limit=7".to_owned() } else { format!("?limit=7&next_token={next}") };
            let (status, page) = list(&app, &token, &q).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            for item in page["items"].as_array().unwrap() {
                seen.push(item["id"].as_str().unwrap().to_owned());
                for field in [
                    "action_type",
                    "actor_avatar_url",
                    "actor_display_name",
                    "actor_handle",
                    "actor_id",
                    "actor_ip",
                    "created_at",
                    "id",
                    "tenant_id",
                ] {
                    assert!(item[field].is_string(), "{field} in {item}");
                }
                assert!(item["data"].is_object());
                assert!(item["actor_avatar_url"].as_str().unwrap().starts_with("http"), "absolute");
            }
            pages += 1;
            // Newer records arriving between pages do not shift the walk.
            if pages == 2 {
                seed(&app, &id, 1000, 5, 1, "token.create").await;
                app.exec("UPDATE audit_log SET created_at = 1800000000000 WHERE id >= 'a_00000000000000001000'").await;
            }
            match page["next_token"].as_str() {
                Some(t) => next = t.to_owned(),
                None => break,
            }
        }
        assert_eq!(pages, 9, "60 records in pages of 7");
        let want: Vec<String> = (0..60).rev().map(|i| format!("a_{i:020}")).collect();
        assert_eq!(seen, want, "every record once, newest first, ties by id");
    });
}

#[test]
fn limit_and_next_token_are_checked() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        for (q, location) in [
            ("?limit=0", "query.limit"),
            ("?limit=101", "query.limit"),
            ("?limit=ten", "query.limit"),
            ("?limit=-1", "query.limit"),
            ("?next_token=bm90LWEtY3Vyc29y", "query.next_token"),
            ("?next_token=%00%ff", "query.next_token"),
        ] {
            let (status, body) = list(&app, &token, q).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
            assert_eq!(body["validation_errors"][0]["location"], location, "{q}: {body}");
        }
        let (status, body) = list(&app, &token, "?limit=100").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.get("next_token").is_none(), "one page: no cursor");
    });
}

#[test]
fn only_the_owner_reads_the_log() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, token) = new_token(&app, "grace", &grace).await;
        let res = app.api(Method::GET, "/user/ada/audit_log", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.api(Method::GET, "/user/ada/audit_log", None, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        // The exports: another person, or nobody, gets a 404 and no data.
        for cookie in [Some(grace.as_str()), None] {
            let res = app.get("/user/ada/activity/export/csv", cookie).await;
            assert_eq!(res.status(), StatusCode::NOT_FOUND);
            assert!(!res.text().await.unwrap().contains("user.create"));
        }
    });
}

#[test]
fn changes_are_recorded_with_their_actor_and_without_secrets() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (token_id, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::PATCH, "/user/ada", Some(&token), Some(json!({ "display_name": "Ada L." }))).await;
        assert_eq!(res.status(), StatusCode::OK);

        let (_, page) = list(&app, &token, "").await;
        let items = page["items"].as_array().unwrap();
        let actions: Vec<&str> = items.iter().map(|i| i["action_type"].as_str().unwrap()).collect();
        // The rename and the token's first use may share a millisecond.
        let mut latest = actions[..3].to_vec();
        latest[..2].sort();
        assert_eq!(latest, ["token.use", "user.update", "token.create"], "{actions:?}");
        assert!(actions.contains(&"user.create") && actions.contains(&"user.login"));
        let update = items.iter().find(|i| i["action_type"] == "user.update").unwrap();
        assert_eq!(update["data"]["display_name"], json!({ "old": "Ada", "new": "Ada L." }));
        assert_eq!(update["actor_handle"], "ada");
        assert_eq!(update["actor_display_name"], "Ada L.", "the actor as the change leaves them");
        assert_eq!(update["actor_ip"], "127.0.0.1");
        for i in items.iter().filter(|i| i["action_type"].as_str().unwrap().starts_with("token.")) {
            assert_eq!(i["data"]["token_id"], token_id);
        }
        assert!(!page.to_string().contains(&token), "no secret in the log");
        let secret_part = token.rsplit('_').next().unwrap();
        let csv = app.get("/user/ada/activity/export/csv", Some(&ada)).await.text().await.unwrap();
        assert!(!csv.contains(secret_part));
    });
}

#[test]
fn exports_hold_everything_the_filter_matches() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id = user_id(&app, "ada").await;
        app.exec("DELETE FROM audit_log").await;
        // More than one batch of the stream.
        seed(&app, &id, 0, 1500, 1, "user.update").await;
        seed(&app, &id, 2000, 30, 1, "token.create").await;
        app.exec(&format!(
            "UPDATE audit_log SET actor_display_name = '=HYPERLINK(\"x\"), \"Ada\"' WHERE id = 'a_{:020}'",
            2000
        ))
        .await;

        let res = app.get("/user/ada/activity/export/json", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/json");
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("attachment"));
        let all: Vec<Value> = res.json().await.unwrap();
        assert_eq!(all.len(), 1530);
        let ids: HashSet<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.len(), 1530, "no record twice");

        let res = app.get("/user/ada/activity/export/csv?action=token.create", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        let lines: Vec<&str> = csv.trim_end().split("\r\n").collect();
        assert!(lines[0].starts_with("created_at,action_type,actor_handle"));
        assert_eq!(lines.len(), 31, "a header and 30 rows");
        assert!(lines[1..].iter().all(|l| l.contains(",token.create,")));
        assert!(csv.contains("\"'=HYPERLINK(\"\"x\"\"), \"\"Ada\"\"\""), "quoted, formula defused");

        // The date range: 1_700_000_000_000 is 2023-11-14 UTC.
        let day = app.get("/user/ada/activity/export/json?from=2023-11-14&to=2023-11-14", Some(&ada)).await;
        assert_eq!(day.json::<Vec<Value>>().await.unwrap().len(), 1530);
        let none = app.get("/user/ada/activity/export/json?from=2023-11-15", Some(&ada)).await;
        assert_eq!(none.json::<Vec<Value>>().await.unwrap().len(), 0);

        for bad in ["?action=user.drop", "?from=yesterday", "?from=2024-01-02&to=2024-01-01"] {
            let res = app.get(&format!("/user/ada/activity/export/csv{bad}"), Some(&ada)).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let res = app.get("/user/ada/activity/export/xml", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    });
}

#[test]
fn the_actor_is_whoever_the_token_belongs_to() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::GET, "/actor", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let actor: Value = res.json().await.unwrap();
        assert_eq!(actor["handle"], "ada");
        assert_eq!(actor["id"], user_id(&app, "ada").await);
        let res = app.api(Method::GET, "/actor", None, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        let res = app.api(Method::GET, "/actor", Some("spt_nope"), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    });
}

async fn actions(app: &TestApp, handle: &str) -> Vec<(String, Value)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT action_type, data FROM audit_log WHERE identity_handle = $1 ORDER BY created_at, id")
            .bind(handle)
            .fetch_all(&app.db)
            .await
            .unwrap();
    rows.into_iter().map(|(a, d)| (a, serde_json::from_str(&d).unwrap())).collect()
}

fn count(list: &[(String, Value)], action: &str) -> usize {
    list.iter().filter(|(a, _)| a == action).count()
}

#[test]
fn a_tokens_first_use_of_the_day_is_recorded_once() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (id, token) = new_token(&app, "ada", &ada).await;
        for _ in 0..3 {
            app.api(Method::GET, "/actor", Some(&token), None).await;
        }
        assert_eq!(count(&actions(&app, "ada").await, "token.use"), 1);
        // Used yesterday: today's first use is recorded again.
        app.exec(&format!("UPDATE tokens SET last_used_at = last_used_at - 86400000 WHERE id = '{id}'")).await;
        app.api(Method::GET, "/actor", Some(&token), None).await;
        app.api(Method::GET, "/actor", Some(&token), None).await;
        let list = actions(&app, "ada").await;
        assert_eq!(count(&list, "token.use"), 2);
        assert_eq!(list.iter().find(|(a, _)| a == "token.use").unwrap().1["token_id"], id);
    });
}

#[test]
fn refused_authorizations_are_recorded_without_flooding() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (ada_token_id, ada_token) = new_token(&app, "ada", &ada).await;
        let (_, grace_token) = new_token(&app, "grace", &grace).await;

        // Grace's token on Ada's account: on Grace's own log.
        let res = app.api(Method::GET, "/user/ada/token", Some(&grace_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let refused: Vec<_> = actions(&app, "grace").await.into_iter().filter(|(a, _)| a == "auth.refused").collect();
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].1["path"], "/api/v0/user/ada/token");
        assert_eq!(count(&actions(&app, "ada").await, "auth.refused"), 0);

        // Ada's token id with a wrong secret, ten times: one record on Ada's log.
        let mut forged = ada_token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'a' { 'b' } else { 'a' });
        for _ in 0..10 {
            let res = app.api(Method::GET, "/actor", Some(&forged), None).await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        }
        let list = actions(&app, "ada").await;
        assert_eq!(count(&list, "token.refused"), 1);
        let (_, data) = list.iter().find(|(a, _)| a == "token.refused").unwrap();
        assert_eq!(data["token_id"], ada_token_id);
        assert_eq!(data["reason"], "wrong secret");
        assert!(!data.to_string().contains(&forged[forged.len() - 20..]), "no secret recorded");

        // A session asking for another person's data: on the asker's log.
        let res = app
            .call(
                "/sfn/audit_log",
                &[("handle", "ada"), ("filter[action]", ""), ("filter[from]", ""), ("filter[to]", ""), ("after", "")],
                &grace,
            )
            .await;
        assert_ne!(res.status(), StatusCode::OK);
        assert_eq!(count(&actions(&app, "grace").await, "auth.refused"), 2);
    });
}
