//! The Workspaces tab's server functions: the same rules as the API, and a
//! deletion only with the workspace's handle typed again.

use crate::api::{error_model, new_token};
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

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

#[test]
fn workspaces_are_read_through_the_api() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let (_, grace_token) = new_token(&app, "grace", &grace).await;

        let res = app.api(Method::GET, "/user/ada/workspace", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let list: Value = res.json().await.unwrap();
        let items = list["items"].as_array().unwrap();
        assert_eq!(items.len(), 1);
        let ws = &items[0];
        assert_eq!(ws["handle"], "default");
        assert_eq!(ws["host"], "default-ada.us-east-1.db.sluice.localhost");
        for field in [
            "created_at",
            "created_by_id",
            "db_volume_size_bytes",
            "deleted_by_id",
            "desired_state",
            "handle",
            "id",
            "identity_id",
            "instance_type",
            "updated_by_id",
            "version_id",
        ] {
            assert!(!ws[field].is_null(), "{field}");
        }
        let res = app.api(Method::GET, "/user/ada/workspace/default", Some(&token), None).await;
        assert_eq!(res.json::<Value>().await.unwrap()["id"], ws["id"]);

        let res = app.api(Method::GET, "/user/ada/workspace/nothere", Some(&token), None).await;
        error_model(res, StatusCode::NOT_FOUND).await;
        let res = app.api(Method::GET, "/user/ada/workspace/Bad_Handle!", Some(&token), None).await;
        let model = error_model(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(model["validation_errors"][0]["location"], "path.workspace_handle");
        let res = app.api(Method::GET, "/user/ada/workspace/default", Some(&grace_token), None).await;
        error_model(res, StatusCode::FORBIDDEN).await;
        let res = app.api(Method::GET, "/user/ada/workspace", None, None).await;
        error_model(res, StatusCode::UNAUTHORIZED).await;
        let res = app.api(Method::GET, "/user/ada/workspace?limit=0", Some(&token), None).await;
        error_model(res, StatusCode::BAD_REQUEST).await;
    });
}

#[test]
fn workspaces_are_created_and_deleted_through_the_api() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let create = |body: Value| app.api(Method::POST, "/user/ada/workspace", Some(&token), Some(body));

        let res = create(json!({ "handle": "analytics" })).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let ws: Value = res.json().await.unwrap();
        assert_eq!(ws["host"], "analytics-ada.us-east-1.db.sluice.localhost");
        let has_password: Option<String> =
            sqlx::query_scalar("SELECT password_id FROM workspaces WHERE handle = 'analytics'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(has_password.is_some(), "a new workspace takes the current password");

        for (body, status, location) in [
            (json!({ "handle": "analytics" }), StatusCode::CONFLICT, None),
            (json!({ "handle": "Not OK" }), StatusCode::BAD_REQUEST, Some("body.handle")),
            (json!({ "handle": "x2", "desired_state": "paused" }), StatusCode::BAD_REQUEST, Some("body.desired_state")),
            (
                json!({ "handle": "x2", "instance_type": "db1.medium" }),
                StatusCode::BAD_REQUEST,
                Some("body.instance_type"),
            ),
            (json!({ "handle": "x2", "colour": "red" }), StatusCode::BAD_REQUEST, Some("body")),
            (json!({}), StatusCode::BAD_REQUEST, Some("body")),
        ] {
            let model = error_model(create(body.clone()).await, status).await;
            if let Some(l) = location {
                assert_eq!(model["validation_errors"][0]["location"], l, "{body}");
            }
        }
        assert_eq!(create(json!({ "handle": "third" })).await.status(), StatusCode::CREATED);
        let model = error_model(create(json!({ "handle": "fourth" })).await, StatusCode::PAYMENT_REQUIRED).await;
        assert!(model["detail"].as_str().unwrap().contains("at most 3"));

        let res = app.api(Method::DELETE, "/user/ada/workspace/analytics", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<Value>().await.unwrap()["handle"], "analytics");
        let res = app.api(Method::GET, "/user/ada/workspace/analytics", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.api(Method::DELETE, "/user/ada/workspace/analytics", Some(&token), None).await;
        error_model(res, StatusCode::BAD_REQUEST).await;
        let actions: Vec<String> = sqlx::query_scalar(
            "SELECT action_type FROM audit_log WHERE action_type LIKE 'workspace.%' ORDER BY created_at, id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(actions, ["workspace.create", "workspace.create", "workspace.delete"]);
        // The page lists what the API made.
        let page = app.get("/user/ada", Some(&ada)).await.text().await.unwrap();
        assert!(page.contains("third-ada.us-east-1.db.sluice.localhost"));
    });
}
