//! Messages from the back office to a citizen (SPEC §11, "Le
//! comunicazioni"): plain text, listed newest first, read or unread.

use attesta_domain::FieldError;
use attesta_domain::input::free_text;
use serde_json::Value;
use time::OffsetDateTime;

use crate::backoffice::object_with;
use crate::delegates::parse_cf_text;
use crate::{Actor, App, AppError, AppResult, ErrorCode, from_millis};

/// The longest subject, in characters.
pub const SUBJECT_MAX: usize = 200;
/// The longest body, in characters.
pub const BODY_MAX: usize = 10_000;

/// A message as the back office writes it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub subject: String,
    pub body: String,
}

/// A message as its holder reads it.
#[derive(Debug, Clone)]
pub struct MessageView {
    pub message_id: String,
    pub at: OffsetDateTime,
    pub subject: String,
    pub body: String,
    pub read: bool,
}

/// One text field: a string, trimmed, 1 to `max` characters, with no
/// control or invisible format character (but newline and tab when
/// `multiline`; a CRLF counts as a newline).
fn text_field(
    value: Option<&Value>,
    field: &str,
    max: usize,
    multiline: bool,
) -> Result<String, FieldError> {
    let Some(Value::String(raw)) = value else {
        return Err(FieldError::new(field, "is required and must be a string"));
    };
    free_text(raw, field, max, multiline)
}

/// The body of `POST /api/v1/admin/people/{fiscal_code}/messages`
/// `{"subject","body"}`, with both fields' errors at once.
pub fn message_from_json(body: &Value) -> AppResult<NewMessage> {
    let map = object_with(body, &["subject", "body"])?;
    match (
        text_field(map.get("subject"), "subject", SUBJECT_MAX, false),
        text_field(map.get("body"), "body", BODY_MAX, true),
    ) {
        (Ok(subject), Ok(body)) => Ok(NewMessage { subject, body }),
        (s, b) => Err(AppError::new(
            ErrorCode::InvalidMessage,
            "The message has invalid fields: see `fields`.",
        )
        .with_fields([s.err(), b.err()].into_iter().flatten().collect())),
    }
}

fn unknown_message() -> AppError {
    AppError::new(
        ErrorCode::UnknownMessage,
        "No message of yours has this id.",
    )
}

impl App {
    /// `POST /api/v1/admin/people/{fiscal_code}/messages`: returns the new
    /// message's id.
    pub async fn send_message(&self, fiscal_code: &str, message: &NewMessage) -> AppResult<String> {
        let cf = parse_cf_text(Some(fiscal_code), "fiscal_code")?;
        let person = self
            .store
            .person_by_fiscal_code(&cf)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::UnknownPersonInPath,
                    "No person with this codice fiscale is on record.",
                )
            })?;
        Ok(self
            .store
            .add_message(
                &person.person_id,
                &message.subject,
                &message.body,
                self.now_millis(),
            )
            .await?)
    }

    /// `GET /api/v1/me/messages`: the holder's messages, newest first.
    pub async fn messages(&self, actor: &Actor) -> AppResult<Vec<MessageView>> {
        Ok(self
            .store
            .messages_for(&actor.person_id)
            .await?
            .into_iter()
            .map(|m| MessageView {
                message_id: m.message_id,
                at: from_millis(m.created_at),
                subject: m.subject,
                body: m.body,
                read: m.read_at.is_some(),
            })
            .collect())
    }

    /// How many of the holder's messages are unread.
    pub async fn unread_messages(&self, actor: &Actor) -> AppResult<i64> {
        Ok(self.store.unread_message_count(&actor.person_id).await?)
    }

    /// `POST /api/v1/me/messages/{message_id}/read`: marking again is fine;
    /// another person's message is as unknown.
    pub async fn mark_message_read(&self, actor: &Actor, message_id: &str) -> AppResult<()> {
        if self
            .store
            .mark_message_read(&actor.person_id, message_id, self.now_millis())
            .await?
        {
            Ok(())
        } else {
            Err(unknown_message())
        }
    }
}
