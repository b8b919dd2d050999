//! The EU Disability Card credential's use cases (SPEC §5): signing keys
//! and their JWK Set, issuing and revoking a card's QR credential, the
//! status list the cards point to, and the online check behind `/c/…`.
//!
//! The card issue itself (#6) calls [`App::issue_card_credential`] and
//! [`App::revoke_card_credential`]; this module owns the cryptography's
//! side of it.

use crate::ErrorCode;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use attesta_credential::card::{
    CardClaims, CardPublicKey, CardSigningKey, KeySet, Outcome, StatusInput, StatusList,
    StatusListToken, StatusRef, Verdict, issue_card, verify_card,
};
use attesta_store::keys::{KeyState, SigningKeyRecord, StatusListRecord};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{App, AppError, AppResult, italian_time, to_millis};

/// One-bit entries per status list (16 KiB uncompressed).
pub const STATUS_LIST_CAPACITY: i64 = 131_072;
/// How long a verifier may keep a status list (seconds); also its `exp`.
pub const STATUS_LIST_TTL: i64 = 24 * 60 * 60;
/// Longest card serial accepted.
pub const MAX_SERIAL: usize = 64;

/// A card credential just issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedCardCredential {
    /// The QR text: `{PUBLIC_URL}/C/EUDC1:…`, upper case.
    pub qr_text: String,
    /// The bare `EUDC1:` payload.
    pub payload: String,
    pub serial: String,
    pub kid: String,
    pub status_list_uri: String,
    pub index: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
}

fn key_state_text<S: serde::Serializer>(state: &KeyState, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(state.as_str())
}

/// A signing key as `attesta keys list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SigningKeyView {
    pub kid: String,
    #[serde(serialize_with = "key_state_text")]
    pub state: KeyState,
    pub published: bool,
    /// Whether this node holds the private key file.
    pub private_key_here: bool,
    pub created_at: i64,
    pub activated_at: Option<i64>,
    pub retired_at: Option<i64>,
    /// Latest expiry (epoch ms) of anything it signed: it stays published until then.
    pub last_expiry: Option<i64>,
}

/// The instant a card valid "until `date`" stops being valid: the start of
/// the next day in Italy.
pub fn end_of_italian_day(date: Date) -> OffsetDateTime {
    let next = date.next_day().unwrap_or(date);
    let guess = next.midnight().assume_utc();
    let offset = italian_time(guess).offset();
    next.midnight().assume_offset(offset)
}

impl App {
    fn keys_dir(&self) -> Option<&Path> {
        self.config.keys_dir.as_deref()
    }

    fn key_path(&self, kid: &str) -> Option<PathBuf> {
        self.keys_dir().map(|d| d.join(format!("{kid}.pem")))
    }

    /// `{public_url}/api/v1/status-lists/{list_id}`: the `uri` in the cards.
    pub fn status_list_uri(&self, list_id: &str) -> String {
        format!("{}/api/v1/status-lists/{list_id}", self.config.public_url)
    }

    fn load_private_key(&self, kid: &str) -> AppResult<CardSigningKey> {
        let refuse = |why: String| {
            AppError::new(
                ErrorCode::SigningKeyUnavailable,
                format!(
                    "This node cannot sign card credentials: {why}. Sign on a node that holds \
                     the active key's private file, or deploy it there (`attesta keys list` \
                     shows which key is active)."
                ),
            )
        };
        let Some(path) = self.key_path(kid) else {
            return Err(refuse(format!(
                "no key directory is configured (active key {kid})"
            )));
        };
        let pem = std::fs::read_to_string(&path).map_err(|_| {
            refuse(format!(
                "the private key of the active key {kid} is not at {}",
                path.display()
            ))
        })?;
        let key = CardSigningKey::from_pkcs8_pem(&pem)
            .map_err(|_| refuse(format!("{} is not a P-256 PKCS#8 key", path.display())))?;
        if key.kid().to_string() != kid {
            return Err(refuse(format!(
                "{} holds another key than {kid}",
                path.display()
            )));
        }
        Ok(key)
    }

    /// The active key with its private half, or a clear refusal.
    pub(crate) async fn active_signer(&self) -> AppResult<CardSigningKey> {
        let active = self.store.active_signing_key().await?;
        let Some(active) = active else {
            return Err(AppError::new(
                ErrorCode::SigningKeyUnavailable,
                "No card signing key exists yet: run `attesta keys generate`.",
            ));
        };
        self.load_private_key(&active.kid)
    }

    fn write_private_key(&self, key: &CardSigningKey) -> AppResult<PathBuf> {
        let dir = self.keys_dir().ok_or_else(|| {
            AppError::new(
                ErrorCode::SigningKeyUnavailable,
                "No key directory is configured.",
            )
        })?;
        let fail =
            |e: std::io::Error| AppError::internal(&format!("cannot write the key file: {e}"));
        create_private_dir(dir).map_err(fail)?;
        let path = dir.join(format!("{}.pem", key.kid()));
        let pem = key.to_pkcs8_pem().map_err(|e| AppError::internal(&e))?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt as _;
            options.mode(0o600);
        }
        let mut file = options.open(&path).map_err(fail)?;
        file.write_all(pem.expose().as_bytes()).map_err(fail)?;
        file.sync_all().map_err(fail)?;
        Ok(path)
    }

    /// Generates a key: the private half as a 0600 file in the key
    /// directory, the public half in the database. The first key becomes
    /// active at once; later ones are `next`: published in the JWK Set but
    /// not signing until `rotate`, so verifiers can fetch them first.
    pub async fn generate_signing_key(&self) -> AppResult<SigningKeyView> {
        let key = CardSigningKey::generate();
        let kid = key.kid().to_string();
        self.write_private_key(&key)?;
        let state = match self.store.active_signing_key().await? {
            None => KeyState::Active,
            Some(_) => KeyState::Next,
        };
        let jwk = key.public().to_jwk().to_string();
        self.store
            .insert_signing_key(&kid, &jwk, state, self.now_millis())
            .await?;
        tracing::info!(kid = %kid, state = %state, "card signing key generated");
        self.signing_key_view(&kid).await
    }

    /// Makes the newest `next` key active and retires the active one (which
    /// stays published until the last card it signed expires).
    pub async fn rotate_signing_key(&self) -> AppResult<SigningKeyView> {
        let keys = self.store.signing_keys().await?;
        let Some(next) = keys.iter().rev().find(|k| k.state == KeyState::Next) else {
            return Err(AppError::new(
                ErrorCode::NoNextKey,
                "No published next key to rotate to: run `attesta keys generate`, let verifiers \
                 refresh the key set (/.well-known/attesta/keys.json), then rotate.",
            ));
        };
        // Refuse before switching if this node could not sign with it.
        self.load_private_key(&next.kid)?;
        self.store
            .activate_signing_key(&next.kid, self.now_millis())
            .await?;
        tracing::info!(kid = %next.kid, "card signing key rotated");
        self.signing_key_view(&next.kid).await
    }

    async fn signing_key_view(&self, kid: &str) -> AppResult<SigningKeyView> {
        self.signing_keys()
            .await?
            .into_iter()
            .find(|k| k.kid == kid)
            .ok_or_else(|| AppError::internal(&"the key just written is missing"))
    }

    /// Every key, oldest first.
    pub async fn signing_keys(&self) -> AppResult<Vec<SigningKeyView>> {
        let now = self.now_millis();
        let published: Vec<String> = self
            .store
            .published_signing_keys(now)
            .await?
            .into_iter()
            .map(|k| k.kid)
            .collect();
        let all = self.store.signing_keys().await?;
        Ok(all
            .into_iter()
            .map(|k: SigningKeyRecord| SigningKeyView {
                published: published.contains(&k.kid),
                private_key_here: self.key_path(&k.kid).is_some_and(|p| p.is_file()),
                kid: k.kid,
                state: k.state,
                created_at: k.created_at,
                activated_at: k.activated_at,
                retired_at: k.retired_at,
                last_expiry: k.last_expiry,
            })
            .collect())
    }

    /// The published keys (every node publishes the same set).
    pub async fn card_key_set(&self) -> AppResult<KeySet> {
        let records = self.store.published_signing_keys(self.now_millis()).await?;
        let mut keys = Vec::new();
        for r in records {
            let jwk: serde_json::Value = serde_json::from_str(&r.public_jwk)
                .map_err(|e| AppError::internal(&format!("stored JWK of {}: {e}", r.kid)))?;
            let key = CardPublicKey::from_jwk(&jwk)
                .map_err(|e| AppError::internal(&format!("stored JWK of {}: {e}", r.kid)))?;
            keys.push(key);
        }
        Ok(KeySet::new(keys))
    }

    /// The JWK Set served at `/.well-known/attesta/keys.json`.
    pub async fn card_jwks(&self) -> AppResult<serde_json::Value> {
        Ok(self.card_key_set().await?.to_jwks())
    }

    /// Signs the card credential of `serial`, valid until the end of
    /// `expires_on` (Italian time), and gives it a status-list slot (a
    /// serial issued before keeps its slot and its revocation).
    pub async fn issue_card_credential(
        &self,
        serial: &str,
        expires_on: Date,
    ) -> AppResult<IssuedCardCredential> {
        if serial.is_empty() || serial.len() > MAX_SERIAL || serial.chars().any(char::is_control) {
            return Err(AppError::invalid_request(format!(
                "A card serial is 1 to {MAX_SERIAL} characters without control characters."
            )));
        }
        let now = self.now();
        let expires_at = end_of_italian_day(expires_on);
        if expires_at <= now {
            return Err(AppError::invalid_request(
                "The card's expiry date is in the past.",
            ));
        }
        let signer = self.active_signer().await?;
        let kid = signer.kid().to_string();
        let record = self
            .store
            .record_card_credential(
                serial,
                &kid,
                to_millis(now),
                to_millis(expires_at),
                STATUS_LIST_CAPACITY,
            )
            .await?;
        let uri = self.status_list_uri(&record.list_id);
        let claims = CardClaims {
            issuer: self.config.public_url.clone(),
            expires_at: expires_at.unix_timestamp(),
            issued_at: now.unix_timestamp(),
            serial: serial.to_owned(),
            status: StatusRef {
                idx: record.idx as u64,
                uri: uri.clone(),
            },
        };
        let (payload, qr_text) = issue_card(&claims, &signer, &self.config.public_url)
            .map_err(|e| AppError::internal(&e))?;
        Ok(IssuedCardCredential {
            qr_text,
            payload,
            serial: serial.to_owned(),
            kid,
            status_list_uri: uri,
            index: record.idx,
            expires_at,
        })
    }

    /// Revokes the card credential of `serial`: its bit in the status list
    /// flips, and the list is signed again at once when this node can.
    pub async fn revoke_card_credential(&self, serial: &str) -> AppResult<()> {
        let record = self
            .store
            .revoke_card_credential(serial, self.now_millis())
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::UnknownCard,
                    "No card credential has this serial.",
                )
            })?;
        if self.sign_status_list(&record.list_id).await.is_err() {
            // No stale "valid" list may be served: verifiers get none (and
            // say undetermined) until a signing node signs it again.
            self.store.clear_status_list_token(&record.list_id).await?;
        }
        Ok(())
    }

    async fn status_list_record(&self, list_id: &str) -> AppResult<StatusListRecord> {
        self.store.status_list(list_id).await?.ok_or_else(|| {
            AppError::new(ErrorCode::UnknownStatusList, "No status list has this id.")
        })
    }

    /// The list as the database says now (unsigned).
    pub async fn live_status_list(&self, list_id: &str) -> AppResult<StatusListToken> {
        let record = self.status_list_record(list_id).await?;
        let bits = u8::try_from(record.bits).unwrap_or(1);
        let mut list = StatusList::new(bits, usize::try_from(record.capacity).unwrap_or(0))
            .map_err(|e| AppError::internal(&e))?;
        for idx in self.store.revoked_indexes(list_id).await? {
            list.set(idx as u64, 1);
        }
        let now = self.now().unix_timestamp();
        Ok(StatusListToken {
            uri: self.status_list_uri(list_id),
            issued_at: now,
            expires_at: Some(now + STATUS_LIST_TTL),
            ttl: Some(STATUS_LIST_TTL),
            list,
        })
    }

    async fn sign_status_list(&self, list_id: &str) -> AppResult<Vec<u8>> {
        let token = self.live_status_list(list_id).await?;
        let signer = self.active_signer().await?;
        let cwt = token.sign(&signer).map_err(|e| AppError::internal(&e))?;
        self.store
            .save_status_list_token(list_id, &hex::encode(&cwt), token.issued_at * 1000)
            .await?;
        Ok(cwt)
    }

    /// The signed status list (`application/statuslist+cwt`): the stored
    /// token while it is younger than half its TTL, else a fresh one, else
    /// (on a node that cannot sign) the stored one while still fresh.
    pub async fn status_list_cwt(&self, list_id: &str) -> AppResult<Vec<u8>> {
        let record = self.status_list_record(list_id).await?;
        let now = self.now_millis();
        let cached = record
            .token
            .as_deref()
            .zip(record.token_issued_at)
            .and_then(|(t, at)| hex::decode(t).ok().map(|b| (b, at)));
        if let Some((bytes, at)) = &cached
            && now < at + STATUS_LIST_TTL * 1000 / 2
        {
            return Ok(bytes.clone());
        }
        match self.sign_status_list(list_id).await {
            Ok(cwt) => Ok(cwt),
            Err(e) => match cached {
                Some((bytes, at)) if now < at + STATUS_LIST_TTL * 1000 => Ok(bytes),
                _ => Err(e),
            },
        }
    }

    /// The signed status list as a JWT (`application/statuslist+jwt`, for
    /// SD-JWT VC verifiers): the list as the database says now, signed by
    /// the active key. A node that cannot sign answers the refusal (the
    /// CWT form still has its stored fallback).
    pub async fn status_list_jwt(&self, list_id: &str) -> AppResult<String> {
        let token = self.live_status_list(list_id).await?;
        let signer = self.active_signer().await?;
        token.sign_jwt(&signer).map_err(|e| AppError::internal(&e))
    }

    /// The live status list a card (QR or SD-JWT VC) points to, when the
    /// list is one of this server's and is known; `None` leaves the verdict
    /// undetermined, as an offline verifier without the list would.
    pub(crate) async fn own_live_status_list(
        &self,
        status: Option<&StatusRef>,
    ) -> AppResult<Option<StatusListToken>> {
        let prefix = format!("{}/api/v1/status-lists/", self.config.public_url);
        let Some(list_id) = status
            .and_then(|s| s.uri.strip_prefix(&prefix))
            .filter(|id| id.len() <= 64 && id.chars().all(|c| c.is_ascii_hexdigit()))
        else {
            return Ok(None);
        };
        match self.live_status_list(list_id).await {
            Ok(live) => Ok(Some(live)),
            Err(e) if e.status() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The online check of a card QR (`GET /c/{payload}`): the offline
    /// verifier with the published keys, and the live status list instead
    /// of a downloaded one.
    pub async fn check_card_credential(&self, text: &str) -> AppResult<Verdict> {
        let keys = self.card_key_set().await?;
        let now = self.now().unix_timestamp();
        let first = verify_card(text, &keys, StatusInput::None, now);
        if first.outcome != Outcome::Undetermined {
            return Ok(first);
        }
        let Some(live) = self.own_live_status_list(first.status.as_ref()).await? else {
            return Ok(first);
        };
        Ok(verify_card(text, &keys, StatusInput::Trusted(&live), now))
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(dir)
}
