//! PostgreSQL clients nobody here wrote, against the demo's workspace on
//! Sluice's own PostgreSQL: psycopg 3, asyncpg, SQLAlchemy 2 (Core and
//! ORM), pandas and a Django project from PyPI (`clients/python`),
//! node-postgres, postgres.js and knex from npm (`clients/node`), and
//! psql's `\copy`, over TLS with the connection string Credentials &
//! Access shows. The test command installs them (`SLUICE_CLIENTS_PYTHON`
//! is the venv's python). Where the suite also has a PostgreSQL server,
//! the same checks run against it first: they test the clients' ordinary
//! use, not Sluice's quirks.

use crate::harness::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn python() -> String {
    std::env::var("SLUICE_CLIENTS_PYTHON").unwrap_or_else(|_| {
        panic!("SLUICE_CLIENTS_PYTHON is unset: the test command (scripts/test.sh) installs the clients and sets it")
    })
}

/// Runs one client suite against `url`; panics with its output if it fails.
async fn run_suite(what: &str, program: &str, args: &[&str], dir: &Path, url: &str) {
    let run = tokio::process::Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("SLUICE_WORKSPACE_URL", url)
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .unwrap_or_else(|_| panic!("{what} took more than 3 minutes"))
        .unwrap_or_else(|e| panic!("{what} did not start ({program}): {e}"));
    let text = format!("{}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed against {}:\n{text}", url.split('@').nth(1).unwrap_or(""));
}

pub async fn all_clients(url: &str) {
    let python = python();
    let pytest = ["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_clients.py"];
    run_suite("the Python clients", &python, &pytest, &repo().join("clients/python"), url).await;
    let node_modules = repo().join("clients/node/node_modules/postgres");
    assert!(node_modules.exists(), "clients/node has no node_modules: the test command runs npm ci there");
    run_suite("the Node.js clients", "node", &["--test"], &repo().join("clients/node"), url).await;
}

/// `sluice --demo` as `scripts/run.sh` starts it, with nothing but its
/// own PostgreSQL: the demo's `psql` command names PostgreSQL, and every
/// client suite passes against the demo's workspace.
#[test]
fn drivers_and_orms_from_pypi_and_npm_work_with_a_workspace() {
    run(async {
        if let Ok(postgres) = std::env::var("SLUICE_TEST_POSTGRES_URL") {
            all_clients(&postgres).await;
        }
        let dir = tempfile::tempdir().unwrap();
        let database = fresh_database(dir.path()).await;
        let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (port, pg_port) = (free(), free());
        let mut child = server_process()
            .arg("--demo")
            .env("SLUICE_DATA_DIR", dir.path())
            .env("SLUICE_DATABASE_URL", &database.url)
            .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
            .env("SLUICE_DB_LISTEN", format!("127.0.0.1:{pg_port}"))
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("server starts");
        let (link, at) = read_started(&mut child, true);
        assert_eq!(at.map(|a| a.port()), Some(pg_port), "its PostgreSQL listens where SLUICE_DB_LISTEN says");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        let cookie = sign_in_with(&client, &base, &link).await;
        let (ws, pw) = demo_connection(&client, &base, &cookie, "default").await;
        let (ok, out, err) = crate::local_postgres::psql(&ws.psql_command(&pw), "SELECT version();").await;
        assert!(ok && out.contains("PostgreSQL 1"), "{err}\n{out}");
        // The demo's second workspace has sample data to query at once.
        let (analytics, _) = demo_connection(&client, &base, &cookie, "analytics").await;
        let sample = "SELECT count(*), count(DISTINCT path) FROM page_views;";
        let started = std::time::Instant::now();
        loop {
            let (ok, out, err) = crate::local_postgres::psql(&analytics.psql_command(&pw), sample).await;
            if ok && out.contains(" 5000 |     5") {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "no sample data: {err}\n{out}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        let url = ws.connection_string(&pw);
        assert!(url.ends_with("?sslmode=require"), "{url}");
        // Workspace names do not resolve here: the address psql is given.
        all_clients(&url.replacen(&format!("@{}:", ws.host), "@127.0.0.1:", 1)).await;
        let _ = child.kill();
        let _ = child.wait();
    })
}
