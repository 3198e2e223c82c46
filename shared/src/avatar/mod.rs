//! Avatars: the crop a person chooses (geometry, the same in the browser
//! and in tests) and the image pipeline that turns a photo into the two
//! square PNGs Sluice shows. The browser runs the pipeline in WASM before
//! uploading; the server runs it again on whatever it receives.

mod crop;
#[cfg(feature = "image")]
mod orient;
mod path;
#[cfg(feature = "image")]
mod pipeline;
#[cfg(feature = "image")]
mod shrink;
mod url;

pub use crop::{Corner, Crop, Frame, PixelRect};
pub use path::{avatar_path, custom_avatar_path, default_avatar_path, high_density};
#[cfg(feature = "image")]
pub use pipeline::{avatar_pngs, decode, sniff, AvatarImageError, AvatarPngs, Format, MAX_SIDE};
pub use url::{AvatarUrl, AvatarUrlError};

/// The sizes Sluice stores: 256 px, and 512 px for high-density screens.
pub const SIZES: [u32; 2] = [256, 512];

/// The types a person may upload, as the message for anything else says.
pub const ALLOWED_TYPES: &str = "JPEG or PNG";
