//! Starts Sluice on port 0 with a fresh data dir, and speaks to it the way
//! a browser's plain form posts do.

pub use app::infra::db::Engine;
use leptos::config::get_configuration;
use reqwest::header::{ACCEPT, CONTENT_TYPE, COOKIE, LOCATION, SET_COOKIE};
use reqwest::{redirect, Client, Response, StatusCode};
use std::net::SocketAddr;
use std::path::PathBuf;
use tempfile::TempDir;
use tokio::sync::oneshot;

mod cluster;
mod database;
mod mail;
mod process;

pub use cluster::*;
pub use database::*;
pub use mail::*;
pub use process::*;

/// One runtime for every test, as in production: Leptos's task spawner is
/// process-wide, and a runtime per test left renders waiting on a runtime
/// that another test had shut down.
static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime")
});

/// Listing the routes renders the app outside any request; done while other
/// tests' servers render pages, it left some of their pages unfinished.
/// Production lists them once before serving; so do the tests.
static ROUTES: std::sync::LazyLock<Vec<leptos_axum::AxumRouteListing>> =
    std::sync::LazyLock::new(server::router::routes);

pub fn run<F: std::future::Future>(test: F) -> F::Output {
    RUNTIME.block_on(test)
}

pub struct TestApp {
    pub base: String,
    pub dir: TempDir,
    pub db: app::infra::db::Db,
    /// The database this server uses (and a restart keeps).
    pub database: std::sync::Arc<TestDatabase>,
    client: Client,
    worker: Option<tokio::task::JoinHandle<()>>,
    /// Sluice's own PostgreSQL, when it runs (asked to stop when dropped).
    pub postgres: Option<server::local_postgres::LocalPostgres>,
    sampler: Option<tokio::task::JoinHandle<()>>,
    /// Its port, when it runs.
    pub pg_port: Option<u16>,
    _shutdown: oneshot::Sender<()>,
}

/// How a test server starts.
pub struct Options {
    /// Run the password propagation worker (as `main` does).
    pub worker: bool,
    pub propagation_delay: std::time::Duration,
    /// Let Avatar URLs reach this machine (where tests serve images from).
    pub avatar_fetch_private: bool,
    /// `/api/v0` requests per token and minute (high: tests make many).
    pub api_per_minute: i64,
    /// Sign-in links one address may ask for in 15 minutes.
    pub sign_in_per_peer: i64,
    /// Proxies whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `(domain, tenant)`: who signs up into a tenant.
    pub tenant_domains: Vec<(String, String)>,
    /// Run Sluice's own PostgreSQL, on a port of its own.
    pub postgres: bool,
    /// Its TLS (a certificate made at the first start unless set).
    pub db_tls: app::infra::settings::DbTls,
    /// A region whose workspaces go to the test cluster.
    pub cluster_region: Option<&'static str>,
    /// The limits of the roles made on the test cluster.
    pub cluster_limits: app::infra::settings::RoleLimits,
    /// The address space of each process of Sluice's own PostgreSQL (MB).
    pub postgres_process_memory_mb: Option<u64>,
    /// Sample the workspaces' usage (every 300 ms); off, tests of usage
    /// write their own figures.
    pub sample_usage: bool,
    /// Run as in production (`LEPTOS_ENV=PROD`): pages name the site's
    /// files under their release's path.
    pub production: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            worker: true,
            propagation_delay: std::time::Duration::ZERO,
            avatar_fetch_private: false,
            api_per_minute: 100_000,
            sign_in_per_peer: 30,
            trusted_proxies: Vec::new(),
            tenant_domains: Vec::new(),
            postgres: false,
            db_tls: app::infra::settings::DbTls::SelfSigned,
            cluster_region: None,
            cluster_limits: crate::harness::default_limits(),
            postgres_process_memory_mb: None,
            sample_usage: true,
            production: false,
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(w) = &self.worker {
            w.abort();
        }
        if let Some(s) = &self.sampler {
            s.abort();
        }
    }
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default(), None).await
    }

    /// Speaks to a server this suite did not start in-process (a server
    /// process listening at `base`, keeping its data in `dir`, on
    /// `database`).
    pub async fn attach(base: String, dir: TempDir, database: std::sync::Arc<TestDatabase>) -> Self {
        sqlx::any::install_default_drivers();
        let db = sqlx::AnyPool::connect(&database.url).await.expect("database");
        let (shutdown, _) = oneshot::channel();
        Self {
            base,
            dir,
            db,
            database,
            client: client(),
            worker: None,
            postgres: None,
            sampler: None,
            pg_port: None,
            _shutdown: shutdown,
        }
    }

    /// Stops this server and starts another on the same data dir, as a
    /// restart of the process would.
    pub async fn restart(mut self, options: Options) -> Self {
        if let Some(w) = self.worker.take() {
            w.abort();
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let old = std::mem::replace(&mut self.dir, dir);
        let database = self.database.clone();
        self.db.close().await;
        drop(self);
        Self::start(options, old, database).await
    }

    pub async fn spawn_with(options: Options, dir: Option<TempDir>) -> Self {
        let dir = dir.unwrap_or_else(|| tempfile::tempdir().expect("temp dir"));
        let database = fresh_database(dir.path()).await;
        Self::start(options, dir, database).await
    }

    async fn start(options: Options, dir: TempDir, database: std::sync::Arc<TestDatabase>) -> Self {
        let mut leptos = get_configuration(Some(concat!(env!("CARGO_MANIFEST_DIR"), "/../Leptos.toml")))
            .expect("Leptos.toml")
            .leptos_options;
        let listener = server::bind("127.0.0.1:0".parse().unwrap()).await.expect("bind");
        let addr: SocketAddr = listener.local_addr().unwrap();
        leptos.site_addr = addr;
        // The site's files come from the test's own directory (empty
        // unless a test writes there), never from a build's.
        leptos.site_root = dir.path().join("site").to_string_lossy().into();
        if options.production {
            leptos.env = leptos::config::Env::PROD;
        }
        let base = format!("http://{addr}");
        let mut settings = server::config::settings_for(dir.path().to_path_buf(), base.parse().unwrap());
        settings.database_url = app::infra::secret::Secret::new(database.url.clone());
        settings.propagation_delay = options.propagation_delay;
        settings.avatar_fetch_private = options.avatar_fetch_private;
        settings.api_per_minute = options.api_per_minute;
        settings.sign_in_per_peer = options.sign_in_per_peer;
        settings.trusted_proxies = options.trusted_proxies;
        settings.tenant_domains = options.tenant_domains;
        settings.db_tls = options.db_tls;
        settings.usage_interval = std::time::Duration::from_millis(if options.sample_usage { 300 } else { 86_400_000 });
        settings.cluster_limits = options.cluster_limits;
        // A test moves the clock of proofs and codes with `move_clock`.
        settings.clock = app::infra::clock::Clock::shifted_by(dir.path().join("clock"));
        if let Some(region) = options.cluster_region {
            settings.workspace_clusters = vec![test_cluster(region)];
        }
        if let Some(mb) = options.postgres_process_memory_mb {
            settings.postgres_process_memory_mb = mb;
        }
        if options.postgres {
            settings.db_listen = Some("127.0.0.1:0".parse().unwrap());
            settings.db_hostaddr = Some("127.0.0.1".parse().unwrap());
        }
        let (tx, rx) = oneshot::channel::<()>();
        let plan = server::Plan {
            worker: options.worker,
            routes: Some(ROUTES.clone()),
            ..server::Plan::new(leptos, settings, listener)
        };
        let running = server::start(plan, async {
            let _ = rx.await;
        })
        .await
        .expect("Sluice starts");
        let db = running.state.db.clone();
        let worker = running.worker;
        let sampler = running.sampler;
        let postgres = running.postgres;
        let pg_port = postgres.as_ref().map(|pg| pg.listen.port());
        let client = client();
        Self { base, dir, db, database, client, worker, postgres, sampler, pg_port, _shutdown: tx }
    }

    /// Connections to Sluice's own PostgreSQL as its administrator.
    pub async fn postgres_admin(&self) -> sqlx::PgPool {
        let pg = self.postgres.as_ref().expect("this server runs its own PostgreSQL");
        sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(pg.admin.clone()).await.unwrap()
    }

    /// A call to `/api/v0{path}` with an optional bearer token and JSON body.
    pub async fn api(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<serde_json::Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(&format!("/api/v0{path}")));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("api request")
    }

    /// Moves the clock of proofs and authenticator codes `secs` ahead of the real one.
    pub fn move_clock(&self, secs: i64) {
        std::fs::write(self.dir.path().join("clock"), secs.to_string()).unwrap();
    }

    /// Changes the database behind the server's back (to age a session, say).
    pub async fn exec(&self, sql: &str) {
        sqlx::query(sql).execute(&self.db).await.expect(sql);
    }

    /// Whether `cookie` still opens the account page of `handle`.
    pub async fn is_signed_in(&self, handle: &str, cookie: &str) -> bool {
        let status = self.get(&format!("/user/{handle}"), Some(cookie)).await.status();
        assert!(status == StatusCode::OK || status == StatusCode::FOUND, "{status}");
        status == StatusCode::OK
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> Response {
        let mut req = self.client.get(self.url(path)).header(ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.expect("GET")
    }

    /// A form post as a browser without JavaScript sends it, same-origin.
    pub async fn post_form(&self, path: &str, form: &[(&str, &str)], cookie: Option<&str>) -> Response {
        let mut req = self
            .client
            .post(self.url(path))
            .header(ACCEPT, "text/html")
            .header("sec-fetch-site", "same-origin")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(encode_form(form));
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        req.send().await.expect("POST")
    }

    /// A plain form post from the page at `from`: the browser sends that
    /// page as the Referer, and the server sends it back there.
    pub async fn post_form_from(&self, from: &str, path: &str, form: &[(&str, &str)], cookie: &str) -> Response {
        self.sfn_request(path, form, cookie)
            .header(ACCEPT, "text/html")
            .header(reqwest::header::REFERER, self.url(from))
            .send()
            .await
            .expect("POST")
    }

    /// A server-function call as the app's own script makes it (JSON back).
    pub async fn call(&self, path: &str, form: &[(&str, &str)], cookie: &str) -> Response {
        self.sfn_request(path, form, cookie).send().await.expect("POST")
    }

    fn sfn_request(&self, path: &str, form: &[(&str, &str)], cookie: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .header("sec-fetch-site", "same-origin")
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(COOKIE, cookie)
            .body(encode_form(form))
    }

    pub fn raw_client(&self) -> &Client {
        &self.client
    }

    fn outbox(&self) -> PathBuf {
        self.dir.path().join("outbox")
    }

    /// The newest message to `to` in the outbox.
    pub fn last_mail_to(&self, to: &str) -> Option<String> {
        let mut files: Vec<_> =
            std::fs::read_dir(self.outbox()).ok()?.filter_map(|e| e.ok()).map(|e| e.path()).collect();
        files.sort();
        files
            .into_iter()
            .rev()
            .map(|p| decode_quoted_printable(&std::fs::read_to_string(p).unwrap()))
            .find(|m| m.lines().any(|l| l.eq_ignore_ascii_case(&format!("To: {to}"))))
    }

    pub fn mail_count(&self) -> usize {
        std::fs::read_dir(self.outbox()).map(|d| d.count()).unwrap_or(0)
    }

    /// Asks for a link and returns the secret from the mail.
    pub async fn request_link(&self, email: &str) -> String {
        let res = self.post_form("/sfn/request_sign_in_link", &[("email", email)], None).await;
        assert_eq!(res.status(), StatusCode::FOUND, "{:?}", res.text().await);
        let mail = self.last_mail_to(email).expect("a sign-in mail");
        link_secret(&mail)
    }

    /// Presses the button on a link's page (sign-in, no sign-up fields).
    pub async fn confirm(&self, t: &str, cookie: Option<&str>) -> Response {
        self.post_form("/sfn/confirm_sign_in", &[("t", t)], cookie).await
    }

    /// The HTML of a link's page.
    pub async fn confirm_page(&self, t: &str) -> String {
        self.get(&format!("/login/confirm?t={t}"), None).await.text().await.unwrap()
    }

    /// Signs up through the mailed link; returns the session cookie pair.
    pub async fn sign_up(&self, email: &str, handle: &str, name: &str) -> String {
        let t = self.request_link(email).await;
        let res = self
            .post_form("/sfn/confirm_sign_in", &[("t", &t), ("handle", handle), ("display_name", name)], None)
            .await;
        assert_eq!(res.status(), StatusCode::FOUND);
        assert_eq!(location(&res), format!("/user/{handle}"));
        session_cookie(&res).expect("a session cookie")
    }
}

/// Signs in at `base` with the sign-in link secret `t`; answers the
/// session cookie (`name=value`).
pub async fn sign_in_with(client: &Client, base: &str, t: &str) -> String {
    let res = client
        .post(format!("{base}/sfn/confirm_sign_in"))
        .header("accept", "text/html")
        .header("sec-fetch-site", "same-origin")
        .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(format!("t={t}"))
        .send()
        .await
        .unwrap();
    session_cookie(&res).expect("signed in")
}

/// A client that sees redirects instead of following them. It lets an
/// idle connection go well before the server's 15-second header timeout
/// would, so that a slow test never sends on a connection being closed.
fn client() -> Client {
    Client::builder()
        .redirect(redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .pool_idle_timeout(std::time::Duration::from_secs(5))
        .build()
        .unwrap()
}

pub fn location(res: &Response) -> String {
    res.headers().get(LOCATION).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default()
}

/// `name=value` of the session cookie a response sets (not a clearing one).
pub fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter(|v| v.contains("sluice_session=") && !v.contains("Max-Age=0"))
        .map(|v| v.split(';').next().unwrap().to_owned())
        .next()
}

pub fn set_cookie_headers(res: &Response) -> Vec<String> {
    res.headers().get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect()
}

pub fn encode_form(form: &[(&str, &str)]) -> String {
    form.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
