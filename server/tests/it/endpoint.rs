//! The workspace endpoint, driven by clients nobody here wrote: Debian's
//! `psql` with the connection string Credentials & Access shows, and
//! `tokio-postgres` through the extended query protocol.

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

/// The first workspace once the endpoint serves it (its verifier is made
/// by the worker).
async fn reachable(app: &TestApp, handle: &str, cookie: &str) -> WorkspaceConnection {
    let start = Instant::now();
    loop {
        let ws = connections(app, handle, cookie).await.remove(0);
        if ws.reachable && ws.updated {
            return ws;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "the workspace never became reachable");
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

pub fn with_endpoint() -> Options {
    Options { endpoint: true, worker: true, ..Options::default() }
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

#[test]
fn psql_works_with_the_connection_string_the_page_shows() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        assert_eq!(ws.port, app.pg_port.unwrap());
        let command = ws.psql_command(&pw);
        assert!(command.contains("?sslmode=require&hostaddr=127.0.0.1\""), "{command}");
        let (ok, out, err) = psql(
            &command,
            "\\conninfo
             CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, score REAL);
             INSERT INTO notes (body, score) VALUES ('first', 1.5), ('second', 2);
             BEGIN;
             INSERT INTO notes (body) VALUES ('third');
             COMMIT;
             BEGIN;
             INSERT INTO notes (body) VALUES ('never');
             ROLLBACK;
             UPDATE notes SET score = 3 WHERE body = 'third';
             SELECT id, body, score FROM notes ORDER BY id;
             \\dt
             DELETE FROM notes WHERE id = 2;
             SELECT count(*) AS n FROM notes;
             ",
        )
        .await;
        assert!(ok, "psql failed: {err}\n{out}");
        // The endpoint's TLS, with the certificate made at the first start.
        assert!(out.contains("SSL connection (protocol: TLSv1.3"), "{out}");
        let lines: Vec<&str> = out.lines().map(str::trim).collect();
        for tag in [
            "CREATE TABLE",
            "INSERT 0 2",
            "BEGIN",
            "INSERT 0 1",
            "COMMIT",
            "ROLLBACK",
            "UPDATE 1",
            "DELETE 1",
            "(3 rows)",
        ] {
            assert!(lines.contains(&tag), "no {tag:?} in\n{out}\n{err}");
        }
        assert!(out.contains(" 1 | first  |   1.5"), "{out}");
        assert!(out.contains(" 3 | third  |   3.0"), "{out}");
        assert!(!out.contains("never"), "{out}");
        // \dt: the workspace's tables, owned by the handle.
        assert!(out.contains("public | notes | table | ada"), "{out}");
        assert!(out.contains("\n 2\n"), "the count after the delete: {out}");

        // psql's other catalog commands read the catalog made from the
        // workspace; an error names its cause.
        let (ok, out, err) = psql(&command, "\\l\n\\dn\n").await;
        assert!(ok, "{err}");
        assert!(out.contains(&format!(" {} | ada ", ws.database)), "\\l lists the workspace's database: {out}");
        assert!(out.contains(" public | ada"), "\\dn: {out}");
        let (ok, _, err) = psql(&command, "SELEC 1;").await;
        assert!(!ok);
        assert!(err.contains("syntax error"), "{err}");
        let (ok, _, err) = psql(&command, "ATTACH DATABASE '/tmp/x.db' AS x;").await;
        assert!(!ok);
        assert!(err.contains("not allowed in a Sluice workspace"), "{err}");
        // The data is in the workspace's own file.
        let files: Vec<_> = std::fs::read_dir(app.dir.path().join("workspaces")).unwrap().collect();
        assert!(!files.is_empty());
    })
}

#[test]
fn with_tls_off_the_connection_string_leaves_sslmode_out() {
    run(async {
        let options = Options { db_tls: app::infra::settings::DbTls::Off, ..with_endpoint() };
        let app = TestApp::spawn_with(options, None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let command = ws.psql_command(&pw);
        assert!(!command.contains("sslmode") && command.ends_with("?hostaddr=127.0.0.1\""), "{command}");
        let (ok, out, err) = psql(&command, "\\conninfo\nSELECT 1;").await;
        assert!(ok && !out.contains("SSL connection"), "{err}\n{out}");
        // A client that insists on TLS is told the endpoint has none.
        let insisting = command.replace("?hostaddr", "?sslmode=require&hostaddr");
        let (ok, _, err) = psql(&insisting, "SELECT 1;").await;
        assert!(!ok && err.contains("server does not support SSL"), "{err}");
    })
}

#[test]
fn a_rotation_reaches_each_workspace_and_open_connections_stay() {
    run(async {
        let options = Options { propagation_delay: Duration::from_secs(2), ..with_endpoint() };
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
        assert!(pg_connect(&ws, &old).await.is_err());
        assert!(pg_connect(&ws, &new).await.is_ok());
        assert!(err.to_lowercase().contains("password authentication failed"), "{err}");
        let (ok, out, err) = psql(&ws.psql_command(&new), "SELECT v FROM t;").await;
        assert!(ok, "{err}");
        assert!(out.contains(" 1\n"));
        // The connection opened before the rotation is still answering.
        let row = open.query_one("SELECT count(*) FROM t", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 1);
        open.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    })
}

#[test]
fn another_persons_credentials_never_open_a_workspace_and_failures_look_alike() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ada_ws, _) = account(&app, "ada").await;
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        assert!(pg_connect(&bob_ws, &bob_pw).await.is_ok());
        let attempts = [
            // Bob's password on Ada's workspace, as Ada and as Bob.
            WorkspaceConnection { ..ada_ws.clone() },
            WorkspaceConnection { user: "bob".into(), ..ada_ws.clone() },
            // Unknown user, unknown database.
            WorkspaceConnection { user: "nobody".into(), ..ada_ws.clone() },
            WorkspaceConnection { database: "nosuchdb".into(), ..ada_ws.clone() },
        ];
        let mut messages = Vec::new();
        for ws in &attempts {
            let (ok, _, err) = psql(&ws.psql_command(&bob_pw), "SELECT 1;").await;
            assert!(!ok, "{} / {} opened with Bob's password", ws.user, ws.database);
            // The message names nobody: the same for every case.
            messages.push(err.lines().last().unwrap_or_default().to_owned());
        }
        assert!(messages.iter().all(|m| m == &messages[0]), "{messages:?}");
        assert!(messages[0].to_lowercase().contains("password authentication failed"), "{messages:?}");
        // Ada's log says someone failed to open her workspace, without a password.
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT actor_ip, data FROM audit_log a JOIN users u ON u.id = a.identity_id
             WHERE u.handle = 'ada' AND action_type = 'workspace.login.failed'",
        )
        .fetch_all(&app.db)
        .await
        .unwrap();
        assert!(!rows.is_empty());
        assert_eq!(rows[0].0, "127.0.0.1");
        assert!(!rows[0].1.contains(&bob_pw));
    })
}

/// [`pg_connect`] from `source`, another loopback address (another client).
async fn pg_connect_from(
    source: &str,
    ws: &WorkspaceConnection,
    password: &str,
) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    socket.bind(&format!("{source}:0").parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    socket.connect(&format!("127.0.0.1:{}", ws.port).parse::<std::net::SocketAddr>().unwrap().into()).unwrap();
    socket.set_nonblocking(true).unwrap();
    let stream = tokio::net::TcpStream::from_std(std::net::TcpStream::from(socket)).unwrap();
    let mut config = tokio_postgres::Config::new();
    config.user(&ws.user).password(password).dbname(&ws.database);
    let (client, connection) = config.connect_raw(stream, tokio_postgres::NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

fn message(e: &tokio_postgres::Error) -> String {
    e.as_db_error().map(|d| d.message().to_owned()).unwrap_or_else(|| e.to_string())
}

/// How many rows a simple query answered.
pub fn rows(answer: &[tokio_postgres::SimpleQueryMessage]) -> usize {
    answer.iter().filter(|m| matches!(m, tokio_postgres::SimpleQueryMessage::Row(_))).count()
}

#[test]
fn failed_sign_ins_are_limited_per_address_and_never_lock_the_owner_out() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, right) = account(&app, "ada").await;
        // Sixty wrong passwords at once from one address: every attempt is
        // counted before its proof is checked, so no more than thirty are.
        let tries =
            (0..60).map(|_| {
                let ws = ws.clone();
                async move {
                    pg_connect_from("127.0.0.2", &ws, "wrong").await.err().map(|e| message(&e)).unwrap_or_default()
                }
            });
        let mut answers = futures::future::join_all(tries).await;
        assert!(answers.iter().all(|m| !m.is_empty()), "every attempt failed");
        // Past its 32 connections the address's are closed at once, so on a
        // slow machine fewer than thirty may have reached their proof: the
        // rest come one at a time, and the total checked stays within thirty.
        for _ in 0..30 {
            let m = pg_connect_from("127.0.0.2", &ws, "wrong").await.err().map(|e| message(&e)).unwrap_or_default();
            assert!(!m.is_empty(), "a wrong password failed");
            let refused = m.contains("too many failed sign-ins");
            answers.push(m);
            if refused {
                break;
            }
        }
        let checked = answers.iter().filter(|m| m.contains("Password authentication failed")).count();
        assert!(checked <= 30, "{checked} wrong passwords were checked");
        // That address is refused now, even with the right password…
        let e = pg_connect_from("127.0.0.2", &ws, &right).await.expect_err("refused");
        assert!(message(&e).contains("too many failed sign-ins from this address"), "{e}");
        // …but the owner, elsewhere, is not locked out of their own workspace.
        let owner = pg_connect(&ws, &right).await.expect("the owner signs in");
        assert_eq!(rows(&owner.simple_query("SELECT 1").await.unwrap()), 1);
        // Successes do not use up an address's allowance.
        for _ in 0..40 {
            pg_connect_from("127.0.0.3", &ws, &right).await.expect("signs in");
        }
    })
}

#[test]
fn one_person_holds_a_bounded_number_of_connections() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let mut held = Vec::new();
        for _ in 0..server::endpoint::registry::PER_USER {
            held.push(pg_connect(&ws, &pw).await.expect("within the share"));
        }
        let e = pg_connect(&ws, &pw).await.expect_err("past the share");
        assert!(message(&e).contains("too many connections for role \"ada\""), "{e}");
        held.pop();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(pg_connect(&ws, &pw).await.is_ok(), "a place given back is taken again");
    })
}

#[test]
fn the_walls_hold_for_temporary_objects_and_long_strings() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let client = pg_connect(&ws, &pw).await.unwrap();
        for sql in ["CREATE TEMP TABLE big (b BLOB)", "CREATE TABLE temp.big (b BLOB)"] {
            let e = client.simple_query(sql).await.expect_err(sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e}");
        }
        let blowup = format!(
            "SELECT length(concat({})) FROM (SELECT printf('%.*c', 16000000, 'a') x)",
            vec!["x"; 127].join(", ")
        );
        let e = client.simple_query(&blowup).await.expect_err("too big");
        assert!(message(&e).contains("too big") || message(&e).contains("out of memory"), "{e:?}");
        // Twenty 16 MB results in one query string: the query as a whole is capped.
        let script = "SELECT zeroblob(16000000);".repeat(20);
        let e = client.simple_query(&script).await.expect_err("capped");
        assert_eq!(e.code().map(|c| c.code()), Some("54000"), "{e}");
        assert_eq!(rows(&client.simple_query("SELECT 1").await.unwrap()), 1, "the connection goes on");
    })
}

#[test]
fn tokio_postgres_prepares_typed_statements() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let client = pg_connect(&ws, &pw).await.unwrap();
        client
            .batch_execute(
                "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, price DOUBLE PRECISION,
                 in_stock BOOLEAN, photo BLOB)",
            )
            .await
            .unwrap();
        use tokio_postgres::types::Type;
        let insert = client
            .prepare_typed(
                "INSERT INTO items (id, name, price, in_stock, photo) VALUES ($1, $2, $3, $4, $5)",
                &[Type::INT8, Type::TEXT, Type::FLOAT8, Type::BOOL, Type::BYTEA],
            )
            .await
            .unwrap();
        assert_eq!(client.execute(&insert, &[&1i64, &"lamp", &19.5f64, &true, &vec![1u8, 2, 3]]).await.unwrap(), 1);
        assert_eq!(client.execute(&insert, &[&2i64, &"desk", &120.0f64, &false, &None::<Vec<u8>>]).await.unwrap(), 1);
        // A unique violation is PostgreSQL's SQLSTATE.
        let dup = client.execute(&insert, &[&3i64, &"lamp", &1.0f64, &true, &None::<Vec<u8>>]).await.unwrap_err();
        assert_eq!(dup.code(), Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION));

        // Parameters are bound by number, whatever their order in the text.
        let select = client
            .prepare_typed(
                "SELECT id, name, price, in_stock, photo FROM items WHERE price < $2 AND id >= $1 ORDER BY id",
                &[Type::INT8, Type::FLOAT8],
            )
            .await
            .unwrap();
        let types: Vec<_> = select.columns().iter().map(|c| c.type_().clone()).collect();
        // INTEGER is int4, as in PostgreSQL.
        assert_eq!(types, [Type::INT4, Type::TEXT, Type::FLOAT8, Type::BOOL, Type::BYTEA]);
        let rows = client.query(&select, &[&1i64, &1000.0f64]).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].get::<_, i32>(0), 1);
        assert_eq!(rows[0].get::<_, &str>(1), "lamp");
        assert_eq!(rows[0].get::<_, f64>(2), 19.5);
        assert!(rows[0].get::<_, bool>(3));
        assert_eq!(rows[0].get::<_, Vec<u8>>(4), vec![1, 2, 3]);
        assert_eq!(rows[1].get::<_, Option<Vec<u8>>>(4), None);

        // An expression's column is typed by its value; an untyped
        // parameter takes the type of the column it is compared with.
        let row = client.query_one("SELECT count(*), sum(price) FROM items WHERE name <> 'desk'", &[]).await.unwrap();
        assert_eq!(row.get::<_, i64>(0), 1);
        assert_eq!(row.get::<_, f64>(1), 19.5);
        let row = client.query_one("SELECT id FROM items WHERE name = $1", &[&"desk"]).await.unwrap();
        assert_eq!(row.get::<_, i32>(0), 2);
        let by_id = client.prepare("SELECT name FROM items WHERE id = $1 AND in_stock = $2").await.unwrap();
        assert_eq!(by_id.params(), [Type::INT4, Type::BOOL]);
        assert_eq!(client.query_one(&by_id, &[&1i32, &true]).await.unwrap().get::<_, &str>(0), "lamp");

        // A transaction through the driver.
        let mut client = client;
        let tx = client.transaction().await.unwrap();
        tx.execute("DELETE FROM items WHERE id = 2", &[]).await.unwrap();
        tx.rollback().await.unwrap();
        let n: i64 = client.query_one("SELECT count(*) FROM items", &[]).await.unwrap().get(0);
        assert_eq!(n, 2);

        // A type the workspace does not take is named, not guessed.
        let stmt = client.prepare_typed("SELECT $1", &[Type::CHAR]).await.unwrap();
        let err = client.query(&stmt, &[&7i8]).await.unwrap_err();
        let message = err.as_db_error().map(|e| e.message().to_owned()).unwrap_or_default();
        assert!(message.contains("parameter $1 has type char"), "{err:?}");
    })
}

#[test]
fn a_deleted_workspace_takes_its_database_file_with_it() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (ada, ws, pw) = account(&app, "ada").await;
        let (ok, _, err) =
            psql(&ws.psql_command(&pw), "CREATE TABLE secret_plans (v TEXT); INSERT INTO secret_plans VALUES ('x');")
                .await;
        assert!(ok, "{err}");
        // A client keeps its connection open across the deletion.
        let open = pg_connect(&ws, &pw).await.unwrap();
        open.simple_query("SELECT count(*) FROM secret_plans").await.unwrap();
        let signed_in_only = pg_connect(&ws, &pw).await.unwrap();
        let dir = app.dir.path().join("workspaces");
        assert!(std::fs::read_dir(&dir).unwrap().count() > 0);
        let (_, token) = new_token(&app, "ada", &ada).await;
        let res = app.api(Method::DELETE, "/user/ada/workspace/default", Some(&token), None).await;
        assert!(res.status().is_success(), "{}", res.status());
        // Its connections were ended: nothing they send writes a file back.
        for client in [&open, &signed_in_only] {
            let wrote = client
                .simple_query("CREATE TABLE comeback (b BLOB); INSERT INTO comeback VALUES (zeroblob(1000000))")
                .await;
            assert!(wrote.is_err(), "a deleted workspace's connection still wrote");
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert!(left.is_empty(), "{left:?}");
        let (ok, _, _) = psql(&ws.psql_command(&pw), "SELECT 1;").await;
        assert!(!ok, "a deleted workspace cannot be opened");
    })
}

#[test]
fn a_deleted_account_leaves_no_workspace_file_behind_an_open_connection() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (ada, ws, pw) = account(&app, "ada").await;
        let open = pg_connect(&ws, &pw).await.unwrap();
        open.simple_query("CREATE TABLE contacts (email TEXT); INSERT INTO contacts VALUES ('ada@example.com')")
            .await
            .unwrap();
        let res = app.call("/sfn/delete_account", &[("handle", "ada"), ("confirm", "ada")], &ada).await;
        assert!(res.status().is_success(), "{}", res.status());
        let wrote =
            open.simple_query("CREATE TABLE comeback (v TEXT); INSERT INTO comeback VALUES ('ada@example.com')").await;
        assert!(wrote.is_err(), "a deleted account's connection still wrote");
        tokio::time::sleep(Duration::from_millis(300)).await;
        let dir = app.dir.path().join("workspaces");
        let left: Vec<_> =
            std::fs::read_dir(&dir).map(|d| d.map(|e| e.unwrap().file_name()).collect()).unwrap_or_default();
        assert!(left.is_empty(), "{left:?}");
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
fn usage_is_measured_from_what_the_endpoint_does() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (cookie, ws, pw) = account(&app, "ada").await;
        let (_, token) = new_token(&app, "ada", &cookie).await;
        assert_eq!(usage_totals(&app, &token).await, (0, 0), "a new account has no usage");
        // About 4 MB stored, and a query that takes a while to run.
        let (ok, _, err) = psql(
            &ws.psql_command(&pw),
            "CREATE TABLE blobs (b BLOB);
             INSERT INTO blobs SELECT randomblob(1000000) FROM (WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4) SELECT i FROM n);
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n;",
        )
        .await;
        assert!(ok, "{err}");
        // The harness writes usage every 300 ms (a minute by default).
        let started = Instant::now();
        let (compute, storage) = loop {
            let totals = usage_totals(&app, &token).await;
            if totals.0 > 0 && totals.1 > 4_000_000 || started.elapsed() > Duration::from_secs(15) {
                break totals;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        assert!(compute > 0, "compute time was recorded");
        // The files on disk: the database and its write-ahead log, which
        // holds the same pages again until a checkpoint.
        assert!(storage > 4_000_000 && storage < 12_000_000, "the files' size: {storage}");
        // The page reads the same figures, and calls none of them a sample.
        let res = app.call("/sfn/usage", &[("handle", "ada"), ("period", "")], &cookie).await;
        let report: Value = res.json().await.unwrap();
        assert_eq!(report["sample_until"], Value::Null);
        assert_eq!(report["workspaces"][0]["workspace"], "default");
        assert_eq!(report["workspaces"][0]["storage_bytes"], storage);
        // And the page itself, as the server renders it.
        let html = app.get("/user/ada/advanced/usage", Some(&cookie)).await.text().await.unwrap();
        let shown = app::usage::format_bytes(storage);
        assert!(html.contains(&shown) && !html.contains("No usage in"), "the page shows {shown}");
        assert!(!html.contains("generated sample"));
        let billing: Value = app.call("/sfn/billing", &[("handle", "ada")], &cookie).await.json().await.unwrap();
        assert_eq!(billing["sample_until"], Value::Null);
        // Another person's workspace use is not Ada's.
        let (_, bob_ws, bob_pw) = account(&app, "bob").await;
        let (ok, _, err) =
            psql(&bob_ws.psql_command(&bob_pw), "CREATE TABLE t (b BLOB); INSERT INTO t VALUES (randomblob(2000000));")
                .await;
        assert!(ok, "{err}");
        tokio::time::sleep(Duration::from_millis(1200)).await;
        assert_eq!(usage_totals(&app, &token).await.1, storage);
    })
}

#[test]
fn a_statement_parsed_again_is_described_from_memory_until_the_schema_changes() {
    run(async {
        let app = TestApp::spawn_with(with_endpoint(), None).await;
        let (_, ws, pw) = account(&app, "ada").await;
        let client = pg_connect(&ws, &pw).await.unwrap();
        let other = pg_connect(&ws, &pw).await.unwrap();
        client.batch_execute("CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)").await.unwrap();
        // tokio-postgres parses the text again for each query.
        for _ in 0..3 {
            assert_eq!(client.query("SELECT * FROM t", &[]).await.unwrap()[0].len(), 1);
        }
        // This connection's own change is seen at once.
        client.batch_execute("ALTER TABLE t ADD COLUMN b TEXT").await.unwrap();
        assert_eq!(client.query("SELECT * FROM t", &[]).await.unwrap()[0].len(), 2);
        // Another connection's change: the statement described before is
        // refused as PostgreSQL refuses a stale plan, and the next one is right.
        other.batch_execute("ALTER TABLE t ADD COLUMN c TEXT").await.unwrap();
        let err = client.query("SELECT * FROM t", &[]).await.unwrap_err();
        let message = err.as_db_error().map(|e| e.message().to_owned()).unwrap_or_default();
        assert!(message.contains("cached plan must not change result type"), "{err:?}");
        assert_eq!(client.query("SELECT * FROM t", &[]).await.unwrap()[0].len(), 3);
    })
}
