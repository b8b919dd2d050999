//! The EU Disability Card as an SD-JWT VC (issue #19): IETF SD-JWT
//! (RFC 9901) written here over p256 (signing), ring (verifying), sha2 and
//! base64 — `sd-jwt-rs` follows draft 7, not the RFC (STACK.md).
//!
//! Issuance: every personal claim is an object-property disclosure
//! `[salt, name, value]` with a 128-bit salt; the payload carries their
//! SHA-256 digests (base64url, no padding) in one sorted `_sd` array, with
//! optional decoy digests, and `_sd_alg` `sha-256`. Always visible: `iss`,
//! `iat`, `exp`, `vct`, `cnf` (the holder's key) and `status` (the same IETF
//! status list as the QR card). The issuer-signed JWT's header is
//! `{"alg":"ES256","typ":"dc+sd-jwt","kid"}`.
//!
//! Verification ([`verify_card_presentation`]) follows RFC 9901 §7: the
//! issuer signature (kid → a published key), every disclosure's digest found
//! exactly once in the payload (`_sd` or an array's `...`), no digest twice,
//! no disclosure named `_sd` or `...`, disclosures inside disclosures, then
//! the Key Binding JWT (`typ` `kb+jwt`, ES256 by `cnf.jwk`, `aud`, `nonce`,
//! `iat` near the check time, `sd_hash`), then the validity period and the
//! status list: the same six outcomes as the QR card (SPEC §9.12).

use std::collections::{HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};

use super::claims::StatusRef;
use super::cose::{CoseSigner, SignError};
use super::keys::{CardPublicKey, KeySet, Kid};
use super::verify::{Outcome, StatusInput, Verdict, judge};

/// `typ` of the issuer-signed JWT (SD-JWT VC).
pub const SD_JWT_VC_TYP: &str = "dc+sd-jwt";
/// `typ` of the Key Binding JWT.
pub const KB_JWT_TYP: &str = "kb+jwt";
/// The only digest algorithm attesta writes and accepts.
pub const SD_ALG: &str = "sha-256";
/// Largest presentation accepted (the portrait makes up most of it).
pub const MAX_PRESENTATION: usize = 2 * 1024 * 1024;
/// How far before the check time a KB-JWT's `iat` may be (seconds).
pub const KB_MAX_AGE: i64 = 300;
/// How far after the check time a KB-JWT's `iat` may be (clock skew).
pub const KB_MAX_SKEW: i64 = 60;
/// The card credential's `vct` is the public URL followed by this path; its
/// SD-JWT VC type metadata is served at that URL (and, for wallets that
/// follow the older drafts, at `/.well-known/vct` + this path).
pub const CARD_VCT_PATH: &str = "/credentials/disability-card";

/// The card credential's `vct` for attesta served at `public_url` (which
/// is also the credential issuer, `iss`).
pub fn card_vct(public_url: &str) -> String {
    format!("{}{CARD_VCT_PATH}", public_url.trim_end_matches('/'))
}

/// Nesting allowed in a payload or a disclosure's value.
const MAX_DEPTH: usize = 16;

/// Why an SD-JWT was refused. All of these are `invalid_signature` (or
/// malformed) to a card verifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SdJwtError {
    #[error("malformed: {0}")]
    Malformed(String),
    #[error("the issuer JWT header is wrong: {0}")]
    Header(String),
    #[error("no published key has kid {0}")]
    UnknownKey(String),
    #[error("the {0} signature does not verify")]
    Signature(&'static str),
    #[error("disclosure {0} is not valid: {1}")]
    Disclosure(usize, String),
    #[error("disclosure {0} is not referred to by any digest in the payload")]
    UnusedDisclosure(usize),
    #[error("digest {0} appears more than once")]
    DuplicateDigest(String),
    #[error("claim {0:?} is disclosed but already present")]
    ClaimClash(String),
    #[error("key binding: {0}")]
    KeyBinding(String),
}

fn malformed(why: impl Into<String>) -> SdJwtError {
    SdJwtError::Malformed(why.into())
}

/// The base64url SHA-256 digest of a disclosure as it appears on the wire.
pub fn digest(encoded: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(encoded.as_bytes()))
}

/// 128 bits from the operating system's random source, base64url.
pub fn random_salt() -> [u8; 16] {
    let mut out = [0u8; 16];
    getrandom::fill(&mut out).expect("the operating system random number generator failed");
    out
}

/// One disclosure: `[salt, name, value]` for an object property, or
/// `[salt, value]` for an array element.
#[derive(Debug, Clone, PartialEq)]
pub struct Disclosure {
    pub encoded: String,
    pub salt: String,
    pub name: Option<String>,
    pub value: Value,
}

impl Disclosure {
    /// An object-property disclosure.
    pub fn object(salt: &[u8], name: &str, value: Value) -> Self {
        let salt = URL_SAFE_NO_PAD.encode(salt);
        let array = json!([salt, name, value]);
        Self {
            encoded: URL_SAFE_NO_PAD.encode(array.to_string()),
            salt,
            name: Some(name.to_owned()),
            value,
        }
    }

    /// An array-element disclosure.
    pub fn element(salt: &[u8], value: Value) -> Self {
        let salt = URL_SAFE_NO_PAD.encode(salt);
        let array = json!([salt, value]);
        Self {
            encoded: URL_SAFE_NO_PAD.encode(array.to_string()),
            salt,
            name: None,
            value,
        }
    }

    pub fn digest(&self) -> String {
        digest(&self.encoded)
    }

    /// Decodes one disclosure as received (the digest is over these exact
    /// characters, so they are kept).
    pub fn parse(encoded: &str) -> Result<Self, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| "not base64url without padding".to_owned())?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|_| "not JSON".to_owned())?;
        let Value::Array(items) = value else {
            return Err("not a JSON array".into());
        };
        if depth(&Value::Array(items.clone())) > MAX_DEPTH {
            return Err("nested too deeply".into());
        }
        let salt = items
            .first()
            .and_then(Value::as_str)
            .ok_or("the salt is not a string")?
            .to_owned();
        match items.len() {
            2 => Ok(Self {
                encoded: encoded.to_owned(),
                salt,
                name: None,
                value: items[1].clone(),
            }),
            3 => {
                let name = items[1].as_str().ok_or("the claim name is not a string")?;
                if name == "_sd" || name == "..." {
                    return Err(format!("a disclosure may not be named {name:?}"));
                }
                Ok(Self {
                    encoded: encoded.to_owned(),
                    salt,
                    name: Some(name.to_owned()),
                    value: items[2].clone(),
                })
            }
            _ => Err("not 2 or 3 elements".into()),
        }
    }
}

fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

fn b64json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// A compact JWS, ES256, signed by `signer` (the same signer trait as the
/// COSE card, so a hardware key can sign both).
pub fn sign_jwt(
    header: &Value,
    payload: &Value,
    signer: &dyn CoseSigner,
) -> Result<String, SignError> {
    let input = format!("{}.{}", b64json(header), b64json(payload));
    let sig = signer.sign(input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// A compact JWS split and decoded, its signature not yet checked.
#[derive(Debug, Clone)]
pub struct Jwt<'a> {
    signing_input: &'a str,
    signature: Vec<u8>,
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
}

impl<'a> Jwt<'a> {
    pub fn parse(text: &'a str) -> Result<Self, SdJwtError> {
        let (signing_input, sig) = text
            .rsplit_once('.')
            .ok_or_else(|| malformed("a JWT has three parts"))?;
        let (h, p) = signing_input
            .split_once('.')
            .filter(|(_, p)| !p.contains('.'))
            .ok_or_else(|| malformed("a JWT has three parts"))?;
        let object = |part: &str, what: &str| -> Result<Map<String, Value>, SdJwtError> {
            let bytes = URL_SAFE_NO_PAD
                .decode(part)
                .map_err(|_| malformed(format!("the JWT {what} is not base64url")))?;
            match serde_json::from_slice(&bytes) {
                Ok(Value::Object(m)) => Ok(m),
                _ => Err(malformed(format!("the JWT {what} is not a JSON object"))),
            }
        };
        let header = object(h, "header")?;
        let payload = object(p, "payload")?;
        if depth(&Value::Object(payload.clone())) > MAX_DEPTH {
            return Err(malformed("the JWT payload is nested too deeply"));
        }
        Ok(Self {
            signing_input,
            signature: URL_SAFE_NO_PAD
                .decode(sig)
                .map_err(|_| malformed("the JWT signature is not base64url"))?,
            header,
            payload,
        })
    }

    fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// Checks `alg` ES256 and `typ`, and the signature with `key`.
    pub fn verify(
        &self,
        key: &CardPublicKey,
        typ: &str,
        what: &'static str,
    ) -> Result<(), SdJwtError> {
        if self.header_str("alg") != Some("ES256") {
            return Err(SdJwtError::Header(format!("the {what} alg must be ES256")));
        }
        if self.header_str("typ") != Some(typ) {
            return Err(SdJwtError::Header(format!("the {what} typ must be {typ}")));
        }
        self.verify_signature(key, what)
    }

    fn verify_signature(&self, key: &CardPublicKey, what: &'static str) -> Result<(), SdJwtError> {
        use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
        if self.signature.len() != 64 {
            return Err(SdJwtError::Signature(what));
        }
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.sec1_point())
            .verify(self.signing_input.as_bytes(), &self.signature)
            .map_err(|_| SdJwtError::Signature(what))
    }
}

/// A presentation split at its `~`s.
#[derive(Debug, Clone)]
pub struct Presentation<'a> {
    pub issuer_jwt: &'a str,
    pub disclosures: Vec<&'a str>,
    /// The Key Binding JWT, when the last part is not empty.
    pub kb_jwt: Option<&'a str>,
    /// Everything up to and including the last `~`: what `sd_hash` covers.
    pub hashed: &'a str,
}

impl<'a> Presentation<'a> {
    pub fn parse(text: &'a str) -> Result<Self, SdJwtError> {
        let text = text.trim();
        if text.len() > MAX_PRESENTATION {
            return Err(malformed("the presentation is too large"));
        }
        let last = text
            .rfind('~')
            .ok_or_else(|| malformed("an SD-JWT has `~` after the issuer JWT"))?;
        let hashed = &text[..=last];
        let kb = &text[last + 1..];
        let mut parts = hashed[..last].split('~');
        let issuer_jwt = parts.next().unwrap_or_default();
        let disclosures: Vec<&str> = parts.collect();
        if disclosures.iter().any(|d| d.is_empty()) {
            return Err(malformed("an empty disclosure (`~~`)"));
        }
        Ok(Self {
            issuer_jwt,
            disclosures,
            kb_jwt: (!kb.is_empty()).then_some(kb),
            hashed,
        })
    }

    /// The `sd_hash` this presentation's KB-JWT must carry.
    pub fn sd_hash(&self) -> String {
        digest(self.hashed)
    }
}

/// What a verifier asks of the Key Binding JWT.
#[derive(Debug, Clone, Copy)]
pub struct KeyBindingCheck<'a> {
    pub aud: &'a str,
    pub nonce: &'a str,
    /// The check time (seconds since the epoch).
    pub at: i64,
}

/// A presentation that checked out: the processed payload (disclosed claims
/// in place, `_sd`, `_sd_alg` and `...` gone) and the names disclosed at the
/// top level.
#[derive(Debug, Clone, PartialEq)]
pub struct Verified {
    pub header: Map<String, Value>,
    pub payload: Map<String, Value>,
    pub disclosed: Vec<String>,
}

/// Picks the issuer's key from the issuer JWT's header.
pub type IssuerKeyLookup<'a> =
    dyn Fn(&Map<String, Value>) -> Result<CardPublicKey, SdJwtError> + 'a;

/// RFC 9901 §7.1 and §7.3 over any ES256 SD-JWT: `issuer_key` picks the key
/// from the issuer JWT's header (after `alg`/`typ` are checked), `kb` is the
/// key binding asked for (`None`: none required, a KB-JWT present is still
/// checked for its signature and `sd_hash`).
pub fn verify_sd_jwt(
    text: &str,
    typ: &str,
    issuer_key: &IssuerKeyLookup<'_>,
    kb: Option<KeyBindingCheck<'_>>,
) -> Result<Verified, SdJwtError> {
    let presentation = Presentation::parse(text)?;
    let jwt = Jwt::parse(presentation.issuer_jwt)?;
    if jwt.header_str("alg") != Some("ES256") {
        return Err(SdJwtError::Header("alg must be ES256".into()));
    }
    if jwt.header_str("typ") != Some(typ) {
        return Err(SdJwtError::Header(format!("typ must be {typ}")));
    }
    let key = issuer_key(&jwt.header)?;
    jwt.verify_signature(&key, "issuer")?;

    let mut payload = jwt.payload.clone();
    match payload.remove("_sd_alg") {
        None => {}
        Some(Value::String(alg)) if alg == SD_ALG => {}
        Some(_) => return Err(malformed("_sd_alg must be sha-256")),
    }
    let mut by_digest: HashMap<String, (usize, Disclosure)> = HashMap::new();
    for (i, encoded) in presentation.disclosures.iter().enumerate() {
        let d = Disclosure::parse(encoded).map_err(|e| SdJwtError::Disclosure(i + 1, e))?;
        if by_digest.insert(d.digest(), (i + 1, d)).is_some() {
            return Err(SdJwtError::Disclosure(i + 1, "sent twice".into()));
        }
    }
    let mut seen = HashSet::new();
    let mut used = HashSet::new();
    let mut root = Value::Object(payload);
    resolve(&mut root, &by_digest, &mut seen, &mut used, 0)?;
    if let Some((n, _)) = by_digest
        .iter()
        .filter(|(k, _)| !used.contains(*k))
        .map(|(_, (n, _))| (*n, ()))
        .min()
    {
        return Err(SdJwtError::UnusedDisclosure(n));
    }
    let Value::Object(payload) = root else {
        unreachable!("the root stays an object");
    };
    let mut disclosed: Vec<String> = by_digest
        .values()
        .filter_map(|(_, d)| d.name.clone())
        .filter(|n| payload.contains_key(n))
        .collect();
    disclosed.sort();

    match (presentation.kb_jwt, kb) {
        (None, Some(_)) => {
            return Err(SdJwtError::KeyBinding(
                "the presentation has no Key Binding JWT".into(),
            ));
        }
        (None, None) => {}
        (Some(kb_jwt), check) => verify_kb(kb_jwt, &payload, &presentation, check)?,
    }
    Ok(Verified {
        header: jwt.header,
        payload,
        disclosed,
    })
}

fn verify_kb(
    kb_jwt: &str,
    payload: &Map<String, Value>,
    presentation: &Presentation<'_>,
    check: Option<KeyBindingCheck<'_>>,
) -> Result<(), SdJwtError> {
    let kb_err = |s: &str| SdJwtError::KeyBinding(s.to_owned());
    let holder = payload
        .get("cnf")
        .and_then(|c| c.get("jwk"))
        .ok_or_else(|| kb_err("the credential has no cnf.jwk to check it with"))?;
    let holder =
        CardPublicKey::from_jwk(holder).map_err(|_| kb_err("cnf.jwk is not an EC P-256 key"))?;
    let jwt = Jwt::parse(kb_jwt)?;
    jwt.verify(&holder, KB_JWT_TYP, "Key Binding JWT")?;
    let claim = |name: &str| jwt.payload.get(name);
    if claim("sd_hash").and_then(Value::as_str) != Some(presentation.sd_hash().as_str()) {
        return Err(kb_err(
            "sd_hash does not match the presented SD-JWT and disclosures",
        ));
    }
    let Some(check) = check else {
        return Ok(());
    };
    if claim("aud").and_then(Value::as_str) != Some(check.aud) {
        return Err(kb_err("aud is not this verifier's"));
    }
    if claim("nonce").and_then(Value::as_str) != Some(check.nonce) {
        return Err(kb_err("nonce is not the one this verifier asked for"));
    }
    let iat = claim("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| kb_err("iat is missing"))?;
    if iat < check.at - KB_MAX_AGE || iat > check.at + KB_MAX_SKEW {
        return Err(kb_err(&format!(
            "iat is not within {KB_MAX_AGE} s before or {KB_MAX_SKEW} s after the check time"
        )));
    }
    Ok(())
}

/// Replaces digests with their disclosures, depth first (a disclosed value
/// may itself hold digests).
fn resolve(
    value: &mut Value,
    disclosures: &HashMap<String, (usize, Disclosure)>,
    seen: &mut HashSet<String>,
    used: &mut HashSet<String>,
    level: usize,
) -> Result<(), SdJwtError> {
    if level > MAX_DEPTH {
        return Err(malformed("nested too deeply"));
    }
    let note = |d: &str, seen: &mut HashSet<String>| -> Result<(), SdJwtError> {
        if seen.insert(d.to_owned()) {
            Ok(())
        } else {
            Err(SdJwtError::DuplicateDigest(d.to_owned()))
        }
    };
    match value {
        Value::Object(map) => {
            let digests = match map.remove("_sd") {
                None => Vec::new(),
                Some(Value::Array(a)) => a,
                Some(_) => return Err(malformed("_sd is not an array")),
            };
            for v in map.values_mut() {
                resolve(v, disclosures, seen, used, level + 1)?;
            }
            for d in digests {
                let Value::String(d) = d else {
                    return Err(malformed("a digest in _sd is not a string"));
                };
                note(&d, seen)?;
                let Some((n, disclosure)) = disclosures.get(&d) else {
                    continue; // withheld, or a decoy
                };
                let Some(name) = &disclosure.name else {
                    return Err(SdJwtError::Disclosure(
                        *n,
                        "an array element's disclosure is referred to from _sd".into(),
                    ));
                };
                if map.contains_key(name) {
                    return Err(SdJwtError::ClaimClash(name.clone()));
                }
                let mut v = disclosure.value.clone();
                used.insert(d);
                resolve(&mut v, disclosures, seen, used, level + 1)?;
                map.insert(name.clone(), v);
            }
        }
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for mut item in std::mem::take(items) {
                let placeholder = item
                    .as_object()
                    .filter(|o| o.len() == 1)
                    .and_then(|o| o.get("..."))
                    .cloned();
                match placeholder {
                    Some(Value::String(d)) => {
                        note(&d, seen)?;
                        let Some((n, disclosure)) = disclosures.get(&d) else {
                            continue; // withheld: the element is dropped
                        };
                        if disclosure.name.is_some() {
                            return Err(SdJwtError::Disclosure(
                                *n,
                                "an object property's disclosure is referred to from `...`".into(),
                            ));
                        }
                        let mut v = disclosure.value.clone();
                        used.insert(d);
                        resolve(&mut v, disclosures, seen, used, level + 1)?;
                        out.push(v);
                    }
                    Some(_) => return Err(malformed("a `...` digest is not a string")),
                    None => {
                        resolve(&mut item, disclosures, seen, used, level + 1)?;
                        out.push(item);
                    }
                }
            }
            *items = out;
        }
        _ => {}
    }
    Ok(())
}

/// What the card credential says about its holder.
#[derive(Clone, PartialEq, Eq)]
pub struct CardFacts {
    /// The card serial: `document_number`.
    pub serial: String,
    pub given_name: String,
    pub family_name: String,
    /// ISO 8601 date (`YYYY-MM-DD`).
    pub birth_date: String,
    /// The holder's photo, JPEG bytes (a data URL in the credential).
    pub portrait_jpeg: Vec<u8>,
    /// ISO 8601 date: the last day the card is valid.
    pub expiry_date: String,
    pub issuing_authority: String,
    /// ISO 3166-1 alpha-2.
    pub issuing_country: String,
    /// The "A" mark (accompaniment allowance).
    pub constant_attendance_allowance: bool,
    pub status: StatusRef,
}

impl std::fmt::Debug for CardFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CardFacts({}, personal claims redacted)", self.serial)
    }
}

/// The issuance inputs besides the facts: no clock and no randomness are
/// drawn inside except through `salt`.
pub struct Issuance<'a> {
    /// The credential issuer (`iss`): attesta's public URL.
    pub issuer: &'a str,
    /// The credential type URL (`vct`), where its type metadata is served.
    pub vct: &'a str,
    /// Seconds since the epoch.
    pub issued_at: i64,
    pub expires_at: i64,
    /// The holder's public key (`cnf.jwk`).
    pub holder: &'a CardPublicKey,
    /// How many decoy digests to add to `_sd`.
    pub decoys: usize,
    /// Draws one 128-bit salt (or decoy seed) per call.
    pub salt: &'a mut dyn FnMut() -> [u8; 16],
}

impl std::fmt::Debug for Issuance<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Issuance")
            .field("issuer", &self.issuer)
            .field("vct", &self.vct)
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .field("holder", &self.holder)
            .field("decoys", &self.decoys)
            .finish_non_exhaustive()
    }
}

/// Issues the card as an SD-JWT VC: `<issuer JWT>~<disclosure>~…~` (no KB-JWT:
/// the holder adds it per presentation with [`present`]).
pub fn issue_card_sd_jwt(
    facts: &CardFacts,
    issuance: Issuance<'_>,
    signer: &dyn CoseSigner,
) -> Result<String, SignError> {
    let portrait = format!(
        "data:image/jpeg;base64,{}",
        STANDARD.encode(&facts.portrait_jpeg)
    );
    let claims: [(&str, Value); 9] = [
        ("given_name", json!(facts.given_name)),
        ("family_name", json!(facts.family_name)),
        ("birth_date", json!(facts.birth_date)),
        ("portrait", json!(portrait)),
        ("document_number", json!(facts.serial)),
        ("expiry_date", json!(facts.expiry_date)),
        ("issuing_authority", json!(facts.issuing_authority)),
        ("issuing_country", json!(facts.issuing_country)),
        (
            "constant_attendance_allowance",
            json!(facts.constant_attendance_allowance),
        ),
    ];
    let salt = issuance.salt;
    let disclosures: Vec<Disclosure> = claims
        .into_iter()
        .map(|(name, value)| Disclosure::object(&salt(), name, value))
        .collect();
    let mut sd: Vec<String> = disclosures.iter().map(Disclosure::digest).collect();
    for _ in 0..issuance.decoys {
        sd.push(URL_SAFE_NO_PAD.encode(Sha256::digest(salt())));
    }
    sd.sort();
    let payload = json!({
        "_sd": sd,
        "_sd_alg": SD_ALG,
        "iss": issuance.issuer,
        "iat": issuance.issued_at,
        "exp": issuance.expires_at,
        "vct": issuance.vct,
        "cnf": { "jwk": holder_jwk(issuance.holder) },
        "status": {
            "status_list": { "idx": facts.status.idx, "uri": facts.status.uri }
        },
    });
    let header = json!({
        "alg": "ES256",
        "typ": SD_JWT_VC_TYP,
        "kid": Kid(signer.kid()).to_string(),
    });
    let jwt = sign_jwt(&header, &payload, signer)?;
    let mut out = jwt;
    out.push('~');
    for d in &disclosures {
        out.push_str(&d.encoded);
        out.push('~');
    }
    Ok(out)
}

/// The holder's key as `cnf.jwk`: the public coordinates only.
fn holder_jwk(key: &CardPublicKey) -> Value {
    let mut jwk = key.to_jwk();
    if let Some(o) = jwk.as_object_mut() {
        o.remove("use");
        o.remove("alg");
        o.remove("kid");
    }
    jwk
}

/// The holder's side: keeps the disclosures of the claims named in `keep`
/// (top-level names) and appends a Key Binding JWT for `aud` and `nonce`
/// at `iat`, signed by `holder`.
pub fn present(
    sd_jwt: &str,
    keep: &[&str],
    holder: &dyn CoseSigner,
    aud: &str,
    nonce: &str,
    iat: i64,
) -> Result<String, SdJwtError> {
    let p = Presentation::parse(sd_jwt)?;
    let mut out = String::from(p.issuer_jwt);
    out.push('~');
    for (i, encoded) in p.disclosures.iter().enumerate() {
        let d = Disclosure::parse(encoded).map_err(|e| SdJwtError::Disclosure(i + 1, e))?;
        if d.name.as_deref().is_some_and(|n| keep.contains(&n)) {
            out.push_str(encoded);
            out.push('~');
        }
    }
    let kb = sign_jwt(
        &json!({ "alg": "ES256", "typ": KB_JWT_TYP }),
        &json!({ "iat": iat, "aud": aud, "nonce": nonce, "sd_hash": digest(&out) }),
        holder,
    )
    .map_err(|e| SdJwtError::KeyBinding(e.to_string()))?;
    out.push_str(&kb);
    Ok(out)
}

/// A card presentation's verdict and the claims it disclosed.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PresentationVerdict {
    #[serde(flatten)]
    pub verdict: Verdict,
    /// The disclosed personal claims (after the signatures checked out).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disclosed: Option<Map<String, Value>>,
}

/// Whether `text` has the shape of an SD-JWT (a JWT followed by `~`), so
/// `attesta card verify` can tell it from `EUDC1:`, a URL or `HC1:`.
pub fn looks_like_sd_jwt(text: &str) -> bool {
    let text = text.trim();
    text.starts_with("eyJ") && text.contains('~')
}

/// Verifies a card presentation `<issuer JWT>~<disclosures>~<KB-JWT>` with
/// the published keys, the verifier's `aud` and `nonce`, and the status
/// list, at `now` (seconds): the six outcomes of SPEC §9.12. A wrong `aud`
/// or `nonce` is `invalid_signature`.
pub fn verify_card_presentation(
    text: &str,
    keys: &KeySet,
    status: StatusInput<'_>,
    aud: &str,
    nonce: &str,
    now: i64,
) -> PresentationVerdict {
    let refuse = |e: SdJwtError, kid: Option<String>| {
        let mut verdict = Verdict::new(Outcome::InvalidSignature, e.to_string());
        verdict.kid = kid;
        PresentationVerdict {
            verdict,
            disclosed: None,
        }
    };
    let kid_of = |h: &Map<String, Value>| h.get("kid").and_then(Value::as_str).map(str::to_owned);
    let lookup = |h: &Map<String, Value>| -> Result<CardPublicKey, SdJwtError> {
        let kid = kid_of(h).ok_or_else(|| SdJwtError::Header("no kid".into()))?;
        let parsed =
            Kid::parse(&kid).map_err(|_| SdJwtError::Header("kid is not 8 bytes".into()))?;
        keys.find(&parsed.0)
            .cloned()
            .ok_or(SdJwtError::UnknownKey(kid))
    };
    let check = KeyBindingCheck {
        aud,
        nonce,
        at: now,
    };
    let verified = match verify_sd_jwt(text, SD_JWT_VC_TYP, &lookup, Some(check)) {
        Ok(v) => v,
        Err(e) => {
            let kid = Presentation::parse(text)
                .ok()
                .and_then(|p| Jwt::parse(p.issuer_jwt).ok())
                .and_then(|j| kid_of(&j.header));
            return refuse(e, kid);
        }
    };
    let kid = kid_of(&verified.header);
    let p = &verified.payload;
    let int = |n: &str| p.get(n).and_then(Value::as_i64);
    let status_ref = p
        .get("status")
        .and_then(|s| s.get("status_list"))
        .and_then(|s| {
            Some(StatusRef {
                idx: s.get("idx")?.as_u64()?,
                uri: s.get("uri")?.as_str()?.to_owned(),
            })
        });
    let (Some(iat), Some(exp), Some(status_ref), Some(_)) = (
        int("iat"),
        int("exp"),
        status_ref,
        p.get("vct").and_then(Value::as_str),
    ) else {
        return refuse(
            malformed("the credential lacks iat, exp, vct or status.status_list"),
            kid,
        );
    };
    let disclosed: Map<String, Value> = verified
        .disclosed
        .iter()
        .filter_map(|n| p.get(n).map(|v| (n.clone(), v.clone())))
        .collect();
    let (outcome, reason) = judge(iat, exp, &status_ref, keys, status, now);
    let mut verdict = Verdict::new(outcome, reason);
    verdict.serial = disclosed
        .get("document_number")
        .and_then(Value::as_str)
        .map(str::to_owned);
    verdict.issued_at = Some(iat);
    verdict.expires_at = Some(exp);
    verdict.kid = kid;
    verdict.status = Some(status_ref);
    PresentationVerdict {
        verdict,
        disclosed: Some(disclosed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::CardSigningKey;
    use crate::card::status_list::{StatusList, StatusListToken};

    const RFC_PRESENTATION: &str = include_str!("../../tests/data/rfc9901/presentation.txt");
    /// RFC 9901 Appendix A.5: the issuer key of the examples.
    const RFC_ISSUER: (&str, &str) = (
        "b28d4MwZMjw8-00CG4xfnn9SLMVMM19SlqZpVb_uNtQ",
        "Xv5zWwuoaTgdS6hV43yI6gBwTnjukmFQQnJ_kCxzqk8",
    );

    fn rfc_issuer() -> CardPublicKey {
        CardPublicKey::from_jwk(&json!({
            "kty": "EC", "crv": "P-256", "x": RFC_ISSUER.0, "y": RFC_ISSUER.1
        }))
        .unwrap()
    }

    fn rfc_verify(text: &str, kb: Option<KeyBindingCheck<'_>>) -> Result<Verified, SdJwtError> {
        let key = rfc_issuer();
        verify_sd_jwt(text, "example+sd-jwt", &|_| Ok(key.clone()), kb)
    }

    const RFC_KB: KeyBindingCheck<'static> = KeyBindingCheck {
        aud: "https://verifier.example.org",
        nonce: "1234567890",
        at: 1_748_537_244,
    };

    #[test]
    fn rfc9901_disclosure_digests() {
        // §5.1 and the ones the brief quotes (§4.2.1's Möbius example).
        for (disclosure, expected) in [
            (
                "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
                "X9yH0Ajrdm1Oij4tWso9UzzKJvPoDxwmuEcO3XAdRC0",
            ),
            (
                "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
                "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4",
            ),
            (
                "WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd",
                "TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo",
            ),
            (
                "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0",
                "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo",
            ),
            (
                "WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0",
                "7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0",
            ),
        ] {
            assert_eq!(digest(disclosure), expected, "{disclosure}");
        }
        let d = Disclosure::parse(
            "WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0",
        )
        .unwrap();
        assert_eq!(d.salt, "_26bc4LT-ac6q2KI6cBW5es");
        assert_eq!(d.name.as_deref(), Some("family_name"));
        assert_eq!(d.value, json!("Möbius"));
        let e = Disclosure::parse("WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0").unwrap();
        assert_eq!((e.name, e.value), (None, json!("US")));
    }

    #[test]
    fn rfc9901_presentation_verifies_with_its_key_binding() {
        let p = Presentation::parse(RFC_PRESENTATION).unwrap();
        assert_eq!(p.disclosures.len(), 4);
        assert_eq!(p.sd_hash(), "0_Af-2B-EhLWX5ydh_w2xzwmO6iM66B_2QCEanI4fUY");
        let v = rfc_verify(RFC_PRESENTATION, Some(RFC_KB)).unwrap();
        // §5.2's Processed SD-JWT Payload: one nationality of two, the
        // undisclosed element dropped, `_sd`/`_sd_alg` gone.
        let expected = json!({
            "iss": "https://issuer.example.com", "iat": 1683000000, "exp": 1883000000,
            "sub": "user_42", "nationalities": ["US"],
            "cnf": {"jwk": {"kty": "EC", "crv": "P-256",
                "x": "TCAER19Zvu3OHF4j4W4vfSVoHIP1ILilDls7vCeGemc",
                "y": "ZxjiWWbZMQGHVWKVQ4hbSIirsVfuecCE6t4jT9F2HZQ"}},
            "family_name": "Doe",
            "address": {"street_address": "123 Main St", "locality": "Anytown",
                "region": "Anystate", "country": "US"},
            "given_name": "John"
        });
        assert_eq!(Value::Object(v.payload), expected);
        assert_eq!(v.disclosed, ["address", "family_name", "given_name"]);
    }

    #[test]
    fn rfc9901_key_binding_is_checked() {
        let wrong_aud = KeyBindingCheck {
            aud: "https://other.example.org",
            ..RFC_KB
        };
        let wrong_nonce = KeyBindingCheck {
            nonce: "0987654321",
            ..RFC_KB
        };
        let late = KeyBindingCheck {
            at: RFC_KB.at + KB_MAX_AGE + 1,
            ..RFC_KB
        };
        for check in [wrong_aud, wrong_nonce, late] {
            assert!(matches!(
                rfc_verify(RFC_PRESENTATION, Some(check)),
                Err(SdJwtError::KeyBinding(_))
            ));
        }
        // A disclosure dropped after the holder signed: sd_hash no longer matches.
        let p = Presentation::parse(RFC_PRESENTATION).unwrap();
        let dropped = format!(
            "{}~{}~{}",
            p.issuer_jwt,
            p.disclosures[..3].join("~"),
            p.kb_jwt.unwrap()
        );
        assert!(matches!(
            rfc_verify(&dropped, Some(RFC_KB)),
            Err(SdJwtError::KeyBinding(m)) if m.contains("sd_hash")
        ));
        // Without the KB-JWT, a verifier asking for key binding refuses.
        assert!(matches!(
            rfc_verify(p.hashed, Some(RFC_KB)),
            Err(SdJwtError::KeyBinding(_))
        ));
        // ... and one that does not ask accepts the SD-JWT.
        assert!(rfc_verify(p.hashed, None).is_ok());
    }

    #[test]
    fn rfc9901_issuer_signature_and_sd_handling() {
        let p = Presentation::parse(RFC_PRESENTATION).unwrap();
        let other = CardSigningKey::generate();
        let key = other.public().clone();
        assert_eq!(
            verify_sd_jwt(p.hashed, "example+sd-jwt", &|_| Ok(key.clone()), None),
            Err(SdJwtError::Signature("issuer"))
        );
        // Another typ than the verifier expects.
        assert!(matches!(
            verify_sd_jwt(p.hashed, SD_JWT_VC_TYP, &|_| Ok(rfc_issuer()), None),
            Err(SdJwtError::Header(_))
        ));
        // Every disclosure of §5.1 in one SD-JWT: all claims back.
        let all = format!(
            "{}~{}~",
            p.issuer_jwt,
            [
                "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
                "WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd",
                "WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgImVtYWlsIiwgImpvaG5kb2VAZXhhbXBsZS5jb20iXQ",
                "WyJQYzMzSk0yTGNoY1VfbEhnZ3ZfdWZRIiwgImJpcnRoZGF0ZSIsICIxOTQwLTAxLTAxIl0",
                "WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0",
                "WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0",
            ]
            .join("~")
        );
        let v = rfc_verify(&all, None).unwrap();
        assert_eq!(v.payload["email"], "johndoe@example.com");
        assert_eq!(v.payload["birthdate"], "1940-01-01");
        // Array order follows the payload, not the disclosures.
        assert_eq!(v.payload["nationalities"], json!(["US", "DE"]));
        // The same disclosure twice is refused.
        let twice = format!("{}{}~", p.hashed, p.disclosures[0]);
        assert!(matches!(
            rfc_verify(&twice, None),
            Err(SdJwtError::Disclosure(_, m)) if m.contains("twice")
        ));
        // A disclosure no digest refers to (the Möbius one) is refused.
        let stray = format!(
            "{}WyJfMjZiYzRMVC1hYzZxMktJNmNCVzVlcyIsICJmYW1pbHlfbmFtZSIsICJNw7ZiaXVzIl0~",
            p.hashed
        );
        assert!(matches!(
            rfc_verify(&stray, None),
            Err(SdJwtError::UnusedDisclosure(5))
        ));
    }

    /// A test issuer signing arbitrary payloads, for the structural rules.
    fn structural(payload: Value, disclosures: &[&Disclosure]) -> Result<Verified, SdJwtError> {
        let key = CardSigningKey::generate();
        let jwt = sign_jwt(&json!({"alg": "ES256", "typ": "t"}), &payload, &key).unwrap();
        let mut text = jwt + "~";
        for d in disclosures {
            text.push_str(&d.encoded);
            text.push('~');
        }
        let public = key.public().clone();
        verify_sd_jwt(&text, "t", &|_| Ok(public.clone()), None)
    }

    #[test]
    fn recursive_disclosures_and_structural_rules() {
        let street = Disclosure::object(b"s1", "street", json!("Via Roma 1"));
        let address = Disclosure::object(b"s2", "address", json!({"_sd": [street.digest()]}));
        let v = structural(json!({"_sd": [address.digest()]}), &[&address, &street]).unwrap();
        assert_eq!(v.payload["address"], json!({"street": "Via Roma 1"}));
        // The inner one without the outer is not referred to.
        assert!(matches!(
            structural(json!({"_sd": [address.digest()]}), &[&street]),
            Err(SdJwtError::UnusedDisclosure(1))
        ));
        // The same digest twice in the payload.
        assert!(matches!(
            structural(
                json!({"_sd": [street.digest(), street.digest()]}),
                &[&street]
            ),
            Err(SdJwtError::DuplicateDigest(_))
        ));
        // A disclosed name already in the object.
        assert!(matches!(
            structural(json!({"street": 1, "_sd": [street.digest()]}), &[&street]),
            Err(SdJwtError::ClaimClash(_))
        ));
        // An element disclosure referred to from _sd, and a property from `...`.
        let el = Disclosure::element(b"s3", json!("IT"));
        assert!(structural(json!({"_sd": [el.digest()]}), &[&el]).is_err());
        assert!(structural(json!({"a": [{"...": street.digest()}]}), &[&street]).is_err());
        // Disclosures named `_sd` or `...` are refused.
        for name in ["_sd", "..."] {
            let bad = Disclosure::object(b"s4", name, json!(1));
            assert!(matches!(
                structural(json!({"_sd": [bad.digest()]}), &[&bad]),
                Err(SdJwtError::Disclosure(1, _))
            ));
        }
        // Another _sd_alg.
        assert!(structural(json!({"_sd_alg": "sha-512"}), &[]).is_err());
    }

    const URI: &str = "https://attesta.example.it/api/v1/status-lists/ab";
    const IAT: i64 = 1_780_000_000;
    const EXP: i64 = IAT + 10 * 365 * 86_400;
    const AUD: &str = "https://verifier.example.it";
    const NONCE: &str = "n-4f2a";

    fn facts() -> CardFacts {
        CardFacts {
            serial: "IT1234567897".into(),
            given_name: "Maria".into(),
            family_name: "Rossi".into(),
            birth_date: "1980-03-14".into(),
            portrait_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
            expiry_date: "2036-05-27".into(),
            issuing_authority: "INPS".into(),
            issuing_country: "IT".into(),
            constant_attendance_allowance: true,
            status: StatusRef {
                idx: 5,
                uri: URI.into(),
            },
        }
    }

    struct Fixture {
        issuer: CardSigningKey,
        holder: CardSigningKey,
        sd_jwt: String,
        keys: KeySet,
    }

    fn fixture() -> Fixture {
        let issuer = CardSigningKey::generate();
        let holder = CardSigningKey::generate();
        let sd_jwt = issue_card_sd_jwt(
            &facts(),
            Issuance {
                issuer: "https://attesta.example.it",
                vct: "https://attesta.example.it/credentials/eu-disability-card/v1",
                issued_at: IAT,
                expires_at: EXP,
                holder: holder.public(),
                decoys: 3,
                salt: &mut random_salt,
            },
            &issuer,
        )
        .unwrap();
        let keys = KeySet::new(vec![issuer.public().clone()]);
        Fixture {
            issuer,
            holder,
            sd_jwt,
            keys,
        }
    }

    fn list(f: &Fixture, revoked: bool) -> Vec<u8> {
        let mut l = StatusList::new(1, 64).unwrap();
        if revoked {
            l.set(5, 1);
        }
        StatusListToken {
            uri: URI.into(),
            issued_at: IAT + 100,
            expires_at: Some(IAT + 100 + 86_400),
            ttl: Some(86_400),
            list: l,
        }
        .sign(&f.issuer)
        .unwrap()
    }

    fn check(
        f: &Fixture,
        text: &str,
        list: &[u8],
        aud: &str,
        nonce: &str,
        at: i64,
    ) -> PresentationVerdict {
        verify_card_presentation(text, &f.keys, StatusInput::Cwt(list), aud, nonce, at)
    }

    #[test]
    fn the_card_credential_has_the_it_wallet_shape() {
        let f = fixture();
        let p = Presentation::parse(&f.sd_jwt).unwrap();
        assert_eq!(p.disclosures.len(), 9);
        assert!(p.kb_jwt.is_none());
        let jwt = Jwt::parse(p.issuer_jwt).unwrap();
        assert_eq!(jwt.header["typ"], "dc+sd-jwt");
        assert_eq!(jwt.header["kid"], f.issuer.kid().to_string());
        let sd = jwt.payload["_sd"].as_array().unwrap();
        assert_eq!(sd.len(), 12, "nine claims and three decoys");
        let mut sorted = sd.clone();
        sorted.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        assert_eq!(&sorted, sd);
        // Nothing personal is visible without its disclosure.
        for name in [
            "given_name",
            "family_name",
            "birth_date",
            "portrait",
            "document_number",
        ] {
            assert!(!jwt.payload.contains_key(name));
        }
        assert_eq!(jwt.payload["status"]["status_list"]["idx"], 5);
        assert_eq!(
            jwt.payload["cnf"]["jwk"]["x"],
            f.holder.public().to_jwk()["x"]
        );
        for d in &p.disclosures {
            let d = Disclosure::parse(d).unwrap();
            assert_eq!(URL_SAFE_NO_PAD.decode(&d.salt).unwrap().len(), 16);
        }
    }

    #[test]
    fn a_card_presentation_discloses_only_what_the_holder_chose() {
        let f = fixture();
        let keep = ["document_number", "constant_attendance_allowance"];
        let text = present(&f.sd_jwt, &keep, &f.holder, AUD, NONCE, IAT + 3600).unwrap();
        let v = check(&f, &text, &list(&f, false), AUD, NONCE, IAT + 3600 + 10);
        assert_eq!(v.verdict.outcome, Outcome::Valid, "{}", v.verdict.reason);
        assert_eq!(v.verdict.serial.as_deref(), Some("IT1234567897"));
        let disclosed = v.disclosed.unwrap();
        assert_eq!(
            Value::Object(disclosed),
            json!({"document_number": "IT1234567897", "constant_attendance_allowance": true})
        );
        // Everything disclosed: the portrait is a data URL.
        let all = present(
            &f.sd_jwt,
            &["portrait", "given_name"],
            &f.holder,
            AUD,
            NONCE,
            IAT + 3600,
        )
        .unwrap();
        let v = check(&f, &all, &list(&f, false), AUD, NONCE, IAT + 3600);
        assert_eq!(
            v.disclosed.unwrap()["portrait"],
            "data:image/jpeg;base64,/9j/2Q=="
        );
    }

    #[test]
    fn card_presentation_tampering_and_outcomes() {
        let f = fixture();
        let at = IAT + 3600;
        let keep = ["document_number", "given_name"];
        let good = present(&f.sd_jwt, &keep, &f.holder, AUD, NONCE, at).unwrap();
        let ok = list(&f, false);
        let outcome = |text: &str, list: &[u8], aud: &str, nonce: &str, at: i64| {
            check(&f, text, list, aud, nonce, at).verdict
        };
        assert_eq!(outcome(&good, &ok, AUD, NONCE, at).outcome, Outcome::Valid);

        // A changed disclosure (same salt, another name value), with a KB-JWT
        // made again by the holder so only the digest can catch it.
        let p = Presentation::parse(&good).unwrap();
        let given = p
            .disclosures
            .iter()
            .map(|d| Disclosure::parse(d).unwrap())
            .find(|d| d.name.as_deref() == Some("given_name"))
            .unwrap();
        let forged = Disclosure {
            encoded: URL_SAFE_NO_PAD.encode(json!([given.salt, "given_name", "Mario"]).to_string()),
            ..given.clone()
        };
        let tampered_sd = p.hashed.replace(&given.encoded, &forged.encoded);
        let tampered = present(&tampered_sd, &keep, &f.holder, AUD, NONCE, at).unwrap();
        let v = outcome(&tampered, &ok, AUD, NONCE, at);
        assert_eq!(v.outcome, Outcome::InvalidSignature);
        assert!(v.reason.contains("not referred to"), "{}", v.reason);

        // A digest dropped from _sd: the issuer signature breaks.
        let jwt = Jwt::parse(p.issuer_jwt).unwrap();
        let mut payload = jwt.payload.clone();
        payload["_sd"]
            .as_array_mut()
            .unwrap()
            .retain(|d| d != &json!(given.digest()));
        let (h, _) = p.issuer_jwt.split_once('.').unwrap();
        let sig = p.issuer_jwt.rsplit_once('.').unwrap().1;
        let dropped_sd = format!(
            "{h}.{}.{sig}~{}",
            b64json(&Value::Object(payload.clone())),
            p.disclosures.join("~")
        ) + "~";
        let dropped = present(&dropped_sd, &keep, &f.holder, AUD, NONCE, at).unwrap();
        let v = outcome(&dropped, &ok, AUD, NONCE, at);
        assert_eq!(v.outcome, Outcome::InvalidSignature);
        assert!(v.reason.contains("issuer signature"), "{}", v.reason);
        // ... and re-signed by someone else's key: unknown kid or bad signature.
        let stranger = CardSigningKey::generate();
        let resigned = sign_jwt(
            &Value::Object(jwt.header.clone()),
            &Value::Object(payload),
            &stranger,
        )
        .unwrap();
        let resigned = format!("{resigned}~{}~", p.disclosures.join("~"));
        let resigned = present(&resigned, &keep, &f.holder, AUD, NONCE, at).unwrap();
        assert_eq!(
            outcome(&resigned, &ok, AUD, NONCE, at).outcome,
            Outcome::InvalidSignature
        );

        // A KB-JWT for another verifier or another nonce.
        for (aud, nonce) in [("https://elsewhere.example", NONCE), (AUD, "other")] {
            let v = outcome(&good, &ok, aud, nonce, at);
            assert_eq!(v.outcome, Outcome::InvalidSignature);
            assert!(v.reason.starts_with("key binding"), "{}", v.reason);
        }
        // A KB-JWT signed by another key than cnf.
        let thief = present(&f.sd_jwt, &keep, &stranger, AUD, NONCE, at).unwrap();
        assert_eq!(
            outcome(&thief, &ok, AUD, NONCE, at).outcome,
            Outcome::InvalidSignature
        );
        // No KB-JWT at all.
        assert_eq!(
            outcome(p.hashed, &ok, AUD, NONCE, at).outcome,
            Outcome::InvalidSignature
        );

        // Expired, not yet valid, revoked, undetermined.
        let late = EXP + 10;
        let old = present(&f.sd_jwt, &keep, &f.holder, AUD, NONCE, late).unwrap();
        assert_eq!(
            outcome(&old, &ok, AUD, NONCE, late).outcome,
            Outcome::Expired
        );
        let early = IAT - 10;
        let soon = present(&f.sd_jwt, &keep, &f.holder, AUD, NONCE, early).unwrap();
        assert_eq!(
            outcome(&soon, &ok, AUD, NONCE, early).outcome,
            Outcome::NotYetValid
        );
        let v = outcome(&good, &list(&f, true), AUD, NONCE, at);
        assert_eq!(v.outcome, Outcome::Revoked);
        let none = verify_card_presentation(&good, &f.keys, StatusInput::None, AUD, NONCE, at);
        assert_eq!(none.verdict.outcome, Outcome::Undetermined);
        // Malformed input is invalid_signature, never a panic.
        for junk in [
            "",
            "~",
            "eyJ~",
            "a.b.c~~",
            "eyJhbGciOiJFUzI1NiJ9.e30.AA~WyJ9~",
        ] {
            assert_eq!(
                outcome(junk, &ok, AUD, NONCE, at).outcome,
                Outcome::InvalidSignature
            );
        }
    }
}
