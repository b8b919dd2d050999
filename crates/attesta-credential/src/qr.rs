//! The attestation URL and its QR code.

use std::fmt::Write as _;

use qrcode::{EcLevel, QrCode};

use crate::token::Token;

pub use qrcode::types::QrError;

/// Error correction level of every attestation QR. M (about 15 % of the
/// symbol recoverable) tolerates a worn printout or a cracked screen while
/// keeping the symbol small.
pub const QR_EC_LEVEL: EcLevel = EcLevel::M;

/// Modules of light margin around the symbol, as ISO/IEC 18004 requires.
pub const QR_QUIET_ZONE: usize = 4;

/// The attestation URL: `{public_url}/V/{TOKEN}` with the whole string
/// upper-cased (a trailing `/` on `public_url` is trimmed).
///
/// Upper case keeps every character in the QR alphanumeric set, so the
/// symbol needs fewer modules; scheme and host are case-insensitive and the
/// web layer serves `/V/` like `/v/`. The QR text and the API's `url` are
/// exactly this string.
pub fn attestation_url(public_url: &str, token: &Token) -> String {
    format!("{}/V/{}", public_url.trim_end_matches('/'), token.encode()).to_uppercase()
}

/// The QR matrix of `text` at level M, with automatic (optimal) mode
/// selection; `true` is a dark module. Row-major, `width * width` entries,
/// without quiet zone.
pub(crate) fn qr_matrix(text: &str) -> Result<(usize, Vec<bool>), QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), QR_EC_LEVEL)?;
    let width = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Ok((width, dark))
}

/// The horizontal runs of dark modules of a QR matrix, as `(row, first
/// column, length)` in modules, quiet zone included in the coordinates: a
/// printout draws one rectangle per run, sharp at any resolution.
pub(crate) fn dark_runs(width: usize, dark: &[bool]) -> Vec<(usize, usize, usize)> {
    let mut runs = Vec::new();
    for (row, cells) in dark.chunks(width).enumerate() {
        let mut col = 0;
        while col < cells.len() {
            if !cells[col] {
                col += 1;
                continue;
            }
            let start = col;
            while col < cells.len() && cells[col] {
                col += 1;
            }
            runs.push((row + QR_QUIET_ZONE, start + QR_QUIET_ZONE, col - start));
        }
    }
    runs
}

/// An SVG QR of `text`, level M, for embedding in HTML.
///
/// The SVG has a `viewBox` and no fixed pixel size, so CSS decides the size;
/// it carries `role="img"` and the given accessible label. The dark modules
/// are one `<path>` (small markup, no hairline gaps between squares).
pub fn try_qr_svg_labelled(text: &str, label: &str) -> Result<String, QrError> {
    let (width, dark) = qr_matrix(text)?;
    let size = width + 2 * QR_QUIET_ZONE;
    let mut path = String::new();
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let x = i % width + QR_QUIET_ZONE;
        let y = i / width + QR_QUIET_ZONE;
        // Writing to a String cannot fail.
        let _ = write!(path, "M{x} {y}h1v1h-1z");
    }
    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" "#,
            r#"role="img" aria-label="{label}" shape-rendering="crispEdges">"#,
            r##"<rect width="{size}" height="{size}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{path}"/></svg>"##
        ),
        size = size,
        label = xml_escape(label),
        path = path,
    ))
}

/// [`try_qr_svg_labelled`] with a bilingual default label.
pub fn try_qr_svg(text: &str) -> Result<String, QrError> {
    try_qr_svg_labelled(text, "Codice QR dell'attestazione / Attestation QR code")
}

/// QR of `text` as SVG (error correction level M); see [`try_qr_svg_labelled`].
///
/// # Panics
/// If `text` does not fit in a QR symbol at level M (over 2331 alphanumeric
/// or 1273 byte characters). Attestation URLs are well below that; use
/// [`try_qr_svg`] for arbitrary text.
pub fn qr_svg(text: &str) -> String {
    try_qr_svg(text).expect("QR payload exceeds the capacity of a level-M QR code")
}

/// Escapes text for an XML attribute value.
fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_runs_cover_exactly_the_dark_modules() {
        let (width, dark) = qr_matrix("HTTP://EXAMPLE.IT/V/0123456789ABCDEFGHJKMNPQRS").unwrap();
        let mut redrawn = vec![false; dark.len()];
        for (row, col, len) in dark_runs(width, &dark) {
            assert!(len > 0);
            for c in col..col + len {
                let i = (row - QR_QUIET_ZONE) * width + c - QR_QUIET_ZONE;
                assert!(!redrawn[i], "modules drawn once");
                redrawn[i] = true;
            }
        }
        assert_eq!(redrawn, dark);
    }

    #[test]
    fn url_shape() {
        let t = Token::from_bytes([0x42; 16]);
        let u = attestation_url("https://attesta.example.it/", &t);
        assert_eq!(u, format!("HTTPS://ATTESTA.EXAMPLE.IT/V/{}", t.encode()));
        assert_eq!(u, attestation_url("https://attesta.example.it", &t));
    }

    #[test]
    fn svg_shape() {
        let svg = qr_svg("HTTPS://A.IT/V/0123");
        assert!(svg.starts_with("<svg "));
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("viewBox=\"0 0 29 29\""));
        assert!(!svg.contains("width=\"29px\""));
        assert!(svg.ends_with("</svg>"));
        let labelled = try_qr_svg_labelled("X", "a \"b\" <c>").unwrap();
        assert!(labelled.contains("aria-label=\"a &quot;b&quot; &lt;c&gt;\""));
    }

    #[test]
    fn too_long_is_an_error() {
        assert!(try_qr_svg(&"a".repeat(5000)).is_err());
    }
}
