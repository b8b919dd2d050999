//! Certificates, applications and their events (SPEC §10), on both engines.

use attesta_domain::journey::{ApplicationState, EventKind, Procedure, Purpose, Via};
use attesta_domain::parse_date;
use attesta_store::journey::{
    ApplicationChange, CertificatePut, CertificateRecord, JourneyRefusal, NewApplication, NewEvent,
};
use attesta_store::{IngestError, IngestOutcome, Store};
use attesta_testkit::on_both_engines;
use serde_json::json;

use crate::{NOW, verbale, with_person};

on_both_engines!(
    certificates_are_idempotent_by_id,
    a_reform_certificate_opens_its_application,
    one_application_per_certificate,
    events_append_with_the_state_in_one_transaction,
    of_two_concurrent_events_one_applies,
    open_assessments_and_silent_assent_are_queried,
    certificates_expire_once,
    the_job_lock_has_one_holder,
    verbali_gain_a_link_and_record_definitive_on,
);

fn day(text: &str) -> time::Date {
    parse_date(text).unwrap()
}

fn certificate(id: &str, person_id: &str, procedure: Procedure) -> CertificateRecord {
    CertificateRecord {
        certificate_id: id.to_owned(),
        person_id: person_id.to_owned(),
        issued_on: day("2026-10-01"),
        purposes: vec![Purpose::Invalidity, Purpose::Handicap],
        province: "BA".to_owned(),
        oncological: false,
        procedure,
        procedure_stated: false,
        doctor: Some("Dr. Bianchi".to_owned()),
        expired_on: None,
    }
}

fn application(id: &str, cert: &CertificateRecord) -> NewApplication {
    NewApplication {
        application_id: id.to_owned(),
        certificate_id: cert.certificate_id.clone(),
        person_id: cert.person_id.clone(),
        procedure: cert.procedure,
        purposes: cert.purposes.clone(),
        state: match cert.procedure {
            Procedure::Ordinary => ApplicationState::Submitted,
            Procedure::Reform => ApplicationState::Started,
        },
        opened_on: day("2026-10-05"),
        via: Some(Via::Patronato),
        facts: json!({}),
    }
}

fn change(state: ApplicationState) -> ApplicationChange {
    ApplicationChange {
        state,
        inps_due: None,
        verbale_id: None,
        appeal_open: false,
        facts: json!({"absences": 0}),
    }
}

fn event(kind: EventKind, on: &str) -> NewEvent {
    NewEvent {
        kind,
        on: day(on),
        payload: json!({}),
    }
}

async fn certificates_are_idempotent_by_id(store: Store) {
    let person = with_person(&store).await;
    let cert = certificate("C-1", &person, Procedure::Ordinary);
    assert_eq!(
        store.put_certificate(&cert, None, NOW).await.unwrap(),
        Ok(CertificatePut::Created {
            application_id: None
        })
    );
    assert_eq!(
        store.put_certificate(&cert, None, NOW).await.unwrap(),
        Ok(CertificatePut::Unchanged {
            application_id: None
        })
    );
    let mut other = cert.clone();
    other.purposes = vec![Purpose::Blindness];
    assert_eq!(
        store.put_certificate(&other, None, NOW).await.unwrap(),
        Err(JourneyRefusal::CertificateConflict)
    );
    // The conflict wrote nothing; the stored row reads back typed.
    assert_eq!(store.certificate("C-1").await.unwrap(), Some(cert.clone()));
    let mut newer = certificate("C-2", &person, Procedure::Reform);
    newer.issued_on = day("2026-11-01");
    newer.oncological = true;
    newer.doctor = None;
    newer.procedure_stated = true;
    store
        .put_certificate(&newer, None, NOW)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        store.certificates_of(&person).await.unwrap(),
        vec![newer, cert]
    );
    assert!(store.certificates_of("nobody").await.unwrap().is_empty());
    // The same new certificate twice at once: one creates it, the other
    // finds it unchanged.
    let twin = certificate("C-3", &person, Procedure::Ordinary);
    let (a, b) = tokio::join!(
        store.put_certificate(&twin, None, NOW),
        store.put_certificate(&twin, None, NOW),
    );
    let mut outcomes = [a.unwrap().unwrap(), b.unwrap().unwrap()];
    outcomes.sort_by_key(|o| matches!(o, CertificatePut::Unchanged { .. }));
    let none = || None;
    assert_eq!(
        outcomes,
        [
            CertificatePut::Created {
                application_id: none()
            },
            CertificatePut::Unchanged {
                application_id: none()
            },
        ]
    );
}

async fn a_reform_certificate_opens_its_application(store: Store) {
    let person = with_person(&store).await;
    let cert = certificate("C-R", &person, Procedure::Reform);
    let opens = application("A-R", &cert);
    assert_eq!(
        store
            .put_certificate(&cert, Some(&opens), NOW)
            .await
            .unwrap(),
        Ok(CertificatePut::Created {
            application_id: Some("A-R".into())
        })
    );
    // Sent again: the application it opened, nothing new.
    let again = application("A-R2", &cert);
    assert_eq!(
        store
            .put_certificate(&cert, Some(&again), NOW)
            .await
            .unwrap(),
        Ok(CertificatePut::Unchanged {
            application_id: Some("A-R".into())
        })
    );
    let a = store.application("A-R").await.unwrap().unwrap();
    assert_eq!(a.state, ApplicationState::Started);
    assert_eq!(a.procedure, Procedure::Reform);
    assert_eq!(a.version, 0);
    assert!(store.application("A-R2").await.unwrap().is_none());
}

async fn one_application_per_certificate(store: Store) {
    let person = with_person(&store).await;
    let cert = certificate("C-1", &person, Procedure::Ordinary);
    store
        .put_certificate(&cert, None, NOW)
        .await
        .unwrap()
        .unwrap();
    let first = application("A-1", &cert);
    assert_eq!(store.open_application(&first, NOW).await.unwrap(), Ok(()));
    assert_eq!(
        store
            .open_application(&application("A-2", &cert), NOW)
            .await
            .unwrap(),
        Err(JourneyRefusal::CertificateUsed)
    );
    let unknown = application("A-3", &certificate("C-X", &person, Procedure::Ordinary));
    assert_eq!(
        store.open_application(&unknown, NOW).await.unwrap(),
        Err(JourneyRefusal::UnknownCertificate)
    );
    let stored = store.application("A-1").await.unwrap().unwrap();
    assert_eq!(stored.certificate_id, "C-1");
    assert_eq!(
        stored.purposes,
        vec![Purpose::Invalidity, Purpose::Handicap]
    );
    assert_eq!(stored.via, Some(Via::Patronato));
    assert_eq!(stored.opened_on, day("2026-10-05"));
    assert_eq!(stored.last_event_on, None);
    // Concurrent openings: the database lets exactly one through.
    let cert2 = certificate("C-2", &person, Procedure::Ordinary);
    store
        .put_certificate(&cert2, None, NOW)
        .await
        .unwrap()
        .unwrap();
    let (a4, a5) = (application("A-4", &cert2), application("A-5", &cert2));
    let (a, b) = tokio::join!(
        store.open_application(&a4, NOW),
        store.open_application(&a5, NOW),
    );
    let oks = [a.unwrap(), b.unwrap()]
        .into_iter()
        .filter(Result::is_ok)
        .count();
    assert_eq!(oks, 1);
}

async fn events_append_with_the_state_in_one_transaction(store: Store) {
    let person = with_person(&store).await;
    let cert = certificate("C-1", &person, Procedure::Ordinary);
    store
        .put_certificate(&cert, None, NOW)
        .await
        .unwrap()
        .unwrap();
    store
        .open_application(&application("A-1", &cert), NOW)
        .await
        .unwrap()
        .unwrap();
    let mut visit = event(EventKind::VisitScheduled, "2026-10-20");
    visit.payload =
        json!({"visit": {"at": "2026-11-10T09:30:00+01:00", "place": "ASL Bari", "home": false}});
    let v1 = store
        .append_event(
            "A-1",
            0,
            &change(ApplicationState::VisitScheduled),
            &visit,
            NOW,
        )
        .await
        .unwrap();
    assert_eq!(v1, Ok(1));
    let mut awaiting = change(ApplicationState::AwaitingInps);
    awaiting.inps_due = Some(day("2027-01-09"));
    awaiting.verbale_id = Some("V-1".into());
    assert_eq!(
        store
            .append_event(
                "A-1",
                1,
                &awaiting,
                &event(EventKind::Verbale, "2026-11-10"),
                NOW + 1
            )
            .await
            .unwrap(),
        Ok(2)
    );
    // A stale version writes nothing.
    assert_eq!(
        store
            .append_event(
                "A-1",
                1,
                &change(ApplicationState::Lapsed),
                &event(EventKind::Absent, "2026-11-11"),
                NOW + 2
            )
            .await
            .unwrap(),
        Err(JourneyRefusal::Stale)
    );
    assert_eq!(
        store
            .append_event(
                "A-9",
                0,
                &change(ApplicationState::Lapsed),
                &event(EventKind::Absent, "2026-11-11"),
                NOW
            )
            .await
            .unwrap(),
        Err(JourneyRefusal::UnknownApplication)
    );
    let a = store.application("A-1").await.unwrap().unwrap();
    assert_eq!(a.state, ApplicationState::AwaitingInps);
    assert_eq!(a.inps_due, Some(day("2027-01-09")));
    assert_eq!(a.verbale_id.as_deref(), Some("V-1"));
    assert_eq!(a.last_event_on, Some(day("2026-11-10")));
    assert_eq!(a.facts, json!({"absences": 0}));
    assert_eq!(a.version, 2);
    let events = store.events_of("A-1").await.unwrap();
    assert_eq!(
        events.iter().map(|e| (e.seq, e.kind)).collect::<Vec<_>>(),
        vec![(1, EventKind::VisitScheduled), (2, EventKind::Verbale)]
    );
    assert_eq!(events[0].payload["visit"]["place"], "ASL Bari");
    assert_eq!(events[0].on, day("2026-10-20"));
    assert_eq!(events[1].recorded_at, NOW + 1);
}

async fn of_two_concurrent_events_one_applies(store: Store) {
    let person = with_person(&store).await;
    let cert = certificate("C-1", &person, Procedure::Ordinary);
    store
        .put_certificate(&cert, None, NOW)
        .await
        .unwrap()
        .unwrap();
    store
        .open_application(&application("A-1", &cert), NOW)
        .await
        .unwrap()
        .unwrap();
    let concluded = change(ApplicationState::Concluded);
    let assent = event(EventKind::SilentAssent, "2027-01-10");
    let (a, b) = tokio::join!(
        store.append_event("A-1", 0, &concluded, &assent, NOW),
        store.append_event("A-1", 0, &concluded, &assent, NOW),
    );
    let results = [a.unwrap(), b.unwrap()];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results.contains(&Err(JourneyRefusal::Stale)));
    assert_eq!(store.events_of("A-1").await.unwrap().len(), 1);
}

async fn open_assessments_and_silent_assent_are_queried(store: Store) {
    let person = with_person(&store).await;
    let mut ids = Vec::new();
    for (i, state) in [
        ApplicationState::Submitted,
        ApplicationState::AwaitingInps,
        ApplicationState::Lapsed,
        ApplicationState::Concluded,
        ApplicationState::Concluded,
    ]
    .into_iter()
    .enumerate()
    {
        let cert = certificate(&format!("C-{i}"), &person, Procedure::Ordinary);
        store
            .put_certificate(&cert, None, NOW)
            .await
            .unwrap()
            .unwrap();
        let id = format!("A-{i}");
        store
            .open_application(&application(&id, &cert), NOW + i as i64)
            .await
            .unwrap()
            .unwrap();
        let mut c = change(state);
        c.inps_due = (state == ApplicationState::AwaitingInps).then(|| day("2027-01-09"));
        // The last one: concluded with a court appeal open.
        c.appeal_open = i == 4;
        if state != ApplicationState::Submitted {
            store
                .append_event(&id, 0, &c, &event(EventKind::Verbale, "2026-11-10"), NOW)
                .await
                .unwrap()
                .unwrap();
        }
        ids.push(id);
    }
    let open: Vec<String> = store
        .open_assessments_of(&person)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.application_id)
        .collect();
    assert_eq!(open, vec!["A-4", "A-1", "A-0"]);
    let all: Vec<String> = store
        .applications_of(&person)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.application_id)
        .collect();
    assert_eq!(all, vec!["A-4", "A-3", "A-2", "A-1", "A-0"], "newest first");
    // Due 2027-01-09: not on that day, from the next one.
    assert!(
        store
            .silent_assent_due(day("2027-01-09"))
            .await
            .unwrap()
            .is_empty()
    );
    let due = store.silent_assent_due(day("2027-01-10")).await.unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].application_id, "A-1");
}

async fn certificates_expire_once(store: Store) {
    let person = with_person(&store).await;
    let unused = certificate("C-1", &person, Procedure::Ordinary);
    let used = certificate("C-2", &person, Procedure::Ordinary);
    let reform = certificate("C-3", &person, Procedure::Reform);
    for c in [&unused, &used, &reform] {
        store.put_certificate(c, None, NOW).await.unwrap().unwrap();
    }
    store
        .open_application(&application("A-2", &used), NOW)
        .await
        .unwrap()
        .unwrap();
    let candidates = store.unused_certificates().await.unwrap();
    assert_eq!(candidates, vec![unused.clone()]);
    assert!(
        store
            .mark_certificate_expired("C-1", day("2026-12-31"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_certificate_expired("C-1", day("2027-01-01"))
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_certificate_expired("C-2", day("2026-12-31"))
            .await
            .unwrap()
    );
    assert_eq!(
        store.certificate("C-1").await.unwrap().unwrap().expired_on,
        Some(day("2026-12-31"))
    );
    assert!(store.unused_certificates().await.unwrap().is_empty());
}

async fn the_job_lock_has_one_holder(store: Store) {
    assert!(
        store
            .try_job_lock("journey", "node-a", NOW, NOW + 60_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .try_job_lock("journey", "node-b", NOW + 1, NOW + 60_001)
            .await
            .unwrap()
    );
    // Only the holder releases it.
    store.release_job_lock("journey", "node-b").await.unwrap();
    assert!(
        !store
            .try_job_lock("journey", "node-b", NOW + 2, NOW + 60_002)
            .await
            .unwrap()
    );
    store.release_job_lock("journey", "node-a").await.unwrap();
    assert!(
        store
            .try_job_lock("journey", "node-b", NOW + 3, NOW + 60_003)
            .await
            .unwrap()
    );
    // A lapsed lock (a crashed node) can be taken over.
    assert!(
        store
            .try_job_lock("journey", "node-c", NOW + 60_003, NOW + 120_000)
            .await
            .unwrap()
    );
    // Two nodes at once: one gets it.
    store.release_job_lock("journey", "node-c").await.unwrap();
    let (a, b) = tokio::join!(
        store.try_job_lock("journey", "node-d", NOW, NOW + 60_000),
        store.try_job_lock("journey", "node-e", NOW, NOW + 60_000),
    );
    assert!(a.unwrap() ^ b.unwrap());
}

async fn verbali_gain_a_link_and_record_definitive_on(store: Store) {
    with_person(&store).await;
    let draft = verbale(
        "V-1",
        false,
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    );
    let mut batch = store.batch().await.unwrap();
    assert_eq!(
        batch
            .ingest_linked_verbale(&draft, None, day("2026-11-10"), NOW)
            .await
            .unwrap(),
        Ok(IngestOutcome::Created)
    );
    batch.commit().await.unwrap();
    let stored = store.verbale("V-1").await.unwrap().unwrap();
    assert_eq!((stored.application_id, stored.definitive_on), (None, None));
    let mut batch = store.batch().await.unwrap();
    assert!(!batch.verbale_is_linked("V-1").await.unwrap());
    drop(batch);

    let mut batch = store.batch().await.unwrap();
    assert_eq!(
        batch
            .ingest_linked_verbale(&draft, Some("A-1"), day("2026-11-11"), NOW)
            .await
            .unwrap(),
        Ok(IngestOutcome::Linked)
    );
    // Again with the same link: nothing new; with another: a conflict.
    assert_eq!(
        batch
            .ingest_linked_verbale(&draft, Some("A-1"), day("2026-11-11"), NOW)
            .await
            .unwrap(),
        Ok(IngestOutcome::Unchanged)
    );
    assert_eq!(
        batch
            .ingest_linked_verbale(&draft, Some("A-2"), day("2026-11-11"), NOW)
            .await
            .unwrap(),
        Err(IngestError::Conflict)
    );
    // Without the link it had: the same verbale (the link is kept).
    assert_eq!(
        batch
            .ingest_linked_verbale(&draft, None, day("2026-11-11"), NOW)
            .await
            .unwrap(),
        Ok(IngestOutcome::Unchanged)
    );
    let mut confirmed = draft.clone();
    confirmed.definitive = true;
    assert_eq!(
        batch
            .ingest_linked_verbale(&confirmed, None, day("2027-01-10"), NOW)
            .await
            .unwrap(),
        Ok(IngestOutcome::Confirmed)
    );
    assert!(batch.verbale_is_linked("V-1").await.unwrap());
    assert!(!batch.verbale_is_linked("V-9").await.unwrap());
    batch.commit().await.unwrap();
    let stored = store.verbale("V-1").await.unwrap().unwrap();
    assert_eq!(stored.application_id.as_deref(), Some("A-1"));
    assert_eq!(stored.definitive_on, Some(day("2027-01-10")));
    assert!(stored.verbale.definitive);
    assert!(store.verbale("V-9").await.unwrap().is_none());
}
