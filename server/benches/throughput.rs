//! Throughput, latency, memory and start-up of the real router, side by
//! side with ceilings measured in the same run:
//! - the signed-in User Profile page (SSR) and `GET /api/v0/actor` with a
//!   bearer token, each against the same response bytes served from memory
//!   by the same process (`/__ceiling/…`, a route only this benchmark has),
//!   with wrk, 32 keep-alive connections, 10 s each;
//! - what bounds them from below, measured the same way: the sign-in page
//!   signed out (Leptos rendering, no database) and the same page signed
//!   in (the same render after the session's one read, which every
//!   signed-in page makes), and the API's bytes after
//!   only one database read, or after only the token's rate-limit count
//!   (`/__floor/…`, also only in this benchmark), and `/actor`'s token
//!   check and bearer extractor each alone, to show where its cost goes;
//! - resident memory after those runs and after three more rounds of mixed
//!   requests (it should not grow);
//! - the Audit Log's first and 1000th page over HTTP with 1,000,000 records;
//! - cold start of the `server` binary to its first 200, on an empty data
//!   dir and on one with those records.
//!
//! Run with `cargo bench -p server --bench throughput` (wrk on PATH); it
//! prints figures, it does not pass or fail.

// A test or a benchmark: a panic is how it reports what went wrong.
#![allow(clippy::unwrap_used)]

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, MethodRouter};
use axum::Router;
use base64::Engine;
use reqwest::{redirect, Client};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use app::infra::db::Db;

#[path = "support/goals.rs"]
mod goals;
#[path = "support/site.rs"]
mod site;
#[path = "support/wrk.rs"]
mod wrk;
use wrk::wrk;

const SECONDS: &str = "10s";
const RECORDS: i64 = 1_000_000;

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb / 1024.0
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Bytes a route answers, with their content type: what a real route
/// answered, kept to be answered again.
type Slot = std::sync::Arc<std::sync::Mutex<(String, Bytes)>>;

/// A route that answers `slot`'s bytes from memory.
fn replay(slot: &Slot) -> MethodRouter {
    let slot = slot.clone();
    get(move || {
        let (t, b) = slot.lock().unwrap().clone();
        async move { ([(CONTENT_TYPE, t)], b) }
    })
}

/// A route that does `work` with the database, then answers `slot`'s bytes.
fn after<W, F>(slot: &Slot, db: &Db, work: W) -> MethodRouter
where
    W: Fn(Db) -> F + Clone + Send + Sync + 'static,
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let (slot, db) = (slot.clone(), db.clone());
    get(move || {
        let (t, b) = slot.lock().unwrap().clone();
        let done = work(db.clone());
        async move {
            done.await;
            ([(CONTENT_TYPE, t)], b)
        }
    })
}

/// A million Audit Log records for `user_id`, the way the audit_log bench makes them.
async fn fill_audit_log(db: &app::infra::db::Db, user_id: &str) {
    sqlx::query(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < $2 - 1)
         INSERT INTO audit_log (id, identity_id, identity_handle, action_type, actor_id, actor_handle,
             actor_display_name, actor_avatar_url, actor_ip, target_id, target_handle, data, created_at)
         SELECT printf('a_bench%015d', i), $1, 'demo', CASE i % 3 WHEN 0 THEN 'token.create' WHEN 1 THEN 'user.login' ELSE 'user.update' END,
             $1, 'demo', 'Demo Developer', '/avatar/x.svg', '127.0.0.1', NULL, NULL,
             '{\"display_name\":{\"old\":\"A\",\"new\":\"B\"}}', 1700000000000 + i / 10
         FROM n",
    )
    .bind(user_id)
    .bind(RECORDS)
    .execute(db)
    .await
    .unwrap();
}

/// Spawns the `server` binary on `dir` and times it to its first 200.
fn cold_start(dir: &std::path::Path) -> Duration {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .env("SLUICE_DATA_DIR", dir)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SLUICE_DB_LISTEN", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}/login");
    let took = loop {
        if let Ok(ok) = answers_200(&url) {
            if ok {
                break started.elapsed();
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no 200 in 30 s");
        std::thread::sleep(Duration::from_millis(2));
    };
    child.kill().unwrap();
    child.wait().unwrap();
    took
}

/// A plain GET over a fresh TCP connection: whether it answered 200.
fn answers_200(url: &str) -> std::io::Result<bool> {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let mut s = std::net::TcpStream::connect(host)?;
    write!(s, "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")?;
    let mut head = [0u8; 12];
    s.read_exact(&mut head)?;
    Ok(&head[9..12] == b"200")
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();

    // The ceilings: whatever bytes the real routes answered, from memory.
    let (page, api, login) = (Slot::default(), Slot::default(), Slot::default());
    // The token list's and the Audit Log's first page, answered after
    // only their own statement (for the demo account, known once signed in).
    let (tokens, audit) = (Slot::default(), Slot::default());
    let demo_id = std::sync::Arc::new(std::sync::OnceLock::<String>::new());
    let (p, a, l) = (page.clone(), api.clone(), login.clone());
    let (a_token, a_caller) = (api.clone(), api.clone());
    let (t_list, a_page, t_id, a_id) = (tokens.clone(), audit.clone(), demo_id.clone(), demo_id.clone());
    let site = site::start(dir.path(), None, move |state| {
        let (db, token_db) = (state.db.clone(), state.db.clone());
        Router::new()
            .route("/__ceiling/page", replay(&p))
            .route("/__ceiling/api", replay(&a))
            .route("/__ceiling/login", replay(&l))
            // One read by primary key through the pool, then the API's bytes.
            .route(
                "/__floor/read",
                after(&a, &db, |db| async move {
                    let _: Option<String> = sqlx::query_scalar("SELECT handle FROM users WHERE handle = 'demo'")
                        .fetch_optional(&db)
                        .await
                        .unwrap();
                }),
            )
            // Only the rate-limit count every API request makes, then the bytes.
            .route(
                "/__floor/count",
                after(&a, &db, |db| async move {
                    let limit = app::infra::rate_limit::Limit { max: i64::MAX, window_secs: 60 };
                    let now = app::infra::time::now_millis();
                    app::infra::rate_limit::hit(&db, "bench:floor", limit, now).await.unwrap();
                }),
            )
            // The token list's own statement, then its bytes.
            .route(
                "/__floor/tokens",
                after(&t_list, &db, move |db| {
                    let id = t_id.get().unwrap().clone();
                    async move {
                        let mut conn = db.acquire().await.unwrap();
                        let rows = app::tokens::ssr::rows(&mut conn, &id).await.unwrap();
                        assert!(!rows.is_empty());
                    }
                }),
            )
            // The Audit Log's first page: its own statement, then its bytes.
            .route(
                "/__floor/audit",
                after(&a_page, &db, move |db| {
                    let id = a_id.get().unwrap().clone();
                    async move {
                        let mut conn = db.acquire().await.unwrap();
                        let query = app::activity::ssr::Query::default();
                        let page = app::activity::ssr::page(&mut conn, &id, &query, 25).await.unwrap();
                        assert_eq!(page.items.len(), 25);
                    }
                }),
            )
            // Where `/actor`'s cost goes: its token check alone (the one
            // statement that reads the token and its owner), then the
            // bearer extractor alone (the check, the rate-limit lease and
            // the Audit Log's actor). Like the floors, these routes are not
            // behind the server's one layer; `/actor` is.
            .route(
                "/__floor/token",
                get(move |headers: axum::http::HeaderMap| {
                    let (t, b) = a_token.lock().unwrap().clone();
                    let db = token_db.clone();
                    async move {
                        let bearer = headers[axum::http::header::AUTHORIZATION].to_str().unwrap();
                        let token = bearer.strip_prefix("Bearer ").unwrap();
                        let check = app::access::bearer::authenticate(&db, token).await.unwrap();
                        assert!(matches!(check, app::access::bearer::TokenCheck::Accepted { .. }));
                        ([(CONTENT_TYPE, t)], b)
                    }
                }),
            )
            .merge(
                Router::new()
                    .route(
                        "/__floor/caller",
                        get(move |_: app::access::Caller| {
                            let (t, b) = a_caller.lock().unwrap().clone();
                            async move { ([(CONTENT_TYPE, t)], b) }
                        }),
                    )
                    .with_state(state.clone()),
            )
    })
    .await;
    let (base, db, cookie, token) = (site.base.clone(), site.state.db.clone(), site.cookie.clone(), site.token.clone());
    let client = Client::builder().redirect(redirect::Policy::none()).build().unwrap();
    let bearer = format!("Authorization: Bearer {token}");
    let cookie_header = format!("Cookie: {cookie}");

    let user_id: String =
        sqlx::query_scalar("SELECT id FROM users WHERE handle = 'demo'").fetch_one(&db).await.unwrap();
    demo_id.set(user_id.clone()).unwrap();

    let nobody = "X-Signed-Out: 1".to_owned();
    for (url, header, slot) in [
        (format!("{base}/user/demo/advanced/profile"), &cookie_header, &page),
        (format!("{base}/api/v0/actor"), &bearer, &api),
        (format!("{base}/login"), &nobody, &login),
        (format!("{base}/api/v0/user/demo/token"), &bearer, &tokens),
    ] {
        let (name, value) = header.split_once(": ").unwrap();
        let res = client.get(&url).header(name, value).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        let t = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        *slot.lock().unwrap() = (t, res.bytes().await.unwrap());
    }
    println!(
        "Response sizes: profile page {} bytes, actor {} bytes",
        page.lock().unwrap().1.len(),
        api.lock().unwrap().1.len()
    );

    let rss_start = rss_mb();
    let runs = tokio::task::spawn_blocking({
        let (base, cookie_header, bearer) = (base.clone(), cookie_header.clone(), bearer.clone());
        move || {
            let ssr = wrk(&format!("{base}/user/demo/advanced/profile"), &cookie_header, SECONDS);
            let ssr_ceiling = wrk(&format!("{base}/__ceiling/page"), &cookie_header, SECONDS);
            let render = wrk(&format!("{base}/login"), "X-Signed-Out: 1", SECONDS);
            let render_ceiling = wrk(&format!("{base}/__ceiling/login"), "X-Signed-Out: 1", SECONDS);
            let render_signed_in = wrk(&format!("{base}/login"), &cookie_header, SECONDS);
            let actor = wrk(&format!("{base}/api/v0/actor"), &bearer, SECONDS);
            let actor_ceiling = wrk(&format!("{base}/__ceiling/api"), &bearer, SECONDS);
            let read = wrk(&format!("{base}/__floor/read"), &bearer, SECONDS);
            let count = wrk(&format!("{base}/__floor/count"), &bearer, SECONDS);
            let token_check = wrk(&format!("{base}/__floor/token"), &bearer, SECONDS);
            let extractor = wrk(&format!("{base}/__floor/caller"), &bearer, SECONDS);
            let token_list = wrk(&format!("{base}/api/v0/user/demo/token"), &bearer, SECONDS);
            let token_list_floor = wrk(&format!("{base}/__floor/tokens"), &bearer, SECONDS);
            [
                ssr,
                ssr_ceiling,
                render,
                render_ceiling,
                render_signed_in,
                actor,
                actor_ceiling,
                read,
                count,
                token_check,
                extractor,
                token_list,
                token_list_floor,
            ]
        }
    })
    .await
    .unwrap();
    let [ssr, ssr_ceiling, render, render_ceiling, render_signed_in, actor, actor_ceiling, read, count, token_check, extractor, token_list, token_list_floor] =
        runs;
    let served = ssr.requests + actor.requests;
    let rss_after = rss_mb();
    let mut rounds = Vec::new();
    for _ in 0..3 {
        let (b, c, t) = (base.clone(), cookie_header.clone(), bearer.clone());
        let n = tokio::task::spawn_blocking(move || {
            wrk(&format!("{b}/user/demo/advanced/profile"), &c, "4s").requests
                + wrk(&format!("{b}/api/v0/actor"), &t, "4s").requests
        })
        .await
        .unwrap();
        rounds.push((n, rss_mb()));
    }

    println!();
    println!("{:<44} {:>14} {:>14} {:>9} {:>10} {:>10}", "what", "Sluice", "ceiling", "ratio", "p50", "p99");
    for (name, real, ceiling) in [
        ("SSR: User Profile, signed in (req/s)", &ssr, &ssr_ceiling),
        ("  floor: sign-in page, signed out", &render, &render_ceiling),
        ("  the same page, signed in", &render_signed_in, &render_ceiling),
        ("API: GET /api/v0/actor, bearer (req/s)", &actor, &actor_ceiling),
        ("  floor: one database read, same bytes", &read, &actor_ceiling),
        ("  floor: the rate-limit count, same bytes", &count, &actor_ceiling),
        ("  /actor's token check alone, same bytes", &token_check, &actor_ceiling),
        ("  /actor's bearer extractor alone, same bytes", &extractor, &actor_ceiling),
    ] {
        println!(
            "{:<44} {:>14.0} {:>14.0} {:>8.1}% {:>10} {:>10}",
            name,
            real.per_sec,
            ceiling.per_sec,
            real.per_sec / ceiling.per_sec * 100.0,
            real.p50,
            real.p99
        );
        println!(
            "{:<44} {:>14} {:>14} {:>9} {:>10} {:>10}",
            "  (ceiling latency)", "", "", "", ceiling.p50, ceiling.p99
        );
    }
    println!();
    println!("Against the floors (how many times slower, same run):");
    let req = |w: &wrk::Wrk| format!("{:.0} req/s", w.per_sec);
    for (name, real, floor, floor_name, goal) in [
        ("SSR: User Profile, signed in", &ssr, &render_signed_in, "the sign-in page signed in", Some(1.5)),
        ("  the sign-in page signed in (its session read)", &render_signed_in, &render, "signed out", None),
        ("  User Profile against the page signed out", &ssr, &render, "signed out", None),
        ("API: GET /api/v0/actor", &actor, &token_check, "its token check alone", Some(1.3)),
        ("  its bearer extractor alone", &extractor, &token_check, "its token check alone", None),
        ("  its token check alone, against one read", &token_check, &read, "one database read", None),
        ("API: the token list", &token_list, &token_list_floor, "its statement alone", Some(1.5)),
    ] {
        let ratio = floor.per_sec / real.per_sec;
        let against = format!("{floor_name}, {}", req(floor));
        let goal_text = goal.map(|g| format!(" (goal: at most {g}x)")).unwrap_or_default();
        println!("  {name:<48} {:>14} {ratio:>5.2}x against {against}{goal_text}", req(real));
        if let Some(goal) = goal {
            goals::record(name, &req(real), &against, ratio, goal);
        }
    }
    println!();
    println!("Resident memory: {rss_start:.1} MB before, {rss_after:.1} MB after {served} SSR and API requests");
    for (i, (n, rss)) in rounds.iter().enumerate() {
        println!("  round {}: {n} more requests, {rss:.1} MB", i + 1);
    }

    // The Audit Log with a million records, over HTTP.
    let t = Instant::now();
    fill_audit_log(&db, &user_id).await;
    println!();
    println!("Audit Log: {RECORDS} records written in {:.1} s", t.elapsed().as_secs_f64());
    let (at, id): (i64, String) = sqlx::query_as(
        "SELECT created_at, id FROM audit_log WHERE identity_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET 24974",
    )
    .bind(&user_id)
    .fetch_one(&db)
    .await
    .unwrap();
    let cursor = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}:{id}"));
    for (name, url) in [
        ("first page", format!("{base}/api/v0/user/demo/audit_log")),
        ("1000th page", format!("{base}/api/v0/user/demo/audit_log?next_token={cursor}")),
    ] {
        let mut times = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let res = client.get(&url).bearer_auth(&token).send().await.unwrap();
            assert_eq!(res.status(), 200, "{url}");
            let body: serde_json::Value = res.json().await.unwrap();
            assert_eq!(body["items"].as_array().unwrap().len(), 25);
            times.push(t.elapsed());
        }
        println!("  {name:<12} median {} over HTTP (15 requests)", ms(median(times)));
    }
    let first_page = format!("{base}/api/v0/user/demo/audit_log");
    let res = client.get(&first_page).bearer_auth(&token).send().await.unwrap();
    let t = res.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
    *audit.lock().unwrap() = (t, res.bytes().await.unwrap());
    let (real, floor) = tokio::task::spawn_blocking({
        let (base, bearer) = (base.clone(), bearer.clone());
        move || (wrk(&first_page, &bearer, SECONDS), wrk(&format!("{base}/__floor/audit"), &bearer, SECONDS))
    })
    .await
    .unwrap();
    let ratio = floor.per_sec / real.per_sec;
    let against = format!("its statement alone, {:.0} req/s", floor.per_sec);
    println!(
        "  first page with wrk: {:.0} req/s (p99 {}), {ratio:.2}x against {against} (goal: at most 1.5x)",
        real.per_sec, real.p99
    );
    goals::record("API: the Audit Log's first page", &format!("{:.0} req/s", real.per_sec), &against, ratio, 1.5);

    // Cold start of the binary, to its first 200.
    let empty = tempfile::tempdir().unwrap();
    let fresh = cold_start(empty.path());
    let full = cold_start(dir.path());
    println!();
    println!("Cold start to the first 200: empty data dir {}, with {RECORDS} audit records {}", ms(fresh), ms(full));
}
