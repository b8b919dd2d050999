//! The transport layers of a card QR: the `EUDC1:` prefix, Base45, zlib,
//! and the URL that carries them.
//!
//! # URL safety
//! Base45's alphabet is exactly the QR alphanumeric set (0–9, A–Z, space,
//! `$%*+-./:`). Four of its characters are not safe in a URL path: space,
//! `%`, `+` and `/`. attesta percent-encodes those four (`%20`, `%25`,
//! `%2B`, `%2F`, upper-case hex), so the URL stays inside the alphanumeric
//! set and the QR stays in alphanumeric mode. A different "URL-safe
//! alphabet" cannot stay in alphanumeric mode (the set has no spare
//! characters), so it would cost more than it saves. The cost: each of
//! those four characters takes three instead of one, on average 4/45 of the
//! characters, i.e. about +18 % characters (the test
//! `url_overhead_is_measured` measures it on real credentials).

/// Prefix of a card payload (version 1).
pub const CARD_PREFIX: &str = "EUDC1:";
/// Prefix of an EU Digital COVID Certificate.
pub const DCC_PREFIX: &str = "HC1:";

/// Longest QR text accepted (a version-40 QR holds at most 4296
/// alphanumeric characters).
pub const MAX_TEXT: usize = 8 * 1024;
/// Largest Base45-decoded (still compressed) payload accepted.
pub const MAX_COMPRESSED: usize = 6 * 1024;
/// Largest decompressed COSE message accepted.
pub const MAX_DECOMPRESSED: usize = 64 * 1024;

/// A decoding failure, with the stage it happened at.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodecError {
    #[error("input too large: {0}")]
    TooLarge(&'static str),
    #[error("unknown or missing prefix (expected {0})")]
    Prefix(&'static str),
    #[error("not valid Base45")]
    Base45,
    #[error("not a valid zlib stream")]
    Compression,
    #[error("bad percent-encoding in the URL")]
    Percent,
}

/// zlib at the best compression level.
pub fn zlib_compress(data: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// zlib decompression (Adler-32 checked) that stops at `cap` bytes of
/// output.
///
/// miniz_oxide (flate2's own back end) inflates the whole input straight
/// into the output vector: flate2's streaming reader would allocate and
/// zero a 32 KiB window and a 32 KiB read buffer for every card checked,
/// which cost more than everything else but the signature.
pub fn zlib_decompress(data: &[u8], cap: usize) -> Result<Vec<u8>, CodecError> {
    use miniz_oxide::inflate::{TINFLStatus, decompress_to_vec_zlib_with_limit};
    let out = decompress_to_vec_zlib_with_limit(data, cap).map_err(|e| match e.status {
        TINFLStatus::HasMoreOutput => CodecError::TooLarge("decompressed payload"),
        _ => CodecError::Compression,
    })?;
    if out.is_empty() {
        return Err(CodecError::Compression);
    }
    Ok(out)
}

/// Base45 decoding with the size caps applied first.
pub fn base45_decode(text: &str) -> Result<Vec<u8>, CodecError> {
    if text.len() > MAX_TEXT || text.len() / 3 * 2 > MAX_COMPRESSED + 2 {
        return Err(CodecError::TooLarge("Base45 text"));
    }
    base45::decode(text).map_err(|_| CodecError::Base45)
}

/// Percent-encodes the four Base45 characters that are unsafe in a URL path.
pub fn percent_encode_path(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '+' => out.push_str("%2B"),
            '/' => out.push_str("%2F"),
            c => out.push(c),
        }
    }
    out
}

/// Decodes `%XX` escapes (either case of hex).
pub fn percent_decode(text: &str) -> Result<String, CodecError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(CodecError::Percent)?;
            let hex = std::str::from_utf8(hex).map_err(|_| CodecError::Percent)?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| CodecError::Percent)?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| CodecError::Percent)
}

/// The card URL: `{public_url}/C/{EUDC1:…}` with the unsafe Base45
/// characters percent-encoded and the whole string upper-cased (scheme and
/// host are case-insensitive; the web layer serves `/C/` like `/c/`).
pub fn card_url(public_url: &str, payload: &str) -> String {
    format!(
        "{}/C/{}",
        public_url.trim_end_matches('/'),
        percent_encode_path(payload)
    )
    .to_uppercase()
}

/// The payload (`EUDC1:…` or `HC1:…`) from a QR text: either the payload
/// itself or a URL whose path has `/c/` (any case) followed by the
/// percent-encoded payload. Surrounding white space is ignored.
pub fn extract_payload(text: &str) -> Result<String, CodecError> {
    if text.len() > MAX_TEXT * 3 {
        return Err(CodecError::TooLarge("QR text"));
    }
    let text = text.trim();
    if text.starts_with(CARD_PREFIX) || text.starts_with(DCC_PREFIX) {
        return Ok(text.to_owned());
    }
    if let Some(scheme_end) = text.find("://") {
        let rest = &text[scheme_end + 3..];
        let lower = rest.to_ascii_lowercase();
        if let Some(at) = lower.find("/c/") {
            let mut payload = &rest[at + 3..];
            if let Some(end) = payload.find(['?', '#']) {
                payload = &payload[..end];
            }
            return percent_decode(payload);
        }
    }
    Ok(text.to_owned())
}

/// Strips `prefix` from the payload.
pub fn unprefix<'a>(payload: &'a str, prefix: &'static str) -> Result<&'a str, CodecError> {
    payload
        .strip_prefix(prefix)
        .ok_or(CodecError::Prefix(prefix))
}

/// `prefix` + Base45 → zlib-decompressed bytes, with every cap applied.
pub fn decode_layers(payload: &str, prefix: &'static str) -> Result<Vec<u8>, CodecError> {
    let b45 = unprefix(payload, prefix)?;
    let compressed = base45_decode(b45)?;
    zlib_decompress(&compressed, MAX_DECOMPRESSED)
}

/// COSE bytes → zlib → Base45 with the card prefix.
pub fn encode_layers(cose: &[u8]) -> String {
    format!("{CARD_PREFIX}{}", base45::encode(zlib_compress(cose)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_round_trip_keeps_alphanumeric_set() {
        let s = "AB %+/:$*-.9";
        let enc = percent_encode_path(s);
        assert_eq!(enc, "AB%20%25%2B%2F:$*-.9");
        assert_eq!(percent_decode(&enc).unwrap(), s);
        assert!(
            enc.chars()
                .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c))
        );
    }

    #[test]
    fn extract_from_url_or_raw() {
        let url = card_url("https://attesta.example.it/", "EUDC1:A B/C");
        assert_eq!(url, "HTTPS://ATTESTA.EXAMPLE.IT/C/EUDC1:A%20B%2FC");
        assert_eq!(extract_payload(&url).unwrap(), "EUDC1:A B/C");
        assert_eq!(extract_payload(" EUDC1:X ").unwrap(), "EUDC1:X");
        assert_eq!(extract_payload("http://h/c/HC1:X?a").unwrap(), "HC1:X");
    }

    #[test]
    fn zlib_cap_is_exact_and_damage_is_refused() {
        let data: Vec<u8> = (0..1000u32).map(|i| (i * 7 % 251) as u8).collect();
        let z = zlib_compress(&data);
        assert_eq!(zlib_decompress(&z, 1000).unwrap(), data);
        assert_eq!(
            zlib_decompress(&z, 999),
            Err(CodecError::TooLarge("decompressed payload"))
        );
        // Cut short, or with a wrong Adler-32 checksum at the end.
        assert_eq!(
            zlib_decompress(&z[..z.len() - 6], 1000),
            Err(CodecError::Compression)
        );
        let mut bad = z.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert_eq!(zlib_decompress(&bad, 1000), Err(CodecError::Compression));
        assert_eq!(
            zlib_decompress(&zlib_compress(b""), 10),
            Err(CodecError::Compression)
        );
    }

    #[test]
    fn zlib_bomb_is_capped() {
        let big = zlib_compress(&vec![0u8; MAX_DECOMPRESSED * 4]);
        assert_eq!(
            zlib_decompress(&big, MAX_DECOMPRESSED),
            Err(CodecError::TooLarge("decompressed payload"))
        );
    }
}
