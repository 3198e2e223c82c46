//! PostgreSQL clients nobody here wrote, against a workspace on the
//! endpoint: psycopg 3, asyncpg, SQLAlchemy 2 and pandas from PyPI
//! (`clients/python`), node-postgres and postgres.js from npm
//! (`clients/node`), over TLS with the connection string Credentials &
//! Access shows. The test command installs them (`SLUICE_CLIENTS_PYTHON`
//! is the venv's python). Where the suite also has a PostgreSQL server,
//! the same checks run against it first: they test the clients' ordinary
//! use, not Sluice's quirks.

use crate::local_postgres::{account, with_postgres};
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

#[test]
fn drivers_and_orms_from_pypi_and_npm_work_with_a_workspace() {
    run(async {
        if let Ok(postgres) = std::env::var("SLUICE_TEST_POSTGRES_URL") {
            all_clients(&postgres).await;
        }
        let app = TestApp::spawn_with(with_postgres(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let url = ws.connection_string(&pw);
        assert!(url.ends_with("?sslmode=require"), "{url}");
        // Workspace names do not resolve here: the address psql is given.
        all_clients(&url.replacen(&format!("@{}:", ws.host), "@127.0.0.1:", 1)).await;
    })
}
