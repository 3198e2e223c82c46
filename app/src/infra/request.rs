//! What a server function may read of the request it serves.

use axum::extract::ConnectInfo;
use http::request::Parts;
use std::net::{IpAddr, SocketAddr};

use crate::error::AppError;

pub fn parts() -> Result<Parts, AppError> {
    leptos::prelude::use_context::<Parts>().ok_or(AppError::Internal)
}

/// The client's address: the peer's, or, behind a trusted proxy, the one
/// the proxy forwarded (the server's `client_address` layer puts it in
/// place of the peer's). Sluice believes no forwarding header from anyone
/// else.
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ci| ci.0.ip())
}

/// The value of one cookie, if the request carries it.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The client's address as audit records and login requests keep it
/// (empty when unknown).
pub fn client_ip_text(parts: &Parts) -> String {
    client_ip(parts).map(|ip| ip.to_string()).unwrap_or_default()
}
