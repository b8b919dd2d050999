//! The card's photo (SPEC §6): checked, turned upright, scaled down and
//! re-encoded as a baseline JPEG so that no metadata of the original
//! survives. CPU work, no I/O: the use case runs it off the async workers.

use crate::ErrorCode;
use std::io::Cursor;

use attesta_domain::FieldError;

use crate::{AppError, AppResult};

/// Largest photo accepted (SPEC §6: 5 MiB).
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Smallest photo (passport style, portrait).
pub const MIN_PHOTO_WIDTH: u32 = 300;
pub const MIN_PHOTO_HEIGHT: u32 = 400;
/// Width / height, portrait (a passport photo is 35 × 45 mm: 0.78).
pub const MIN_PHOTO_ASPECT: f64 = 0.6;
pub const MAX_PHOTO_ASPECT: f64 = 0.9;
/// Stored photos are scaled down to fit this box (enough for print at the
/// card's 25 × 32 mm).
pub const STORED_PHOTO_WIDTH: u32 = 600;
pub const STORED_PHOTO_HEIGHT: u32 = 800;
/// Largest decoded image accepted (pixels per side): a decompression bomb
/// is refused before it is decoded.
const MAX_PHOTO_SIDE: u32 = 8_000;

/// Decodes an image within bounds (at most `max_side` pixels a side and
/// `max_alloc` bytes, so a decompression bomb is refused before it is
/// decoded) and turns it upright by its EXIF orientation. What is returned
/// holds the pixels only: re-encoding it leaves every metadata behind.
pub(crate) fn decode_upright(
    mut reader: image::ImageReader<Cursor<&[u8]>>,
    max_side: u32,
    max_alloc: u64,
) -> Result<image::DynamicImage, image::ImageError> {
    use image::ImageDecoder as _;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max_side);
    limits.max_image_height = Some(max_side);
    limits.max_alloc = Some(max_alloc);
    reader.limits(limits);
    let mut decoder = reader.into_decoder()?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = image::DynamicImage::from_decoder(decoder)?;
    img.apply_orientation(orientation);
    Ok(img)
}

fn photo_error(message: impl Into<String>) -> AppError {
    let message = message.into();
    AppError::new(ErrorCode::InvalidPhoto, message.clone())
        .with_fields(vec![FieldError::new("photo", message)])
}

pub(crate) fn photo_too_large() -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        "The photo is larger than 5 MiB: send a smaller JPEG or PNG.",
    )
}

/// Checks a photo and re-encodes it: JPEG or PNG only, decoded, turned
/// upright (EXIF orientation), at least 300 × 400 pixels, portrait with a
/// width/height ratio between 0.6 and 0.9, scaled down to fit 600 × 800,
/// and written again as a baseline JPEG — so no metadata (EXIF, GPS, XMP,
/// comments, ICC) of the original survives.
pub fn normalise_photo(bytes: &[u8]) -> AppResult<Vec<u8>> {
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(photo_too_large());
    }
    if bytes.is_empty() {
        return Err(photo_error(
            "The photo is missing: choose a JPEG or PNG file.",
        ));
    }
    let format = image::guess_format(bytes).ok();
    if !matches!(
        format,
        Some(image::ImageFormat::Jpeg | image::ImageFormat::Png)
    ) {
        return Err(photo_error(
            "The photo must be a JPEG or PNG image (this file is neither).",
        ));
    }
    let unreadable = |e: image::ImageError| {
        photo_error(format!(
            "The photo could not be read as an image ({e}): save it again as JPEG or PNG."
        ))
    };
    let reader = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| unreadable(e.into()))?;
    let img = decode_upright(reader, MAX_PHOTO_SIDE, 256 * 1024 * 1024).map_err(unreadable)?;
    let (w, h) = (img.width(), img.height());
    if w < MIN_PHOTO_WIDTH || h < MIN_PHOTO_HEIGHT {
        return Err(photo_error(format!(
            "The photo is {w} × {h} pixels: it must be at least {MIN_PHOTO_WIDTH} × {MIN_PHOTO_HEIGHT} (portrait, passport style)."
        )));
    }
    let aspect = f64::from(w) / f64::from(h);
    if !(MIN_PHOTO_ASPECT..=MAX_PHOTO_ASPECT).contains(&aspect) {
        return Err(photo_error(format!(
            "The photo is {w} × {h} pixels: a passport-style photo is portrait, width between 0.6 and 0.9 times the height (e.g. 35 × 45 mm). Crop it and try again."
        )));
    }
    // Transparent PNGs are laid on white, as a printed photo would be.
    let rgb = if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut out = image::RgbImage::new(w, h);
        for (x, y, p) in rgba.enumerate_pixels() {
            let a = u16::from(p[3]);
            let blend = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            out.put_pixel(x, y, image::Rgb([blend(p[0]), blend(p[1]), blend(p[2])]));
        }
        out
    } else {
        img.to_rgb8()
    };
    let rgb = if w > STORED_PHOTO_WIDTH || h > STORED_PHOTO_HEIGHT {
        let scale = f64::min(
            f64::from(STORED_PHOTO_WIDTH) / f64::from(w),
            f64::from(STORED_PHOTO_HEIGHT) / f64::from(h),
        );
        let nw = ((f64::from(w) * scale).round() as u32).max(1);
        let nh = ((f64::from(h) * scale).round() as u32).max(1);
        image::imageops::resize(&rgb, nw, nh, image::imageops::FilterType::Triangle)
    } else {
        rgb
    };
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
        .encode_image(&rgb)
        .map_err(|e| AppError::internal(&e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jpeg(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .unwrap();
        out
    }

    #[test]
    fn photos_are_checked_and_reencoded() {
        let ok = normalise_photo(&jpeg(450, 600)).unwrap();
        assert!(ok.starts_with(&[0xFF, 0xD8]));
        let big = normalise_photo(&jpeg(1200, 1600)).unwrap();
        let img = image::load_from_memory(&big).unwrap();
        assert_eq!((img.width(), img.height()), (600, 800));
        assert_eq!(
            normalise_photo(b"GIF89a....").unwrap_err().code,
            ErrorCode::InvalidPhoto
        );
        assert_eq!(
            normalise_photo(&jpeg(200, 300)).unwrap_err().code,
            ErrorCode::InvalidPhoto
        );
        assert_eq!(
            normalise_photo(&jpeg(600, 600)).unwrap_err().code,
            ErrorCode::InvalidPhoto
        );
        let mut truncated = jpeg(450, 600);
        truncated.truncate(200);
        assert_eq!(
            normalise_photo(&truncated).unwrap_err().code,
            ErrorCode::InvalidPhoto
        );
        assert_eq!(
            normalise_photo(&vec![0xFF; MAX_PHOTO_BYTES + 1])
                .unwrap_err()
                .code,
            ErrorCode::PayloadTooLarge
        );
    }
}
