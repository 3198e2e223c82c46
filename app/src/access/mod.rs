//! Who may do what: the signed-in person (session), the caller of the API
//! (bearer token), and the owner check every feature makes on the handle
//! in its path. Builds on `infra`; knows no feature.

#[cfg(feature = "ssr")]
pub mod bearer;
#[cfg(feature = "ssr")]
mod caller;
pub mod flash;
pub mod handover;
#[cfg(feature = "ssr")]
pub mod networks;
mod owner;
#[cfg(feature = "ssr")]
pub mod proof;
#[cfg(feature = "ssr")]
pub mod revocation;
pub mod session;

#[cfg(feature = "ssr")]
pub use caller::{Caller, Owner};
pub use owner::use_handle;
#[cfg(feature = "ssr")]
pub use owner::{owner_actor, owner_of};

/// What a query value keeps as it is: RFC 3986's unreserved characters and
/// `/` (so that `?next=/user/ada` reads as it is).
const QUERY_VALUE: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~').remove(b'/');

/// Percent-encodes a query value: the `next` of a sign-in or a proof, a
/// filter of the Audit Log.
pub fn encode_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// The `next` a sign-in (or a proof) may return to: a path on this site, nothing else.
pub fn safe_next(next: Option<&str>) -> Option<&str> {
    next.map(str::trim).filter(|n| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n.contains('\\')
            && n.len() <= 512
            && !n.chars().any(char::is_control)
    })
}

#[cfg(test)]
mod tests {
    use super::{encode_component, safe_next};

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/user/ada/advanced/profile")), Some("/user/ada/advanced/profile"));
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "evil", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }

    #[test]
    fn a_query_value_keeps_its_path_and_nothing_that_would_end_it() {
        assert_eq!(encode_component("/user/ada/advanced/credentials"), "/user/ada/advanced/credentials");
        assert_eq!(encode_component("/user/a-b_c.d~e"), "/user/a-b_c.d~e");
        // A `next` with its own query stays one value.
        assert_eq!(
            encode_component("/user/ada/activity?kind=a&x=1#top"),
            "/user/ada/activity%3Fkind%3Da%26x%3D1%23top"
        );
        assert_eq!(encode_component("a b%+é"), "a%20b%25%2B%C3%A9");
    }
}
