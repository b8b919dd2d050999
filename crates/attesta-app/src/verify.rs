//! Level-1 verification (SPEC §4, §6 `POST /api/v1/verify`).
//!
//! The hot path: one indexed read (attestation + person + current status by
//! token hash) and one append to the verification log; a wrong codice
//! fiscale adds one atomic counter update.

use crate::ErrorCode;
use attesta_credential::Token;
use attesta_domain::{AreaFlags, CheckOutcome, FiscalCode};
use attesta_store::{TokenLookup, VerificationRecord, ids};
use subtle::ConstantTimeEq;

use crate::{App, AppError, AppResult, Identity, to_millis};

/// What a level-1 check answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level1View {
    pub qualifies: bool,
    pub holder_name: String,
    pub statuses: AreaFlags,
    pub checked_at: time::OffsetDateTime,
    pub verification_id: String,
}

impl Level1View {
    pub fn outcome(&self) -> CheckOutcome {
        if self.qualifies {
            CheckOutcome::Qualifies
        } else {
            CheckOutcome::DoesNotQualify
        }
    }
}

/// What the operator page may say about a token before any codice fiscale
/// is typed: only whether it can be checked at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    Active,
    Revoked,
    Unknown,
}

/// How long the handle of an opened check lasts (SPEC §12): long enough
/// to type a codice fiscale and ask for level 2, short enough that a handle
/// left in a browser's history soon opens nothing.
pub const CHECK_TTL: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// The SHA-256 (hex) under which a check handle is stored: the database
/// never holds a handle that would open a check.
fn handle_hash(handle: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(handle.as_bytes()))
}

impl App {
    /// `GET /v/{token}` (SPEC §12, token hygiene): opens a check of the QR
    /// and returns its handle, a fresh random 128-bit value (32 hex
    /// characters) that stands for the attestation for [`CHECK_TTL`]; the
    /// pages then carry the handle, never the token. A revoked QR is
    /// refused (and logged as [`Self::read_token`] does), an unknown one too.
    pub async fn open_check(&self, token: &str) -> AppResult<String> {
        let token = Token::parse(token).ok_or_else(AppError::unknown_token)?;
        let Some(found) = self.store.lookup_token(&token.storage_hash()).await? else {
            return Err(AppError::unknown_token());
        };
        let now = self.now_millis();
        if found.revoked_at.is_some() {
            self.log(&found, now, 1, CheckOutcome::RevokedQr, None)
                .await?;
            return Err(AppError::revoked_token());
        }
        let handle = ids::random_id();
        let ttl = i64::try_from(CHECK_TTL.as_millis()).unwrap_or(i64::MAX);
        self.store
            .open_check_handle(&handle_hash(&handle), &found.attestation_id, now, now + ttl)
            .await?;
        Ok(handle)
    }

    /// The token of an opened check, derived again from the attestation its
    /// handle stands for; `None` once the handle has expired (or never was).
    pub async fn check_token(&self, handle: &str) -> AppResult<Option<String>> {
        // Anything but 32 hex characters was never a handle: no query.
        if handle.len() != 32 || !handle.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let Some(attestation_id) = self
            .store
            .check_handle(
                &handle_hash(&handle.to_ascii_lowercase()),
                self.now_millis(),
            )
            .await?
        else {
            return Ok(None);
        };
        let id = attesta_credential::AttestationId::from_hex(&attestation_id).ok_or_else(|| {
            AppError::internal(&format!(
                "stored attestation id {attestation_id:?} is not hex"
            ))
        })?;
        Ok(Some(Token::derive(&self.secret, &id).encode()))
    }

    /// Whether a QR being read (the operator's page `/v/{token}`) is active,
    /// revoked or unknown. A revoked QR that is read is written to its holder's
    /// log as `revoked_qr`, so a lost or replaced printout being used shows
    /// in the citizen's list of checks. Nothing about the holder is returned.
    pub async fn read_token(&self, token: &str) -> AppResult<TokenState> {
        let Some(token) = Token::parse(token) else {
            return Ok(TokenState::Unknown);
        };
        match self.store.lookup_token(&token.storage_hash()).await? {
            None => Ok(TokenState::Unknown),
            Some(found) if found.revoked_at.is_some() => {
                self.log(
                    &found,
                    to_millis(self.now()),
                    1,
                    CheckOutcome::RevokedQr,
                    None,
                )
                .await?;
                Ok(TokenState::Revoked)
            }
            Some(_) => Ok(TokenState::Active),
        }
    }

    /// `POST /api/v1/verify`: the codice fiscale against the token.
    pub async fn verify_level1(&self, token: &str, fiscal_code: &str) -> AppResult<Level1View> {
        let (found, now) = self.check_holder(token, fiscal_code, None).await?;
        let outcome = found
            .status
            .level1(found.birth_date, crate::italian_date(now));
        let now_ms = to_millis(now);
        let verification_id = self
            .log(&found, now_ms, 1, outcome.check_outcome(), None)
            .await?;
        Ok(Level1View {
            qualifies: outcome.qualifies,
            holder_name: format!("{} {}", found.given_name, found.family_name),
            statuses: outcome.flags,
            checked_at: crate::from_millis(now_ms),
            verification_id,
        })
    }

    /// The checks both levels start with (SPEC §6): the codice fiscale's
    /// format (400, never an attempt), the token (404, 410), the lock (429)
    /// and the match (403 with `attempts_left`, counted in the database).
    /// Level 2 passes the operator, who is then named in the citizen's log.
    pub(crate) async fn check_holder(
        &self,
        token: &str,
        fiscal_code: &str,
        operator: Option<&Identity>,
    ) -> AppResult<(TokenLookup, time::OffsetDateTime)> {
        let level = if operator.is_some() { 2 } else { 1 };
        let cf = FiscalCode::parse(fiscal_code).map_err(|e| {
            AppError::new(
                ErrorCode::InvalidFiscalCode,
                format!("The codice fiscale is not valid: {e}."),
            )
        })?;
        let token = Token::parse(token).ok_or_else(AppError::unknown_token)?;
        let Some(found) = self.store.lookup_token(&token.storage_hash()).await? else {
            return Err(AppError::unknown_token());
        };
        let now = self.now();
        let now_ms = to_millis(now);
        if found.revoked_at.is_some() {
            self.log(&found, now_ms, level, CheckOutcome::RevokedQr, operator)
                .await?;
            return Err(AppError::revoked_token());
        }
        let window = self.config.failure_window.as_millis() as i64;
        let limit = self.config.max_fiscal_code_failures;
        if let Some(start) = found.window_start
            && found.failures >= limit
            && start > now_ms - window
        {
            self.log(&found, now_ms, level, CheckOutcome::Locked, operator)
                .await?;
            return Err(too_many_attempts(start + window - now_ms));
        }
        let matches: bool = cf
            .as_str()
            .as_bytes()
            .ct_eq(found.fiscal_code.as_bytes())
            .into();
        if !matches {
            let (failures, start) = self
                .store
                .record_failure(&found.attestation_id, now_ms, window)
                .await?;
            if failures > limit {
                // Lost a race with other wrong attempts: already locked.
                self.log(&found, now_ms, level, CheckOutcome::Locked, operator)
                    .await?;
                return Err(too_many_attempts(start + window - now_ms));
            }
            self.log(
                &found,
                now_ms,
                level,
                CheckOutcome::FiscalCodeMismatch,
                operator,
            )
            .await?;
            let left = limit - failures;
            return Err(AppError::new(ErrorCode::FiscalCodeMismatch,
                if left > 0 {
                    format!(
                        "The codice fiscale does not match this QR code. Check it with the holder's health card and try again ({left} attempts left)."
                    )
                } else {
                    "The codice fiscale does not match this QR code. No attempts are left: this QR is locked for 15 minutes.".to_owned()
                },
            )
            .with_attempts_left(left));
        }
        Ok((found, now))
    }

    /// Writes one attempt to the log before the answer leaves.
    pub(crate) async fn log(
        &self,
        found: &TokenLookup,
        at: i64,
        level: i64,
        outcome: CheckOutcome,
        operator: Option<&Identity>,
    ) -> AppResult<String> {
        let verification_id = ids::time_ordered_id(at);
        self.store
            .log_verification(&VerificationRecord {
                verification_id: verification_id.clone(),
                person_id: Some(found.person_id.clone()),
                attestation_id: Some(found.attestation_id.clone()),
                at,
                level,
                outcome,
                operator: operator.map(|o| o.name.clone()),
                organisation: operator.and_then(|o| o.organisation.clone()),
            })
            .await
            // The check is not written, so it is not answered (SPEC §12).
            .map_err(|e| AppError::unavailable(&e))?;
        crate::telemetry::verification(level, outcome);
        Ok(verification_id)
    }
}

fn too_many_attempts(retry_after_ms: i64) -> AppError {
    let seconds = (retry_after_ms.max(0) as u64).div_ceil(1000);
    let minutes = seconds.div_ceil(60);
    AppError::new(
        ErrorCode::TooManyAttempts,
        format!(
            "Too many wrong codici fiscali for this QR code. Try again in {minutes} minute(s)."
        ),
    )
    .with_retry_after(seconds)
}
