//! The one error type of the use cases.
//!
//! Error policy (which layer uses what):
//! - `attesta-domain` returns its own typed errors ([`attesta_domain::FieldError`],
//!   [`attesta_domain::FiscalCodeError`]); no I/O errors exist there.
//! - `attesta-store` returns `StoreError` for database failures and plain
//!   values for expected outcomes.
//! - `attesta-app` (here) turns everything into an [`AppError`]: a SPEC §6
//!   error code, an HTTP status number and a message that says what to fix.
//!   Store failures become `internal` and their detail goes to the log only.
//! - `attesta-web` renders an `AppError` as JSON or HTML from one mapping.
//! - `anyhow` is used only by the binary (`main`, the CLI, background tasks).

use attesta_domain::FieldError;
use serde::Serialize;

/// A refusal or failure of a use case, ready to be shown to a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppError {
    /// HTTP status to answer with.
    #[serde(skip)]
    pub status: u16,
    /// SPEC §6 `snake_case` code.
    pub code: &'static str,
    /// Human text that says what happened and what to do.
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
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            attempts_left: None,
            fields: Vec::new(),
            retry_after: None,
        }
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
        Self::new(400, "invalid_request", message)
    }

    pub fn login_required() -> Self {
        Self::new(
            401,
            "login_required",
            "Log in first: this page needs an authenticated session.",
        )
    }

    /// A citizen's-area request from an operator's session.
    pub fn citizen_only() -> Self {
        Self::new(
            403,
            "citizen_only",
            "This is the citizen's area: log in as a citizen.",
        )
    }

    pub fn unknown_token() -> Self {
        Self::new(
            404,
            "unknown_token",
            "This QR code or manual code is not known. Check the code and try again, or ask the holder for a new QR.",
        )
    }

    pub fn revoked_token() -> Self {
        Self::new(
            410,
            "revoked_token",
            "This QR code was revoked by its holder or replaced by a newer one. Ask the holder for the current QR.",
        )
    }

    /// A database or other internal failure: the detail is logged, never
    /// shown.
    pub fn internal(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            500,
            "internal",
            "Something went wrong on our side. Try again in a moment.",
        )
    }

    pub fn unavailable(detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "service unavailable");
        Self::new(
            503,
            "unavailable",
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
        AppError::internal(&e)
    }
}
