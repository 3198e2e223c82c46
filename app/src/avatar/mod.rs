//! Avatars. Every account has one from the moment it exists: an image
//! generated from the user id and served by Sluice at `/avatar/{id}.svg`.

#[cfg(feature = "ssr")]
pub mod ssr;

/// Where the generated default avatar of `user_id` is served.
pub fn default_avatar_path(user_id: &str) -> String {
    format!("/avatar/{user_id}.svg")
}
