//! Who may do what: the signed-in person (session), the caller of the API
//! (bearer token), and the owner check every feature makes on the handle
//! in its path. Builds on `infra`; knows no feature.

#[cfg(feature = "ssr")]
pub mod bearer;
#[cfg(feature = "ssr")]
mod caller;
pub mod flash;
pub mod handover;
mod owner;
#[cfg(feature = "ssr")]
pub mod proof;
pub mod session;

#[cfg(feature = "ssr")]
pub use caller::{Caller, Owner};
pub use owner::use_handle;
#[cfg(feature = "ssr")]
pub use owner::{owner_actor, owner_of};

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
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/user/ada/advanced/profile")), Some("/user/ada/advanced/profile"));
        for bad in ["https://evil.example", "//evil.example", "/\\evil.example", "evil", "/a\nb"] {
            assert_eq!(safe_next(Some(bad)), None, "{bad}");
        }
        assert_eq!(safe_next(None), None);
    }
}
