//! What the citizen sees of an application on a day (SPEC §10.1 phases
//! table, §10.2 `GET /api/v1/me/applications`): its phases, the visit,
//! the next deadline and whether a time target has passed.

use serde_json::{Map, Value, json};
use time::{Date, Duration, Month};

use super::application::{Application, Visit, home_visit_request_by};
use super::certificate::{Certificate, Purposes};
use super::{ApplicationState, DeadlineWhat, Phase, PhaseStatus, Procedure};
use crate::input::format_date;
use crate::status::age_on;

/// Ordinary: the visit is due within 30 days of the application…
pub const VISIT_TARGET_DAYS: i64 = 30;
/// …and within 15 for cancer (DOMAIN §13).
pub const ONCOLOGICAL_TARGET_DAYS: i64 = 15;
/// Reform: concluded within 90 days of the certificate…
pub const REFORM_TARGET_DAYS: i64 = 90;
/// …30 for a minor on the certificate's date…
pub const MINOR_TARGET_DAYS: i64 = 30;
/// …and each request for documents suspends the clock for 60 days.
pub const DOCUMENTS_SUSPENSION_DAYS: i64 = 60;
/// A court appeal is possible within 6 months of the definitive verbale.
pub const APPEAL_MONTHS: u32 = 6;

/// One phase of the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseView {
    pub phase: Phase,
    pub status: PhaseStatus,
    /// The day a done phase was done.
    pub on: Option<Date>,
    /// The day a current or coming phase is due, where SPEC gives one.
    pub due: Option<Date>,
}

/// What to do (or expect) next and by when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextDeadline {
    pub what: DeadlineWhat,
    pub due: Date,
}

/// An application as the citizen sees it on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationView {
    pub application_id: String,
    pub procedure: Procedure,
    pub purposes: Purposes,
    pub state: ApplicationState,
    pub opened_on: Date,
    pub phases: Vec<PhaseView>,
    pub visit: Option<Visit>,
    pub next_deadline: Option<NextDeadline>,
    /// A time target has passed (shown, never enforced).
    pub overdue: bool,
    /// The definitive verbale of a concluded application.
    pub verbale_id: Option<String>,
}

impl ApplicationView {
    /// The view on `today` of `app`, opened from `certificate`, for a person
    /// born on `birth_date`.
    pub fn of(
        application_id: &str,
        app: &Application,
        certificate: &Certificate,
        birth_date: Date,
        today: Date,
    ) -> ApplicationView {
        ApplicationView {
            application_id: application_id.to_owned(),
            procedure: app.procedure(),
            purposes: app.purposes().clone(),
            state: app.state(),
            opened_on: app.opened_on(),
            phases: phases(app, certificate, birth_date),
            visit: app.visit().filter(|_| !app.state().is_terminal()).cloned(),
            next_deadline: next_deadline(app, certificate, birth_date, today),
            overdue: overdue(app, certificate, birth_date, today),
            verbale_id: app
                .verbale_id()
                .filter(|_| app.state() == ApplicationState::Concluded)
                .map(str::to_owned),
        }
    }

    /// SPEC §10.2's JSON; optional fields are left out when absent.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("application_id".into(), json!(self.application_id));
        m.insert("procedure".into(), json!(self.procedure.as_str()));
        m.insert("purposes".into(), self.purposes.to_json());
        m.insert("state".into(), json!(self.state.as_str()));
        m.insert("opened_on".into(), json!(format_date(self.opened_on)));
        let phases = self
            .phases
            .iter()
            .map(|p| {
                let mut o = Map::new();
                o.insert("phase".into(), json!(p.phase.as_str()));
                o.insert("status".into(), json!(p.status.as_str()));
                if let Some(on) = p.on {
                    o.insert("on".into(), json!(format_date(on)));
                }
                if let Some(due) = p.due {
                    o.insert("due".into(), json!(format_date(due)));
                }
                Value::Object(o)
            })
            .collect();
        m.insert("phases".into(), Value::Array(phases));
        if let Some(v) = &self.visit {
            m.insert("visit".into(), v.to_json());
        }
        if let Some(d) = self.next_deadline {
            m.insert(
                "next_deadline".into(),
                json!({"what": d.what.as_str(), "due": format_date(d.due)}),
            );
        }
        m.insert("overdue".into(), json!(self.overdue));
        if let Some(id) = &self.verbale_id {
            m.insert("verbale_id".into(), json!(id));
        }
        Value::Object(m)
    }
}

// ---- time targets ----------------------------------------------------------

/// Ordinary: the last day for the first convocation (application + 30, or
/// + 15 when oncological).
pub fn visit_target(opened_on: Date, oncological: bool) -> Date {
    opened_on
        + Duration::days(if oncological {
            ONCOLOGICAL_TARGET_DAYS
        } else {
            VISIT_TARGET_DAYS
        })
}

/// Reform: the last day to conclude (certificate + 90; 15 oncological; 30
/// for a minor on the certificate's date), plus 60 for each request for
/// documents.
pub fn reform_target(
    certificate: &Certificate,
    birth_date: Date,
    documents_requested: u32,
) -> Date {
    let base = if certificate.oncological {
        ONCOLOGICAL_TARGET_DAYS
    } else if age_on(birth_date, certificate.issued_on) < 18 {
        MINOR_TARGET_DAYS
    } else {
        REFORM_TARGET_DAYS
    };
    certificate.issued_on
        + Duration::days(base + DOCUMENTS_SUSPENSION_DAYS * i64::from(documents_requested))
}

/// The last day for a court appeal: 6 months after `definitive_on` (the
/// same day of the month, or the month's last day when it has fewer).
pub fn appeal_by(definitive_on: Date) -> Date {
    add_months(definitive_on, APPEAL_MONTHS)
}

fn add_months(d: Date, months: u32) -> Date {
    let index = d.year() * 12 + i32::from(u8::from(d.month())) - 1 + months as i32;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) as u8 + 1);
    let month = Month::try_from(month).expect("1 to 12");
    let day = d.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).expect("a valid day")
}

/// A time target has passed on `today` (SPEC §10.1 "time targets"): shown
/// while the application is open, never enforced.
pub fn overdue(
    app: &Application,
    certificate: &Certificate,
    birth_date: Date,
    today: Date,
) -> bool {
    if app.state().is_terminal() {
        return false;
    }
    match app.procedure() {
        Procedure::Ordinary => {
            let target = visit_target(app.opened_on(), certificate.oncological);
            app.first_visit_scheduled_on().unwrap_or(today) > target
        }
        Procedure::Reform => {
            today > reform_target(certificate, birth_date, app.documents_requested())
        }
    }
}

/// What comes next and by when, on `today`.
pub fn next_deadline(
    app: &Application,
    certificate: &Certificate,
    birth_date: Date,
    today: Date,
) -> Option<NextDeadline> {
    use ApplicationState as S;
    let at = |what, due| Some(NextDeadline { what, due });
    let target = || {
        (app.procedure() == Procedure::Reform).then(|| NextDeadline {
            what: DeadlineWhat::Target,
            due: reform_target(certificate, birth_date, app.documents_requested()),
        })
    };
    match app.state() {
        S::Concluded => app
            .definitive_on()
            .map(appeal_by)
            .filter(|d| today <= *d)
            .and_then(|d| at(DeadlineWhat::AppealBy, d)),
        S::Lapsed | S::Withdrawn => None,
        S::AwaitingInps => app
            .inps_due()
            .filter(|d| today <= *d)
            .and_then(|d| at(DeadlineWhat::InpsDecision, d)),
        S::VisitScheduled | S::InpsVisit => match app.visit() {
            Some(v)
                if !v.home && !app.home_visit_requested() && today <= home_visit_request_by(v) =>
            {
                at(DeadlineWhat::HomeVisitRequestBy, home_visit_request_by(v))
            }
            Some(v) if today <= v.day() => at(DeadlineWhat::Visit, v.day()),
            _ => target(),
        },
        S::Submitted
        | S::SecondSummons
        | S::Started
        | S::VisitToReschedule
        | S::DocumentsRequested => target(),
    }
}

// ---- phases --------------------------------------------------------------------

/// How many of the procedure's phases are done in `state` (the next one is
/// current), per SPEC §10.1's phases table.
fn done_count(procedure: Procedure, state: ApplicationState) -> usize {
    use ApplicationState as S;
    match (procedure, state) {
        (Procedure::Ordinary, S::Submitted | S::SecondSummons | S::VisitScheduled) => 2,
        (Procedure::Ordinary, S::AwaitingInps | S::InpsVisit) => 4,
        (Procedure::Reform, S::Started | S::VisitToReschedule) => 1,
        (Procedure::Reform, S::VisitScheduled) => 2,
        (_, S::Concluded) => Phase::of(procedure).len(),
        // Shown through the state they came from (see `phases`); the
        // other procedure's states never occur.
        (_, S::DocumentsRequested | S::Lapsed | S::Withdrawn)
        | (Procedure::Ordinary, S::Started | S::VisitToReschedule)
        | (Procedure::Reform, S::Submitted | S::SecondSummons | S::AwaitingInps | S::InpsVisit) => {
            1
        }
    }
}

/// The timeline of `app`: `documents_requested` shows the phases of the
/// state it came from; lapsed and withdrawn those of the state they ended
/// from, with every phase after the last done one skipped.
pub fn phases(app: &Application, certificate: &Certificate, birth_date: Date) -> Vec<PhaseView> {
    use ApplicationState as S;
    let procedure = app.procedure();
    let (shown, ended) = match app.state() {
        S::DocumentsRequested => (app.documents_from().unwrap_or(S::Started), false),
        S::Lapsed | S::Withdrawn => {
            let from = app.ended_from().unwrap_or(S::Submitted);
            // Withdrawn while documents were asked: the state before that.
            let from = if from == S::DocumentsRequested {
                app.documents_from().unwrap_or(S::Started)
            } else {
                from
            };
            (from, true)
        }
        s => (s, false),
    };
    let done = done_count(procedure, shown);
    Phase::of(procedure)
        .iter()
        .enumerate()
        .map(|(i, &phase)| {
            let status = match (i < done, i == done, ended) {
                (true, _, _) => PhaseStatus::Done,
                (false, _, true) => PhaseStatus::Skipped,
                (false, true, false) => PhaseStatus::Current,
                (false, false, false) => PhaseStatus::Todo,
            };
            let (on, due) = phase_dates(app, certificate, birth_date, phase);
            match status {
                PhaseStatus::Done => PhaseView {
                    phase,
                    status,
                    on,
                    due: None,
                },
                PhaseStatus::Current | PhaseStatus::Todo => PhaseView {
                    phase,
                    status,
                    on: None,
                    due,
                },
                PhaseStatus::Skipped => PhaseView {
                    phase,
                    status,
                    on: None,
                    due: None,
                },
            }
        })
        .collect()
}

/// A phase's done day and its due day (only one is shown, by its status).
fn phase_dates(
    app: &Application,
    certificate: &Certificate,
    birth_date: Date,
    phase: Phase,
) -> (Option<Date>, Option<Date>) {
    let visit_day = app.visit().map(Visit::day);
    match phase {
        Phase::Certificate => (Some(certificate.issued_on), None),
        Phase::Application => (Some(app.opened_on()), None),
        Phase::Convocation => (app.first_visit_scheduled_on(), None),
        Phase::Visit => (app.session_date(), visit_day),
        Phase::CommissionVerbale => (app.commission_verbale_on(), None),
        Phase::InpsValidation => (app.definitive_on(), app.inps_due()),
        Phase::DefinitiveVerbale => (app.definitive_on(), None),
        Phase::DisabilityCertificate => (
            app.definitive_on(),
            Some(reform_target(
                certificate,
                birth_date,
                app.documents_requested(),
            )),
        ),
    }
}
