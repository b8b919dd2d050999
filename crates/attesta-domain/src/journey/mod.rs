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
//! - [`view`]: what the citizen sees on a day.

pub mod application;
pub mod certificate;
pub mod procedures;
pub mod view;
pub mod vocab;

use time::{Date, OffsetDateTime, UtcOffset, Weekday};

pub use application::{
    Application, ApplicationInput, ApplicationRequest, DatedEvent, Event, EventInput,
    RescheduleInput, TransitionError, Visit, assessment_open, home_visit_request_by, inps_due,
    silent_assent_definitive_on, silent_assent_due, transition, verbale_fits,
};
pub use certificate::{
    ApplicationRefusal, CERTIFICATE_FIELDS, Certificate, CertificateInput, CertificateResubmission,
    Purposes,
};
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

/// The calendar day in Italy at instant `t`: Central European Time, with
/// summer time from the last Sunday of March to the last Sunday of
/// October, both at 01:00 UTC. The journey's days are Europe/Rome days
/// (SPEC §10); the domain has no time-zone database, and this rule is
/// the EU's since 1996. (attesta-app's `italian_date` applies the same
/// rule to the clock.)
pub fn rome_date(t: OffsetDateTime) -> Date {
    let t = t.to_offset(UtcOffset::UTC);
    let year = t.year();
    let last_sunday = |month: time::Month| {
        let mut d =
            Date::from_calendar_date(year, month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sunday {
            d = d.previous_day().expect("in range");
        }
        d.with_hms(1, 0, 0).expect("valid").assume_utc()
    };
    let summer = t >= last_sunday(time::Month::March) && t < last_sunday(time::Month::October);
    let offset = UtcOffset::from_hms(if summer { 2 } else { 1 }, 0, 0).expect("valid offset");
    t.to_offset(offset).date()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_italian_day_follows_summer_time() {
        // (instant, day in Rome)
        let rows = [
            (datetime!(2026-01-15 22:59 UTC), date!(2026 - 01 - 15)),
            (datetime!(2026-01-15 23:00 UTC), date!(2026 - 01 - 16)),
            (datetime!(2026-07-15 21:59 UTC), date!(2026 - 07 - 15)),
            (datetime!(2026-07-15 22:00 UTC), date!(2026 - 07 - 16)),
            (datetime!(2026-07-16 00:30 +02:00), date!(2026 - 07 - 16)),
        ];
        for (t, want) in rows {
            assert_eq!(rome_date(t), want, "{t}");
        }
    }
}
