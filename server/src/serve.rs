//! The HTTP listener: accepts connections within a total and a per-address
//! cap, and serves each with hyper under time limits, so that idle or slow
//! sockets cannot hold the process's descriptors or memory.
//!
//! - A connection must send a request's whole head within
//!   [`HttpLimits::header_timeout`], and, between requests on a kept-alive
//!   connection, start the next one within the same time (hyper's
//!   `header_read_timeout` runs while a connection waits for a request).
//! - A request body must keep arriving: [`HttpLimits::body_timeout`] between
//!   two pieces of it (tower-http's `RequestBodyTimeoutLayer`, in the router).
//! - At most [`HttpLimits::max_connections`] connections are served at once;
//!   further ones wait in the kernel's backlog. One address may hold at
//!   most [`HttpLimits::per_address`]; past that its new connections are
//!   closed at once. Trusted proxies carry many clients and are not capped
//!   per address.

use app::ssr::Settings;
use axum::extract::ConnectInfo;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
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
    /// process's descriptor limit (`ulimit -n`): a quarter of the
    /// descriptors stays for the database, files and the workspace endpoint.
    pub fn from_settings(settings: &Settings) -> Self {
        let fd_room = open_files_limit().map_or(usize::MAX, |n| (n as usize).saturating_mul(3) / 4);
        Self {
            max_connections: settings.http_max_connections.min(fd_room).max(1),
            per_address: settings.http_per_address,
            header_timeout: settings.http_header_timeout,
            body_timeout: settings.http_body_timeout,
            trusted_proxies: settings.trusted_proxies.clone(),
        }
    }
}

/// Raises the soft limit on open files to the hard one (the default soft
/// limit, 1024, is small for a server) and answers it.
pub fn raise_open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return None;
        }
        if limit.rlim_cur < limit.rlim_max {
            let raised = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) == 0 {
                limit = raised;
            }
        }
    }
    Some(limit.rlim_cur as u64)
}

fn open_files_limit() -> Option<u64> {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct given.
    (unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0).then_some(limit.rlim_cur as u64)
}

/// Connections open per client address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<IpAddr, usize>>);

/// One connection counted against its address; uncounted when dropped.
struct AddressSlot {
    table: Arc<PerAddress>,
    ip: IpAddr,
}

impl PerAddress {
    fn take(table: &Arc<Self>, ip: IpAddr, cap: usize) -> Option<AddressSlot> {
        let mut map = table.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = map.entry(ip).or_insert(0);
        if *open >= cap {
            return None;
        }
        *open += 1;
        Some(AddressSlot { table: table.clone(), ip })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut map = self.table.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = map.get_mut(&self.ip) {
            *open -= 1;
            if *open == 0 {
                map.remove(&self.ip);
            }
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
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let total = Arc::new(Semaphore::new(limits.max_connections));
    let per_address = Arc::new(PerAddress::default());
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = total.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
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
        let slot = if limits.trusted_proxies.iter().any(|net| net.contains(&ip)) {
            None
        } else {
            match PerAddress::take(&per_address, ip, limits.per_address) {
                Some(slot) => Some(slot),
                None => {
                    // Closed at once: its descriptor is back before the next accept.
                    drop(stream);
                    continue;
                }
            }
        };
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
            drop(slot);
            drop(permit);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back() {
        let table = Arc::new(PerAddress::default());
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        let other: IpAddr = "192.0.2.8".parse().unwrap();
        let held: Vec<_> = (0..3).map(|_| PerAddress::take(&table, ip, 3).unwrap()).collect();
        assert!(PerAddress::take(&table, ip, 3).is_none());
        assert!(PerAddress::take(&table, other, 3).is_some(), "others are not affected");
        drop(held);
        assert!(PerAddress::take(&table, ip, 3).is_some());
        assert_eq!(table.0.lock().unwrap().len(), 0, "dropped slots leave no entry behind");
    }
}
