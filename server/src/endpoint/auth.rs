//! Who may open a workspace: SCRAM-SHA-256 against the verifier the
//! workspace holds, user = the owner's handle, database = the workspace's
//! database name. An unknown user, an unknown database and a wrong
//! password fail alike: an unknown pair is checked against a decoy
//! verifier that no password matches. Failed sign-ins are counted per
//! address and refused past a limit, and recorded in the owner's Audit
//! Log. They are not counted per user name: then anyone could lock an owner
//! out of their own workspaces with ten wrong passwords (PostgreSQL has no
//! lockout either). Each proof is counted before it is checked, and a
//! success is given back, so concurrent attempts cannot slip past the limit.

use std::sync::Arc;

use async_trait::async_trait;
use futures::Sink;
use pgwire::api::auth::sasl::scram::{ScramAuth, ScramSecret};
use pgwire::api::auth::sasl::SASLAuthStartupHandler;
use pgwire::api::auth::{AuthSource, DefaultServerParameterProvider, LoginInfo, Password, StartupHandler};
use pgwire::api::{ClientInfo, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::registry::{Refusal, PER_USER};
use super::Session;
use app::database_password::verifier::{ScramVerifier, ITERATIONS};
use app::infra::audit_trail::{self, Actor, Entry};
use app::infra::rate_limit::{self, Limit};
use app::infra::time::now_millis;

/// Failed sign-ins one address may have in 15 minutes.
const PER_PEER: Limit = Limit { max: 30, window_secs: 15 * 60 };

/// The workspace a client asked for, once found.
#[derive(Debug, Clone)]
pub struct Target {
    pub user_id: String,
    pub handle: String,
    pub workspace_id: String,
    pub workspace_handle: String,
    /// The workspace's database name, as the client asked for it.
    pub database: String,
    /// Whether the workspace held a verifier that parsed: without one,
    /// the decoy answered.
    pub verifier: bool,
}

/// Finds the verifier of (user, database).
pub struct Verifiers {
    pub session: Arc<Session>,
    /// Makes the decoy salts: stable for a name within this process, so a
    /// second try does not reveal the first was a decoy.
    pub decoy_key: Arc<[u8; 32]>,
}

impl std::fmt::Debug for Verifiers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Verifiers")
    }
}

/// The workspace a client asks for, its owner, and its verifier.
#[derive(sqlx::FromRow)]
struct TargetRow {
    user_id: String,
    handle: String,
    workspace_id: String,
    workspace_handle: String,
    scram_verifier: Option<String>,
}
impl Verifiers {
    fn decoy(&self, user: &str, database: &str) -> ScramSecret {
        let mut h = Sha256::new();
        h.update(&self.decoy_key[..]);
        h.update(user.as_bytes());
        h.update([0]);
        h.update(database.as_bytes());
        let digest = h.finalize();
        ScramSecret::Verifier {
            salt: digest[..16].to_vec(),
            iterations: ITERATIONS as usize,
            // Not a hash of anything: no proof can match it.
            stored_key: Sha256::digest(digest).to_vec(),
            server_key: digest.to_vec(),
        }
    }

    async fn lookup(&self, user: &str, database: &str) -> Result<Option<(Target, ScramVerifier)>, sqlx::Error> {
        let row: Option<TargetRow> = sqlx::query_as(
            "SELECT u.id AS user_id, u.handle, w.id AS workspace_id, w.handle AS workspace_handle, w.scram_verifier
             FROM workspaces w JOIN users u ON u.id = w.user_id
             WHERE u.handle = $1 AND w.database_name = $2",
        )
        .bind(user)
        .bind(database)
        .fetch_optional(&self.session.state.db)
        .await?;
        Ok(row.and_then(|TargetRow { user_id, handle, workspace_id, workspace_handle, scram_verifier: verifier }| {
            let parsed = verifier.as_deref().and_then(ScramVerifier::parse);
            let target = Target {
                user_id,
                handle,
                workspace_id,
                workspace_handle,
                database: database.to_owned(),
                verifier: parsed.is_some(),
            };
            // A workspace without a verifier yet cannot be opened, but its
            // owner is still told of failed attempts.
            self.session.set_target(target.clone());
            Some((target, parsed?))
        }))
    }
}

#[async_trait]
impl AuthSource for Verifiers {
    async fn get_password(&self, _login: &LoginInfo) -> PgWireResult<Password> {
        // Only SCRAM with verifiers is offered.
        Err(PgWireError::InvalidPassword(String::new()))
    }

    async fn get_scram_secret(&self, login: &LoginInfo) -> PgWireResult<(ScramSecret, Option<()>)> {
        let user = login.user().unwrap_or_default();
        let database = login.database().unwrap_or(user);
        let found = self.lookup(user, database).await.unwrap_or_else(|error| {
            tracing::error!(%error, "workspace endpoint: looking up a verifier failed");
            None
        });
        let secret = match found {
            Some((_, v)) => ScramSecret::Verifier {
                salt: v.salt,
                iterations: v.iterations as usize,
                stored_key: v.stored_key,
                server_key: v.server_key,
            },
            None => self.decoy(user, database),
        };
        Ok((secret, None))
    }
}

/// PostgreSQL's startup with SCRAM, behind the failed sign-in limits.
pub struct Gate {
    pub inner: SASLAuthStartupHandler<DefaultServerParameterProvider>,
    pub session: Arc<Session>,
    /// Whether this connection's sign-in was counted against its address.
    counted: std::sync::atomic::AtomicBool,
}

impl Gate {
    pub fn new(session: Arc<Session>, decoy_key: Arc<[u8; 32]>) -> Self {
        let mut parameters = DefaultServerParameterProvider::default();
        parameters.server_version = format!("15.0 (Sluice workspace, SQLite {})", rusqlite::version());
        let verifiers = Arc::new(Verifiers { session: session.clone(), decoy_key });
        let inner = SASLAuthStartupHandler::new(Arc::new(parameters)).with_scram(ScramAuth::new(verifiers));
        Self { inner, session, counted: Default::default() }
    }

    fn key(peer: &str) -> String {
        format!("pg-login:peer:{peer}")
    }

    async fn refused_for_now(&self, peer: &str) -> bool {
        rate_limit::exhausted(&self.session.state.db, &Self::key(peer), PER_PEER, now_millis()).await.is_err()
    }

    async fn failed(&self, user: &str, peer: &str) {
        let db = &self.session.state.db;
        // Which case it was stays out of the client's answer; the log may
        // say it (no names: the owner's Audit Log has them).
        let target = self.session.target();
        tracing::info!(
            workspace_found = target.is_some(),
            verifier = target.as_ref().is_some_and(|t| t.verifier),
            "workspace endpoint: a sign-in failed"
        );
        if let Some(target) = target {
            let actor = Actor {
                id: String::new(),
                handle: String::new(),
                display_name: "Database client".to_owned(),
                avatar_url: "/favicon.svg".to_owned(),
                ip: peer.to_owned(),
            };
            let entry = Entry {
                action_type: "workspace.login.failed",
                identity_id: &target.user_id,
                identity_handle: &target.handle,
                target_id: Some(&target.workspace_id),
                target_handle: Some(&target.workspace_handle),
                data: json!({ "workspace": target.workspace_handle, "user": user }),
            };
            audit_trail::write_refusal(db, &actor, entry).await;
        }
    }
}

fn fatal(code: &str, message: impl Into<String>) -> PgWireError {
    PgWireError::UserError(Box::new(ErrorInfo::new("FATAL".to_owned(), code.to_owned(), message.into())))
}

fn too_many() -> PgWireError {
    fatal("28000", "too many failed sign-ins from this address; try again in 15 minutes")
}

#[async_trait]
impl StartupHandler for Gate {
    async fn on_startup<C>(&self, client: &mut C, message: PgWireFrontendMessage) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: std::fmt::Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let peer = client.socket_addr().ip().to_string();
        if matches!(message, PgWireFrontendMessage::Startup(_)) && self.refused_for_now(&peer).await {
            return Err(too_many());
        }
        let password_message = matches!(message, PgWireFrontendMessage::PasswordMessageFamily(_));
        let db = &self.session.state.db;
        // SCRAM takes two messages: the first counts the attempt against
        // the address; before the second (the proof) the connection takes
        // its place among its owner's, so that a refusal comes before the
        // client is told it is in.
        let first = password_message && !self.counted.swap(true, std::sync::atomic::Ordering::SeqCst);
        if first && rate_limit::hit(db, &Self::key(&peer), PER_PEER, now_millis()).await.is_err() {
            return Err(too_many());
        }
        let place = match (password_message && !first).then(|| self.session.reserve()).flatten() {
            Some(Err(Refusal::TooMany)) => {
                let user = client.metadata().get("user").cloned().unwrap_or_default();
                return Err(fatal("53300", format!("too many connections for role \"{user}\" (at most {PER_USER})")));
            }
            Some(Err(Refusal::Deleted)) => return Err(fatal("3D000", "this workspace was deleted")),
            Some(Ok(place)) => Some(place),
            None => None,
        };
        let outcome = self.inner.on_startup(client, message).await;
        if password_message {
            let user = client.metadata().get("user").cloned().unwrap_or_default();
            match &outcome {
                Err(_) => self.failed(&user, &peer).await,
                Ok(()) if matches!(client.state(), PgWireConnectionState::ReadyForQuery) => {
                    // Only failures count against the address.
                    rate_limit::give_back(db, &Self::key(&peer), PER_PEER, now_millis()).await;
                    match place {
                        Some(place) => self.session.authenticated(place),
                        None => return Err(fatal("28000", "the sign-in could not be completed")),
                    }
                }
                Ok(()) => {}
            }
        }
        outcome
    }
}
