//! The card's CWT claims (SPEC §5): issuer (1), expiry (4), issued-at (6),
//! the card serial (−65537, text) and the status-list reference (65535,
//! `{"status_list": {"idx", "uri"}}`) — nothing else.

use ciborium::Value;

pub const CLAIM_ISS: i64 = 1;
pub const CLAIM_EXP: i64 = 4;
pub const CLAIM_IAT: i64 = 6;
pub const CLAIM_SERIAL: i64 = -65537;
pub const CLAIM_STATUS: i64 = 65535;

const MAX_TEXT_CLAIM: usize = 512;
/// Nesting allowed when parsing any CBOR here.
pub(crate) const CBOR_RECURSION_LIMIT: usize = 16;

/// Where the card's revocation bit lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRef {
    pub idx: u64,
    pub uri: String,
}

/// The claims of a card credential. Times are CWT NumericDates (seconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardClaims {
    pub issuer: String,
    pub expires_at: i64,
    pub issued_at: i64,
    pub serial: String,
    pub status: StatusRef,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimsError {
    #[error("the claims are not valid CBOR")]
    Cbor,
    #[error("the claims are not a CBOR map with integer keys")]
    NotAMap,
    #[error("claim {0} is missing or has the wrong type")]
    Claim(i64),
    #[error("unexpected claim {0}: a card carries only claims 1, 4, 6, 65535 and -65537")]
    Unexpected(String),
}

pub(crate) fn parse_cbor(bytes: &[u8]) -> Result<Value, ClaimsError> {
    ciborium::de::from_reader_with_recursion_limit(bytes, CBOR_RECURSION_LIMIT)
        .map_err(|_| ClaimsError::Cbor)
}

pub(crate) fn int_key(v: &Value) -> Option<i64> {
    v.as_integer().and_then(|i| i64::try_from(i).ok())
}

pub(crate) fn as_i64(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => i64::try_from(*i).ok(),
        // NumericDate may be a float in other issuers' CWTs.
        Value::Float(f) if f.is_finite() && f.abs() < 1e15 => Some(*f as i64),
        _ => None,
    }
}

fn text(v: &Value) -> Option<&str> {
    v.as_text().filter(|t| t.len() <= MAX_TEXT_CLAIM)
}

impl CardClaims {
    /// Deterministic CBOR (keys in RFC 8949 §4.2.1 order).
    pub fn to_cbor(&self) -> Vec<u8> {
        let status = Value::Map(vec![(
            Value::Text("status_list".into()),
            Value::Map(vec![
                (
                    Value::Text("idx".into()),
                    Value::Integer(self.status.idx.into()),
                ),
                (
                    Value::Text("uri".into()),
                    Value::Text(self.status.uri.clone()),
                ),
            ]),
        )]);
        let map = Value::Map(vec![
            (
                Value::Integer(CLAIM_ISS.into()),
                Value::Text(self.issuer.clone()),
            ),
            (
                Value::Integer(CLAIM_EXP.into()),
                Value::Integer(self.expires_at.into()),
            ),
            (
                Value::Integer(CLAIM_IAT.into()),
                Value::Integer(self.issued_at.into()),
            ),
            (Value::Integer(CLAIM_STATUS.into()), status),
            (
                Value::Integer(CLAIM_SERIAL.into()),
                Value::Text(self.serial.clone()),
            ),
        ]);
        let mut out = Vec::new();
        // Serialising a Value into a Vec cannot fail.
        let _ = ciborium::ser::into_writer(&map, &mut out);
        out
    }

    /// Parses and checks the claims: all five present with their types,
    /// nothing else.
    pub fn from_cbor(bytes: &[u8]) -> Result<Self, ClaimsError> {
        let value = parse_cbor(bytes)?;
        let Value::Map(entries) = value else {
            return Err(ClaimsError::NotAMap);
        };
        let (mut iss, mut exp, mut iat, mut serial, mut status) = (None, None, None, None, None);
        for (k, v) in &entries {
            let key = int_key(k).ok_or(ClaimsError::NotAMap)?;
            let slot_taken = match key {
                CLAIM_ISS => iss
                    .replace(text(v).ok_or(ClaimsError::Claim(key))?.to_owned())
                    .is_some(),
                CLAIM_EXP => exp
                    .replace(as_i64(v).ok_or(ClaimsError::Claim(key))?)
                    .is_some(),
                CLAIM_IAT => iat
                    .replace(as_i64(v).ok_or(ClaimsError::Claim(key))?)
                    .is_some(),
                CLAIM_SERIAL => serial
                    .replace(
                        text(v)
                            .filter(|s| !s.is_empty())
                            .ok_or(ClaimsError::Claim(key))?
                            .to_owned(),
                    )
                    .is_some(),
                CLAIM_STATUS => status
                    .replace(status_ref(v).ok_or(ClaimsError::Claim(key))?)
                    .is_some(),
                other => return Err(ClaimsError::Unexpected(other.to_string())),
            };
            if slot_taken {
                return Err(ClaimsError::Unexpected(format!("{key} (twice)")));
            }
        }
        Ok(Self {
            issuer: iss.ok_or(ClaimsError::Claim(CLAIM_ISS))?,
            expires_at: exp.ok_or(ClaimsError::Claim(CLAIM_EXP))?,
            issued_at: iat.ok_or(ClaimsError::Claim(CLAIM_IAT))?,
            serial: serial.ok_or(ClaimsError::Claim(CLAIM_SERIAL))?,
            status: status.ok_or(ClaimsError::Claim(CLAIM_STATUS))?,
        })
    }
}

fn map_get<'a>(entries: &'a [(Value, Value)], name: &str) -> Option<&'a Value> {
    entries
        .iter()
        .find(|(k, _)| k.as_text() == Some(name))
        .map(|(_, v)| v)
}

fn status_ref(v: &Value) -> Option<StatusRef> {
    let outer = v.as_map()?;
    let inner = map_get(outer, "status_list")?.as_map()?;
    let idx = map_get(inner, "idx")?
        .as_integer()
        .and_then(|i| u64::try_from(i).ok())?;
    let uri = text(map_get(inner, "uri")?)?.to_owned();
    Some(StatusRef { idx, uri })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CardClaims {
        CardClaims {
            issuer: "https://attesta.example.it".into(),
            expires_at: 2_000_000_000,
            issued_at: 1_700_000_000,
            serial: "EUDC-IT-0001".into(),
            status: StatusRef {
                idx: 42,
                uri: "https://attesta.example.it/api/v1/status-lists/a".into(),
            },
        }
    }

    #[test]
    fn round_trip_and_key_order() {
        let c = sample();
        let bytes = c.to_cbor();
        assert_eq!(CardClaims::from_cbor(&bytes).unwrap(), c);
        // map(5), key 1 first, key -65537 (0x3a 00010000) last.
        assert_eq!(bytes[0], 0xa5);
        assert_eq!(bytes[1], 0x01);
    }

    #[test]
    fn extra_claims_are_refused() {
        let mut v: Value = ciborium::de::from_reader(&sample().to_cbor()[..]).unwrap();
        if let Value::Map(m) = &mut v {
            m.push((Value::Integer(2.into()), Value::Text("x".into())));
        }
        let mut out = Vec::new();
        ciborium::ser::into_writer(&v, &mut out).unwrap();
        assert!(matches!(
            CardClaims::from_cbor(&out),
            Err(ClaimsError::Unexpected(_))
        ));
    }
}
