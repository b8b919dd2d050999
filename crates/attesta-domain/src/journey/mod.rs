//! The road to the verbale (SPEC §10, DOMAIN §9 and §13): the doctor's
//! certificate, the application and its events, in the two procedures
//! that run side by side until the D.Lgs. 62/2024 reform is nationwide.
//!
//! The words here are the contract's: they go on the wire and in the
//! database as they are. The rules (transitions, deadlines, phases) are
//! pure functions of these types and of dates given to them.

pub mod vocab;

pub use vocab::{
    ApplicationState, CertificateStatus, DeadlineWhat, EventKind, Phase, PhaseStatus, Procedure,
    Purpose, Via,
};
