//! Avatars. Every account has one from the moment it exists: an image
//! generated from the user id and served by Sluice at `/avatar/{id}.svg`.
//! A person may replace it with a photo, cropped in the browser and made
//! into two PNGs (`/avatar/c/{hash}.png` and `…@2x.png`), and Reset back.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod default_picture;
mod editor;
#[cfg(feature = "ssr")]
mod form;
#[cfg(feature = "ssr")]
mod remote;
#[cfg(feature = "ssr")]
pub mod store;
mod upload;
mod url_form;

pub use editor::{crop_to_pngs, AvatarEditor};
pub use upload::{current_avatar_url, reset_avatar, upload_avatar, ResetAvatar, SetAvatarUrl, UploadAvatar};
pub use url_form::AvatarUrlForm;

pub use shared::avatar::{avatar_path, custom_avatar_path, default_avatar_path, high_density};
