//! A QR code as a PNG image (8-bit grey), for tests and exports.

use std::io::Write as _;

use crate::qr::{QR_QUIET_ZONE, QrError, qr_matrix};

/// The QR of `text` (level M, automatic mode: alphanumeric for a card URL)
/// as a PNG with `scale` pixels per module and the quiet zone.
pub fn qr_png(text: &str, scale: usize) -> Result<Vec<u8>, QrError> {
    let (width, dark) = qr_matrix(text)?;
    let scale = scale.clamp(1, 64);
    let side = (width + 2 * QR_QUIET_ZONE) * scale;
    let mut raw = Vec::with_capacity((side + 1) * side);
    for y in 0..side {
        raw.push(0); // filter: none
        for x in 0..side {
            let (mx, my) = (x / scale, y / scale);
            let is_dark = mx >= QR_QUIET_ZONE
                && my >= QR_QUIET_ZONE
                && mx < width + QR_QUIET_ZONE
                && my < width + QR_QUIET_ZONE
                && dark[(my - QR_QUIET_ZONE) * width + (mx - QR_QUIET_ZONE)];
            raw.push(if is_dark { 0 } else { 255 });
        }
    }
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&(side as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]); // 8-bit greyscale
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &crate::card::codec::zlib_compress(&raw));
    chunk(&mut png, b"IEND", &[]);
    Ok(png)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let _ = out.write_all(&(data.len() as u32).to_be_bytes());
    let mut crc = flate2::Crc::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    out.extend_from_slice(&crc.sum().to_be_bytes());
}
