//! "Confirm it is you", passkey ceremonies and the change of sign-in
//! e-mail, from outside: what a stale session may not do, the mailed code's
//! rules, and an e-mail change that waits for its link and can be undone.

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
fn an_email_change_waits_for_its_link_and_the_old_address_can_undo_it() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        app.sign_up("grace@example.com", "grace", "Grace").await;
        let email = |app: &TestApp| {
            let db = app.db.clone();
            async move {
                sqlx::query_scalar::<_, String>("SELECT email FROM users WHERE handle = 'ada'")
                    .fetch_one(&db)
                    .await
                    .unwrap()
            }
        };
        // Another account's address: refused, without saying whose.
        let res =
            app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", "Grace@example.com")], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let text = res.text().await.unwrap();
        assert!(text.contains("cannot be used") && !text.contains("grace"), "{text}");
        for bad in ["", "not-an-address", &format!("{}@example.com", "a".repeat(300))] {
            let res = app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", bad)], &ada).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad:.20}");
        }
        let res = app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", "ada@new.example")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(email(&app).await, "ada@example.com", "nothing changes before the link is used");
        let mail = app.last_mail_to("ada@new.example").expect("a confirmation mail");
        let t = mail.split("/email/confirm?t=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let page = app.get(&format!("/email/confirm?t={t}"), None).await.text().await.unwrap();
        assert!(page.contains("Confirm your new e-mail"));
        assert_eq!(email(&app).await, "ada@example.com", "opening the page changes nothing");

        let res = app.post_form("/sfn/use_email_link", &[("t", &t)], None).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), "/user/ada/advanced/profile?email=changed");
        assert_eq!(email(&app).await, "ada@new.example");
        let res = app.call("/sfn/use_email_link", &[("t", &t)], "").await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the link works once");
        // Sign-in links now go to the new address and open the same account.
        let t2 = app.request_link("ada@new.example").await;
        let res = app.confirm(&t2, None).await;
        assert_eq!(location(&res), "/user/ada");

        // A token made while the new address was in use (by whoever made
        // the change, perhaps) works until the undo.
        let (_, token) = crate::api::new_token(&app, "ada", &ada).await;
        let status = app.api(reqwest::Method::GET, "/user/ada", Some(&token), None).await.status();
        assert_eq!(status, StatusCode::OK);

        let notice = app.last_mail_to("ada@example.com").expect("a notice to the old address");
        assert!(notice.contains("ada@new.example"));
        assert!(notice.contains("stops every API token"), "{notice}");
        let undo = notice.split("/email/undo?t=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let res = app.post_form("/sfn/use_email_link", &[("t", &undo)], None).await;
        assert_eq!(location(&res), "/login?email=restored");
        assert_eq!(email(&app).await, "ada@example.com");
        assert!(!app.is_signed_in("ada", &ada).await, "every session was signed out");
        let status = app.api(reqwest::Method::GET, "/user/ada", Some(&token), None).await.status();
        assert_eq!(status, StatusCode::UNAUTHORIZED, "tokens issued before the undo stop working");
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

/// Asks for `handle`'s sign-in e-mail to become `to` and uses the link
/// mailed there.
async fn change_email(app: &TestApp, handle: &str, cookie: &str, to: &str) {
    let res = app.call("/sfn/request_email_change", &[("handle", handle), ("email", to)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let t = link_in(&app.last_mail_to(to).expect("a confirmation mail"), "/email/confirm?t=");
    assert_eq!(use_link(app, &t).await, StatusCode::OK, "the change was confirmed");
}

fn link_in(mail: &str, path: &str) -> String {
    mail.split(path).nth(1).unwrap().split_whitespace().next().unwrap().to_owned()
}

async fn email_of(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE handle = $1").bind(handle).fetch_one(&app.db).await.unwrap()
}

/// Uses an e-mail link as the page's script does: 200, or 400 with why.
async fn use_link(app: &TestApp, t: &str) -> StatusCode {
    app.call("/sfn/use_email_link", &[("t", t)], "").await.status()
}

#[test]
fn the_oldest_undo_wins_over_an_undo_of_a_later_change() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        // Someone in Ada's session moves the address to theirs, then on
        // to another of theirs, and uses the second undo (mailed to them).
        change_email(&app, "ada", &ada, "b@evil.example").await;
        let first_undo = link_in(&app.last_mail_to("ada@example.com").unwrap(), "/email/undo?t=");
        change_email(&app, "ada", &ada, "c@evil.example").await;
        let second_undo = link_in(&app.last_mail_to("b@evil.example").unwrap(), "/email/undo?t=");
        assert_eq!(use_link(&app, &second_undo).await, StatusCode::OK);
        assert_eq!(email_of(&app, "ada").await, "b@evil.example");
        // Ada's undo still works, and wins.
        assert_eq!(use_link(&app, &first_undo).await, StatusCode::OK, "the first undo was not cancelled");
        assert_eq!(email_of(&app, "ada").await, "ada@example.com");

        // The other order: once the first undo is used, a later one is dead.
        let t = app.request_link("ada@example.com").await;
        let ada = session_cookie(&app.confirm(&t, None).await).unwrap();
        change_email(&app, "ada", &ada, "b@evil.example").await;
        let first_undo = link_in(&app.last_mail_to("ada@example.com").unwrap(), "/email/undo?t=");
        change_email(&app, "ada", &ada, "c@evil.example").await;
        let second_undo = link_in(&app.last_mail_to("b@evil.example").unwrap(), "/email/undo?t=");
        assert_eq!(use_link(&app, &first_undo).await, StatusCode::OK);
        assert_eq!(email_of(&app, "ada").await, "ada@example.com");
        assert_eq!(use_link(&app, &second_undo).await, StatusCode::BAD_REQUEST, "a later undo cannot follow");
        assert_eq!(email_of(&app, "ada").await, "ada@example.com");
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

#[test]
fn the_undo_removes_passkeys_added_since_the_change() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        add_passkey(&app, "ada", "pk_before", 1).await;
        change_email(&app, "ada", &ada, "b@evil.example").await;
        let undo = link_in(&app.last_mail_to("ada@example.com").unwrap(), "/email/undo?t=");
        // Added by whoever made the change, while the address was theirs.
        add_passkey(&app, "ada", "pk_after", app::infra::time::now_millis()).await;
        assert_eq!(use_link(&app, &undo).await, StatusCode::OK);
        assert_eq!(passkeys_of(&app, "ada").await, vec!["pk_before".to_owned()]);
    })
}

#[test]
fn mail_to_an_unconfirmed_address_carries_none_of_the_senders_words() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let name = "Sluice Security - your account is locked - verify at evil dot example";
        let res = app.call("/sfn/update_display_name", &[("handle", "ada"), ("display_name", name)], &ada).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let res =
            app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", "someone@example.org")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mail = app.last_mail_to("someone@example.org").unwrap();
        assert!(mail.contains("/email/confirm?t="), "{mail}");
        assert!(!mail.contains("locked") && !mail.contains("evil"), "{mail}");
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

async fn passkeys_of(app: &TestApp, handle: &str) -> Vec<String> {
    sqlx::query_scalar("SELECT p.id FROM passkeys p JOIN users u ON u.id = p.user_id WHERE u.handle = $1 ORDER BY p.id")
        .bind(handle)
        .fetch_all(&app.db)
        .await
        .unwrap()
}
