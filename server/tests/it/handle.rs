//! Changing a handle: the rule on the server, the preview of every DNS
//! name, the pages and names that follow, the cooling-off hold on the old
//! handle, and one winner when many race for the same handle; a few
//! changes a day, and no hold on a handle used only for moments.

use crate::api::new_token;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn handle_of(app: &TestApp, email: &str) -> String {
    sqlx::query_scalar("SELECT handle FROM users WHERE email = $1").bind(email).fetch_one(&app.db).await.unwrap()
}

async fn change(app: &TestApp, from: &str, to: &str, cookie: &str) -> reqwest::Response {
    app.call("/sfn/change_handle", &[("handle", from), ("new_handle", to)], cookie).await
}

/// A sign-up with `handle` through a fresh link: whether it made the account.
async fn try_sign_up(app: &TestApp, email: &str, handle: &str) -> bool {
    let t = app.request_link(email).await;
    let res =
        app.post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", handle), ("display_name", "New")], None).await;
    session_cookie(&res).is_some()
}

#[test]
fn a_changed_handle_moves_the_pages_and_every_dns_name() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "analytics")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);

        let res = app.call("/sfn/handle_preview", &[("handle", "ada"), ("new_handle", "lovelace")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let preview: Value = res.json().await.unwrap();
        assert_eq!(preview["handle"], "lovelace");
        assert_eq!(
            preview["changes"],
            json!([
                { "workspace": "default", "before": "default-ada.us-east-1.db.sluice.localhost", "after": "default-lovelace.us-east-1.db.sluice.localhost" },
                { "workspace": "analytics", "before": "analytics-ada.us-east-1.db.sluice.localhost", "after": "analytics-lovelace.us-east-1.db.sluice.localhost" },
            ])
        );
        assert_eq!(handle_of(&app, "ada@example.com").await, "ada", "a preview changes nothing");

        let res = change(&app, "ada", "lovelace", &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap(), "lovelace");
        assert_eq!(handle_of(&app, "ada@example.com").await, "lovelace");

        // The pages follow the handle; the session carries on.
        assert!(app.is_signed_in("lovelace", &ada).await);
        assert_eq!(app.get("/user/ada", Some(&ada)).await.status(), StatusCode::NOT_FOUND);
        let res = app.call("/sfn/workspaces", &[("handle", "lovelace")], &ada).await;
        let list: Value = res.json().await.unwrap();
        let names: Vec<&str> = list.as_array().unwrap().iter().map(|w| w["dns_name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            ["default-lovelace.us-east-1.db.sluice.localhost", "analytics-lovelace.us-east-1.db.sluice.localhost"]
        );

        // Audited, and a System e-mail lists the names.
        let data: String = sqlx::query_scalar(
            "SELECT data FROM audit_log WHERE action_type = 'user.update' ORDER BY created_at DESC LIMIT 1",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&data).unwrap(),
            json!({ "handle": { "old": "ada", "new": "lovelace" } })
        );
        let mail = app.last_mail_to("ada@example.com").unwrap();
        assert!(mail.contains("Subject: Your handle was changed"), "{mail}");
        assert!(
            mail.contains(
                "analytics-ada.us-east-1.db.sluice.localhost -> analytics-lovelace.us-east-1.db.sluice.localhost"
            ),
            "{mail}"
        );

        // A plain form (no JavaScript) is sent on to the new address.
        let res = app
            .post_form("/sfn/change_handle", &[("handle", "lovelace"), ("new_handle", "countess")], Some(&ada))
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/user/countess/advanced/profile");
    });
}

#[test]
fn a_handle_that_breaks_the_rule_or_is_taken_changes_nothing() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let cases = [
            ("", "Enter a handle"),
            ("x", "at least 2"),
            ("Ada", "lowercase"),
            ("-ada", "lowercase"),
            ("a--b", "lowercase"),
            ("api", "reserved"),
            ("login", "reserved"),
            ("settings", "reserved"),
            ("admin", "reserved"),
            ("ada", "already your handle"),
            ("grace", "taken"),
        ];
        for (to, words) in cases {
            for path in ["/sfn/handle_preview", "/sfn/change_handle"] {
                let res = app.call(path, &[("handle", "ada"), ("new_handle", to)], &ada).await;
                assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path} {to:?}");
                let text = res.text().await.unwrap();
                assert!(text.contains(words), "{path} {to:?}: {text}");
            }
        }
        // Someone else's account: nothing changes there, nothing is said.
        let res = change(&app, "ada", "hijack", &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(handle_of(&app, "ada@example.com").await, "ada");
        assert_eq!(handle_of(&app, "grace@example.com").await, "grace");
        let changes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'user.update'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(changes, 0);
    });
}

#[test]
fn an_old_handle_is_held_for_its_owner_for_thirty_days() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        assert_eq!(change(&app, "ada", "lovelace", &ada).await.status(), StatusCode::OK);

        // Nobody else gets "ada": not by a change, not by a sign-up.
        let res = change(&app, "grace", "ada", &grace).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("taken"));
        assert!(!try_sign_up(&app, "newcomer@example.com", "ada").await);

        let until: i64 = sqlx::query_scalar("SELECT until - released_at FROM handle_holds WHERE handle = 'ada'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(until, 30 * 86_400_000);

        // Ada may take it back; then "lovelace", which she has used for a
        // day, is the one held for her.
        app.exec("UPDATE users SET handle_since = handle_since - 86400000 WHERE email = 'ada@example.com'").await;
        assert_eq!(change(&app, "lovelace", "ada", &ada).await.status(), StatusCode::OK);
        let held: Vec<String> = sqlx::query_scalar("SELECT handle FROM handle_holds").fetch_all(&app.db).await.unwrap();
        assert_eq!(held, ["lovelace"]);
        assert_eq!(change(&app, "grace", "lovelace", &grace).await.status(), StatusCode::BAD_REQUEST);

        // Once the hold has run out, the handle is anyone's.
        app.exec("UPDATE handle_holds SET until = released_at - 1").await;
        assert_eq!(change(&app, "grace", "lovelace", &grace).await.status(), StatusCode::OK);
        assert_eq!(handle_of(&app, "grace@example.com").await, "lovelace");
    });
}

#[test]
fn of_many_racing_for_one_handle_exactly_one_wins() {
    run(async {
        let app = TestApp::spawn().await;
        let mut people = Vec::new();
        for i in 0..12 {
            let handle = format!("racer{i}");
            let cookie = app.sign_up(&format!("{handle}@example.com"), &handle, "Racer").await;
            people.push((handle, cookie));
        }
        let attempts = people.iter().map(|(handle, cookie)| change(&app, handle, "prize", cookie));
        let answers = futures::future::join_all(attempts).await;
        let mut won = 0;
        for res in answers {
            match res.status() {
                StatusCode::OK => won += 1,
                StatusCode::BAD_REQUEST => {
                    let text = res.text().await.unwrap();
                    assert!(text.contains("The handle “prize” is taken"), "{text}");
                }
                other => panic!("{other}"),
            }
        }
        assert_eq!(won, 1);
        let owners: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE handle = 'prize'").fetch_one(&app.db).await.unwrap();
        assert_eq!(owners, 1);
        let renamed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE handle LIKE 'racer%'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(renamed, 11, "the losers keep their handles");
    });
}

#[test]
fn the_api_changes_the_handle_by_the_same_rules() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, token) = new_token(&app, "ada", &ada).await;

        let res = app.api(Method::PATCH, "/user/ada", Some(&token), Some(json!({ "handle": "grace" }))).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let model: Value = res.json().await.unwrap();
        assert_eq!(model["validation_errors"][0]["location"], "body.handle");

        let res = app
            .api(
                Method::PATCH,
                "/user/ada",
                Some(&token),
                Some(json!({ "handle": "lovelace", "display_name": "Ada L." })),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let user: Value = res.json().await.unwrap();
        assert_eq!(user["handle"], "lovelace");
        assert_eq!(user["display_name"], "Ada L.");
        assert!(user["url"].as_str().unwrap().ends_with("/user/lovelace"));

        // The same token goes on working under the new handle only.
        assert_eq!(app.api(Method::GET, "/user/lovelace/workspace", Some(&token), None).await.status(), StatusCode::OK);
        assert_eq!(
            app.api(Method::GET, "/user/ada/workspace", Some(&token), None).await.status(),
            StatusCode::FORBIDDEN
        );
        let ws: Value =
            app.api(Method::GET, "/user/lovelace/workspace/default", Some(&token), None).await.json().await.unwrap();
        assert_eq!(ws["host"], "default-lovelace.us-east-1.db.sluice.localhost");
    });
}

#[test]
fn renames_are_capped_per_day_and_only_used_handles_are_held() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let mails = app.mail_count();
        // The squatting attack: 50 renames in a row, each to another name.
        let mut current = "ada".to_owned();
        let mut done = 0;
        for i in 0..50 {
            let next = format!("squat{i}");
            let res = app
                .api(Method::PATCH, &format!("/user/{current}"), Some(&token), Some(json!({ "handle": next })))
                .await;
            if res.status() == StatusCode::OK {
                done += 1;
                current = next;
                continue;
            }
            assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "rename {i}");
            let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
            assert!(wait > 0 && wait <= 86_400);
            let model: Value = res.json().await.unwrap();
            assert!(model["detail"].as_str().unwrap().contains("3 times a day"), "{model}");
        }
        assert_eq!(done, 3, "three renames a day");
        // Concurrent ones past the limit are all refused too.
        let more = (0..10).map(|i| {
            let (token, current, app) = (token.clone(), current.clone(), &app);
            async move {
                app.api(
                    Method::PATCH,
                    &format!("/user/{current}"),
                    Some(&token),
                    Some(json!({ "handle": format!("rush{i}") })),
                )
                .await
                .status()
            }
        });
        for status in futures::future::join_all(more).await {
            assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        }
        // Only the handle used since sign-up is held; the ones used for
        // moments went back to everyone.
        let held: Vec<String> = sqlx::query_scalar("SELECT handle FROM handle_holds").fetch_all(&app.db).await.unwrap();
        assert_eq!(held, ["ada"]);
        assert_eq!(app.mail_count() - mails, done, "one mail per rename that happened");

        // The page's door says the same, with 429.
        let res = change(&app, &current, "later", &ada).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.text().await.unwrap().contains("RateLimited"));
        assert_eq!(handle_of(&app, "ada@example.com").await, current);
        let changes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'user.update'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(changes, 3, "three changes in the day, whichever door");
    });
}
