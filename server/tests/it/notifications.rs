//! Notification preferences: on by default, each changed at once and
//! audited, System not changeable at all; the page's server function and
//! the API agree.

use crate::api::new_token;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[test]
fn preferences_change_one_at_a_time_and_system_cannot() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        let (_, token) = new_token(&app, "ada", &ada).await;

        let res = app.api(Method::GET, "/user/ada/preferences", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let prefs: Value = res.json().await.unwrap();
        for field in
            ["communication_community_updates", "communication_product_updates", "communication_tips_and_tricks"]
        {
            assert_eq!(prefs[field], "enabled", "{field} starts on");
        }
        assert!(prefs["id"].as_str().unwrap().starts_with("up_"));

        // The page turns one off.
        let res = app
            .call("/sfn/set_preference", &[("handle", "ada"), ("kind", "ProductUpdates"), ("on", "false")], &ada)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let saved: Value = res.json().await.unwrap();
        assert_eq!(saved, json!({ "community_updates": true, "product_updates": false, "tips_and_tricks": true }));

        // The API sees it, and changes another.
        let res = app
            .api(
                Method::PATCH,
                "/user/ada/preferences",
                Some(&token),
                Some(json!({ "communication_tips_and_tricks": "disabled" })),
            )
            .await;
        let prefs: Value = res.json().await.unwrap();
        assert_eq!(prefs["communication_product_updates"], "disabled");
        assert_eq!(prefs["communication_tips_and_tricks"], "disabled");
        assert_eq!(prefs["communication_community_updates"], "enabled");
        assert_eq!(prefs["version_id"], 3);

        // System has no switch: refused by name. Bad values too.
        for body in [
            json!({ "communication_system": "disabled" }),
            json!({ "communication_product_updates": "off" }),
            json!({ "communication_product_updates": true }),
        ] {
            let res = app.api(Method::PATCH, "/user/ada/preferences", Some(&token), Some(body.clone())).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
        }
        let res =
            app.call("/sfn/set_preference", &[("handle", "ada"), ("kind", "System"), ("on", "false")], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "no System kind exists to turn off");

        // Another person's preferences: nothing read, nothing changed.
        let res = app
            .call("/sfn/set_preference", &[("handle", "ada"), ("kind", "CommunityUpdates"), ("on", "false")], &grace)
            .await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let (_, grace_token) = new_token(&app, "grace", &grace).await;
        let res = app.api(Method::GET, "/user/ada/preferences", Some(&grace_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // Each change audited with old and new; a no-op writes nothing.
        app.api(
            Method::PATCH,
            "/user/ada/preferences",
            Some(&token),
            Some(json!({ "communication_tips_and_tricks": "disabled" })),
        )
        .await;
        let changes: Vec<String> = sqlx::query_scalar(
            "SELECT data FROM audit_log WHERE action_type = 'user.preferences.update' ORDER BY created_at, id",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert_eq!(changes.len(), 2);
        let first: Value = serde_json::from_str(&changes[0]).unwrap();
        assert_eq!(first, json!({ "product_updates": { "old": "enabled", "new": "disabled" } }));
    });
}
