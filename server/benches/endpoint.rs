//! The workspace endpoint against PostgreSQL 15 on the same machine, both
//! driven by pgbench in the same run:
//! - `SELECT 1` per second over 8 connections for 10 s, through the
//!   simple, the extended and the prepared query protocol;
//! - connection set-up: a new connection (TCP and SCRAM-SHA-256 with 4096
//!   iterations) for every `SELECT 1`, 8 clients at once.
//!
//! PostgreSQL runs from a throwaway data dir on a loopback port, with
//! SCRAM authentication, as the `postgres` user when this runs as root.
//! Run with `cargo bench -p server --bench endpoint` (pgbench, initdb and
//! pg_ctl from Debian's postgresql package); it prints figures, it does
//! not pass or fail.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

#[path = "support/postgres.rs"]
mod postgres;
use postgres::{pg_bin, Postgres};

use leptos::config::get_configuration;

const CLIENTS: &str = "8";
const SECONDS: &str = "10";

struct Run {
    tps: f64,
    latency_ms: f64,
    connect_ms: Option<f64>,
}

fn number_after(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.trim().strip_prefix(prefix))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// pgbench with a `SELECT 1` script against `uri`.
fn pgbench(uri: &str, script: &Path, mode: &str, per_transaction_connect: bool) -> Run {
    let mut args = vec!["-n", "-f", script.to_str().unwrap(), "-c", CLIENTS, "-j", "2", "-T", SECONDS, "-M", mode];
    if per_transaction_connect {
        args.push("-C");
    }
    args.push(uri);
    let out =
        Command::new(pg_bin("pgbench")).args(&args).env("PGPASSFILE", "/dev/null").output().expect("pgbench runs");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "pgbench failed: {}{}", text, String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("number of failed transactions: 0"), "{text}");
    Run {
        tps: number_after(&text, "tps = ").expect("tps"),
        latency_ms: number_after(&text, "latency average = ").expect("latency"),
        connect_ms: number_after(&text, "average connection time = "),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut leptos =
        get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml"))).unwrap().leptos_options;
    leptos.site_addr = "127.0.0.1:0".parse().unwrap();
    let public = "http://127.0.0.1:3000".parse().unwrap();
    let mut settings = app::infra::settings::Settings::for_data_dir(dir.path().join("sluice"), public);
    settings.db_listen = Some("127.0.0.1:0".parse().unwrap());
    let http = server::bind("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let plan = server::Plan { worker: false, ..server::Plan::new(leptos, settings, http) };
    let running = server::start(plan, std::future::pending()).await.unwrap();
    let (state, port) = (running.state, running.endpoint.expect("the endpoint runs").0.port());
    server::demo::sign_in_link(&state).await.unwrap();
    // The demo workspace's verifier, as the worker would make it.
    while app::database_password::jobs::run_due(&state).await.unwrap() > 0 {}
    let (user_id, database): (String, String) = sqlx::query_as(
        "SELECT u.id, w.database_name FROM users u JOIN workspaces w ON w.user_id = u.id WHERE u.handle = 'demo' AND w.handle = 'default'",
    )
    .fetch_one(&state.db)
    .await
    .unwrap();
    let password = app::database_password::ssr::current(&state.db, &state.vault, &user_id).await.unwrap().password;
    let password = password.expose().clone();

    let script = dir.path().join("select1.sql");
    std::fs::write(&script, "SELECT 1;\n").unwrap();
    let postgres = Postgres::start(&dir.path().join("pg"), &password);
    // Without TLS on both sides: what is measured is the query's path.
    let sluice_uri = format!("postgresql://demo:{password}@127.0.0.1:{port}/{database}?sslmode=disable");
    let pg_uri = format!("postgresql://bench:{password}@127.0.0.1:{}/postgres?sslmode=disable", postgres.port);

    let started = Instant::now();
    println!("pgbench: `SELECT 1`, {CLIENTS} clients, {SECONDS} s per run; Sluice's endpoint (SQLite {}) and PostgreSQL, same machine", rusqlite_version());
    println!();
    println!("{:<40} {:>12} {:>12} {:>8} {:>11} {:>11}", "what", "Sluice", "PostgreSQL", "ratio", "Sluice p̄", "PG p̄");
    for mode in ["simple", "extended", "prepared"] {
        let s = pgbench(&sluice_uri, &script, mode, false);
        let p = pgbench(&pg_uri, &script, mode, false);
        println!(
            "{:<40} {:>12.0} {:>12.0} {:>7.1}% {:>8.3} ms {:>8.3} ms",
            format!("SELECT 1 per second ({mode})"),
            s.tps,
            p.tps,
            100.0 * s.tps / p.tps,
            s.latency_ms,
            p.latency_ms
        );
    }
    let s = pgbench(&sluice_uri, &script, "simple", true);
    let p = pgbench(&pg_uri, &script, "simple", true);
    let (sc, pc) = (s.connect_ms.expect("connection time"), p.connect_ms.expect("connection time"));
    println!(
        "{:<40} {:>9.3} ms {:>9.3} ms {:>7.1}% {:>11} {:>11}",
        "connection set-up (TCP + SCRAM, -C)",
        sc,
        pc,
        100.0 * pc / sc,
        "",
        ""
    );
    println!("{:<40} {:>12.0} {:>12.0} {:>7.1}%", "  connections per second", s.tps, p.tps, 100.0 * s.tps / p.tps);
    println!();
    println!(
        "(ratio: Sluice as a share of PostgreSQL's throughput; for set-up, PostgreSQL's time as a share of Sluice's)"
    );
    println!("Measured in {:.0} s", started.elapsed().as_secs_f64());
    drop(postgres);
}

fn rusqlite_version() -> &'static str {
    server::endpoint::sqlite_version()
}
