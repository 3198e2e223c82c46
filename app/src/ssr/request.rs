//! What a server function may read of the request it serves.

use axum::extract::ConnectInfo;
use http::request::Parts;
use std::net::{IpAddr, SocketAddr};

use crate::error::AppError;

pub fn parts() -> Result<Parts, AppError> {
    leptos::prelude::use_context::<Parts>().ok_or(AppError::Internal)
}

/// The peer address. Sluice trusts no forwarding header by default: a
/// proxy in front must be configured to be believed (not yet offered).
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ci| ci.0.ip())
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
