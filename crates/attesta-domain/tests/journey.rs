//! SPEC §10.1 through the domain's public surface: every rule row in both
//! procedures with its boundaries, the transition table as a property, and
//! what the citizen sees. Every date is given; "today" is injected.

use attesta_domain::journey::{
    Application, ApplicationInput, ApplicationState as S, ApplicationView, Certificate,
    CertificateInput, DatedEvent, DeadlineWhat, Event, EventInput, EventKind, PhaseStatus,
    Procedure, ProcedureRules, Purpose, Purposes, RescheduleInput, TransitionError, Via, Visit,
    assessment_open, silent_assent_due, verbale_fits,
};
use attesta_domain::{InputError, VerbaleKind};
use proptest::prelude::*;
use serde_json::{Map, Value, json};
use time::macros::{date, datetime};
use time::{Date, Duration, OffsetDateTime, Time};

// ---- helpers ---------------------------------------------------------------

/// The day every history starts on (an ordinary application in Bari, or a
/// reform one in Milano: the procedure is named, never inferred from it).
const D0: Date = date!(2026 - 10 - 01);

fn day(n: i64) -> Date {
    D0 + Duration::days(n)
}

fn purposes(p: &[Purpose]) -> Purposes {
    Purposes::new(p.iter().copied()).unwrap()
}

fn visit_on(d: Date) -> Visit {
    Visit {
        at: d.with_time(Time::from_hms(9, 0, 0).unwrap()).assume_utc(),
        place: "Via Roma 1, Bari".into(),
        home: false,
    }
}

fn visit(on: i64, visit_day: i64) -> DatedEvent {
    DatedEvent::new(
        day(on),
        Event::VisitScheduled {
            visit: visit_on(day(visit_day)),
        },
    )
}

fn at(on: i64, event: Event) -> DatedEvent {
    DatedEvent::new(day(on), event)
}

fn absent(on: i64, justified: bool) -> DatedEvent {
    at(on, Event::Absent { justified })
}

fn verbale(on: i64, kind: VerbaleKind, definitive: bool, session: i64) -> DatedEvent {
    at(
        on,
        Event::Verbale {
            verbale_id: "V-1".into(),
            definitive,
            kind,
            session_date: day(session),
        },
    )
}

fn commission(on: i64) -> DatedEvent {
    verbale(on, VerbaleKind::FirstInstance, false, on)
}

fn reschedule(on: i64) -> DatedEvent {
    at(
        on,
        Event::Reschedule {
            reason: "ricovero".into(),
            at: day(on)
                .with_time(Time::from_hms(12, 0, 0).unwrap())
                .assume_utc(),
        },
    )
}

fn open(procedure: Procedure) -> Application {
    Application::open(procedure, purposes(&[Purpose::Invalidity]), D0)
}

fn after(procedure: Procedure, events: &[DatedEvent]) -> Application {
    Application::replay(
        procedure,
        purposes(&[Purpose::Invalidity]),
        D0,
        events.iter(),
    )
    .unwrap_or_else(|e| panic!("history refused: {e}"))
}

/// A history that reaches `state` in `procedure`, with its last event on
/// day 10 at the latest (the commission's session is day 10).
fn reach(procedure: Procedure, state: S) -> Application {
    use Procedure::{Ordinary, Reform};
    let h: Vec<DatedEvent> = match (procedure, state) {
        (Ordinary, S::Submitted) | (Reform, S::Started) => vec![],
        (_, S::VisitScheduled) => vec![visit(1, 30)],
        (Ordinary, S::SecondSummons) => vec![visit(1, 5), absent(5, false)],
        (Ordinary, S::AwaitingInps) => vec![visit(1, 10), commission(10)],
        (Ordinary, S::InpsVisit) => vec![
            visit(1, 10),
            commission(10),
            at(10, Event::DirectVisitCalled),
            visit(10, 40),
        ],
        (Ordinary, S::Concluded) => {
            vec![visit(1, 10), commission(10), at(10, Event::InpsConfirmed)]
        }
        (Ordinary, S::Lapsed) => vec![visit(1, 3), absent(3, false), visit(4, 8), absent(8, false)],
        (_, S::Withdrawn) => vec![at(1, Event::Withdrawn)],
        (Reform, S::VisitToReschedule) => vec![visit(1, 5), absent(5, true)],
        (Reform, S::DocumentsRequested) => vec![at(2, Event::DocumentsRequested)],
        (Reform, S::Concluded) => vec![
            visit(1, 10),
            verbale(10, VerbaleKind::BasicAssessment, true, 10),
        ],
        (p, s) => panic!("{s} is not a state of {p}"),
    };
    let app = after(procedure, &h);
    assert_eq!(app.state(), state);
    app
}

fn code(r: Result<Application, TransitionError>) -> Result<S, &'static str> {
    r.map(|a| a.state()).map_err(|e| e.code())
}

// ---- the transition table, row by row (SPEC §10.1) ------------------------

/// `Ok(state)`: the event moves it there; `Err(code)`: refused with it.
type Want = Result<S, &'static str>;
const NO: Want = Err("invalid_transition");

#[test]
fn ordinary_transitions_follow_the_table() {
    use Procedure::Ordinary as O;
    let j = |b| Event::Absent { justified: b };
    let def = |on| verbale(on, VerbaleKind::FirstInstance, true, on);
    // (state, event, → next) in SPEC's order.
    #[rustfmt::skip]
    let rows: Vec<(S, DatedEvent, Want)> = vec![
        // submitted, second_summons
        (S::Submitted, visit(11, 30), Ok(S::VisitScheduled)),
        (S::Submitted, at(11, Event::DocumentsRequested), Ok(S::Submitted)),
        (S::Submitted, at(11, Event::DocumentsReceived), Ok(S::Submitted)),
        (S::Submitted, at(11, Event::Attended), NO),
        (S::Submitted, at(11, j(false)), NO),
        (S::Submitted, commission(11), NO),
        (S::SecondSummons, visit(11, 30), Ok(S::VisitScheduled)),
        (S::SecondSummons, at(11, Event::DocumentsReceived), Ok(S::SecondSummons)),
        (S::SecondSummons, at(11, Event::InpsConfirmed), NO),
        // visit_scheduled
        (S::VisitScheduled, visit(11, 35), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::HomeVisitRequested), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::Attended), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::DocumentsRequested), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::DocumentsReceived), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, j(false)), Ok(S::SecondSummons)),
        (S::VisitScheduled, at(11, j(true)), Ok(S::VisitScheduled)),
        (S::VisitScheduled, commission(11), Ok(S::AwaitingInps)),
        (S::VisitScheduled, def(11), Ok(S::Concluded)),
        (S::VisitScheduled, verbale(11, VerbaleKind::BasicAssessment, true, 11), NO),
        (S::VisitScheduled, at(11, Event::InpsConfirmed), NO),
        (S::VisitScheduled, reschedule(11), NO),
        // awaiting_inps (session day 10, INPS due day 70)
        (S::AwaitingInps, at(11, Event::InpsConfirmed), Ok(S::Concluded)),
        (S::AwaitingInps, at(11, Event::DirectVisitCalled), Ok(S::InpsVisit)),
        (S::AwaitingInps, def(11), Ok(S::Concluded)),
        (S::AwaitingInps, at(71, Event::SilentAssent), Ok(S::Concluded)),
        (S::AwaitingInps, at(11, Event::DocumentsRequested), Ok(S::AwaitingInps)),
        (S::AwaitingInps, at(11, Event::DocumentsReceived), Ok(S::AwaitingInps)),
        (S::AwaitingInps, commission(11), NO),
        (S::AwaitingInps, visit(11, 30), NO),
        (S::AwaitingInps, at(11, j(false)), NO),
        // inps_visit
        (S::InpsVisit, visit(11, 45), Ok(S::InpsVisit)),
        (S::InpsVisit, at(11, Event::HomeVisitRequested), Ok(S::InpsVisit)),
        (S::InpsVisit, at(11, Event::Attended), Ok(S::InpsVisit)),
        (S::InpsVisit, at(11, Event::DocumentsRequested), Ok(S::InpsVisit)),
        (S::InpsVisit, at(11, j(false)), Ok(S::InpsVisit)),
        (S::InpsVisit, at(11, j(true)), Ok(S::InpsVisit)),
        (S::InpsVisit, def(41), Ok(S::Concluded)),
        (S::InpsVisit, commission(41), NO),
        (S::InpsVisit, at(11, Event::InpsConfirmed), NO),
        // concluded
        (S::Concluded, at(11, Event::CourtAppeal), Ok(S::Concluded)),
        (S::Concluded, at(11, Event::CourtAppealClosed), Ok(S::Concluded)),
        (S::Concluded, at(11, Event::InpsConfirmed), NO),
        (S::Concluded, visit(11, 30), NO),
        (S::Concluded, at(11, Event::Withdrawn), NO),
        // lapsed, withdrawn: none
        (S::Lapsed, visit(11, 30), NO),
        (S::Lapsed, at(11, Event::Withdrawn), NO),
        (S::Withdrawn, visit(11, 30), NO),
        (S::Withdrawn, at(11, Event::DocumentsReceived), NO),
        // the job's silent assent is not the back office's to post early
        (S::AwaitingInps, at(70, Event::SilentAssent), NO),
    ];
    for (from, e, want) in rows {
        let got = code(reach(O, from).apply(&e));
        assert_eq!(got, want, "ordinary {from} + {}", e.event);
    }
    // withdrawn in every non-terminal state
    for from in [
        S::Submitted,
        S::VisitScheduled,
        S::SecondSummons,
        S::AwaitingInps,
        S::InpsVisit,
    ] {
        assert_eq!(
            code(reach(O, from).apply(&at(11, Event::Withdrawn))),
            Ok(S::Withdrawn)
        );
    }
}

#[test]
fn reform_transitions_follow_the_table() {
    use Procedure::Reform as R;
    let j = |b| Event::Absent { justified: b };
    let basic = |on| verbale(on, VerbaleKind::BasicAssessment, true, on);
    #[rustfmt::skip]
    let rows: Vec<(S, DatedEvent, Want)> = vec![
        // started, visit_to_reschedule
        (S::Started, visit(11, 30), Ok(S::VisitScheduled)),
        (S::Started, at(11, Event::DocumentsRequested), Ok(S::DocumentsRequested)),
        (S::Started, at(11, Event::DocumentsReceived), NO),
        (S::Started, at(11, j(false)), NO),
        (S::Started, basic(11), NO),
        (S::VisitToReschedule, visit(11, 30), Ok(S::VisitScheduled)),
        (S::VisitToReschedule, at(11, Event::DocumentsRequested), Ok(S::DocumentsRequested)),
        (S::VisitToReschedule, reschedule(11), NO),
        // visit_scheduled (the visit on day 30)
        (S::VisitScheduled, visit(11, 35), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::HomeVisitRequested), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, Event::Attended), Ok(S::VisitScheduled)),
        (S::VisitScheduled, at(11, j(true)), Ok(S::VisitToReschedule)),
        (S::VisitScheduled, at(11, j(false)), Ok(S::Withdrawn)),
        (S::VisitScheduled, reschedule(11), Ok(S::VisitToReschedule)),
        (S::VisitScheduled, at(11, Event::DocumentsRequested), Ok(S::DocumentsRequested)),
        (S::VisitScheduled, basic(11), Ok(S::Concluded)),
        (S::VisitScheduled, verbale(11, VerbaleKind::BasicAssessment, false, 11), NO),
        (S::VisitScheduled, verbale(11, VerbaleKind::FirstInstance, true, 11), NO),
        (S::VisitScheduled, at(11, Event::InpsConfirmed), NO),
        (S::VisitScheduled, at(11, Event::DocumentsReceived), NO),
        // documents_requested (came from started)
        (S::DocumentsRequested, at(11, Event::DocumentsRequested), Ok(S::DocumentsRequested)),
        (S::DocumentsRequested, at(11, Event::DocumentsReceived), Ok(S::Started)),
        (S::DocumentsRequested, visit(11, 30), NO),
        // concluded
        (S::Concluded, at(11, Event::CourtAppeal), Ok(S::Concluded)),
        (S::Concluded, at(11, Event::CourtAppealClosed), Ok(S::Concluded)),
        (S::Concluded, at(11, Event::SilentAssent), NO),
        // withdrawn: none
        (S::Withdrawn, visit(11, 30), NO),
        (S::Withdrawn, at(11, Event::CourtAppeal), NO),
    ];
    for (from, e, want) in rows {
        let got = code(reach(R, from).apply(&e));
        assert_eq!(got, want, "reform {from} + {}", e.event);
    }
    for from in [
        S::Started,
        S::VisitScheduled,
        S::VisitToReschedule,
        S::DocumentsRequested,
    ] {
        assert_eq!(
            code(reach(R, from).apply(&at(11, Event::Withdrawn))),
            Ok(S::Withdrawn)
        );
    }
}

#[test]
fn a_refused_event_names_the_state_and_changes_nothing() {
    let app = reach(Procedure::Ordinary, S::Lapsed);
    let e = app.apply(&visit(11, 30)).unwrap_err();
    assert_eq!(
        e,
        TransitionError::InvalidTransition {
            state: S::Lapsed,
            event: EventKind::VisitScheduled
        }
    );
    assert!(e.to_string().contains("lapsed"), "{e}");
    assert_eq!(app, reach(Procedure::Ordinary, S::Lapsed));
}

// ---- rule rows with their boundaries --------------------------------------

#[test]
fn documents_received_goes_back_to_the_state_documents_were_asked_in() {
    // reform: (history, → state after documents_received)
    let rows = [
        (vec![at(1, Event::DocumentsRequested)], S::Started),
        (
            vec![visit(1, 30), at(2, Event::DocumentsRequested)],
            S::VisitScheduled,
        ),
        (
            vec![
                visit(1, 5),
                absent(5, true),
                at(6, Event::DocumentsRequested),
            ],
            S::VisitToReschedule,
        ),
        (
            vec![
                visit(1, 30),
                at(2, Event::DocumentsRequested),
                at(3, Event::DocumentsRequested),
            ],
            S::VisitScheduled,
        ),
    ];
    for (h, want) in rows {
        let app = after(Procedure::Reform, &h);
        assert_eq!(app.documents_from(), Some(want));
        assert_eq!(
            app.apply(&at(11, Event::DocumentsReceived))
                .unwrap()
                .state(),
            want
        );
    }
    // ordinary: a note in any non-terminal state
    let app = after(
        Procedure::Ordinary,
        &[visit(1, 30), at(2, Event::DocumentsRequested)],
    );
    assert_eq!(app.state(), S::VisitScheduled);
    assert_eq!(app.documents_requested(), 1);
}

#[test]
fn a_home_visit_is_asked_at_least_5_days_before_the_visit() {
    for procedure in [Procedure::Ordinary, Procedure::Reform] {
        // The visit on day 30: asked on day 25 (5 days before) is in time,
        // on day 26 (4 days before) too late.
        let app = after(procedure, &[visit(1, 30)]);
        let rows = [
            (24, Ok(S::VisitScheduled)),
            (25, Ok(S::VisitScheduled)),
            (26, Err("home_visit_too_late")),
            (30, Err("home_visit_too_late")),
        ];
        for (on, want) in rows {
            let got = code(app.apply(&at(on, Event::HomeVisitRequested)));
            assert_eq!(got, want, "{procedure}, asked on day {on}");
        }
        assert_eq!(
            app.apply(&at(26, Event::HomeVisitRequested)).unwrap_err(),
            TransitionError::HomeVisitTooLate { last_day: day(25) }
        );
    }
}

#[test]
fn the_visit_day_is_the_italian_one() {
    // 23:30 UTC on 30 December is 31 December in Rome: the last day to ask
    // for a home visit is 26 December, not 25.
    let late = Visit {
        at: datetime!(2026-12-30 23:30 UTC),
        place: "Bari".into(),
        home: false,
    };
    let app = after(
        Procedure::Ordinary,
        &[DatedEvent::new(
            day(1),
            Event::VisitScheduled { visit: late },
        )],
    );
    let asked = |d| DatedEvent::new(d, Event::HomeVisitRequested);
    assert!(app.apply(&asked(date!(2026 - 12 - 26))).is_ok());
    assert!(app.apply(&asked(date!(2026 - 12 - 27))).is_err());
}

#[test]
fn absences_first_second_summons_second_lapsed() {
    use Procedure::{Ordinary, Reform};
    // (procedure, history, → state)
    let rows = [
        (
            Ordinary,
            vec![visit(1, 5), absent(5, false)],
            S::SecondSummons,
        ),
        (
            Ordinary,
            vec![visit(1, 5), absent(5, false), visit(6, 9), absent(9, false)],
            S::Lapsed,
        ),
        // a justified absence changes nothing, and does not count
        (
            Ordinary,
            vec![visit(1, 5), absent(5, true)],
            S::VisitScheduled,
        ),
        (
            Ordinary,
            vec![visit(1, 5), absent(5, true), visit(6, 9), absent(9, false)],
            S::SecondSummons,
        ),
        // INPS's direct visit counts its own absences
        (
            Ordinary,
            vec![
                visit(1, 5),
                absent(5, false),
                visit(6, 9),
                commission(9),
                at(10, Event::DirectVisitCalled),
                visit(10, 20),
                absent(20, false),
            ],
            S::InpsVisit,
        ),
        (
            Ordinary,
            vec![
                visit(1, 5),
                commission(5),
                at(10, Event::DirectVisitCalled),
                visit(10, 20),
                absent(20, false),
                visit(21, 25),
                absent(25, false),
            ],
            S::Lapsed,
        ),
        // reform: unjustified → withdrawn; justified → visit_to_reschedule
        (Reform, vec![visit(1, 5), absent(5, false)], S::Withdrawn),
        (
            Reform,
            vec![visit(1, 5), absent(5, true)],
            S::VisitToReschedule,
        ),
        (
            Reform,
            vec![visit(1, 5), absent(5, true), visit(6, 9), absent(9, true)],
            S::VisitToReschedule,
        ),
    ];
    for (procedure, h, want) in rows {
        assert_eq!(after(procedure, &h).state(), want, "{procedure} {h:?}");
    }
}

#[test]
fn the_citizen_may_ask_a_new_date_only_before_the_visit_time() {
    // The visit at 09:00 UTC on day 30.
    let app = after(Procedure::Reform, &[visit(1, 30)]);
    let asked = |t: OffsetDateTime| {
        let mut body = Map::new();
        body.insert("reason".into(), json!("ricovero programmato"));
        RescheduleInput::parse(&body, t).unwrap()
    };
    let visit_at = day(30)
        .with_time(Time::from_hms(9, 0, 0).unwrap())
        .assume_utc();
    let before = asked(visit_at - Duration::minutes(1));
    assert_eq!(before.on, day(30));
    assert_eq!(app.apply(&before).unwrap().state(), S::VisitToReschedule);
    assert_eq!(code(app.apply(&asked(visit_at))), NO);
    // ordinary: no such thing
    let ordinary = after(Procedure::Ordinary, &[visit(1, 30)]);
    assert_eq!(
        code(ordinary.apply(&asked(visit_at - Duration::days(3)))),
        NO
    );
    // the body
    assert!(matches!(
        RescheduleInput::parse(&Map::new(), visit_at),
        Err(InputError::Invalid(e)) if e[0].field == "reason"
    ));
    let mut extra = Map::new();
    extra.insert("when".into(), json!("later"));
    assert_eq!(
        RescheduleInput::parse(&extra, visit_at),
        Err(InputError::UnknownFields(vec!["when".into()]))
    );
}

#[test]
fn the_commission_verbale_starts_inps_60_days() {
    // Session on day 10: INPS may decide until day 70.
    let app = reach(Procedure::Ordinary, S::AwaitingInps);
    assert_eq!(app.inps_due(), Some(day(70)));
    assert_eq!(app.session_date(), Some(day(10)));
    // (event, → result)
    let rows = [
        (at(70, Event::InpsConfirmed), Ok(S::Concluded)),
        (at(71, Event::InpsConfirmed), Err("silent_assent_applied")),
        (at(70, Event::DirectVisitCalled), Ok(S::InpsVisit)),
        (
            at(71, Event::DirectVisitCalled),
            Err("silent_assent_applied"),
        ),
        (
            verbale(70, VerbaleKind::FirstInstance, true, 10),
            Ok(S::Concluded),
        ),
        (
            verbale(71, VerbaleKind::FirstInstance, true, 10),
            Err("silent_assent_applied"),
        ),
    ];
    for (e, want) in rows {
        assert_eq!(code(app.apply(&e)), want, "{} on {}", e.event, e.on);
    }
    let confirmed = app.apply(&at(70, Event::InpsConfirmed)).unwrap();
    assert_eq!(confirmed.definitive_on(), Some(day(70)));
}

#[test]
fn silent_assent_on_day_61_makes_the_verbale_definitive_the_day_after_the_due_date() {
    let app = reach(Procedure::Ordinary, S::AwaitingInps);
    // The job on (today, → definitive_on)
    let rows = [
        (day(69), None),
        (day(70), None),
        (day(71), Some(day(71))),
        (day(90), Some(day(71))),
    ];
    for (today, want) in rows {
        assert_eq!(silent_assent_due(&app, today), want, "job on {today}");
    }
    // The job running late still dates the verbale due + 1.
    let done = app.apply(&at(80, Event::SilentAssent)).unwrap();
    assert_eq!(done.state(), S::Concluded);
    assert!(done.silent_assent_applied());
    assert_eq!(done.definitive_on(), Some(day(71)));
    assert_eq!(silent_assent_due(&done, day(90)), None, "applied once");
    // INPS too late, also once concluded by silent assent
    for e in [Event::InpsConfirmed, Event::DirectVisitCalled] {
        assert_eq!(code(done.apply(&at(80, e))), Err("silent_assent_applied"));
    }
    // Only awaiting INPS, only in the ordinary procedure.
    for s in [S::VisitScheduled, S::InpsVisit, S::Concluded] {
        assert_eq!(
            silent_assent_due(&reach(Procedure::Ordinary, s), day(400)),
            None
        );
    }
    assert_eq!(
        silent_assent_due(&reach(Procedure::Reform, S::VisitScheduled), day(400)),
        None
    );
}

#[test]
fn one_application_at_a_time_per_purpose() {
    let invalidity = purposes(&[Purpose::Invalidity]);
    let blindness = purposes(&[Purpose::Blindness]);
    let both = purposes(&[Purpose::Blindness, Purpose::Invalidity]);
    let open_app = reach(Procedure::Ordinary, S::VisitScheduled);
    let concluded = reach(Procedure::Reform, S::Concluded);
    let appealed = concluded.apply(&at(20, Event::CourtAppeal)).unwrap();
    let appeal_closed = appealed.apply(&at(30, Event::CourtAppealClosed)).unwrap();
    let lapsed = reach(Procedure::Ordinary, S::Lapsed);
    // (existing, new purposes, → assessment_open)
    let rows = [
        (&open_app, &invalidity, true),
        (&open_app, &both, true),
        (&open_app, &blindness, false),
        (&concluded, &invalidity, false),
        (&appealed, &invalidity, true),
        (&appealed, &blindness, false),
        (&appeal_closed, &invalidity, false),
        (&lapsed, &invalidity, false),
    ];
    for (existing, new, want) in rows {
        assert_eq!(
            assessment_open(new, [existing]),
            want,
            "{} {:?}",
            existing.state(),
            new
        );
    }
    assert!(!assessment_open(&invalidity, []));
}

#[test]
fn which_verbale_fits_which_application() {
    use VerbaleKind::{BasicAssessment, FirstInstance, Revision};
    let ordinary = reach(Procedure::Ordinary, S::VisitScheduled);
    let reform = reach(Procedure::Reform, S::VisitScheduled);
    let terminal = reach(Procedure::Ordinary, S::Concluded);
    // (application, kind, definitive, → the field that is wrong)
    let rows = [
        (&ordinary, FirstInstance, false, None),
        (&ordinary, Revision, true, None),
        (&ordinary, BasicAssessment, true, Some("kind")),
        (&reform, BasicAssessment, true, None),
        (&reform, BasicAssessment, false, Some("kind")),
        (&reform, FirstInstance, true, Some("kind")),
        (&terminal, FirstInstance, true, Some("application_id")),
    ];
    for (app, kind, definitive, want) in rows {
        let got = verbale_fits(app, kind, definitive).err().map(|e| e.field);
        assert_eq!(
            got.as_deref(),
            want,
            "{} {kind} {definitive}",
            app.procedure()
        );
    }
}

// ---- the back office's event body ------------------------------------------

fn body(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn fields(e: InputError) -> Vec<String> {
    match e {
        InputError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
        InputError::UnknownFields(keys) => panic!("unknown fields {keys:?}"),
    }
}

#[test]
fn event_bodies_are_read_with_every_error_at_once() {
    let app = after(Procedure::Ordinary, &[visit(5, 30)]);
    let today = day(10);
    let e = EventInput::parse(
        &body(json!({"event":"visit_scheduled","on":"2026-10-08",
            "visit":{"at":"2026-11-02T09:30:00+01:00","place":"ASL Bari, Via Roma 1","home":true}})),
        today,
        &app,
    )
    .unwrap();
    assert_eq!(e.on, day(7));
    let Event::VisitScheduled { visit } = &e.event else {
        panic!("{e:?}")
    };
    assert!(visit.home);
    assert_eq!(visit.day(), date!(2026 - 11 - 02));
    // stored and read back
    assert_eq!(DatedEvent::from_json(&e.to_json()), Some(e.clone()));

    // `on`: required, not after today, not before the previous event (day 5)
    let rows = [
        (json!({"event":"attended"}), vec!["on"]),
        (json!({"event":"attended","on":"2026-10-12"}), vec!["on"]),
        (json!({"event":"attended","on":"2026-10-06"}), vec![]),
        (json!({"event":"attended","on":"2026-10-05"}), vec!["on"]),
        (json!({"event":"attended","on":"5 Oct"}), vec!["on"]),
        (
            json!({"event":"absent","on":"2026-10-06"}),
            vec!["justified"],
        ),
        (
            json!({"event":"absent","on":"2026-10-06","justified":"no"}),
            vec!["justified"],
        ),
        (
            json!({"event":"visit_scheduled","on":"2026-10-06"}),
            vec!["visit"],
        ),
        (
            json!({"event":"visit_scheduled","on":"2026-10-06","visit":{"at":"tomorrow","place":" ","home":1}}),
            vec!["visit.at", "visit.place", "visit.home"],
        ),
        (
            json!({"event":"silent_assent","on":"2026-10-06"}),
            vec!["event"],
        ),
        (
            json!({"event":"reschedule","on":"2026-10-06"}),
            vec!["event"],
        ),
        (json!({"on":"2026-10-06"}), vec!["event"]),
        (
            json!({"event":"lost","on":"2026-10-12"}),
            vec!["event", "on"],
        ),
    ];
    for (b, want) in rows {
        let got = EventInput::parse(&body(b.clone()), today, &app).map_or_else(fields, |_| vec![]);
        assert_eq!(got, want, "{b}");
    }
    // The unknown word's error lists the choices.
    let Err(InputError::Invalid(errors)) = EventInput::parse(
        &body(json!({"event":"lost","on":"2026-10-06"})),
        today,
        &app,
    ) else {
        panic!("refused")
    };
    assert!(
        errors[0].reason.contains("court_appeal_closed"),
        "{}",
        errors[0].reason
    );
    assert!(!errors[0].reason.contains("silent_assent"));
    // keys the event does not take
    assert_eq!(
        EventInput::parse(
            &body(json!({"event":"attended","on":"2026-10-06","justified":true})),
            today,
            &app
        ),
        Err(InputError::UnknownFields(vec!["justified".into()]))
    );
    // an invalid_event maps to its code
    let err: TransitionError = EventInput::parse(&body(json!({"event":"attended"})), today, &app)
        .unwrap_err()
        .into();
    assert_eq!(err.code(), "invalid_event");
}

#[test]
fn a_back_office_filing_names_the_certificate_and_maybe_the_day_and_who() {
    let today = day(10);
    let ok = ApplicationInput::parse(
        &body(json!({"certificate_id":"C-1","on":"2026-10-05","via":"patronato"})),
        today,
    )
    .unwrap();
    assert_eq!(ok.on, Some(day(4)));
    assert_eq!(ok.via, Some(Via::Patronato));
    assert_eq!(
        ApplicationInput::parse(&body(json!({"certificate_id":"C-1"})), today)
            .unwrap()
            .on,
        None
    );
    let got = ApplicationInput::parse(&body(json!({"on":"2026-10-12","via":"CAF"})), today)
        .map_or_else(fields, |_| vec![]);
    assert_eq!(got, ["certificate_id", "on", "via"]);
    assert_eq!(
        ApplicationInput::parse(&body(json!({"certificate_id":"C-1","by":"me"})), today),
        Err(InputError::UnknownFields(vec!["by".into()]))
    );
}

proptest! {
    #[test]
    fn event_bodies_never_panic(
        event in "[a-z_]{0,20}", on in "[0-9-]{0,11}", at in ".{0,30}",
        place in ".{0,10}", justified in any::<bool>(),
    ) {
        let app = after(Procedure::Ordinary, &[visit(5, 30)]);
        let b = body(json!({"event":event,"on":on,"visit":{"at":at,"place":place}}));
        let _ = EventInput::parse(&b, day(10), &app);
        let b = body(json!({"event":event,"on":on,"justified":justified}));
        if let Ok(e) = EventInput::parse(&b, day(10), &app) {
            prop_assert_eq!(DatedEvent::from_json(&e.to_json()), Some(e));
        }
    }
}

#[test]
fn an_event_dated_before_the_previous_one_is_refused_by_apply_too() {
    let app = after(Procedure::Ordinary, &[visit(5, 30)]);
    assert_eq!(
        code(app.apply(&at(4, Event::Attended))),
        Err("invalid_event")
    );
}

#[test]
fn a_debug_line_never_shows_the_reason_for_a_new_date() {
    let e = reschedule(3);
    let text = format!("{e:?}");
    assert!(!text.contains("ricovero"), "{text}");
    assert!(text.contains("reschedule"), "{text}");
    assert_eq!(e.to_json()["reason"], json!("ricovero"), "stored as it is");
}

#[test]
fn every_event_reads_back_from_its_stored_form() {
    let events = [
        visit(1, 30),
        at(1, Event::HomeVisitRequested),
        absent(2, true),
        reschedule(3),
        verbale(4, VerbaleKind::BasicAssessment, true, 4),
        at(5, Event::SilentAssent),
        at(5, Event::CourtAppealClosed),
    ];
    for e in events {
        assert_eq!(DatedEvent::from_json(&e.to_json()), Some(e.clone()));
    }
}

// ---- what the citizen sees ---------------------------------------------------

fn rules() -> ProcedureRules {
    ProcedureRules::parse(include_str!("../../../rules/procedures.toml")).unwrap()
}

/// A certificate issued on `issued_on`, of the procedure named.
fn certificate(procedure: Procedure, issued_on: Date, oncological: bool) -> Certificate {
    let b = body(
        json!({"certificate_id":"C-1","fiscal_code":"RSSMRA80A01H501U",
        "issued_on": attesta_domain::format_date(issued_on),"purposes":["invalidity"],
        "province":"BA","oncological":oncological,"procedure":procedure.as_str()}),
    );
    CertificateInput::parse(&b, issued_on, &rules()).unwrap()
}

const ADULT: Date = date!(1980 - 01 - 01);

fn view(procedure: Procedure, app: &Application, today: Date) -> ApplicationView {
    let c = certificate(procedure, D0 - Duration::days(10), false);
    ApplicationView::of("A-1", app, &c, ADULT, today)
}

fn statuses(v: &ApplicationView) -> Vec<&'static str> {
    v.phases.iter().map(|p| p.status.as_str()).collect()
}

#[test]
fn phases_follow_the_state_as_in_spec() {
    use Procedure::{Ordinary as O, Reform as R};
    // (procedure, state, phases) as SPEC's phases table
    let rows = [
        (O, S::Submitted, "done done current todo todo todo"),
        (O, S::SecondSummons, "done done current todo todo todo"),
        (O, S::VisitScheduled, "done done current todo todo todo"),
        (O, S::AwaitingInps, "done done done done current todo"),
        (O, S::InpsVisit, "done done done done current todo"),
        (O, S::Concluded, "done done done done done done"),
        (O, S::Lapsed, "done done skipped skipped skipped skipped"),
        (O, S::Withdrawn, "done done skipped skipped skipped skipped"),
        (R, S::Started, "done current todo todo"),
        (R, S::VisitToReschedule, "done current todo todo"),
        (R, S::VisitScheduled, "done done current todo"),
        (R, S::DocumentsRequested, "done current todo todo"),
        (R, S::Concluded, "done done done done"),
        (R, S::Withdrawn, "done skipped skipped skipped"),
    ];
    for (procedure, state, want) in rows {
        let v = view(procedure, &reach(procedure, state), day(12));
        assert_eq!(statuses(&v).join(" "), want, "{procedure} {state}");
    }
    // documents_requested shows the phases of the state it came from
    let app = after(R, &[visit(1, 30), at(2, Event::DocumentsRequested)]);
    assert_eq!(
        statuses(&view(R, &app, day(3))).join(" "),
        "done done current todo"
    );
    // withdrawn after an absence in the reform: the convocation was done
    let app = after(R, &[visit(1, 5), absent(5, false)]);
    assert_eq!(
        statuses(&view(R, &app, day(6))).join(" "),
        "done done skipped skipped"
    );
}

#[test]
fn phases_carry_their_days_and_the_inps_due_date() {
    let app = reach(Procedure::Ordinary, S::AwaitingInps);
    let v = view(Procedure::Ordinary, &app, day(12));
    let on: Vec<Option<Date>> = v.phases.iter().map(|p| p.on).collect();
    let due: Vec<Option<Date>> = v.phases.iter().map(|p| p.due).collect();
    assert_eq!(
        on,
        [
            Some(day(-10)),
            Some(D0),
            Some(day(10)),
            Some(day(10)),
            None,
            None
        ]
    );
    assert_eq!(due, [None, None, None, None, Some(day(70)), None]);
    assert_eq!(
        v.next_deadline.map(|d| (d.what, d.due)),
        Some((DeadlineWhat::InpsDecision, day(70)))
    );
    let json = v.to_json();
    assert_eq!(
        json["phases"][4],
        json!({"phase":"inps_validation","status":"current","due":"2026-12-10"})
    );
    assert_eq!(
        json["phases"][0],
        json!({"phase":"certificate","status":"done","on":"2026-09-21"})
    );
    assert!(json.get("verbale_id").is_none(), "not yet definitive");
    assert!(json.get("visit").is_none(), "the visit was held");
    // concluded: all done, the verbale, and the appeal's 6 months
    let done = app.apply(&at(20, Event::InpsConfirmed)).unwrap();
    let v = view(Procedure::Ordinary, &done, day(21));
    assert!(
        v.phases
            .iter()
            .all(|p| p.status == PhaseStatus::Done && p.on.is_some())
    );
    assert_eq!(v.verbale_id.as_deref(), Some("V-1"));
    assert_eq!(
        v.next_deadline.map(|d| (d.what, d.due)),
        Some((DeadlineWhat::AppealBy, date!(2027 - 04 - 21)))
    );
}

#[test]
fn the_next_deadline_is_the_home_visit_request_then_the_visit() {
    for procedure in [Procedure::Ordinary, Procedure::Reform] {
        let app = after(procedure, &[visit(1, 30)]);
        // (today, → next deadline)
        let rows = [
            (day(2), Some((DeadlineWhat::HomeVisitRequestBy, day(25)))),
            (day(25), Some((DeadlineWhat::HomeVisitRequestBy, day(25)))),
            (day(26), Some((DeadlineWhat::Visit, day(30)))),
            (day(30), Some((DeadlineWhat::Visit, day(30)))),
        ];
        for (today, want) in rows {
            let v = view(procedure, &app, today);
            assert_eq!(
                v.next_deadline.map(|d| (d.what, d.due)),
                want,
                "{procedure} {today}"
            );
            assert_eq!(v.visit.as_ref().map(Visit::day), Some(day(30)));
        }
        // once asked, the visit is what comes next
        let asked = app.apply(&at(3, Event::HomeVisitRequested)).unwrap();
        assert_eq!(
            view(procedure, &asked, day(4))
                .next_deadline
                .map(|d| d.what),
            Some(DeadlineWhat::Visit)
        );
    }
    // after the reform's visit day, the target
    let app = after(Procedure::Reform, &[visit(1, 30)]);
    assert_eq!(
        view(Procedure::Reform, &app, day(31))
            .next_deadline
            .map(|d| (d.what, d.due)),
        Some((DeadlineWhat::Target, day(-10 + 90)))
    );
}

#[test]
fn the_ordinary_visit_target_is_30_days_or_15_oncological() {
    // Application on D0; (oncological, first visit_scheduled on, today, → overdue)
    let rows = [
        (false, None, day(30), false),
        (false, None, day(31), true),
        (false, Some(30), day(60), false),
        (false, Some(31), day(60), true),
        (true, None, day(15), false),
        (true, None, day(16), true),
        (true, Some(16), day(20), true),
    ];
    for (oncological, scheduled_on, today, want) in rows {
        let app = match scheduled_on {
            None => open(Procedure::Ordinary),
            Some(n) => after(Procedure::Ordinary, &[visit(n, n + 10)]),
        };
        let c = certificate(Procedure::Ordinary, D0 - Duration::days(10), oncological);
        let v = ApplicationView::of("A-1", &app, &c, ADULT, today);
        assert_eq!(
            v.overdue, want,
            "oncological {oncological}, visit {scheduled_on:?}, {today}"
        );
    }
    // never shown once terminal
    let c = certificate(Procedure::Ordinary, D0, false);
    let v = ApplicationView::of(
        "A-1",
        &reach(Procedure::Ordinary, S::Withdrawn),
        &c,
        ADULT,
        day(400),
    );
    assert!(!v.overdue);
}

#[test]
fn the_reform_target_is_90_days_15_oncological_30_minor_plus_60_per_request() {
    let issued = date!(2026 - 03 - 10);
    // Born 2008-03-11: a minor on the certificate's date (17), an adult the
    // day after. Born 2008-03-10: 18 on that very day.
    let minor = date!(2008 - 03 - 11);
    let just_adult = date!(2008 - 03 - 10);
    // (oncological, birth, documents requested, → target = issued + days)
    let rows = [
        (false, ADULT, 0, 90),
        (true, ADULT, 0, 15),
        (false, minor, 0, 30),
        (false, just_adult, 0, 90),
        (true, minor, 0, 15),
        (false, ADULT, 1, 150),
        (false, ADULT, 2, 210),
        (false, minor, 2, 150),
    ];
    for (oncological, birth, requests, days) in rows {
        let c = certificate(Procedure::Reform, issued, oncological);
        let mut app =
            Application::open(Procedure::Reform, purposes(&[Purpose::Invalidity]), issued);
        for i in 0..requests {
            app = app
                .apply(&DatedEvent::new(
                    issued + Duration::days(i),
                    Event::DocumentsRequested,
                ))
                .unwrap();
        }
        let target = issued + Duration::days(days);
        let v = |today| ApplicationView::of("A-1", &app, &c, birth, today);
        assert_eq!(
            v(target).next_deadline.map(|d| (d.what, d.due)),
            Some((DeadlineWhat::Target, target)),
            "oncological {oncological}, born {birth}, {requests} requests"
        );
        assert!(!v(target).overdue, "the last day is in time");
        assert!(
            v(target + Duration::days(1)).overdue,
            "the day after is late"
        );
        let last = v(target).phases.last().cloned().unwrap();
        assert_eq!(last.due, Some(target));
    }
}

#[test]
fn the_view_json_has_spec_fields() {
    let app = after(Procedure::Reform, &[visit(1, 30)]);
    let json = view(Procedure::Reform, &app, day(2)).to_json();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut want = vec![
        "application_id",
        "procedure",
        "purposes",
        "state",
        "opened_on",
        "phases",
        "visit",
        "next_deadline",
        "overdue",
    ];
    want.sort_unstable();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, want);
    assert_eq!(
        json["visit"],
        json!({"at":"2026-10-31T09:00:00Z","place":"Via Roma 1, Bari","home":false})
    );
    assert_eq!(
        json["next_deadline"],
        json!({"what":"home_visit_request_by","due":"2026-10-26"})
    );
    assert_eq!(json["purposes"], json!(["invalidity"]));
    assert_eq!(json["procedure"], json!("reform"));
}

// ---- the transition table as data, against random histories -----------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Visit,
    HomeVisit,
    Attended,
    AbsentJustified,
    AbsentUnjustified,
    DocumentsRequested,
    DocumentsReceived,
    InpsConfirmed,
    DirectVisit,
    Withdrawn,
    Appeal,
    AppealClosed,
    Reschedule,
    CommissionVerbale,
    DefinitiveVerbale,
    BasicAssessment,
    SilentAssent,
}

const SHAPES: &[Shape] = &[
    Shape::Visit,
    Shape::HomeVisit,
    Shape::Attended,
    Shape::AbsentJustified,
    Shape::AbsentUnjustified,
    Shape::DocumentsRequested,
    Shape::DocumentsReceived,
    Shape::InpsConfirmed,
    Shape::DirectVisit,
    Shape::Withdrawn,
    Shape::Appeal,
    Shape::AppealClosed,
    Shape::Reschedule,
    Shape::CommissionVerbale,
    Shape::DefinitiveVerbale,
    Shape::BasicAssessment,
    Shape::SilentAssent,
];

#[derive(Debug, Clone, Copy)]
enum Next {
    To(S),
    Same,
    /// The state documents were asked in.
    Back,
    /// First unjustified absence of the phase, second.
    Absence(S, S),
}

use Next::{Absence, Back, Same, To};
use Procedure::{Ordinary as ORD, Reform as REF};
use Shape as E;

/// One row of SPEC §10.1's transition table: in these states of this
/// procedure, this event leads there.
type Row = (Procedure, &'static [S], Shape, Next);

const SUBMITTED: &[S] = &[S::Submitted, S::SecondSummons];
const STARTED: &[S] = &[S::Started, S::VisitToReschedule];

/// SPEC §10.1's transition table, as data, row by row. Any pair not here is
/// refused. (Withdrawn is allowed in every non-terminal state.)
#[rustfmt::skip]
const TABLE: &[Row] = &[
    (ORD, SUBMITTED,             E::Visit,              To(S::VisitScheduled)),
    (ORD, SUBMITTED,             E::DocumentsRequested, Same),
    (ORD, SUBMITTED,             E::DocumentsReceived,  Same),
    (ORD, SUBMITTED,             E::Withdrawn,          To(S::Withdrawn)),
    (ORD, &[S::VisitScheduled],  E::Visit,              Same),
    (ORD, &[S::VisitScheduled],  E::HomeVisit,          Same),
    (ORD, &[S::VisitScheduled],  E::Attended,           Same),
    (ORD, &[S::VisitScheduled],  E::DocumentsRequested, Same),
    (ORD, &[S::VisitScheduled],  E::DocumentsReceived,  Same),
    (ORD, &[S::VisitScheduled],  E::AbsentUnjustified,  Absence(S::SecondSummons, S::Lapsed)),
    (ORD, &[S::VisitScheduled],  E::AbsentJustified,    Same),
    (ORD, &[S::VisitScheduled],  E::CommissionVerbale,  To(S::AwaitingInps)),
    (ORD, &[S::VisitScheduled],  E::DefinitiveVerbale,  To(S::Concluded)),
    (ORD, &[S::VisitScheduled],  E::Withdrawn,          To(S::Withdrawn)),
    (ORD, &[S::AwaitingInps],    E::InpsConfirmed,      To(S::Concluded)),
    (ORD, &[S::AwaitingInps],    E::DirectVisit,        To(S::InpsVisit)),
    (ORD, &[S::AwaitingInps],    E::SilentAssent,       To(S::Concluded)),
    (ORD, &[S::AwaitingInps],    E::DefinitiveVerbale,  To(S::Concluded)),
    (ORD, &[S::AwaitingInps],    E::DocumentsRequested, Same),
    (ORD, &[S::AwaitingInps],    E::DocumentsReceived,  Same),
    (ORD, &[S::AwaitingInps],    E::Withdrawn,          To(S::Withdrawn)),
    (ORD, &[S::InpsVisit],       E::Visit,              Same),
    (ORD, &[S::InpsVisit],       E::HomeVisit,          Same),
    (ORD, &[S::InpsVisit],       E::Attended,           Same),
    (ORD, &[S::InpsVisit],       E::DocumentsRequested, Same),
    (ORD, &[S::InpsVisit],       E::DocumentsReceived,  Same),
    (ORD, &[S::InpsVisit],       E::AbsentUnjustified,  Absence(S::InpsVisit, S::Lapsed)),
    (ORD, &[S::InpsVisit],       E::AbsentJustified,    Same),
    (ORD, &[S::InpsVisit],       E::DefinitiveVerbale,  To(S::Concluded)),
    (ORD, &[S::InpsVisit],       E::Withdrawn,          To(S::Withdrawn)),
    (REF, STARTED,               E::Visit,              To(S::VisitScheduled)),
    (REF, STARTED,               E::DocumentsRequested, To(S::DocumentsRequested)),
    (REF, STARTED,               E::Withdrawn,          To(S::Withdrawn)),
    (REF, &[S::VisitScheduled],  E::Visit,              Same),
    (REF, &[S::VisitScheduled],  E::HomeVisit,          Same),
    (REF, &[S::VisitScheduled],  E::Attended,           Same),
    (REF, &[S::VisitScheduled],  E::AbsentJustified,    To(S::VisitToReschedule)),
    (REF, &[S::VisitScheduled],  E::AbsentUnjustified,  To(S::Withdrawn)),
    (REF, &[S::VisitScheduled],  E::Reschedule,         To(S::VisitToReschedule)),
    (REF, &[S::VisitScheduled],  E::DocumentsRequested, To(S::DocumentsRequested)),
    (REF, &[S::VisitScheduled],  E::BasicAssessment,    To(S::Concluded)),
    (REF, &[S::VisitScheduled],  E::Withdrawn,          To(S::Withdrawn)),
    (REF, &[S::DocumentsRequested], E::DocumentsRequested, Same),
    (REF, &[S::DocumentsRequested], E::DocumentsReceived,  Back),
    (REF, &[S::DocumentsRequested], E::Withdrawn,          To(S::Withdrawn)),
    (ORD, &[S::Concluded],       E::Appeal,             Same),
    (ORD, &[S::Concluded],       E::AppealClosed,       Same),
    (REF, &[S::Concluded],       E::Appeal,             Same),
    (REF, &[S::Concluded],       E::AppealClosed,       Same),
];

fn table(procedure: Procedure, state: S, shape: Shape) -> Option<Next> {
    TABLE
        .iter()
        .find(|(p, states, e, _)| *p == procedure && states.contains(&state) && *e == shape)
        .map(|(_, _, _, next)| *next)
}

/// What the test knows of an application besides its state: only what the
/// dated conditions of SPEC's rows need.
#[derive(Debug, Clone)]
struct Model {
    state: S,
    absences: u8,
    documents_from: Option<S>,
    visit: Option<OffsetDateTime>,
    inps_due: Option<Date>,
    silent_assent: bool,
}

/// The event of a shape on day `on`: a visit 10 days ahead at 09:00 UTC,
/// a reschedule asked at noon, verbali with their session that day.
fn event_of(shape: Shape, on: Date) -> DatedEvent {
    let noon = on.with_time(Time::from_hms(12, 0, 0).unwrap()).assume_utc();
    let v = |kind, definitive| Event::Verbale {
        verbale_id: "V-9".into(),
        definitive,
        kind,
        session_date: on,
    };
    let event = match shape {
        E::Visit => Event::VisitScheduled {
            visit: visit_on(on + Duration::days(10)),
        },
        E::HomeVisit => Event::HomeVisitRequested,
        E::Attended => Event::Attended,
        E::AbsentJustified => Event::Absent { justified: true },
        E::AbsentUnjustified => Event::Absent { justified: false },
        E::DocumentsRequested => Event::DocumentsRequested,
        E::DocumentsReceived => Event::DocumentsReceived,
        E::InpsConfirmed => Event::InpsConfirmed,
        E::DirectVisit => Event::DirectVisitCalled,
        E::Withdrawn => Event::Withdrawn,
        E::Appeal => Event::CourtAppeal,
        E::AppealClosed => Event::CourtAppealClosed,
        E::Reschedule => Event::Reschedule {
            reason: "r".into(),
            at: noon,
        },
        E::CommissionVerbale => v(VerbaleKind::FirstInstance, false),
        E::DefinitiveVerbale => v(VerbaleKind::FirstInstance, true),
        E::BasicAssessment => v(VerbaleKind::BasicAssessment, true),
        E::SilentAssent => Event::SilentAssent,
    };
    DatedEvent::new(on, event)
}

/// The table's answer, with the dated conditions SPEC's rows add:
/// a home visit 5 days ahead, a reschedule before the visit time, INPS
/// within its due date and before silent assent, the job after it.
fn expected(
    procedure: Procedure,
    m: &Model,
    shape: Shape,
    e: &DatedEvent,
) -> Result<S, &'static str> {
    let inps_late = m.silent_assent || m.inps_due.is_some_and(|due| e.on > due);
    if m.state == S::Concluded
        && m.silent_assent
        && matches!(shape, E::InpsConfirmed | E::DirectVisit)
    {
        return Err("silent_assent_applied");
    }
    let Some(next) = table(procedure, m.state, shape) else {
        return NO;
    };
    match shape {
        E::HomeVisit => match m.visit {
            None => return NO,
            Some(v) if e.on > v.date() - Duration::days(5) => return Err("home_visit_too_late"),
            Some(_) => {}
        },
        E::Reschedule => match (m.visit, &e.event) {
            (Some(v), Event::Reschedule { at, .. }) if *at < v => {}
            _ => return NO,
        },
        E::InpsConfirmed | E::DirectVisit | E::DefinitiveVerbale
            if m.state == S::AwaitingInps && inps_late =>
        {
            return Err("silent_assent_applied");
        }
        E::SilentAssent if !inps_late => return NO,
        _ => {}
    }
    Ok(match next {
        To(s) => s,
        Same => m.state,
        Back => m.documents_from.expect("documents were asked"),
        Absence(first, second) => {
            if m.absences == 0 {
                first
            } else {
                second
            }
        }
    })
}

/// The model after an allowed event (what the conditions above read).
fn advance(m: &Model, shape: Shape, e: &DatedEvent, next: S) -> Model {
    let mut m2 = m.clone();
    match (shape, &e.event) {
        (E::Visit, Event::VisitScheduled { visit }) => m2.visit = Some(visit.at),
        (E::AbsentUnjustified, _) => {
            m2.absences += 1;
            m2.visit = None;
        }
        (E::AbsentJustified, _) if next == S::VisitToReschedule => m2.visit = None,
        (E::Reschedule, _) => m2.visit = None,
        (E::DirectVisit, _) => {
            m2.absences = 0;
            m2.visit = None;
        }
        (E::CommissionVerbale, _) => m2.inps_due = Some(e.on + Duration::days(60)),
        (E::SilentAssent, _) => m2.silent_assent = true,
        (E::DocumentsRequested, _) if next == S::DocumentsRequested && m.state != next => {
            m2.documents_from = Some(m.state)
        }
        _ => {}
    }
    m2.state = next;
    m2
}

fn step() -> impl Strategy<Value = (Shape, i64)> {
    // Mostly a day or two apart; sometimes two months, past INPS's due date
    // and past the visit.
    (
        proptest::sample::select(SHAPES),
        prop_oneof![8 => 0i64..=3, 1 => Just(61i64)],
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn every_answer_matches_the_transition_table(
        reform in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let procedure = if reform { REF } else { ORD };
        let mut app = open(procedure);
        let mut model = Model {
            state: app.state(),
            absences: 0,
            documents_from: None,
            visit: None,
            inps_due: None,
            silent_assent: false,
        };
        let mut on = D0;
        for (shape, gap) in steps {
            on += Duration::days(gap);
            let e = event_of(shape, on);
            let want = expected(procedure, &model, shape, &e);
            match app.apply(&e) {
                Ok(next) => {
                    prop_assert_eq!(Ok(next.state()), want, "{} {} + {:?}", procedure, model.state, shape);
                    model = advance(&model, shape, &e, next.state());
                    app = next;
                }
                Err(err) => {
                    prop_assert_eq!(Err(err.code()), want, "{} {} + {:?}", procedure, model.state, shape);
                    if let TransitionError::InvalidTransition { state, .. } = &err {
                        prop_assert_eq!(*state, model.state);
                        prop_assert!(err.to_string().contains(model.state.as_str()));
                    }
                }
            }
        }
    }
}
