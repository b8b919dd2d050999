//! Notices and deadlines (SPEC §11, `GET /api/v1/me/notices`): what a
//! person should do or expect next, derived on a day from what is stored —
//! certificates, applications, definitive verbali, the status's revision,
//! cards, unread messages — and never stored themselves, so a notice cannot
//! outlive the fact it tells of.

use serde_json::{Map, Value, json};
use time::{Date, Duration};

use super::view::{ApplicationView, appeal_by};
use super::{ApplicationState, CertificateStatus, DeadlineWhat};
use crate::input::format_date;
use crate::verbale::YearMonth;

/// A card is told as expiring this many days before its last valid day.
pub const CARD_EXPIRING_DAYS: i64 = 90;
/// A revision is told from this many days before its month ends.
pub const REVISION_NOTICE_DAYS: i64 = 180;

word_enum! {
    /// What a notice is about. The order is the priority among notices
    /// with the same date, and among those without one.
    NoticeKind {
        /// An unused certificate: apply by `due`.
        CertificateExpiring => "certificate_expiring",
        /// The last day to ask for the visit at home instead.
        HomeVisitDeadline => "home_visit_deadline",
        /// A visit on `due`.
        VisitUpcoming => "visit_upcoming",
        /// The commission asked for documents (reform): send them.
        DocumentsRequested => "documents_requested",
        /// The last day to appeal to the court against a verbale.
        AppealDeadline => "appeal_deadline",
        /// A revision is due by the end of `due`'s month.
        RevisionDue => "revision_due",
        /// The EU Disability Card expires on `due`.
        CardExpiring => "card_expiring",
        /// A verbale became definitive on `on`: its guide is at `/me/verbali/{ref}`.
        VerbaleIssued => "verbale_issued",
        /// `count` messages are unread.
        MessageUnread => "message_unread",
    }
}

/// One notice: its kind, the day to act by (or the day of the visit),
/// what it refers to (an application, certificate, verbale or card id) and
/// the day the fact happened where that is what it tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub kind: NoticeKind,
    pub due: Option<Date>,
    pub reference: Option<String>,
    /// The day a verbale became definitive (`verbale_issued`).
    pub on: Option<Date>,
    /// How many (`message_unread`).
    pub count: Option<u32>,
}

impl Notice {
    fn new(kind: NoticeKind, due: Option<Date>, reference: Option<&str>) -> Notice {
        Notice {
            kind,
            due,
            reference: reference.map(str::to_owned),
            on: None,
            count: None,
        }
    }

    /// SPEC §11's JSON `{"kind","due"?,"ref"?}`, plus `on` and `count`
    /// where they apply.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), json!(self.kind.as_str()));
        if let Some(d) = self.due {
            m.insert("due".into(), json!(format_date(d)));
        }
        if let Some(r) = &self.reference {
            m.insert("ref".into(), json!(r));
        }
        if let Some(d) = self.on {
            m.insert("on".into(), json!(format_date(d)));
        }
        if let Some(n) = self.count {
            m.insert("count".into(), json!(n));
        }
        Value::Object(m)
    }
}

/// A certificate as the notices need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFact {
    pub certificate_id: String,
    pub status: CertificateStatus,
    pub apply_by: Option<Date>,
}

/// Everything the notices are derived from, read on the day.
#[derive(Debug, Clone, Default)]
pub struct NoticeFacts {
    pub certificates: Vec<CertificateFact>,
    /// The applications as seen on the day ([`ApplicationView::of`]).
    pub applications: Vec<ApplicationView>,
    /// The person's definitive verbali: id and the day each became so.
    pub definitive_verbali: Vec<(String, Date)>,
    /// The current status's revision month, if one is due.
    pub revision: Option<YearMonth>,
    /// Active cards: serial and last valid day.
    pub cards: Vec<(String, Date)>,
    pub unread_messages: u32,
}

/// The notices on `today`, in the order a person should act on them: the
/// soonest date first, then those without a date; same date or none, by
/// [`NoticeKind`]'s order, then by reference.
pub fn notices(facts: &NoticeFacts, today: Date) -> Vec<Notice> {
    use NoticeKind as K;
    let mut out = Vec::new();
    for c in &facts.certificates {
        if let (CertificateStatus::Usable, Some(by)) = (c.status, c.apply_by)
            && today <= by
        {
            out.push(Notice::new(
                K::CertificateExpiring,
                Some(by),
                Some(&c.certificate_id),
            ));
        }
    }
    for a in &facts.applications {
        let id = Some(a.application_id.as_str());
        if a.state.is_terminal() {
            continue;
        }
        if let Some(d) = a.next_deadline
            && d.what == DeadlineWhat::HomeVisitRequestBy
            && today <= d.due
        {
            out.push(Notice::new(K::HomeVisitDeadline, Some(d.due), id));
        }
        if let Some(v) = &a.visit
            && today <= v.day()
        {
            out.push(Notice::new(K::VisitUpcoming, Some(v.day()), id));
        }
        if a.state == ApplicationState::DocumentsRequested {
            out.push(Notice::new(K::DocumentsRequested, None, id));
        }
    }
    for (verbale_id, on) in &facts.definitive_verbali {
        let by = appeal_by(*on);
        if *on <= today && today <= by {
            out.push(Notice::new(K::AppealDeadline, Some(by), Some(verbale_id)));
            out.push(Notice {
                on: Some(*on),
                ..Notice::new(K::VerbaleIssued, None, Some(verbale_id))
            });
        }
    }
    if let Some(month) = facts.revision {
        let by = month.last_day();
        if today + Duration::days(REVISION_NOTICE_DAYS) >= by {
            out.push(Notice::new(K::RevisionDue, Some(by), None));
        }
    }
    for (serial, expires_on) in &facts.cards {
        if today <= *expires_on && today + Duration::days(CARD_EXPIRING_DAYS) >= *expires_on {
            out.push(Notice::new(
                K::CardExpiring,
                Some(*expires_on),
                Some(serial),
            ));
        }
    }
    if facts.unread_messages > 0 {
        out.push(Notice {
            count: Some(facts.unread_messages),
            ..Notice::new(K::MessageUnread, None, None)
        });
    }
    out.sort_by(|a, b| {
        let rank = |n: &Notice| K::ALL.iter().position(|k| *k == n.kind);
        // `None` after every date.
        let due = |n: &Notice| (n.due.is_none(), n.due);
        (due(a), rank(a), &a.reference).cmp(&(due(b), rank(b), &b.reference))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journey::{NextDeadline, Procedure, Purpose, Purposes};
    use time::Month;
    use time::macros::date;

    const TODAY: Date = date!(2027 - 03 - 10);

    fn application(id: &str, state: ApplicationState) -> ApplicationView {
        ApplicationView {
            application_id: id.into(),
            procedure: Procedure::Reform,
            purposes: Purposes::new([Purpose::Invalidity]).unwrap(),
            state,
            opened_on: date!(2027 - 02 - 01),
            phases: vec![],
            visit: None,
            next_deadline: None,
            overdue: false,
            verbale_id: None,
        }
    }

    fn kinds(n: &[Notice]) -> Vec<&'static str> {
        n.iter().map(|n| n.kind.as_str()).collect()
    }

    #[test]
    fn nothing_stored_nothing_told() {
        assert!(notices(&NoticeFacts::default(), TODAY).is_empty());
    }

    #[test]
    fn a_usable_certificate_until_its_last_day() {
        let fact = |status, apply_by| NoticeFacts {
            certificates: vec![CertificateFact {
                certificate_id: "C1".into(),
                status,
                apply_by,
            }],
            ..NoticeFacts::default()
        };
        let by = date!(2027 - 04 - 30);
        let n = notices(&fact(CertificateStatus::Usable, Some(by)), TODAY);
        assert_eq!(
            n[0].to_json(),
            json!({"kind": "certificate_expiring", "due": "2027-04-30", "ref": "C1"})
        );
        assert_eq!(
            notices(&fact(CertificateStatus::Usable, Some(by)), by).len(),
            1
        );
        let after = by + Duration::days(1);
        assert!(notices(&fact(CertificateStatus::Usable, Some(by)), after).is_empty());
        assert!(notices(&fact(CertificateStatus::Used, Some(by)), TODAY).is_empty());
        assert!(notices(&fact(CertificateStatus::Expired, Some(by)), TODAY).is_empty());
        // A reform certificate opens its procedure: nothing to apply by.
        assert!(notices(&fact(CertificateStatus::Usable, None), TODAY).is_empty());
    }

    #[test]
    fn appeal_and_issue_for_six_months_with_the_month_end_rule() {
        let facts = NoticeFacts {
            definitive_verbali: vec![("V1".into(), date!(2026 - 08 - 31))],
            ..NoticeFacts::default()
        };
        // 31 August + 6 months: February has no 31st → its last day.
        let n = notices(&facts, date!(2026 - 09 - 01));
        assert_eq!(
            n.iter().map(Notice::to_json).collect::<Vec<_>>(),
            vec![
                json!({"kind": "appeal_deadline", "due": "2027-02-28", "ref": "V1"}),
                json!({"kind": "verbale_issued", "ref": "V1", "on": "2026-08-31"}),
            ]
        );
        assert_eq!(notices(&facts, date!(2027 - 02 - 28)).len(), 2);
        assert!(notices(&facts, date!(2027 - 03 - 01)).is_empty());
        // A leap year: 29 February.
        let leap = NoticeFacts {
            definitive_verbali: vec![("V2".into(), date!(2027 - 08 - 31))],
            ..NoticeFacts::default()
        };
        assert_eq!(
            notices(&leap, date!(2027 - 09 - 01))[0].due,
            Some(date!(2028 - 02 - 29))
        );
    }

    #[test]
    fn visits_home_visit_and_documents_of_open_applications_only() {
        use crate::journey::Visit;
        // 09:30 in Rome (UTC+1 in March).
        let visit = Visit {
            at: time::macros::datetime!(2027-03-20 08:30 UTC),
            place: "ASL Bari, via Roma 1".into(),
            home: false,
        };
        let mut scheduled = application("A1", ApplicationState::VisitScheduled);
        scheduled.visit = Some(visit.clone());
        scheduled.next_deadline = Some(NextDeadline {
            what: DeadlineWhat::HomeVisitRequestBy,
            due: date!(2027 - 03 - 15),
        });
        let documents = application("A2", ApplicationState::DocumentsRequested);
        let mut ended = application("A3", ApplicationState::Withdrawn);
        ended.visit = Some(visit);
        let facts = NoticeFacts {
            applications: vec![documents, scheduled, ended],
            ..NoticeFacts::default()
        };
        let n = notices(&facts, TODAY);
        assert_eq!(
            kinds(&n),
            [
                "home_visit_deadline",
                "visit_upcoming",
                "documents_requested"
            ]
        );
        assert_eq!(n[1].due, Some(date!(2027 - 03 - 20)));
        assert_eq!(n[1].reference.as_deref(), Some("A1"));
        assert_eq!(
            n[2].to_json(),
            json!({"kind": "documents_requested", "ref": "A2"})
        );
        // After the visit day: neither the visit nor its deadline.
        assert_eq!(
            kinds(&notices(&facts, date!(2027 - 03 - 21))),
            ["documents_requested"]
        );
    }

    #[test]
    fn revision_card_and_messages_in_their_windows() {
        let facts = NoticeFacts {
            revision: Some(YearMonth {
                year: 2027,
                month: Month::May,
            }),
            cards: vec![("IT-0001".into(), date!(2027 - 05 - 31))],
            unread_messages: 2,
            ..NoticeFacts::default()
        };
        let n = notices(&facts, TODAY);
        // Same day: the revision before the card (kind order); undated last.
        assert_eq!(
            kinds(&n),
            ["revision_due", "card_expiring", "message_unread"]
        );
        assert_eq!(
            n[0].to_json(),
            json!({"kind": "revision_due", "due": "2027-05-31"})
        );
        assert_eq!(
            n[2].to_json(),
            json!({"kind": "message_unread", "count": 2})
        );
        // A year before: neither window is open yet.
        assert_eq!(
            kinds(&notices(&facts, date!(2026 - 05 - 01))),
            ["message_unread"]
        );
        // An overdue revision stays told; an expired card does not.
        assert_eq!(
            kinds(&notices(&facts, date!(2027 - 06 - 01))),
            ["revision_due", "message_unread"]
        );
    }

    #[test]
    fn the_soonest_first_then_the_undated() {
        let facts = NoticeFacts {
            certificates: vec![CertificateFact {
                certificate_id: "C1".into(),
                status: CertificateStatus::Usable,
                apply_by: Some(date!(2027 - 06 - 01)),
            }],
            applications: vec![application("A2", ApplicationState::DocumentsRequested)],
            definitive_verbali: vec![("V1".into(), date!(2027 - 01 - 15))],
            cards: vec![("IT-0001".into(), date!(2027 - 04 - 01))],
            unread_messages: 1,
            ..NoticeFacts::default()
        };
        assert_eq!(
            kinds(&notices(&facts, TODAY)),
            [
                "card_expiring",        // 2027-04-01
                "certificate_expiring", // 2027-06-01
                "appeal_deadline",      // 2027-07-15
                "documents_requested",
                "verbale_issued",
                "message_unread",
            ]
        );
    }
}
