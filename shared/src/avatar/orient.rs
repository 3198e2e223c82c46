//! EXIF orientation: turning a picture upright, and finding where a square
//! of the upright picture lies in the picture as stored, so that only that
//! square is ever turned.

use image::imageops;
use image::metadata::Orientation;
use image::RgbaImage;

use super::PixelRect;

/// Turns an image upright.
pub(super) fn upright(img: RgbaImage, orientation: Orientation) -> RgbaImage {
    match orientation {
        Orientation::NoTransforms => img,
        Orientation::Rotate90 => imageops::rotate90(&img),
        Orientation::Rotate180 => imageops::rotate180(&img),
        Orientation::Rotate270 => imageops::rotate270(&img),
        Orientation::FlipHorizontal => imageops::flip_horizontal(&img),
        Orientation::FlipVertical => imageops::flip_vertical(&img),
        Orientation::Rotate90FlipH => imageops::flip_horizontal(&imageops::rotate90(&img)),
        Orientation::Rotate270FlipH => imageops::flip_horizontal(&imageops::rotate270(&img)),
    }
}

/// The size of the upright picture, from the size as stored.
pub(super) fn upright_size(orientation: Orientation, (width, height): (u32, u32)) -> (u32, u32) {
    match orientation {
        Orientation::Rotate90 | Orientation::Rotate270 | Orientation::Rotate90FlipH | Orientation::Rotate270FlipH => {
            (height, width)
        }
        _ => (width, height),
    }
}

/// Where the square `r` of the upright picture lies in the stored one
/// (`stored` is the stored size). Turning that stored square upright gives
/// `r`'s pixels.
pub(super) fn stored_square(orientation: Orientation, stored: (u32, u32), r: PixelRect) -> PixelRect {
    let (w, h) = stored;
    let PixelRect { x, y, size: s } = r;
    let from_right = |v: u32| w.saturating_sub(v + s);
    let from_bottom = |v: u32| h.saturating_sub(v + s);
    let (x, y) = match orientation {
        Orientation::NoTransforms => (x, y),
        Orientation::Rotate90 => (y, from_bottom(x)),
        Orientation::Rotate180 => (from_right(x), from_bottom(y)),
        Orientation::Rotate270 => (from_right(y), x),
        Orientation::FlipHorizontal => (from_right(x), y),
        Orientation::FlipVertical => (x, from_bottom(y)),
        Orientation::Rotate90FlipH => (y, x),
        Orientation::Rotate270FlipH => (from_right(y), from_bottom(x)),
    };
    PixelRect { x, y, size: s }
}
