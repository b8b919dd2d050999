//! The one error type of the use cases, and the one list of error codes.
//!
//! Error policy (which layer uses what):
//! - `attesta-domain` returns its own typed errors ([`attesta_domain::FieldError`],
//!   [`attesta_domain::FiscalCodeError`]); no I/O errors exist there.
//! - `attesta-store` returns `StoreError` for database failures and plain
//!   values for expected outcomes.
//! - `attesta-app` (here) turns everything into an [`AppError`]: an
//!   [`ErrorCode`] (SPEC §6 wire code, HTTP status and translation key, all
//!   fixed here and nowhere else) and a message that says what to fix.
//!   Store failures become `internal` and their detail goes to the log only.
//! - `attesta-web` renders an `AppError` as JSON or HTML from one mapping.
//! - `anyhow` is used only by the binary (`main`, the CLI, background tasks).

use attesta_domain::FieldError;
use serde::Serialize;

/// Declares [`ErrorCode`]: each variant with its HTTP status, SPEC §6
/// wire code and the key of its page message. A code may stand twice when SPEC gives it two statuses in two
/// places (`invalid_fiscal_code`, `unknown_person`); the page message is the
/// wire code's.
macro_rules! error_codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = ($status:literal, $wire:literal, $key:literal), )+) => {
        /// Every refusal a client can get (SPEC §6 and the sections it
        /// points to).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ErrorCode {
            $( $(#[doc = $doc])* $variant, )+
        }

        impl ErrorCode {
            /// Every code, in declaration order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The HTTP status answered with this code.
            pub const fn status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)+ }
            }

            /// The `snake_case` code in the JSON body.
            pub const fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $wire,)+ }
            }

            /// The key of what a page says for it in the translation files.
            pub const fn message_key(self) -> &'static str {
                match self { $(ErrorCode::$variant => $key,)+ }
            }
        }
    };
}

error_codes! {
    /// This application is closed (concluded, lapsed or withdrawn): documents go with an open application.
    ApplicationClosed = (409, "application_closed", "err-application-closed"),
    /// This application was already decided: only a pending application can be approved or rejected.
    ApplicationNotPending = (409, "application_not_pending", "err-application-not-pending"),
    /// You already have a pending application or a valid card.
    ApplicationOpen = (409, "application_open", "err-application-open"),
    /// There is no active card: only an active card can be printed or revoked.
    CardNotActive = (409, "card_not_active", "err-card-not-active"),
    /// This is the citizen's area: log in as a citizen.
    CitizenOnly = (403, "citizen_only", "err-citizen-only"),
    /// This request changes data and must come from attesta's own pages.
    CrossOrigin = (403, "cross_origin", "err-cross-origin"),
    /// This form has expired or did not come from attesta.
    CsrfFailed = (403, "csrf_failed", "err-csrf-failed"),
    /// The e-mail could not be sent right now.
    EmailUnavailable = (503, "email_unavailable", "err-email-unavailable"),
    /// The codice fiscale does not match this QR code.
    FiscalCodeMismatch = (403, "fiscal_code_mismatch", "err-fiscal-code-mismatch"),
    /// Something went wrong on our side.
    Internal = (500, "internal", "err-internal"),
    /// The declaration has invalid data: check the fields marked.
    InvalidDeclaration = (422, "invalid_declaration", "err-invalid-declaration"),
    /// You cannot name yourself as your own delegate.
    InvalidDelegate = (422, "invalid_delegate", "err-invalid-delegate"),
    /// The delegation has invalid data: a person cannot be their own delegate.
    InvalidDelegation = (422, "invalid_delegation", "err-invalid-delegation"),
    /// The codice fiscale is not valid: it has 16 characters, letters and digits. At level 1 and 2: 400, never counted as an attempt.
    InvalidFiscalCode = (400, "invalid_fiscal_code", "err-invalid-fiscal-code"),
    /// The codice fiscale is not valid: it has 16 characters, letters and digits. As a field of a form or body: 422, like every field error.
    InvalidFiscalCodeField = (422, "invalid_fiscal_code", "err-invalid-fiscal-code"),
    /// The login details are not valid.
    InvalidLogin = (422, "invalid_login", "err-invalid-login"),
    /// The message has invalid fields: a subject of 1 to 200 characters and a text of 1 to 10,000.
    InvalidMessage = (422, "invalid_message", "err-invalid-message"),
    /// The person's details are not valid.
    InvalidPerson = (422, "invalid_person", "err-invalid-person"),
    /// The photo cannot be used: send a JPEG or PNG file, at least 300 × 400 pixels, in portrait (width 0.6 to 0.9 times the height).
    InvalidPhoto = (422, "invalid_photo", "err-invalid-photo"),
    /// The search has invalid values: check them and try again.
    InvalidQuery = (422, "invalid_query", "err-invalid-query"),
    /// Write the reason (at most 1000 characters): the citizen reads it.
    InvalidReason = (422, "invalid_reason", "err-invalid-reason"),
    /// The request could not be read: reload the page and try again.
    InvalidRequest = (400, "invalid_request", "err-invalid-request"),
    /// A card number is IT followed by 10 digits.
    InvalidSerial = (422, "invalid_serial", "err-invalid-serial"),
    /// The verbale has invalid data.
    InvalidVerbale = (422, "invalid_verbale", "err-invalid-verbale"),
    /// The payment has invalid data.
    InvalidPayment = (422, "invalid_payment", "err-invalid-payment"),
    /// The login was cancelled or refused at the identity provider.
    LoginCancelled = (401, "login_cancelled", "err-login-cancelled"),
    /// The login has expired or the link is not complete.
    LoginExpired = (400, "login_expired", "err-login-expired"),
    /// The login through the identity provider did not succeed.
    LoginFailed = (502, "login_failed", "err-login-failed"),
    /// Log in first: this page needs you to be logged in.
    LoginRequired = (401, "login_required", "err-login-required"),
    /// You have no active QR code: generate one.
    NoAttestation = (404, "no_attestation", "err-no-attestation"),
    /// You have not applied for the EU Disability Card yet.
    NoCard = (404, "no_card", "err-no-card"),
    /// This delegate no longer exists.
    NoDelegation = (404, "no_delegation", "err-no-delegation"),
    /// There is no e-mail address on record: add one in the registry section (anagrafica) of MyINPS, or download the PDF instead.
    NoEmailOnRecord = (409, "no_email_on_record", "err-no-email-on-record"),
    /// The identity provider did not tell your codice fiscale, so attesta cannot know who you are.
    NoFiscalCode = (403, "no_fiscal_code", "err-no-fiscal-code"),
    /// The holder has no mobile number on record, so no code can be sent.
    NoMobileOnRecord = (409, "no_mobile_on_record", "err-no-mobile-on-record"),
    /// No next signing key is ready.
    NoNextKey = (409, "no_next_key", "err-no-next-key"),
    /// No definitive verbale on record places you in one of the cases of the check, so no QR code can be generated.
    NoQualifyingStatus = (422, "no_qualifying_status", "err-no-qualifying-status"),
    /// You are not a delegate of this person: they (or the back office, for parents and guardians) must name you first.
    NotADelegate = (403, "not_a_delegate", "err-not-a-delegate"),
    /// No definitive verbale on record places you in a case that gives the EU Disability Card.
    NotEligible = (422, "not_eligible", "err-not-eligible"),
    /// This address does not exist.
    NotFound = (404, "not_found", "err-not-found"),
    /// Too many wrong codes: this code no longer works.
    OtpBurned = (410, "otp_burned", "err-otp-burned"),
    /// The code has expired: ask for a new one.
    OtpExpired = (410, "otp_expired", "err-otp-expired"),
    /// The code is not correct.
    OtpInvalid = (403, "otp_invalid", "err-otp-invalid"),
    /// This code was already used: ask for a new one.
    OtpUsed = (410, "otp_used", "err-otp-used"),
    /// This page does not exist.
    PageNotFound = (404, "page_not_found", "err-page-not-found"),
    /// The file is too large: the photo may be at most 5 MiB.
    PayloadTooLarge = (413, "payload_too_large", "err-payload-too-large"),
    /// Read and accept the privacy notice first.
    PrivacyNoticeNotAccepted = (409, "privacy_notice_not_accepted", "err-privacy-notice-not-accepted"),
    /// Too many requests from this address.
    RateLimited = (429, "rate_limited", "err-rate-limited"),
    /// The request body stopped arriving (SPEC §12: no byte for 30 seconds): send it again.
    RequestTimeout = (408, "request_timeout", "err-request-timeout"),
    /// This QR code was revoked by its holder or replaced by a newer one.
    RevokedToken = (410, "revoked_token", "err-revoked-token"),
    /// The service cannot reach its database (SPEC §12).
    ServiceUnavailable = (503, "service_unavailable", "err-service-unavailable"),
    /// The card cannot be signed right now: the signing key is not available.
    SigningKeyUnavailable = (503, "signing_key_unavailable", "err-signing-key-unavailable"),
    /// The code could not be sent by SMS right now.
    SmsUnavailable = (503, "sms_unavailable", "err-sms-unavailable"),
    /// Too many wrong codici fiscali for this QR code.
    TooManyAttempts = (429, "too_many_attempts", "err-too-many-attempts"),
    /// Too many codes were sent to this holder recently.
    TooManyOtpRequests = (429, "too_many_otp_requests", "err-too-many-otp-requests"),
    /// The back-office API key is needed.
    Unauthorized = (401, "unauthorized", "err-unauthorized"),
    /// This application does not exist.
    UnknownApplication = (404, "unknown_application", "err-unknown-application"),
    /// This card does not exist.
    UnknownCard = (404, "unknown_card", "err-unknown-card"),
    /// This document does not exist.
    UnknownDocument = (404, "unknown_document", "err-unknown-document"),
    /// This message does not exist.
    UnknownMessage = (404, "unknown_message", "err-unknown-message"),
    /// This code request does not exist for your session: ask for a new code.
    UnknownOtpRequest = (404, "unknown_otp_request", "err-unknown-otp-request"),
    /// No person with this codice fiscale is on record. In a back-office or delegate body: 422.
    UnknownPerson = (422, "unknown_person", "err-unknown-person"),
    /// No person with this codice fiscale is on record. At login: 403.
    UnknownPersonAtLogin = (403, "unknown_person", "err-unknown-person"),
    /// No person with this codice fiscale is on record. In a back-office address: 404.
    UnknownPersonInPath = (404, "unknown_person", "err-unknown-person"),
    /// This status list does not exist.
    UnknownStatusList = (404, "unknown_status_list", "err-unknown-status-list"),
    /// This QR code or manual code is not known.
    UnknownToken = (404, "unknown_token", "err-unknown-token"),
    /// No verbale of the holder has that id (another person's is as unknown).
    UnknownVerbale = (404, "unknown_verbale", "err-unknown-verbale"),
    /// The request body is compressed: attesta accepts only uncompressed bodies.
    UnsupportedContentEncoding = (415, "unsupported_content_encoding", "err-unsupported-content-encoding"),
    /// The file is not a PDF, JPEG or PNG that can be read: send one of those.
    UnsupportedDocument = (415, "unsupported_document", "err-unsupported-document"),
    /// A verbale with this identifier is already stored with different content.
    VerbaleConflict = (409, "verbale_conflict", "err-verbale-conflict"),
    /// A payment with this identifier is already stored with different content.
    PaymentConflict = (409, "payment_conflict", "err-payment-conflict"),
    // The application journey (SPEC §10.2).
    /// An assessment of the same purposes is still open for this person.
    AssessmentOpen = (409, "assessment_open", "err-assessment-open"),
    /// A certificate with this identifier is already stored with different content.
    CertificateConflict = (409, "certificate_conflict", "err-certificate-conflict"),
    /// The certificate can no longer be used for an application.
    CertificateExpired = (422, "certificate_expired", "err-certificate-expired"),
    /// This certificate already has its application.
    CertificateUsed = (409, "certificate_used", "err-certificate-used"),
    /// A home visit must be asked at least 5 days before the visit.
    HomeVisitTooLate = (422, "home_visit_too_late", "err-home-visit-too-late"),
    /// The application cannot be made.
    InvalidApplication = (422, "invalid_application", "err-invalid-application"),
    /// The certificate has invalid data.
    InvalidCertificate = (422, "invalid_certificate", "err-invalid-certificate"),
    /// The event has invalid data.
    InvalidEvent = (422, "invalid_event", "err-invalid-event"),
    /// The application's state does not allow this step.
    InvalidTransition = (409, "invalid_transition", "err-invalid-transition"),
    /// INPS's 60 days are over: silent assent applies.
    SilentAssentApplied = (409, "silent_assent_applied", "err-silent-assent-applied"),
    /// This certificate does not exist.
    UnknownCertificate = (404, "unknown_certificate", "err-unknown-certificate"),
    // The wallet's OpenID4VCI endpoints (issue #19; SPEC §6 lets them answer
    // in the OAuth shape, `{"error", "error_description"}`).
    /// The pre-authorized code or the transaction code is not valid (unknown, expired, used, or wrong).
    InvalidGrant = (400, "invalid_grant", "err-invalid-grant"),
    /// Only the pre-authorized code grant is supported.
    UnsupportedGrantType = (400, "unsupported_grant_type", "err-unsupported-grant-type"),
    /// The access token is not valid: unknown, expired or already used.
    InvalidToken = (401, "invalid_token", "err-invalid-token"),
    /// The proof of possession of the wallet's key is not valid.
    InvalidProof = (400, "invalid_proof", "err-invalid-proof"),
    /// The proof's nonce is unknown, expired or already used: get a new one from the nonce endpoint.
    InvalidNonce = (400, "invalid_nonce", "err-invalid-nonce"),
    /// The credential request could not be read.
    InvalidCredentialRequest = (400, "invalid_credential_request", "err-invalid-credential-request"),
    /// This credential configuration is not offered.
    UnknownCredentialConfiguration = (400, "unknown_credential_configuration", "err-unknown-credential-configuration"),
    /// The card is no longer active, so it cannot go into a wallet.
    CredentialRequestDenied = (400, "credential_request_denied", "err-credential-request-denied"),
}

impl ErrorCode {
    /// Is this the same code on the wire as `other` (the two statuses of
    /// `invalid_fiscal_code` or of `unknown_person`)?
    pub fn is(self, other: ErrorCode) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal or failure of a use case, ready to be shown to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    /// What went wrong; fixes the HTTP status and the page's message.
    pub code: ErrorCode,
    /// Human text (English, for developers) that says what happened and
    /// what to do.
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    /// Seconds, for the `Retry-After` header of a 429.
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl AppError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            attempts_left: None,
            fields: Vec::new(),
            retry_after: None,
        }
    }

    /// The HTTP status to answer with (the code's).
    pub fn status(&self) -> u16 {
        self.code.status()
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    pub fn with_attempts_left(mut self, n: i64) -> Self {
        self.attempts_left = Some(n);
        self
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidRequest, message)
    }

    pub fn login_required() -> Self {
        Self::new(
            ErrorCode::LoginRequired,
            "Log in first: this page needs an authenticated session.",
        )
    }

    /// A citizen's-area request from an operator's session.
    pub fn citizen_only() -> Self {
        Self::new(
            ErrorCode::CitizenOnly,
            "This is the citizen's area: log in as a citizen.",
        )
    }

    pub fn unknown_token() -> Self {
        Self::new(
            ErrorCode::UnknownToken,
            "This QR code or manual code is not known. Check the code and try again, or ask the holder for a new QR.",
        )
    }

    pub fn revoked_token() -> Self {
        Self::new(
            ErrorCode::RevokedToken,
            "This QR code was revoked by its holder or replaced by a newer one. Ask the holder for the current QR.",
        )
    }

    /// A database or other internal failure: the detail is logged, never
    /// shown.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            ErrorCode::Internal,
            "Something went wrong on our side. Try again in a moment.",
        )
    }

    pub fn unavailable(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "service unavailable");
        Self::new(
            ErrorCode::ServiceUnavailable,
            "The service cannot reach its database. Try again in a moment.",
        )
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        for field in &self.fields {
            write!(f, "; {field}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AppError {}

impl From<attesta_store::StoreError> for AppError {
    fn from(e: attesta_store::StoreError) -> Self {
        if e.is_unavailable() {
            AppError::unavailable(&e)
        } else {
            AppError::internal(&e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_snake_case_and_keyed_by_it() {
        for code in ErrorCode::ALL {
            let wire = code.as_str();
            assert!(
                !wire.is_empty() && wire.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                "{wire}"
            );
            assert_eq!(
                code.message_key(),
                format!("err-{}", wire.replace('_', "-"))
            );
            assert!((400..600).contains(&code.status()), "{wire}");
        }
    }

    /// SPEC §12: an unreachable database is 503 `service_unavailable`.
    #[test]
    fn an_unreachable_database_is_service_unavailable() {
        let e = AppError::unavailable(&"connection refused");
        assert_eq!(e.code.as_str(), "service_unavailable");
        assert_eq!(e.status(), 503);
        assert!(!ErrorCode::ALL.iter().any(|c| c.as_str() == "unavailable"));
    }

    #[test]
    fn a_wire_code_stands_twice_only_with_two_statuses() {
        for (i, a) in ErrorCode::ALL.iter().enumerate() {
            for b in &ErrorCode::ALL[i + 1..] {
                if a.is(*b) {
                    assert_ne!(a.status(), b.status(), "{a} is declared twice alike");
                }
            }
        }
    }

    #[test]
    fn json_carries_the_wire_code_and_not_the_status() {
        let e = AppError::new(ErrorCode::FiscalCodeMismatch, "no").with_attempts_left(2);
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "fiscal_code_mismatch", "message": "no", "attempts_left": 2})
        );
        assert_eq!(e.status(), 403);
    }
}
