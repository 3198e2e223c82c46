//! The second factor from outside: setting up an authenticator, recovery
//! codes, the requirement and the half-signed-in state it leaves after
//! the e-mail link, codes that work once, limited tries, another person's
//! factors, and the operator's way out.

use crate::harness::*;
use app::identity::second_factor::totp;
use reqwest::StatusCode;
use serde_json::Value;

/// The secret's bytes from the grouped base32 the page shows.
fn secret_bytes(shown: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0u32);
    for c in shown.bytes().filter(|b| !b.is_ascii_whitespace()) {
        buffer = (buffer << 5) | alphabet.iter().position(|&a| a == c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

/// The code an app shows `offset` seconds from now.
fn code_at(secret: &[u8], offset: i64) -> String {
    totp::code(secret, totp::step_at(app::infra::time::now_millis() + offset * 1000))
}

/// Sets up an authenticator for `handle`; answers its secret.
pub async fn set_up(app: &TestApp, handle: &str, cookie: &str) -> Vec<u8> {
    let res = app.call("/sfn/start_authenticator", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    let setup: Value = res.json().await.unwrap();
    assert!(setup["uri"].as_str().unwrap().starts_with(&format!("otpauth://totp/Sluice:{handle}?secret=")));
    assert!(setup["qr_svg"].as_str().unwrap().starts_with("<svg"));
    let secret = secret_bytes(setup["secret"].as_str().unwrap());
    assert_eq!(secret.len(), 20);
    let res = app.call("/sfn/finish_authenticator", &[("handle", handle), ("code", "000000")], cookie).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a wrong first code");
    let res =
        app.call("/sfn/finish_authenticator", &[("handle", handle), ("code", &code_at(&secret, 0))], cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    secret
}

/// Makes recovery codes and turns the requirement on; answers the codes.
pub async fn require(app: &TestApp, handle: &str, cookie: &str) -> Vec<String> {
    let res = app.call("/sfn/require_second_factor", &[("handle", handle), ("required", "on")], cookie).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "not without recovery codes");
    assert!(res.text().await.unwrap().contains("recovery codes"));
    let res = app.call("/sfn/new_recovery_codes", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    let codes: Value = res.json().await.unwrap();
    let codes: Vec<String> =
        codes["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    let res = app.call("/sfn/require_second_factor", &[("handle", handle), ("required", "on")], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    codes
}

/// Opens a sign-in link for `email`; answers the half-signed-in cookie.
pub async fn first_step(app: &TestApp, email: &str) -> String {
    let t = app.request_link(email).await;
    let res = app.confirm(&t, None).await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(location(&res), "/login/second-step");
    assert!(session_cookie(&res).is_none(), "no session before the second factor");
    set_cookie_headers(&res)
        .into_iter()
        .map(|c| c.split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("sluice_second_step=") && c.len() > "sluice_second_step=".len())
        .expect("the half-signed-in cookie")
}

async fn second_step(app: &TestApp, half: &str, code: &str) -> reqwest::Response {
    app.post_form("/sfn/second_step", &[("code", code)], Some(half)).await
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.db).await.unwrap()
}

#[test]
fn a_required_second_factor_holds_the_sign_in_until_it_is_given() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/require_second_factor", &[("handle", "ada"), ("required", "on")], &ada).await;
        assert!(res.text().await.unwrap().contains("Add a passkey or set up an authenticator app first"));
        let secret = set_up(&app, "ada", &ada).await;
        let codes = require(&app, "ada", &ada).await;
        assert!(app.last_mail_to("ada@example.com").unwrap().contains("Subject: A second factor is now required"));

        // The e-mail link leaves a half-signed-in state, which opens nothing…
        let half = first_step(&app, "ada@example.com").await;
        assert!(!app.is_signed_in("ada", &half).await);
        for page in ["/user/ada/advanced/credentials", "/user/ada/activity", "/user/ada/advanced/profile"] {
            let res = app.get(page, Some(&half)).await;
            assert_eq!(res.status(), StatusCode::FOUND, "{page}");
            assert!(location(&res).starts_with("/login"), "{page}");
        }
        for (path, form) in [
            ("/sfn/viewer", vec![]),
            ("/sfn/tokens", vec![("handle", "ada")]),
            ("/sfn/second_factor", vec![("handle", "ada")]),
            ("/sfn/create_token", vec![("handle", "ada"), ("access", "read_only")]),
            ("/sfn/remove_authenticator", vec![("handle", "ada")]),
            ("/sfn/send_confirm_code", vec![]),
        ] {
            let res = app.call(path, &form, &half).await;
            let status = res.status();
            let body = res.text().await.unwrap();
            assert!(
                status == StatusCode::UNAUTHORIZED || status == StatusCode::OK && body == "null",
                "{path}: {status} {body}"
            );
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM tokens").await, 0);
        // …but the second step.
        let page = app.get("/login/second-step", Some(&half)).await.text().await.unwrap();
        assert!(page.contains("One more step") && page.contains("ada@example.com"), "{page}");
        let page = app.get("/login/second-step", None).await.text().await.unwrap();
        assert!(page.contains("This sign-in has expired"));

        // A wrong code, and the code the set-up used (its step is taken), are refused.
        let res = second_step(&app, &half, "123456").await;
        assert_eq!(res.status(), StatusCode::FOUND, "a plain form goes back");
        let res = app.call("/sfn/second_step", &[("code", "123456")], &half).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let replay = code_at(&secret, 0);
        let res = app.call("/sfn/second_step", &[("code", &replay)], &half).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a code is good once");
        assert!(res.text().await.unwrap().contains("already used"));

        // A recovery code works, once.
        let res = app.call("/sfn/second_step", &[("code", &codes[0].to_uppercase())], &half).await;
        assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        let session = session_cookie(&res).expect("the session");
        assert!(app.is_signed_in("ada", &session).await);
        assert!(!app.is_signed_in("ada", &half).await, "the half-signed-in cookie opens nothing still");
        let mail = app.last_mail_to("ada@example.com").unwrap();
        assert!(
            mail.contains("Subject: A recovery code was used") && mail.contains("9 unused recovery codes"),
            "{mail}"
        );
        let half2 = first_step(&app, "ada@example.com").await;
        let res = app.call("/sfn/second_step", &[("code", &codes[0])], &half2).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "a recovery code is good once");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM audit_log WHERE action_type = 'identity.recovery_code.use'").await,
            1
        );

        // The next code of the app works (the clock moved a minute on).
        app.move_clock(60);
        let res = app.call("/sfn/second_step", &[("code", &code_at(&secret, 60))], &half2).await;
        assert_eq!(res.status(), StatusCode::OK);
        let data: String = sqlx::query_scalar(
            "SELECT data FROM audit_log WHERE action_type = 'user.login' ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .fetch_one(&app.db)
        .await
        .unwrap();
        assert!(data.contains("\"second_factor\":\"authenticator\""), "{data}");
        // Confirm it is you takes a code from the app too, once.
        let session2 = session_cookie(&res).unwrap();
        app.exec("UPDATE sessions SET confirmed_at = 0").await;
        app.move_clock(120);
        let code = code_at(&secret, 120);
        let res = app.call("/sfn/confirm_with_authenticator", &[("code", &code)], &session2).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.call("/sfn/confirm_with_authenticator", &[("code", &code)], &session).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "not twice");

        // The last factor cannot go while it is required; off, it can.
        let res = app.call("/sfn/remove_authenticator", &[("handle", "ada")], &session2).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("last second factor"));
        let res = app.call("/sfn/require_second_factor", &[("handle", "ada"), ("required", "off")], &session2).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.call("/sfn/remove_authenticator", &[("handle", "ada")], &session2).await;
        assert_eq!(res.status(), StatusCode::OK);
        let t = app.request_link("ada@example.com").await;
        assert!(session_cookie(&app.confirm(&t, None).await).is_some(), "the link alone signs in again");
    })
}

#[test]
fn a_set_up_left_for_more_than_15_minutes_must_start_again() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/start_authenticator", &[("handle", "ada")], &ada).await;
        let setup: Value = res.json().await.unwrap();
        let secret = secret_bytes(setup["secret"].as_str().unwrap());
        // Started 16 minutes ago; the app's code is right.
        sqlx::query("UPDATE authenticators SET created_at = created_at - 960000").execute(&app.db).await.unwrap();
        let res =
            app.call("/sfn/finish_authenticator", &[("handle", "ada"), ("code", &code_at(&secret, 0))], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert!(res.text().await.unwrap().contains("more than 15 minutes"));
        let confirmed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM authenticators WHERE confirmed_at IS NOT NULL")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(confirmed, 0, "nothing was set up");
        // Started again: the new secret's code works.
        set_up(&app, "ada", &ada).await;
    })
}

#[test]
fn tries_are_limited_per_sign_in_and_per_account() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let secret = set_up(&app, "ada", &ada).await;
        require(&app, "ada", &ada).await;
        let half = first_step(&app, "ada@example.com").await;
        for _ in 0..5 {
            assert_eq!(
                app.call("/sfn/second_step", &[("code", "000000")], &half).await.status(),
                StatusCode::BAD_REQUEST
            );
        }
        app.move_clock(60);
        let res = app.call("/sfn/second_step", &[("code", &code_at(&secret, 60))], &half).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "five wrong codes end the half sign-in");
        assert!(res.text().await.unwrap().contains("expired or had too many wrong codes"));
        // A new link gives five more, but the account's ten a quarter hour hold.
        let half = first_step(&app, "ada@example.com").await;
        for _ in 0..3 {
            app.call("/sfn/second_step", &[("code", "000000")], &half).await;
        }
        let half = first_step(&app, "ada@example.com").await;
        let res = app.call("/sfn/second_step", &[("code", &code_at(&secret, 60))], &half).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the account's limit");
        assert!(res.text().await.unwrap().contains("Too many codes"));
    })
}

#[test]
fn another_persons_factors_cannot_be_read_or_removed() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let grace = app.sign_up("grace@example.com", "grace", "Grace").await;
        set_up(&app, "ada", &ada).await;
        require(&app, "ada", &ada).await;
        for (path, form) in [
            ("/sfn/second_factor", vec![("handle", "ada")]),
            ("/sfn/start_authenticator", vec![("handle", "ada")]),
            ("/sfn/remove_authenticator", vec![("handle", "ada")]),
            ("/sfn/new_recovery_codes", vec![("handle", "ada")]),
            ("/sfn/require_second_factor", vec![("handle", "ada"), ("required", "off")]),
        ] {
            assert_eq!(app.call(path, &form, &grace).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM authenticators WHERE confirmed_at IS NOT NULL").await, 1);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM recovery_codes WHERE used_at IS NULL").await, 10);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE second_factor_required_at IS NOT NULL").await, 1);

        // The API reads kinds and dates, never a secret; only the owner's.
        let (_, grace_token) = crate::api::new_token(&app, "grace", &grace).await;
        let res = app.api(reqwest::Method::GET, "/user/ada/second-factor", Some(&grace_token), None).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let (_, ada_token) = crate::api::new_token(&app, "ada", &ada).await;
        let res = app.api(reqwest::Method::GET, "/user/ada/second-factor", Some(&ada_token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["required"], true);
        assert!(body["authenticator"]["added_at"].is_string());
        assert_eq!(body["recovery_codes"]["remaining"], 10);
        assert_eq!(body["passkeys"], serde_json::json!([]));
        let text = body.to_string();
        assert!(!text.contains("secret") && !text.contains("code_hash"), "{text}");
        assert_eq!(
            app.api(reqwest::Method::GET, "/user/ada/second-factor", None, None).await.status(),
            StatusCode::UNAUTHORIZED
        );
    })
}

#[test]
fn the_operator_lifts_the_requirement_and_it_is_audited() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        set_up(&app, "ada", &ada).await;
        require(&app, "ada", &ada).await;
        let lift = |handle: &str| {
            server_process()
                .args(["lift-second-factor", handle])
                .env("SLUICE_DATA_DIR", app.dir.path())
                .env("SLUICE_DATABASE_URL", &app.database.url)
                .env("USER", "ops-alice")
                .output()
                .unwrap()
        };
        let out = lift("nobody");
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no account has the handle nobody"));
        let out = lift("ada");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stdout).contains("ada no longer requires a second factor"));
        let data: String =
            sqlx::query_scalar("SELECT data FROM audit_log WHERE action_type = 'identity.second_factor.lift'")
                .fetch_one(&app.db)
                .await
                .unwrap();
        assert!(data.contains("ops-alice"), "{data}");
        let t = app.request_link("ada@example.com").await;
        assert!(session_cookie(&app.confirm(&t, None).await).is_some(), "the link alone signs in");
        let out = lift("ada");
        assert!(String::from_utf8_lossy(&out.stdout).contains("nothing changed"));
    })
}
