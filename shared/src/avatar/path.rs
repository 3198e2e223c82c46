//! Where an avatar is served: the same paths on the server, in the pages
//! and in the audit trail.

/// Where the generated default avatar of `user_id` is served.
pub fn default_avatar_path(user_id: &str) -> String {
    format!("/avatar/{user_id}.svg")
}

/// A custom avatar: 256 px, or 512 px for high-density screens.
pub fn custom_avatar_path(hash: &str, large: bool) -> String {
    format!("/avatar/c/{hash}{}.png", if large { "@2x" } else { "" })
}

/// The avatar a person shows: their custom one if they have one.
pub fn avatar_path(user_id: &str, custom_hash: Option<&str>) -> String {
    match custom_hash {
        Some(hash) => custom_avatar_path(hash, false),
        None => default_avatar_path(user_id),
    }
}

/// The 2× source for `path`, when there is one (the SVG scales itself).
pub fn high_density(path: &str) -> Option<String> {
    path.strip_suffix(".png").map(|p| format!("{p}@2x.png 2x"))
}
