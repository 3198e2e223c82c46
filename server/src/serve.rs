//! The HTTP listener: accepts connections within a total and a per-address
//! cap, and serves each with hyper under time limits, so that idle or slow
//! sockets cannot hold the process's descriptors or memory.
//!
//! - A connection must send a request's whole head within
//!   [`HttpLimits::header_timeout`], and, between requests on a kept-alive
//!   connection, start the next one within the same time (hyper's
//!   `header_read_timeout` runs while a connection waits for a request).
//! - A request body must keep arriving: [`HttpLimits::body_timeout`] between
//!   two pieces of it (tower-http's `TimeoutBody`, in the front layer).
//! - At most [`HttpLimits::max_connections`] connections are served at once;
//!   further ones wait in the kernel's backlog. One address may hold at
//!   most [`HttpLimits::per_address`]; past that its new connections are
//!   closed at once. Trusted proxies carry many clients and are not capped
//!   per address.

use crate::connections::{open_files_limit, ConnectionCaps};
use app::infra::Settings;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// The HTTP listener's limits (see the module's doc and docs/security.md).
#[derive(Debug, Clone)]
pub struct HttpLimits {
    pub max_connections: usize,
    pub per_address: usize,
    pub header_timeout: Duration,
    pub body_timeout: Duration,
    /// Not capped per address: each stands for many clients.
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

impl HttpLimits {
    /// The settings' limits, with the connection cap kept within the
    /// process's descriptor limit (`ulimit -n`): half of the descriptors;
    /// the rest stays for the database, the clusters and files.
    pub fn from_settings(settings: &Settings) -> Self {
        let fd_room = open_files_limit().map_or(usize::MAX, |n| n as usize / 2);
        Self {
            max_connections: settings.http_max_connections.min(fd_room).max(1),
            per_address: settings.http_per_address,
            header_timeout: settings.http_header_timeout,
            body_timeout: settings.http_body_timeout,
            trusted_proxies: settings.trusted_proxies.clone(),
        }
    }
}

/// Serves `app` (from [`crate::router::build`]) until `shutdown`
/// completes, then lets the requests under way finish.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: HttpLimits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // HTTP/1.1 only: browsers speak HTTP/2 over TLS, which a proxy in
    // front terminates; plain-text HTTP/2 would need limits of its own.
    let mut builder = http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
    let caps = ConnectionCaps::new(limits.max_connections, limits.per_address, limits.trusted_proxies.clone());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let room = tokio::select! {
            room = caps.room() => room,
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (or another passing fault): wait
                    // rather than spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let ip = peer.ip().to_canonical();
        // Past its address's share: closed at once, its descriptor back
        // before the next accept.
        let Some(admitted) = caps.admit(room, ip) else { continue };
        // Without TCP_NODELAY a keep-alive client waits ~40 ms per response.
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut request: axum::http::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip, peer.port())));
            request
        });
        // No upgrades: Sluice has no WebSocket routes.
        let connection = builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that goes away or times out is no error of ours.
            let _ = connection.await;
            drop(admitted);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
