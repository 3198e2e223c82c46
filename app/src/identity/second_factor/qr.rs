//! The set-up QR code, drawn by Sluice as SVG (no image service sees the
//! secret): one path of the dark modules on a light square, with the
//! four-module quiet zone scanners want.

use qrcodegen::{QrCode, QrCodeEcc};

const QUIET: i32 = 4;

/// `text` as an SVG QR code, or `None` if it does not fit in one.
pub fn svg(text: &str) -> Option<String> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + QUIET, y + QUIET));
            }
        }
    }
    let side = size + 2 * QUIET;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\" \
         role=\"img\" aria-label=\"QR code for your authenticator app\">\
         <rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn draws_every_dark_module_inside_the_quiet_zone() {
        let text = "otpauth://totp/Sluice:ada?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Sluice";
        let svg = super::svg(text).unwrap();
        let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).unwrap();
        let dark =
            (0..qr.size()).flat_map(|y| (0..qr.size()).map(move |x| (x, y))).filter(|&(x, y)| qr.get_module(x, y));
        assert_eq!(svg.matches('z').count(), dark.count());
        let side = qr.size() + 8;
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
        assert!(svg.contains("M4,4h1v1h-1z"), "the finder pattern's corner");
    }
}
