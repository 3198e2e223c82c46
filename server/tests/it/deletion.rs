//! Deleting a developer account: only with the handle typed exactly, in
//! one transaction, leaving no row and no byte of the person behind (every
//! table and every file of the data dir are scanned), signed out, and the
//! address free for a fresh sign-up. `DELETE /api/v0/user/{handle}` too.

use crate::api::new_token;
use crate::avatar_upload::{form, photo, upload};
use crate::cli_login;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::path::Path;

/// An account with something in every table that can hold its data.
async fn full_account(app: &TestApp, email: &str, handle: &str, name: &str) -> (String, String, String) {
    let cookie = app.sign_up(email, handle, name).await;
    let (_, token) = new_token(app, handle, &cookie).await;
    assert_eq!(upload(app, &cookie, form(handle, "me.jpg", photo(600, 400))).await.status(), StatusCode::OK);
    let res = app
        .call("/sfn/set_preference", &[("handle", handle), ("kind", "ProductUpdates"), ("on", "false")], &cookie)
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.call("/sfn/create_workspace", &[("handle", handle), ("workspace", "analytics")], &cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.call("/sfn/rotate_password", &[("handle", handle)], &cookie).await.status(), StatusCode::OK);
    let request = cli_login::start(app).await;
    cli_login::confirm(app, &request, &cookie).await;
    // A link asked for and never used, and a second session.
    app.request_link(email).await;
    let t = app.request_link(email).await;
    let second = session_cookie(&app.confirm(&t, None).await).expect("a second session");
    assert!(app.is_signed_in(handle, &second).await);
    let id: String =
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1").bind(email).fetch_one(&app.db).await.unwrap();
    // Usage the workspace side recorded.
    app::usage::ssr::record_compute(&app.db, &workspace_id(app, &id).await, 1_234, 1_700_000_000_000).await.unwrap();
    (cookie, token, id)
}

async fn workspace_id(app: &TestApp, user_id: &str) -> String {
    sqlx::query_scalar("SELECT id FROM workspaces WHERE user_id = $1 LIMIT 1")
        .bind(user_id)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

/// Every cell of every table, as text, that contains any of `needles`.
/// Waits (up to 20 s) until the cluster removals the deletion queued for
/// `user_id` are done: one that a concurrent step made fail (the worker
/// still making a workspace of theirs) is retried after a second or two,
/// and its row names the person until then.
async fn removals_done(app: &TestApp, user_id: &str) {
    let start = std::time::Instant::now();
    loop {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cluster_drops WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
        if left == 0 || start.elapsed() > std::time::Duration::from_secs(20) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

async fn rows_mentioning(app: &TestApp, needles: &[&str]) -> Vec<String> {
    let (tables_sql, columns_sql, contains) = match engine() {
        Engine::Sqlite => (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
            "SELECT name FROM pragma_table_info($1)",
            "instr",
        ),
        Engine::Postgres => (
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables WHERE table_schema = 'public'",
            "SELECT CAST(column_name AS TEXT) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1",
            "strpos",
        ),
    };
    let tables: Vec<String> = sqlx::query_scalar(tables_sql).fetch_all(&app.db).await.unwrap();
    assert!(tables.len() >= 12, "{tables:?}");
    let mut found = Vec::new();
    for table in tables {
        let columns: Vec<String> = sqlx::query_scalar(columns_sql).bind(&table).fetch_all(&app.db).await.unwrap();
        for column in columns {
            for needle in needles {
                let sql =
                    format!("SELECT COUNT(*) FROM \"{table}\" WHERE {contains}(CAST(\"{column}\" AS TEXT), $1) > 0");
                let n: i64 = sqlx::query_scalar(&sql).bind(needle).fetch_one(&app.db).await.unwrap();
                if n > 0 {
                    found.push(format!("{table}.{column} has {needle:?} ({n})"));
                }
            }
        }
    }
    found
}

/// Files under `dir` whose bytes contain any of `needles`; the outbox aside
/// (the mail on its way to the person), and the managed PostgreSQL's data
/// (its write-ahead log keeps a dropped role's name until PostgreSQL
/// recycles the segment: docs/security.md).
fn files_mentioning(dir: &Path, needles: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path.file_name().is_some_and(|n| n != "outbox" && n != "postgres") {
                    stack.push(path);
                }
                continue;
            }
            if !path.is_file() {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            for needle in needles {
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(format!("{} has {needle:?}", path.display()));
                }
            }
        }
    }
    found
}

#[test]
fn deleting_an_account_leaves_nothing_of_it_behind() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let (ada, token, id) = full_account(&app, "ada.unique@example.com", "adalove", "Ada Quinquagenarian").await;
        let (grace, _, grace_id) = full_account(&app, "grace@example.com", "grace", "Grace").await;
        let needles = [id.as_str(), "ada.unique@example.com", "Ada Quinquagenarian"];
        assert!(!rows_mentioning(&app, &needles).await.is_empty(), "the scan finds what is there");

        // A wrong or sloppy handle deletes nothing; nor does another person.
        for typed in ["", "adalov", "Adalove", " adalove", "grace"] {
            let res = app.call("/sfn/delete_account", &[("handle", "adalove"), ("confirm", typed)], &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{typed:?}");
        }
        let res = app.call("/sfn/delete_account", &[("handle", "adalove"), ("confirm", "adalove")], &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(app.is_signed_in("adalove", &ada).await);

        let res =
            app.post_form("/sfn/delete_account", &[("handle", "adalove"), ("confirm", "adalove")], Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/login?deleted=1");
        assert!(set_cookie_headers(&res).iter().any(|c| c.contains("Max-Age=0")), "this browser's cookie is cleared");

        removals_done(&app, &id).await;
        assert_eq!(rows_mentioning(&app, &needles).await, Vec::<String>::new());
        // The data dir: the database file, its log, the key file.
        let files = files_mentioning(app.dir.path(), &needles);
        assert_eq!(files, Vec::<String>::new());
        assert!(!app.is_signed_in("adalove", &ada).await);
        assert_eq!(app.api(Method::GET, "/actor", Some(&token), None).await.status(), StatusCode::UNAUTHORIZED);

        // The handle is held for nobody; Grace's account is whole.
        let held: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT handle, user_id FROM handle_holds").fetch_all(&app.db).await.unwrap();
        assert_eq!(held, [("adalove".to_owned(), None)]);
        assert!(app.is_signed_in("grace", &grace).await);
        for table in
            ["tokens", "workspaces", "avatars", "user_preferences", "database_passwords", "usage_daily", "audit_log"]
        {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM {table} WHERE {} = $1",
                if table == "audit_log" { "identity_id" } else { "user_id" }
            ))
            .bind(&grace_id)
            .fetch_one(&app.db)
            .await
            .unwrap();
            assert!(n > 0, "{table} of Grace");
        }

        // A System e-mail to the address it had; the same address signs up afresh.
        let mail = app.last_mail_to("ada.unique@example.com").unwrap();
        assert!(mail.contains("Subject: Your developer account was deleted"), "{mail}");
        let t = app.request_link("ada.unique@example.com").await;
        assert!(app.confirm_page(&t).await.contains("Create your account"));
        let res = app
            .post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", "adalove"), ("display_name", "Ada")], None)
            .await;
        assert!(session_cookie(&res).is_none(), "the handle is held");
        let res = app
            .post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", "ada-again"), ("display_name", "Ada")], None)
            .await;
        assert_eq!(location(&res), "/user/ada-again");
    });
}

#[test]
fn the_api_deletes_the_account_of_the_token() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let (_, token, id) = full_account(&app, "ada.unique@example.com", "adalove", "Ada Quinquagenarian").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, grace_token) = new_token(&app, "grace", &grace).await;

        let res = app.api(Method::DELETE, "/user/adalove", Some(&grace_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.api(Method::DELETE, "/user/adalove", None, None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(rows_mentioning(&app, &[&id]).await.len() > 5);

        let res = app.api(Method::DELETE, "/user/adalove", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        removals_done(&app, &id).await;
        assert_eq!(rows_mentioning(&app, &[&id, "ada.unique@example.com"]).await, Vec::<String>::new());
        assert_eq!(
            app.api(Method::DELETE, "/user/adalove", Some(&token), None).await.status(),
            StatusCode::UNAUTHORIZED
        );
        let v: Value = app.api(Method::GET, "/actor", Some(&grace_token), None).await.json().await.unwrap();
        assert_eq!(v["handle"], "grace");
    });
}
