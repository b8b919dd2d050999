//! Attestation ids and the opaque tokens derived from them.
//!
//! The database keeps the random [`AttestationId`] and the SHA-256 of the
//! token, never the token itself: anyone who reads the database still cannot
//! forge a QR, because the token is an HMAC under the server secret. The PDF,
//! the on-screen QR and the e-mail all re-derive the token when needed.

use std::fmt;

use hmac::Mac;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::secret::ServerSecret;

/// Crockford Base32 alphabet: digits and upper-case letters without I, L, O, U.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// Number of Base32 symbols in an encoded token: ceil(128 / 5).
pub const TOKEN_SYMBOLS: usize = 26;

/// Largest value of the first symbol. 26 symbols hold 130 bits, so for a
/// 128-bit number the leading symbol carries only 3 bits (`0..=7`).
pub const MAX_FIRST_SYMBOL: u8 = 7;

/// Random 128-bit attestation id, stored in the database as 32 lowercase hex chars.
///
/// It is not secret on its own (the token also needs the server secret), so
/// its `Debug` shows the hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct AttestationId([u8; 16]);

impl AttestationId {
    /// A fresh random id from the operating system's CSPRNG.
    ///
    /// # Panics
    /// Only if the operating system cannot provide randomness.
    pub fn generate() -> Self {
        let mut out = [0u8; 16];
        getrandom::fill(&mut out).expect("the operating system random number generator failed");
        Self(out)
    }

    /// Wraps raw id bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// The raw id bytes (the HMAC input).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// Parses the database form: exactly 32 hex characters (either case).
    pub fn from_hex(s: &str) -> Option<Self> {
        if s.len() != 32 {
            return None;
        }
        let mut out = [0u8; 16];
        hex::decode_to_slice(s, &mut out).ok()?;
        Some(Self(out))
    }

    /// The database form: 32 lowercase hex characters.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Debug for AttestationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttestationId({})", self.to_hex())
    }
}

/// The 128-bit opaque token: HMAC-SHA256(secret, attestation id bytes)
/// truncated to the first 16 bytes.
///
/// It is a bearer credential (one of the two factors of a check), so `Debug`
/// is redacted and equality runs in constant time.
#[derive(Clone, Copy)]
pub struct Token([u8; 16]);

impl Token {
    /// Derives the token of an attestation. Deterministic, so the token never
    /// needs to be stored.
    pub fn derive(secret: &ServerSecret, id: &AttestationId) -> Token {
        let mut mac = secret.hmac();
        mac.update(id.as_bytes());
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; 16];
        out.copy_from_slice(&full[..16]);
        Token(out)
    }

    /// Wraps raw token bytes (tests and tooling).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Crockford Base32 of the 128-bit big-endian number, left-padded to
    /// exactly 26 upper-case characters. The first character is `0..=7`
    /// (see [`MAX_FIRST_SYMBOL`]).
    pub fn encode(&self) -> String {
        let mut n = u128::from_be_bytes(self.0);
        let mut out = [b'0'; TOKEN_SYMBOLS];
        for slot in out.iter_mut().rev() {
            *slot = ALPHABET[(n & 0x1f) as usize];
            n >>= 5;
        }
        out.iter().map(|&b| char::from(b)).collect()
    }

    /// Parses the 26-character form or the short code.
    ///
    /// Follows Crockford's rules so that the operator can type what they
    /// read: case-insensitive, `O` read as `0`, `I` and `L` read as `1`,
    /// hyphens and whitespace ignored. `U` and any other character are
    /// invalid. There must be exactly 26 symbols and the first must be at most
    /// [`MAX_FIRST_SYMBOL`] (otherwise the number does not fit in 128 bits).
    pub fn parse(s: &str) -> Option<Token> {
        let mut n: u128 = 0;
        let mut count = 0usize;
        for c in s.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let v = symbol_value(c)?;
            if count == 0 && v > MAX_FIRST_SYMBOL {
                return None;
            }
            count += 1;
            if count > TOKEN_SYMBOLS {
                return None;
            }
            n = (n << 5) | u128::from(v);
        }
        (count == TOKEN_SYMBOLS).then(|| Token(n.to_be_bytes()))
    }

    /// What an operator's code field received, as a person types it or a
    /// handheld scanner "types" a QR (SPEC §12, counter mode): the token, the
    /// short code, or the whole attestation URL in any case, also with its
    /// separators mangled by a keyboard-layout mismatch
    /// (`HTTPÇ--ATTESTA.EXAMPLE-V-K7QH…`). The token is the URL's last
    /// path segment, so a URL yields the last 26 symbols of the run of
    /// symbols it ends with, whatever the separators became.
    pub fn from_scan(input: &str) -> Option<Token> {
        let input = input.trim();
        if let Some(token) = Token::parse(input) {
            return Some(token);
        }
        let symbols: Vec<char> = input
            .chars()
            .rev()
            .take_while(|&c| symbol_value(c).is_some())
            .collect();
        if symbols.len() < TOKEN_SYMBOLS {
            return None;
        }
        let last: String = symbols[..TOKEN_SYMBOLS].iter().rev().collect();
        Token::parse(&last)
    }

    /// The code for manual entry: the encoded token in groups of four
    /// separated by `-` (six groups of four and one of two), which is easier
    /// to read aloud and to type than 26 characters in a row.
    pub fn short_code(&self) -> String {
        let enc = self.encode();
        let mut out = String::with_capacity(TOKEN_SYMBOLS + TOKEN_SYMBOLS / 4);
        for (i, c) in enc.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                out.push('-');
            }
            out.push(c);
        }
        out
    }

    /// Lowercase hex SHA-256 of the 16 raw token bytes: the only form the
    /// database stores, so a database leak does not reveal usable tokens.
    pub fn storage_hash(&self) -> String {
        hex::encode(Sha256::digest(self.0))
    }
}

impl PartialEq for Token {
    fn eq(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl Eq for Token {}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Value of one Crockford symbol, with the decoding aliases.
fn symbol_value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'O' => '0',
        'I' | 'L' => '1',
        other => other,
    };
    if !c.is_ascii() {
        return None;
    }
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_and_max() {
        assert_eq!(Token([0; 16]).encode(), "0".repeat(26));
        let max = Token([0xff; 16]);
        assert_eq!(max.encode(), format!("7{}", "Z".repeat(25)));
        assert_eq!(Token::parse(&max.encode()), Some(max));
        assert_eq!(Token::parse(&format!("8{}", "0".repeat(25))), None);
    }

    #[test]
    fn a_scanned_url_yields_its_token_in_any_case_and_with_mangled_separators() {
        let t = Token([0x3c; 16]);
        let url = crate::qr::attestation_url("https://attesta.example.it", &t);
        let mangled = url.replace(':', "Ç").replace('/', "-");
        for scanned in [
            url.clone(),
            url.to_lowercase(),
            format!("{url}\r\n"),
            mangled.clone(),
            mangled.to_lowercase(),
            url.replace('/', "&"),
            t.encode(),
            t.short_code(),
            t.short_code().to_lowercase(),
        ] {
            assert_eq!(Token::from_scan(&scanned), Some(t), "{scanned:?}");
        }
    }

    #[test]
    fn a_scan_without_a_whole_token_at_its_end_yields_nothing() {
        let t = Token([0x3c; 16]).encode();
        for scanned in [
            String::new(),
            "HTTPS://ATTESTA.EXAMPLE.IT/V/".to_owned(),
            format!("HTTPS://ATTESTA.EXAMPLE.IT/V/{}", &t[..25]),
            format!("HTTPS://ATTESTA.EXAMPLE.IT/V/{t}/"),
            format!("HTTPS://ATTESTA.EXAMPLE.IT/V/{t}?X=1"),
            // The first symbol of a token is at most 7.
            format!("HTTPS://X/V/Z{}", &t[1..]),
        ] {
            assert_eq!(Token::from_scan(&scanned), None, "{scanned:?}");
        }
    }

    #[test]
    fn short_code_shape() {
        let code = Token([0xab; 16]).short_code();
        let groups: Vec<&str> = code.split('-').collect();
        assert_eq!(groups.len(), 7);
        assert!(groups[..6].iter().all(|g| g.len() == 4));
        assert_eq!(groups[6].len(), 2);
    }

    #[test]
    fn u_and_garbage_rejected() {
        let good = Token([0x12; 16]).encode();
        let mut with_u = good.clone();
        with_u.replace_range(5..6, "U");
        assert_eq!(Token::parse(&with_u), None);
        let mut with_star = good.clone();
        with_star.replace_range(5..6, "*");
        assert_eq!(Token::parse(&with_star), None);
        assert_eq!(Token::parse(""), None);
        assert_eq!(Token::parse("é"), None);
    }

    #[test]
    fn debug_redacted_and_equality() {
        let a = Token([1; 16]);
        assert_eq!(format!("{a:?}"), "Token(<redacted>)");
        assert_eq!(a, Token([1; 16]));
        assert_ne!(a, Token([2; 16]));
    }

    #[test]
    fn attestation_id_hex() {
        let id = AttestationId::generate();
        assert_eq!(id.to_hex().len(), 32);
        assert_eq!(AttestationId::from_hex(&id.to_hex()), Some(id));
        assert_eq!(
            AttestationId::from_hex(&id.to_hex().to_uppercase()),
            Some(id)
        );
        assert_eq!(AttestationId::from_hex("abc"), None);
        assert_eq!(AttestationId::from_hex(&"g".repeat(32)), None);
        assert_ne!(AttestationId::generate(), id);
    }

    proptest::proptest! {
        /// Whatever a layout mismatch turns the URL's `:` and `/` into, and
        /// whatever case the scanner types, the token comes out whole.
        #[test]
        fn any_mangling_of_the_separators_keeps_the_token(
            bytes in proptest::array::uniform16(0u8..),
            colon in proptest::sample::select(vec![":", "Ç", "Ö", ".", ">", "ç"]),
            slash in proptest::sample::select(vec!["/", "-", "&", "_", "'", "ù", "7", "Q"]),
            lower in proptest::bool::ANY,
        ) {
            let t = Token(bytes);
            let url = crate::qr::attestation_url("https://attesta.example.it", &t)
                .replace(':', colon)
                .replace('/', slash);
            let scanned = if lower { url.to_lowercase() } else { url };
            proptest::prop_assert_eq!(Token::from_scan(&scanned), Some(t));
        }
    }
}
