//! "Confirm it is you", passkey ceremonies and Reset Authentication, from
//! outside: what a stale session may not do, the mailed code's rules, and
//! what a reset ends.

use crate::email_change::{email_of, link_in, use_link};
use crate::harness::*;
use reqwest::StatusCode;

async fn user_id(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT id FROM users WHERE handle = $1").bind(handle).fetch_one(&app.db).await.unwrap()
}

/// Makes every session of `handle` prove itself again.
async fn stale(app: &TestApp, handle: &str) {
    sqlx::query("UPDATE sessions SET confirmed_at = 0 WHERE user_id = $1")
        .bind(user_id(app, handle).await)
        .execute(&app.db)
        .await
        .unwrap();
}

fn code_in(mail: &str) -> String {
    let at = mail.find("confirm it is you on Sluice:").expect("a code mail");
    mail[at..].chars().filter(char::is_ascii_digit).take(6).collect()
}

#[test]
fn a_stale_session_confirms_it_is_you_before_the_irreversible() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        // A fresh sign-in is a proof.
        let res = app.call("/sfn/create_token", &[("handle", "ada"), ("name", "ci")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);

        stale(&app, "ada").await;
        for (path, form) in [
            ("/sfn/delete_account", vec![("handle", "ada"), ("confirm", "ada")]),
            ("/sfn/reset_authentication", vec![("handle", "ada")]),
            ("/sfn/create_token", vec![("handle", "ada"), ("access", "full")]),
            ("/sfn/request_email_change", vec![("handle", "ada"), ("email", "ada@new.example")]),
            ("/sfn/add_passkey_start", vec![("handle", "ada")]),
        ] {
            let res = app.call(path, &form, &ada).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
            assert!(res.text().await.unwrap().contains("ConfirmIdentity"), "{path}");
        }
        assert!(app.is_signed_in("ada", &ada).await, "nothing happened");
        // A read-only token needs no proof.
        let res = app.call("/sfn/create_token", &[("handle", "ada"), ("access", "read_only")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        // A plain form goes to the page that asks, and comes back.
        let res = app
            .post_form_from("/user/ada/advanced/credentials", "/sfn/reset_authentication", &[("handle", "ada")], &ada)
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/confirm?next=/user/ada/advanced/credentials");

        // The mailed code: five wrong tries end it.
        assert_eq!(app.call("/sfn/send_confirm_code", &[], &ada).await.status(), StatusCode::OK);
        let code = code_in(&app.last_mail_to("ada@example.com").unwrap());
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..5 {
            let res = app.call("/sfn/confirm_with_code", &[("code", wrong)], &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        }
        let res = app.call("/sfn/confirm_with_code", &[("code", &code)], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the code died with the fifth wrong try");
        // Another session cannot use this session's code.
        assert_eq!(app.call("/sfn/send_confirm_code", &[], &ada).await.status(), StatusCode::OK);
        let code = code_in(&app.last_mail_to("ada@example.com").unwrap());
        let t = app.request_link("ada@example.com").await;
        let other = session_cookie(&app.confirm(&t, None).await).unwrap();
        stale(&app, "ada").await;
        let res = app.call("/sfn/confirm_with_code", &[("code", &code)], &other).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let res = app.call("/sfn/confirm_with_code", &[("code", &code)], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.call("/sfn/confirm_with_code", &[("code", &code)], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a code works once");
        // The proof is this session's only.
        let res = app.call("/sfn/reset_authentication", &[("handle", "ada")], &other).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let res = app.call("/sfn/reset_authentication", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
    })
}

#[test]
fn passkeys_are_refused_plainly_at_an_ip_address_and_bad_answers_change_nothing() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        // The test server is reached at 127.0.0.1: WebAuthn has no relying party there.
        let res = app.call("/sfn/passkey_sign_in_start", &[], "").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("IP address"));
        let res = app.call("/sfn/passkeys", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(res.text().await.unwrap().contains("IP address (127.0.0.1)"));
        for credential in ["", "{}", "not json", &"x".repeat(100_000)] {
            let res = app.call("/sfn/passkey_sign_in", &[("id", "nope"), ("credential", credential)], "").await;
            assert!(res.status().is_client_error(), "{credential:.20}");
        }
        let res = app.call("/sfn/remove_passkey", &[("handle", "ada"), ("id", "pk_nope")], &ada).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    })
}

#[test]
fn a_stale_session_proves_itself_before_a_cli_login_a_workspace_deletion_the_password_or_signing_out_others() {
    run(async {
        let app = TestApp::spawn_with(crate::local_postgres::with_postgres(), None).await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/create_workspace", &[("handle", "ada"), ("workspace", "analytics")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let request = crate::cli_login::start(&app).await;

        stale(&app, "ada").await;
        for (path, form) in [
            // Its code becomes a 30-day full-access token.
            ("/sfn/confirm_cli_login", vec![("r", request.as_str())]),
            ("/sfn/delete_workspace", vec![("handle", "ada"), ("workspace", "analytics"), ("confirm", "analytics")]),
            ("/sfn/reveal_password", vec![("handle", "ada")]),
            ("/sfn/revoke_other_sessions", vec![("handle", "ada")]),
        ] {
            let res = app.call(path, &form, &ada).await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
            assert!(res.text().await.unwrap().contains("ConfirmIdentity"), "{path}");
        }
        let workspaces: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE handle = 'analytics'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(workspaces, 1, "the workspace is still there");
        let res = app.api(reqwest::Method::GET, &format!("/login/token/{request}?code=000000"), None, None).await;
        let body: serde_json::Value = res.json().await.unwrap();
        assert_ne!(body["state"], "confirmed", "the CLI request was not confirmed: {body}");
        // A plain form comes back to the page it came from, query and all.
        let res = app
            .post_form_from(&format!("/login/token?r={request}"), "/sfn/confirm_cli_login", &[("r", &request)], &ada)
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/confirm?next=/login/token%3Fr%3D{request}"));

        // With a fresh proof each goes through.
        assert_eq!(app.call("/sfn/send_confirm_code", &[], &ada).await.status(), StatusCode::OK);
        let code = code_in(&app.last_mail_to("ada@example.com").unwrap());
        assert_eq!(app.call("/sfn/confirm_with_code", &[("code", &code)], &ada).await.status(), StatusCode::OK);
        crate::cli_login::confirm(&app, &request, &ada).await;
        let res = app.call("/sfn/reveal_password", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app
            .call(
                "/sfn/delete_workspace",
                &[("handle", "ada"), ("workspace", "analytics"), ("confirm", "analytics")],
                &ada,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    })
}

#[test]
fn reset_authentication_ends_a_pending_email_change_and_every_passkey() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res =
            app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", "ada@evil.example")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let t = link_in(&app.last_mail_to("ada@evil.example").unwrap(), "/email/confirm?t=");
        add_passkey(&app, "ada", "pk_one", 1).await;

        let res = app.call("/sfn/reset_authentication", &[("handle", "ada")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(use_link(&app, &t).await, StatusCode::BAD_REQUEST, "the link died with the reset");
        assert_eq!(email_of(&app, "ada").await, "ada@example.com");
        assert!(passkeys_of(&app, "ada").await.is_empty(), "a passkey is a way in: the reset removes it");
    })
}

/// A passkey row as a registration leaves it (the credential is not
/// checked here), made at `at`.
pub async fn add_passkey(app: &TestApp, handle: &str, id: &str, at: i64) {
    sqlx::query(
        "INSERT INTO passkeys (id, user_id, name, credential_id, credential, created_at)
         VALUES ($1, (SELECT id FROM users WHERE handle = $2), $1, $1, '{\"cred\":{\"counter\":0}}', $3)",
    )
    .bind(id)
    .bind(handle)
    .bind(at)
    .execute(&app.db)
    .await
    .unwrap();
}

pub async fn passkeys_of(app: &TestApp, handle: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT p.id FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.handle = $1 ORDER BY p.id")
        .bind(handle)
        .fetch_all(&app.db)
        .await
        .unwrap()
}
