//! The citizen's own area (SPEC §3, §6 `/api/v1/me…`).

use crate::ErrorCode;
use attesta_credential::{
    AttestationId, AttestationPdf, PrintSize, Token, attestation_pdf, attestation_url,
};
use attesta_domain::Activity;
use attesta_store::{AttestationRecord, PersonRecord};
use time::OffsetDateTime;

use crate::notify::{AttestationEmail, Letter};
use crate::{Actor, App, AppError, AppResult, from_millis, italian_date};

/// What the citizen sees of their record.
#[derive(Debug, Clone)]
pub struct MeView {
    pub record: PersonRecord,
    /// Whether the current status qualifies for an attestation today.
    pub qualifies: bool,
    /// True when a delegate is acting for this person.
    pub acting_as_delegate: bool,
}

/// The current attestation, with its token re-derived from the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationView {
    pub url: String,
    pub short_code: String,
    pub created_at: OffsetDateTime,
    /// What happened to the automatic e-mail (only on generation).
    pub email: EmailOutcome,
}

/// The automatic e-mail of a new attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailOutcome {
    /// Not attempted (reading an existing attestation).
    NotAttempted,
    Sent,
    /// No e-mail address on record.
    NoAddress,
    /// The SMTP server failed: offer to retry.
    Failed,
}

impl EmailOutcome {
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            EmailOutcome::NotAttempted => None,
            EmailOutcome::Sent => Some("sent"),
            EmailOutcome::NoAddress => Some("no_address"),
            EmailOutcome::Failed => Some("failed"),
        }
    }
}

/// One line of the citizen's verification log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationView {
    pub at: OffsetDateTime,
    pub level: i64,
    pub outcome: attesta_domain::CheckOutcome,
    pub operator: Option<String>,
    pub organisation: Option<String>,
}

/// SPEC §3 and §9.8: why no QR can be made, and the way forward.
pub const NO_QUALIFYING_STATUS: &str = "No definitive verbale on record places you in any of the cases the QR code attests (civil invalidity of at least 34%, invalid minor, accompaniment allowance, partial or absolute blindness, deafness, Law 104 art. 3 c.1 or c.3), so no QR code can be generated. Verbali issued before 2010, on paper, or by Valle d'Aosta, Trento or Bolzano may not be in the archive yet: ask INPS (or your patronato) to add them, and they will count as soon as they are loaded. If a verbale shown to you is wrong, report it to INPS.";

impl App {
    pub(crate) async fn person(&self, person_id: &str) -> AppResult<PersonRecord> {
        self.store
            .person_by_id(person_id)
            .await?
            .ok_or_else(AppError::login_required)
    }

    /// `GET /api/v1/me`.
    pub async fn me(&self, actor: &Actor) -> AppResult<MeView> {
        let record = self.person(&actor.person_id).await?;
        let qualifies = record
            .status
            .level1(record.person.birth_date, self.today())
            .qualifies;
        Ok(MeView {
            record,
            qualifies,
            acting_as_delegate: actor.is_delegate(),
        })
    }

    /// `POST /api/v1/me/privacy-notice`.
    pub async fn accept_privacy_notice(&self, actor: &Actor) -> AppResult<()> {
        self.person(&actor.person_id).await?;
        self.store
            .accept_privacy_notice(&actor.person_id, self.now_millis())
            .await?;
        self.record(actor, Activity::PrivacyNoticeAccepted).await
    }

    /// `POST /api/v1/me/attestation`: a new attestation, revoking the old,
    /// e-mailed at once to the address on record (DOMAIN §3.3 step 7). A
    /// failed e-mail does not undo the attestation: the view says so.
    pub async fn generate_attestation(&self, actor: &Actor) -> AppResult<AttestationView> {
        let (mut view, record) = self.new_attestation(actor).await?;
        view.email = match self.send_attestation_email(actor, &record).await {
            Ok(()) => EmailOutcome::Sent,
            Err(e) if e.code == ErrorCode::NoEmailOnRecord => EmailOutcome::NoAddress,
            Err(_) => EmailOutcome::Failed,
        };
        Ok(view)
    }

    /// A new attestation, revoking the old, without the e-mail (`attesta
    /// seed` makes thousands).
    pub async fn new_attestation(
        &self,
        actor: &Actor,
    ) -> AppResult<(AttestationView, PersonRecord)> {
        let person_id = actor.person_id.as_str();
        let record = self.person(person_id).await?;
        if record.privacy_accepted_at.is_none() {
            return Err(AppError::new(
                ErrorCode::PrivacyNoticeNotAccepted,
                "Read and accept the privacy notice first (POST /api/v1/me/privacy-notice).",
            ));
        }
        if !record
            .status
            .level1(record.person.birth_date, self.today())
            .qualifies
        {
            return Err(AppError::new(
                ErrorCode::NoQualifyingStatus,
                NO_QUALIFYING_STATUS,
            ));
        }
        let id = AttestationId::generate();
        let token = Token::derive(&self.secret, &id);
        let now = self.now_millis();
        self.store
            .create_attestation(person_id, &id.to_hex(), &token.storage_hash(), now)
            .await?;
        self.record(actor, Activity::AttestationGenerated).await?;
        Ok((self.view(&token, now), record))
    }

    fn view(&self, token: &Token, created_at: i64) -> AttestationView {
        AttestationView {
            url: attestation_url(&self.config.public_url, token),
            short_code: token.short_code(),
            created_at: from_millis(created_at),
            email: EmailOutcome::NotAttempted,
        }
    }

    async fn active(&self, person_id: &str) -> AppResult<(AttestationRecord, Token)> {
        let record = self
            .store
            .active_attestation(person_id)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::NoAttestation,
                    "You have no active QR code: generate one.",
                )
            })?;
        let id = AttestationId::from_hex(&record.attestation_id)
            .ok_or_else(|| AppError::internal(&"stored attestation id is not 32 hex characters"))?;
        Ok((record, Token::derive(&self.secret, &id)))
    }

    /// `GET /api/v1/me/attestation`.
    pub async fn current_attestation(&self, actor: &Actor) -> AppResult<AttestationView> {
        let (record, token) = self.active(&actor.person_id).await?;
        Ok(self.view(&token, record.created_at))
    }

    /// `GET /api/v1/me/attestation/pdf`: made on request, never stored.
    /// `?print=large` gives the large-print variant.
    pub async fn attestation_pdf(&self, actor: &Actor, print: PrintSize) -> AppResult<Vec<u8>> {
        let person = self.person(&actor.person_id).await?;
        self.pdf_for(&person, print).await
    }

    async fn pdf_for(&self, person: &PersonRecord, print: PrintSize) -> AppResult<Vec<u8>> {
        let (record, token) = self.active(&person.person_id).await?;
        let view = self.view(&token, record.created_at);
        let name = person.person.full_name();
        attestation_pdf(&AttestationPdf {
            holder_name: &name,
            url: &view.url,
            short_code: &view.short_code,
            generated_on: italian_date(view.created_at),
            print,
        })
        .map_err(|e| AppError::internal(&e))
    }

    /// `DELETE /api/v1/me/attestation`: the old QR answers 410 at once.
    pub async fn revoke_attestation(&self, actor: &Actor) -> AppResult<()> {
        if self
            .store
            .revoke_attestation(&actor.person_id, self.now_millis())
            .await?
        {
            self.record(actor, Activity::AttestationRevoked).await
        } else {
            Err(AppError::new(
                ErrorCode::NoAttestation,
                "You have no active QR code to revoke.",
            ))
        }
    }

    /// `GET /api/v1/me/verifications`: newest first.
    pub async fn verifications(&self, actor: &Actor) -> AppResult<Vec<VerificationView>> {
        let rows = self.store.verifications_of(&actor.person_id, 500).await?;
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

impl App {
    async fn send_attestation_email(&self, actor: &Actor, person: &PersonRecord) -> AppResult<()> {
        let Some(to) = person.person.email.clone() else {
            return Err(AppError::new(
                ErrorCode::NoEmailOnRecord,
                "There is no e-mail address on record: add one in the registry section (anagrafica) of MyINPS, or download the PDF instead.",
            ));
        };
        let pdf = self.pdf_for(person, PrintSize::Standard).await?;
        let name = person.person.full_name();
        // No health data, no codice fiscale, no code in the body (the PDF
        // carries the QR).
        let email = AttestationEmail { name: &name }
            .email(to, Some(pdf))
            .map_err(|e| AppError::internal(&e))?;
        if let Err(e) = self.mailer.send(&email).await {
            crate::telemetry::smtp_failure(&e);
            tracing::warn!(error = %e, "could not e-mail the attestation");
            return Err(AppError::new(
                ErrorCode::EmailUnavailable,
                "The e-mail could not be sent right now. Your QR code is valid: download the PDF, or try sending the e-mail again in a moment.",
            ));
        }
        self.record(actor, Activity::AttestationEmailed).await
    }

    /// `POST /api/v1/me/attestation/email`: send the PDF again.
    pub async fn email_attestation(&self, actor: &Actor) -> AppResult<()> {
        let person = self.person(&actor.person_id).await?;
        self.active(&actor.person_id).await?;
        self.send_attestation_email(actor, &person).await
    }
}
