//! Payments of a benefit (SPEC §11, "Pagamenti e cedolini"): the back
//! office writes them, idempotent by `payment_id`; the holder (or a
//! delegate acting for them) reads them, newest period first.

use attesta_domain::{InputError, Payment, PaymentInput};
use attesta_store::{PaymentError, PaymentOutcome, PaymentRecord};
use serde_json::Value;
use time::{Date, Month};

use crate::backoffice::{Written, object, unknown_fields};
use crate::benefits::benefit_rules;
use crate::{Actor, App, AppError, AppResult, ErrorCode};

/// The ids of the economic benefits of every year's rules file, sorted:
/// a payment's `benefit` is one of them.
pub fn payable_benefits() -> AppResult<Vec<String>> {
    let book = benefit_rules().map_err(|e| AppError::internal(&e))?;
    let mut ids: Vec<String> = book
        .years()
        .filter_map(|y| Date::from_calendar_date(y, Month::January, 1).ok())
        .filter_map(|d| book.for_date(d))
        .flat_map(|r| r.economic.iter().map(|e| e.id.clone()))
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// Validates a payment object (API body or import row).
pub(crate) fn parse_payment(body: &Value, today: Date) -> AppResult<Payment> {
    let ids = payable_benefits()?;
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    PaymentInput::parse(object(body)?, &ids, today).map_err(|e| match e {
        InputError::UnknownFields(keys) => unknown_fields(&keys),
        InputError::Invalid(fields) => AppError::new(
            ErrorCode::InvalidPayment,
            "The payment has invalid fields: see `fields`.",
        )
        .with_fields(fields),
    })
}

pub(crate) fn payment_error(e: PaymentError) -> AppError {
    match e {
        PaymentError::UnknownPerson => AppError::new(
            ErrorCode::UnknownPerson,
            "No person with this codice fiscale: create them first with PUT /api/v1/admin/people/{fiscal_code} (or a people import).",
        )
        .with_fields(vec![attesta_domain::FieldError::new(
            "fiscal_code",
            "no such person",
        )]),
        PaymentError::Conflict(fields) => AppError::new(
            ErrorCode::PaymentConflict,
            format!(
                "A payment with this payment_id is stored with different {}. Only `status` may change, from planned to paid with its `paid_on`; another payment needs another payment_id.",
                fields.join(", ")
            ),
        ),
    }
}

impl App {
    /// The body of `POST /api/v1/admin/payments` as a payment.
    pub fn payment_from_json(&self, body: &Value) -> AppResult<Payment> {
        parse_payment(body, self.today())
    }

    /// `POST /api/v1/admin/payments`: created, marked paid (updated) or
    /// unchanged.
    pub async fn ingest_payment(&self, payment: &Payment) -> AppResult<Written> {
        match self
            .store
            .ingest_payment(payment, self.now_millis())
            .await?
        {
            Ok(PaymentOutcome::Created) => Ok(Written::Created),
            Ok(PaymentOutcome::MarkedPaid) => Ok(Written::Updated),
            Ok(PaymentOutcome::Unchanged) => Ok(Written::Unchanged),
            Err(e) => Err(payment_error(e)),
        }
    }

    /// `GET /api/v1/me/payments`: the holder's payments, newest period
    /// first.
    pub async fn payments(&self, actor: &Actor) -> AppResult<Vec<PaymentRecord>> {
        Ok(self.store.payments_for(&actor.person_id).await?)
    }
}
