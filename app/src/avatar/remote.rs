//! Fetching an Avatar URL, once, on the server, guarded: only http(s), only
//! public addresses (no loopback, private, link-local… — a URL must not
//! reach inside Sluice's network), the address checked is the address
//! connected to, no redirects, a time limit and a size cap.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use shared::avatar::AvatarUrl;

use super::store::MAX_UPLOAD;
use crate::error::AppError;

const TIMEOUT: Duration = Duration::from_secs(10);

fn unreachable() -> AppError {
    AppError::invalid(
        "Sluice could not fetch an image from that address. Check it opens in a browser, or upload the image instead.",
    )
}

/// Whether `ip` is on the public internet. IPv6 forms that carry an IPv4
/// address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`, 6to4
/// `2002:ab:cd::`) are judged by that address. Otherwise IPv6 must be global
/// unicast (`2000::/3`) outside the special blocks in it; everything else
/// (NAT64 `64:ff9b::/96`, site-local `fec0::/10`, unique and link local…)
/// is refused. IPv4 is refused in every block IANA lists as special-purpose
/// and not globally reachable.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            let s = v6.segments();
            if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) && !(s[5] == 0 && s[6] == 0) {
                // Mapped, or compatible (but not :: and ::1, which are not IPv4).
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            if s[0] == 0x2002 {
                let [a, b] = s[1].to_be_bytes();
                let [c, d] = s[2].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            let global_unicast = (s[0] & 0xe000) == 0x2000;
            // IETF protocol assignments (Teredo, benchmarking, ORCHID…) and
            // documentation (2001:db8::/32, 3fff::/20).
            let special = s[0] == 0x2001 && (s[1] < 0x0200 || s[1] == 0x0db8);
            let documentation = (s[0] & 0xfff0) == 0x3ff0;
            global_unicast && !special && !documentation
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, c, _] = v4.octets();
    !(v4.is_loopback()
        || v4.is_private()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 192 && b == 88 && c == 99) // 6to4 relay anycast
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240)
}

/// The bytes at `url`. `allow_private` is for tests that serve the image
/// from this machine.
pub async fn fetch(url: &AvatarUrl, allow_private: bool) -> Result<Vec<u8>, AppError> {
    let parsed = url::Url::parse(url.as_str()).map_err(|_| AppError::invalid("That is not a web address."))?;
    let host = parsed.host_str().ok_or_else(unreachable)?.to_owned();
    let port = parsed.port_or_known_default().ok_or_else(unreachable)?;
    let lookup_host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let addrs: Vec<SocketAddr> = tokio::time::timeout(TIMEOUT, tokio::net::lookup_host((lookup_host.as_str(), port)))
        .await
        .map_err(|_| unreachable())?
        .map_err(|_| unreachable())?
        .collect();
    let addr = *addrs.first().ok_or_else(unreachable)?;
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(AppError::invalid("That address points inside a private network. Use a public image address."));
    }
    let client = reqwest::Client::builder()
        // HTTP(S)_PROXY would send the request somewhere other than the
        // address that was checked.
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        // Connect to the address that was checked, not to a second lookup.
        .resolve(&lookup_host, addr)
        .build()
        .map_err(|_| AppError::Internal)?;
    let mut response = client.get(parsed).send().await.map_err(|_| unreachable())?;
    if !response.status().is_success() {
        return Err(unreachable());
    }
    if response.content_length().is_some_and(|n| n as usize > MAX_UPLOAD) {
        return Err(AppError::invalid("The image at that address is larger than 16 MB."));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|_| unreachable())? {
        if bytes.len() + chunk.len() > MAX_UPLOAD {
            return Err(AppError::invalid("The image at that address is larger than 16 MB."));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            // IPv4-compatible, NAT64, site-local, IETF protocol assignments.
            "::127.0.0.1",
            "::10.0.0.1",
            "::169.254.169.254",
            "64:ff9b::7f00:1",
            "64:ff9b::a00:1",
            "64:ff9b:1::1",
            "fec0::1",
            "feff::1",
            "192.0.0.1",
            "192.0.0.170",
            // 6to4 of private addresses, Teredo, documentation, discard, ORCHID.
            "2002:7f00:1::",
            "2002:a00:1::1",
            "2001::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "2001:10::1",
            "2001:20::1",
            "192.88.99.1",
            "198.18.0.1",
            "240.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:1.1.1.1",
            "2002:101:101::1",
            "2a00:1450:4001::1",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }
}
