//! The database of each test server: a SQLite file in its data dir, or a
//! PostgreSQL database of its own when the suite runs on PostgreSQL.

#[allow(unused_imports)]
use super::*;

/// The variable that runs the suite on PostgreSQL: a URL of a role that
/// may create databases. Each server then gets a database of its own;
/// unset, each gets a SQLite file in its data dir.
pub const POSTGRES_VAR: &str = "SLUICE_TEST_POSTGRES_URL";

/// The engine this run of the suite uses.
pub fn engine() -> Engine {
    match std::env::var(POSTGRES_VAR) {
        Ok(url) if !url.is_empty() => Engine::Postgres,
        _ => Engine::Sqlite,
    }
}

/// A database of the suite's own: a SQLite file in a server's data dir
/// (gone with the dir), or a PostgreSQL database, dropped when the last
/// server using it is.
pub struct TestDatabase {
    pub url: String,
    postgres_name: Option<String>,
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        use sqlx::{Connection, Executor};
        let Some(name) = self.postgres_name.take() else { return };
        let admin = std::env::var(POSTGRES_VAR).unwrap();
        // A thread and a runtime of its own: this may run on the suite's.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let mut conn = sqlx::PgConnection::connect(&admin).await?;
                conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
                conn.close().await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("a test database was not dropped: {dropped:?}");
        }
    }
}

/// A new, empty database for a server whose data dir is `dir`.
pub async fn fresh_database(dir: &std::path::Path) -> std::sync::Arc<TestDatabase> {
    use sqlx::{Connection, Executor};
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let database = match engine() {
        Engine::Sqlite => {
            TestDatabase { url: format!("sqlite://{}", dir.join("sluice.db").display()), postgres_name: None }
        }
        Engine::Postgres => {
            let admin = std::env::var(POSTGRES_VAR).unwrap();
            let name = format!(
                "sluice_test_{}_{}",
                std::process::id(),
                NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            );
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .unwrap_or_else(|e| panic!("{POSTGRES_VAR}: cannot connect: {e}"));
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("CREATE DATABASE");
            conn.close().await.ok();
            let mut url = url::Url::parse(&admin).expect(POSTGRES_VAR);
            url.set_path(&name);
            TestDatabase { url: url.to_string(), postgres_name: Some(name) }
        }
    };
    std::sync::Arc::new(database)
}
