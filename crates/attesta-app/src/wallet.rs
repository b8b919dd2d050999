//! The card in the citizen's wallet (issue #19): OpenID4VCI 1.0, the
//! pre-authorized code flow, issuing the card as an SD-JWT VC.
//!
//! 1. On `/me/card` the citizen asks for an offer ([`App::create_wallet_offer`]):
//!    a 256-bit pre-authorized code (10 minutes, single use) shown as a QR
//!    and an `openid-credential-offer://` link, and a 6-digit transaction
//!    code sent by SMS to their mobile. Three wrong transaction codes burn
//!    the offer (the OTP rule of SPEC §4).
//! 2. The wallet redeems the code at the token endpoint ([`App::wallet_token`])
//!    for a 5-minute access token, asks the nonce endpoint for a `c_nonce`
//!    ([`App::wallet_nonce`]), and sends a proof of possession of its key to
//!    the credential endpoint ([`App::wallet_credential`]), which answers the
//!    card as an SD-JWT VC bound to that key, pointing at the card's own
//!    status-list entry: revoking (or re-issuing) the card revokes every
//!    wallet credential of it. A refused proof leaves the token usable.
//!
//! Codes, tokens and nonces are stored only as SHA-256 (the transaction
//! code as an HMAC with the server secret); none is logged.

use attesta_credential::card::oid4vci::{jwk_thumbprint, verify_proof};
use attesta_credential::card::sd_jwt::{card_vct, random_salt};
use attesta_credential::card::{CardFacts, Issuance, StatusRef, issue_card_sd_jwt};
use attesta_domain::{Activity, CardSerial, CardState, format_date};
use attesta_store::wallet::{OfferState, WalletCredentialRecord, WalletOfferRecord};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as BASE64, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;
use time::OffsetDateTime;

use crate::cards_credential::end_of_italian_day;
use crate::level2::six_digits;
use crate::notify::WalletTxCodeSms;
use crate::{Actor, App, AppError, AppResult, ErrorCode, from_millis, to_millis};

/// The one credential configuration offered: the card as an SD-JWT VC.
pub const CREDENTIAL_CONFIGURATION_ID: &str = "eu.disability_card.sd_jwt";
/// Its OAuth scope.
pub const CREDENTIAL_SCOPE: &str = "eu_disability_card";
/// The pre-authorized code grant (OpenID4VCI 1.0 §4.1.1).
pub const PRE_AUTHORIZED_GRANT: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
/// How long an offer (its pre-authorized code and transaction code) lives.
pub const OFFER_TTL_SECONDS: i64 = 10 * 60;
/// How long an access token lives.
pub const ACCESS_TOKEN_TTL_SECONDS: i64 = 5 * 60;
/// How long a `c_nonce` lives.
pub const NONCE_TTL_SECONDS: i64 = 5 * 60;
/// Wrong transaction codes that burn an offer (SPEC §4's OTP rule).
pub const MAX_TX_CODE_FAILURES: i64 = 3;
/// Decoy digests in each credential's `_sd`, so the number of claims does
/// not show.
const DECOYS: usize = 3;
/// Who the citizen's activity list names for what the wallet did.
const WALLET_ACTOR: &str = "Wallet (OpenID4VCI)";

/// An offer just made, for the page.
#[derive(Debug, Clone, PartialEq)]
pub struct WalletOffer {
    /// The credential offer object (OpenID4VCI 1.0 §4.1.1), by value.
    pub offer: Value,
    /// `openid-credential-offer://?credential_offer=…`, for the QR and the link.
    pub offer_uri: String,
    /// Where the transaction code went (masked).
    pub sent_to: String,
    pub expires_at: OffsetDateTime,
}

/// The token endpoint's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalletAccessToken {
    pub access_token: String,
    pub expires_in: i64,
}

/// A random value of `n` bytes, base64url: codes, tokens and nonces.
fn random_secret<const N: usize>() -> String {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a code, token or nonce: SHA-256, hex.
fn storage_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn invalid_grant(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidGrant, message)
}

fn invalid_token() -> AppError {
    AppError::new(
        ErrorCode::InvalidToken,
        "The access token is unknown, expired or already used: redeem a new credential offer.",
    )
}

impl App {
    /// The credential issuer identifier: the public URL, no trailing slash.
    pub fn credential_issuer(&self) -> String {
        self.config.public_url.trim_end_matches('/').to_owned()
    }

    /// `GET /.well-known/openid-credential-issuer` (OpenID4VCI 1.0 §12.2).
    pub fn credential_issuer_metadata(&self) -> Value {
        let issuer = self.credential_issuer();
        json!({
            "credential_issuer": issuer,
            "credential_endpoint": format!("{issuer}/oid4vci/credential"),
            "nonce_endpoint": format!("{issuer}/oid4vci/nonce"),
            "display": [
                {"name": "attesta — INPS", "locale": "it"},
                {"name": "attesta — INPS", "locale": "en"},
            ],
            "credential_configurations_supported": {
                CREDENTIAL_CONFIGURATION_ID: {
                    "format": "dc+sd-jwt",
                    "vct": card_vct(&issuer),
                    "scope": CREDENTIAL_SCOPE,
                    "cryptographic_binding_methods_supported": ["jwk"],
                    "credential_signing_alg_values_supported": ["ES256"],
                    "proof_types_supported": {
                        "jwt": {"proof_signing_alg_values_supported": ["ES256"]}
                    },
                    "credential_metadata": {
                        "display": [
                            {"name": "Carta europea della disabilità", "locale": "it",
                             "description": "La Carta europea della disabilità, rilasciata da INPS"},
                            {"name": "EU Disability Card", "locale": "en",
                             "description": "The European Disability Card, issued by INPS"},
                        ]
                    }
                }
            }
        })
    }

    /// `GET /.well-known/oauth-authorization-server` (RFC 8414): attesta is
    /// its own authorization server, for the pre-authorized code only.
    pub fn authorization_server_metadata(&self) -> Value {
        let issuer = self.credential_issuer();
        json!({
            "issuer": issuer,
            "token_endpoint": format!("{issuer}/oid4vci/token"),
            "grant_types_supported": [PRE_AUTHORIZED_GRANT],
            "pre-authorized_grant_anonymous_access_supported": true,
            "response_types_supported": [],
        })
    }

    fn tx_code_mac(&self, offer_id: &str, tx_code: &str) -> String {
        self.secret
            .mac_hex("wallet-tx-code", format!("{offer_id}:{tx_code}").as_bytes())
    }

    /// `POST /me/card/wallet`: an offer for the actor's active card, its
    /// transaction code sent by SMS to the holder's mobile. No mobile, or an
    /// SMS that could not be sent: nothing is created.
    pub async fn create_wallet_offer(&self, actor: &Actor) -> AppResult<WalletOffer> {
        let today = self.today();
        let card = self
            .store
            .latest_card_application(&actor.person_id)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NoCard,
                    "You have not applied for the EU Disability Card yet.",
                )
            })?;
        let status = card.status.on(card.expires_on, today);
        let serial = match (&card.serial, status) {
            (Some(serial), CardState::Active) => serial.clone(),
            _ => {
                return Err(AppError::new(
                    ErrorCode::CardNotActive,
                    format!("Only an active card can be added to a wallet: yours is {status}."),
                ));
            }
        };
        let person = self.person(&actor.person_id).await?;
        let Some(mobile) = person.person.mobile.clone() else {
            return Err(AppError::new(
                ErrorCode::NoMobileOnRecord,
                "No mobile number is on record, so the wallet's code cannot be sent. Add one in the registry section (anagrafica) of MyINPS, then try again.",
            ));
        };
        let now = self.now_millis();
        let offer_id = attesta_store::ids::random_id();
        let code = random_secret::<32>();
        let tx_code = six_digits();
        let record = WalletOfferRecord {
            offer_id: offer_id.clone(),
            person_id: actor.person_id.clone(),
            serial: serial.as_str().to_owned(),
            code_hash: storage_hash(&code),
            tx_code_mac: self.tx_code_mac(&offer_id, &tx_code),
            failures: 0,
            state: OfferState::Pending,
            created_at: now,
            expires_at: now + OFFER_TTL_SECONDS * 1000,
            used_at: None,
        };
        self.store.insert_wallet_offer(&record).await?;
        let text = WalletTxCodeSms {
            code: &tx_code,
            minutes: (OFFER_TTL_SECONDS / 60) as u64,
        }
        .text()
        .map_err(|e| AppError::internal(&e))?;
        if let Err(e) = self.sms.send(mobile.as_str(), &text).await {
            tracing::warn!(error = %e, "could not send the wallet's transaction code");
            self.store.delete_wallet_offer(&offer_id).await?;
            return Err(AppError::new(
                ErrorCode::SmsUnavailable,
                "The wallet's code could not be sent by SMS right now. Try again in a moment.",
            ));
        }
        let offer = json!({
            "credential_issuer": self.credential_issuer(),
            "credential_configuration_ids": [CREDENTIAL_CONFIGURATION_ID],
            "grants": {
                PRE_AUTHORIZED_GRANT: {
                    "pre-authorized_code": code,
                    "tx_code": {
                        "input_mode": "numeric",
                        "length": 6,
                        "description": "Il codice ricevuto per SMS / The code you received by SMS",
                    }
                }
            }
        });
        let offer_uri = format!(
            "openid-credential-offer://?credential_offer={}",
            percent_encode(&offer.to_string())
        );
        tracing::info!("wallet credential offer created");
        Ok(WalletOffer {
            offer,
            offer_uri,
            sent_to: mobile.masked(),
            expires_at: from_millis(record.expires_at),
        })
    }

    /// `POST /oid4vci/token`: the pre-authorized code and the transaction
    /// code for an access token. Every refusal says what to do.
    pub async fn wallet_token(
        &self,
        grant_type: Option<&str>,
        code: Option<&str>,
        tx_code: Option<&str>,
    ) -> AppResult<WalletAccessToken> {
        fn present(v: Option<&str>) -> Option<&str> {
            v.map(str::trim).filter(|v| !v.is_empty())
        }
        let Some(grant_type) = present(grant_type) else {
            return Err(AppError::invalid_request(format!(
                "`grant_type` is missing: send {PRE_AUTHORIZED_GRANT}."
            )));
        };
        if grant_type != PRE_AUTHORIZED_GRANT {
            return Err(AppError::new(
                ErrorCode::UnsupportedGrantType,
                format!("Only the grant type {PRE_AUTHORIZED_GRANT} is supported."),
            ));
        }
        let Some(code) = present(code) else {
            return Err(AppError::invalid_request(
                "`pre-authorized_code` is missing: send the code of the credential offer.",
            ));
        };
        let Some(tx_code) = present(tx_code) else {
            return Err(AppError::invalid_request(
                "`tx_code` is missing: send the 6-digit code the holder received by SMS.",
            ));
        };
        let now = self.now_millis();
        let Some(offer) = self.store.wallet_offer_by_code(&storage_hash(code)).await? else {
            return Err(invalid_grant(
                "The pre-authorized code is not known: scan the offer on the card's page again.",
            ));
        };
        let gone = |state: OfferState, expires_at: i64| match state {
            OfferState::Used => Some(invalid_grant(
                "The pre-authorized code was already used: ask for a new offer on the card's page.",
            )),
            OfferState::Burned => Some(invalid_grant(
                "Too many wrong transaction codes: this offer no longer works. Ask for a new offer on the card's page.",
            )),
            OfferState::Pending if expires_at <= now => Some(invalid_grant(
                "The pre-authorized code has expired: ask for a new offer on the card's page.",
            )),
            OfferState::Pending => None,
        };
        if let Some(e) = gone(offer.state, offer.expires_at) {
            return Err(e);
        }
        self.active_card(&offer.serial)
            .await?
            .ok_or_else(|| invalid_grant("The card of this offer is no longer active."))?;
        let expected = self.tx_code_mac(&offer.offer_id, tx_code);
        let correct: bool = expected
            .as_bytes()
            .ct_eq(offer.tx_code_mac.as_bytes())
            .into();
        if !correct {
            let Some((failures, _)) = self
                .store
                .wallet_offer_failure(&offer.offer_id, MAX_TX_CODE_FAILURES)
                .await?
            else {
                return Err(self.offer_gone(code, now).await?);
            };
            let left = (MAX_TX_CODE_FAILURES - failures).max(0);
            return Err(invalid_grant(if left > 0 {
                format!("The transaction code is wrong: {left} tries left.")
            } else {
                "The transaction code is wrong and no tries are left: this offer no longer works. Ask for a new offer on the card's page.".to_owned()
            })
            .with_attempts_left(left));
        }
        let token = random_secret::<32>();
        if !self
            .store
            .redeem_wallet_offer(
                &offer.offer_id,
                &storage_hash(&token),
                now,
                now + ACCESS_TOKEN_TTL_SECONDS * 1000,
            )
            .await?
        {
            return Err(self.offer_gone(code, now).await?);
        }
        Ok(WalletAccessToken {
            access_token: token,
            expires_in: ACCESS_TOKEN_TTL_SECONDS,
        })
    }

    /// The refusal for an offer that changed under a request (redeemed,
    /// burned or expired meanwhile).
    async fn offer_gone(&self, code: &str, now: i64) -> AppResult<AppError> {
        let state = self
            .store
            .wallet_offer_by_code(&storage_hash(code))
            .await?
            .map(|o| (o.state, o.expires_at));
        Ok(match state {
            Some((OfferState::Burned, _)) => invalid_grant(
                "Too many wrong transaction codes: this offer no longer works. Ask for a new offer on the card's page.",
            ),
            Some((OfferState::Pending, at)) if at <= now => invalid_grant(
                "The pre-authorized code has expired: ask for a new offer on the card's page.",
            ),
            _ => invalid_grant(
                "The pre-authorized code was already used: ask for a new offer on the card's page.",
            ),
        })
    }

    /// The card of `serial` if it is active today.
    async fn active_card(
        &self,
        serial: &str,
    ) -> AppResult<Option<attesta_store::cards::CardApplicationRecord>> {
        let Ok(serial) = CardSerial::parse(serial) else {
            return Ok(None);
        };
        let today = self.today();
        Ok(self
            .store
            .card_by_serial(&serial)
            .await?
            .filter(|c| c.status.on(c.expires_on, today) == CardState::Active))
    }

    /// `POST /oid4vci/nonce`: a fresh single-use `c_nonce`, stored so every
    /// node accepts it once.
    pub async fn wallet_nonce(&self) -> AppResult<String> {
        let nonce = random_secret::<16>();
        let now = self.now_millis();
        self.store
            .insert_wallet_nonce(&storage_hash(&nonce), now, now + NONCE_TTL_SECONDS * 1000)
            .await?;
        Ok(nonce)
    }

    /// `POST /oid4vci/credential`: the card as an SD-JWT VC for the key the
    /// proof holds. `bearer` is the access token; `body` the JSON request
    /// (OpenID4VCI 1.0 §8.2: `credential_configuration_id` and
    /// `proofs.jwt`, one proof). A refused proof is written to the holder's
    /// activity list and leaves the token usable.
    pub async fn wallet_credential(&self, bearer: Option<&str>, body: &Value) -> AppResult<String> {
        let token = bearer
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(invalid_token)?;
        let now = self.now();
        let now_ms = to_millis(now);
        let grant = self
            .store
            .wallet_token(&storage_hash(token), now_ms)
            .await?
            .ok_or_else(invalid_token)?;
        let proof = credential_request_proof(body)?;
        let issuer = self.credential_issuer();
        let valid = match verify_proof(proof, &issuer, now.unix_timestamp()) {
            Ok(v) => v,
            Err(e) => {
                self.wallet_activity(&grant.person_id, Activity::WalletProofRefused)
                    .await;
                return Err(AppError::new(
                    ErrorCode::InvalidProof,
                    format!("The proof is refused: {e}."),
                ));
            }
        };
        if !self
            .store
            .use_wallet_nonce(&storage_hash(&valid.nonce), now_ms)
            .await?
        {
            self.wallet_activity(&grant.person_id, Activity::WalletProofRefused)
                .await;
            return Err(AppError::new(
                ErrorCode::InvalidNonce,
                "The proof's nonce is unknown, expired or already used: get a new c_nonce from the nonce endpoint and sign a new proof.",
            ));
        }
        let card = self.active_card(&grant.serial).await?.ok_or_else(|| {
            AppError::new(
                ErrorCode::CredentialRequestDenied,
                "The card is no longer active, so it cannot go into a wallet.",
            )
        })?;
        let slot = self
            .store
            .card_credential(&grant.serial)
            .await?
            .ok_or_else(|| AppError::internal(&"an active card has no credential slot"))?;
        let person = self.person(&grant.person_id).await?;
        let missing = || AppError::internal(&"an active card lacks its data");
        let expires_on = card.expires_on.ok_or_else(missing)?;
        let facts = CardFacts {
            serial: grant.serial.clone(),
            given_name: person.person.given_name.clone(),
            family_name: person.person.family_name.clone(),
            birth_date: format_date(person.person.birth_date),
            portrait_jpeg: BASE64
                .decode(&card.photo_jpeg_base64)
                .map_err(|e| AppError::internal(&e))?,
            expiry_date: format_date(expires_on),
            issuing_authority: "INPS".into(),
            issuing_country: "IT".into(),
            constant_attendance_allowance: card.a_mark.unwrap_or(false),
            status: StatusRef {
                idx: slot.idx as u64,
                uri: self.status_list_uri(&slot.list_id),
            },
        };
        let expires_at = end_of_italian_day(expires_on);
        let signer = self.active_signer().await?;
        let vct = card_vct(&issuer);
        let mut salt = random_salt;
        let sd_jwt = issue_card_sd_jwt(
            &facts,
            Issuance {
                issuer: &issuer,
                vct: &vct,
                issued_at: now.unix_timestamp(),
                expires_at: expires_at.unix_timestamp(),
                holder: &valid.holder,
                decoys: DECOYS,
                salt: &mut salt,
            },
            &signer,
        )
        .map_err(|e| AppError::internal(&e))?;
        self.store
            .note_signing_key_use(&signer.kid().to_string(), to_millis(expires_at))
            .await?;
        let record = WalletCredentialRecord {
            credential_id: attesta_store::ids::random_id(),
            person_id: grant.person_id.clone(),
            serial: grant.serial.clone(),
            holder_thumbprint: jwk_thumbprint(&valid.holder),
            issued_at: now_ms,
        };
        if !self
            .store
            .spend_wallet_token(&storage_hash(token), now_ms, &record)
            .await?
        {
            // Spent by a concurrent request meanwhile: this one issues nothing.
            return Err(invalid_token());
        }
        self.wallet_activity(&grant.person_id, Activity::WalletCredentialIssued)
            .await;
        tracing::info!("card issued into a wallet");
        Ok(sd_jwt)
    }

    async fn wallet_activity(&self, person_id: &str, action: Activity) {
        if let Err(e) = self
            .store
            .record_activity(person_id, self.now_millis(), action, WALLET_ACTOR, false)
            .await
        {
            tracing::error!(error = %e, action = action.as_str(), "cannot record the wallet activity");
        }
    }
}

/// The one proof of a credential request, after its shape is checked.
fn credential_request_proof(body: &Value) -> AppResult<&str> {
    let request = |m: &str| AppError::new(ErrorCode::InvalidCredentialRequest, m);
    let Some(map) = body.as_object() else {
        return Err(request("The credential request is a JSON object."));
    };
    if map.contains_key("credential_response_encryption") {
        return Err(request(
            "Encrypted credential responses are not supported: leave out credential_response_encryption.",
        ));
    }
    match map.get("credential_configuration_id") {
        Some(Value::String(id)) if id == CREDENTIAL_CONFIGURATION_ID => {}
        Some(Value::String(id)) => {
            return Err(AppError::new(
                ErrorCode::UnknownCredentialConfiguration,
                format!(
                    "No credential configuration {id:?} is offered: the one offered is {CREDENTIAL_CONFIGURATION_ID}."
                ),
            ));
        }
        _ => {
            return Err(request(&format!(
                "`credential_configuration_id` is missing: send {CREDENTIAL_CONFIGURATION_ID}."
            )));
        }
    }
    let proof_error = |m: &str| AppError::new(ErrorCode::InvalidProof, m);
    if map.contains_key("proof") {
        return Err(proof_error(
            "Send the proof as `proofs: {\"jwt\": [\"<proof>\"]}` (OpenID4VCI 1.0), not `proof`.",
        ));
    }
    let jwts = map
        .get("proofs")
        .and_then(|p| p.as_object())
        .and_then(|p| p.get("jwt"))
        .and_then(Value::as_array)
        .ok_or_else(|| {
            proof_error("No proof: send `proofs: {\"jwt\": [\"<proof>\"]}` with one proof JWT.")
        })?;
    match jwts.as_slice() {
        [Value::String(jwt)] => Ok(jwt.as_str()),
        _ => Err(proof_error(
            "Send exactly one proof JWT in `proofs.jwt`: attesta issues one credential per request.",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(
            percent_encode(r#"{"a":"b c/~_-."}"#),
            "%7B%22a%22%3A%22b%20c%2F~_-.%22%7D"
        );
        assert_eq!(percent_encode("è"), "%C3%A8");
    }

    #[test]
    fn a_credential_request_needs_one_proof_and_the_offered_configuration() {
        let ok = json!({"credential_configuration_id": CREDENTIAL_CONFIGURATION_ID,
            "proofs": {"jwt": ["eyJ.x.y"]}});
        assert_eq!(credential_request_proof(&ok).unwrap(), "eyJ.x.y");
        let code = |v: Value| credential_request_proof(&v).unwrap_err().code;
        assert_eq!(code(json!([])), ErrorCode::InvalidCredentialRequest);
        assert_eq!(
            code(json!({"proofs": {"jwt": ["a"]}})),
            ErrorCode::InvalidCredentialRequest
        );
        assert_eq!(
            code(json!({"credential_configuration_id": "other", "proofs": {"jwt": ["a"]}})),
            ErrorCode::UnknownCredentialConfiguration
        );
        let id = CREDENTIAL_CONFIGURATION_ID;
        assert_eq!(
            code(json!({"credential_configuration_id": id})),
            ErrorCode::InvalidProof
        );
        assert_eq!(
            code(json!({"credential_configuration_id": id, "proofs": {"jwt": ["a", "b"]}})),
            ErrorCode::InvalidProof
        );
        assert_eq!(
            code(
                json!({"credential_configuration_id": id, "proof": {"proof_type": "jwt", "jwt": "a"}})
            ),
            ErrorCode::InvalidProof
        );
    }
}
