//! attesta's domain: the rules of SPEC §2 and §9, with no I/O and no async.
//!
//! Everything outside input is parsed at the edge into the types here
//! ([`FiscalCode`], [`Verbale`], [`Person`]) and nothing downstream checks
//! them again.

pub mod activity;
pub mod benefits;
pub mod card;
pub mod fiscal_code;
pub mod person;
pub mod status;
pub mod verbale;

pub use activity::Activity;
pub use card::{
    CardRules, CardRulesError, CardSerial, CardSerialError, CardState, CardStatus, CourtRuling,
    Declaration, DeclarationError, RevokeReason,
};
pub use fiscal_code::{FiscalCode, FiscalCodeError};
pub use person::{Mobile, PERSON_FIELDS, Person, PersonInput};
pub use status::{
    AreaFlags, CheckOutcome, Level1Outcome, Status, StatusSource, age_on, group_name,
};
pub use verbale::{
    Blindness, FieldError, Handicap, InvalidityCode, Revision, Source, Verbale, VerbaleInput,
    VerbaleKind, YearMonth,
};
pub use verbale::{
    Findings, Group, HandicapFinding, InputError, Invalidity, Resubmission, VERBALE_FIELDS,
    format_date, parse_date,
};
