//! The first, big step down from a photo to an avatar: average each k×k
//! block of the chosen square into one pixel. It reads the decoded photo
//! in place (no copy of the whole picture, no conversion of pixels outside
//! the square) and is an area filter, so nothing aliases; the last small
//! step to the exact size is left to a finer filter.

use image::RgbaImage;

use super::PixelRect;

/// The block size that takes a square of `size` pixels down to at least
/// `target` (and less than twice it).
pub(super) fn factor(size: u32, target: u32) -> u32 {
    (size / target.max(1)).max(1)
}

/// Averages each `k`×`k` block of the square `r` of an 8-bit buffer with
/// `C` channels (3: RGB, 4: RGBA) and `width` pixels per row into one RGBA
/// pixel. Pixels past the last whole block (fewer than `k`) are left out.
pub(super) fn box_shrink<const C: usize>(src: &[u8], width: u32, r: PixelRect, k: u32) -> RgbaImage {
    let k = k.clamp(1, r.size.max(1));
    let n = (r.size / k) as usize;
    let k = k as usize;
    let stride = width as usize * C;
    let area = (k * k) as u32;
    let mut sums = vec![0u32; n * 4];
    let mut out = Vec::with_capacity(n * n * 4);
    for oy in 0..n {
        sums.fill(0);
        for dy in 0..k {
            let start = (r.y as usize + oy * k + dy) * stride + r.x as usize * C;
            let line = &src[start..start + n * k * C];
            for (sum, block) in sums.chunks_exact_mut(4).zip(line.chunks_exact(k * C)) {
                for px in block.chunks_exact(C) {
                    sum[0] += px[0] as u32;
                    sum[1] += px[1] as u32;
                    sum[2] += px[2] as u32;
                    sum[3] += if C == 4 { px[3] as u32 } else { 255 };
                }
            }
        }
        out.extend(sums.iter().map(|&v| ((v + area / 2) / area) as u8));
    }
    RgbaImage::from_raw(n as u32, n as u32, out).expect("n×n RGBA pixels were written")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_keeps_at_least_the_target() {
        assert_eq!(factor(2500, 512), 4); // 625 px
        assert_eq!(factor(1023, 512), 1);
        assert_eq!(factor(1024, 512), 2);
        assert_eq!(factor(300, 512), 1);
        assert_eq!(factor(12_000, 512), 23);
    }

    #[test]
    fn blocks_are_averaged_inside_the_square_only() {
        // 6×4 RGB: column c has red = 10·c, green = row·20; blue 7.
        let (w, h) = (6u32, 4u32);
        let mut src = Vec::new();
        for y in 0..h {
            for x in 0..w {
                src.extend_from_slice(&[(10 * x) as u8, (20 * y) as u8, 7]);
            }
        }
        // The 4×4 square at x 1: blocks of 2.
        let out = box_shrink::<3>(&src, w, PixelRect { x: 1, y: 0, size: 4 }, 2);
        assert_eq!(out.dimensions(), (2, 2));
        assert_eq!(out.get_pixel(0, 0).0, [15, 10, 7, 255]); // x 1,2 · y 0,1
        assert_eq!(out.get_pixel(1, 0).0, [35, 10, 7, 255]); // x 3,4
        assert_eq!(out.get_pixel(0, 1).0, [15, 50, 7, 255]); // y 2,3
    }

    #[test]
    fn alpha_is_averaged_too() {
        let src = [0, 0, 0, 0, 200, 200, 200, 255, 0, 0, 0, 0, 200, 200, 200, 255];
        let out = box_shrink::<4>(&src, 2, PixelRect { x: 0, y: 0, size: 2 }, 2);
        assert_eq!(out.get_pixel(0, 0).0, [100, 100, 100, 128]);
    }
}
