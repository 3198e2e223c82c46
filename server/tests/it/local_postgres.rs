//! Sluice's own PostgreSQL, the default home of workspaces, driven by
//! clients nobody here wrote: Debian's `psql` with the connection string
//! Credentials & Access shows, and `tokio-postgres`.

use crate::api::new_token;
use crate::harness::*;
use app::database_password::WorkspaceConnection;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;

const PSQL: &str = "/usr/bin/psql";

pub async fn connections(app: &TestApp, handle: &str, cookie: &str) -> Vec<WorkspaceConnection> {
    let res = app.call("/sfn/database_password", &[("handle", handle)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK);
    let v: Value = res.json().await.unwrap();
    serde_json::from_value(v["workspaces"].clone()).unwrap()
}

pub async fn password(app: &TestApp, handle: &str, cookie: &str) -> String {
    app.call("/sfn/reveal_password", &[("handle", handle)], cookie).await.json().await.unwrap()
}

/// The first workspace once it is ready on its PostgreSQL (the worker
/// makes its verifier, then its role and database).
pub async fn reachable(app: &TestApp, handle: &str, cookie: &str) -> WorkspaceConnection {
    let start = Instant::now();
    loop {
        let ws = connections(app, handle, cookie).await.remove(0);
        if ws.reachable && ws.updated {
            return ws;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "the workspace never became reachable");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A new account with its first workspace served: (session cookie, the
/// workspace's connection, the database password).
pub async fn account(app: &TestApp, handle: &str) -> (String, WorkspaceConnection, String) {
    let cookie = app.sign_up(&format!("{handle}@example.com"), handle, "Someone").await;
    let ws = reachable(app, handle, &cookie).await;
    let pw = password(app, handle, &cookie).await;
    (cookie, ws, pw)
}

/// A server that runs its own PostgreSQL, with TLS.
pub fn with_postgres() -> Options {
    Options { postgres: true, worker: true, ..Options::default() }
}

/// The same without TLS, for `tokio-postgres` (built here without a TLS
/// connector).
pub fn with_plain_postgres() -> Options {
    Options { db_tls: app::infra::settings::DbTls::Off, ..with_postgres() }
}

/// Runs `script` through psql with the command the page offers (`psql "…"`),
/// answering (success, stdout, stderr).
pub async fn psql(command: &str, script: &str) -> (bool, String, String) {
    let uri = command
        .strip_prefix("psql \"")
        .and_then(|c| c.strip_suffix('"'))
        .unwrap_or_else(|| panic!("not a psql command: {command}"));
    assert!(
        std::path::Path::new(PSQL).exists(),
        "{PSQL} is missing: the test command installs Debian's postgresql-client"
    );
    let mut child = tokio::process::Command::new(PSQL)
        .args(["-X", "-v", "ON_ERROR_STOP=1", "--no-password", uri])
        .env("PGCONNECT_TIMEOUT", "5")
        .env("PGPASSFILE", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(script.as_bytes()).await.unwrap();
    drop(stdin);
    let out =
        tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.expect("psql finished").unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub async fn pg_connect(
    ws: &WorkspaceConnection,
    password: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&ws.host)
        .hostaddr("127.0.0.1".parse().unwrap())
        .port(ws.port)
        .user(&ws.user)
        .password(password)
        .dbname(&ws.database)
        .connect_timeout(Duration::from_secs(5));
    let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// Reads one value with the administrator's connection (the Unix socket).
async fn admin_scalar(app: &TestApp, sql: &str) -> Option<String> {
    let pool = app.postgres_admin().await;
    sqlx::query_scalar::<_, Option<String>>(sql).fetch_optional(&pool).await.unwrap().flatten()
}

#[test]
fn psql_works_with_the_connection_string_the_page_shows() {
    run(async {
        let app = TestApp::spawn_with(with_postgres(), None).await;
        let (ada, ws, pw) = account(&app, "ada").await;
        assert_eq!(ws.port, app.pg_port.unwrap());
        assert!(ws.host.starts_with("default-ada.us-east-1.db."), "{}", ws.host);
        let command = ws.psql_command(&pw);
        assert!(command.contains("?sslmode=require&hostaddr=127.0.0.1\""), "{command}");
        let (ok, out, err) = psql(
            &command,
            "SELECT version();
             SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid();
             CREATE TABLE notes (id serial PRIMARY KEY, body varchar(5) NOT NULL, score numeric(6,2), at timestamptz DEFAULT now());
             INSERT INTO notes (body, score) VALUES ('first', 1.5), ('secnd', 2) RETURNING id;
             SELECT '2024-01-01'::date + 1 AS tomorrow;
             \\dt
             ",
        )
        .await;
        assert!(ok, "psql failed: {err}\n{out}");
        assert!(out.contains("PostgreSQL 1"), "{out}");
        assert!(out.lines().any(|l| l.trim() == "t"), "the connection uses TLS: {out}");
        assert!(out.contains(" 2024-01-02"), "{out}");
        assert!(out.contains("public | notes | table | ada"), "{out}");
        // PostgreSQL's own rules: a too-long value, and a failed
        // transaction keeps nothing.
        let (ok, _, err) = psql(&command, "INSERT INTO notes (body) VALUES ('toolong');").await;
        assert!(!ok && err.contains("value too long"), "{err}");
        let (ok, _, _) = psql(&command, "BEGIN; INSERT INTO notes (body) VALUES ('kept?'); SELECT 1/0; COMMIT;").await;
        assert!(!ok);
        let (_, out, _) = psql(&command, "SELECT count(*) FROM notes;").await;
        assert!(out.contains("\n     2\n"), "{out}");
        // The card says what runs it.
        let list: Value = app.call("/sfn/workspaces", &[("handle", "ada")], &ada).await.json().await.unwrap();
        let runs_on = list[0]["runs_on"].as_str().unwrap().to_owned();
        assert!(runs_on.starts_with("PostgreSQL ") && runs_on.ends_with(" on this server"), "{runs_on}");
        // Without TLS, PostgreSQL refuses the workspace's role.
        let plain = command.replace("sslmode=require", "sslmode=disable");
        let (ok, _, err) = psql(&plain, "SELECT 1;").await;
        assert!(!ok && err.contains("no pg_hba.conf entry"), "{err}");
    })
}

#[test]
fn with_tls_off_the_connection_string_leaves_sslmode_out() {
    run(async {
        let app = TestApp::spawn_with(with_plain_postgres(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let command = ws.psql_command(&pw);
        assert!(!command.contains("sslmode") && command.ends_with("?hostaddr=127.0.0.1\""), "{command}");
        let (ok, out, err) = psql(&command, "\\conninfo\nSELECT 1;").await;
        assert!(ok && !out.contains("SSL connection"), "{err}\n{out}");
        // A client that insists on TLS is told the server has none.
        let insisting = command.replace("?hostaddr", "?sslmode=require&hostaddr");
        let (ok, _, err) = psql(&insisting, "SELECT 1;").await;
        assert!(!ok && err.contains("server does not support SSL"), "{err}");
    })
}

#[test]
fn a_rotation_reaches_each_workspace_and_open_connections_stay() {
    run(async {
        let options = Options { propagation_delay: Duration::from_secs(2), ..with_plain_postgres() };
        let app = TestApp::spawn_with(options, None).await;
        let (ada, ws, old) = account(&app, "ada").await;
        let (ok, _, err) = psql(&ws.psql_command(&old), "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1);").await;
        assert!(ok, "{err}");
        let open = pg_connect(&ws, &old).await.expect("connects with the current password");

        let res = app.call("/sfn/rotate_password", &[("handle", "ada")], &ada).await;
        assert!(res.status().is_success() || res.status() == StatusCode::FOUND, "{}", res.status());
        let new = password(&app, "ada", &ada).await;
        assert_ne!(new, old);
        // Until the workspace has it, the old password opens it and the new one does not.
        assert!(!connections(&app, "ada", &ada).await[0].updated);
        let (ok, out, err) = psql(&ws.psql_command(&old), "SELECT v FROM t;").await;
        assert!(ok, "the old password works until the workspace is updated: {err}");
        assert!(out.contains(" 1\n"));
        assert!(pg_connect(&ws, &new).await.is_err());

        let ws = reachable(&app, "ada", &ada).await;
        let (ok, _, err) = psql(&ws.psql_command(&old), "SELECT 1;").await;
        assert!(!ok, "the old password no longer works");
        assert!(err.to_lowercase().contains("password authentication failed"), "{err}");
        assert!(pg_connect(&ws, &new).await.is_ok());
        // The connection opened before the rotation is still answering.
        let row = open.query_one("SELECT count(*) FROM t", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 1);
        open.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    })
}

#[test]
fn another_persons_credentials_never_open_a_workspace() {
    run(async {
        let app = TestApp::spawn_with(with_postgres(), None).await;
        let (_, ada_ws, _) = account(&app, "ada").await;
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        let (ok, _, err) = psql(&bob_ws.psql_command(&bob_pw), "SELECT 1;").await;
        assert!(ok, "{err}");
        // Bob's password on Ada's workspace, as Ada; as Bob; as nobody; as
        // Sluice's administrator; and the cluster's own databases.
        let attempts = [
            (ada_ws.clone(), "password authentication failed"),
            (WorkspaceConnection { user: "bob".into(), ..ada_ws.clone() }, "permission denied for database"),
            (WorkspaceConnection { user: "nobody".into(), ..ada_ws.clone() }, "no pg_hba.conf entry"),
            (WorkspaceConnection { user: "sluice".into(), ..ada_ws.clone() }, "no pg_hba.conf entry"),
            (WorkspaceConnection { database: "postgres".into(), ..bob_ws.clone() }, "permission denied for database"),
            (WorkspaceConnection { database: "template1".into(), ..bob_ws.clone() }, "permission denied for database"),
        ];
        for (ws, expected) in &attempts {
            let (ok, _, err) = psql(&ws.psql_command(&bob_pw), "SELECT 1;").await;
            assert!(!ok, "{} / {} opened with Bob's password", ws.user, ws.database);
            assert!(err.contains(expected), "{} / {}: {err}", ws.user, ws.database);
        }
    })
}

#[test]
fn one_person_holds_a_bounded_number_of_connections() {
    run(async {
        let limits = app::infra::settings::RoleLimits { connections: 3, ..crate::harness::default_limits() };
        let app = TestApp::spawn_with(Options { cluster_limits: limits, ..with_plain_postgres() }, None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let mut held = Vec::new();
        for _ in 0..3 {
            held.push(pg_connect(&ws, &pw).await.expect("within the limit"));
        }
        let Err(err) = pg_connect(&ws, &pw).await else { panic!("past the limit") };
        assert_eq!(crate::clusters::sqlstate(&err), "53300", "too many connections for the role: {err}");
        // Someone else is not affected.
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        assert!(pg_connect(&bob_ws, &bob_pw).await.is_ok());
    })
}

#[test]
fn a_deleted_workspace_takes_its_database_with_it() {
    run(async {
        let app = TestApp::spawn_with(with_plain_postgres(), None).await;
        let (ada, ws, pw) = account(&app, "ada").await;
        let open = pg_connect(&ws, &pw).await.unwrap();
        open.batch_execute("CREATE TABLE secret_plans (v TEXT); INSERT INTO secret_plans VALUES ('x')").await.unwrap();
        let (_, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::DELETE, "/user/ada/workspace/default", Some(&token), None).await;
        assert!(res.status().is_success(), "{}", res.status());
        // Its connections were ended and its database is gone.
        assert!(open.simple_query("SELECT 1").await.is_err(), "a deleted workspace's connection still answers");
        let gone = format!("SELECT datname::text FROM pg_database WHERE datname = '{}'", ws.database);
        let start = Instant::now();
        while admin_scalar(&app, &gone).await.is_some() {
            assert!(start.elapsed() < Duration::from_secs(10), "the database outlived its workspace");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(pg_connect(&ws, &pw).await.is_err());
    })
}

#[test]
fn a_deleted_account_leaves_no_role_behind_an_open_connection() {
    run(async {
        let app = TestApp::spawn_with(with_plain_postgres(), None).await;
        let (ada, ws, pw) = account(&app, "ada").await;
        let open = pg_connect(&ws, &pw).await.unwrap();
        open.batch_execute("CREATE TABLE contacts (email TEXT); INSERT INTO contacts VALUES ('ada@example.com')")
            .await
            .unwrap();
        let res = app.call("/sfn/delete_account", &[("handle", "ada"), ("confirm", "ada")], &ada).await;
        assert!(res.status().is_success(), "{}", res.status());
        assert!(open.simple_query("SELECT 1").await.is_err(), "a deleted account's connection still answers");
        let start = Instant::now();
        while admin_scalar(&app, "SELECT rolname::text FROM pg_roles WHERE rolname = 'ada'").await.is_some() {
            assert!(start.elapsed() < Duration::from_secs(10), "the role outlived its account");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

/// The account's figures in the API's daily list, by metric (today's and
/// every other day's together).
async fn usage_totals(app: &TestApp, token: &str) -> (i64, i64) {
    let res = app.api(Method::GET, "/user/ada/usage", Some(token), None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page: Value = res.json().await.unwrap();
    let (mut compute, mut storage) = (0, 0);
    for item in page["items"].as_array().unwrap() {
        let value = item["value"].as_i64().unwrap();
        match item["metric"].as_str().unwrap() {
            "db_execution_ms" => compute += value,
            "db_volume_bytes" => storage = storage.max(value),
            other => panic!("unexpected metric {other}"),
        }
    }
    (compute, storage)
}

#[test]
fn usage_is_measured_from_what_postgresql_reports() {
    run(async {
        let app = TestApp::spawn_with(with_postgres(), None).await;
        let (cookie, ws, pw) = account(&app, "ada").await;
        let (_, token) = new_token(&app, "ada", &cookie).await;
        // A query that runs a while, and about 20 MB stored.
        let (ok, _, err) = psql(
            &ws.psql_command(&pw),
            "SELECT pg_sleep(0.5);
             CREATE TABLE blobs AS SELECT repeat(md5(i::text), 600) AS b FROM generate_series(1, 1000) i;
             ALTER TABLE blobs ALTER COLUMN b SET STORAGE PLAIN;
             CREATE TABLE big AS SELECT i, md5(i::text) AS h FROM generate_series(1, 250000) i;",
        )
        .await;
        assert!(ok, "{err}");
        let size: i64 = admin_scalar(&app, &format!("SELECT pg_database_size('{}')::text", ws.database))
            .await
            .unwrap()
            .parse()
            .unwrap();
        // The harness samples every 300 ms (a minute by default).
        let started = Instant::now();
        let (compute, storage) = loop {
            let totals = usage_totals(&app, &token).await;
            if totals.0 >= 500 && totals.1 >= size || started.elapsed() > Duration::from_secs(15) {
                break totals;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(compute >= 500, "the half second of pg_sleep is compute time: {compute}");
        assert!(storage >= size && storage < size + 1_000_000, "pg_database_size {size}, recorded {storage}");
        let html = app.get("/user/ada/advanced/usage", Some(&cookie)).await.text().await.unwrap();
        assert!(html.contains(&app::usage::format_bytes(storage)), "the page shows the figure");
        // Another person's use is not Ada's.
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        let (ok, _, err) = psql(&bob_ws.psql_command(&bob_pw), "SELECT pg_sleep(1);").await;
        assert!(ok, "{err}");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert!(usage_totals(&app, &token).await.0 < compute + 300);
    })
}

/// A session that asks for all the memory it likes (`SET work_mem`, which
/// any role may) meets the address-space limit every process of the
/// server inherits: PostgreSQL's out-of-memory error, and the server
/// and everyone else go on. (Run with `SLUICE_POSTGRES_PROCESS_MEMORY`
/// far above the machine's memory, the same statement finishes after
/// taking a few GB.)
#[test]
fn one_session_cannot_take_the_machines_memory() {
    run(async {
        let app =
            TestApp::spawn_with(Options { postgres_process_memory_mb: Some(1024), ..with_plain_postgres() }, None)
                .await;
        let (_, ws, pw) = account(&app, "ada").await;
        let postmaster = app.postgres.as_ref().unwrap().pid();
        let hog = pg_connect(&ws, &pw).await.unwrap();
        hog.batch_execute("SET work_mem = '8GB'; SET hash_mem_multiplier = 1").await.unwrap();
        let sql = "SELECT count(*) FROM (SELECT DISTINCT md5(g::text) FROM generate_series(1, 20000000) g) s";
        let err = hog.query_one(sql, &[]).await.expect_err("stopped by the memory limit");
        assert_eq!(crate::clusters::sqlstate(&err), "53200", "{err}");
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        let bob = pg_connect(&bob_ws, &bob_pw).await.expect("someone else still signs in");
        assert_eq!(bob.query_one("SELECT 1", &[]).await.unwrap().get::<_, i32>(0), 1);
        assert_eq!(app.postgres.as_ref().unwrap().pid(), postmaster, "the server did not restart");
    })
}

/// PostgreSQL killed under Sluice (SIGKILL to the postmaster): Sluice's
/// supervisor starts it again, and the workspace opens with its data.
#[test]
fn a_postgresql_that_dies_is_started_again() {
    run(async {
        let app = TestApp::spawn_with(with_plain_postgres(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let client = pg_connect(&ws, &pw).await.unwrap();
        client.batch_execute("CREATE TABLE kept (v int); INSERT INTO kept VALUES (1)").await.unwrap();
        let first = app.postgres.as_ref().unwrap().pid();
        // SAFETY: a signal to the server this test's Sluice started.
        unsafe { libc::kill(first as i32, libc::SIGKILL) };
        let start = Instant::now();
        let again = loop {
            if let Ok(c) = pg_connect(&ws, &pw).await {
                break c;
            }
            assert!(start.elapsed() < Duration::from_secs(40), "PostgreSQL was not started again");
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let n: i64 = again.query_one("SELECT count(*) FROM kept", &[]).await.unwrap().get(0);
        assert_eq!(n, 1, "what was committed is there");
        // The supervisor notes the new postmaster once it has seen it
        // ready, which a client may see first.
        let mut now = app.postgres.as_ref().unwrap().pid();
        while (now == 0 || now == first) && start.elapsed() < Duration::from_secs(40) {
            tokio::time::sleep(Duration::from_millis(100)).await;
            now = app.postgres.as_ref().unwrap().pid();
        }
        assert!(now != 0 && now != first, "a new postmaster: {first} then {now}");
    })
}
