//! Back office: people and verbali in (SPEC §6).

use crate::ErrorCode;
use attesta_domain::{FieldError, FiscalCode, InputError, PersonInput, VerbaleInput};
use attesta_store::{IngestError, IngestOutcome, Upserted};
use serde_json::{Map, Value};

use crate::{App, AppError, AppResult};

/// Whether a write created something new (201) or not (200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    Created,
    Updated,
    Unchanged,
}

pub(crate) fn object(body: &Value) -> AppResult<&Map<String, Value>> {
    body.as_object()
        .ok_or_else(|| AppError::invalid_request("The body must be a JSON object."))
}

/// The body as an object whose keys are all in `allowed` (any other is a
/// 400 `invalid_request` naming it).
pub(crate) fn object_with<'a>(
    body: &'a Value,
    allowed: &[&str],
) -> AppResult<&'a Map<String, Value>> {
    let map = object(body)?;
    let unknown: Vec<String> = map
        .keys()
        .filter(|k| !allowed.contains(&k.as_str()))
        .cloned()
        .collect();
    if unknown.is_empty() {
        Ok(map)
    } else {
        Err(unknown_fields(&unknown))
    }
}

pub(crate) fn unknown_fields(keys: &[String]) -> AppError {
    AppError::invalid_request(format!(
        "Unknown field(s): {}. Remove them; the field names are listed in the API documentation.",
        keys.join(", ")
    ))
}

impl App {
    /// The body of `PUT /api/v1/admin/people/{fiscal_code}` as a person,
    /// or every field error (dates are checked against today in Italy).
    pub fn person_from_json(
        &self,
        fiscal_code: &str,
        body: &Value,
    ) -> AppResult<attesta_domain::Person> {
        let cf = FiscalCode::parse(fiscal_code)
            .map_err(|e| FieldError::new("fiscal_code", e.to_string()));
        parse_person(cf, object(body)?, self.today())
    }

    /// The body of `POST /api/v1/admin/verbali` as a verbale, or every
    /// field error.
    pub fn verbale_from_json(&self, body: &Value) -> AppResult<attesta_domain::Verbale> {
        parse_verbale(object(body)?, self.today())
    }

    /// `PUT /api/v1/admin/people/{fiscal_code}`.
    pub async fn put_person(&self, person: &attesta_domain::Person) -> AppResult<Written> {
        Ok(
            match self.store.upsert_person(person, self.now_millis()).await? {
                Upserted::Created => Written::Created,
                Upserted::Updated => Written::Updated,
            },
        )
    }

    /// `POST /api/v1/admin/verbali`: one verbale, idempotent by id.
    /// A verbale that becomes definitive here queues its alerts (SPEC §11).
    pub async fn ingest_verbale(&self, verbale: &attesta_domain::Verbale) -> AppResult<Written> {
        self.ingest_verbale_alerting(verbale, true).await
    }

    /// [`App::ingest_verbale`], queueing alerts only when `alert`.
    pub(crate) async fn ingest_verbale_alerting(
        &self,
        verbale: &attesta_domain::Verbale,
        alert: bool,
    ) -> AppResult<Written> {
        // Unlinked: definitive (if it is) from today in Italy.
        let mut batch = self.store.batch().await?;
        let outcome = batch
            .ingest_linked_verbale_alerting(verbale, None, self.today(), self.now_millis(), alert)
            .await?;
        if outcome.is_ok() {
            batch.commit().await?;
        }
        let written = match outcome {
            Ok(IngestOutcome::Created) => Written::Created,
            Ok(IngestOutcome::Confirmed | IngestOutcome::Linked) => Written::Updated,
            Ok(IngestOutcome::Unchanged) => Written::Unchanged,
            Err(e) => return Err(ingest_error(e)),
        };
        // A verbale that ends eligibility revokes the EU Disability Card.
        if written != Written::Unchanged {
            self.review_card_of(&verbale.fiscal_code).await;
        }
        Ok(written)
    }
}

/// Validates a verbale object into the SPEC's errors.
pub(crate) fn parse_verbale(
    map: &Map<String, Value>,
    today: time::Date,
) -> AppResult<attesta_domain::Verbale> {
    VerbaleInput::parse(map, today).map_err(|e| match e {
        InputError::UnknownFields(keys) => unknown_fields(&keys),
        InputError::Invalid(fields) => AppError::new(
            ErrorCode::InvalidVerbale,
            "The verbale has invalid fields: see `fields`.",
        )
        .with_fields(fields),
    })
}

pub(crate) fn ingest_error(e: IngestError) -> AppError {
    match e {
        IngestError::UnknownPerson => AppError::new(ErrorCode::UnknownPerson,
            "No person with this codice fiscale: create them first with PUT /api/v1/admin/people/{fiscal_code} (or a people import).",
        )
        .with_fields(vec![FieldError::new("fiscal_code", "no such person")]),
        IngestError::Conflict => AppError::new(ErrorCode::VerbaleConflict,
            "A verbale with this verbale_id is stored with different content. Only `definitive` may change, from false to true; a new assessment needs a new verbale_id.",
        ),
    }
}

/// Validates a person record (API body or import row) into the SPEC's
/// errors, the codice fiscale's among them.
pub(crate) fn parse_person(
    fiscal_code: Result<FiscalCode, FieldError>,
    map: &Map<String, Value>,
    today: time::Date,
) -> AppResult<attesta_domain::Person> {
    PersonInput::parse(fiscal_code, map, today).map_err(|e| match e {
        InputError::UnknownFields(keys) => unknown_fields(&keys),
        InputError::Invalid(fields) => AppError::new(
            ErrorCode::InvalidPerson,
            "The person record has invalid fields: see `fields`.",
        )
        .with_fields(fields),
    })
}
