//! The generated default avatar: a symmetric 5×5 pattern and a colour, both
//! derived from a hash of the user id, as SVG. Served with a strong ETag
//! and long caching: the image of an id never changes.

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The grid sits inside the circle the avatar is shown in.
const CELL: u32 = 13;
const OFFSET: u32 = 18;

/// The SVG for `user_id`.
pub fn identicon_svg(user_id: &str) -> String {
    let digest = Sha256::digest(user_id.as_bytes());
    let hue = u16::from_be_bytes([digest[0], digest[1]]) % 360;
    let mut cells = String::new();
    // 15 bits decide the left three columns; the right two mirror them.
    let bits = u32::from_be_bytes([digest[2], digest[3], digest[4], digest[5]]);
    for row in 0..5u32 {
        for col in 0..3u32 {
            if bits >> (row * 3 + col) & 1 == 1 {
                let columns: &[u32] = if col == 2 { &[2] } else { &[col, 4 - col] };
                for &x in columns {
                    cells.push_str(&format!(
                        "<rect x=\"{}\" y=\"{}\" width=\"13\" height=\"13\"/>",
                        OFFSET + x * CELL,
                        OFFSET + row * CELL
                    ));
                }
            }
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 101 101\" width=\"256\" height=\"256\">\
         <rect width=\"101\" height=\"101\" fill=\"hsl({hue} 45% 92%)\"/>\
         <g fill=\"hsl({hue} 55% 40%)\" shape-rendering=\"crispEdges\">{cells}</g></svg>"
    )
}

fn etag(body: &str) -> String {
    let digest = Sha256::digest(body.as_bytes());
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// An image whose bytes never change for its URL: a strong ETag, a 304
/// when the client has it, and a year of caching.
pub fn immutable(
    request: &HeaderMap,
    tag: &str,
    content_type: &'static str,
    csp: &'static str,
    body: impl Into<axum::body::Body>,
) -> Response {
    let cache = HeaderValue::from_static("public, max-age=31536000, immutable");
    let etag_value = HeaderValue::from_str(tag).expect("tags are hex in quotes");
    if request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag))
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag_value), (header::CACHE_CONTROL, cache)])
            .into_response();
    }
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::ETAG, etag_value),
            (header::CACHE_CONTROL, cache),
            (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /avatar/{id}.svg`
pub async fn default_avatar(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let Some(id) = file.strip_suffix(".svg").filter(|id| shared::is_prefixed_id(id, "u")) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let body = identicon_svg(id);
    let tag = etag(&body);
    // An SVG is a document: it may draw, never run anything.
    immutable(&headers, &tag, "image/svg+xml", "default-src 'none'; style-src 'unsafe-inline'", body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_id_gives_the_same_image_and_others_differ() {
        let a = identicon_svg("u_0123456789abcdefghij");
        assert_eq!(a, identicon_svg("u_0123456789abcdefghij"));
        let distinct: std::collections::HashSet<String> =
            (0..50).map(|i| identicon_svg(&format!("u_{i:020}"))).collect();
        assert!(distinct.len() >= 48, "ids give distinct images");
    }

    #[test]
    fn the_pattern_is_mirrored() {
        for i in 0..20 {
            let svg = identicon_svg(&format!("u_{i:020}"));
            for row in 0..5 {
                let y = OFFSET + row * CELL;
                for (left, right) in [(OFFSET, OFFSET + 4 * CELL), (OFFSET + CELL, OFFSET + 3 * CELL)] {
                    let l = svg.contains(&format!("x=\"{left}\" y=\"{y}\""));
                    let r = svg.contains(&format!("x=\"{right}\" y=\"{y}\""));
                    assert_eq!(l, r, "row {row} of {i}");
                }
            }
        }
    }
}
