//! Changing the sign-in e-mail: the change waits for its link, the old
//! address can undo it, and the oldest undo wins.

use crate::harness::*;
use crate::identity::{add_passkey, passkeys_of};
use reqwest::StatusCode;

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

/// Asks for `handle`'s sign-in e-mail to become `to` and uses the link
/// mailed there.
pub async fn change_email(app: &TestApp, handle: &str, cookie: &str, to: &str) {
    let res = app.call("/sfn/request_email_change", &[("handle", handle), ("email", to)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let t = link_in(&app.last_mail_to(to).expect("a confirmation mail"), "/email/confirm?t=");
    assert_eq!(use_link(app, &t).await, StatusCode::OK, "the change was confirmed");
}

pub fn link_in(mail: &str, path: &str) -> String {
    mail.split(path).nth(1).unwrap().split_whitespace().next().unwrap().to_owned()
}

pub async fn email_of(app: &TestApp, handle: &str) -> String {
    sqlx::query_scalar("SELECT email FROM users WHERE handle = $1").bind(handle).fetch_one(&app.db).await.unwrap()
}

/// Uses an e-mail link as the page's script does: 200, or 400 with why.
pub async fn use_link(app: &TestApp, t: &str) -> StatusCode {
    app.call("/sfn/use_email_link", &[("t", t)], "").await.status()
}
