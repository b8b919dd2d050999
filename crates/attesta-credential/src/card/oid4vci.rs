//! OpenID4VCI 1.0's cryptography for the card in the wallet (issue #19):
//! the wallet's proof of possession of its key (`openid4vci-proof+jwt`,
//! OpenID4VCI 1.0 Appendix F.1) and the holder key's RFC 7638 thumbprint.
//! No clock inside: the check time is an input.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sha2::{Digest as _, Sha256};

use super::keys::CardPublicKey;
use super::sd_jwt::Jwt;

/// `typ` of a proof of possession.
pub const PROOF_TYP: &str = "openid4vci-proof+jwt";
/// How far before the check time a proof's `iat` may be (seconds).
pub const PROOF_MAX_AGE: i64 = 300;
/// How far after the check time a proof's `iat` may be (clock skew).
pub const PROOF_MAX_SKEW: i64 = 60;
/// Largest proof accepted (a JWT with a JWK in its header is well under).
pub const MAX_PROOF: usize = 8 * 1024;

/// Why a proof was refused; the text says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    #[error("the proof is not a JWT: {0}")]
    Malformed(String),
    #[error("the proof's header: {0}")]
    Header(String),
    #[error("the proof's signature does not verify with the key in its header")]
    Signature,
    #[error("the proof's aud must be the credential issuer {0}")]
    Audience(String),
    #[error(
        "the proof's iat must be a number of seconds within {PROOF_MAX_AGE} s before and {PROOF_MAX_SKEW} s after now"
    )]
    IssuedAt,
    #[error("the proof has no nonce: get a c_nonce from the nonce endpoint")]
    NoNonce,
}

/// A proof that checked out: the holder's key and the nonce it carries
/// (still to be used up at the nonce store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidProof {
    pub holder: CardPublicKey,
    pub nonce: String,
}

/// Checks a proof JWT (OpenID4VCI 1.0 §F.1): header `typ`
/// `openid4vci-proof+jwt`, `alg` ES256, a public EC P-256 `jwk` (no private
/// part, no `kid` or `x5c` beside it); payload `aud` = `issuer`, `iat`
/// within −300/+60 s of `now`, a `nonce`; the signature with that key.
pub fn verify_proof(text: &str, issuer: &str, now: i64) -> Result<ValidProof, ProofError> {
    if text.len() > MAX_PROOF {
        return Err(ProofError::Malformed(format!(
            "it is longer than {MAX_PROOF} bytes"
        )));
    }
    let jwt = Jwt::parse(text.trim()).map_err(|e| ProofError::Malformed(e.to_string()))?;
    let header = |s: &str| ProofError::Header(s.to_owned());
    if jwt.header.contains_key("kid") || jwt.header.contains_key("x5c") {
        return Err(header(
            "the key goes in `jwk` only (no `kid` or `x5c`): attesta binds the credential to it",
        ));
    }
    let jwk = jwt
        .header
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| header("it must carry the wallet's public key as `jwk`"))?;
    if jwk.contains_key("d") {
        return Err(header(
            "the `jwk` holds a private key: send the public key only",
        ));
    }
    // The wallet's own `kid`, `alg` or `use` say nothing attesta checks
    // (and `from_jwk` reads a `kid` by attesta's own rule).
    let mut public = jwk.clone();
    for name in ["kid", "alg", "use", "key_ops"] {
        public.remove(name);
    }
    let holder = CardPublicKey::from_jwk(&Value::Object(public))
        .map_err(|e| header(&format!("the `jwk` is not a public EC P-256 key ({e})")))?;
    jwt.verify(&holder, PROOF_TYP, "proof")
        .map_err(|e| match e {
            super::sd_jwt::SdJwtError::Header(h) => ProofError::Header(h),
            _ => ProofError::Signature,
        })?;
    let aud_ok = match jwt.payload.get("aud") {
        Some(Value::String(a)) => a == issuer,
        Some(Value::Array(a)) => a.len() == 1 && a[0].as_str() == Some(issuer),
        _ => false,
    };
    if !aud_ok {
        return Err(ProofError::Audience(issuer.to_owned()));
    }
    let iat = jwt
        .payload
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or(ProofError::IssuedAt)?;
    if iat < now - PROOF_MAX_AGE || iat > now + PROOF_MAX_SKEW {
        return Err(ProofError::IssuedAt);
    }
    let nonce = jwt
        .payload
        .get("nonce")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .ok_or(ProofError::NoNonce)?;
    Ok(ValidProof {
        holder,
        nonce: nonce.to_owned(),
    })
}

/// The key's JWK thumbprint (RFC 7638): SHA-256 over the required members
/// in lexicographic order, base64url without padding.
pub fn jwk_thumbprint(key: &CardPublicKey) -> String {
    let point = key.sec1_point();
    let canonical = format!(
        r#"{{"crv":"P-256","kty":"EC","x":"{}","y":"{}"}}"#,
        URL_SAFE_NO_PAD.encode(&point[1..33]),
        URL_SAFE_NO_PAD.encode(&point[33..65]),
    );
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::CardSigningKey;
    use crate::card::sd_jwt::sign_jwt;
    use serde_json::json;

    const ISS: &str = "https://attesta.example";
    const NOW: i64 = 1_795_000_000;

    fn public_jwk(key: &CardSigningKey) -> Value {
        let mut jwk = key.public().to_jwk();
        jwk.as_object_mut().unwrap().remove("kid");
        jwk
    }

    fn proof(key: &CardSigningKey, header: Value, payload: Value) -> String {
        sign_jwt(&header, &payload, key).unwrap()
    }

    fn good(key: &CardSigningKey) -> String {
        proof(
            key,
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(key)}),
            json!({"aud": ISS, "iat": NOW, "nonce": "n-1"}),
        )
    }

    #[test]
    fn a_good_proof_gives_its_key_and_nonce() {
        let key = CardSigningKey::generate();
        let ok = verify_proof(&good(&key), ISS, NOW).unwrap();
        assert_eq!(&ok.holder, key.public());
        assert_eq!(ok.nonce, "n-1");
        // The freshness window's edges.
        let at = |iat: i64| {
            proof(
                &key,
                json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(&key)}),
                json!({"aud": [ISS], "iat": iat, "nonce": "n"}),
            )
        };
        assert!(verify_proof(&at(NOW - PROOF_MAX_AGE), ISS, NOW).is_ok());
        assert!(verify_proof(&at(NOW + PROOF_MAX_SKEW), ISS, NOW).is_ok());
        assert_eq!(
            verify_proof(&at(NOW - PROOF_MAX_AGE - 1), ISS, NOW),
            Err(ProofError::IssuedAt)
        );
        assert_eq!(
            verify_proof(&at(NOW + PROOF_MAX_SKEW + 1), ISS, NOW),
            Err(ProofError::IssuedAt)
        );
    }

    #[test]
    fn a_proof_for_another_issuer_is_refused() {
        let key = CardSigningKey::generate();
        let text = proof(
            &key,
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(&key)}),
            json!({"aud": "https://other.example", "iat": NOW, "nonce": "n"}),
        );
        assert_eq!(
            verify_proof(&text, ISS, NOW),
            Err(ProofError::Audience(ISS.into()))
        );
    }

    #[test]
    fn a_proof_signed_by_another_key_is_refused() {
        let key = CardSigningKey::generate();
        let other = CardSigningKey::generate();
        let text = proof(
            &other,
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(&key)}),
            json!({"aud": ISS, "iat": NOW, "nonce": "n"}),
        );
        assert_eq!(verify_proof(&text, ISS, NOW), Err(ProofError::Signature));
        // A changed payload under the right key's signature.
        let good = good(&key);
        let parts: Vec<&str> = good.split('.').collect();
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(json!({"aud": ISS, "iat": NOW, "nonce": "n-2"}).to_string()),
            parts[2]
        );
        assert_eq!(verify_proof(&forged, ISS, NOW), Err(ProofError::Signature));
    }

    #[test]
    fn a_bad_header_is_refused_with_its_reason() {
        let key = CardSigningKey::generate();
        let payload = json!({"aud": ISS, "iat": NOW, "nonce": "n"});
        let cases = [
            json!({"typ": "JWT", "alg": "ES256", "jwk": public_jwk(&key)}),
            json!({"typ": PROOF_TYP, "alg": "none", "jwk": public_jwk(&key)}),
            json!({"typ": PROOF_TYP, "alg": "ES256"}),
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(&key), "kid": "k"}),
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}),
        ];
        for header in cases {
            let text = proof(&key, header.clone(), payload.clone());
            assert!(
                matches!(verify_proof(&text, ISS, NOW), Err(ProofError::Header(_))),
                "{header}"
            );
        }
        let mut private = public_jwk(&key);
        private["d"] = json!("AAAA");
        let text = proof(
            &key,
            json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": private}),
            payload,
        );
        assert!(matches!(
            verify_proof(&text, ISS, NOW),
            Err(ProofError::Header(h)) if h.contains("private")
        ));
    }

    #[test]
    fn a_proof_without_nonce_or_iat_or_shape_is_refused() {
        let key = CardSigningKey::generate();
        let h = json!({"typ": PROOF_TYP, "alg": "ES256", "jwk": public_jwk(&key)});
        let no_nonce = proof(&key, h.clone(), json!({"aud": ISS, "iat": NOW}));
        assert_eq!(verify_proof(&no_nonce, ISS, NOW), Err(ProofError::NoNonce));
        let no_iat = proof(&key, h, json!({"aud": ISS, "nonce": "n"}));
        assert_eq!(verify_proof(&no_iat, ISS, NOW), Err(ProofError::IssuedAt));
        assert!(matches!(
            verify_proof("not a jwt", ISS, NOW),
            Err(ProofError::Malformed(_))
        ));
        assert!(matches!(
            verify_proof(&"a".repeat(MAX_PROOF + 1), ISS, NOW),
            Err(ProofError::Malformed(_))
        ));
    }

    /// RFC 7638 §3.1's example is RSA; this is the P-256 key of RFC 7517
    /// Appendix A.1, its thumbprint computed independently (Python's
    /// hashlib over `{"crv","kty","x","y"}` in that order, no spaces).
    #[test]
    fn the_thumbprint_follows_rfc_7638() {
        let key = CardPublicKey::from_jwk(&json!({"kty": "EC", "crv": "P-256",
            "x": "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
            "y": "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}))
        .unwrap();
        assert_eq!(
            jwk_thumbprint(&key),
            "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s"
        );
        assert_eq!(jwk_thumbprint(&key).len(), 43);
    }
}
