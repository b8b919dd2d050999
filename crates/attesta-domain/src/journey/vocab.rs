//! The journey's vocabulary (SPEC §10): every state, event, phase and
//! choice as a typed word.

word_enum! {
    /// Which procedure an application follows (SPEC §10).
    Procedure {
        /// Certificate → application → commission → INPS (DOMAIN §9).
        Ordinary => "ordinary",
        /// D.Lgs. 62/2024 *valutazione di base*: the certificate starts it,
        /// one visit, a definitive *certificato della condizione di
        /// disabilità* (DOMAIN §13).
        Reform => "reform",
    }
}

word_enum! {
    /// What a certificate (and its application) asks to be assessed.
    Purpose {
        /// *Invalidità civile*.
        Invalidity => "invalidity",
        /// *Cecità civile*.
        Blindness => "blindness",
        /// *Sordità*.
        Deafness => "deafness",
        /// *Handicap*, Law 104/1992.
        Handicap => "handicap",
        /// *Disabilità* for targeted work placement, Law 68/1999.
        Law68Disability => "law68_disability",
    }
}

word_enum! {
    /// Who filed an application for the citizen in the back office.
    Via {
        Anmic => "ANMIC",
        Uici => "UICI",
        Ens => "ENS",
        Anffas => "ANFFAS",
        Patronato => "patronato",
    }
}

word_enum! {
    /// An application's state (SPEC §10.1, "States"). `visit_scheduled`
    /// is one word in both procedures; the procedure tells them apart.
    ApplicationState {
        /// Ordinary: filed, waiting for the commission's convocation.
        Submitted => "submitted",
        /// Both: a visit has a date, time and place.
        VisitScheduled => "visit_scheduled",
        /// Ordinary: absent once, waiting for the second convocation.
        SecondSummons => "second_summons",
        /// Ordinary: the commission's verbale waits for INPS (60 days).
        AwaitingInps => "awaiting_inps",
        /// Ordinary: INPS called a direct visit.
        InpsVisit => "inps_visit",
        /// Reform: the certificate opened the procedure.
        Started => "started",
        /// Reform: a justified absence or the citizen's request; a new
        /// date is due.
        VisitToReschedule => "visit_to_reschedule",
        /// Reform: the commission asked for documents (60 more days).
        DocumentsRequested => "documents_requested",
        /// Both, terminal: a definitive verbale.
        Concluded => "concluded",
        /// Ordinary, terminal: absent twice.
        Lapsed => "lapsed",
        /// Both, terminal: withdrawn, or (reform) an unjustified absence.
        Withdrawn => "withdrawn",
    }
}

impl ApplicationState {
    /// No event moves it any more (court appeals are notes on `concluded`).
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            ApplicationState::Concluded | ApplicationState::Lapsed | ApplicationState::Withdrawn
        )
    }
}

word_enum! {
    /// An event in an application's history (SPEC §10.2). The first twelve
    /// are posted by the back office; `reschedule` by the citizen;
    /// `verbale` when a linked verbale arrives or turns definitive;
    /// `silent_assent` by the scheduled job.
    EventKind {
        VisitScheduled => "visit_scheduled",
        HomeVisitRequested => "home_visit_requested",
        Attended => "attended",
        Absent => "absent",
        DocumentsRequested => "documents_requested",
        DocumentsReceived => "documents_received",
        InpsConfirmed => "inps_confirmed",
        DirectVisitCalled => "direct_visit_called",
        Withdrawn => "withdrawn",
        CourtAppeal => "court_appeal",
        CourtAppealClosed => "court_appeal_closed",
        Reschedule => "reschedule",
        Verbale => "verbale",
        SilentAssent => "silent_assent",
    }
}

impl EventKind {
    /// The events the back office may post to
    /// `/api/v1/admin/applications/{id}/events`.
    pub const BACK_OFFICE: &'static [EventKind] = &[
        EventKind::VisitScheduled,
        EventKind::HomeVisitRequested,
        EventKind::Attended,
        EventKind::Absent,
        EventKind::DocumentsRequested,
        EventKind::DocumentsReceived,
        EventKind::InpsConfirmed,
        EventKind::DirectVisitCalled,
        EventKind::Withdrawn,
        EventKind::CourtAppeal,
        EventKind::CourtAppealClosed,
    ];
}

word_enum! {
    /// A step of the journey as the citizen sees it (SPEC §10.2).
    Phase {
        Certificate => "certificate",
        /// Ordinary: the application.
        Application => "application",
        /// Reform: INPS's convocation.
        Convocation => "convocation",
        Visit => "visit",
        /// Ordinary: the commission's verbale.
        CommissionVerbale => "commission_verbale",
        /// Ordinary: INPS's validation (60 days, or silent assent).
        InpsValidation => "inps_validation",
        /// Ordinary: the definitive verbale.
        DefinitiveVerbale => "definitive_verbale",
        /// Reform: the *certificato della condizione di disabilità*.
        DisabilityCertificate => "disability_certificate",
    }
}

impl Phase {
    /// The phases of a procedure, in order.
    pub fn of(procedure: Procedure) -> &'static [Phase] {
        match procedure {
            Procedure::Ordinary => &[
                Phase::Certificate,
                Phase::Application,
                Phase::Visit,
                Phase::CommissionVerbale,
                Phase::InpsValidation,
                Phase::DefinitiveVerbale,
            ],
            Procedure::Reform => &[
                Phase::Certificate,
                Phase::Convocation,
                Phase::Visit,
                Phase::DisabilityCertificate,
            ],
        }
    }
}

word_enum! {
    /// Where a phase stands.
    PhaseStatus {
        Done => "done",
        Current => "current",
        Todo => "todo",
        /// After the last done phase of a lapsed or withdrawn application.
        Skipped => "skipped",
    }
}

word_enum! {
    /// What the next deadline is for (`next_deadline.what`).
    DeadlineWhat {
        /// Visit date − 5: the last day to ask for a home visit.
        HomeVisitRequestBy => "home_visit_request_by",
        /// The visit's day.
        Visit => "visit",
        /// Ordinary: INPS's due date (the commission's session + 60).
        InpsDecision => "inps_decision",
        /// Reform: the conclusion target.
        Target => "target",
        /// Concluded: 6 months after `definitive_on`.
        AppealBy => "appeal_by",
    }
}

word_enum! {
    /// A certificate as the citizen sees it on a day.
    CertificateStatus {
        /// An application may still be made from it.
        Usable => "usable",
        /// It has its application.
        Used => "used",
        /// Too late (or its province started the reform since).
        Expired => "expired",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_parses_back() {
        for s in ApplicationState::ALL {
            assert_eq!(ApplicationState::parse(s.as_str()), Some(*s));
        }
        for e in EventKind::ALL {
            assert_eq!(EventKind::parse(e.as_str()), Some(*e));
        }
        for p in Phase::ALL {
            assert_eq!(Phase::parse(p.as_str()), Some(*p));
        }
        assert_eq!(Procedure::parse("reform"), Some(Procedure::Reform));
        assert_eq!(Via::parse("patronato"), Some(Via::Patronato));
        assert_eq!(
            Purpose::parse("law68_disability"),
            Some(Purpose::Law68Disability)
        );
        assert_eq!(Procedure::parse("Reform"), None);
    }

    #[test]
    fn back_office_events_are_the_contracts_eleven() {
        assert_eq!(EventKind::BACK_OFFICE.len(), 11);
        assert!(!EventKind::BACK_OFFICE.contains(&EventKind::SilentAssent));
        assert!(!EventKind::BACK_OFFICE.contains(&EventKind::Reschedule));
    }

    #[test]
    fn phases_follow_the_procedure() {
        assert_eq!(Phase::of(Procedure::Ordinary).len(), 6);
        assert_eq!(Phase::of(Procedure::Reform).len(), 4);
        assert_eq!(
            Phase::of(Procedure::Reform)[3],
            Phase::DisabilityCertificate
        );
    }
}
