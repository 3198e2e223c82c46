//! The square crop box, in the pixels of the upright image: moved by
//! dragging or the arrow keys, resized from a corner, zoomed with the
//! slider or the wheel; always inside the image and never smaller than
//! `MIN_SIZE` (or the image, if it is smaller still).

/// The image the crop is on, in pixels, upright.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub width: f64,
    pub height: f64,
}

impl Frame {
    pub fn new(width: f64, height: f64) -> Self {
        Self { width: width.max(1.0), height: height.max(1.0) }
    }

    /// The largest square that fits.
    pub fn max_size(&self) -> f64 {
        self.width.min(self.height)
    }

    /// The smallest square a crop may be.
    pub fn min_size(&self) -> f64 {
        Crop::MIN_SIZE.min(self.max_size())
    }

    /// The highest zoom: the smallest square filling the view.
    pub fn max_zoom(&self) -> f64 {
        self.max_size() / self.min_size()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// A square: its top-left corner and its side, in image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crop {
    pub x: f64,
    pub y: f64,
    pub size: f64,
}

/// A crop in whole pixels, ready for the image pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PixelRect {
    pub x: u32,
    pub y: u32,
    pub size: u32,
}

impl Crop {
    /// Below this many pixels an avatar is mostly blur.
    pub const MIN_SIZE: f64 = 64.0;
    /// An arrow key moves the box by this share of its side (Shift: 4×).
    pub const KEY_STEP: f64 = 0.05;

    /// The largest square, centred: what the server does without a crop.
    pub fn centred(frame: Frame) -> Self {
        let size = frame.max_size();
        Self { x: (frame.width - size) / 2.0, y: (frame.height - size) / 2.0, size }
    }

    /// The same box moved and shrunk until it fits `frame`.
    pub fn clamped(self, frame: Frame) -> Self {
        let size =
            if self.size.is_finite() { self.size.clamp(frame.min_size(), frame.max_size()) } else { frame.max_size() };
        let fix = |v: f64, room: f64| if v.is_finite() { v.clamp(0.0, room) } else { 0.0 };
        Self { x: fix(self.x, frame.width - size), y: fix(self.y, frame.height - size), size }
    }

    pub fn moved(self, dx: f64, dy: f64, frame: Frame) -> Self {
        Self { x: self.x + dx, y: self.y + dy, ..self }.clamped(frame)
    }

    /// 1 when the box is the largest square; `max_zoom` at the smallest.
    pub fn zoom(&self, frame: Frame) -> f64 {
        frame.max_size() / self.size
    }

    /// Zooms to `zoom`, keeping the centre where it is (as far as the
    /// image allows).
    pub fn zoomed(self, zoom: f64, frame: Frame) -> Self {
        let zoom = if zoom.is_finite() { zoom.clamp(1.0, frame.max_zoom()) } else { 1.0 };
        let size = frame.max_size() / zoom;
        let (cx, cy) = (self.x + self.size / 2.0, self.y + self.size / 2.0);
        Self { x: cx - size / 2.0, y: cy - size / 2.0, size }.clamped(frame)
    }

    /// Drags `corner` by (dx, dy); the opposite corner stays put. The box
    /// stays square: the larger of the two movements decides its side.
    pub fn resized(self, corner: Corner, dx: f64, dy: f64, frame: Frame) -> Self {
        let (sx, sy) = match corner {
            Corner::TopLeft => (-1.0, -1.0),
            Corner::TopRight => (1.0, -1.0),
            Corner::BottomLeft => (-1.0, 1.0),
            Corner::BottomRight => (1.0, 1.0),
        };
        let grow = if (dx * sx).abs() >= (dy * sy).abs() { dx * sx } else { dy * sy };
        // The fixed corner, and how far the box may grow from it.
        let fixed_x = if sx < 0.0 { self.x + self.size } else { self.x };
        let fixed_y = if sy < 0.0 { self.y + self.size } else { self.y };
        let room_x = if sx < 0.0 { fixed_x } else { frame.width - fixed_x };
        let room_y = if sy < 0.0 { fixed_y } else { frame.height - fixed_y };
        let size = (self.size + grow).min(room_x).min(room_y).max(frame.min_size());
        let x = if sx < 0.0 { fixed_x - size } else { fixed_x };
        let y = if sy < 0.0 { fixed_y - size } else { fixed_y };
        Self { x, y, size }.clamped(frame)
    }

    /// What an arrow key does (Shift moves further); other keys do nothing.
    pub fn after_key(self, key: &str, shift: bool, frame: Frame) -> Option<Self> {
        let step = (self.size * Self::KEY_STEP * if shift { 4.0 } else { 1.0 }).max(1.0);
        let (dx, dy) = match key {
            "ArrowLeft" => (-step, 0.0),
            "ArrowRight" => (step, 0.0),
            "ArrowUp" => (0.0, -step),
            "ArrowDown" => (0.0, step),
            _ => return None,
        };
        Some(self.moved(dx, dy, frame))
    }

    /// Whole pixels, inside the image.
    pub fn pixels(&self, frame: Frame) -> PixelRect {
        let c = self.clamped(frame);
        let size = c.size.floor().max(1.0) as u32;
        let max_x = (frame.width as u32).saturating_sub(size);
        let max_y = (frame.height as u32).saturating_sub(size);
        PixelRect { x: (c.x.round() as u32).min(max_x), y: (c.y.round() as u32).min(max_y), size }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PHOTO: Frame = Frame { width: 4000.0, height: 3000.0 };

    fn inside(c: Crop, f: Frame) -> bool {
        c.x >= 0.0 && c.y >= 0.0 && c.x + c.size <= f.width + 1e-9 && c.y + c.size <= f.height + 1e-9
    }

    #[test]
    fn starts_as_the_largest_centred_square() {
        let c = Crop::centred(PHOTO);
        assert_eq!(c, Crop { x: 500.0, y: 0.0, size: 3000.0 });
        assert_eq!(c.zoom(PHOTO), 1.0);
    }

    #[test]
    fn moving_stops_at_the_edges() {
        let c = Crop::centred(PHOTO);
        assert_eq!(c.moved(-10_000.0, 0.0, PHOTO).x, 0.0);
        assert_eq!(c.moved(10_000.0, 0.0, PHOTO).x, 1000.0);
        assert_eq!(c.moved(0.0, 50.0, PHOTO).y, 0.0, "a full-height box cannot move down");
        let small = c.zoomed(4.0, PHOTO);
        let moved = small.moved(123.0, -77.0, PHOTO);
        assert_eq!((moved.x - small.x, moved.y - small.y), (123.0, -77.0));
    }

    #[test]
    fn zoom_keeps_the_centre_and_its_bounds() {
        let c = Crop::centred(PHOTO).zoomed(2.0, PHOTO);
        assert_eq!(c.size, 1500.0);
        assert_eq!((c.x + c.size / 2.0, c.y + c.size / 2.0), (2000.0, 1500.0));
        assert_eq!(c.zoomed(1_000.0, PHOTO).size, Crop::MIN_SIZE);
        assert_eq!(c.zoomed(0.1, PHOTO).size, 3000.0);
        assert_eq!(c.zoomed(f64::NAN, PHOTO).size, 3000.0);
        // Zooming out near an edge pushes the box back inside.
        let corner = Crop { x: 0.0, y: 0.0, size: 100.0 }.zoomed(1.0, PHOTO);
        assert!(inside(corner, PHOTO));
        assert_eq!(corner.size, 3000.0);
    }

    #[test]
    fn corners_resize_around_the_opposite_corner() {
        let c = Crop { x: 1000.0, y: 1000.0, size: 1000.0 };
        let r = c.resized(Corner::BottomRight, 200.0, 50.0, PHOTO);
        assert_eq!(r, Crop { x: 1000.0, y: 1000.0, size: 1200.0 });
        let r = c.resized(Corner::TopLeft, -100.0, -300.0, PHOTO);
        assert_eq!(r, Crop { x: 700.0, y: 700.0, size: 1300.0 });
        let r = c.resized(Corner::TopRight, -990.0, 0.0, PHOTO);
        assert_eq!(r.size, Crop::MIN_SIZE, "never below the minimum");
        assert_eq!(r.y + r.size, 2000.0, "the bottom-left corner stays");
        let r = c.resized(Corner::BottomLeft, -5000.0, 0.0, PHOTO);
        assert_eq!(r, Crop { x: 0.0, y: 1000.0, size: 2000.0 }, "stops at the image's edge");
    }

    #[test]
    fn arrow_keys_step_by_a_share_of_the_box() {
        let c = Crop { x: 1000.0, y: 1000.0, size: 1000.0 };
        assert_eq!(c.after_key("ArrowRight", false, PHOTO).unwrap().x, 1050.0);
        assert_eq!(c.after_key("ArrowUp", true, PHOTO).unwrap().y, 800.0);
        assert_eq!(c.after_key("Enter", false, PHOTO), None);
        let tiny = Frame::new(10.0, 10.0);
        let t = Crop::centred(tiny);
        assert_eq!(t.size, 10.0, "an image smaller than the minimum is taken whole");
        assert_eq!(t.after_key("ArrowLeft", false, tiny).unwrap(), t);
    }

    #[test]
    fn pixels_stay_inside_the_image() {
        let f = Frame::new(301.0, 200.0);
        let c = Crop { x: 101.6, y: 0.4, size: 199.9 };
        let p = c.pixels(f);
        assert_eq!(p, PixelRect { x: 101, y: 0, size: 199 });
        assert!(p.x + p.size <= 301 && p.y + p.size <= 200);
    }
}
