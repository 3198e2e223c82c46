//! The Audit Log with a million records for one account (and a hundred
//! thousand for others): a page by keyset cursor against the same page by
//! OFFSET, side by side, at the top, the middle and the end of the log,
//! unfiltered and filtered by action. Prints medians and ratios; it only
//! checks that both ways find the same page. Run with `cargo bench -p server --bench audit_log`.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]

use app::activity::ssr::{page, Cursor, Query};
use std::time::{Duration, Instant};

const RECORDS: i64 = 1_000_000;
const OTHERS: i64 = 100_000;
const ROUNDS: usize = 15;
const ID: &str = "u_benchbenchbenchbench";

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let settings = server::config::settings_for(dir.path().to_owned(), "http://localhost:3000".parse().unwrap());
    let db = app::infra::db::open(&settings).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, handle, email, display_name, token_min_issued_at, created_at, updated_at)
         VALUES ($1, 'bench', 'bench@example.com', 'Bench', 0, 0, 0),
                ('u_otherotherotherother', 'other', 'other@example.com', 'Other', 0, 0, 0)",
    )
    .bind(ID)
    .execute(&db)
    .await
    .unwrap();
    let t = Instant::now();
    // Thirteen action types in turn, ten records to a millisecond (ties).
    let fill = "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $2 - 1)
        INSERT INTO audit_log (id, identity_id, identity_handle, action_type, actor_id, actor_handle,
            actor_display_name, actor_avatar_url, actor_ip, target_id, target_handle, data, created_at)
        SELECT printf('a_%s%015d', $3, i), $1, 'bench',
            CASE i % 13 WHEN 0 THEN 'token.create' WHEN 1 THEN 'user.login' WHEN 2 THEN 'auth.reset'
              WHEN 3 THEN 'token.update' WHEN 4 THEN 'token.delete' WHEN 5 THEN 'token.use'
              WHEN 6 THEN 'user.password.rotate' WHEN 7 THEN 'user.avatar.update'
              WHEN 8 THEN 'user.avatar.delete' WHEN 9 THEN 'auth.refused' WHEN 10 THEN 'token.refused'
              WHEN 11 THEN 'user.create' ELSE 'user.update' END,
            $1, 'bench', 'Bench', '/avatar/x.svg', '127.0.0.1', $1, 'bench',
            '{\"display_name\":{\"old\":\"A\",\"new\":\"B\"}}', 1700000000000 + i / 10
        FROM n";
    sqlx::query(fill).bind(ID).bind(RECORDS).bind("00000").execute(&db).await.unwrap();
    sqlx::query(fill).bind("u_otherotherotherother").bind(OTHERS).bind("11111").execute(&db).await.unwrap();
    sqlx::query("ANALYZE").execute(&db).await.unwrap();
    println!(
        "Audit Log: {RECORDS} records for one account, {OTHERS} for another, SQLite; filled in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    println!("a page of 25, median of {ROUNDS}: keyset cursor against OFFSET\n");

    let mut conn = db.acquire().await.unwrap();
    for action in [None, Some("token.create")] {
        let total: i64 = match action {
            None => RECORDS,
            Some(a) => sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE identity_id = $1 AND action_type = $2")
                .bind(ID)
                .bind(a)
                .fetch_one(&mut *conn)
                .await
                .unwrap(),
        };
        for depth in [0, total / 2, total - 25] {
            // The cursor of the record just before `depth`, as a client holds it.
            let after = if depth == 0 {
                None
            } else {
                let (at, id): (i64, String) = sqlx::query_as(
                    "SELECT created_at, id FROM audit_log WHERE identity_id = $1 AND ($2 IS NULL OR action_type = $2)
                     ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET $3",
                )
                .bind(ID)
                .bind(action)
                .bind(depth - 1)
                .fetch_one(&mut *conn)
                .await
                .unwrap();
                Some(Cursor::at(at, id))
            };
            let query = Query { action, after, ..Default::default() };
            let mut keyset = Vec::new();
            let mut offset = Vec::new();
            let mut first_ids = (String::new(), String::new());
            for _ in 0..ROUNDS {
                let t = Instant::now();
                let p = page(&mut conn, ID, &query, 25).await.unwrap();
                keyset.push(t.elapsed());
                first_ids.0 = p.items[0].id.clone();
                let t = Instant::now();
                // The same columns, order and filter; OFFSET instead of a cursor.
                let sql = format!(
                    "SELECT id, identity_id, identity_handle, action_type, actor_id, actor_handle,
                            actor_display_name, actor_avatar_url, actor_ip, target_id, target_handle,
                            data, created_at
                     FROM audit_log WHERE identity_id = $1 {}
                     ORDER BY created_at DESC, id DESC LIMIT 26 OFFSET $2",
                    if action.is_some() { "AND action_type = $3" } else { "" }
                );
                let rows: Vec<sqlx::any::AnyRow> =
                    sqlx::query(&sql).bind(ID).bind(depth).bind(action).fetch_all(&mut *conn).await.unwrap();
                let ids: Vec<String> = rows.iter().map(|r| sqlx::Row::get(r, "id")).collect();
                offset.push(t.elapsed());
                first_ids.1 = ids[0].clone();
            }
            assert_eq!(first_ids.0, first_ids.1, "both ways find the same page");
            let (k, o) = (median(keyset), median(offset));
            println!(
                "  {:<14} at {:>7} of {:>7}: keyset {:>10}  OFFSET {:>11}  OFFSET/keyset {:>8.1}×",
                action.unwrap_or("all actions"),
                depth,
                total,
                ms(k),
                ms(o),
                o.as_secs_f64() / k.as_secs_f64()
            );
        }
    }
}
