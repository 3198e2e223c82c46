//! The Workspaces tab's server functions: the same rules as the API, and a
//! deletion only with the workspace's handle typed again.

use crate::harness::*;
use reqwest::StatusCode;
use serde_json::Value;

async fn handles(app: &TestApp) -> Vec<String> {
    sqlx::query_scalar("SELECT handle FROM workspaces ORDER BY created_at, handle").fetch_all(&app.db).await.unwrap()
}

#[test]
fn the_page_creates_and_deletes_workspaces_by_the_rules() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;

        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "analytics")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let ws: Value = res.json().await.unwrap();
        assert_eq!(ws["dns_name"], "analytics-ada.us-east-1.db.sluice.localhost");

        for (name, words) in [("analytics", "already have"), ("Bad Name", ""), ("", "")] {
            let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", name)], &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{name:?}");
            assert!(res.text().await.unwrap().contains(words), "{name:?}");
        }
        // Another person's account: nothing made there.
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "sneaky")], &grace).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        let res = app
            .call(
                "/sfn/delete_workspace",
                &[("handle", "ada"), ("workspace", "analytics"), ("confirm", "analytic")],
                &ada,
            )
            .await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(handles(&app).await.contains(&"analytics".to_owned()), "a wrong confirmation deletes nothing");
        let res = app
            .call(
                "/sfn/delete_workspace",
                &[("handle", "ada"), ("workspace", "analytics"), ("confirm", "analytics")],
                &grace,
            )
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app
            .call(
                "/sfn/delete_workspace",
                &[("handle", "ada"), ("workspace", "analytics"), ("confirm", "analytics")],
                &ada,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(handles(&app).await, ["default", "default"], "Ada's and Grace's first workspaces remain");
    });
}

/// Without PostgreSQL of its own (and no cluster), Sluice still serves:
/// the page says why workspaces are unavailable and turns New Workspace
/// off, a new one is refused with that reason, and the first workspace of
/// a new account waits; once PostgreSQL runs, it is made.
#[test]
fn without_postgresql_the_page_says_why_and_the_first_workspace_waits() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let regions: Value = app.call("/sfn/workspace_regions", &[("handle", "ada")], &ada).await.json().await.unwrap();
        assert_eq!(regions["choices"], serde_json::json!([]));
        let why = regions["unavailable"].as_str().unwrap().to_owned();
        assert!(why.contains("SLUICE_DB_LISTEN=off"), "{why}");
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "analytics")], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("New workspaces are unavailable on this server"));
        let html = app.get("/user/ada", Some(&ada)).await.text().await.unwrap();
        assert!(html.contains("New workspaces are unavailable on this server"), "the page says why");
        assert!(html.contains("aria-describedby=\"workspaces-unavailable\""), "New Workspace is turned off");
        assert!(html.contains("Waiting for PostgreSQL on this server"), "the card says it waits");
        let list: Value = app.call("/sfn/workspaces", &[("handle", "ada")], &ada).await.json().await.unwrap();
        assert_eq!(list[0]["ready"], false);

        // The next start runs PostgreSQL: the waiting workspace is made.
        let app = app.restart(crate::local_postgres::with_postgres()).await;
        let ws = crate::local_postgres::reachable(&app, "ada", &ada).await;
        assert!(ws.placed && ws.reachable);
        let html = app.get("/user/ada", Some(&ada)).await.text().await.unwrap();
        assert!(!html.contains("New workspaces are unavailable"));
    })
}
