//! User Profile: Display Name.

use crate::harness::*;
use reqwest::StatusCode;

async fn display_name(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT display_name FROM users WHERE handle = $1")
        .bind(handle)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

async fn audit_rows(app: &TestApp, action: &str) -> Vec<(String, String, String)> {
    sqlx::query_as(
        "SELECT actor_display_name, data, actor_avatar_url FROM audit_log
         WHERE action_type = $1 ORDER BY created_at",
    )
    .bind(action)
    .fetch_all(&app.db)
    .await
    .unwrap()
}

#[test]
fn display_name_is_saved_trimmed_and_audited() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app
            .post_form(
                "/sfn/update_display_name",
                &[("handle", "ada"), ("display_name", "  Ada Lovelace  ")],
                Some(&ada),
            )
            .await;
        // A plain form post goes back to the page it came from.
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(display_name(&app, "ada").await, "Ada Lovelace");
        let rows = audit_rows(&app, "user.update").await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].0, "Ada Lovelace");
        assert!(rows[0].2.starts_with("/avatar/u_"), "the actor's avatar is recorded");
        let data: serde_json::Value = serde_json::from_str(&rows[0].1).unwrap();
        assert_eq!(data["display_name"]["old"], "Ada");
        assert_eq!(data["display_name"]["new"], "Ada Lovelace");
        let page = app.get("/user/ada/advanced/profile", Some(&ada)).await.text().await.unwrap();
        assert!(page.contains("Ada Lovelace"));
        // Saving the same name again records nothing.
        app.post_form("/sfn/update_display_name", &[("handle", "ada"), ("display_name", "Ada Lovelace")], Some(&ada))
            .await;
        assert_eq!(audit_rows(&app, "user.update").await.len(), 1);
    })
}

#[test]
fn a_bad_display_name_changes_nothing() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let too_long = "x".repeat(101);
        for bad in ["", "   ", "Ada\u{0}", "A\nB", too_long.as_str()] {
            let res = app
                .post_form("/sfn/update_display_name", &[("handle", "ada"), ("display_name", bad)], Some(&ada))
                .await;
            assert!(res.headers().contains_key("serverfnerror"), "{bad:?} is refused");
            assert_eq!(display_name(&app, "ada").await, "Ada", "{bad:?}");
        }
        assert!(audit_rows(&app, "user.update").await.is_empty());
    })
}

#[test]
fn only_the_owner_can_rename() {
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("grace@example.com", "grace", "Grace").await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.post_form("/sfn/update_display_name", &[("handle", "grace"), ("display_name", "Pwned")], Some(&ada)).await;
        assert_eq!(display_name(&app, "grace").await, "Grace");
        app.post_form("/sfn/update_display_name", &[("handle", "ada"), ("display_name", "Pwned")], None).await;
        assert_eq!(display_name(&app, "ada").await, "Ada", "signed out");
    })
}
