//! The IETF Token Status List (draft-ietf-oauth-status-list): a byte array
//! of `bits`-wide statuses, index 0 in the least significant bits of byte
//! 0, compressed with zlib; base64url in the JSON form, a byte string in
//! the CWT form. attesta writes 1 bit per card (0 valid, 1 revoked); the
//! decoder reads 1, 2, 4 and 8.
//!
//! The CWT: COSE_Sign1 (ES256, `kid`, `typ` `application/statuslist+cwt`)
//! over claims `sub` (2) = the list's URI, `iat` (6), `exp` (4), `ttl`
//! (65534) and `status_list` (65533) = `{"bits", "lst"}`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ciborium::Value;
use serde_json::json;

use super::claims::{as_i64, int_key, parse_cbor};
use super::codec::{zlib_compress, zlib_decompress};
use super::cose::{CoseSigner, SignError, kid_of, parse_sign1, prepare_sign1, verify_sign1};
use super::keys::KeySet;

pub const STATUS_LIST_TYP: &str = "application/statuslist+cwt";
/// The JWT form's `typ` (its media type is `application/statuslist+jwt`).
pub const STATUS_LIST_JWT_TYP: &str = "statuslist+jwt";
pub const CLAIM_SUB: i64 = 2;
pub const CLAIM_TTL: i64 = 65534;
pub const CLAIM_STATUS_LIST: i64 = 65533;

/// Largest status list token accepted (compressed).
pub const MAX_TOKEN: usize = 4 * 1024 * 1024;
/// Largest decompressed byte array (32 Mi one-bit entries).
pub const MAX_LIST_BYTES: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatusListError {
    #[error("bits must be 1, 2, 4 or 8")]
    Bits,
    #[error("lst is not base64url")]
    Base64,
    #[error("lst is not a valid zlib stream, or too large")]
    Compression,
    #[error("the status list token is too large")]
    TooLarge,
    #[error("the status list token is malformed: {0}")]
    Malformed(&'static str),
    #[error("no published key has kid {0}")]
    UnknownKey(String),
    #[error("the status list token's signature does not verify")]
    Signature,
}

/// The statuses of many tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusList {
    bits: u8,
    bytes: Vec<u8>,
}

fn check_bits(bits: u8) -> Result<(), StatusListError> {
    if matches!(bits, 1 | 2 | 4 | 8) {
        Ok(())
    } else {
        Err(StatusListError::Bits)
    }
}

impl StatusList {
    /// Room for `len` statuses, all 0.
    pub fn new(bits: u8, len: usize) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        let n = (len * bits as usize).div_ceil(8);
        if n > MAX_LIST_BYTES {
            return Err(StatusListError::TooLarge);
        }
        Ok(Self {
            bits,
            bytes: vec![0; n],
        })
    }

    pub fn from_bytes(bits: u8, bytes: Vec<u8>) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        Ok(Self { bits, bytes })
    }

    pub fn bits(&self) -> u8 {
        self.bits
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// How many statuses it holds.
    pub fn len(&self) -> usize {
        self.bytes.len() * 8 / self.bits as usize
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The status at `idx`, or `None` out of range.
    pub fn get(&self, idx: u64) -> Option<u8> {
        let bits = u64::from(self.bits);
        let bit = idx.checked_mul(bits)?;
        let byte = *self.bytes.get(usize::try_from(bit / 8).ok()?)?;
        let mask = ((1u16 << bits) - 1) as u8;
        Some((byte >> (bit % 8)) & mask)
    }

    /// Sets the status at `idx`; false when out of range or too wide.
    pub fn set(&mut self, idx: u64, status: u8) -> bool {
        let bits = u64::from(self.bits);
        let mask = ((1u16 << bits) - 1) as u8;
        if status & !mask != 0 {
            return false;
        }
        let Some(bit) = idx.checked_mul(bits) else {
            return false;
        };
        let Some(byte) = usize::try_from(bit / 8)
            .ok()
            .and_then(|i| self.bytes.get_mut(i))
        else {
            return false;
        };
        let shift = bit % 8;
        *byte = (*byte & !(mask << shift)) | (status << shift);
        true
    }

    /// The zlib-compressed byte array.
    pub fn compressed(&self) -> Vec<u8> {
        zlib_compress(&self.bytes)
    }

    /// The `lst` of the JSON form: base64url (no padding) of the compressed array.
    pub fn lst(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.compressed())
    }

    pub fn from_compressed(bits: u8, compressed: &[u8]) -> Result<Self, StatusListError> {
        check_bits(bits)?;
        if compressed.len() > MAX_TOKEN {
            return Err(StatusListError::TooLarge);
        }
        let bytes = zlib_decompress(compressed, MAX_LIST_BYTES)
            .map_err(|_| StatusListError::Compression)?;
        Ok(Self { bits, bytes })
    }

    pub fn from_lst(bits: u8, lst: &str) -> Result<Self, StatusListError> {
        if lst.len() > MAX_TOKEN * 4 / 3 + 4 {
            return Err(StatusListError::TooLarge);
        }
        let compressed = URL_SAFE_NO_PAD
            .decode(lst.trim_end_matches('='))
            .map_err(|_| StatusListError::Base64)?;
        Self::from_compressed(bits, &compressed)
    }

    /// The JSON form `{"bits", "lst"}`.
    pub fn to_json(&self) -> serde_json::Value {
        json!({ "bits": self.bits, "lst": self.lst() })
    }
}

/// A status list with its token claims.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusListToken {
    /// The URI the cards carry (`sub`).
    pub uri: String,
    /// Issued at (seconds).
    pub issued_at: i64,
    /// Expiry (seconds), if any.
    pub expires_at: Option<i64>,
    /// How long a verifier may keep it (seconds), if given.
    pub ttl: Option<i64>,
    pub list: StatusList,
}

impl StatusListToken {
    /// Whether the token is still usable at `now`: before its `exp` and
    /// within `ttl` of its `iat`.
    pub fn is_fresh(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|exp| now < exp)
            && self
                .ttl
                .is_none_or(|ttl| now < self.issued_at.saturating_add(ttl))
    }

    fn claims_cbor(&self) -> Vec<u8> {
        let mut map = vec![
            (
                Value::Integer(CLAIM_SUB.into()),
                Value::Text(self.uri.clone()),
            ),
            (
                Value::Integer(6.into()),
                Value::Integer(self.issued_at.into()),
            ),
        ];
        if let Some(exp) = self.expires_at {
            map.insert(1, (Value::Integer(4.into()), Value::Integer(exp.into())));
        }
        if let Some(ttl) = self.ttl {
            map.push((Value::Integer(CLAIM_TTL.into()), Value::Integer(ttl.into())));
        }
        map.push((
            Value::Integer(CLAIM_STATUS_LIST.into()),
            Value::Map(vec![
                (
                    Value::Text("bits".into()),
                    Value::Integer(self.list.bits.into()),
                ),
                (
                    Value::Text("lst".into()),
                    Value::Bytes(self.list.compressed()),
                ),
            ]),
        ));
        let mut out = Vec::new();
        let _ = ciborium::ser::into_writer(&Value::Map(map), &mut out);
        out
    }

    /// The signed CWT (`application/statuslist+cwt`).
    pub fn sign(&self, signer: &dyn CoseSigner) -> Result<Vec<u8>, SignError> {
        prepare_sign1(signer.kid(), Some(STATUS_LIST_TYP), self.claims_cbor()).sign_with(signer)
    }

    /// The signed JWT (`application/statuslist+jwt`): header `alg` ES256,
    /// `typ` `statuslist+jwt`, `kid`; claims `sub`, `iat`, `exp`, `ttl`,
    /// `status_list` `{"bits", "lst"}` (base64url of the zlib stream).
    pub fn sign_jwt(&self, signer: &dyn CoseSigner) -> Result<String, SignError> {
        let mut payload = json!({
            "sub": self.uri,
            "iat": self.issued_at,
            "status_list": self.list.to_json(),
        });
        if let Some(exp) = self.expires_at {
            payload["exp"] = json!(exp);
        }
        if let Some(ttl) = self.ttl {
            payload["ttl"] = json!(ttl);
        }
        let header = json!({
            "alg": "ES256",
            "typ": STATUS_LIST_JWT_TYP,
            "kid": super::keys::Kid(signer.kid()).to_string(),
        });
        super::sd_jwt::sign_jwt(&header, &payload, signer)
    }

    /// Verifies a status list JWT with `keys` and reads it.
    pub fn from_jwt(text: &str, keys: &KeySet) -> Result<Self, StatusListError> {
        if text.len() > MAX_TOKEN * 2 {
            return Err(StatusListError::TooLarge);
        }
        let jwt = super::sd_jwt::Jwt::parse(text.trim())
            .map_err(|_| StatusListError::Malformed("not a JWT"))?;
        let kid = jwt
            .header
            .get("kid")
            .and_then(serde_json::Value::as_str)
            .ok_or(StatusListError::Malformed("no kid"))?;
        let key = super::keys::Kid::parse(kid)
            .ok()
            .and_then(|k| keys.find(&k.0))
            .ok_or_else(|| StatusListError::UnknownKey(kid.to_owned()))?;
        jwt.verify(key, STATUS_LIST_JWT_TYP, "status list")
            .map_err(|_| StatusListError::Signature)?;
        let get = |name: &str| jwt.payload.get(name);
        let int = |name: &str| get(name).and_then(serde_json::Value::as_i64);
        let sl = get("status_list").ok_or(StatusListError::Malformed("no status_list"))?;
        let bits = sl
            .get("bits")
            .and_then(serde_json::Value::as_u64)
            .and_then(|b| u8::try_from(b).ok())
            .ok_or(StatusListError::Malformed("no bits"))?;
        let lst = sl
            .get("lst")
            .and_then(serde_json::Value::as_str)
            .ok_or(StatusListError::Malformed("no lst"))?;
        Ok(Self {
            uri: get("sub")
                .and_then(serde_json::Value::as_str)
                .ok_or(StatusListError::Malformed("no sub"))?
                .to_owned(),
            issued_at: int("iat").ok_or(StatusListError::Malformed("no iat"))?,
            expires_at: int("exp"),
            ttl: int("ttl"),
            list: StatusList::from_lst(bits, lst)?,
        })
    }

    /// Verifies a CWT with `keys` and reads it.
    pub fn from_cwt(bytes: &[u8], keys: &KeySet) -> Result<Self, StatusListError> {
        if bytes.len() > MAX_TOKEN {
            return Err(StatusListError::TooLarge);
        }
        let sign1 = parse_sign1(bytes).map_err(|_| StatusListError::Malformed("not COSE_Sign1"))?;
        let kid = kid_of(&sign1);
        let key = keys
            .find(kid)
            .ok_or_else(|| StatusListError::UnknownKey(URL_SAFE_NO_PAD.encode(kid)))?;
        verify_sign1(&sign1, &key.verification_key()).map_err(|_| StatusListError::Signature)?;
        let payload = sign1
            .payload
            .as_deref()
            .ok_or(StatusListError::Malformed("no payload"))?;
        Self::from_claims(payload)
    }

    fn from_claims(payload: &[u8]) -> Result<Self, StatusListError> {
        let Value::Map(entries) =
            parse_cbor(payload).map_err(|_| StatusListError::Malformed("claims are not CBOR"))?
        else {
            return Err(StatusListError::Malformed("claims are not a map"));
        };
        let get = |k: i64| {
            entries
                .iter()
                .find(|(key, _)| int_key(key) == Some(k))
                .map(|(_, v)| v)
        };
        let uri = get(CLAIM_SUB)
            .and_then(Value::as_text)
            .ok_or(StatusListError::Malformed("no sub"))?
            .to_owned();
        let issued_at = get(6)
            .and_then(as_i64)
            .ok_or(StatusListError::Malformed("no iat"))?;
        let expires_at = get(4).and_then(as_i64);
        let ttl = get(CLAIM_TTL).and_then(as_i64);
        let sl = get(CLAIM_STATUS_LIST)
            .and_then(Value::as_map)
            .ok_or(StatusListError::Malformed("no status_list"))?;
        let field = |name: &str| {
            sl.iter()
                .find(|(k, _)| k.as_text() == Some(name))
                .map(|(_, v)| v)
        };
        let bits = field("bits")
            .and_then(Value::as_integer)
            .and_then(|i| u8::try_from(i).ok())
            .ok_or(StatusListError::Malformed("no bits"))?;
        let lst = field("lst")
            .and_then(Value::as_bytes)
            .ok_or(StatusListError::Malformed("no lst"))?;
        Ok(Self {
            uri,
            issued_at,
            expires_at,
            ttl,
            list: StatusList::from_compressed(bits, lst)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::CardSigningKey;

    #[test]
    fn bit_layout_is_lsb_first() {
        let mut l = StatusList::new(1, 16).unwrap();
        for i in [0, 3, 4, 5, 7, 8, 9, 13, 15] {
            assert!(l.set(i, 1));
        }
        assert_eq!(l.as_bytes(), &[0xb9, 0xa3]);
        assert_eq!(StatusList::from_lst(1, &l.lst()).unwrap(), l);
        assert_eq!(l.get(16), None);
        assert!(!l.set(16, 1));
        assert!(!l.set(1, 2));
        let mut l2 = StatusList::new(2, 12).unwrap();
        for (i, s) in [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3].into_iter().enumerate() {
            assert!(l2.set(i as u64, s));
        }
        assert_eq!(l2.as_bytes(), &[0xc9, 0x44, 0xf9]);
    }

    #[test]
    fn cwt_round_trip_and_freshness() {
        let key = CardSigningKey::generate();
        let mut list = StatusList::new(1, 1024).unwrap();
        list.set(7, 1);
        let t = StatusListToken {
            uri: "https://x/api/v1/status-lists/a".into(),
            issued_at: 1000,
            expires_at: Some(1000 + 86400),
            ttl: Some(43200),
            list,
        };
        let cwt = t.sign(&key).unwrap();
        let keys = KeySet::new(vec![key.public().clone()]);
        let back = StatusListToken::from_cwt(&cwt, &keys).unwrap();
        assert_eq!(back, t);
        assert!(back.is_fresh(1000 + 43199));
        assert!(!back.is_fresh(1000 + 43200));
        let mut bad = cwt.clone();
        let n = bad.len();
        bad[n - 1] ^= 1;
        assert_eq!(
            StatusListToken::from_cwt(&bad, &keys),
            Err(StatusListError::Signature)
        );
        assert!(matches!(
            StatusListToken::from_cwt(&cwt, &KeySet::default()),
            Err(StatusListError::UnknownKey(_))
        ));
    }

    #[test]
    fn jwt_round_trip_and_tamper() {
        let key = CardSigningKey::generate();
        let mut list = StatusList::new(1, 256).unwrap();
        list.set(9, 1);
        let t = StatusListToken {
            uri: "https://x/api/v1/status-lists/a".into(),
            issued_at: 1000,
            expires_at: Some(1000 + 86400),
            ttl: Some(43200),
            list,
        };
        let jwt = t.sign_jwt(&key).unwrap();
        let keys = KeySet::new(vec![key.public().clone()]);
        assert_eq!(StatusListToken::from_jwt(&jwt, &keys).unwrap(), t);
        let (head, sig) = jwt.rsplit_once('.').unwrap();
        let (h, _) = head.split_once('.').unwrap();
        let forged = format!(
            "{h}.{}.{sig}",
            URL_SAFE_NO_PAD.encode(
                json!({"sub": t.uri, "iat": 1000, "status_list": StatusList::new(1, 256).unwrap().to_json()})
                    .to_string()
            )
        );
        assert_eq!(
            StatusListToken::from_jwt(&forged, &keys),
            Err(StatusListError::Signature)
        );
        assert!(matches!(
            StatusListToken::from_jwt(&jwt, &KeySet::default()),
            Err(StatusListError::UnknownKey(_))
        ));
    }
}
