//! COSE_Sign1: creating one in three steps (prepare → sign → finalize, so
//! that the signature can come from a hardware key later) and verifying one
//! with ring.

use ciborium::Value;
use coset::{
    AsCborValue, CborSerializable, CoseSign1, CoseSign1Builder, HeaderBuilder,
    TaggedCborSerializable, iana,
};

use super::claims::CBOR_RECURSION_LIMIT;

/// COSE header label of `typ` (RFC 9596).
pub const HEADER_TYP: i64 = 16;
const TAG_COSE_SIGN1: u64 = 18;
const TAG_CWT: u64 = 61;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignError {
    #[error("{0}")]
    Unavailable(String),
}

/// Something that makes ES256 signatures under a key id: a key in memory
/// today, a hardware token tomorrow.
pub trait CoseSigner {
    /// The 8-byte key id put in the protected header.
    fn kid(&self) -> [u8; 8];
    /// ES256 over `to_be_signed`: SHA-256, then ECDSA P-256; the signature
    /// as the 64 bytes `r || s`.
    fn sign(&self, to_be_signed: &[u8]) -> Result<[u8; 64], SignError>;
}

/// A COSE_Sign1 waiting for its signature.
#[derive(Debug, Clone)]
pub struct PreparedSign1 {
    sign1: CoseSign1,
    tbs: Vec<u8>,
}

/// Step 1: the protected header (`alg` ES256, `kid`, and optionally `typ`)
/// and the payload; [`PreparedSign1::to_be_signed`] is what to sign.
pub fn prepare_sign1(kid: [u8; 8], typ: Option<&str>, payload: Vec<u8>) -> PreparedSign1 {
    let mut header = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(kid.to_vec());
    if let Some(typ) = typ {
        header = header.value(HEADER_TYP, Value::Text(typ.to_owned()));
    }
    let sign1 = CoseSign1Builder::new()
        .protected(header.build())
        .payload(payload)
        .build();
    let tbs = sign1.tbs_data(b"");
    PreparedSign1 { sign1, tbs }
}

impl PreparedSign1 {
    /// Step 2 input: the COSE `Sig_structure` bytes.
    pub fn to_be_signed(&self) -> &[u8] {
        &self.tbs
    }

    /// Step 3: the tagged COSE_Sign1 bytes with the signature in place.
    pub fn finalize(mut self, signature: [u8; 64]) -> Vec<u8> {
        self.sign1.signature = signature.to_vec();
        self.sign1.to_tagged_vec().unwrap_or_default()
    }

    /// All three steps with one signer.
    pub fn sign_with(self, signer: &dyn CoseSigner) -> Result<Vec<u8>, SignError> {
        let sig = signer.sign(&self.tbs)?;
        Ok(self.finalize(sig))
    }
}

/// A public key ring can verify with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// P-256, SEC1 uncompressed point (65 bytes).
    Es256(Vec<u8>),
    /// RSA, PKCS#1 `RSAPublicKey` DER (for PS256).
    Ps256(Vec<u8>),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoseError {
    #[error("not a COSE_Sign1 message")]
    Structure,
    #[error("the algorithm is not ES256 or PS256, or does not match the key")]
    Algorithm,
    #[error("the signature does not verify")]
    Signature,
}

/// Parses a COSE_Sign1, tagged (18) or not, also when wrapped in the CWT
/// tag (61).
pub fn parse_sign1(bytes: &[u8]) -> Result<CoseSign1, CoseError> {
    let mut value: Value =
        ciborium::de::from_reader_with_recursion_limit(bytes, CBOR_RECURSION_LIMIT)
            .map_err(|_| CoseError::Structure)?;
    for expected in [TAG_CWT, TAG_COSE_SIGN1] {
        if let Value::Tag(tag, inner) = value {
            if tag != expected && !(expected == TAG_CWT && tag == TAG_COSE_SIGN1) {
                return Err(CoseError::Structure);
            }
            value = *inner;
        }
    }
    CoseSign1::from_cbor_value(value).map_err(|_| CoseError::Structure)
}

/// The key id: the protected header's, else the unprotected one's.
pub fn kid_of(sign1: &CoseSign1) -> &[u8] {
    if sign1.protected.header.key_id.is_empty() {
        &sign1.unprotected.key_id
    } else {
        &sign1.protected.header.key_id
    }
}

/// Checks the signature with ring; the `alg` must be in the protected header
/// and match the key's type.
pub fn verify_sign1(sign1: &CoseSign1, key: &PublicKey) -> Result<(), CoseError> {
    verify_with_alg(sign1, key, sign1.protected.header.alg.as_ref())
}

/// As [`verify_sign1`], but the `alg` may also come from the unprotected
/// header (some EU DCC issuers put it there; the key type still has to
/// match it).
pub fn verify_sign1_lenient(sign1: &CoseSign1, key: &PublicKey) -> Result<(), CoseError> {
    let alg = sign1
        .protected
        .header
        .alg
        .as_ref()
        .or(sign1.unprotected.alg.as_ref());
    verify_with_alg(sign1, key, alg)
}

fn verify_with_alg(
    sign1: &CoseSign1,
    key: &PublicKey,
    alg: Option<&coset::Algorithm>,
) -> Result<(), CoseError> {
    use ring::signature::{ECDSA_P256_SHA256_FIXED, RSA_PSS_2048_8192_SHA256, UnparsedPublicKey};
    let alg = match alg {
        Some(coset::RegisteredLabelWithPrivate::Assigned(a)) => *a,
        _ => return Err(CoseError::Algorithm),
    };
    let tbs = sign1.tbs_data(b"");
    let result = match (alg, key) {
        (iana::Algorithm::ES256, PublicKey::Es256(point)) => {
            if sign1.signature.len() != 64 {
                return Err(CoseError::Signature);
            }
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point).verify(&tbs, &sign1.signature)
        }
        (iana::Algorithm::PS256, PublicKey::Ps256(der)) => {
            UnparsedPublicKey::new(&RSA_PSS_2048_8192_SHA256, der).verify(&tbs, &sign1.signature)
        }
        _ => return Err(CoseError::Algorithm),
    };
    result.map_err(|_| CoseError::Signature)
}

/// Untagged serialisation, for tests that tamper with a message.
pub fn to_untagged(sign1: CoseSign1) -> Vec<u8> {
    sign1.to_vec().unwrap_or_default()
}
