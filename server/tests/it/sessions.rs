//! Sessions: a person sees every signed-in browser (what it is, where from,
//! when) and every CLI login, and ends them one by one or all but this
//! one; nobody else can see or end them, on the page, through a server
//! function or through the API.

use crate::api::new_token;
use crate::cli_login::{confirm, start};
use crate::harness::*;
use app::sessions::{SessionItem, SessionKind};
use reqwest::{redirect, Method, StatusCode};
use serde_json::Value;

const FIREFOX: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";

async fn sessions(app: &TestApp, handle: &str, cookie: &str) -> Vec<SessionItem> {
    let res = app.call("/sfn/list_sessions", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.unwrap()
}

/// Signs `email` in from another browser, one that says it is Firefox.
async fn sign_in_elsewhere(app: &TestApp, email: &str) -> String {
    let t = app.request_link(email).await;
    let firefox = reqwest::Client::builder().user_agent(FIREFOX).redirect(redirect::Policy::none()).build().unwrap();
    sign_in_with(&firefox, &app.base, &t).await
}

/// A CLI login's temporary token.
async fn cli_login(app: &TestApp, cookie: &str) -> String {
    let id = start(app).await;
    let code = confirm(app, &id, cookie).await;
    let res = app.api(Method::GET, &format!("/login/token/{id}?code={code}"), None, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[test]
fn sessions_are_listed_and_ended_one_by_one_or_all_but_this_one() {
    run(async {
        let app = TestApp::spawn().await;
        let here = app.sign_up("ada@example.com", "ada", "Ada").await;
        let elsewhere = sign_in_elsewhere(&app, "ada@example.com").await;
        let token = cli_login(&app, &here).await;

        let list = sessions(&app, "ada", &here).await;
        assert_eq!(list.len(), 3, "{list:?}");
        assert!(list[0].current, "this device first");
        assert_eq!(list[0].signed_in_ip, "127.0.0.1");
        let firefox = list.iter().find(|s| s.browser == "Firefox 133").expect("the other browser, by its user agent");
        assert!(firefox.system.starts_with("Windows"), "{firefox:?}");
        assert!(!firefox.current);
        assert_eq!((firefox.signed_in_ip.as_str(), firefox.last_ip.as_str()), ("127.0.0.1", "127.0.0.1"));
        let cli = list.iter().find(|s| s.kind == SessionKind::Cli).expect("the CLI login");
        assert_eq!(cli.signed_in_ip, "127.0.0.1");
        assert!(cli.expires_at > list[0].created_at);
        // Nothing secret: no cookie value, no token, no hash beyond the id.
        let text = serde_json::to_string(&list).unwrap();
        assert!(!text.contains(&here) && !text.contains(&elsewhere) && !text.contains(&token), "{text}");

        // Revoke the other browser: its next request is signed out.
        let res = app.call("/sfn/revoke_session", &[("handle", "ada"), ("session", &firefox.id)], &here).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(!app.is_signed_in("ada", &elsewhere).await);
        assert!(app.is_signed_in("ada", &here).await);
        assert_eq!(audited(&app, "session.revoke").await, 1);
        // Again: it is gone.
        let res = app.call("/sfn/revoke_session", &[("handle", "ada"), ("session", &firefox.id)], &here).await;
        assert_ne!(res.status(), StatusCode::OK);

        // Revoke the CLI login: its token gets 401.
        assert_eq!(app.api(Method::GET, "/actor", Some(&token), None).await.status(), StatusCode::OK);
        let res = app.call("/sfn/revoke_session", &[("handle", "ada"), ("session", &cli.id)], &here).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(app.api(Method::GET, "/actor", Some(&token), None).await.status(), StatusCode::UNAUTHORIZED);

        // Sign out other sessions: two more browsers and a CLI login end,
        // this one and the API tokens stay.
        let third = sign_in_elsewhere(&app, "ada@example.com").await;
        let fourth = sign_in_elsewhere(&app, "ada@example.com").await;
        let cli_token = cli_login(&app, &here).await;
        let (_, api_token) = new_token(&app, "ada", &here).await;
        let res = app.call("/sfn/revoke_other_sessions", &[("handle", "ada")], &here).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.json::<u64>().await.unwrap(), 3);
        assert!(!app.is_signed_in("ada", &third).await && !app.is_signed_in("ada", &fourth).await);
        assert!(app.is_signed_in("ada", &here).await);
        assert_eq!(app.api(Method::GET, "/actor", Some(&cli_token), None).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(app.api(Method::GET, "/actor", Some(&api_token), None).await.status(), StatusCode::OK);
        assert_eq!(audited(&app, "session.revoke_others").await, 1);
        let left = sessions(&app, "ada", &here).await;
        assert_eq!(left.len(), 1);
        assert!(left[0].current);
    })
}

#[test]
fn another_persons_sessions_cannot_be_listed_or_ended() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let mallory = app.sign_up("mallory@example.com", "mallory", "Mallory").await;
        let ada_session = sessions(&app, "ada", &ada).await.remove(0).id;
        let (_, mallory_token) = new_token(&app, "mallory", &mallory).await;
        let (_, ada_token) = new_token(&app, "ada", &ada).await;

        // Server functions, with Mallory's session, aimed at Ada.
        let res = app.call("/sfn/list_sessions", &[("handle", "ada")], &mallory).await;
        assert_ne!(res.status(), StatusCode::OK);
        for (path, form) in [
            ("/sfn/revoke_session", vec![("handle", "ada"), ("session", ada_session.as_str())]),
            ("/sfn/revoke_session", vec![("handle", "mallory"), ("session", ada_session.as_str())]),
            ("/sfn/revoke_other_sessions", vec![("handle", "ada")]),
        ] {
            let res = app.call(path, &form, &mallory).await;
            assert_ne!(res.status(), StatusCode::OK, "{path} {form:?}");
        }
        assert!(app.is_signed_in("ada", &ada).await, "Ada's session survives");

        // The API: Mallory's token on Ada's path is refused; on her own
        // path, Ada's session id is not hers.
        let res = app.api(Method::GET, "/user/ada/session", Some(&mallory_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res =
            app.api(Method::DELETE, &format!("/user/ada/session/{ada_session}"), Some(&mallory_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res =
            app.api(Method::DELETE, &format!("/user/mallory/session/{ada_session}"), Some(&mallory_token), None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.api(Method::DELETE, "/user/mallory/session/not-an-id", Some(&mallory_token), None).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(app.is_signed_in("ada", &ada).await, "Ada's session survives");

        // Ada's own token lists and ends it.
        let res = app.api(Method::GET, "/user/ada/session", Some(&ada_token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let list: Value = res.json().await.unwrap();
        assert_eq!(list["items"][0]["id"], ada_session.as_str());
        assert_eq!(list["items"][0]["current"], false, "a token is no session");
        let res = app.api(Method::DELETE, &format!("/user/ada/session/{ada_session}"), Some(&ada_token), None).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT);
        assert!(!app.is_signed_in("ada", &ada).await);
    })
}
