//! The two engines side by side: the same Sluice in one process, once on
//! SQLite (a file in its data dir) and once on PostgreSQL 15 on the same
//! machine (a throwaway data dir on a loopback port), each measured with
//! wrk, 32 keep-alive connections, 10 s, taking turns:
//! - `GET /api/v0/actor` with a bearer token (the token's row, the
//!   person's, and the rate-limit count);
//! - the signed-in User Profile page (SSR: session, person, avatar);
//! - `GET /api/v0/user/demo/token`: the token list.
//!
//! Run with `cargo bench -p server --bench engines` (wrk on PATH, initdb
//! and pg_ctl from Debian's postgresql package); it prints figures, it
//! does not pass or fail.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]

use sqlx::{Connection, Executor};
use std::time::Instant;

#[path = "support/postgres.rs"]
mod postgres;
#[path = "support/site.rs"]
mod site;
#[path = "support/wrk.rs"]
mod wrk;
use wrk::{wrk, CONNECTIONS};

const SECONDS: &str = "10s";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let password = "sluice-bench-engines";
    let pg = postgres::Postgres::start(&dir.path().join("pg"), password);
    let admin = format!("postgres://bench:{password}@127.0.0.1:{}/postgres", pg.port);
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute("CREATE DATABASE sluice").await.unwrap();
    conn.close().await.unwrap();
    let pg_url = format!("postgres://bench:{password}@127.0.0.1:{}/sluice", pg.port);

    let lite = site::start(&dir.path().join("sqlite"), None, |_| axum::Router::new()).await;
    let post = site::start(&dir.path().join("postgres"), Some(pg_url), |_| axum::Router::new()).await;
    let version: String = sqlx::query_scalar("SHOW server_version").fetch_one(&post.state.db).await.unwrap();

    let started = Instant::now();
    println!("wrk: {CONNECTIONS} connections, {SECONDS} per run; Sluice on SQLite and on PostgreSQL {version}, same process, same machine");
    println!();
    println!(
        "{:<40} {:>10} {:>11} {:>7} {:>11} {:>9} {:>9} {:>9}",
        "what (req/s)", "SQLite", "PostgreSQL", "ratio", "SQLite p50", "p99", "PG p50", "p99"
    );
    let runs = tokio::task::spawn_blocking(move || {
        let mut rows = Vec::new();
        for (name, path, by_cookie) in [
            ("API: GET /api/v0/actor", "/api/v0/actor", false),
            ("SSR: User Profile, signed in", "/user/demo/advanced/profile", true),
            ("API: GET /api/v0/user/demo/token", "/api/v0/user/demo/token", false),
        ] {
            let header = |s: &site::Site| {
                if by_cookie {
                    format!("Cookie: {}", s.cookie)
                } else {
                    format!("Authorization: Bearer {}", s.token)
                }
            };
            let l = wrk(&format!("{}{path}", lite.base), &header(&lite), SECONDS);
            let p = wrk(&format!("{}{path}", post.base), &header(&post), SECONDS);
            rows.push((name, l, p));
        }
        rows
    })
    .await
    .unwrap();
    for (name, l, p) in runs {
        println!(
            "{:<40} {:>10.0} {:>11.0} {:>6.0}% {:>11} {:>9} {:>9} {:>9}",
            name,
            l.per_sec,
            p.per_sec,
            100.0 * p.per_sec / l.per_sec,
            l.p50,
            l.p99,
            p.p50,
            p.p99
        );
    }
    println!();
    println!("(ratio: PostgreSQL's throughput as a share of SQLite's; latencies p50 and p99)");
    println!("Measured in {:.0} s", started.elapsed().as_secs_f64());
    drop(pg);
}
