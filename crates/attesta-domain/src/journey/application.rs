//! An application and its events: the state machine of SPEC §10.1, one
//! per procedure, as pure functions of the events and the dates given to
//! them.
//!
//! [`transition`] is the table; [`Application::apply`] folds an event into
//! what the rules need next time (absences, the state documents were asked
//! in, the visit, INPS's due date…). [`Application::replay`] rebuilds an
//! application from its stored history.

use std::fmt;

use serde_json::{Map, Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, OffsetDateTime};

use super::certificate::{Purposes, choices};
use super::{ApplicationState, EventKind, Procedure, Via, rome_date};
use crate::input::{FieldError, Fields, InputError, format_date, parse_date};
use crate::verbale::VerbaleKind;

/// A home visit is asked "at least 5 days before" the visit date
/// (DOMAIN §9.2 step 3).
pub const HOME_VISIT_NOTICE_DAYS: i64 = 5;
/// INPS confirms the commission's verbale "within 60 days" of its session
/// (DOMAIN §9.2 step 5).
pub const INPS_DAYS: i64 = 60;

/// A convocation: when, where, and whether at home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub at: OffsetDateTime,
    pub place: String,
    pub home: bool,
}

impl Visit {
    /// The visit's calendar day in Italy.
    pub fn day(&self) -> Date {
        rome_date(self.at)
    }

    pub fn to_json(&self) -> Value {
        json!({
            "at": self.at.format(&Rfc3339).expect("a visit time formats as RFC 3339"),
            "place": self.place,
            "home": self.home,
        })
    }

    fn from_json(v: &Value) -> Option<Visit> {
        Some(Visit {
            at: OffsetDateTime::parse(v.get("at")?.as_str()?, &Rfc3339).ok()?,
            place: v.get("place")?.as_str()?.to_owned(),
            home: v.get("home")?.as_bool()?,
        })
    }
}

/// What happened to an application, with its data (SPEC §10.2). `Debug`
/// shows the kind and the data but never the citizen's reason for a new
/// date (it may describe health).
#[derive(Clone, PartialEq, Eq)]
pub enum Event {
    /// A convocation (also a moved one).
    VisitScheduled {
        visit: Visit,
    },
    HomeVisitRequested,
    Attended,
    Absent {
        justified: bool,
    },
    DocumentsRequested,
    DocumentsReceived,
    InpsConfirmed,
    DirectVisitCalled,
    Withdrawn,
    CourtAppeal,
    CourtAppealClosed,
    /// The citizen asks for a new date (reform). `at` is the moment of the
    /// request; `reason` is the citizen's text and may hold health data:
    /// never log it.
    Reschedule {
        reason: String,
        at: OffsetDateTime,
    },
    /// A linked verbale arrived, or turned definitive.
    Verbale {
        verbale_id: String,
        definitive: bool,
        kind: VerbaleKind,
        session_date: Date,
    },
    /// The scheduled job applied silent assent.
    SilentAssent,
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::VisitScheduled { .. } => EventKind::VisitScheduled,
            Event::HomeVisitRequested => EventKind::HomeVisitRequested,
            Event::Attended => EventKind::Attended,
            Event::Absent { .. } => EventKind::Absent,
            Event::DocumentsRequested => EventKind::DocumentsRequested,
            Event::DocumentsReceived => EventKind::DocumentsReceived,
            Event::InpsConfirmed => EventKind::InpsConfirmed,
            Event::DirectVisitCalled => EventKind::DirectVisitCalled,
            Event::Withdrawn => EventKind::Withdrawn,
            Event::CourtAppeal => EventKind::CourtAppeal,
            Event::CourtAppealClosed => EventKind::CourtAppealClosed,
            Event::Reschedule { .. } => EventKind::Reschedule,
            Event::Verbale { .. } => EventKind::Verbale,
            Event::SilentAssent => EventKind::SilentAssent,
        }
    }

    /// The event's own data as a JSON object (empty for most events): what
    /// is stored beside its kind and day.
    pub fn data(&self) -> Map<String, Value> {
        let mut m = Map::new();
        match self {
            Event::VisitScheduled { visit } => {
                m.insert("visit".into(), visit.to_json());
            }
            Event::Absent { justified } => {
                m.insert("justified".into(), json!(justified));
            }
            Event::Reschedule { reason, at } => {
                m.insert("reason".into(), json!(reason));
                m.insert(
                    "at".into(),
                    json!(at.format(&Rfc3339).expect("formats as RFC 3339")),
                );
            }
            Event::Verbale {
                verbale_id,
                definitive,
                kind,
                session_date,
            } => {
                m.insert("verbale_id".into(), json!(verbale_id));
                m.insert("definitive".into(), json!(definitive));
                m.insert("kind".into(), json!(kind.as_str()));
                m.insert("session_date".into(), json!(format_date(*session_date)));
            }
            Event::HomeVisitRequested
            | Event::Attended
            | Event::DocumentsRequested
            | Event::DocumentsReceived
            | Event::InpsConfirmed
            | Event::DirectVisitCalled
            | Event::Withdrawn
            | Event::CourtAppeal
            | Event::CourtAppealClosed
            | Event::SilentAssent => {}
        }
        m
    }

    /// Reads back what [`Event::data`] stored; `None` if it does not fit.
    pub fn from_data(kind: EventKind, data: &Map<String, Value>) -> Option<Event> {
        let text = |k: &str| data.get(k).and_then(Value::as_str);
        Some(match kind {
            EventKind::VisitScheduled => Event::VisitScheduled {
                visit: Visit::from_json(data.get("visit")?)?,
            },
            EventKind::HomeVisitRequested => Event::HomeVisitRequested,
            EventKind::Attended => Event::Attended,
            EventKind::Absent => Event::Absent {
                justified: data.get("justified")?.as_bool()?,
            },
            EventKind::DocumentsRequested => Event::DocumentsRequested,
            EventKind::DocumentsReceived => Event::DocumentsReceived,
            EventKind::InpsConfirmed => Event::InpsConfirmed,
            EventKind::DirectVisitCalled => Event::DirectVisitCalled,
            EventKind::Withdrawn => Event::Withdrawn,
            EventKind::CourtAppeal => Event::CourtAppeal,
            EventKind::CourtAppealClosed => Event::CourtAppealClosed,
            EventKind::Reschedule => Event::Reschedule {
                reason: text("reason")?.to_owned(),
                at: OffsetDateTime::parse(text("at")?, &Rfc3339).ok()?,
            },
            EventKind::Verbale => Event::Verbale {
                verbale_id: text("verbale_id")?.to_owned(),
                definitive: data.get("definitive")?.as_bool()?,
                kind: VerbaleKind::parse(text("kind")?)?,
                session_date: parse_date(text("session_date")?)?,
            },
            EventKind::SilentAssent => Event::SilentAssent,
        })
    }
}

/// An event on its day (Europe/Rome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatedEvent {
    pub on: Date,
    pub event: Event,
}

impl DatedEvent {
    pub fn new(on: Date, event: Event) -> DatedEvent {
        DatedEvent { on, event }
    }

    /// `{"event","on",…data}`: the shape of the back office's body.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("event".into(), json!(self.event.kind().as_str()));
        m.insert("on".into(), json!(format_date(self.on)));
        m.extend(self.event.data());
        Value::Object(m)
    }

    /// Reads back [`DatedEvent::to_json`].
    pub fn from_json(v: &Value) -> Option<DatedEvent> {
        let m = v.as_object()?;
        let kind = EventKind::parse(m.get("event")?.as_str()?)?;
        let on = parse_date(m.get("on")?.as_str()?)?;
        Some(DatedEvent {
            on,
            event: Event::from_data(kind, m)?,
        })
    }
}

/// Why an event was refused; each maps to one SPEC §10.2 code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    /// 409 `invalid_transition`: the state does not take this event.
    #[error("an application in state {state} does not take the event {event}")]
    InvalidTransition {
        state: ApplicationState,
        event: EventKind,
    },
    /// 409 `silent_assent_applied`: INPS's 60 days are over.
    #[error("INPS's 60 days ended on {}: silent assent applies", format_date(*.due))]
    SilentAssentApplied { due: Date },
    /// 422 `home_visit_too_late`: asked less than 5 days before the visit.
    #[error(
        "a home visit must be asked by {} (5 days before the visit)",
        format_date(*.last_day)
    )]
    HomeVisitTooLate { last_day: Date },
    /// 422 `invalid_event` (or 400 `invalid_request` for unknown keys).
    #[error("{0}")]
    InvalidEvent(InputError),
}

impl TransitionError {
    /// The SPEC error code. Unknown keys are a malformed request.
    pub fn code(&self) -> &'static str {
        match self {
            TransitionError::InvalidTransition { .. } => "invalid_transition",
            TransitionError::SilentAssentApplied { .. } => "silent_assent_applied",
            TransitionError::HomeVisitTooLate { .. } => "home_visit_too_late",
            TransitionError::InvalidEvent(InputError::UnknownFields(_)) => "invalid_request",
            TransitionError::InvalidEvent(InputError::Invalid(_)) => "invalid_event",
        }
    }
}

impl From<InputError> for TransitionError {
    fn from(e: InputError) -> Self {
        TransitionError::InvalidEvent(e)
    }
}

/// An application as its events left it: what the rules need to take the
/// next one and what the citizen is shown. Built only by
/// [`Application::open`] and [`Application::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Application {
    procedure: Procedure,
    purposes: Purposes,
    state: ApplicationState,
    opened_on: Date,
    last_event_on: Date,
    /// Unjustified absences in the current visit phase (the commission's,
    /// then INPS's direct visit).
    absences_in_phase: u8,
    /// Reform `documents_requested`: the state to go back to.
    documents_from: Option<ApplicationState>,
    /// Lapsed or withdrawn: the state it ended from (for its phases).
    ended_from: Option<ApplicationState>,
    appeal_open: bool,
    visit: Option<Visit>,
    home_visit_requested: bool,
    first_visit_scheduled_on: Option<Date>,
    verbale_id: Option<String>,
    /// The session day of the linked verbale (the visit held).
    session_date: Option<Date>,
    /// The day the first linked verbale arrived.
    commission_verbale_on: Option<Date>,
    inps_due: Option<Date>,
    silent_assent_applied: bool,
    definitive_on: Option<Date>,
    documents_requested: u32,
}

impl Application {
    /// A new application: ordinary `submitted` (filed on `opened_on`) or
    /// reform `started` (the certificate arrived on `opened_on`).
    pub fn open(procedure: Procedure, purposes: Purposes, opened_on: Date) -> Application {
        Application {
            procedure,
            purposes,
            state: match procedure {
                Procedure::Ordinary => ApplicationState::Submitted,
                Procedure::Reform => ApplicationState::Started,
            },
            opened_on,
            last_event_on: opened_on,
            absences_in_phase: 0,
            documents_from: None,
            ended_from: None,
            appeal_open: false,
            visit: None,
            home_visit_requested: false,
            first_visit_scheduled_on: None,
            verbale_id: None,
            session_date: None,
            commission_verbale_on: None,
            inps_due: None,
            silent_assent_applied: false,
            definitive_on: None,
            documents_requested: 0,
        }
    }

    /// Rebuilds an application from its history, in order.
    pub fn replay<'a>(
        procedure: Procedure,
        purposes: Purposes,
        opened_on: Date,
        events: impl IntoIterator<Item = &'a DatedEvent>,
    ) -> Result<Application, TransitionError> {
        events.into_iter().try_fold(
            Application::open(procedure, purposes, opened_on),
            |app, e| app.apply(e),
        )
    }

    /// The application after `e`, or why `e` is refused (nothing changes).
    pub fn apply(&self, e: &DatedEvent) -> Result<Application, TransitionError> {
        if e.on < self.last_event_on {
            return Err(InputError::Invalid(vec![FieldError::new(
                "on",
                format!(
                    "is before the application's previous event ({})",
                    format_date(self.last_event_on)
                ),
            )])
            .into());
        }
        let next = transition(self, e)?;
        let mut app = self.clone();
        app.last_event_on = e.on;
        match &e.event {
            Event::VisitScheduled { visit } => {
                app.visit = Some(visit.clone());
                app.first_visit_scheduled_on.get_or_insert(e.on);
            }
            Event::HomeVisitRequested => app.home_visit_requested = true,
            Event::Absent { justified: false } => {
                app.absences_in_phase += 1;
                app.visit = None;
            }
            Event::Absent { justified: true } => {
                if next == ApplicationState::VisitToReschedule {
                    app.visit = None;
                }
            }
            Event::Reschedule { .. } => app.visit = None,
            Event::DocumentsRequested => {
                app.documents_requested += 1;
                if next == ApplicationState::DocumentsRequested
                    && self.state != ApplicationState::DocumentsRequested
                {
                    app.documents_from = Some(self.state);
                }
            }
            Event::DocumentsReceived => {
                if self.state == ApplicationState::DocumentsRequested {
                    app.documents_from = None;
                }
            }
            Event::InpsConfirmed => app.definitive_on = Some(e.on),
            Event::DirectVisitCalled => {
                // INPS's own visit is a new phase: absences count afresh.
                app.absences_in_phase = 0;
                app.visit = None;
                app.home_visit_requested = false;
            }
            Event::Verbale {
                verbale_id,
                definitive,
                session_date,
                ..
            } => {
                app.verbale_id = Some(verbale_id.clone());
                // The visit has been held.
                app.visit = None;
                app.commission_verbale_on.get_or_insert(e.on);
                if *definitive {
                    app.definitive_on = Some(e.on);
                    app.session_date.get_or_insert(*session_date);
                } else {
                    app.session_date = Some(*session_date);
                    app.inps_due = Some(inps_due(*session_date));
                }
            }
            Event::SilentAssent => {
                app.silent_assent_applied = true;
                app.definitive_on = self.inps_due.map(silent_assent_definitive_on);
            }
            Event::CourtAppeal => app.appeal_open = true,
            Event::CourtAppealClosed => app.appeal_open = false,
            Event::Attended | Event::Withdrawn => {}
        }
        if matches!(next, ApplicationState::Lapsed | ApplicationState::Withdrawn) {
            app.ended_from = Some(self.state);
        }
        app.state = next;
        Ok(app)
    }

    pub fn procedure(&self) -> Procedure {
        self.procedure
    }
    pub fn purposes(&self) -> &Purposes {
        &self.purposes
    }
    pub fn state(&self) -> ApplicationState {
        self.state
    }
    pub fn opened_on(&self) -> Date {
        self.opened_on
    }
    /// The day of the latest event (or the opening): a new event may not
    /// be dated before it.
    pub fn last_event_on(&self) -> Date {
        self.last_event_on
    }
    pub fn absences_in_phase(&self) -> u8 {
        self.absences_in_phase
    }
    /// Reform `documents_requested`: the state `documents_received` goes
    /// back to.
    pub fn documents_from(&self) -> Option<ApplicationState> {
        self.documents_from
    }
    /// Lapsed or withdrawn: the state it ended from.
    pub fn ended_from(&self) -> Option<ApplicationState> {
        self.ended_from
    }
    pub fn appeal_open(&self) -> bool {
        self.appeal_open
    }
    /// The current convocation, not yet held, if any.
    pub fn visit(&self) -> Option<&Visit> {
        self.visit.as_ref()
    }
    pub fn home_visit_requested(&self) -> bool {
        self.home_visit_requested
    }
    /// The first convocation's day (the ordinary 30-day target; the
    /// reform's convocation phase).
    pub fn first_visit_scheduled_on(&self) -> Option<Date> {
        self.first_visit_scheduled_on
    }
    pub fn verbale_id(&self) -> Option<&str> {
        self.verbale_id.as_deref()
    }
    pub fn session_date(&self) -> Option<Date> {
        self.session_date
    }
    pub fn commission_verbale_on(&self) -> Option<Date> {
        self.commission_verbale_on
    }
    /// Ordinary: the last day INPS may decide (session + 60).
    pub fn inps_due(&self) -> Option<Date> {
        self.inps_due
    }
    pub fn silent_assent_applied(&self) -> bool {
        self.silent_assent_applied
    }
    /// The day the linked verbale became definitive.
    pub fn definitive_on(&self) -> Option<Date> {
        self.definitive_on
    }
    /// How many times documents were asked (each adds 60 days to the
    /// reform's target).
    pub fn documents_requested(&self) -> u32 {
        self.documents_requested
    }
}

// ---- deadlines ----------------------------------------------------------

/// The last day to ask for a home visit: the visit's day − 5 ("at least 5
/// days before"; asked on visit − 4 is too late).
pub fn home_visit_request_by(visit: &Visit) -> Date {
    visit.day() - Duration::days(HOME_VISIT_NOTICE_DAYS)
}

/// INPS's last day to confirm or call a visit: the session + 60.
pub fn inps_due(session_date: Date) -> Date {
    session_date + Duration::days(INPS_DAYS)
}

/// Silent assent makes the verbale definitive the day after INPS's due day.
pub fn silent_assent_definitive_on(due: Date) -> Date {
    due + Duration::days(1)
}

/// Whether the job, running on `today`, applies silent assent to `app`,
/// and the verbale's `definitive_on` if so.
pub fn silent_assent_due(app: &Application, today: Date) -> Option<Date> {
    let due = app.inps_due?;
    (app.procedure == Procedure::Ordinary
        && app.state == ApplicationState::AwaitingInps
        && !app.silent_assent_applied
        && today > due)
        .then(|| silent_assent_definitive_on(due))
}

// ---- the transition table ------------------------------------------------

/// The state after `e`, per SPEC §10.1's transition table, or why not.
/// The matches list every state and event so that a new word makes the
/// compiler point here.
pub fn transition(app: &Application, e: &DatedEvent) -> Result<ApplicationState, TransitionError> {
    match app.procedure {
        Procedure::Ordinary => ordinary(app, e),
        Procedure::Reform => reform(app, e),
    }
}

fn refuse(app: &Application, e: &DatedEvent) -> Result<ApplicationState, TransitionError> {
    Err(TransitionError::InvalidTransition {
        state: app.state,
        event: e.event.kind(),
    })
}

fn home_visit_in_time(
    app: &Application,
    e: &DatedEvent,
) -> Result<ApplicationState, TransitionError> {
    let Some(visit) = &app.visit else {
        return refuse(app, e);
    };
    let last_day = home_visit_request_by(visit);
    if e.on > last_day {
        Err(TransitionError::HomeVisitTooLate { last_day })
    } else {
        Ok(app.state)
    }
}

/// INPS decides "with `on` ≤ the due date and before the job applied
/// silent assent".
fn inps_in_time(
    app: &Application,
    e: &DatedEvent,
    next: ApplicationState,
) -> Result<ApplicationState, TransitionError> {
    match app.inps_due {
        Some(due) if app.silent_assent_applied || e.on > due => {
            Err(TransitionError::SilentAssentApplied { due })
        }
        Some(_) => Ok(next),
        None => refuse(app, e),
    }
}

fn ordinary(app: &Application, e: &DatedEvent) -> Result<ApplicationState, TransitionError> {
    use ApplicationState as S;
    use Event as E;
    let same = Ok(app.state);
    match app.state {
        S::Submitted | S::SecondSummons => match &e.event {
            E::VisitScheduled { .. } => Ok(S::VisitScheduled),
            E::DocumentsRequested | E::DocumentsReceived => same,
            E::Withdrawn => Ok(S::Withdrawn),
            E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. }
            | E::Verbale { .. }
            | E::SilentAssent => refuse(app, e),
        },
        S::VisitScheduled => match &e.event {
            E::VisitScheduled { .. } | E::Attended => same,
            E::DocumentsRequested | E::DocumentsReceived => same,
            E::HomeVisitRequested => home_visit_in_time(app, e),
            E::Absent { justified: true } => same,
            E::Absent { justified: false } if app.absences_in_phase == 0 => Ok(S::SecondSummons),
            E::Absent { justified: false } => Ok(S::Lapsed),
            E::Verbale {
                kind: VerbaleKind::BasicAssessment,
                ..
            } => refuse(app, e),
            E::Verbale {
                definitive: false, ..
            } => Ok(S::AwaitingInps),
            E::Verbale {
                definitive: true, ..
            } => Ok(S::Concluded),
            E::Withdrawn => Ok(S::Withdrawn),
            E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. }
            | E::SilentAssent => refuse(app, e),
        },
        S::AwaitingInps => match &e.event {
            E::InpsConfirmed => inps_in_time(app, e, S::Concluded),
            E::DirectVisitCalled => inps_in_time(app, e, S::InpsVisit),
            // The verbali API's false → true of the linked verbale is
            // INPS's confirmation.
            E::Verbale {
                kind: VerbaleKind::BasicAssessment,
                ..
            }
            | E::Verbale {
                definitive: false, ..
            } => refuse(app, e),
            E::Verbale {
                definitive: true, ..
            } => inps_in_time(app, e, S::Concluded),
            E::SilentAssent => match app.inps_due {
                Some(due) if e.on > due => Ok(S::Concluded),
                _ => refuse(app, e),
            },
            E::DocumentsRequested | E::DocumentsReceived => same,
            E::Withdrawn => Ok(S::Withdrawn),
            E::VisitScheduled { .. }
            | E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. } => refuse(app, e),
        },
        S::InpsVisit => match &e.event {
            E::VisitScheduled { .. } | E::Attended => same,
            E::DocumentsRequested | E::DocumentsReceived => same,
            E::HomeVisitRequested => home_visit_in_time(app, e),
            E::Absent { justified: true } => same,
            E::Absent { justified: false } if app.absences_in_phase == 0 => same,
            E::Absent { justified: false } => Ok(S::Lapsed),
            E::Verbale {
                kind: VerbaleKind::BasicAssessment,
                ..
            }
            | E::Verbale {
                definitive: false, ..
            } => refuse(app, e),
            E::Verbale {
                definitive: true, ..
            } => Ok(S::Concluded),
            E::Withdrawn => Ok(S::Withdrawn),
            E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. }
            | E::SilentAssent => refuse(app, e),
        },
        S::Concluded => match &e.event {
            E::CourtAppeal | E::CourtAppealClosed => same,
            // Too late for INPS once silent assent made it definitive.
            E::InpsConfirmed | E::DirectVisitCalled if app.silent_assent_applied => {
                inps_in_time(app, e, S::Concluded)
            }
            E::InpsConfirmed
            | E::DirectVisitCalled
            | E::VisitScheduled { .. }
            | E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::DocumentsRequested
            | E::DocumentsReceived
            | E::Withdrawn
            | E::Reschedule { .. }
            | E::Verbale { .. }
            | E::SilentAssent => refuse(app, e),
        },
        // Terminal: nothing. The reform's own states never occur here.
        S::Lapsed | S::Withdrawn | S::Started | S::VisitToReschedule | S::DocumentsRequested => {
            refuse(app, e)
        }
    }
}

fn reform(app: &Application, e: &DatedEvent) -> Result<ApplicationState, TransitionError> {
    use ApplicationState as S;
    use Event as E;
    let same = Ok(app.state);
    match app.state {
        S::Started | S::VisitToReschedule => match &e.event {
            E::VisitScheduled { .. } => Ok(S::VisitScheduled),
            E::DocumentsRequested => Ok(S::DocumentsRequested),
            E::Withdrawn => Ok(S::Withdrawn),
            E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::DocumentsReceived
            | E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. }
            | E::Verbale { .. }
            | E::SilentAssent => refuse(app, e),
        },
        S::VisitScheduled => match &e.event {
            E::VisitScheduled { .. } | E::Attended => same,
            E::HomeVisitRequested => home_visit_in_time(app, e),
            E::Absent { justified: true } => Ok(S::VisitToReschedule),
            E::Absent { justified: false } => Ok(S::Withdrawn),
            // Only before the visit time.
            E::Reschedule { at, .. } => match &app.visit {
                Some(visit) if *at < visit.at => Ok(S::VisitToReschedule),
                _ => refuse(app, e),
            },
            E::DocumentsRequested => Ok(S::DocumentsRequested),
            E::Verbale {
                kind: VerbaleKind::BasicAssessment,
                definitive: true,
                ..
            } => Ok(S::Concluded),
            E::Verbale { .. } => refuse(app, e),
            E::Withdrawn => Ok(S::Withdrawn),
            E::DocumentsReceived
            | E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::SilentAssent => refuse(app, e),
        },
        S::DocumentsRequested => match &e.event {
            E::DocumentsRequested => same,
            E::DocumentsReceived => Ok(app.documents_from.unwrap_or(S::Started)),
            E::Withdrawn => Ok(S::Withdrawn),
            E::VisitScheduled { .. }
            | E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::InpsConfirmed
            | E::DirectVisitCalled
            | E::CourtAppeal
            | E::CourtAppealClosed
            | E::Reschedule { .. }
            | E::Verbale { .. }
            | E::SilentAssent => refuse(app, e),
        },
        S::Concluded => match &e.event {
            E::CourtAppeal | E::CourtAppealClosed => same,
            E::VisitScheduled { .. }
            | E::HomeVisitRequested
            | E::Attended
            | E::Absent { .. }
            | E::DocumentsRequested
            | E::DocumentsReceived
            | E::InpsConfirmed
            | E::DirectVisitCalled
            | E::Withdrawn
            | E::Reschedule { .. }
            | E::Verbale { .. }
            | E::SilentAssent => refuse(app, e),
        },
        // Terminal: nothing. The ordinary procedure's own states never
        // occur here.
        S::Lapsed
        | S::Withdrawn
        | S::Submitted
        | S::SecondSummons
        | S::AwaitingInps
        | S::InpsVisit => refuse(app, e),
    }
}

// ---- the rules around the table ---------------------------------------------

/// "One at a time": a new application (or a reform certificate) asking
/// `purposes` is refused (409 `assessment_open`) while an application of
/// the same person whose purposes overlap is not terminal, or is concluded
/// with its court appeal open — whatever the procedure of either.
pub fn assessment_open<'a>(
    purposes: &Purposes,
    others: impl IntoIterator<Item = &'a Application>,
) -> bool {
    others.into_iter().any(|a| {
        a.purposes.overlaps(purposes)
            && (!a.state.is_terminal() || (a.state == ApplicationState::Concluded && a.appeal_open))
    })
}

/// Whether a verbale of `kind` may be linked to `app` (422
/// `invalid_verbale` naming the field otherwise): not to a terminal
/// application; `basic_assessment` only, and always definitive, in the
/// reform; never in the ordinary procedure.
pub fn verbale_fits(
    app: &Application,
    kind: VerbaleKind,
    definitive: bool,
) -> Result<(), FieldError> {
    if app.state.is_terminal() {
        return Err(FieldError::new(
            "application_id",
            format!(
                "the application is {}: link the verbale to an open application",
                app.state
            ),
        ));
    }
    let basic = kind == VerbaleKind::BasicAssessment;
    match app.procedure {
        Procedure::Reform if !basic => Err(FieldError::new(
            "kind",
            "an application of the reform procedure takes only a basic_assessment verbale",
        )),
        Procedure::Reform if !definitive => Err(FieldError::new(
            "kind",
            "a basic_assessment verbale is definitive at once: send it with definitive true",
        )),
        Procedure::Ordinary if basic => Err(FieldError::new(
            "kind",
            "basic_assessment belongs to the reform procedure; an ordinary application takes a commission verbale",
        )),
        Procedure::Reform | Procedure::Ordinary => Ok(()),
    }
}

// ---- event bodies ----------------------------------------------------------

/// Validation of a back-office event body
/// (`POST /api/v1/admin/applications/{id}/events`).
#[derive(Debug)]
pub struct EventInput;

impl EventInput {
    /// Reads `{"event","on",…}`: `on` is required, not after `today` and
    /// not before the application's previous event; `visit.at` may be in
    /// the future. Keys that the event does not take are
    /// [`InputError::UnknownFields`]; every invalid field is reported at
    /// once.
    pub fn parse(
        map: &Map<String, Value>,
        today: Date,
        app: &Application,
    ) -> Result<DatedEvent, InputError> {
        let mut f = Fields::new(map);
        let back_office = choices(EventKind::BACK_OFFICE);
        let kind = f.choice(
            "event",
            |s| EventKind::parse(s).filter(|k| EventKind::BACK_OFFICE.contains(k)),
            &back_office,
        );
        let kind = f.required("event", kind);
        let extra: &[&str] = match kind {
            Some(EventKind::VisitScheduled) => &["visit"],
            Some(EventKind::Absent) => &["justified"],
            _ => &[],
        };
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !["event", "on"].contains(&k.as_str()) && !extra.contains(&k.as_str()))
            // With an unknown event word, the word is the error to report.
            .filter(|_| kind.is_some() || map.get("event").is_none())
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let on = f.date("on", today);
        let on = f.required("on", on);
        if let Some(d) = on
            && d < app.last_event_on
        {
            f.error(
                "on",
                format!(
                    "is before the application's previous event ({})",
                    format_date(app.last_event_on)
                ),
            );
        }
        let event = match kind {
            Some(EventKind::VisitScheduled) => {
                visit_from(&mut f).map(|visit| Event::VisitScheduled { visit })
            }
            Some(EventKind::Absent) => {
                let justified = f.boolean("justified");
                f.required("justified", justified)
                    .map(|justified| Event::Absent { justified })
            }
            Some(k) => Event::from_data(k, &Map::new()),
            None => None,
        };
        match (on, event) {
            (Some(on), Some(event)) if f.errors.is_empty() => Ok(DatedEvent { on, event }),
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

fn visit_from(f: &mut Fields<'_>) -> Option<Visit> {
    let Some(v) = f.get("visit") else {
        f.error("visit", "is required: {\"at\", \"place\", \"home\"}");
        return None;
    };
    let Some(m) = v.as_object() else {
        f.error("visit", "must be an object {\"at\", \"place\", \"home\"}");
        return None;
    };
    if let Some(k) = m
        .keys()
        .find(|k| !["at", "place", "home"].contains(&k.as_str()))
    {
        f.error(
            &format!("visit.{k}"),
            "is not a field of the visit (at, place, home)",
        );
    }
    let at = match m.get("at").and_then(Value::as_str) {
        Some(s) => match OffsetDateTime::parse(s, &Rfc3339) {
            Ok(t) => Some(t),
            Err(_) => {
                f.error(
                    "visit.at",
                    "must be a date and time in RFC 3339, e.g. 2026-12-15T09:30:00+01:00",
                );
                None
            }
        },
        None => {
            f.error("visit.at", "is required: a date and time in RFC 3339");
            None
        }
    };
    let place = match m.get("place").and_then(Value::as_str).map(str::trim) {
        Some(p) if !p.is_empty() && p.chars().count() <= 200 => Some(p.to_owned()),
        _ => {
            f.error(
                "visit.place",
                "is required: the address, at most 200 characters",
            );
            None
        }
    };
    let home = match m.get("home") {
        None | Some(Value::Null) => Some(false),
        Some(Value::Bool(b)) => Some(*b),
        Some(_) => {
            f.error("visit.home", "must be true or false");
            None
        }
    };
    Some(Visit {
        at: at?,
        place: place?,
        home: home?,
    })
}

/// A back-office filing (`POST /api/v1/admin/applications`): for a
/// patronato or an association.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplicationRequest {
    pub certificate_id: String,
    /// The filing day when not today.
    pub on: Option<Date>,
    pub via: Option<Via>,
}

/// Validation of a back-office filing body.
#[derive(Debug)]
pub struct ApplicationInput;

impl ApplicationInput {
    /// Reads `{"certificate_id","on"?,"via"?}`; `on` may not be after
    /// `today`. Whether the certificate may be used that day is
    /// [`Certificate::may_apply`](super::Certificate::may_apply).
    pub fn parse(map: &Map<String, Value>, today: Date) -> Result<ApplicationRequest, InputError> {
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !["certificate_id", "on", "via"].contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);
        let id = f.string("certificate_id").and_then(|s| {
            if s.is_empty() || s.len() > 64 {
                f.error("certificate_id", "must be 1–64 characters");
                None
            } else {
                Some(s.to_owned())
            }
        });
        let id = f.required("certificate_id", id);
        let on = f.date("on", today);
        let via = f.choice("via", Via::parse, &choices(Via::ALL));
        match id {
            Some(certificate_id) if f.errors.is_empty() => Ok(ApplicationRequest {
                certificate_id,
                on,
                via,
            }),
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

/// Validation of the citizen's request for a new date (reform).
#[derive(Debug)]
pub struct RescheduleInput;

impl RescheduleInput {
    /// Reads `{"reason"}`, asked at the instant `now` (its Italian day is
    /// the event's `on`). The reason may describe health: it is stored,
    /// never logged.
    pub fn parse(map: &Map<String, Value>, now: OffsetDateTime) -> Result<DatedEvent, InputError> {
        let unknown: Vec<String> = map.keys().filter(|k| *k != "reason").cloned().collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);
        let reason = f.string("reason").map(str::trim).and_then(|s| {
            if s.is_empty() || s.chars().count() > 1000 {
                f.error("reason", "must say why, in 1 to 1000 characters");
                None
            } else {
                Some(s.to_owned())
            }
        });
        let reason = f.required("reason", reason);
        match reason {
            Some(reason) if f.errors.is_empty() => Ok(DatedEvent {
                on: rome_date(now),
                event: Event::Reschedule { reason, at: now },
            }),
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut data = self.data();
        if let Some(reason) = data.get_mut("reason") {
            *reason = json!("<redacted>");
        }
        write!(f, "{}{}", self.kind(), Value::Object(data))
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind().as_str())
    }
}
