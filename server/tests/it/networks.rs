//! Something used from somewhere new: the first use from a network the
//! account has not used (an API token, a CLI login, a browser sign-in, a
//! workspace sign-in with the database password) mails once per
//! credential and network, and "This wasn't me" ends what was used.

use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::Value;

fn behind_a_proxy() -> Options {
    Options { trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()], ..Options::default() }
}

/// Signs up (or in) with a link, from `from`; answers the session cookie.
async fn sign_in_from(app: &TestApp, email: &str, handle: &str, from: &str) -> String {
    crate::proxy::post_forwarded(app, "/sfn/request_sign_in_link", &[("email", email)], from).await;
    let t = link_secret(&app.last_mail_to(email).unwrap());
    let form = [("t", t.as_str()), ("handle", handle), ("display_name", "Someone")];
    let res = crate::proxy::post_forwarded(app, "/sfn/confirm_sign_in", &form, from).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    session_cookie(&res).expect("a session")
}

async fn api_from(app: &TestApp, method: Method, path: &str, token: &str, from: &str) -> reqwest::Response {
    app.raw_client()
        .request(method, app.url(&format!("/api/v0{path}")))
        .bearer_auth(token)
        .header("x-forwarded-for", from)
        .send()
        .await
        .unwrap()
}

/// The new-network mails to `to`, oldest first.
fn alerts(app: &TestApp, to: &str) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| d.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .filter(|m| m.contains(&format!("To: {to}")) && m.contains("Subject: New network"))
        .collect()
}

/// The alert's id, from its "This wasn't me" link.
fn alert_id(mail: &str) -> String {
    let at = mail.find("/not-me/").expect("the link") + "/not-me/".len();
    mail[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect()
}

async fn audited(app: &TestApp, action: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = $1")
        .bind(action)
        .fetch_one(&app.db)
        .await
        .unwrap()
}

#[test]
fn a_token_used_from_a_new_network_mails_once_and_this_wasnt_me_ends_it() {
    run(async {
        let app = TestApp::spawn_with(behind_a_proxy(), None).await;
        let ada = sign_in_from(&app, "ada@example.com", "ada", "198.51.100.1").await;
        let grace = sign_in_from(&app, "grace@example.com", "grace", "198.51.100.2").await;
        let res = app.call("/sfn/create_token", &[("handle", "ada"), ("name", "deploy bot")], &ada).await;
        let created: Value = res.json().await.unwrap();
        let token = created["secret"].as_str().unwrap().to_owned();
        // Ada's own network: nothing to say.
        assert_eq!(api_from(&app, Method::GET, "/actor", &token, "198.51.100.77").await.status(), StatusCode::OK);
        assert!(alerts(&app, "ada@example.com").is_empty(), "the account's first network is its own");
        // Another network: one mail, naming the token, the network, the time.
        assert_eq!(api_from(&app, Method::GET, "/actor", &token, "203.0.113.9").await.status(), StatusCode::OK);
        for from in ["203.0.113.10", "203.0.113.9", "198.51.100.3"] {
            assert_eq!(api_from(&app, Method::GET, "/actor", &token, from).await.status(), StatusCode::OK);
        }
        let mails = alerts(&app, "ada@example.com");
        assert_eq!(mails.len(), 1, "once per credential and network");
        let mail = &mails[0];
        for said in [
            "deploy bot",
            "203.0.113.0/24",
            "address 203.0.113.9",
            "When: ",
            "This wasn't me: http://",
            "revokes that token",
        ] {
            assert!(mail.contains(said), "{said} in {mail}");
        }
        assert_eq!(audited(&app, "security.new_network").await, 1);
        // A second token from the now known network: nothing.
        let res = app.call("/sfn/create_token", &[("handle", "ada"), ("name", "two")], &ada).await;
        let second: Value = res.json().await.unwrap();
        let second = second["secret"].as_str().unwrap().to_owned();
        assert_eq!(api_from(&app, Method::GET, "/actor", &second, "203.0.113.200").await.status(), StatusCode::OK);
        assert_eq!(alerts(&app, "ada@example.com").len(), 1);
        // The Sessions section lists both networks.
        let res = app.call("/sfn/known_networks", &[("handle", "ada")], &ada).await;
        let known: Value = res.json().await.unwrap();
        let names: Vec<&str> = known.as_array().unwrap().iter().map(|n| n["network"].as_str().unwrap()).collect();
        assert!(names.contains(&"203.0.113.0/24") && names.contains(&"198.51.100.0/24"), "{names:?}");

        // "This wasn't me": only Ada's, and only with a fresh proof.
        let id = alert_id(mail);
        assert_eq!(app.call("/sfn/network_alert", &[("id", &id)], &grace).await.status(), StatusCode::NOT_FOUND);
        assert_eq!(app.call("/sfn/not_me", &[("id", &id)], &grace).await.status(), StatusCode::NOT_FOUND);
        let page = app.get(&format!("/not-me/{id}"), Some(&ada)).await.text().await.unwrap();
        assert!(page.contains("Revoke that token") && page.contains("203.0.113.0/24"), "{page}");
        app.exec("UPDATE sessions SET confirmed_at = 0").await;
        let res = app.call("/sfn/not_me", &[("id", &id)], &ada).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            api_from(&app, Method::GET, "/actor", &token, "203.0.113.9").await.status(),
            StatusCode::OK,
            "not yet"
        );
        app.move_clock(1);
        app.exec(&format!("UPDATE sessions SET confirmed_at = {}", app::infra::time::now_millis() + 1000)).await;
        assert_eq!(app.call("/sfn/not_me", &[("id", &id)], &ada).await.status(), StatusCode::OK);
        assert_eq!(
            api_from(&app, Method::GET, "/actor", &token, "203.0.113.9").await.status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            api_from(&app, Method::GET, "/actor", &second, "198.51.100.9").await.status(),
            StatusCode::OK,
            "only that token"
        );
        assert_eq!(audited(&app, "security.new_network.undo").await, 1);
        // The network is forgotten: the next use from it is mailed again.
        assert_eq!(api_from(&app, Method::GET, "/actor", &second, "203.0.113.5").await.status(), StatusCode::OK);
        assert_eq!(alerts(&app, "ada@example.com").len(), 2);
    })
}

#[test]
fn a_cli_login_and_a_browser_sign_in_from_a_new_network_each_mail() {
    run(async {
        let app = TestApp::spawn_with(behind_a_proxy(), None).await;
        let ada = sign_in_from(&app, "ada@example.com", "ada", "198.51.100.1").await;
        // `sluice login` from another network: its token's pick-up is the use.
        let res = app
            .raw_client()
            .post(app.url("/api/v0/login/token"))
            .header("x-forwarded-for", "192.0.2.5")
            .send()
            .await
            .unwrap();
        let id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        let code = crate::cli_login::confirm(&app, &id, &ada).await;
        let res = app
            .raw_client()
            .get(app.url(&format!("/api/v0/login/token/{id}?code={code}")))
            .header("x-forwarded-for", "192.0.2.5")
            .header("user-agent", "sluice-cli/1.0")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let cli_token = res.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned();
        let mails = alerts(&app, "ada@example.com");
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].contains("A CLI login")
                && mails[0].contains("192.0.2.0/24")
                && mails[0].contains("sluice-cli/1.0"),
            "{}",
            mails[0]
        );
        // Its token used from there again: known.
        assert_eq!(api_from(&app, Method::GET, "/actor", &cli_token, "192.0.2.6").await.status(), StatusCode::OK);
        assert_eq!(alerts(&app, "ada@example.com").len(), 1);

        // A browser signs in from a third network.
        let stranger = sign_in_from(&app, "ada@example.com", "ada", "100.64.7.1").await;
        let mails = alerts(&app, "ada@example.com");
        assert_eq!(mails.len(), 2);
        assert!(
            mails[1].contains("A browser sign-in")
                && mails[1].contains("100.64.7.0/24")
                && mails[1].contains("signs that browser out")
        );
        assert!(app.is_signed_in("ada", &stranger).await);
        // This wasn't me (Ada's own browser, which proved itself at sign-in): that browser is signed out.
        let id = alert_id(&mails[1]);
        let res = app.call("/sfn/not_me", &[("id", &id)], &ada).await;
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        assert!(!app.is_signed_in("ada", &stranger).await);
        assert!(app.is_signed_in("ada", &ada).await);
        // And the CLI login's: its token is revoked.
        let id = alert_id(&mails[0]);
        assert_eq!(app.call("/sfn/not_me", &[("id", &id)], &ada).await.status(), StatusCode::OK);
        assert_eq!(
            api_from(&app, Method::GET, "/actor", &cli_token, "192.0.2.6").await.status(),
            StatusCode::UNAUTHORIZED
        );
        // Removing a known network from the list: its next sign-in mails again.
        let res = app.call("/sfn/remove_network", &[("handle", "ada"), ("network", "198.51.100.0/24")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(audited(&app, "security.network.remove").await, 1);
        sign_in_from(&app, "ada@example.com", "ada", "198.51.100.8").await;
        assert_eq!(alerts(&app, "ada@example.com").len(), 3);
    })
}

#[test]
fn a_workspace_sign_in_from_a_new_network_mails_and_this_wasnt_me_rotates_the_password() {
    run(async {
        let options = Options {
            trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
            ..crate::local_postgres::with_plain_postgres()
        };
        let app = TestApp::spawn_with(options, None).await;
        let handle = unique_handle("ada");
        let email = format!("{handle}@example.com");
        // Ada's browser is elsewhere; the workspace client connects from 127.0.0.1.
        let ada = sign_in_from(&app, &email, &handle, "198.51.100.1").await;
        let ws = crate::local_postgres::reachable(&app, &handle, &ada).await;
        let pw = crate::local_postgres::password(&app, &handle, &ada).await;
        let before: String = sqlx::query_scalar("SELECT id FROM database_passwords").fetch_one(&app.db).await.unwrap();
        let client = crate::local_postgres::pg_connect(&ws, &pw).await.unwrap();
        client.batch_execute("SET application_name = 'nightly-report'").await.unwrap();
        // Seen at the next usage sample (every 300 ms here).
        let start = std::time::Instant::now();
        while alerts(&app, &email).is_empty() {
            assert!(start.elapsed() < std::time::Duration::from_secs(20), "no alert for the workspace sign-in");
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let waited = start.elapsed();
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        let mails = alerts(&app, &email);
        assert_eq!(mails.len(), 1, "once, however many samples see it");
        assert!(mails[0].contains("database password") && mails[0].contains("127.0.0.0/24"), "{}", mails[0]);
        assert!(mails[0].contains("rotates your database password"));
        eprintln!("the workspace sign-in was mailed {waited:?} after it connected");
        let id = alert_id(&mails[0]);
        assert_eq!(app.call("/sfn/not_me", &[("id", &id)], &ada).await.status(), StatusCode::OK);
        let after: String = sqlx::query_scalar("SELECT id FROM database_passwords").fetch_one(&app.db).await.unwrap();
        assert_ne!(before, after, "the database password was rotated");
        drop(client);
    })
}
