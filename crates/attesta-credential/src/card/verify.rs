//! Issuing a card credential, and the offline verifier with its six
//! outcomes (SPEC §9.12).

use serde::Serialize;

use super::claims::{CardClaims, StatusRef};
use super::codec::{self, CARD_PREFIX, DCC_PREFIX};
use super::cose::{CoseSigner, SignError, kid_of, parse_sign1, prepare_sign1, verify_sign1};
use super::keys::{KeySet, Kid};
use super::status_list::StatusListToken;

/// What a check concludes. Never merged: undetermined is not revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Valid,
    Expired,
    NotYetValid,
    Revoked,
    /// Also for a malformed credential.
    InvalidSignature,
    /// The status list is missing, unreadable, unverifiable or stale.
    Undetermined,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Valid => "valid",
            Outcome::Expired => "expired",
            Outcome::NotYetValid => "not_yet_valid",
            Outcome::Revoked => "revoked",
            Outcome::InvalidSignature => "invalid_signature",
            Outcome::Undetermined => "undetermined",
        }
    }
}

/// The outcome, why, and what the credential says (when it could be read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reason: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub serial: Option<String>,
    /// Seconds since the epoch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    /// The card's status-list reference (once the signature checked out).
    #[serde(skip)]
    pub status: Option<StatusRef>,
}

impl<'a> StatusInput<'a> {
    /// A status list as its URI serves it, told apart by shape: a JWT is
    /// text starting `eyJ`, anything else is taken for the CWT.
    pub fn served(bytes: &'a [u8]) -> Self {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.trim_start().starts_with("eyJ") => StatusInput::Jwt(text.trim()),
            _ => StatusInput::Cwt(bytes),
        }
    }
}

impl Verdict {
    pub(crate) fn new(outcome: Outcome, reason: impl Into<String>) -> Self {
        Self {
            outcome,
            reason: reason.into(),
            serial: None,
            expires_at: None,
            issued_at: None,
            kid: None,
            status: None,
        }
    }

    pub(crate) fn malformed(reason: impl std::fmt::Display) -> Self {
        Self::new(Outcome::InvalidSignature, format!("malformed: {reason}"))
    }
}

/// The status list the verifier has.
#[derive(Debug, Clone, Copy)]
pub enum StatusInput<'a> {
    /// None: the outcome cannot be better than undetermined.
    None,
    /// A status list CWT as served at its URI, verified with the same keys.
    Cwt(&'a [u8]),
    /// The same list as a JWT (`application/statuslist+jwt`).
    Jwt(&'a str),
    /// A list the caller already trusts (the server's own, live).
    Trusted(&'a StatusListToken),
}

/// Signs `claims` and returns the payload (`EUDC1:…`) and the QR text (the
/// card URL under `public_url`).
pub fn issue_card(
    claims: &CardClaims,
    signer: &dyn CoseSigner,
    public_url: &str,
) -> Result<(String, String), SignError> {
    let cose = prepare_sign1(signer.kid(), None, claims.to_cbor()).sign_with(signer)?;
    let payload = codec::encode_layers(&cose);
    let url = codec::card_url(public_url, &payload);
    Ok((payload, url))
}

/// Verifies a card QR text (the URL or the bare `EUDC1:` payload) at `now`
/// (seconds since the epoch).
pub fn verify_card(text: &str, keys: &KeySet, status: StatusInput<'_>, now: i64) -> Verdict {
    let payload = match codec::extract_payload(text) {
        Ok(p) => p,
        Err(e) => return Verdict::malformed(e),
    };
    let cose = match codec::decode_layers(&payload, CARD_PREFIX) {
        Ok(c) => c,
        Err(e) => return Verdict::malformed(e),
    };
    let sign1 = match parse_sign1(&cose) {
        Ok(s) => s,
        Err(e) => return Verdict::malformed(e),
    };
    // The card rule: the kid is in the protected header, 8 bytes.
    let Some(kid) = Kid::from_slice(&sign1.protected.header.key_id) else {
        return Verdict::malformed("the protected header has no 8-byte kid");
    };
    let Some(key) = keys.find(&kid.0) else {
        let mut v = Verdict::new(
            Outcome::InvalidSignature,
            format!("no published key has kid {kid}"),
        );
        v.kid = Some(kid.to_string());
        return v;
    };
    if let Err(e) = verify_sign1(&sign1, &key.verification_key()) {
        let mut v = Verdict::new(Outcome::InvalidSignature, e.to_string());
        v.kid = Some(kid.to_string());
        return v;
    }
    let claims = match sign1.payload.as_deref().map(CardClaims::from_cbor) {
        Some(Ok(c)) => c,
        Some(Err(e)) => return Verdict::malformed(e),
        None => return Verdict::malformed("no payload"),
    };
    let mut v = Verdict::new(Outcome::Valid, "");
    v.serial = Some(claims.serial.clone());
    v.expires_at = Some(claims.expires_at);
    v.issued_at = Some(claims.issued_at);
    v.kid = Some(kid.to_string());
    v.status = Some(claims.status.clone());
    let (outcome, reason) = judge(
        claims.issued_at,
        claims.expires_at,
        &claims.status,
        keys,
        status,
        now,
    );
    v.outcome = outcome;
    v.reason = reason;
    v
}

/// Validity period, then the status list: the outcome once the signature
/// checked out (the QR card and the SD-JWT VC share it).
pub(crate) fn judge(
    issued_at: i64,
    expires_at: i64,
    card_status: &StatusRef,
    keys: &KeySet,
    status: StatusInput<'_>,
    now: i64,
) -> (Outcome, String) {
    if now < issued_at {
        return (
            Outcome::NotYetValid,
            "the check time is before the card's issue time".into(),
        );
    }
    if now >= expires_at {
        return (Outcome::Expired, "the card's expiry has passed".into());
    }
    let owned;
    let token = match status {
        StatusInput::None => {
            return (
                Outcome::Undetermined,
                "no status list: revocation cannot be checked".into(),
            );
        }
        StatusInput::Trusted(t) => t,
        StatusInput::Cwt(bytes) => match StatusListToken::from_cwt(bytes, keys) {
            Ok(t) => {
                owned = t;
                &owned
            }
            Err(e) => return (Outcome::Undetermined, format!("status list unusable: {e}")),
        },
        StatusInput::Jwt(text) => match StatusListToken::from_jwt(text, keys) {
            Ok(t) => {
                owned = t;
                &owned
            }
            Err(e) => return (Outcome::Undetermined, format!("status list unusable: {e}")),
        },
    };
    if token.uri != card_status.uri {
        return (
            Outcome::Undetermined,
            format!(
                "the status list is {}, the card refers to {}",
                token.uri, card_status.uri
            ),
        );
    }
    if !token.is_fresh(now) {
        return (
            Outcome::Undetermined,
            "the status list is stale (past its ttl or expiry)".into(),
        );
    }
    match token.list.get(card_status.idx) {
        None => (
            Outcome::Undetermined,
            "the card's index is outside the status list".into(),
        ),
        Some(0) => (
            Outcome::Valid,
            "signature, validity period and status list check out".into(),
        ),
        Some(1) => (
            Outcome::Revoked,
            "the status list marks the card as revoked".into(),
        ),
        Some(s) => (
            Outcome::Undetermined,
            format!("unknown status value {s} in the status list"),
        ),
    }
}

/// Dispatches on the prefix: `HC1:` to the EU DCC verifier with `cert`
/// (DER or PEM), anything else to [`verify_card`].
pub fn verify_text(
    text: &str,
    keys: Option<&KeySet>,
    status: StatusInput<'_>,
    cert: Option<&[u8]>,
    now: i64,
) -> Verdict {
    let payload = codec::extract_payload(text).unwrap_or_default();
    if payload.starts_with(DCC_PREFIX) {
        return match cert {
            Some(cert) => super::dcc::verify_hc1(&payload, cert, now),
            None => Verdict::new(
                Outcome::InvalidSignature,
                "an HC1: text needs the signer's certificate (--cert)",
            ),
        };
    }
    match keys {
        Some(keys) => verify_card(text, keys, status, now),
        None => Verdict::new(
            Outcome::InvalidSignature,
            "no key set: pass the JWK Set (--keys) served at /.well-known/attesta/keys.json",
        ),
    }
}

/// The key id of a card text without verifying anything (for messages).
pub fn peek_kid(text: &str) -> Option<String> {
    let payload = codec::extract_payload(text).ok()?;
    let cose = codec::decode_layers(&payload, CARD_PREFIX).ok()?;
    let sign1 = parse_sign1(&cose).ok()?;
    Kid::from_slice(kid_of(&sign1)).map(|k| k.to_string())
}
