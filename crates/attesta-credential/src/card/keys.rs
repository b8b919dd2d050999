//! Card signing keys (ES256, P-256): the key id rule, the JWK and JWK Set
//! (RFC 7517) the verifiers download, and the private key in PKCS#8.
//!
//! `kid` = base64url (no padding) of the first 8 bytes of SHA-256 of the
//! public key's SubjectPublicKeyInfo DER; the COSE header carries the 8 raw
//! bytes.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer as _;
use p256::elliptic_curve::Generate as _;
use p256::pkcs8::{DecodePrivateKey as _, EncodePrivateKey as _, LineEnding};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use super::cose::{CoseSigner, PublicKey, SignError};

/// SubjectPublicKeyInfo DER prefix of an uncompressed P-256 point
/// (id-ecPublicKey, prime256v1, BIT STRING of 66 bytes).
const P256_SPKI_PREFIX: [u8; 26] = [
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a,
    0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
];

/// Largest JWK Set accepted by the verifier.
pub const MAX_JWKS: usize = 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("not a P-256 private key in PKCS#8: {0}")]
    Private(String),
    #[error("not a valid P-256 public key")]
    Public,
    #[error("not a JWK Set: {0}")]
    Jwks(String),
    #[error("not a key id (11 base64url characters for 8 bytes)")]
    Kid,
}

/// A key id: 8 bytes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Kid(pub [u8; 8]);

impl Kid {
    pub fn from_spki_der(der: &[u8]) -> Self {
        let digest = Sha256::digest(der);
        let mut kid = [0u8; 8];
        kid.copy_from_slice(&digest[..8]);
        Kid(kid)
    }

    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| KeyError::Kid)?;
        Ok(Kid(bytes.try_into().map_err(|_| KeyError::Kid)?))
    }

    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Kid)
    }
}

impl fmt::Display for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&URL_SAFE_NO_PAD.encode(self.0))
    }
}

impl fmt::Debug for Kid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Kid({self})")
    }
}

/// A P-256 public key.
#[derive(Clone, PartialEq, Eq)]
pub struct CardPublicKey {
    point: [u8; 65],
    /// Derived from `point` once: a verifier looks keys up by kid on every
    /// check (hashing each key's SPKI per check cost more than the rest of
    /// the lookup).
    kid: Kid,
}

impl fmt::Debug for CardPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardPublicKey({})", self.kid())
    }
}

impl CardPublicKey {
    /// From the SEC1 uncompressed point (checked to be on the curve).
    pub fn from_sec1(bytes: &[u8]) -> Result<Self, KeyError> {
        p256::ecdsa::VerifyingKey::from_sec1_bytes(bytes).map_err(|_| KeyError::Public)?;
        let point: [u8; 65] = bytes.try_into().map_err(|_| KeyError::Public)?;
        Ok(Self::from_point(point))
    }

    fn from_point(point: [u8; 65]) -> Self {
        let mut der = [0u8; P256_SPKI_PREFIX.len() + 65];
        der[..P256_SPKI_PREFIX.len()].copy_from_slice(&P256_SPKI_PREFIX);
        der[P256_SPKI_PREFIX.len()..].copy_from_slice(&point);
        Self {
            point,
            kid: Kid::from_spki_der(&der),
        }
    }

    pub fn spki_der(&self) -> Vec<u8> {
        let mut der = P256_SPKI_PREFIX.to_vec();
        der.extend_from_slice(&self.point);
        der
    }

    pub fn kid(&self) -> Kid {
        self.kid
    }

    /// The SEC1 uncompressed point (65 bytes), as ring takes it.
    pub fn sec1_point(&self) -> &[u8; 65] {
        &self.point
    }

    pub fn verification_key(&self) -> PublicKey {
        PublicKey::Es256(self.point.to_vec())
    }

    /// The JWK (RFC 7517/7518): EC, P-256, `x`, `y`, `kid`, `alg`, `use`.
    pub fn to_jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(&self.point[1..33]),
            "y": URL_SAFE_NO_PAD.encode(&self.point[33..65]),
            "kid": self.kid().to_string(),
            "alg": "ES256",
            "use": "sig",
        })
    }

    /// Reads a JWK; the `kid`, when present, must follow the rule.
    pub fn from_jwk(jwk: &Value) -> Result<Self, KeyError> {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        if field("kty") != Some("EC") || field("crv") != Some("P-256") {
            return Err(KeyError::Jwks("only EC P-256 keys are supported".into()));
        }
        let coord = |name: &str| -> Result<Vec<u8>, KeyError> {
            let bytes = URL_SAFE_NO_PAD
                .decode(field(name).unwrap_or_default())
                .map_err(|_| KeyError::Public)?;
            if bytes.len() == 32 {
                Ok(bytes)
            } else {
                Err(KeyError::Public)
            }
        };
        let mut point = vec![0x04];
        point.extend(coord("x")?);
        point.extend(coord("y")?);
        let key = Self::from_sec1(&point)?;
        if let Some(kid) = field("kid")
            && kid != key.kid().to_string()
        {
            return Err(KeyError::Jwks(format!("kid {kid} does not match the key")));
        }
        Ok(key)
    }
}

/// The keys a verifier trusts, found by `kid`.
#[derive(Debug, Clone, Default)]
pub struct KeySet {
    keys: Vec<CardPublicKey>,
}

impl KeySet {
    pub fn new(keys: Vec<CardPublicKey>) -> Self {
        Self { keys }
    }

    /// Parses a JWK Set as served at `/.well-known/attesta/keys.json`.
    /// Keys that are not P-256 or break the `kid` rule are skipped.
    pub fn from_jwks(bytes: &[u8]) -> Result<Self, KeyError> {
        if bytes.len() > MAX_JWKS {
            return Err(KeyError::Jwks("too large".into()));
        }
        let value: Value =
            serde_json::from_slice(bytes).map_err(|e| KeyError::Jwks(e.to_string()))?;
        let keys = value
            .get("keys")
            .and_then(Value::as_array)
            .ok_or_else(|| KeyError::Jwks("no \"keys\" array".into()))?;
        Ok(Self {
            keys: keys
                .iter()
                .filter_map(|k| CardPublicKey::from_jwk(k).ok())
                .collect(),
        })
    }

    pub fn to_jwks(&self) -> Value {
        json!({ "keys": self.keys.iter().map(CardPublicKey::to_jwk).collect::<Vec<_>>() })
    }

    pub fn find(&self, kid: &[u8]) -> Option<&CardPublicKey> {
        self.keys.iter().find(|k| k.kid.0 == kid)
    }

    pub fn keys(&self) -> &[CardPublicKey] {
        &self.keys
    }
}

/// A P-256 private key that signs cards. `Debug` shows only the `kid`.
#[derive(Clone)]
pub struct CardSigningKey {
    key: p256::ecdsa::SigningKey,
    public: CardPublicKey,
}

impl fmt::Debug for CardSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CardSigningKey({}, private key redacted)",
            self.public.kid()
        )
    }
}

impl CardSigningKey {
    /// A fresh key from the operating system's random source.
    pub fn generate() -> Self {
        Self::from_key(p256::ecdsa::SigningKey::generate())
    }

    fn from_key(key: p256::ecdsa::SigningKey) -> Self {
        let sec1 = key.verifying_key().to_sec1_point(false);
        let point: [u8; 65] = sec1
            .as_bytes()
            .try_into()
            .expect("an uncompressed P-256 point has 65 bytes");
        Self {
            key,
            public: CardPublicKey::from_point(point),
        }
    }

    /// Reads a PKCS#8 private key (PEM `-----BEGIN PRIVATE KEY-----`).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self, KeyError> {
        p256::ecdsa::SigningKey::from_pkcs8_pem(pem)
            .map(Self::from_key)
            .map_err(|e| KeyError::Private(e.to_string()))
    }

    /// PKCS#8 PEM, zeroised when dropped.
    pub fn to_pkcs8_pem(&self) -> Result<zeroize_string::Secret, KeyError> {
        self.key
            .to_pkcs8_pem(LineEnding::LF)
            .map(zeroize_string::Secret)
            .map_err(|e| KeyError::Private(e.to_string()))
    }

    pub fn public(&self) -> &CardPublicKey {
        &self.public
    }

    pub fn kid(&self) -> Kid {
        self.public.kid()
    }
}

impl CoseSigner for CardSigningKey {
    fn kid(&self) -> [u8; 8] {
        self.public.kid().0
    }

    fn sign(&self, to_be_signed: &[u8]) -> Result<[u8; 64], SignError> {
        let sig: p256::ecdsa::Signature = self.key.sign(to_be_signed);
        sig.to_bytes()
            .as_slice()
            .try_into()
            .map_err(|_| SignError::Unavailable("unexpected signature length".into()))
    }
}

/// A PEM string that is zeroised on drop.
pub mod zeroize_string {
    /// The PEM text; read it with [`Secret::expose`].
    pub struct Secret(pub(super) p256::elliptic_curve::zeroize::Zeroizing<String>);

    impl Secret {
        pub fn expose(&self) -> &str {
            &self.0
        }
    }

    impl std::fmt::Debug for Secret {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Secret(redacted)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kid_follows_the_rule_and_jwk_round_trips() {
        let key = CardSigningKey::generate();
        let public = key.public().clone();
        // The hand-built SPKI equals the one p256 writes.
        use p256::pkcs8::EncodePublicKey as _;
        let der = key.key.verifying_key().to_public_key_der().unwrap();
        assert_eq!(der.as_bytes(), public.spki_der().as_slice());
        let jwk = public.to_jwk();
        assert_eq!(CardPublicKey::from_jwk(&jwk).unwrap(), public);
        assert_eq!(jwk["kid"].as_str().unwrap().len(), 11);
        let set = KeySet::from_jwks(
            KeySet::new(vec![public.clone()])
                .to_jwks()
                .to_string()
                .as_bytes(),
        )
        .unwrap();
        assert!(set.find(&public.kid().0).is_some());
    }

    #[test]
    fn pkcs8_round_trip() {
        let key = CardSigningKey::generate();
        let pem = key.to_pkcs8_pem().unwrap();
        assert!(pem.expose().starts_with("-----BEGIN PRIVATE KEY-----"));
        let back = CardSigningKey::from_pkcs8_pem(pem.expose()).unwrap();
        assert_eq!(back.kid(), key.kid());
        assert!(!format!("{key:?}").contains("BEGIN"));
    }
}
