//! Two server processes behind one database, as behind a load balancer:
//! nothing a person does depends on which of them answers. Both start at
//! the same moment on an empty database (the migrations run once), share
//! only the database and the sealing key, and each runs its own
//! propagation worker. On a PostgreSQL run of the suite they share a
//! PostgreSQL database; on a SQLite run, one SQLite file.

use crate::api::new_token;
use crate::harness::*;
use crate::tokens::concurrent_creates;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::process::{Child, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// Sign-in links one address may ask for in 15 minutes, over both.
const LINKS_PER_PEER: usize = 8;
/// `/api/v0` requests one token may make in a minute, over both.
const API_PER_MINUTE: usize = 40;

struct Instance {
    child: Child,
    app: TestApp,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The test cluster as `SLUICE_WORKSPACE_CLUSTERS` names it.
fn cluster_setting() -> String {
    let c = test_cluster(crate::clusters::REGION);
    format!("{}={};public={}", c.region, c.admin_url.expose(), c.key())
}

/// Starts the server binary on `database_url` with a data dir of its own.
fn launch(database_url: &str) -> (Child, String, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut cmd = server_process();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    // Both as `server --demo`: they race to make the demo account too.
    let child = cmd
        .arg("--demo")
        .env("SLUICE_DATA_DIR", dir.path())
        .env("SLUICE_DATABASE_URL", database_url)
        // Every process must open what another sealed.
        .env("SLUICE_SECRET_KEY", "c2x1aWNlLW11bHRpLWluc3RhbmNlLXRlc3Qta2V5ISE=")
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("SLUICE_DB_LISTEN", "off")
        .env("SLUICE_SIGN_IN_PER_PEER", LINKS_PER_PEER.to_string())
        .env("SLUICE_API_PER_MINUTE", API_PER_MINUTE.to_string())
        // Both sample usage (and look at thresholds) every second.
        .env("SLUICE_USAGE_INTERVAL", "1")
        // Both use the test cluster for one region, and log each password
        // they set there.
        .env("SLUICE_WORKSPACE_CLUSTERS", cluster_setting())
        .env("RUST_LOG", "warn,server::clusters=info")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("server starts");
    (child, format!("http://127.0.0.1:{port}"), dir)
}

/// Waits until the server at `base` answers, or fails with its log.
async fn ready(mut child: Child, base: String, dir: TempDir, database: &Arc<TestDatabase>) -> Instance {
    let started = Instant::now();
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
            panic!("a server exited with {status}: {log}");
        }
        if let Ok(res) = reqwest::get(format!("{base}/login")).await {
            if res.status() == StatusCode::OK {
                break;
            }
        }
        assert!(started.elapsed() < Duration::from_secs(30), "a server did not answer in 30 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let app = TestApp::attach(base, dir, database.clone()).await;
    Instance { child, app }
}

/// Two servers started together on one new database (in `db_dir`, on
/// SQLite).
async fn pair(db_dir: &TempDir) -> (Instance, Instance) {
    let database = fresh_database(db_dir.path()).await;
    let (a, a_base, a_dir) = launch(&database.url);
    let (b, b_base, b_dir) = launch(&database.url);
    let a = ready(a, a_base, a_dir, &database).await;
    let b = ready(b, b_base, b_dir, &database).await;
    (a, b)
}

/// Waits until no password propagation is pending (20 s at most).
async fn no_job_pending(app: &TestApp) {
    let started = Instant::now();
    loop {
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM password_propagations WHERE state = 'pending'")
            .fetch_one(&app.db)
            .await
            .unwrap();
        if pending == 0 {
            return;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "{pending} jobs still pending");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a server process logged so far.
fn log_of(instance: &Instance) -> String {
    std::fs::read_to_string(instance.app.dir.path().join("server.log")).unwrap_or_default()
}

#[test]
fn two_processes_carry_each_rotation_to_the_cluster_exactly_once() {
    use crate::clusters::cluster_workspace;
    use crate::local_postgres::{password, pg_connect};
    run(async {
        let db_dir = tempfile::tempdir().unwrap();
        let (a_process, b_process) = pair(&db_dir).await;
        let (a, b) = (&a_process.app, &b_process.app);
        // Four people, made through A, their cluster workspaces through B
        // (the first has two there: one role, so one statement).
        let mut people = Vec::new();
        for i in 0..4 {
            let handle = unique_handle("multi");
            let cookie = a.sign_up(&format!("{handle}@example.com"), &handle, "Someone").await;
            cluster_workspace(b, &handle, &cookie, "analytics").await;
            if i == 0 {
                cluster_workspace(b, &handle, &cookie, "staging").await;
            }
            people.push((handle, cookie));
        }
        let set_before = |log: &str| log.matches("the database password was set on a cluster").count();
        let before = set_before(&log_of(&a_process)) + set_before(&log_of(&b_process));
        // Each rotates once, alternately through A and B, all at once.
        let rotations = people.iter().enumerate().map(|(i, (handle, cookie))| {
            let app = if i % 2 == 0 { a } else { b };
            async move { app.call("/sfn/rotate_password", &[("handle", handle.as_str())], cookie).await.status() }
        });
        for status in futures::future::join_all(rotations).await {
            assert_eq!(status, StatusCode::OK);
        }
        no_job_pending(a).await;
        // Give a duplicate (if there were one) the time to show.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let after = set_before(&log_of(&a_process)) + set_before(&log_of(&b_process));
        assert_eq!(
            after - before,
            people.len(),
            "one ALTER ROLE per rotation, over both processes; A logged:\n{}\nB logged:\n{}",
            log_of(&a_process),
            log_of(&b_process)
        );
        let twice: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM password_propagations WHERE attempts != 1 AND state = 'done'")
                .fetch_one(&a.db)
                .await
                .unwrap();
        assert_eq!(twice, 0, "a job was carried out more than once");
        // And the cluster has each new password.
        for (handle, cookie) in &people {
            let ws = crate::local_postgres::connections(a, handle, cookie).await;
            let pw = password(b, handle, cookie).await;
            for w in ws.iter().filter(|w| w.placed) {
                assert!(w.updated);
                pg_connect(w, &pw).await.unwrap_or_else(|e| panic!("{handle}: {e}"));
            }
        }
    })
}

/// The mails in a process's outbox to `to`.
fn mails_to(instance: &Instance, to: &str) -> Vec<String> {
    let Ok(dir) = std::fs::read_dir(instance.app.dir.path().join("outbox")) else { return Vec::new() };
    dir.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
        .filter(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))))
        .collect()
}

#[test]
fn two_processes_mail_each_threshold_step_once() {
    run(async {
        let db_dir = tempfile::tempdir().unwrap();
        let (a_process, b_process) = pair(&db_dir).await;
        let (a, b) = (&a_process.app, &b_process.app);
        let handle = unique_handle("steps");
        let email = format!("{handle}@example.com");
        let cookie = a.sign_up(&email, &handle, "Someone").await;
        // 0.003 h: a threshold of 10.8 s of compute, set through B.
        let form = [
            ("handle", handle.as_str()),
            ("compute_hours", "0.003"),
            ("compute_action", "warn"),
            ("storage_gib", ""),
            ("storage_action", "warn"),
            ("spend_dollars", ""),
            ("spend_action", "warn"),
        ];
        assert_eq!(b.call("/sfn/set_usage_thresholds", &form, &cookie).await.status(), StatusCode::OK);
        let (user, ws): (String, String) = sqlx::query_as(
            "SELECT u.id, w.id FROM users u JOIN workspaces w ON w.user_id = u.id WHERE u.handle = $1 LIMIT 1",
        )
        .bind(&handle)
        .fetch_one(&a.db)
        .await
        .unwrap();
        let mailed = |least: i64| {
            let (db, user) = (a.db.clone(), user.clone());
            async move {
                let started = Instant::now();
                loop {
                    let n: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM usage_threshold_steps WHERE user_id = $1 AND mailed_at IS NOT NULL",
                    )
                    .bind(&user)
                    .fetch_one(&db)
                    .await
                    .unwrap();
                    if n >= least {
                        return;
                    }
                    assert!(started.elapsed() < Duration::from_secs(15), "{n} of {least} steps mailed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        let now = app::infra::time::now_millis();
        // 8.5 s: 78 %, the first step.
        app::usage::ssr::record_compute(&a.db, &ws, 8_500, now).await.unwrap();
        mailed(1).await;
        // 14.5 s: 134 %, past 100 % and 125 % at once: one mail, for 125 %.
        app::usage::ssr::record_compute(&a.db, &ws, 6_000, now).await.unwrap();
        mailed(3).await;
        // Both processes look again several times.
        tokio::time::sleep(Duration::from_millis(3_000)).await;
        let mut mails: Vec<String> = mails_to(&a_process, &email);
        mails.extend(mails_to(&b_process, &email));
        let warnings: Vec<&String> = mails.iter().filter(|m| m.contains("threshold")).collect();
        assert_eq!(warnings.len(), 2, "one mail per step crossed, over both processes: {warnings:#?}");
        assert!(warnings.iter().any(|m| m.contains("Subject: Usage: 75 % of your compute time threshold")));
        assert!(warnings.iter().any(|m| m.contains("Subject: Usage: 125 % of your compute time threshold")));
        let audited: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM audit_log WHERE identity_id = $1 AND action_type = 'usage.threshold.warning'",
        )
        .bind(&user)
        .fetch_one(&a.db)
        .await
        .unwrap();
        assert_eq!(audited, 2);
    })
}

#[test]
fn two_processes_behind_one_database_act_as_one() {
    run(async {
        let db_dir = tempfile::tempdir().unwrap();
        let (a, b) = pair(&db_dir).await;
        let (a, b) = (&a.app, &b.app);

        // Both ran the migrations' check at once; each applied once.
        let applied: Vec<(i64, i64)> =
            sqlx::query_as("SELECT version, COUNT(*) FROM _sqlx_migrations GROUP BY version ORDER BY version")
                .fetch_all(&a.db)
                .await
                .unwrap();
        let on_disk = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../migrations")).unwrap().count();
        // PostgreSQL's one of its own first: the name BLOB.
        let own = usize::from(engine() == Engine::Postgres);
        assert_eq!(applied.len(), on_disk + own, "{applied:?}");
        assert!(applied.iter().all(|(_, n)| *n == 1), "{applied:?}");

        // Both started with --demo: one demo account.
        let demos: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE handle = 'demo'").fetch_one(&a.db).await.unwrap();
        assert_eq!(demos, 1);

        // Signed up through A, the session works on B.
        let ada = a.sign_up("ada@example.com", "ada", "Ada").await;
        assert!(b.is_signed_in("ada", &ada).await);
        // A sign-in link A mailed opens on B.
        let t = a.request_link("ada@example.com").await;
        let on_b = session_cookie(&b.confirm(&t, None).await).expect("signed in on B");
        assert!(a.is_signed_in("ada", &on_b).await);

        // 50 concurrent creates, alternately on A and B: two tokens.
        let ok = concurrent_creates(&[a, b], &ada, 50).await;
        assert_eq!(ok, 2);
        let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tokens").fetch_one(&a.db).await.unwrap();
        assert_eq!(tokens, 2);
        let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action_type = 'token.create'")
            .fetch_one(&a.db)
            .await
            .unwrap();
        assert_eq!(audited, 2);

        // A rotation started on A reaches every workspace once, although
        // both processes' workers look for jobs.
        for name in ["analytics", "staging"] {
            let form = [("handle", "ada"), ("workspace", name), ("region", crate::clusters::REGION)];
            let res = b.call("/sfn/create_workspace", &form, &ada).await;
            assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
        }
        for _ in 0..5 {
            let res = a.call("/sfn/rotate_password", &[("handle", "ada")], &ada).await;
            assert_eq!(res.status(), StatusCode::OK);
        }
        no_job_pending(a).await;
        let twice: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM password_propagations WHERE attempts != 1 AND state = 'done'")
                .fetch_one(&a.db)
                .await
                .unwrap();
        assert_eq!(twice, 0, "a job was carried out more than once");
        let current: String = sqlx::query_scalar(
            "SELECT p.id FROM database_passwords p JOIN users u ON u.id = p.user_id WHERE u.handle = 'ada'",
        )
        .fetch_one(&a.db)
        .await
        .unwrap();
        let behind: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM workspaces w JOIN users u ON u.id = w.user_id
             WHERE u.handle = 'ada' AND (w.password_id != $1 OR w.password_id IS NULL OR w.scram_verifier IS NULL)",
        )
        .bind(&current)
        .fetch_one(&a.db)
        .await
        .unwrap();
        assert_eq!(behind, 0, "every workspace has the newest password");
        // Each process shows the same, newest password.
        let shown_a: Value = a.call("/sfn/reveal_password", &[("handle", "ada")], &ada).await.json().await.unwrap();
        let shown_b: Value = b.call("/sfn/reveal_password", &[("handle", "ada")], &ada).await.json().await.unwrap();
        assert_eq!(shown_a, shown_b);

        // Rate limits count across both: sign-in links asked for from one
        // address (for different people, each under their own limit).
        let mut granted = 0;
        for i in 0..LINKS_PER_PEER + 4 {
            let app = if i % 2 == 0 { a } else { b };
            let email = format!("person{i}@example.com");
            let res = app.post_form("/sfn/request_sign_in_link", &[("email", &email)], None).await;
            if location(&res) == "/login?sent=1" {
                granted += 1;
            } else {
                assert!(res.text().await.unwrap().contains("RateLimited"));
            }
        }
        // Two links were asked for above (the sign-up and the one for B).
        assert_eq!(granted, LINKS_PER_PEER - 2, "links granted over both processes");
        // …and API calls with one token.
        let (_, token) = new_token_when_room(a, &ada).await;
        // The limit's windows are fixed minutes: calls that straddle two
        // may rightly get two minutes' worth. Start well inside one.
        let into_minute = app::infra::time::now_millis().rem_euclid(60_000);
        if into_minute > 45_000 {
            tokio::time::sleep(Duration::from_millis((60_000 - into_minute) as u64 + 200)).await;
        }
        let mut answered = 0;
        for i in 0..API_PER_MINUTE * 2 {
            let app = if i % 2 == 0 { a } else { b };
            if app.api(Method::GET, "/actor", Some(&token), None).await.status() == StatusCode::OK {
                answered += 1;
            }
        }
        assert!(answered <= API_PER_MINUTE, "{answered} calls answered, {API_PER_MINUTE} allowed");
        assert!(answered >= API_PER_MINUTE / 2, "only {answered} calls answered");

        // Reset authentication on A signs out the session held on B.
        assert!(b.is_signed_in("ada", &on_b).await);
        let res = a.post_form("/sfn/reset_authentication", &[("handle", "ada")], Some(&ada)).await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert!(!b.is_signed_in("ada", &on_b).await);
        assert!(!b.is_signed_in("ada", &ada).await);
        assert_eq!(b.api(Method::GET, "/actor", Some(&token), None).await.status(), StatusCode::UNAUTHORIZED);
    })
}

/// A new token once one of the two is deleted.
async fn new_token_when_room(app: &TestApp, cookie: &str) -> (String, String) {
    let list: Vec<Value> = app.call("/sfn/tokens", &[("handle", "ada")], cookie).await.json().await.unwrap();
    let id = list[0]["id"].as_str().unwrap();
    let res = app.call("/sfn/delete_token", &[("handle", "ada"), ("id", id)], cookie).await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    new_token(app, "ada", cookie).await
}
