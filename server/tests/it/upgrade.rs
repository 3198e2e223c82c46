//! Upgrading a data dir of an earlier release, whose workspaces were
//! SQLite files behind an imitation of PostgreSQL: at the first start with
//! Sluice's own PostgreSQL each becomes a database there with every row,
//! and a table that cannot be moved keeps its file.

use crate::harness::*;
use crate::local_postgres::{password, psql, reachable, with_postgres};
use sqlx::{Connection, Executor};
use std::time::{Duration, Instant};

const NOTES: i64 = 3000;

/// A workspace file as earlier releases wrote it: the declarations as the
/// person typed them (SQLite keeps them), values in SQLite's own types.
async fn write_legacy_file(path: &std::path::Path, with_broken_table: bool) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path).create_if_missing(true);
    let mut db = sqlx::SqliteConnection::connect_with(&options).await.unwrap();
    db.execute(
        "CREATE TABLE Notes (id INTEGER PRIMARY KEY, title varchar(3), body TEXT NOT NULL, score NUMERIC,
                             done BOOLEAN, at timestamptz, data BLOB);
         CREATE INDEX notes_title ON Notes (title);
         CREATE TABLE tags (name TEXT UNIQUE, n INTEGER);
         INSERT INTO tags VALUES ('red', 1), ('blue', NULL);",
    )
    .await
    .unwrap();
    let mut tx = db.begin().await.unwrap();
    for i in 1..=NOTES {
        sqlx::query("INSERT INTO Notes (title, body, score, done, at, data) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(if i % 7 == 0 { "toolong" } else { "t" })
            .bind(format!("note {i}"))
            .bind(i as f64 / 4.0)
            .bind(i % 2 == 0)
            .bind("2024-01-01 10:00:00+00")
            .bind(vec![(i % 256) as u8, 0xff])
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    if with_broken_table {
        // SQLite took text in an INTEGER column; PostgreSQL will not.
        db.execute("CREATE TABLE broken (n INTEGER); INSERT INTO broken VALUES (1), ('not a number');").await.unwrap();
    }
    db.close().await.unwrap();
}

/// Each row as the check below prints it.
fn expected_notes() -> String {
    (1..=NOTES)
        .map(|i| {
            let title = if i % 7 == 0 { "toolong" } else { "t" };
            let done = if i % 2 == 0 { "t" } else { "f" };
            format!("{i}|{title}|note {i}|{}|{done}|{:02x}ff", i as f64 / 4.0, i % 256)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn workspaces_kept_as_sqlite_files_move_onto_postgresql_with_every_row() {
    run(async {
        // The earlier release: no PostgreSQL of Sluice's own, so the
        // workspace rows stay unplaced; they are made as it made them.
        let app = TestApp::spawn_with(Options::default(), None).await;
        let cookie = app.sign_up("ada@example.com", "ada", "Ada").await;
        let start = Instant::now();
        loop {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE scram_verifier IS NOT NULL")
                .fetch_one(&app.db)
                .await
                .unwrap();
            if n == 1 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no verifier was written");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        sqlx::query(
            "INSERT INTO workspaces (id, user_id, handle, region, database_name, password_id, scram_verifier,
                                     created_at, updated_at)
             SELECT 'w_second', user_id, 'second', region, 'dsecond0001', password_id, scram_verifier,
                    created_at + 1, updated_at
             FROM workspaces WHERE handle = 'default'",
        )
        .execute(&app.db)
        .await
        .unwrap();
        sqlx::query("UPDATE workspaces SET provisioned_at = created_at").execute(&app.db).await.unwrap();
        let first: String =
            sqlx::query_scalar("SELECT id FROM workspaces WHERE handle = 'default'").fetch_one(&app.db).await.unwrap();
        let files = app.dir.path().join("workspaces");
        write_legacy_file(&files.join(format!("{first}.sqlite3")), true).await;
        write_legacy_file(&files.join("w_second.sqlite3"), false).await;

        // The new release starts on the same data.
        let app = app.restart(with_postgres()).await;
        let start = Instant::now();
        loop {
            let moved: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces WHERE cluster = 'local'")
                .fetch_one(&app.db)
                .await
                .unwrap();
            if moved == 2 {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(30), "the workspaces were not moved");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ws = reachable(&app, "ada", &cookie).await;
        let pw = password(&app, "ada", &cookie).await;
        let (ok, out, err) = psql(
            &ws.psql_command(&pw),
            "\\pset tuples_only on
             \\pset format unaligned
             SELECT string_agg(concat_ws('|', id, title, body, score, done, encode(data, 'hex')), E'\\n' ORDER BY id) FROM notes;
             SELECT count(*) FROM notes WHERE at = '2024-01-01 10:00:00+00';
             SELECT tableowner FROM pg_tables WHERE tablename = 'notes';
             SELECT indexdef FROM pg_indexes WHERE tablename IN ('notes', 'tags') ORDER BY indexname;
             SELECT string_agg(name || '=' || coalesce(n::text, 'null'), ',' ORDER BY name) FROM tags;
             SELECT to_regclass('broken') IS NULL;
             INSERT INTO notes (body) VALUES ('after the move') RETURNING id;",
        )
        .await;
        assert!(ok, "{err}\n{out}");
        assert!(out.contains(&expected_notes()), "every row arrived as it was");
        assert!(out.contains(&format!("\n{NOTES}\n")), "{}", &out[out.len().saturating_sub(800)..]);
        let tail = &out[out.len().saturating_sub(800)..];
        assert!(tail.contains("\nada\n"), "the owner's role owns the tables: {tail}");
        assert!(tail.contains("CREATE INDEX notes_title ON public.notes USING btree (title)"), "{tail}");
        assert!(tail.contains("PRIMARY KEY") || tail.contains("notes_pkey"), "{tail}");
        assert!(tail.contains("CREATE UNIQUE INDEX"), "the UNIQUE of tags: {tail}");
        assert!(tail.contains("blue=null,red=1"), "{tail}");
        assert!(tail.contains(&format!("\n{}\n", NOTES + 1)), "ids go on after the last: {tail}");
        // The table that could not be moved: named to its owner, its file kept.
        assert!(tail.contains("\nt\n"), "broken is not in the database: {tail}");
        assert!(files.join(format!("{first}.sqlite3")).exists(), "the file with an unmoved table is kept");
        let mail = app.last_mail_to("ada@example.com").expect("the owner is told");
        assert!(mail.contains("broken") && mail.contains("default"), "{mail}");
        // The other workspace moved whole: its file is gone.
        assert!(!files.join("w_second.sqlite3").exists(), "a file is removed once its copy is committed");
        let pool = app.postgres_admin().await;
        let second: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_database WHERE datname = 'dsecond0001'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(second, 1);
    })
}
