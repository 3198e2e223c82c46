//! Photo → avatar: sniff the type from the bytes, decode within limits,
//! turn upright by the EXIF orientation, crop to a square, resize to 256
//! and 512 pixels, and encode as PNG (which carries no metadata over).

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::FilterType;
use image::metadata::Orientation;
use image::{imageops, DynamicImage, ImageDecoder, ImageEncoder, ImageReader, Limits, RgbaImage};
use std::io::Cursor;

use super::orient::{stored_square, upright, upright_size};
use super::shrink::{box_shrink, factor};
use super::{Crop, Frame, ALLOWED_TYPES, SIZES};

/// The longest side Sluice decodes: larger than any phone's photo.
pub const MAX_SIDE: u32 = 12_000;
/// The most memory one decode may take, counted from the header before
/// anything is allocated: the decoded picture at its own depth, plus the
/// RGBA copy a grey or 16-bit picture is converted into. A 48-megapixel
/// photo fits; a 12000×12000 RGBA picture at 16 bits (1.1 GB decoded from a
/// 1 MB file) does not. The `image` crate's own `Limits::max_alloc` is not
/// applied on the `into_decoder` → `from_decoder` path, so this is counted
/// here.
pub const MAX_DECODED_BYTES: u64 = 192 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Jpeg,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AvatarImageError {
    #[error("The file is empty. Choose a {ALLOWED_TYPES} image.")]
    Empty,
    #[error("That file is not a {ALLOWED_TYPES} image. Choose a {ALLOWED_TYPES} file.")]
    NotAllowed,
    #[error("The image is {width}×{height} pixels; the most Sluice takes is {MAX_SIDE}×{MAX_SIDE}.")]
    TooLarge { width: u32, height: u32 },
    #[error("The image is {width}×{height} pixels, more than Sluice can process (at most 48 megapixels, fewer for 16-bit images). Choose a smaller image.")]
    TooManyPixels { width: u32, height: u32 },
    #[error("The image could not be read; the file may be damaged or cut short.")]
    Unreadable,
}

/// The type, from the first bytes; what the file is called does not count.
pub fn sniff(bytes: &[u8]) -> Option<Format> {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(Format::Jpeg)
    } else {
        None
    }
}

/// Whether a JPEG runs to its end-of-image marker. Decoders fill a cut-off
/// JPEG with grey rather than fail, so a truncated upload is found here:
/// walk the marker segments, then the entropy-coded data, to EOI.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let mut i = 2; // after SOI
    loop {
        // A marker: one or more 0xFF, then its code.
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&code) = bytes.get(i) else { return false };
        i += 1;
        match code {
            0xD9 => return true,            // EOI
            0x01 | 0xD0..=0xD7 => continue, // no length
            _ => {}
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize) else {
            return false;
        };
        if len < 2 {
            return false;
        }
        i += len;
        if code == 0xDA {
            // Entropy-coded data runs to the next marker that is not a
            // stuffed 0xFF00 or a restart marker.
            loop {
                match bytes.get(i..i + 2) {
                    None => return false,
                    Some([0xFF, next]) if *next != 0x00 && !(0xD0..=0xD7).contains(next) => break,
                    _ => i += 1,
                }
            }
        }
    }
}

/// The memory a JPEG decoder keeps besides the picture: a progressive
/// JPEG's scans each refine every block, so every coefficient of every
/// block (two bytes, 64 a block) of every component is kept until the
/// last scan. Read from the frame header (each component at its own
/// sampling, in whole blocks); a baseline JPEG keeps a row at a time.
fn jpeg_coefficient_bytes(bytes: &[u8]) -> u64 {
    let mut i = 2; // after SOI
    loop {
        while bytes.get(i) == Some(&0xFF) {
            i += 1;
        }
        let Some(&code) = bytes.get(i) else { return 0 };
        i += 1;
        if matches!(code, 0x01 | 0xD0..=0xD9) {
            continue;
        }
        let Some(len) = bytes.get(i..i + 2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize) else { return 0 };
        // Start of frame: 0xC0–0xCF but for DHT (C4), JPG (C8) and DAC (CC).
        let frame = (0xC0..=0xCF).contains(&code) && !matches!(code, 0xC4 | 0xC8 | 0xCC);
        if frame {
            let progressive = matches!(code, 0xC2 | 0xC6 | 0xCA | 0xCE);
            let Some(header) = bytes.get(i + 2..i + len) else { return 0 };
            return if progressive { frame_coefficients(header) } else { 0 };
        }
        if code == 0xDA || len < 2 {
            return 0;
        }
        i += len;
    }
}

/// The coefficients of every component of a frame header (precision,
/// height, width, components, then id, sampling and table of each).
fn frame_coefficients(header: &[u8]) -> u64 {
    let (Some(&[hi, hl, wi, wl]), Some(&n)) = (header.get(1..5).and_then(|s| s.first_chunk::<4>()), header.get(5))
    else {
        return 0;
    };
    let (height, width) = (u64::from(u16::from_be_bytes([hi, hl])), u64::from(u16::from_be_bytes([wi, wl])));
    let sampling: Vec<(u64, u64)> = (0..usize::from(n))
        .filter_map(|c| header.get(7 + 3 * c).map(|s| (u64::from(s >> 4).max(1), u64::from(s & 15).max(1))))
        .collect();
    let h_max = sampling.iter().map(|s| s.0).max().unwrap_or(1);
    let v_max = sampling.iter().map(|s| s.1).max().unwrap_or(1);
    let blocks = |side: u64, factor: u64, max: u64| (side * factor).div_ceil(max).div_ceil(8);
    sampling.iter().map(|&(h, v)| blocks(width, h, h_max) * blocks(height, v, v_max) * 64 * 2).sum()
}

/// Decodes a JPEG or PNG as stored, with the EXIF orientation that says
/// how to turn it upright.
fn decode_stored(bytes: &[u8]) -> Result<(DynamicImage, Orientation), AvatarImageError> {
    if bytes.is_empty() {
        return Err(AvatarImageError::Empty);
    }
    let format = sniff(bytes).ok_or(AvatarImageError::NotAllowed)?;
    if format == Format::Jpeg && !jpeg_is_complete(bytes) {
        return Err(AvatarImageError::Unreadable);
    }
    let image_format = match format {
        Format::Png => image::ImageFormat::Png,
        Format::Jpeg => image::ImageFormat::Jpeg,
    };
    // The header alone says how big the image would be: refuse a bomb
    // before anything is allocated for it.
    let (width, height) = ImageReader::with_format(Cursor::new(bytes), image_format)
        .into_dimensions()
        .map_err(|_| AvatarImageError::Unreadable)?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(AvatarImageError::TooLarge { width, height });
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(image_format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_DECODED_BYTES);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|_| AvatarImageError::Unreadable)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(AvatarImageError::TooLarge { width, height });
    }
    if width == 0 || height == 0 {
        return Err(AvatarImageError::Unreadable);
    }
    let coefficients = if format == Format::Jpeg { jpeg_coefficient_bytes(bytes) } else { 0 };
    if decoded_bytes(width, height, decoder.color_type()) + coefficients > MAX_DECODED_BYTES {
        return Err(AvatarImageError::TooManyPixels { width, height });
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| match e {
        image::ImageError::Limits(_) => AvatarImageError::TooLarge { width, height },
        _ => AvatarImageError::Unreadable,
    })?;
    Ok((image, orientation))
}

/// What decoding a `width`×`height` picture of `color` takes: the picture
/// itself, and an RGBA8 copy unless it is already 8-bit RGB or RGBA (see
/// [`avatar_pngs`], which converts other kinds whole).
fn decoded_bytes(width: u32, height: u32, color: image::ColorType) -> u64 {
    let pixels = u64::from(width) * u64::from(height);
    let own = pixels * u64::from(color.bytes_per_pixel());
    let copy = match color {
        image::ColorType::Rgb8 | image::ColorType::Rgba8 => 0,
        _ => pixels * 4,
    };
    own + copy
}

/// Decodes a JPEG or PNG into RGBA8, upright.
pub fn decode(bytes: &[u8]) -> Result<RgbaImage, AvatarImageError> {
    let (image, orientation) = decode_stored(bytes)?;
    Ok(upright(image.into_rgba8(), orientation))
}

/// The two PNGs of an avatar: 256 and 512 pixels square.
#[derive(Debug, Clone)]
pub struct AvatarPngs {
    pub small: Vec<u8>,
    pub large: Vec<u8>,
}

fn encode_png(rgba: &RgbaImage) -> Vec<u8> {
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(rgba, rgba.width(), rgba.height(), image::ExtendedColorType::Rgba8)
        .expect("encoding an RGBA buffer into memory cannot fail");
    out
}

/// Decodes, crops (`None`: the largest centred square), resizes and
/// encodes. A crop outside the upright image is moved inside it.
pub fn avatar_pngs(bytes: &[u8], crop: Option<Crop>) -> Result<AvatarPngs, AvatarImageError> {
    let (image, orientation) = decode_stored(bytes)?;
    let stored = (image.width(), image.height());
    // The crop is chosen on the upright picture; only that square of the
    // stored one is read, shrunk and then turned.
    let (width, height) = upright_size(orientation, stored);
    let frame = Frame::new(width as f64, height as f64);
    let square = crop.unwrap_or_else(|| Crop::centred(frame)).pixels(frame);
    let square = stored_square(orientation, stored, square);
    let [small, large] = SIZES;
    let k = factor(square.size, large);
    let shrunk = match image {
        DynamicImage::ImageRgb8(rgb) => box_shrink::<3>(rgb.as_raw(), rgb.width(), square, k),
        DynamicImage::ImageRgba8(rgba) => box_shrink::<4>(rgba.as_raw(), rgba.width(), square, k),
        // Grey and 16-bit pictures are rare: convert them whole.
        other => {
            let rgba = other.into_rgba8();
            box_shrink::<4>(rgba.as_raw(), rgba.width(), square, k)
        }
    };
    let shrunk = upright(shrunk, orientation);
    let large_img =
        if shrunk.width() == large { shrunk } else { imageops::resize(&shrunk, large, large, FilterType::CatmullRom) };
    let small_img = imageops::resize(&large_img, small, small, FilterType::CatmullRom);
    Ok(AvatarPngs { small: encode_png(&small_img), large: encode_png(&large_img) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A 40×20 landscape: the left half red, the right half blue, with a
    /// green square in the top-left corner to tell the orientation.
    fn marked() -> RgbImage {
        RgbImage::from_fn(40, 20, |x, y| {
            if x < 6 && y < 6 {
                Rgb([0, 255, 0])
            } else if x < 20 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        })
    }

    fn jpeg(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95).encode_image(img).unwrap();
        out
    }

    fn png(img: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        DynamicImage::ImageRgb8(img.clone()).write_to(&mut Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
        out
    }

    /// A JPEG with an EXIF APP1 segment holding only `orientation`.
    fn with_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
        let mut tiff = Vec::new();
        tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08"); // big-endian, IFD at 8
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes()); // count
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes()); // no next IFD
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let mut out = jpeg[..2].to_vec(); // SOI
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&((app1.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    /// The inverse of what orientation `o` asks a viewer to do.
    fn stored_as(img: &RgbImage, o: u16) -> RgbImage {
        use image::imageops::*;
        match o {
            1 => img.clone(),
            2 => flip_horizontal(img),
            3 => rotate180(img),
            4 => flip_vertical(img),
            5 => rotate90(&flip_vertical(img)), // transpose
            6 => rotate270(img),
            7 => rotate270(&flip_vertical(img)), // transverse
            8 => rotate90(img),
            _ => unreachable!(),
        }
    }

    fn near(a: &[u8], b: [u8; 3]) -> bool {
        a.iter().zip(b).all(|(x, y)| x.abs_diff(y) < 60)
    }

    #[test]
    fn every_exif_orientation_ends_upright() {
        for o in 1..=8u16 {
            let bytes = with_orientation(&jpeg(&stored_as(&marked(), o)), o);
            let img = decode(&bytes).unwrap();
            assert_eq!(img.dimensions(), (40, 20), "orientation {o}");
            assert!(near(&img.get_pixel(2, 2).0, [0, 255, 0]), "orientation {o}: {:?}", img.get_pixel(2, 2));
            assert!(near(&img.get_pixel(10, 15).0, [255, 0, 0]), "orientation {o}");
            assert!(near(&img.get_pixel(35, 10).0, [0, 0, 255]), "orientation {o}");
        }
    }

    #[test]
    fn the_output_is_two_square_pngs_of_256_and_512() {
        for bytes in [jpeg(&marked()), png(&marked())] {
            let out = avatar_pngs(&bytes, None).unwrap();
            for (png, side) in [(&out.small, 256), (&out.large, 512)] {
                assert_eq!(sniff(png), Some(Format::Png));
                let img = image::load_from_memory(png).unwrap();
                assert_eq!((img.width(), img.height()), (side, side));
            }
            // The centred square of the 40×20 image is x 10..30: half red, half blue.
            let img = image::load_from_memory(&out.large).unwrap().to_rgb8();
            assert!(near(&img.get_pixel(100, 256).0, [255, 0, 0]));
            assert!(near(&img.get_pixel(400, 256).0, [0, 0, 255]));
        }
    }

    #[test]
    fn a_crop_picks_the_region() {
        // The right half of the 40×20 image: all blue.
        let crop = Crop { x: 20.0, y: 0.0, size: 20.0 };
        let out = avatar_pngs(&png(&marked()), Some(crop)).unwrap();
        let img = image::load_from_memory(&out.small).unwrap().to_rgb8();
        for (x, y) in [(10, 10), (128, 128), (245, 245)] {
            assert!(near(&img.get_pixel(x, y).0, [0, 0, 255]), "{x},{y}");
        }
    }

    /// 256×192 in 64 px tiles, each its own colour.
    fn tiles() -> RgbImage {
        RgbImage::from_fn(256, 192, |x, y| Rgb(TILE_COLOURS[(y / 64 * 4 + x / 64) as usize]))
    }

    const TILE_COLOURS: [[u8; 3]; 12] = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [255, 255, 0],
        [255, 0, 255],
        [0, 255, 255],
        [255, 255, 255],
        [0, 0, 0],
        [128, 0, 0],
        [0, 128, 0],
        [0, 0, 128],
        [128, 128, 128],
    ];

    #[test]
    fn a_crop_of_a_turned_photo_is_taken_from_the_upright_picture() {
        // Two upright squares of 128 px: at 0,0 (tiles 0, 1, 4, 5) and at
        // 128,64 (tiles 6, 7, 10, 11); between them every mapping differs
        // from its mirror image.
        let cases = [
            (Crop { x: 0.0, y: 0.0, size: 128.0 }, [0, 1, 4, 5]),
            (Crop { x: 128.0, y: 64.0, size: 128.0 }, [6, 7, 10, 11]),
        ];
        for o in 1..=8u16 {
            let bytes = with_orientation(&jpeg(&stored_as(&tiles(), o)), o);
            for (crop, want) in cases {
                let out = avatar_pngs(&bytes, Some(crop)).unwrap();
                let img = image::load_from_memory(&out.small).unwrap().to_rgb8();
                for ((x, y), tile) in [(64, 64), (192, 64), (64, 192), (192, 192)].into_iter().zip(want) {
                    assert!(
                        near(&img.get_pixel(x, y).0, TILE_COLOURS[tile]),
                        "orientation {o}, {crop:?}: at {x},{y} {:?}, want tile {tile}",
                        img.get_pixel(x, y)
                    );
                }
            }
        }
    }

    #[test]
    fn bad_input_is_named() {
        assert_eq!(decode(b"").unwrap_err(), AvatarImageError::Empty);
        assert_eq!(decode(b"GIF89a....").unwrap_err(), AvatarImageError::NotAllowed);
        assert_eq!(decode(b"<svg xmlns=").unwrap_err(), AvatarImageError::NotAllowed);
        let whole = jpeg(&marked());
        assert!(jpeg_is_complete(&whole));
        for cut in [whole.len() / 3, whole.len() / 2, whole.len() - 2] {
            assert_eq!(decode(&whole[..cut]).unwrap_err(), AvatarImageError::Unreadable, "cut at {cut}");
        }
        // Trailing bytes after the end (some cameras add them) are fine.
        let mut trailed = whole.clone();
        trailed.extend_from_slice(b"trailer data");
        assert!(decode(&trailed).is_ok());
        assert!(AvatarImageError::NotAllowed.to_string().contains("JPEG or PNG"));
    }

    #[test]
    fn a_decompression_bomb_is_refused_before_decoding() {
        let bomb = include_bytes!("../../../fixtures/png-bomb-20000x20000.png");
        assert_eq!(decode(bomb).unwrap_err(), AvatarImageError::TooLarge { width: 20_000, height: 20_000 });
    }

    #[test]
    fn a_picture_within_the_sides_but_too_deep_is_refused_before_decoding() {
        // 1.1 MB that would decode to 1.1 GB, and convert to 576 MB more.
        let bomb = include_bytes!("../../../fixtures/png-rgba16-12000x12000.png");
        assert_eq!(decode(bomb).unwrap_err(), AvatarImageError::TooManyPixels { width: 12_000, height: 12_000 });
        assert_eq!(
            avatar_pngs(bomb, None).unwrap_err(),
            AvatarImageError::TooManyPixels { width: 12_000, height: 12_000 }
        );
    }

    #[test]
    fn a_progressive_frame_counts_every_coefficient_of_every_component() {
        // 6900×6900, three components at 4:2:0: 863² luma blocks and 432²
        // of each chroma, 128 bytes a block.
        let header = [8, 0x1A, 0xF4, 0x1A, 0xF4, 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1];
        assert_eq!(frame_coefficients(&header), (863 * 863 + 2 * 432 * 432) * 128);
        // Cut short: nothing is counted rather than a panic.
        assert_eq!(frame_coefficients(&header[..4]), 0);
        assert_eq!(jpeg_coefficient_bytes(&[0xFF, 0xD8, 0xFF]), 0);
    }

    #[test]
    fn the_budget_counts_depth_and_the_conversion() {
        use image::ColorType::*;
        // A 48-megapixel phone photo (8000×6000) fits at 8 bits.
        assert!(decoded_bytes(8000, 6000, Rgb8) <= MAX_DECODED_BYTES);
        assert!(decoded_bytes(8000, 6000, Rgba8) <= MAX_DECODED_BYTES);
        // 16-bit and grey pictures also need their RGBA copy.
        assert_eq!(decoded_bytes(10, 10, Rgba16), 10 * 10 * 8 + 10 * 10 * 4);
        assert_eq!(decoded_bytes(10, 10, L8), 10 * 10 + 10 * 10 * 4);
        assert!(decoded_bytes(8000, 6000, Rgba16) > MAX_DECODED_BYTES);
    }
}
