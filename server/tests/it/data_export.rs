//! Download your data: the archive holds every part the page lists, no
//! secret of any kind, only for its owner, a few times an hour.

use crate::harness::*;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Read;

/// Every entry of an archive: name → text.
pub fn entries(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a ZIP archive");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut text = String::new();
            file.read_to_string(&mut text).unwrap();
            (file.name().to_owned(), text)
        })
        .collect()
}

#[test]
fn the_archive_has_every_part_and_no_secret() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let (_, token) = crate::api::new_token(&app, "ada", &ada).await;
        let password: String = app.call("/sfn/reveal_password", &[("handle", "ada")], &ada).await.json().await.unwrap();
        let res = app.get("/user/ada/export.zip", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["content-type"], "application/zip");
        assert!(res.headers()["content-disposition"].to_str().unwrap().contains("sluice-ada-data.zip"));
        let bytes = res.bytes().await.unwrap();
        let files = entries(&bytes);
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        for part in [
            "README.txt",
            "profile.json",
            "workspaces.json",
            "tokens.json",
            "notifications.json",
            "sessions.json",
            "passkeys.json",
            "usage.json",
            "audit_log.json",
            "audit_log.csv",
        ] {
            assert!(names.contains(&part), "{part} is missing: {names:?}");
        }
        let json =
            |name: &str| -> Value { serde_json::from_str(&files.iter().find(|(n, _)| n == name).unwrap().1).unwrap() };
        assert_eq!(json("profile.json")["email"], "ada@example.com");
        assert_eq!(json("workspaces.json")[0]["handle"], "default");
        assert_eq!(json("workspaces.json")[0]["connection"]["user"], "ada");
        assert_eq!(json("tokens.json").as_array().unwrap().len(), 1);
        assert_eq!(json("notifications.json")["product_updates"], "enabled");
        assert!(!json("sessions.json").as_array().unwrap().is_empty());
        let audit = json("audit_log.json");
        let records: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log").fetch_one(&app.db).await.unwrap();
        // The export's own record is written before the archive.
        assert_eq!(audit.as_array().unwrap().len() as i64, records);
        let csv = &files.iter().find(|(n, _)| n == "audit_log.csv").unwrap().1;
        assert_eq!(csv.lines().count() as i64, records + 1, "a header and a line per record");
        assert!(audit.as_array().unwrap().iter().any(|r| r["action_type"] == "data.export"));
        // No secret anywhere: not the token, the session, the password.
        let cookie_value = ada.split_once('=').unwrap().1;
        for (name, text) in &files {
            assert!(!text.contains(&token[25..]), "{name} holds the token");
            assert!(!text.contains(cookie_value), "{name} holds the session");
            assert!(!text.contains(&password), "{name} holds the database password");
        }
    })
}

#[test]
fn only_the_owner_downloads_a_few_times_an_hour() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let mallory = app.sign_up("mallory@example.com", "mallory", "Mallory").await;
        assert_eq!(app.get("/user/ada/export.zip", None).await.status(), StatusCode::NOT_FOUND);
        let res = app.get("/user/ada/export.zip", Some(&mallory)).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert!(!res.text().await.unwrap().contains("ada@example.com"));
        for _ in 0..app::data_export::archive::PER_HOUR {
            assert_eq!(app.get("/user/ada/export.zip", Some(&ada)).await.status(), StatusCode::OK);
        }
        let res = app.get("/user/ada/export.zip", Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(res.headers().contains_key("retry-after"));
        let exports: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'data.export'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(exports, app::data_export::archive::PER_HOUR, "each download is audited, the refused one is not");
    })
}
