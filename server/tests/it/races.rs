//! Single-use things under concurrent use, on whichever engine holds
//! Sluice's own data (the test command runs the suite on SQLite, then on
//! PostgreSQL, where reads do not wait for each other): a confirmation
//! code's five tries, an e-mail link's one use, a passkey counter's one
//! step.

use crate::harness::*;
use futures::future::join_all;
use reqwest::StatusCode;

/// Sixty wrong guesses of `handle`'s fresh code at once; answers how many
/// were compared with it (the rest found it gone).
async fn guesses_compared(app: &TestApp, email: &str, cookie: &str) -> usize {
    assert_eq!(app.call("/sfn/send_confirm_code", &[], cookie).await.status(), StatusCode::OK);
    let mail = app.last_mail_to(email).unwrap();
    let at = mail.find("confirm it is you on Sluice:").unwrap();
    let code: String = mail[at..].chars().filter(char::is_ascii_digit).take(6).collect();
    let wrong: Vec<String> =
        (0..61u32).map(|n| format!("{:06}", (n * 7919 + 13) % 1_000_000)).filter(|g| *g != code).take(60).collect();
    let answers = join_all(wrong.iter().map(|guess| async move {
        app.call("/sfn/confirm_with_code", &[("code", guess)], cookie).await.text().await.unwrap()
    }))
    .await;
    let res = app.call("/sfn/confirm_with_code", &[("code", &code)], cookie).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the code died with its fifth wrong try");
    answers.iter().filter(|a| a.contains("not right") || a.contains("Too many")).count()
}

#[test]
fn sixty_racing_guesses_of_a_confirmation_code_get_five_tries_between_them() {
    run(async {
        let app = TestApp::spawn().await;
        // Several rounds: a race that is lost only now and then shows.
        let mut compared = Vec::new();
        for n in 0..4 {
            let email = format!("p{n}@example.com");
            let cookie = app.sign_up(&email, &format!("p{n}"), "P").await;
            for _ in 0..2 {
                compared.push(guesses_compared(&app, &email, &cookie).await);
            }
        }
        assert_eq!(compared, vec![5; 8], "guesses compared with the code in each round");
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
