//! attesta's domain: the rules of SPEC §2 and §9, with no I/O and no async.
//!
//! Everything outside input is parsed at the edge into the types here
//! ([`FiscalCode`], [`Verbale`], [`Person`]) and nothing downstream checks
//! them again.

#[macro_use]
mod words;

pub mod activity;
pub mod benefits;
pub mod calendar;
pub mod card;
pub mod fiscal_code;
pub mod input;
pub mod journey;
pub mod payment;
pub mod person;
pub mod status;
pub mod verbale;

pub use activity::Activity;
pub use card::{
    CardRules, CardRulesError, CardSerial, CardSerialError, CardState, CardStatus, CourtRuling,
    Declaration, DeclarationError, RevokeReason,
};
pub use fiscal_code::{FiscalCode, FiscalCodeError};
pub use input::{FieldError, InputError, format_date, parse_date};
pub use journey::{
    Application, ApplicationState, ApplicationView, Certificate, CertificateInput, DatedEvent,
    Event, EventInput, EventKind, Procedure, ProcedureRules, ProcedureRulesError, Province,
    Purpose, Purposes, TransitionError,
};
pub use payment::{PAYMENT_FIELDS, Payment, PaymentInput, PaymentStatus, Period};
pub use person::{Mobile, PERSON_FIELDS, Person, PersonInput};
pub use status::{
    AreaFlags, CheckOutcome, Level1Outcome, Status, StatusSource, age_on, group_name,
};
pub use verbale::{
    Blindness, Findings, Group, Handicap, HandicapFinding, Invalidity, InvalidityCode,
    Resubmission, Revision, Source, VERBALE_FIELDS, Verbale, VerbaleInput, VerbaleKind, YearMonth,
};
