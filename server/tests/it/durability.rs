//! Durability: a write load against the real server process, killed with
//! SIGKILL at a random moment a dozen times and restarted on the same data
//! dir. After every restart the database passes its integrity check and
//! holds every write the client saw acknowledged; and Sluice killed under
//! a workspace's writer leaves one PostgreSQL holding every acknowledged row.

use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{redirect, Client, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{engine, fresh_database, server_process, Engine};

const ROUNDS: usize = 12;

struct Server {
    child: Child,
    base: String,
    link: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `server --demo` on `dir`; answers once it printed its sign-in link.
fn start(dir: &Path, database_url: &str) -> Server {
    let port = free_port();
    let mut cmd = server_process();
    let mut child = cmd
        .arg("--demo")
        .env("SLUICE_DATA_DIR", dir)
        .env("SLUICE_DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        // Not what this test is about, and its fixed port may be taken.
        .env("SLUICE_DB_LISTEN", "off")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let (link, _) = crate::harness::read_started(&mut child, false);
    Server { child, base: format!("http://127.0.0.1:{port}"), link }
}

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

/// What the client saw acknowledged, and what it sent without an answer.
#[derive(Default)]
struct Ledger {
    name: Option<String>,
    name_in_flight: Option<String>,
    tokens: BTreeSet<String>,
    token_in_flight: Option<String>,
    product_updates: Option<bool>,
    rotations: i64,
    /// Every write acknowledged, over all rounds.
    acknowledged: usize,
}

async fn call(client: &Client, base: &str, cookie: &str, path: &str, form: &[(&str, &str)]) -> Result<Value, ()> {
    let body: String = form.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let res = client
        .post(format!("{base}{path}"))
        .header("sec-fetch-site", "same-origin")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(COOKIE, cookie)
        .body(body)
        .send()
        .await
        .map_err(|_| ())?;
    if res.status() != StatusCode::OK {
        return Err(());
    }
    res.json().await.map_err(|_| ())
}

/// Writes until the server stops answering, noting each acknowledgement.
async fn load(client: &Client, base: &str, cookie: &str, ledger: &mut Ledger, rng: &mut Rng, round: usize) {
    for step in 0.. {
        match rng.next() % 4 {
            0 => {
                let name = format!("Durable {round}-{step}");
                ledger.name_in_flight = Some(name.clone());
                let encoded = name.replace(' ', "+");
                if call(
                    client,
                    base,
                    cookie,
                    "/sfn/update_display_name",
                    &[("handle", "demo"), ("display_name", &encoded)],
                )
                .await
                .is_err()
                {
                    return;
                }
                ledger.name = Some(name);
                ledger.name_in_flight = None;
                ledger.acknowledged += 1;
            }
            1 => {
                if ledger.tokens.len() < 2 {
                    let Ok(v) = call(client, base, cookie, "/sfn/create_token", &[("handle", "demo")]).await else {
                        return;
                    };
                    ledger.tokens.insert(v["token"]["id"].as_str().unwrap().to_owned());
                    ledger.acknowledged += 1;
                } else {
                    let id = ledger.tokens.iter().next().unwrap().clone();
                    ledger.token_in_flight = Some(id.clone());
                    if call(client, base, cookie, "/sfn/delete_token", &[("handle", "demo"), ("id", &id)])
                        .await
                        .is_err()
                    {
                        return;
                    }
                    ledger.tokens.remove(&id);
                    ledger.token_in_flight = None;
                    ledger.acknowledged += 1;
                }
            }
            2 => {
                let on = rng.next().is_multiple_of(2);
                let value = if on { "true" } else { "false" };
                if call(
                    client,
                    base,
                    cookie,
                    "/sfn/set_preference",
                    &[("handle", "demo"), ("kind", "ProductUpdates"), ("on", value)],
                )
                .await
                .is_err()
                {
                    // Unknown: either value may be stored now.
                    ledger.product_updates = None;
                    return;
                }
                ledger.product_updates = Some(on);
                ledger.acknowledged += 1;
            }
            _ => {
                if call(client, base, cookie, "/sfn/rotate_password", &[("handle", "demo")]).await.is_err() {
                    return;
                }
                ledger.rotations += 1;
                ledger.acknowledged += 1;
            }
        }
    }
}

/// Checks what is stored against the ledger, then takes what is stored as
/// known: a write in flight at the kill may or may not have happened.
async fn check(database_url: &str, ledger: &mut Ledger) {
    sqlx::any::install_default_drivers();
    let db = sqlx::AnyPool::connect(database_url).await.unwrap();
    // The file itself, on SQLite (PostgreSQL's files are its own server's,
    // which nobody killed; it checks foreign keys on every write).
    if engine() == Engine::Sqlite {
        let integrity: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&db).await.unwrap();
        assert_eq!(integrity, "ok");
        let fk: Vec<(String, i64, String, i64)> =
            sqlx::query_as("PRAGMA foreign_key_check").fetch_all(&db).await.unwrap();
        assert!(fk.is_empty(), "{fk:?}");
    }
    let name: String =
        sqlx::query_scalar("SELECT display_name FROM users WHERE handle = 'demo'").fetch_one(&db).await.unwrap();
    if let Some(acked) = &ledger.name {
        assert!(
            &name == acked || Some(&name) == ledger.name_in_flight.as_ref(),
            "name {name:?}, acknowledged {acked:?}"
        );
    }
    let stored: BTreeSet<String> =
        sqlx::query_scalar("SELECT t.id FROM tokens t JOIN users u ON u.id = t.user_id WHERE u.handle = 'demo'")
            .fetch_all(&db)
            .await
            .unwrap()
            .into_iter()
            .collect();
    for id in &ledger.tokens {
        if ledger.token_in_flight.as_ref() != Some(id) {
            assert!(stored.contains(id), "acknowledged token {id} lost");
        }
    }
    assert!(stored.len() <= 2, "{stored:?}");
    let product_updates: Option<String> = sqlx::query_scalar(
        "SELECT p.product_updates FROM user_preferences p JOIN users u ON u.id = p.user_id WHERE u.handle = 'demo'",
    )
    .fetch_optional(&db)
    .await
    .unwrap();
    if let Some(on) = ledger.product_updates {
        assert_eq!(product_updates.as_deref() == Some("enabled"), on, "an acknowledged preference");
    }
    let rotations: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'user.password.rotate'")
            .fetch_one(&db)
            .await
            .unwrap();
    assert!(rotations >= ledger.rotations, "{rotations} rotations stored, {} acknowledged", ledger.rotations);
    db.close().await;
    ledger.name = Some(name);
    ledger.name_in_flight = None;
    ledger.tokens = stored;
    ledger.token_in_flight = None;
    ledger.product_updates = product_updates.map(|v| v == "enabled").or(ledger.product_updates);
    ledger.rotations = rotations;
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    crate::harness::run(async {
        let seed = std::env::var("SLUICE_DURABILITY_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
        });
        println!("seed {seed} (SLUICE_DURABILITY_SEED reruns it)");
        let mut rng = Rng(seed);
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(dir.path()).await;
        let client =
            Client::builder().redirect(redirect::Policy::none()).timeout(Duration::from_secs(5)).build().unwrap();
        let mut ledger = Ledger::default();
        let mut cookie = String::new();
        let mut writes = Vec::new();
        for round in 0..ROUNDS {
            let mut server = start(dir.path(), &database.url);
            if cookie.is_empty() {
                cookie = crate::harness::sign_in_with(&client, &server.base, &server.link).await;
            }
            let before = ledger.acknowledged;
            let kill_after = Duration::from_millis(50 + rng.next() % 400);
            let started = Instant::now();
            let base = server.base.clone();
            let killer = std::thread::spawn(move || {
                std::thread::sleep(kill_after);
                server.child.kill().unwrap(); // SIGKILL
                server.child.wait().unwrap();
            });
            load(&client, &base, &cookie, &mut ledger, &mut rng, round).await;
            killer.join().unwrap();
            writes.push(ledger.acknowledged - before);
            assert!(started.elapsed() < Duration::from_secs(10));
            check(&database.url, &mut ledger).await;
            println!("round {round}: killed after {kill_after:?}, {} writes acknowledged", writes[round]);
        }
        // Most rounds wrote before the kill (a kill during start-up may not).
        assert!(writes.iter().filter(|&&n| n > 0).count() >= ROUNDS / 2, "{writes:?}");
    });
}

/// The postmasters running on `pgdata`: the processes whose command line
/// still names it (a backend renames itself).
fn postmasters_on(pgdata: &Path) -> usize {
    let needle = format!("-D\0{}\0", pgdata.display());
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| std::fs::read(e.ok()?.path().join("cmdline")).ok())
        .filter(|cmd| String::from_utf8_lossy(cmd).contains(&needle))
        .count()
}

/// The demo account's first workspace, once ready: a signed-in client of
/// its PostgreSQL (TLS is off in this test).
async fn demo_workspace(client: &Client, base: &str, cookie: &str) -> tokio_postgres::Client {
    let (ws, password) = crate::harness::demo_connection(client, base, cookie, "default").await;
    let mut config = tokio_postgres::Config::new();
    config.host("127.0.0.1").port(ws.port).user(&ws.user).password(password).dbname(&ws.database);
    let (pg, connection) = config.connect(tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    pg
}

/// `sluice --demo` on `dir` with its PostgreSQL at `listen` (TLS off):
/// (the process, its address, the sign-in link's secret).
fn launch(dir: &Path, database_url: &str, listen: &str) -> (Child, String, String) {
    let port = free_port();
    let mut child = server_process()
        .arg("--demo")
        .env("SLUICE_DATA_DIR", dir)
        .env("SLUICE_DATABASE_URL", database_url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SLUICE_DB_LISTEN", listen)
        .env("SLUICE_DB_TLS", "off")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("server starts");
    let (link, at) = crate::harness::read_started(&mut child, true);
    assert!(at.is_some(), "its PostgreSQL runs");
    (child, format!("http://127.0.0.1:{port}"), link)
}

/// Sluice killed with SIGKILL while a client's writes to a workspace are
/// acknowledged: its PostgreSQL is left running (the writes go on), and
/// the next start finds it (postmaster.pid), stops it under the writer and
/// starts its own: one server on the data, holding every row the client
/// saw acknowledged.
#[test]
fn a_killed_sluice_leaves_one_postgresql_with_every_acknowledged_row() {
    crate::harness::run(async {
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(dir.path()).await;
        let pgdata = dir.path().join("postgres");
        let listen = format!("127.0.0.1:{}", free_port());
        let client =
            Client::builder().redirect(redirect::Policy::none()).timeout(Duration::from_secs(10)).build().unwrap();
        let relaunch = || {
            let (dir, url, listen) = (dir.path().to_owned(), database.url.clone(), listen.clone());
            tokio::task::spawn_blocking(move || launch(&dir, &url, &listen))
        };
        let mut acknowledged: Vec<i64> = Vec::new();
        let (mut child, mut base, link) = relaunch().await.unwrap();
        let cookie = crate::harness::sign_in_with(&client, &base, &link).await;
        for round in 0..3i64 {
            assert_eq!(postmasters_on(&pgdata), 1, "round {round}: one PostgreSQL on the data");
            let pg = demo_workspace(&client, &base, &cookie).await;
            pg.batch_execute("CREATE TABLE IF NOT EXISTS ledger (id bigint PRIMARY KEY)").await.unwrap();
            let present: BTreeSet<i64> =
                pg.query("SELECT id FROM ledger", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
            let lost: Vec<&i64> = acknowledged.iter().filter(|id| !present.contains(id)).collect();
            assert!(lost.is_empty(), "round {round}: acknowledged rows lost: {lost:?}");
            assert_eq!(present.len(), acknowledged.len(), "round {round}: no row that was not acknowledged");
            // Writes until the server goes away under them.
            let writer = tokio::spawn(async move {
                let mut done = Vec::new();
                for i in 0..1_000_000 {
                    let id = round * 1_000_000 + i;
                    match pg.execute("INSERT INTO ledger VALUES ($1)", &[&id]).await {
                        Ok(_) => done.push(id),
                        Err(_) => break,
                    }
                }
                done
            });
            tokio::time::sleep(Duration::from_millis(300)).await;
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert_eq!(postmasters_on(&pgdata), 1, "its PostgreSQL outlived the killed Sluice");
            // The next start stops the server the writer is writing to.
            (child, base, _) = relaunch().await.unwrap();
            acknowledged.extend(writer.await.unwrap());
        }
        assert!(acknowledged.len() > 100, "writes were acknowledged: {}", acknowledged.len());
        assert_eq!(postmasters_on(&pgdata), 1);
        let pg = demo_workspace(&client, &base, &cookie).await;
        let n: i64 = pg.query_one("SELECT count(*) FROM ledger", &[]).await.unwrap().get(0);
        assert_eq!(n as usize, acknowledged.len(), "every acknowledged row, and no other");
        // A stop in order stops its PostgreSQL too.
        // SAFETY: a signal to the child this test started.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
        child.wait().unwrap();
        assert_eq!(postmasters_on(&pgdata), 0, "SIGTERM stopped its PostgreSQL");
    });
}
