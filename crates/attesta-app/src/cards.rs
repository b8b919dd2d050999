//! The EU Disability Card's use cases (issue #6, SPEC §5, §6, §9.9): the
//! citizen's application with a photo, the back office's decisions (or
//! auto-approval), the card PDF with the signed QR, the e-mails, and the
//! card's life: a later verbale that ends eligibility revokes it at once; a
//! card past its expiry shows as expired.
//!
//! The rules, the serial, the states and the declaration are the domain's
//! ([`attesta_domain::card`]); the photo is [`crate::card_photo`]'s; the
//! e-mails are [`crate::notify`]'s. The cryptography (signing the QR, the
//! status list) is in [`crate::cards_credential`]; this module calls
//! [`App::issue_card_credential`] at approval and
//! [`App::revoke_card_credential`] on revocation.

use crate::ErrorCode;
use std::sync::LazyLock;

use attesta_credential::card_pdf::{CardPdf, card_pdf};
use attesta_domain::{
    Activity, CardRules, CardRulesError, CardSerial, CardState, CardStatus, Declaration,
    DeclarationError, FieldError, FiscalCode, RevokeReason,
};
use attesta_store::PersonRecord;
use attesta_store::cards::{
    CardApplicationRecord, CardApplyRefusal, CardIssue, CardListing, NewCardApplication,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use time::Date;

use crate::card_photo::normalise_photo;
use crate::mail::Email;
use crate::notify::{CardIssuedEmail, CardRejectedEmail, CardRevokedEmail, Letter};
use crate::{Actor, App, AppError, AppResult, from_millis};

// ---- rules ------------------------------------------------------------

const CARD_RULES_TEXT: &str = include_str!("../../../rules/card.toml");

static RULES: LazyLock<Result<CardRules, CardRulesError>> =
    LazyLock::new(|| CardRules::parse(CARD_RULES_TEXT));

/// The card rules (`rules/card.toml`, embedded at build time), parsed and
/// checked once.
pub fn card_rules() -> Result<&'static CardRules, CardRulesError> {
    RULES.as_ref().map_err(Clone::clone)
}

/// Called at start: refuse to serve with a rules file that has a mistake.
pub fn check_card_rules() -> Result<(), CardRulesError> {
    card_rules().map(|_| ())
}

fn rules() -> AppResult<&'static CardRules> {
    card_rules().map_err(|e| AppError::internal(&e))
}

/// A new card serial, its 9-digit body drawn from the operating system's
/// random source.
pub fn new_serial() -> CardSerial {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    let body = u64::from_le_bytes(bytes) % u64::from(CardSerial::BODIES);
    CardSerial::from_body(u32::try_from(body).expect("below a billion"))
}

// ---- the declaration ----------------------------------------------------

/// A declaration refused at the edge, as the API answers it.
impl From<DeclarationError> for AppError {
    fn from(e: DeclarationError) -> Self {
        match e {
            DeclarationError::NotJson(e) => {
                AppError::invalid_request(format!("`declaration` is not valid JSON: {e}."))
            }
            DeclarationError::NotAnObject => {
                AppError::invalid_request("`declaration` must be a JSON object.")
            }
            DeclarationError::UnknownFields(unknown) => AppError::invalid_request(format!(
                "Unknown declaration field(s): {}. The declaration has paper_pre2010, autonomous_region and court.",
                unknown.join(", ")
            )),
            DeclarationError::Invalid(fields) => AppError::new(
                ErrorCode::InvalidDeclaration,
                "The declaration has invalid fields: see `fields`.",
            )
            .with_fields(fields),
        }
    }
}

// ---- views --------------------------------------------------------------

/// The citizen's card or application (`GET /api/v1/me/card`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardView {
    pub application_id: String,
    /// On today's date.
    pub status: CardState,
    pub serial: Option<CardSerial>,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub qr_text: Option<String>,
    pub a_mark: bool,
    pub reject_reason: Option<String>,
    pub submitted_at: time::OffsetDateTime,
}

/// One line of the back office's list.
#[derive(Debug, Clone, PartialEq)]
pub struct CardApplicationLine {
    pub application_id: String,
    pub fiscal_code: String,
    pub status: CardState,
    pub submitted_at: time::OffsetDateTime,
    pub declaration: Option<Declaration>,
}

fn status_on(record: &CardApplicationRecord, today: Date) -> CardState {
    record.status.on(record.expires_on, today)
}

fn view_of(record: &CardApplicationRecord, today: Date) -> CardView {
    CardView {
        application_id: record.application_id.clone(),
        status: status_on(record, today),
        serial: record.serial.clone(),
        issued_on: record.issued_on,
        expires_on: record.expires_on,
        qr_text: record.qr_text.clone(),
        a_mark: record.a_mark.unwrap_or(false),
        reject_reason: record.reject_reason.clone(),
        submitted_at: from_millis(record.submitted_at),
    }
}

/// The name that back-office actions carry in the citizen's activity list.
const BACK_OFFICE: &str = "Ufficio / Back office";

fn no_card() -> AppError {
    AppError::new(
        ErrorCode::NoCard,
        "You have not applied for the EU Disability Card yet.",
    )
}

fn unknown_application() -> AppError {
    AppError::new(
        ErrorCode::UnknownApplication,
        "No card application has this id.",
    )
}

fn not_pending(status: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::ApplicationNotPending,
        format!(
            "This application was already decided (it is {status}): only a pending application can be approved or rejected."
        ),
    )
}

fn not_eligible(rules: &CardRules) -> AppError {
    AppError::new(
        ErrorCode::NotEligible,
        format!(
            "No definitive verbale on record places you in a case that gives the EU Disability Card ({}). Verbali issued before 2010 on paper, by Valle d'Aosta, Trento or Bolzano, or a court judgment may not be in the archive yet: say so in the application's declaration (the back office then checks it and loads the verbale), or ask INPS to add them.",
            rules.cases_text()
        ),
    )
}

impl App {
    /// `POST /api/v1/me/card`: an application with a photo and an optional
    /// declaration (parsed at the edge). Refused when the status gives no card
    /// (unless the declaration says the verbale is outside the archive: the
    /// back office checks it) or when one is open. Auto-approved when the
    /// configuration says so.
    pub async fn apply_for_card(
        &self,
        actor: &Actor,
        photo: &[u8],
        declaration: Option<Declaration>,
    ) -> AppResult<CardView> {
        let rules = rules()?;
        let today = self.today();
        let person = self.person(&actor.person_id).await?;
        let eligible = rules.eligible(&person.status, person.person.birth_date, today);
        if !eligible
            && !declaration
                .as_ref()
                .is_some_and(Declaration::outside_archive)
        {
            return Err(not_eligible(rules));
        }
        // Decoding is CPU work: off the async workers.
        let owned = photo.to_vec();
        let photo = tokio::task::spawn_blocking(move || normalise_photo(&owned))
            .await
            .map_err(|e| AppError::internal(&e))??;
        let application_id = attesta_store::ids::random_id();
        let new = NewCardApplication {
            application_id: application_id.clone(),
            person_id: actor.person_id.clone(),
            declaration,
            photo_jpeg_base64: BASE64.encode(&photo),
            submitted_at: self.now_millis(),
            submitted_by: actor.by_name.clone(),
        };
        match self.store.insert_card_application(&new, today).await? {
            Ok(()) => {}
            Err(CardApplyRefusal::ApplicationOpen) => {
                return Err(AppError::new(
                    ErrorCode::ApplicationOpen,
                    "You already have a pending application or a valid card. You can apply again after a rejection, a revocation or once the card has expired.",
                ));
            }
        }
        self.record(actor, Activity::CardApplied).await?;
        if self.config.card_auto_approve
            && eligible
            && let Err(e) = self.approve_card(&application_id, "auto").await
        {
            tracing::warn!(error = %e, "card auto-approval failed: the application stays pending");
        }
        let record = self
            .store
            .card_application(&application_id)
            .await?
            .ok_or_else(|| AppError::internal(&"the application just stored is missing"))?;
        Ok(view_of(&record, today))
    }

    /// Whether the status on record gives a card today (the page explains
    /// the declaration path above the form when it does not).
    pub async fn card_eligible(&self, actor: &Actor) -> AppResult<bool> {
        let rules = rules()?;
        let person = self.person(&actor.person_id).await?;
        Ok(rules.eligible(&person.status, person.person.birth_date, self.today()))
    }

    /// `GET /api/v1/me/card`: the latest application or card.
    pub async fn card(&self, actor: &Actor) -> AppResult<CardView> {
        let record = self
            .store
            .latest_card_application(&actor.person_id)
            .await?
            .ok_or_else(no_card)?;
        Ok(view_of(&record, self.today()))
    }

    /// `GET /api/v1/me/card/pdf`: the card, for an active card only.
    pub async fn card_pdf(&self, actor: &Actor) -> AppResult<Vec<u8>> {
        let record = self
            .store
            .latest_card_application(&actor.person_id)
            .await?
            .ok_or_else(no_card)?;
        let status = status_on(&record, self.today());
        if status != CardState::Active {
            return Err(AppError::new(
                ErrorCode::CardNotActive,
                format!("There is no active card to print: your application or card is {status}."),
            ));
        }
        let person = self.person(&actor.person_id).await?;
        self.render_card(&record, &person)
    }

    fn render_card(
        &self,
        record: &CardApplicationRecord,
        person: &PersonRecord,
    ) -> AppResult<Vec<u8>> {
        let missing = || AppError::internal(&"an active card lacks its data");
        let photo = BASE64
            .decode(&record.photo_jpeg_base64)
            .map_err(|e| AppError::internal(&e))?;
        card_pdf(&CardPdf {
            given_name: &person.person.given_name,
            family_name: &person.person.family_name,
            birth_date: person.person.birth_date,
            serial: record.serial.as_ref().ok_or_else(missing)?.as_str(),
            issued_on: record.issued_on.ok_or_else(missing)?,
            expires_on: record.expires_on.ok_or_else(missing)?,
            a_mark: record.a_mark.unwrap_or(false),
            photo_jpeg: &photo,
            qr_text: record.qr_text.as_deref().ok_or_else(missing)?,
        })
        .map_err(|e| AppError::internal(&e))
    }

    /// `GET /api/v1/admin/cards?status=…` (default pending), oldest first.
    pub async fn card_applications(
        &self,
        status: Option<&str>,
    ) -> AppResult<Vec<CardApplicationLine>> {
        let status = status
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map_or(Some(CardState::Pending), CardState::parse);
        let today = self.today();
        // "active" and "expired" split the stored active cards by their last
        // valid day (expiry is computed, never stored).
        let listing = match status {
            Some(CardState::Pending) => CardListing::Stored(CardStatus::Pending),
            Some(CardState::Rejected) => CardListing::Stored(CardStatus::Rejected),
            Some(CardState::Revoked) => CardListing::Stored(CardStatus::Revoked),
            Some(CardState::Active) => CardListing::ActiveOn(today),
            Some(CardState::Expired) => CardListing::ExpiredBy(today),
            None => {
                return Err(AppError::new(
                    ErrorCode::InvalidQuery,
                    "`status` is pending, rejected, active, expired or revoked.",
                )
                .with_fields(vec![FieldError::new(
                    "status",
                    "pending, rejected, active, expired or revoked",
                )]));
            }
        };
        let rows = self
            .store
            .card_applications_by_status(listing, 1000)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| CardApplicationLine {
                declaration: r.declaration,
                application_id: r.application_id,
                fiscal_code: r.fiscal_code,
                // Expiry is computed, never stored: the stored row says active.
                status: if matches!(listing, CardListing::ExpiredBy(_)) {
                    CardState::Expired
                } else {
                    r.status.on(None, today)
                },
                submitted_at: from_millis(r.submitted_at),
            })
            .collect())
    }

    async fn pending_application(&self, application_id: &str) -> AppResult<CardApplicationRecord> {
        let record = self
            .store
            .card_application(application_id.trim())
            .await?
            .ok_or_else(unknown_application)?;
        if record.status != CardStatus::Pending {
            return Err(not_pending(status_on(&record, self.today())));
        }
        Ok(record)
    }

    /// Approves a pending application (`POST
    /// /api/v1/admin/cards/{application_id}/approve`, `attesta card
    /// approve`, or auto-approval): checks eligibility again, signs the
    /// card credential, stores the card, and e-mails it (PDF attached).
    /// Returns the serial.
    pub async fn approve_card(&self, application_id: &str, by: &str) -> AppResult<CardSerial> {
        let rules = rules()?;
        let record = self.pending_application(application_id).await?;
        let person = self.person(&record.person_id).await?;
        let today = self.today();
        if !rules.eligible(&person.status, person.person.birth_date, today) {
            return Err(AppError::new(
                ErrorCode::NotEligible,
                format!(
                    "The holder's status on record gives no EU Disability Card ({}). If the application declares a verbale outside the archive, load it first (POST /api/v1/admin/verbali), then approve.",
                    rules.cases_text()
                ),
            ));
        }
        let mut serial = new_serial();
        while self.store.card_serial_taken(&serial).await? {
            serial = new_serial();
        }
        let expires_on = rules.expires_on(&person.status, today);
        let credential = self
            .issue_card_credential(serial.as_str(), expires_on)
            .await?;
        let issue = CardIssue {
            serial: serial.clone(),
            issued_on: today,
            expires_on,
            a_mark: rules.a_mark(&person.status),
            qr_text: credential.qr_text,
            decided_at: self.now_millis(),
            decided_by: by.to_owned(),
        };
        if !self
            .store
            .approve_card_application(&record.application_id, &issue)
            .await?
        {
            // Decided by someone else meanwhile: the credential just signed
            // belongs to no card, so it is revoked at once.
            let _ = self.revoke_card_credential(serial.as_str()).await;
            let now = self
                .store
                .card_application(&record.application_id)
                .await?
                .map_or("decided", |r| status_on(&r, today).as_str());
            return Err(not_pending(now));
        }
        self.back_office_activity(&record.person_id, Activity::CardIssued)
            .await;
        if let Some(card) = self.store.card_application(&record.application_id).await? {
            self.send_card_issued_email(&card, &person).await;
        }
        tracing::info!(serial = %serial, "EU Disability Card issued");
        Ok(serial)
    }

    /// Rejects a pending application with a reason the citizen is told.
    pub async fn reject_card(&self, application_id: &str, reason: &str, by: &str) -> AppResult<()> {
        let reason =
            attesta_domain::input::free_text(reason, "reason", 1000, true).map_err(|f| {
                AppError::new(
                    ErrorCode::InvalidReason,
                    format!("`reason` {}: the citizen reads it.", f.reason),
                )
                .with_fields(vec![f])
            })?;
        let reason = reason.as_str();
        let record = self.pending_application(application_id).await?;
        if !self
            .store
            .reject_card_application(&record.application_id, reason, self.now_millis(), by)
            .await?
        {
            return Err(not_pending("decided"));
        }
        self.back_office_activity(&record.person_id, Activity::CardRejected)
            .await;
        if let Ok(person) = self.person(&record.person_id).await {
            let name = person.person.full_name();
            self.send_card_email(&person, CardRejectedEmail { name: &name }, None)
                .await;
        }
        Ok(())
    }

    /// `POST /api/v1/admin/cards/{serial}/revoke`: the back office revokes
    /// an active card.
    pub async fn revoke_card(&self, serial: &str) -> AppResult<()> {
        let serial = CardSerial::parse(serial).map_err(|_| {
            AppError::new(
                ErrorCode::InvalidSerial,
                "A card serial is IT followed by 10 digits, the last a Luhn check digit.",
            )
            .with_fields(vec![FieldError::new("serial", "not a valid card serial")])
        })?;
        let card = self
            .store
            .card_by_serial(&serial)
            .await?
            .ok_or_else(|| AppError::new(ErrorCode::UnknownCard, "No card has this serial."))?;
        if status_on(&card, self.today()) != CardState::Active {
            return Err(AppError::new(
                ErrorCode::CardNotActive,
                format!(
                    "This card is {}: only an active card can be revoked.",
                    status_on(&card, self.today())
                ),
            ));
        }
        self.revoke_issued_card(&card, RevokeReason::BackOffice)
            .await
    }

    async fn revoke_issued_card(
        &self,
        card: &CardApplicationRecord,
        reason: RevokeReason,
    ) -> AppResult<()> {
        let serial = card
            .serial
            .as_ref()
            .ok_or_else(|| AppError::internal(&"an issued card lacks its serial"))?;
        if !self
            .store
            .revoke_card(serial, reason, self.now_millis())
            .await?
        {
            return Ok(());
        }
        self.revoke_card_credential(serial.as_str()).await?;
        self.back_office_activity(&card.person_id, Activity::CardRevoked)
            .await;
        if let Ok(person) = self.person(&card.person_id).await {
            let name = person.person.full_name();
            let email = CardRevokedEmail {
                name: &name,
                serial,
                reason,
            };
            self.send_card_email(&person, email, None).await;
        }
        tracing::info!(serial = %serial, reason = %reason, "EU Disability Card revoked");
        Ok(())
    }

    /// After a verbale arrives: revokes the person's active cards at once
    /// when their status no longer gives one. Returns how many were revoked.
    pub async fn review_card(&self, person_id: &str) -> AppResult<usize> {
        let cards = self.store.active_cards_of(person_id).await?;
        if cards.is_empty() {
            return Ok(0);
        }
        let rules = rules()?;
        let person = self.person(person_id).await?;
        let today = self.today();
        if rules.eligible(&person.status, person.person.birth_date, today) {
            return Ok(0);
        }
        let mut revoked = 0;
        for card in cards {
            if status_on(&card, today) == CardState::Active {
                self.revoke_issued_card(&card, RevokeReason::NoLongerEligible)
                    .await?;
                revoked += 1;
            }
        }
        Ok(revoked)
    }

    /// [`App::review_card`] by codice fiscale; failures are logged, never
    /// undo the verbale that caused the review.
    pub async fn review_card_of(&self, fiscal_code: &FiscalCode) {
        let person = match self.store.person_by_fiscal_code(fiscal_code).await {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(e) => {
                tracing::error!(error = %e, "card review: cannot read the person");
                return;
            }
        };
        if let Err(e) = self.review_card(&person.person_id).await {
            tracing::error!(error = %e, "card review failed");
        }
    }

    /// After an import batch is committed: reviews the cards of the people
    /// its verbali touched (one query finds who holds an active card).
    pub async fn review_cards_of(&self, fiscal_codes: &[FiscalCode]) {
        if fiscal_codes.is_empty() {
            return;
        }
        let mut codes: Vec<String> = fiscal_codes.iter().map(|c| c.as_str().to_owned()).collect();
        codes.sort();
        codes.dedup();
        let holders = match self.store.active_card_holders(&codes).await {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "card review: cannot list card holders");
                return;
            }
        };
        for person_id in holders {
            if let Err(e) = self.review_card(&person_id).await {
                tracing::error!(error = %e, "card review failed");
            }
        }
    }

    async fn back_office_activity(&self, person_id: &str, action: Activity) {
        if let Err(e) = self
            .store
            .record_activity(person_id, self.now_millis(), action, BACK_OFFICE, false)
            .await
        {
            tracing::error!(error = %e, action = action.as_str(), "cannot record the card activity");
        }
    }

    async fn send_card_issued_email(&self, card: &CardApplicationRecord, person: &PersonRecord) {
        let pdf = match self.render_card(card, person) {
            Ok(pdf) => pdf,
            Err(e) => {
                tracing::error!(error = %e, "cannot render the card for its e-mail");
                return;
            }
        };
        let name = person.person.full_name();
        self.send_card_email(person, CardIssuedEmail { name: &name }, Some(pdf))
            .await;
    }

    /// Sends a card e-mail when there is an address; a failure is logged
    /// (the card or the decision stands; the citizen sees it in their area).
    async fn send_card_email(
        &self,
        person: &PersonRecord,
        letter: impl Letter,
        pdf: Option<Vec<u8>>,
    ) {
        let Some(to) = person.person.email.clone() else {
            return;
        };
        let email: Email = match letter.email(to, pdf) {
            Ok(email) => email,
            Err(e) => {
                tracing::error!(error = %e, "cannot render the card e-mail");
                return;
            }
        };
        if let Err(e) = self.mailer.send(&email).await {
            crate::telemetry::smtp_failure(&e);
            tracing::warn!(error = %e, "could not e-mail the card decision");
        } else if let Err(e) = self
            .store
            .record_activity(
                &person.person_id,
                self.now_millis(),
                Activity::CardEmailed,
                BACK_OFFICE,
                false,
            )
            .await
        {
            tracing::error!(error = %e, "cannot record the card e-mail");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn the_embedded_rules_are_valid() {
        check_card_rules().unwrap();
    }

    #[test]
    fn new_serials_read_back() {
        for _ in 0..100 {
            let s = new_serial();
            assert_eq!(s.as_str().len(), 12);
            assert_eq!(CardSerial::parse(s.as_str()), Ok(s));
        }
    }

    fn refused(text: &str) -> AppError {
        let e = Declaration::from_json(Some(text), date!(2026 - 01 - 01)).unwrap_err();
        AppError::from(e)
    }

    #[test]
    fn refused_declarations_answer_as_before() {
        let e = refused("{");
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert!(e.message.starts_with("`declaration` is not valid JSON: "));
        let e = refused("[]");
        assert_eq!(e.message, "`declaration` must be a JSON object.");
        let e = refused(r#"{"x": 1}"#);
        assert_eq!(e.code, ErrorCode::InvalidRequest);
        assert_eq!(
            e.message,
            "Unknown declaration field(s): x. The declaration has paper_pre2010, autonomous_region and court."
        );
        let e = refused(r#"{"court": {"name": "", "date": "2030-01-01"}}"#);
        assert_eq!(e.code, ErrorCode::InvalidDeclaration);
        assert_eq!(e.fields.len(), 2);
    }
}
