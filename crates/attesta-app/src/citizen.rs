//! The citizen's own area (SPEC §3, §6 `/api/v1/me…`).

use attesta_credential::{AttestationId, AttestationPdf, Token, attestation_pdf, attestation_url};
use attesta_store::{AttestationRecord, PersonRecord};
use time::OffsetDateTime;

use crate::{App, AppError, AppResult, from_millis, italian_date};

/// What the citizen sees of their record.
#[derive(Debug, Clone)]
pub struct MeView {
    pub record: PersonRecord,
    /// Whether the current status qualifies for an attestation today.
    pub qualifies: bool,
}

/// The current attestation, with its token re-derived from the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationView {
    pub url: String,
    pub short_code: String,
    pub created_at: OffsetDateTime,
}

/// One line of the citizen's verification log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationView {
    pub at: OffsetDateTime,
    pub level: i64,
    pub outcome: String,
    pub operator: Option<String>,
    pub organisation: Option<String>,
}

/// SPEC §3 and §9.8: why no QR can be made, and the way forward.
pub const NO_QUALIFYING_STATUS: &str = "No definitive verbale on record places you in any of the cases the QR code attests (civil invalidity of at least 34%, invalid minor, accompaniment allowance, partial or absolute blindness, deafness, Law 104 art. 3 c.1 or c.3), so no QR code can be generated. Verbali issued before 2010, on paper, or by Valle d'Aosta, Trento or Bolzano may not be in the archive yet: ask INPS (or your patronato) to add them, and they will count as soon as they are loaded. If a verbale shown to you is wrong, report it to INPS.";

impl App {
    async fn person(&self, person_id: &str) -> AppResult<PersonRecord> {
        self.store
            .person_by_id(person_id)
            .await?
            .ok_or_else(AppError::login_required)
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self, person_id: &str) -> AppResult<MeView> {
        let record = self.person(person_id).await?;
        let qualifies = record
            .status
            .level1(record.person.birth_date, self.today())
            .qualifies;
        Ok(MeView { record, qualifies })
    }

    /// `POST /api/v1/me/privacy-notice`.
    pub async fn accept_privacy_notice(&self, person_id: &str) -> AppResult<()> {
        self.person(person_id).await?;
        Ok(self
            .store
            .accept_privacy_notice(person_id, self.now_millis())
            .await?)
    }

    /// `POST /api/v1/me/attestation`: a new attestation, revoking the old.
    pub async fn generate_attestation(&self, person_id: &str) -> AppResult<AttestationView> {
        let record = self.person(person_id).await?;
        if record.privacy_accepted_at.is_none() {
            return Err(AppError::new(
                409,
                "privacy_notice_not_accepted",
                "Read and accept the privacy notice first (POST /api/v1/me/privacy-notice).",
            ));
        }
        if !record
            .status
            .level1(record.person.birth_date, self.today())
            .qualifies
        {
            return Err(AppError::new(
                422,
                "no_qualifying_status",
                NO_QUALIFYING_STATUS,
            ));
        }
        let id = AttestationId::generate();
        let token = Token::derive(&self.secret, &id);
        let now = self.now_millis();
        self.store
            .create_attestation(person_id, &id.to_hex(), &token.storage_hash(), now)
            .await?;
        Ok(self.view(&token, now))
    }

    fn view(&self, token: &Token, created_at: i64) -> AttestationView {
        AttestationView {
            url: attestation_url(&self.config.public_url, token),
            short_code: token.short_code(),
            created_at: from_millis(created_at),
        }
    }

    async fn active(&self, person_id: &str) -> AppResult<(AttestationRecord, Token)> {
        let record = self
            .store
            .active_attestation(person_id)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    404,
                    "no_attestation",
                    "You have no active QR code: generate one.",
                )
            })?;
        let id = AttestationId::from_hex(&record.attestation_id)
            .ok_or_else(|| AppError::internal(&"stored attestation id is not 32 hex characters"))?;
        Ok((record, Token::derive(&self.secret, &id)))
    }

    /// `GET /api/v1/me/attestation`.
    pub async fn current_attestation(&self, person_id: &str) -> AppResult<AttestationView> {
        let (record, token) = self.active(person_id).await?;
        Ok(self.view(&token, record.created_at))
    }

    /// `GET /api/v1/me/attestation/pdf`: made on request, never stored.
    pub async fn attestation_pdf(&self, person_id: &str) -> AppResult<Vec<u8>> {
        let person = self.person(person_id).await?;
        let (record, token) = self.active(person_id).await?;
        let view = self.view(&token, record.created_at);
        let name = person.person.full_name();
        attestation_pdf(&AttestationPdf {
            holder_name: &name,
            url: &view.url,
            short_code: &view.short_code,
            generated_on: italian_date(view.created_at),
        })
        .map_err(|e| AppError::internal(&e))
    }

    /// `DELETE /api/v1/me/attestation`: the old QR answers 410 at once.
    pub async fn revoke_attestation(&self, person_id: &str) -> AppResult<()> {
        if self
            .store
            .revoke_attestation(person_id, self.now_millis())
            .await?
        {
            Ok(())
        } else {
            Err(AppError::new(
                404,
                "no_attestation",
                "You have no active QR code to revoke.",
            ))
        }
    }

    /// `GET /api/v1/me/verifications`: newest first.
    pub async fn verifications(&self, person_id: &str) -> AppResult<Vec<VerificationView>> {
        let rows = self.store.verifications_of(person_id, 500).await?;
        Ok(rows
            .into_iter()
            .map(|r| VerificationView {
                at: from_millis(r.at),
                level: r.level,
                outcome: r.outcome,
                operator: r.operator,
                organisation: r.organisation,
            })
            .collect())
    }
}
