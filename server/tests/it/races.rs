//! Single-use things under concurrent use, on whichever engine holds
//! Sluice's own data (the test command runs the suite on SQLite, then on
//! PostgreSQL, where reads do not wait for each other): a confirmation
//! code's five tries, an e-mail link's one use, a passkey counter's one
//! step.

use crate::harness::*;
use futures::future::join_all;
use reqwest::StatusCode;

#[test]
fn sixty_racing_guesses_of_a_confirmation_code_get_five_tries_between_them() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        assert_eq!(app.call("/sfn/send_confirm_code", &[], &ada).await.status(), StatusCode::OK);
        let mail = app.last_mail_to("ada@example.com").unwrap();
        let at = mail.find("confirm it is you on Sluice:").unwrap();
        let code: String = mail[at..].chars().filter(char::is_ascii_digit).take(6).collect();
        let wrong: Vec<String> =
            (0..60u32).map(|n| format!("{:06}", (n * 7919 + 13) % 1_000_000)).filter(|g| *g != code).take(60).collect();
        let answers = join_all(wrong.iter().map(|guess| {
            let (app, ada) = (&app, &ada);
            async move { app.call("/sfn/confirm_with_code", &[("code", guess)], ada).await.text().await.unwrap() }
        }))
        .await;
        let checked = answers.iter().filter(|a| a.contains("not right") || a.contains("Too many")).count();
        assert_eq!(checked, 5, "only five guesses were compared: {answers:?}");
        let res = app.call("/sfn/confirm_with_code", &[("code", &code)], &ada).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the code died with its fifth wrong try");
    })
}

#[test]
fn an_email_link_used_eight_times_at_once_works_once() {
    run(async {
        let app = TestApp::spawn().await;
        let ada = app.sign_up("ada@example.com", "ada", "Ada").await;
        let res = app.call("/sfn/request_email_change", &[("handle", "ada"), ("email", "ada@new.example")], &ada).await;
        assert_eq!(res.status(), StatusCode::OK);
        let mail = app.last_mail_to("ada@new.example").unwrap();
        let t = mail.split("/email/confirm?t=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
        let statuses = join_all((0..8).map(|_| {
            let (app, t) = (&app, &t);
            async move { app.call("/sfn/use_email_link", &[("t", t)], "").await.status() }
        }))
        .await;
        let worked = statuses.iter().filter(|s| **s == StatusCode::OK).count();
        assert_eq!(worked, 1, "{statuses:?}");
        let undos: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM email_changes WHERE kind = 'undo'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(undos, 1, "one change, one undo link");
    })
}

#[test]
fn eight_racing_uses_of_one_passkey_counter_value_move_it_once() {
    use app::identity::passkeys::ssr::take_counter;
    run(async {
        let app = TestApp::spawn().await;
        app.sign_up("ada@example.com", "ada", "Ada").await;
        crate::identity::add_passkey(&app, "ada", "pk_cloned", 1).await;
        sqlx::query("UPDATE passkeys SET credential = '{\"cred\":{\"counter\":5}}' WHERE id = 'pk_cloned'")
            .execute(&app.db)
            .await
            .unwrap();
        let outcomes = join_all((0..8).map(|_| {
            let db = app.db.clone();
            async move {
                let mut tx = app::infra::db::begin_write(&db).await.unwrap();
                let taken = take_counter(&mut tx, "pk_cloned", 6).await;
                tx.commit().await.unwrap();
                taken.is_ok()
            }
        }))
        .await;
        assert_eq!(outcomes.iter().filter(|ok| **ok).count(), 1, "{outcomes:?}");
        let mut tx = app::infra::db::begin_write(&app.db).await.unwrap();
        assert!(take_counter(&mut tx, "pk_cloned", 6).await.is_err(), "a counter that did not move");
        assert!(take_counter(&mut tx, "pk_cloned", 7).await.is_ok(), "one that moved on");
        tx.commit().await.unwrap();
    })
}
