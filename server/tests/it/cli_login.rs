//! CLI login: request → confirm in the console (a code) → exchange for a
//! temporary token; each limit of the flow; and `server login`/`whoami`
//! as a real client.

use crate::api::new_token;
use crate::harness::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

pub async fn start(app: &TestApp) -> String {
    let res = app.api(Method::POST, "/login/token", None, None).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["state"], "pending");
    assert_eq!(body["code"], "", "the code never goes to the CLI");
    assert_eq!(body["client_ip"], "127.0.0.1");
    let id = body["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("spttr_") && id.len() == 53, "{id}");
    id
}

pub async fn confirm(app: &TestApp, id: &str, cookie: &str) -> String {
    let res = app.call("/sfn/confirm_cli_login", &[("r", id)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    let code: String = res.json().await.unwrap();
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()), "{code}");
    code
}

async fn exchange(app: &TestApp, id: &str, code: &str) -> (StatusCode, Value) {
    let res = app.api(Method::GET, &format!("/login/token/{id}?code={code}"), None, None).await;
    (res.status(), res.json().await.unwrap())
}

fn wrong(code: &str) -> String {
    let last = (code.as_bytes()[5] - b'0' + 1) % 10;
    format!("{}{last}", &code[..5])
}

#[test]
fn a_confirmed_request_is_exchanged_once_for_a_temporary_token() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id = start(&app).await;

        let res = app.api(Method::GET, &format!("/login/token/{id}"), None, None).await;
        assert_eq!(res.json::<Value>().await.unwrap()["state"], "pending");
        let (status, body) = exchange(&app, &id, "123456").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "not confirmed yet: {body}");

        let code = confirm(&app, &id, &ada).await;
        let res = app.api(Method::GET, &format!("/login/token/{id}"), None, None).await;
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["state"], "confirmed");
        assert!(body.get("token").is_none());
        // Confirming twice does not make a second code.
        let res = app.call("/sfn/confirm_cli_login", &[("r", &id)], &ada).await;
        assert_ne!(res.status(), StatusCode::OK);

        let (status, body) = exchange(&app, &id, &wrong(&code)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(body["validation_errors"][0]["message"].as_str().unwrap().contains("4 more tries"), "{body}");

        let (status, body) = exchange(&app, &id, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let token = body["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("spt_"));
        let (status, _) = exchange(&app, &id, &code).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a code works once");

        let res = app.api(Method::GET, "/actor", Some(&token), None).await;
        assert_eq!(res.json::<Value>().await.unwrap()["handle"], "ada");
        // Temporary: not among the person's tokens, and not counted.
        let res = app.api(Method::GET, "/user/ada/token", Some(&token), None).await;
        assert_eq!(res.json::<Value>().await.unwrap()["items"], json!([]));
        new_token(&app, "ada", &ada).await;
        new_token(&app, "ada", &ada).await;
        let kind: Vec<(String, Option<i64>, i64)> =
            sqlx::query_as("SELECT token_type, expires_at, created_at FROM tokens ORDER BY created_at")
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert_eq!(kind[0].0, "temporary");
        assert_eq!(kind[0].1.unwrap() - kind[0].2, 30 * 24 * 3600 * 1000, "30 days");

        let actions: Vec<String> = sqlx::query_scalar("SELECT action_type FROM audit_log ORDER BY created_at, id")
            .fetch_all(&app.db)
            .await
            .unwrap();
        assert!(actions.contains(&"auth.cli_login.confirm".to_owned()));
        assert!(actions.contains(&"auth.cli_login".to_owned()));
        let all: Vec<String> = sqlx::query_scalar("SELECT data FROM audit_log").fetch_all(&app.db).await.unwrap();
        assert!(!all.concat().contains(&token[token.len() - 20..]), "no secret in the log");
        assert!(!all.concat().contains(&id[27..]), "no whole request id in the log");

        // Reset authentication ends it like any other token.
        let now = time_now();
        let res = app.api(Method::PATCH, "/user/ada", Some(&token), Some(json!({ "token_min_issued_at": now }))).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.api(Method::GET, "/actor", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    });
}

fn time_now() -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as u64;
    // RFC 3339 to the millisecond, without a date library.
    let (now, millis) = (ms / 1000, ms % 1000);
    let days = now / 86_400;
    let secs = now % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", secs / 3600, secs / 60 % 60, secs % 60)
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[test]
fn five_wrong_codes_expiry_and_bad_input_end_or_refuse_the_request() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let id = start(&app).await;
        let code = confirm(&app, &id, &ada).await;
        for _ in 0..5 {
            let (status, _) = exchange(&app, &id, &wrong(&code)).await;
            assert_eq!(status, StatusCode::BAD_REQUEST);
        }
        let (status, _) = exchange(&app, &id, &code).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "the fifth wrong code ended it");

        // Ten minutes.
        let id = start(&app).await;
        let code = confirm(&app, &id, &ada).await;
        app.exec("UPDATE login_requests SET created_at = created_at - 600001").await;
        let (status, _) = exchange(&app, &id, &code).await;
        assert_eq!(status, StatusCode::NOT_FOUND);

        // The whole id is the secret: the public half alone finds nothing.
        let id = start(&app).await;
        let forged = format!("{}_{}", &id[..26], "a".repeat(26));
        let res = app.api(Method::GET, &format!("/login/token/{forged}"), None, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let res = app.call("/sfn/confirm_cli_login", &[("r", &forged)], &ada).await;
        assert_ne!(res.status(), StatusCode::OK);

        for (path, location) in [
            ("/login/token/spttr_nope".to_owned(), "path.temporary_token_request_id"),
            (format!("/login/token/{id}?code=12345"), "query.code"),
            (format!("/login/token/{id}?code=abcdef"), "query.code"),
        ] {
            let res = app.api(Method::GET, &path, None, None).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["validation_errors"][0]["location"], location, "{path}");
        }
        let res =
            app.api(Method::PATCH, &format!("/login/token/{id}"), None, Some(json!({ "state": "confirmed" }))).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "confirming needs a person");
        let res = app.api(Method::DELETE, &format!("/login/token/{id}"), None, None).await;
        assert_eq!(res.status(), StatusCode::OK);
        let res = app.api(Method::GET, &format!("/login/token/{id}"), None, None).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);

        // A temporary token past its 30 days.
        let id = start(&app).await;
        let code = confirm(&app, &id, &ada).await;
        let token = exchange(&app, &id, &code).await.1["token"].as_str().unwrap().to_owned();
        app.exec("UPDATE tokens SET expires_at = 1 WHERE token_type = 'temporary'").await;
        let res = app.api(Method::GET, "/actor", Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    });
}

#[test]
fn confirming_through_the_api_answers_the_code() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = new_token(&app, "ada", &ada).await;
        let id = start(&app).await;
        for bad in [json!({ "state": "approved" }), json!({}), json!({ "state": "pending" })] {
            let res = app.api(Method::PATCH, &format!("/login/token/{id}"), Some(&token), Some(bad.clone())).await;
            assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{bad}");
        }
        let res = app
            .api(Method::PATCH, &format!("/login/token/{id}"), Some(&token), Some(json!({ "state": "confirmed" })))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["state"], "confirmed");
        let code = body["code"].as_str().unwrap().to_owned();
        let (status, body) = exchange(&app, &id, &code).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    });
}

#[test]
fn requests_are_rate_limited_per_address() {
    run(async {
        let app = TestApp::spawn().await;
        for _ in 0..10 {
            start(&app).await;
        }
        let res = app.api(Method::POST, "/login/token", None, None).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=60).contains(&retry));
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["status"], 429);
    });
}

#[test]
fn server_login_and_whoami_sign_a_terminal_in() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let config = tempfile::tempdir().unwrap();
        let bin = env!("CARGO_BIN_EXE_sluice");
        let whoami = || Command::new(bin).arg("whoami").env("SLUICE_CONFIG_DIR", config.path()).output().unwrap();
        let before = whoami();
        assert!(!before.status.success());
        assert!(String::from_utf8_lossy(&before.stderr).contains("not signed in"));

        let mut child = Command::new(bin)
            .args(["login", "--url", &app.url("")])
            .env("SLUICE_CONFIG_DIR", config.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let page = tokio::task::spawn_blocking(move || {
            let mut line = String::new();
            loop {
                line.clear();
                assert!(stdout.read_line(&mut line).unwrap() > 0, "login printed no page");
                if let Some(i) = line.find("/login/token?r=") {
                    return (line[i + "/login/token?r=".len()..].trim().to_owned(), stdout);
                }
            }
        })
        .await
        .unwrap();
        let (id, mut stdout) = page;
        let code = confirm(&app, &id, &ada).await;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{}", wrong(&code)).unwrap();
        writeln!(stdin, "{} {}", &code[..3], &code[3..]).unwrap();
        let output = tokio::task::spawn_blocking(move || {
            let mut rest = String::new();
            std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
            (child.wait_with_output().unwrap(), rest)
        })
        .await
        .unwrap();
        let (done, rest) = output;
        assert!(done.status.success(), "{rest}\n{}", String::from_utf8_lossy(&done.stderr));
        assert!(String::from_utf8_lossy(&done.stderr).contains("more tries"), "the wrong code was said");
        assert!(rest.contains("Signed in to") && rest.contains("as ada"), "{rest}");

        let file = config.path().join("credentials.json");
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        let after = whoami();
        assert!(after.status.success(), "{}", String::from_utf8_lossy(&after.stderr));
        assert_eq!(String::from_utf8_lossy(&after.stdout).trim(), "ada");
    });
}
