//! Limits a person cannot lift from inside their workspace, on a
//! configured cluster and on Sluice's own PostgreSQL: statement and
//! idle-transaction timeouts watched by Sluice, temporary files, and the
//! storage limit that pauses a workspace.

use crate::clusters::*;
use crate::harness::*;
use crate::local_postgres::{connections, password, pg_connect, with_plain_postgres};
use app::database_password::WorkspaceConnection;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

/// Every Sluice process with a cluster watches every role of Sluice's
/// there: short limits here cancel other tests' statements too, so they
/// are not shorter than any other test runs a statement.
/// Where the workspaces of a test live.
#[derive(Clone, Copy)]
enum Home {
    Cluster,
    Local,
}

impl Home {
    fn options(self, cluster_limits: app::infra::settings::RoleLimits) -> Options {
        match self {
            Home::Cluster => Options { cluster_limits, ..with_cluster() },
            Home::Local => Options { cluster_limits, ..with_plain_postgres() },
        }
    }

    async fn workspace(self, app: &TestApp, handle: &str, cookie: &str, name: &str) -> WorkspaceConnection {
        match self {
            Home::Cluster => cluster_workspace(app, handle, cookie, name).await,
            Home::Local => {
                let form = [("handle", handle), ("workspace", name)];
                assert_eq!(app.call("/sfn/create_workspace", &form, cookie).await.status(), StatusCode::OK);
                settled(app, handle, cookie, name).await
            }
        }
    }
}

#[test]
fn a_session_cannot_lift_its_limits_from_inside() {
    session_limits(Home::Cluster);
}

#[test]
fn a_session_cannot_lift_its_limits_from_inside_on_sluices_own_postgresql() {
    session_limits(Home::Local);
}

fn session_limits(home: Home) {
    use app::infra::settings::RoleLimits;
    run(async {
        let limit = Duration::from_secs(2);
        let limits = RoleLimits {
            statement_timeout: limit,
            idle_in_transaction_timeout: limit,
            temp_file_limit_mb: 5,
            ..crate::harness::default_limits()
        };
        let app = TestApp::spawn_with(home.options(limits), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = home.workspace(&app, &ada, &cookie, "analytics").await;
        let pw = password(&app, &ada, &cookie).await;

        // The role's defaults are only defaults: lifted for the session,
        // then for the role itself.
        let client = pg_connect(&ws, &pw).await.unwrap();
        client.batch_execute(&format!("ALTER ROLE \"{ada}\" SET statement_timeout = 0")).await.unwrap();
        let client = pg_connect(&ws, &pw).await.unwrap();
        client.batch_execute("SET statement_timeout = 0; SET idle_in_transaction_session_timeout = 0").await.unwrap();
        let start = Instant::now();
        let stopped = client.query_one("SELECT pg_sleep(60)", &[]).await.expect_err("the statement was stopped");
        let took = start.elapsed();
        assert_eq!(sqlstate(&stopped), "57014", "{stopped}");
        assert!(took >= limit && took < limit + Duration::from_millis(2500), "{took:?}");

        let idle = pg_connect(&ws, &pw).await.unwrap();
        idle.batch_execute("SET idle_in_transaction_session_timeout = 0; BEGIN; SELECT 1").await.unwrap();
        tokio::time::sleep(limit + Duration::from_millis(2500)).await;
        assert!(idle.query_one("SELECT 1", &[]).await.is_err(), "the idle transaction's session was ended");

        // Temporary files stay bounded: a sort of about 30 MB spills past
        // the 5 MB limit, and only a superuser may raise it.
        let spill = "SELECT count(*) FROM (SELECT md5(g::text) AS m FROM generate_series(1, 500000) g ORDER BY 1) s";
        let refused = client.query_one(spill, &[]).await.expect_err("past temp_file_limit");
        assert_eq!(sqlstate(&refused), "53400", "{refused}");
        let refused = client.batch_execute("SET temp_file_limit = -1").await.expect_err("refused");
        assert_eq!(sqlstate(&refused), "42501", "{refused}");
    })
}

#[test]
fn a_workspace_past_the_storage_limit_is_paused_until_it_is_below() {
    storage_limit(Home::Cluster);
}

#[test]
fn a_workspace_past_the_storage_limit_is_paused_on_sluices_own_postgresql() {
    storage_limit(Home::Local);
}

fn storage_limit(home: Home) {
    use app::infra::settings::RoleLimits;
    run(async {
        // A new database takes about 7.5 MB; the limit is a little more.
        let small = RoleLimits { storage_mb: 12, ..crate::harness::default_limits() };
        let app = TestApp::spawn_with(home.options(small), None).await;
        let ada = unique_handle("ada");
        let email = format!("{ada}@example.com");
        let cookie = app.sign_up(&email, &ada, "Ada").await;
        let big = home.workspace(&app, &ada, &cookie, "big").await;
        let other = home.workspace(&app, &ada, &cookie, "other").await;
        let pw = password(&app, &ada, &cookie).await;
        let client = pg_connect(&big, &pw).await.unwrap();
        client.batch_execute("CREATE TABLE filler (g int, h int, m text)").await.unwrap();
        // Writing until the workspace is closed under the writer.
        let mut written = 0i64;
        let start = Instant::now();
        let insert = "INSERT INTO filler SELECT g, g * 2, md5(g::text) FROM generate_series(1, 20000) g";
        while client.batch_execute(insert).await.is_ok() {
            written += 20_000;
            assert!(start.elapsed() < Duration::from_secs(30), "the writer was never stopped");
        }
        assert!(written > 0);

        loop {
            let list: Vec<app::workspaces::WorkspaceSummary> =
                app.call("/sfn/workspaces", &[("handle", &ada)], &cookie).await.json().await.unwrap();
            if list.iter().any(|w| w.handle == "big" && w.paused) {
                assert!(list.iter().any(|w| w.handle == "other" && !w.paused), "{list:?}");
                break;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "never paused: {list:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(client.query_one("SELECT 1", &[]).await.is_err(), "its session was ended");
        let refused = pg_connect(&big, &pw).await.expect_err("new sign-ins are refused");
        assert_eq!(sqlstate(&refused), "42501", "{refused}");
        // Nor can its role lift the pause from elsewhere: the database is not theirs now.
        let elsewhere = pg_connect(&other, &pw).await.expect("the other workspace stays open");
        let lifted = elsewhere.batch_execute(&format!("ALTER DATABASE \"{}\" OWNER TO \"{ada}\"", big.database)).await;
        assert!(lifted.is_err(), "the owner cannot take it back");
        let mail = app.last_mail_to(&email).expect("a notice");
        assert!(mail.contains("paused") && mail.contains("big"), "{mail}");
        let html = app.get(&format!("/user/{ada}"), Some(&cookie)).await.text().await.unwrap();
        assert!(html.contains("Paused: storage limit reached"), "the card says why");
        let rows = connections(&app, &ada, &cookie).await;
        assert!(rows.iter().any(|w| w.handle == "big" && w.paused && !w.reachable), "{rows:?}");

        // The limit raised: open again within seconds, with every row (Sluice's
        // own PostgreSQL comes back on a port of its own: read it again).
        let app = app.restart(home.options(crate::harness::default_limits())).await;
        let big = settled(&app, &ada, &cookie, "big").await;
        let start = Instant::now();
        let client = loop {
            if let Ok(client) = pg_connect(&big, &pw).await {
                break client;
            }
            assert!(start.elapsed() < Duration::from_secs(10), "never opened again");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let rows: i64 = client.query_one("SELECT count(*) FROM filler", &[]).await.unwrap().get(0);
        assert_eq!(rows, written, "every row written before the pause is there");
        let form = [("handle", ada.as_str()), ("workspace", "big"), ("confirm", "big")];
        assert_eq!(app.call("/sfn/delete_workspace", &form, &cookie).await.status(), StatusCode::OK);
    })
}
