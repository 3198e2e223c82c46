//! A person's role on a cluster is theirs alone: a handle given up never
//! brings its old role to the next person, a removed role takes what it
//! owned anywhere on the cluster with it and its sessions, and the
//! cluster's own databases are closed to every person's role.

use crate::clusters::*;
use crate::harness::*;
use crate::local_postgres::{password, pg_connect};
use app::database_password::WorkspaceConnection;
use reqwest::StatusCode;
use sqlx::{Connection, PgConnection};
use std::time::Duration;

/// `role` signed in to the cluster's `postgres` database (as on a cluster
/// where CONNECT there was never revoked from PUBLIC), owning a large
/// object there: what made a role's removal fail before.
async fn hold_object_in_postgres(ws: &WorkspaceConnection, role: &str, pw: &str) -> tokio_postgres::Client {
    use sqlx::Executor;
    // Granted by Sluice's role, as PUBLIC's would be: what the superuser
    // grants itself, only the superuser can take back.
    superuser().await.execute("GRANT CONNECT ON DATABASE postgres TO sluice_admin WITH GRANT OPTION").await.unwrap();
    let mut admin = PgConnection::connect(&cluster_url()).await.unwrap();
    admin.execute(format!("GRANT CONNECT ON DATABASE postgres TO \"{role}\"").as_str()).await.unwrap();
    let there = WorkspaceConnection { database: "postgres".into(), ..ws.clone() };
    let client = pg_connect(&there, pw).await.expect("the role reaches postgres");
    client.query_one("SELECT lo_create(0)", &[]).await.expect("a large object owned by the role");
    client
}

async fn role_comment(role: &str) -> Option<String> {
    sqlx::query_scalar("SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = $1")
        .bind(role)
        .fetch_one(&mut superuser().await)
        .await
        .unwrap()
}

#[test]
fn a_released_handle_never_brings_its_old_role_to_the_next_person() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let (x1, target, x2) = (unique_handle("x1"), unique_handle("target"), unique_handle("x2"));
        let cookie = app.sign_up(&format!("{x1}@example.com"), &x1, "X").await;
        let res = app.call("/sfn/change_handle", &[("handle", &x1), ("new_handle", &target)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        let old = cluster_workspace(&app, &target, &cookie, "old").await;
        let old_pw = password(&app, &target, &cookie).await;
        let inside = hold_object_in_postgres(&old, &target, &old_pw).await;

        let form = [("handle", target.as_str()), ("workspace", "old"), ("confirm", "old")];
        assert_eq!(app.call("/sfn/delete_workspace", &form, &cookie).await.status(), StatusCode::OK);
        let res = app.call("/sfn/change_handle", &[("handle", &target), ("new_handle", &x2)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        assert!(removals_settled(&app, Duration::from_secs(15)).await, "the old role's removal kept failing");
        assert!(!role_exists(&target).await, "the old role is gone, with what it owned");
        assert!(inside.query_one("SELECT 1", &[]).await.is_err(), "its session was ended");

        // The next person to take the handle gets a role of their own.
        let cookie = app.sign_up(&format!("{target}@example.com"), &target, "T").await;
        let new = cluster_workspace(&app, &target, &cookie, "new").await;
        let new_pw = password(&app, &target, &cookie).await;
        let owner: String = sqlx::query_scalar("SELECT id FROM users WHERE handle = $1")
            .bind(&target)
            .fetch_one(&app.db)
            .await
            .unwrap();
        assert_eq!(role_comment(&target).await, Some(format!("sluice owner {owner}")));
        assert!(pg_connect(&new, &new_pw).await.is_ok());
        let refused = pg_connect(&new, &old_pw).await.expect_err("the old password opens nothing");
        assert_eq!(sqlstate(&refused), "28P01", "{refused}");
    })
}

#[test]
fn a_role_made_for_someone_else_is_never_taken_over() {
    use sqlx::Executor;
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let target = unique_handle("target");
        // A role of Sluice's, bound to another person, whose removal waits.
        let mut su = superuser().await;
        let make = format!(
            "CREATE ROLE \"{target}\" LOGIN PASSWORD 'old-owners' IN ROLE sluice_workspaces;
             COMMENT ON ROLE \"{target}\" IS 'sluice owner u_somebodyelse00000000'"
        );
        su.execute(make.as_str()).await.unwrap();
        let verifier = |mut su: PgConnection, role: String| async move {
            sqlx::query_scalar::<_, String>("SELECT rolpassword FROM pg_authid WHERE rolname = $1")
                .bind(role)
                .fetch_one(&mut su)
                .await
                .unwrap()
        };
        let before = verifier(superuser().await, target.clone()).await;
        let cookie = app.sign_up(&format!("{target}@example.com"), &target, "T").await;
        let form = [("handle", target.as_str()), ("workspace", "analytics"), ("region", REGION)];
        assert_eq!(app.call("/sfn/create_workspace", &form, &cookie).await.status(), StatusCode::OK);
        waiting_on_its_cluster(&app, &target, &cookie, "analytics").await;
        assert_eq!(role_comment(&target).await.as_deref(), Some("sluice owner u_somebodyelse00000000"));
        assert!(databases_owned_by(&target).await.is_empty(), "nothing was made for the old role");
        assert_eq!(verifier(superuser().await, target.clone()).await, before, "its password was not touched");
        let canlogin: bool = sqlx::query_scalar("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1")
            .bind(&target)
            .fetch_one(&mut su)
            .await
            .unwrap();
        assert!(canlogin);
        su.execute(format!("DROP ROLE \"{target}\"").as_str()).await.unwrap();
    })
}

#[test]
fn deleting_an_account_removes_its_role_with_what_it_owned_elsewhere() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = cluster_workspace(&app, &ada, &cookie, "analytics").await;
        let pw = password(&app, &ada, &cookie).await;
        let inside = hold_object_in_postgres(&ws, &ada, &pw).await;
        let res = app.call("/sfn/delete_account", &[("handle", &ada), ("confirm", &ada)], &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
        assert!(removals_settled(&app, Duration::from_secs(15)).await, "the role's removal kept failing");
        assert!(!role_exists(&ada).await, "the role does not outlive the account");
        assert!(inside.query_one("SELECT 1", &[]).await.is_err(), "its session was ended");
        let objects: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM pg_largeobject_metadata m LEFT JOIN pg_roles r ON r.oid = m.lomowner WHERE r.oid IS NULL",
        )
        .fetch_one(&mut superuser().await)
        .await
        .unwrap();
        assert_eq!(objects, 0, "nothing is left without an owner");
    })
}

#[test]
fn a_workspace_role_cannot_open_the_clusters_own_databases() {
    run(async {
        let app = TestApp::spawn_with(with_cluster(), None).await;
        let ada = unique_handle("ada");
        let cookie = app.sign_up(&format!("{ada}@example.com"), &ada, "Ada").await;
        let ws = cluster_workspace(&app, &ada, &cookie, "analytics").await;
        let pw = password(&app, &ada, &cookie).await;
        for database in ["postgres", "template1"] {
            let there = WorkspaceConnection { database: database.into(), ..ws.clone() };
            let refused = pg_connect(&there, &pw).await.expect_err("the cluster's own database is closed");
            assert_eq!(sqlstate(&refused), "42501", "{database}: {refused}");
        }
    })
}
