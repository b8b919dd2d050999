//! The server secret: the one key that derives attestation tokens and keys
//! the OTP hashes. Every node must hold the same value, so it is configured
//! as text (`ATTESTA_SECRET_KEY`, 64 hex characters) rather than generated
//! per process.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// HMAC-SHA256, the only MAC this crate uses.
pub(crate) type HmacSha256 = Hmac<Sha256>;

/// Length of the secret in bytes (256 bits, the HMAC-SHA256 block-safe key size).
pub const SECRET_LEN: usize = 32;

/// Why a configured secret was rejected.
///
/// The messages name the environment variable because the usual cause is a
/// mistyped or truncated `ATTESTA_SECRET_KEY`; they never echo the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Not 64 characters long (after trimming surrounding whitespace).
    #[error(
        "ATTESTA_SECRET_KEY must be exactly 64 hexadecimal characters (32 bytes); got {found} characters"
    )]
    WrongLength {
        /// Number of characters that were supplied.
        found: usize,
    },
    /// 64 characters, but at least one is not `0-9a-fA-F`.
    #[error(
        "ATTESTA_SECRET_KEY must contain only hexadecimal characters (0-9, a-f); character {position} is not"
    )]
    NotHex {
        /// 1-based position of the first offending character.
        position: usize,
    },
}

/// 32-byte server secret.
///
/// `Debug` is redacted so that the key cannot leak through logs or panic
/// messages; use [`ServerSecret::to_hex`] deliberately when it must be written
/// out (the `--demo` data dir).
#[derive(Clone)]
pub struct ServerSecret([u8; SECRET_LEN]);

impl ServerSecret {
    /// Parses the configured secret: exactly 64 hex characters, either case.
    ///
    /// Surrounding whitespace is ignored because secrets read from files or
    /// container env files often carry a trailing newline.
    pub fn from_hex(s: &str) -> Result<Self, SecretError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != SECRET_LEN * 2 {
            return Err(SecretError::WrongLength { found });
        }
        if let Some(pos) = s.chars().position(|c| !c.is_ascii_hexdigit()) {
            return Err(SecretError::NotHex { position: pos + 1 });
        }
        let mut out = [0u8; SECRET_LEN];
        // Length and alphabet were checked above, so this cannot fail; map the
        // impossible case to an error anyway rather than panicking.
        hex::decode_to_slice(s, &mut out).map_err(|_| SecretError::NotHex { position: 1 })?;
        Ok(Self(out))
    }

    /// A fresh random secret from the operating system's CSPRNG (used by `--demo`).
    ///
    /// # Panics
    /// Only if the operating system cannot provide randomness, in which case
    /// no secure operation is possible anyway.
    pub fn generate() -> Self {
        let mut out = [0u8; SECRET_LEN];
        getrandom::fill(&mut out).expect("the operating system random number generator failed");
        Self(out)
    }

    /// Wraps raw key bytes (tests, key-derivation in callers).
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// The secret as 64 lowercase hex characters, the form `from_hex` reads.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// A keyed MAC for a given purpose: lowercase hex of
    /// HMAC-SHA256(secret, `purpose || 0x00 || data`).
    ///
    /// The purpose label separates domains (OTP hashes, tokens, …) so a value
    /// computed for one use can never be replayed as another. `purpose` should
    /// be a fixed constant without NUL bytes; the NUL separator then makes
    /// the encoding unambiguous.
    pub fn mac_hex(&self, purpose: &str, data: &[u8]) -> String {
        let mut mac = self.hmac();
        mac.update(purpose.as_bytes());
        mac.update(&[0u8]);
        mac.update(data);
        hex::encode(mac.finalize().into_bytes())
    }

    /// A fresh HMAC-SHA256 instance keyed with this secret.
    pub(crate) fn hmac(&self) -> HmacSha256 {
        // HMAC accepts keys of every length, so `new_from_slice` cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts any key length")
    }
}

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    #[test]
    fn hex_round_trip_and_case() {
        let s = ServerSecret::from_hex(KEY).unwrap();
        assert_eq!(s.to_hex(), KEY);
        let upper = ServerSecret::from_hex(&KEY.to_uppercase()).unwrap();
        assert_eq!(upper.to_hex(), KEY);
        let padded = ServerSecret::from_hex(&format!("  {KEY}\n")).unwrap();
        assert_eq!(padded.to_hex(), KEY);
    }

    #[test]
    fn rejects_bad_input_with_clear_errors() {
        let e = ServerSecret::from_hex("abcd").unwrap_err();
        assert_eq!(e, SecretError::WrongLength { found: 4 });
        assert!(e.to_string().contains("exactly 64 hexadecimal"));
        let mut bad = KEY.to_string();
        bad.replace_range(10..11, "g");
        let e = ServerSecret::from_hex(&bad).unwrap_err();
        assert_eq!(e, SecretError::NotHex { position: 11 });
        assert!(!e.to_string().contains(KEY));
        // Multi-byte characters count as characters, not bytes.
        let e = ServerSecret::from_hex(&"é".repeat(64)).unwrap_err();
        assert_eq!(e, SecretError::NotHex { position: 1 });
    }

    #[test]
    fn debug_is_redacted() {
        let s = ServerSecret::from_hex(KEY).unwrap();
        assert_eq!(format!("{s:?}"), "ServerSecret(<redacted>)");
    }

    #[test]
    fn generate_is_random() {
        assert_ne!(
            ServerSecret::generate().to_hex(),
            ServerSecret::generate().to_hex()
        );
    }

    #[test]
    fn mac_known_answer() {
        // python3: hmac.new(bytes(range(32)), b"otp\x00123456", hashlib.sha256).hexdigest()
        let s = ServerSecret::from_hex(KEY).unwrap();
        assert_eq!(
            s.mac_hex("otp", b"123456"),
            "b488a33ed1fcd6c4c46ce1fb728e27dc97d3f3883bcd153b630c8b49136e3512"
        );
        assert_ne!(s.mac_hex("otp", b"123456"), s.mac_hex("otq", b"123456"));
    }
}
