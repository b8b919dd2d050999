//! EU Digital COVID Certificate (`HC1:`) verification against the signer's
//! X.509 certificate: the same chain as a card (prefix → Base45 → zlib →
//! COSE_Sign1 → CWT), which ties attesta's decoder to the EU's independent
//! test vectors. ES256 and PS256, both verified with ring. The COVID
//! schema and the certificate's key-usage OIDs are not checked.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciborium::Value;
use coset::CoseSign1;
use sha2::{Digest as _, Sha256};
use x509_cert::der::Decode as _;

use super::claims::{as_i64, int_key, parse_cbor};
use super::codec::{self, DCC_PREFIX};
use super::cose::{PublicKey, kid_of, parse_sign1, verify_sign1_lenient};
use super::verify::{Outcome, Verdict};

const OID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
const OID_RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
const OID_RSASSA_PSS: &str = "1.2.840.113549.1.1.10";
/// Largest certificate accepted.
pub const MAX_CERT: usize = 64 * 1024;

/// Where the chain broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Unprefix,
    Base45,
    Compression,
    Decode,
}

/// A decoded `HC1:` message: the COSE_Sign1 and its CWT claims.
#[derive(Debug, Clone)]
pub struct Hc1 {
    pub sign1: CoseSign1,
    pub issued_at: Option<i64>,
    pub expires_at: Option<i64>,
}

/// Decodes an `HC1:` payload, saying which stage failed.
pub fn decode_hc1(payload: &str) -> Result<Hc1, (Stage, String)> {
    let b45 = codec::unprefix(payload, DCC_PREFIX).map_err(|e| (Stage::Unprefix, e.to_string()))?;
    let compressed = codec::base45_decode(b45).map_err(|e| (Stage::Base45, e.to_string()))?;
    let cose = codec::zlib_decompress(&compressed, codec::MAX_DECOMPRESSED)
        .map_err(|e| (Stage::Compression, e.to_string()))?;
    decode_cose(&cose)
}

/// The COSE stage alone.
pub fn decode_cose(cose: &[u8]) -> Result<Hc1, (Stage, String)> {
    let sign1 = parse_sign1(cose).map_err(|e| (Stage::Decode, e.to_string()))?;
    let payload = sign1
        .payload
        .as_deref()
        .ok_or((Stage::Decode, "no payload".into()))?;
    let Ok(Value::Map(entries)) = parse_cbor(payload) else {
        return Err((Stage::Decode, "the CWT claims are not a CBOR map".into()));
    };
    let get = |k: i64| {
        entries
            .iter()
            .find(|(key, _)| int_key(key) == Some(k))
            .map(|(_, v)| v)
    };
    // hcert (-260) → 1 → the certificate, a map (its schema is not checked).
    let dgc = get(-260)
        .and_then(Value::as_map)
        .and_then(|m| m.iter().find(|(k, _)| int_key(k) == Some(1)))
        .map(|(_, v)| v);
    if !dgc.is_some_and(Value::is_map) {
        return Err((
            Stage::Decode,
            "no hcert (-260) map with a certificate (1)".into(),
        ));
    }
    let issued_at = get(6).and_then(as_i64);
    let expires_at = get(4).and_then(as_i64);
    Ok(Hc1 {
        sign1,
        issued_at,
        expires_at,
    })
}

/// The certificate's DER from DER, PEM, or bare base64.
pub fn cert_der(input: &[u8]) -> Result<Vec<u8>, String> {
    if input.len() > MAX_CERT {
        return Err("the certificate file is too large".into());
    }
    if input.first() == Some(&0x30) {
        return Ok(input.to_vec());
    }
    let text = std::str::from_utf8(input).map_err(|_| "the certificate is neither DER nor PEM")?;
    let body: String = match text.find("-----BEGIN CERTIFICATE-----") {
        Some(start) => {
            let rest = &text[start + "-----BEGIN CERTIFICATE-----".len()..];
            let end = rest
                .find("-----END CERTIFICATE-----")
                .ok_or("unterminated PEM")?;
            rest[..end].split_whitespace().collect()
        }
        None => text.split_whitespace().collect(),
    };
    STANDARD
        .decode(body)
        .map_err(|_| "the certificate is neither DER nor PEM".into())
}

/// The public key in a certificate and the DCC key id (first 8 bytes of
/// SHA-256 of the certificate DER).
pub fn cert_key(der: &[u8]) -> Result<(PublicKey, Vec<u8>), String> {
    let cert = x509_cert::Certificate::from_der(der)
        .map_err(|e| format!("not an X.509 certificate: {e}"))?;
    let spki = cert.tbs_certificate().subject_public_key_info();
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or("the public key is not whole bytes")?
        .to_vec();
    let oid = spki.algorithm.oid.to_string();
    let key = match oid.as_str() {
        OID_EC_PUBLIC_KEY => PublicKey::Es256(key),
        OID_RSA_ENCRYPTION | OID_RSASSA_PSS => PublicKey::Ps256(key),
        other => return Err(format!("unsupported public key algorithm {other}")),
    };
    Ok((key, Sha256::digest(der)[..8].to_vec()))
}

/// The kid rule and the signature.
pub fn check_signature(hc1: &Hc1, cert_der: &[u8]) -> Result<(), String> {
    let (key, cert_kid) = cert_key(cert_der)?;
    let kid = kid_of(&hc1.sign1);
    if kid != cert_kid.as_slice() {
        return Err("the kid does not match the certificate".into());
    }
    verify_sign1_lenient(&hc1.sign1, &key).map_err(|e| e.to_string())
}

/// `iat <= now < exp`.
pub fn check_times(hc1: &Hc1, now: i64) -> Result<(), (Outcome, String)> {
    let exp = hc1
        .expires_at
        .ok_or((Outcome::InvalidSignature, "malformed: no expiry".to_owned()))?;
    if hc1.issued_at.is_some_and(|iat| now < iat) {
        return Err((
            Outcome::NotYetValid,
            "the check time is before the issue time".into(),
        ));
    }
    if now >= exp {
        return Err((Outcome::Expired, "the expiry has passed".into()));
    }
    Ok(())
}

/// Full verification of an `HC1:` payload (no status list applies).
pub fn verify_hc1(payload: &str, cert: &[u8], now: i64) -> Verdict {
    let der = match cert_der(cert) {
        Ok(d) => d,
        Err(e) => return Verdict::new(Outcome::InvalidSignature, e),
    };
    let hc1 = match decode_hc1(payload) {
        Ok(h) => h,
        Err((_, e)) => return Verdict::malformed(e),
    };
    if let Err(e) = check_signature(&hc1, &der) {
        return Verdict::new(Outcome::InvalidSignature, e);
    }
    let mut v = match check_times(&hc1, now) {
        Ok(()) => Verdict::new(
            Outcome::Valid,
            "signature and validity period check out (EU DCC; no status list applies)",
        ),
        Err((o, r)) => Verdict::new(o, r),
    };
    v.expires_at = hc1.expires_at;
    v.issued_at = hc1.issued_at;
    v
}
