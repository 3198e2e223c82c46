//! The client's address behind a load balancer: a request from a trusted
//! proxy (`SLUICE_TRUSTED_PROXIES`) is taken to come from the address its
//! `X-Forwarded-For` names, so that rate limits, the Audit Log and CLI
//! login requests see people rather than the proxy. Nobody else's header
//! is believed.

use app::infra::AppState;
use axum::extract::{ConnectInfo, Request};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// Replaces the peer address with the forwarded client's when the peer is
/// a trusted proxy.
pub fn client_address(state: &AppState, request: &mut Request) {
    let trusted = &state.settings.trusted_proxies;
    if !trusted.is_empty() {
        if let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
            let forwarded = request.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok());
            let client = forwarded_client(peer.ip(), forwarded, trusted);
            request.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, 0)));
        }
    }
}

/// The client behind `peer`: when `peer` is trusted, the `X-Forwarded-For`
/// hops are read from the right (the nearest first), passing over trusted
/// proxies; the first other address is the client. An entry that is not
/// an address stops the walk at the last address believed.
pub fn forwarded_client<'a>(peer: IpAddr, headers: impl Iterator<Item = &'a str>, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|net| net.contains(&ip));
    if !is_trusted(peer) {
        return peer;
    }
    let hops: Vec<&str> = headers.flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    client
}

/// `10.0.0.0/8,192.0.2.7`: networks or single addresses.
pub fn parse_trusted(raw: &str) -> Result<Vec<IpNet>, String> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            entry
                .parse::<IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("expected addresses or networks such as 10.0.0.0/8, got {entry:?}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_peer_is_believed() {
        let trusted = parse_trusted("10.0.0.0/8, 192.0.2.7").unwrap();
        let xff = |v: &'static str| std::iter::once(v);
        // An untrusted peer: its header is ignored.
        assert_eq!(forwarded_client(ip("198.51.100.9"), xff("203.0.113.1"), &trusted), ip("198.51.100.9"));
        // A trusted one: the address it forwarded.
        assert_eq!(forwarded_client(ip("192.0.2.7"), xff("203.0.113.1"), &trusted), ip("203.0.113.1"));
        // A client's own X-Forwarded-For is passed over: the nearest untrusted hop counts.
        assert_eq!(
            forwarded_client(ip("10.1.2.3"), xff("6.6.6.6, 203.0.113.1, 10.0.0.5"), &trusted),
            ip("203.0.113.1")
        );
        // Several headers are one list.
        let two = ["6.6.6.6", "203.0.113.1"].into_iter();
        assert_eq!(forwarded_client(ip("10.1.2.3"), two, &trusted), ip("203.0.113.1"));
        // Garbage stops the walk at the last address believed.
        assert_eq!(forwarded_client(ip("10.1.2.3"), xff("203.0.113.1, junk"), &trusted), ip("10.1.2.3"));
        // No header: the proxy itself.
        assert_eq!(forwarded_client(ip("10.1.2.3"), std::iter::empty(), &trusted), ip("10.1.2.3"));
        assert_eq!(forwarded_client(ip("10.1.2.3"), xff("2001:db8::1"), &trusted), ip("2001:db8::1"));
    }

    #[test]
    fn the_setting_takes_networks_and_addresses() {
        assert_eq!(parse_trusted("127.0.0.1").unwrap(), vec!["127.0.0.1/32".parse::<IpNet>().unwrap()]);
        assert_eq!(parse_trusted("10.0.0.0/8,::1").unwrap().len(), 2);
        assert!(parse_trusted("10.0.0.0/33").is_err());
        assert!(parse_trusted("proxy.internal").is_err());
    }
}
