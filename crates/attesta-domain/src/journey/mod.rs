//! The road to the verbale (SPEC §10, DOMAIN §9 and §13): the doctor's
//! certificate, the application and its events, in the two procedures
//! that run side by side until the D.Lgs. 62/2024 reform is nationwide.
//!
//! The words here are the contract's: they go on the wire and in the
//! database as they are. The rules (transitions, deadlines, phases) are
//! pure functions of these types and of dates given to them: nothing here
//! reads a clock.
//!
//! - [`procedures`]: `rules/procedures.toml`, which procedure applies where;
//! - [`certificate`]: the certificate, its body, until when it is usable;
//! - [`application`]: the state machine and the events' bodies;
//! - [`view`]: what the citizen sees on a day;
//! - [`notices`]: what they should do next, derived on a day.

pub mod application;
pub mod certificate;
pub mod notices;
pub mod procedures;
pub mod view;
pub mod vocab;

pub use crate::calendar::rome_date;

pub use application::{
    Application, ApplicationInput, ApplicationRequest, DatedEvent, Event, EventInput,
    RescheduleInput, TransitionError, Visit, assessment_open, home_visit_request_by, inps_due,
    silent_assent_definitive_on, silent_assent_due, transition, verbale_fits,
};
pub use certificate::{
    ApplicationRefusal, CERTIFICATE_FIELDS, Certificate, CertificateInput, CertificateResubmission,
    Purposes,
};
pub use notices::{CertificateFact, Notice, NoticeFacts, NoticeKind, notices};
pub use procedures::{
    PROCEDURES_RULES_FILE, PROVINCES, ProcedureRules, ProcedureRulesError, Province,
};
pub use view::{
    ApplicationView, NextDeadline, PhaseView, appeal_by, next_deadline, overdue, phases,
    reform_target, visit_target,
};
pub use vocab::{
    ApplicationState, CertificateStatus, DeadlineWhat, EventKind, Phase, PhaseStatus, Procedure,
    Purpose, Via,
};
