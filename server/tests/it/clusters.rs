//! Workspaces on a PostgreSQL cluster: the throwaway PostgreSQL of the
//! test command serves the region `eu-central-1`, administered by a role
//! with CREATEDB and CREATEROLE (not a superuser), with password checks on
//! for every TCP connection. What is checked is what PostgreSQL itself
//! answers: psql, the drivers from PyPI and npm, tokio-postgres, and the
//! cluster's catalogs read as its superuser.

use crate::clients::all_clients;
use crate::harness::*;
use crate::local_postgres::{connections, password, pg_connect, psql};
use app::database_password::WorkspaceConnection;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};

pub const REGION: &str = "eu-central-1";

pub fn with_cluster() -> Options {
    Options { cluster_region: Some(REGION), ..Options::default() }
}

/// The cluster's catalogs, read as its superuser.
pub async fn superuser() -> PgConnection {
    let url = std::env::var("SLUICE_TEST_CLUSTER_SUPERUSER_URL")
        .unwrap_or_else(|_| panic!("SLUICE_TEST_CLUSTER_SUPERUSER_URL is unset: scripts/test.sh sets it"));
    PgConnection::connect(&url).await.expect("the test PostgreSQL")
}

pub async fn databases_owned_by(role: &str) -> Vec<String> {
    let sql = "SELECT d.datname::text FROM pg_database d JOIN pg_roles r ON r.oid = d.datdba WHERE r.rolname = $1";
    sqlx::query_scalar(sql).bind(role).fetch_all(&mut superuser().await).await.unwrap()
}

/// Whether the catalog `sql` (one `EXISTS` over `$1`) finds `name`.
async fn exists(sql: &str, name: &str) -> bool {
    sqlx::query_scalar(sql).bind(name).fetch_one(&mut superuser().await).await.unwrap()
}

pub async fn role_exists(role: &str) -> bool {
    exists("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)", role).await
}

async fn database_exists(name: &str) -> bool {
    exists("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).await
}

/// Makes a workspace in the cluster's region through the page's server
/// function and waits until the cluster has it and it has the current
/// password.
pub async fn cluster_workspace(app: &TestApp, handle: &str, cookie: &str, name: &str) -> WorkspaceConnection {
    let res =
        app.call("/sfn/create_workspace", &[("handle", handle), ("workspace", name), ("region", REGION)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    settled(app, handle, cookie, name).await
}

/// The workspace `name` once its cluster has it with the current password.
pub async fn settled(app: &TestApp, handle: &str, cookie: &str, name: &str) -> WorkspaceConnection {
    let start = Instant::now();
    loop {
        let found = connections(app, handle, cookie).await.into_iter().find(|w| w.handle == name);
        if let Some(ws) = found.filter(|w| w.reachable && w.updated) {
            return ws;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{name} never became ready on the cluster");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The workspace `name` once its cluster has refused to make it (Sluice
/// keeps trying).
pub async fn waiting_on_its_cluster(
    app: &TestApp,
    handle: &str,
    cookie: &str,
    name: &str,
) -> app::workspaces::WorkspaceSummary {
    let start = Instant::now();
    loop {
        let res = app.call("/sfn/workspaces", &[("handle", handle)], cookie).await;
        let list: Vec<app::workspaces::WorkspaceSummary> = res.json().await.unwrap();
        let ws = list.into_iter().find(|w| w.handle == name).unwrap();
        if ws.retrying {
            return ws;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{ws:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn sqlstate(e: &tokio_postgres::Error) -> String {
    e.code().map(|c| c.code().to_owned()).unwrap_or_else(|| e.to_string())
}

#[test]
fn a_cluster_workspace_is_a_postgresql_database_that_every_client_opens() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = cluster_workspace(&app, &ada, &cookie, "analytics").await;
        let pw = password(&app, &ada, &cookie).await;
        let cluster = test_cluster(REGION);
        assert!(ws.placed);
        assert_eq!((ws.host.as_str(), ws.port), (cluster.public_host.as_str(), cluster.public_port));
        assert_eq!(ws.user, ada);
        // The test cluster has no TLS: the string does not ask for it.
        assert!(!ws.connection_string(&pw).contains("sslmode"), "{}", ws.connection_string(&pw));

        // The page's psql command, run by Debian's psql.
        let (ok, out, err) = psql(
            &ws.psql_command(&pw),
            "CREATE TABLE t (id int PRIMARY KEY, name text);
             INSERT INTO t VALUES (1, 'one'), (2, 'two');
             SELECT string_agg(name, ',' ORDER BY id) FROM t;
             SELECT concat_ws('|', current_user, current_database(), current_setting('statement_timeout'),
                    current_setting('idle_in_transaction_session_timeout'), current_setting('temp_file_limit'),
                    version() LIKE 'PostgreSQL%');",
        )
        .await;
        assert!(ok, "{err}");
        assert!(out.contains("one,two"), "{out}");
        assert!(out.contains(&format!("{ada}|{}|1min|5min|1GB|t", ws.database)), "{out}");

        // The role and database Sluice made, as the cluster has them.
        assert_eq!(databases_owned_by(&ada).await, vec![ws.database.clone()]);
        let mut su = superuser().await;
        let (verifier, limit, public_connect): (String, i32, bool) = sqlx::query_as(
            "SELECT r.rolpassword, r.rolconnlimit, has_database_privilege('public', $2, 'CONNECT')
             FROM pg_authid r WHERE r.rolname = $1",
        )
        .bind(&ada)
        .bind(&ws.database)
        .fetch_one(&mut su)
        .await
        .unwrap();
        assert!(verifier.starts_with("SCRAM-SHA-256$4096:"), "the cluster keeps a verifier, not the password");
        assert_eq!(limit, 20);
        assert!(!public_connect, "CONNECT is revoked from PUBLIC");

        // psycopg 3, asyncpg, SQLAlchemy 2 with pandas, node-postgres and
        // postgres.js, with the string the page shows.
        all_clients(&ws.connection_string(&pw)).await;

        // Another person, with a workspace of their own on the cluster.
        let bob = unique_handle("bob");
        let bob_cookie = app.sign_up(&format!("{bob}@example.com"), &bob, "Bob").await;
        let bob_ws = cluster_workspace(&app, &bob, &bob_cookie, "mine").await;
        let bob_pw = password(&app, &bob, &bob_cookie).await;
        assert!(pg_connect(&bob_ws, &bob_pw).await.is_ok());
        // Bob's role, with Bob's password, at Ada's database: refused.
        let intruder = WorkspaceConnection { database: ws.database.clone(), ..bob_ws.clone() };
        let refused = pg_connect(&intruder, &bob_pw).await.expect_err("another person's role is refused");
        assert_eq!(sqlstate(&refused), "42501", "{refused}");
        // Ada's role with Bob's password: refused too.
        let refused = pg_connect(&ws, &bob_pw).await.expect_err("a wrong password is refused");
        assert_eq!(sqlstate(&refused), "28P01", "{refused}");
    })
}

#[test]
fn a_rotation_reaches_the_cluster_and_leaves_open_connections_open() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = cluster_workspace(&app, &ada, &cookie, "analytics").await;
        let second = cluster_workspace(&app, &ada, &cookie, "reports").await;
        let old = password(&app, &ada, &cookie).await;
        let open = pg_connect(&ws, &old).await.expect("the password works");
        open.batch_execute("CREATE TABLE kept (n int); INSERT INTO kept VALUES (41)").await.unwrap();

        let res = app.call("/sfn/rotate_password", &[("handle", &ada)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK);
        let new = password(&app, &ada, &cookie).await;
        assert_ne!(new, old);
        settled(&app, &ada, &cookie, "analytics").await;
        settled(&app, &ada, &cookie, "reports").await;

        // The connection opened before the rotation still answers.
        let row = open.query_one("SELECT n + 1 FROM kept", &[]).await.expect("an open connection is not ended");
        assert_eq!(row.get::<_, i32>(0), 42);
        // New connections: the old password is refused, the new one works,
        // at both workspaces (one role, one statement).
        for w in [&ws, &second] {
            let refused = pg_connect(w, &old).await.expect_err("the old password is refused");
            assert_eq!(sqlstate(&refused), "28P01", "{refused}");
            pg_connect(w, &new).await.expect("the new password works");
        }
        // Both workspaces' jobs were done by one statement, once.
        let attempts: Vec<i64> =
            sqlx::query_scalar("SELECT attempts FROM password_propagations WHERE state = 'done' AND user_id = (SELECT id FROM users WHERE handle = $1)")
                .bind(&ada)
                .fetch_all(&app.db)
                .await
                .unwrap();
        assert!(attempts.len() >= 2 && attempts.iter().all(|a| *a == 1), "{attempts:?}");
    })
}

#[test]
fn a_handle_change_renames_the_role_and_the_workspace_stays_reachable() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let old = unique_handle("ada");
        let cookie = app.sign_up(&format!("{old}@example.com"), &old, "Ada").await;
        let before = cluster_workspace(&app, &old, &cookie, "analytics").await;
        let pw = password(&app, &old, &cookie).await;
        pg_connect(&before, &pw).await.unwrap().batch_execute("CREATE TABLE t (n int)").await.unwrap();

        let new = unique_handle("lovelace");
        let res = app.call("/sfn/change_handle", &[("handle", &old), ("new_handle", &new)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let after = settled(&app, &new, &cookie, "analytics").await;
        assert_eq!(after.user, new);
        assert_eq!(after.database, before.database);
        let client = pg_connect(&after, &pw).await.expect("reachable under the new name");
        client.query_one("SELECT count(*) FROM t", &[]).await.expect("the same database");
        let refused = pg_connect(&before, &pw).await.expect_err("the old name is gone");
        assert_eq!(sqlstate(&refused), "28P01", "{refused}");
        assert!(!role_exists(&old).await);
        assert!(role_exists(&new).await);
    })
}

#[test]
fn deleting_the_workspace_and_then_the_account_leaves_nothing_on_the_cluster() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let one = cluster_workspace(&app, &ada, &cookie, "one").await;
        let two = cluster_workspace(&app, &ada, &cookie, "two").await;
        let pw = password(&app, &ada, &cookie).await;
        // A connection open at the deletion does not keep the database.
        let open = pg_connect(&one, &pw).await.unwrap();

        let (_, token) = crate::api::new_token(&app, &ada, &cookie).await;
        let res = app.api(Method::DELETE, &format!("/user/{ada}/workspace/one"), Some(&token), None).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(!database_exists(&one.database).await, "the workspace's database was dropped");
        assert!(open.query_one("SELECT 1", &[]).await.is_err(), "its connections were ended");
        assert!(database_exists(&two.database).await);
        assert!(role_exists(&ada).await, "the other workspace still needs the role");

        let res = app.call("/sfn/delete_account", &[("handle", &ada), ("confirm", &ada)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let start = Instant::now();
        while role_exists(&ada).await || database_exists(&two.database).await {
            assert!(start.elapsed() < Duration::from_secs(15), "the account's database and role were not dropped");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(databases_owned_by(&ada).await.is_empty());
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cluster_drops").fetch_one(&app.db).await.unwrap();
        assert_eq!(left, 0, "nothing is left to do");
    })
}

#[test]
fn usage_is_read_from_the_cluster() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = cluster_workspace(&app, &ada, &cookie, "analytics").await;
        let pw = password(&app, &ada, &cookie).await;
        {
            let client = pg_connect(&ws, &pw).await.unwrap();
            client
                .batch_execute(
                    "CREATE TABLE big AS SELECT g, repeat('x', 200) AS pad FROM generate_series(1, 20000) g;
                     SELECT pg_sleep(0.3);",
                )
                .await
                .unwrap();
        }
        let (_, token) = crate::api::new_token(&app, &ada, &cookie).await;
        let id: String = sqlx::query_scalar("SELECT id FROM workspaces WHERE handle = 'analytics'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        let start = Instant::now();
        let (compute, storage) = loop {
            let res = app.api(Method::GET, &format!("/user/{ada}/usage"), Some(&token), None).await;
            assert_eq!(res.status(), StatusCode::OK);
            let page: Value = res.json().await.unwrap();
            let value = |metric: &str| {
                page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|i| i["metric"] == metric && i["workspace_id"] == id.as_str())
                    .map(|i| i["value"].as_i64().unwrap_or(0))
                    .sum::<i64>()
            };
            let (compute, storage) = (value("db_execution_ms"), value("db_volume_bytes"));
            if compute >= 300 && storage > 4_000_000 {
                break (compute, storage);
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "usage never showed the work: compute {compute} ms, storage {storage} bytes"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(compute < 60_000, "{compute}");
        assert!(storage < 100_000_000, "{storage}");
    })
}

#[test]
fn regions_are_listed_and_an_unknown_one_is_refused() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let (_, token) = crate::api::new_token(&app, &ada, &cookie).await;
        // The page lists the regions with what serves each.
        let res = app.call("/sfn/workspace_regions", &[("handle", &ada)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK);
        let regions: Value = res.json().await.unwrap();
        let items = regions["choices"].as_array().unwrap();
        let found = |name: &str| items.iter().find(|i| i["name"] == name).cloned();
        let engine = found(REGION).unwrap()["engine"].as_str().unwrap().to_owned();
        assert!(engine.starts_with("PostgreSQL 1") && engine.contains(" cluster at "), "{engine}");
        // This server runs no PostgreSQL of its own: the default region is
        // not offered, and the page is told why.
        assert!(found("us-east-1").is_none(), "{regions}");
        assert!(regions["unavailable"].as_str().unwrap().contains("SLUICE_DB_LISTEN=off"), "{regions}");
        // Not another person's page.
        let bob = unique_handle("bob");
        let bob_cookie = app.sign_up(&format!("{bob}@example.com"), &bob, "Bob").await;
        let res = app.call("/sfn/workspace_regions", &[("handle", &ada)], &bob_cookie).await;
        assert_ne!(res.status(), StatusCode::OK);

        let body = serde_json::json!({ "handle": "nowhere", "region": "mars-1" });
        let res = app.api(Method::POST, &format!("/user/{ada}/workspace"), Some(&token), Some(body)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["validation_errors"][0]["location"], "body.region");
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM workspaces").fetch_one(&app.db).await.unwrap();
        assert_eq!(n, 2, "nothing was made (Ada's and Bob's first workspaces)");

        // Through the API, a cluster workspace is `creating`, then `enabled`.
        let body = serde_json::json!({ "handle": "api", "region": REGION });
        let res = app.api(Method::POST, &format!("/user/{ada}/workspace"), Some(&token), Some(body)).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let made: Value = res.json().await.unwrap();
        assert_eq!(made["region"], REGION);
        assert!(made["state"] == "creating" || made["state"] == "enabled", "{made}");
        let start = Instant::now();
        loop {
            let res = app.api(Method::GET, &format!("/user/{ada}/workspace/api"), Some(&token), None).await;
            let v: Value = res.json().await.unwrap();
            if v["state"] == "enabled" {
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "{v}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(databases_owned_by(&ada).await.len(), 1);
    })
}

#[test]
fn a_role_sluice_did_not_make_is_left_alone_and_the_workspace_says_it_waits() {
    use sqlx::Executor;
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        // Someone made a role with Ada's handle on the cluster before her.
        let mut su = superuser().await;
        su.execute(format!("CREATE ROLE \"{ada}\" LOGIN PASSWORD 'theirs'").as_str()).await.unwrap();
        let before: String = sqlx::query_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = $1")
            .bind(&ada)
            .fetch_one(&mut su)
            .await
            .unwrap();

        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let res = app
            .call("/sfn/create_workspace", &[("handle", &ada), ("workspace", "analytics"), ("region", REGION)], &cookie)
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        let summary = waiting_on_its_cluster(&app, &ada, &cookie, "analytics").await;
        assert!(!summary.ready);
        let after: String = sqlx::query_scalar("SELECT rolpassword FROM pg_authid WHERE rolname = $1")
            .bind(&ada)
            .fetch_one(&mut su)
            .await
            .unwrap();
        assert_eq!(before, after, "the role's password was not touched");
        assert!(databases_owned_by(&ada).await.is_empty(), "no database was made for it");
        let html = app.get(&format!("/user/{ada}"), Some(&cookie)).await.text().await.unwrap();
        assert!(html.contains("Its cluster could not make it yet."), "the page says why it waits");
        // Deleting the workspace removes nothing of the other role's either.
        let res = app
            .call(
                "/sfn/delete_workspace",
                &[("handle", &ada), ("workspace", "analytics"), ("confirm", "analytics")],
                &cookie,
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(removals_settled(&app, Duration::from_secs(10)).await, "the removal was not settled");
        assert!(role_exists(&ada).await, "a role Sluice did not make stays");
        su.execute(format!("DROP ROLE \"{ada}\"").as_str()).await.unwrap();
    })
}

/// Waits until no removal is left for the clusters.
pub async fn removals_settled(app: &TestApp, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM cluster_drops").fetch_one(&app.db).await.unwrap();
        if left == 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}
