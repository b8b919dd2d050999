//! The storage conformance suite: every test runs on SQLite and on
//! PostgreSQL (when `TEST_DATABASE_URL` is set; required under `CI=true`).

use attesta_domain::{FiscalCode, Person, PersonInput, Verbale, VerbaleInput};
use attesta_store::{
    IngestError, IngestOutcome, SessionRecord, Store, Upserted, VerificationRecord,
};
use attesta_testkit::{TestEngine, fresh_store, on_both_engines};
use serde_json::{Value, json};
use time::macros::date;

const NOW: i64 = 1_795_000_000_000; // 2026-11-18
const CF: &str = attesta_testkit::people::MARIO;

mod bulk;

on_both_engines!(
    people_are_created_then_updated,
    verbali_are_idempotent_by_id,
    confirmation_recomputes_the_status,
    unknown_person_and_conflict_write_nothing,
    one_active_attestation_per_person,
    failures_count_in_a_window,
    the_log_lists_newest_first,
    sessions_expire,
    check_handles_stand_for_their_own_attestation_and_expire,
    expired_otp_requests_are_purged,
);

fn person(cf: &str, given: &str) -> Person {
    PersonInput::parse(
        Ok(FiscalCode::parse(cf).unwrap()),
        json!({"given_name": given, "family_name": "Rossi", "birth_date": "1980-01-01",
               "mobile": "+393331234567"})
        .as_object()
        .unwrap(),
        date!(2026 - 11 - 23),
    )
    .unwrap()
}

fn verbale(id: &str, definitive: bool, findings: Value) -> Verbale {
    let mut m = json!({"verbale_id": id, "fiscal_code": CF, "kind": "first_instance",
        "session_date": "2024-05-10", "definitive": definitive, "source": "telematic"})
    .as_object()
    .unwrap()
    .clone();
    m.extend(findings.as_object().unwrap().clone());
    VerbaleInput::parse(&m, date!(2026 - 11 - 23)).unwrap()
}

async fn with_person(store: &Store) -> String {
    store
        .upsert_person(&person(CF, "Mario"), NOW)
        .await
        .unwrap();
    store
        .person_by_fiscal_code(&FiscalCode::parse(CF).unwrap())
        .await
        .unwrap()
        .unwrap()
        .person_id
}

async fn people_are_created_then_updated(store: Store) {
    assert_eq!(
        store
            .upsert_person(&person(CF, "Mario"), NOW)
            .await
            .unwrap(),
        Upserted::Created
    );
    assert_eq!(
        store
            .upsert_person(&person(CF, "Marco"), NOW)
            .await
            .unwrap(),
        Upserted::Updated
    );
    let cf = FiscalCode::parse(CF).unwrap();
    let rec = store.person_by_fiscal_code(&cf).await.unwrap().unwrap();
    assert_eq!(rec.person.given_name, "Marco");
    assert_eq!(rec.person.mobile.unwrap().as_str(), "+393331234567");
    assert!(rec.status.is_empty());
    assert_eq!(
        store
            .person_by_id(&rec.person_id)
            .await
            .unwrap()
            .unwrap()
            .person
            .fiscal_code,
        cf
    );
    assert_eq!(store.count_people().await.unwrap(), 1);
    store
        .accept_privacy_notice(&rec.person_id, NOW + 5)
        .await
        .unwrap();
    store
        .accept_privacy_notice(&rec.person_id, NOW + 9)
        .await
        .unwrap();
    let rec = store.person_by_id(&rec.person_id).await.unwrap().unwrap();
    assert_eq!(
        rec.privacy_accepted_at,
        Some(NOW + 5),
        "the first acceptance counts"
    );
}

async fn verbali_are_idempotent_by_id(store: Store) {
    let person_id = with_person(&store).await;
    let v = verbale(
        "V-1",
        true,
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    );
    assert_eq!(
        store.ingest_verbale(&v, NOW).await.unwrap(),
        Ok(IngestOutcome::Created)
    );
    assert_eq!(
        store.ingest_verbale(&v, NOW).await.unwrap(),
        Ok(IngestOutcome::Unchanged)
    );
    let rec = store.person_by_id(&person_id).await.unwrap().unwrap();
    assert_eq!(rec.status.findings.invalidity.unwrap().percentage, Some(80));
    assert_eq!(store.verbali_of(&person_id).await.unwrap(), vec![v]);
}

async fn confirmation_recomputes_the_status(store: Store) {
    let person_id = with_person(&store).await;
    let draft = verbale("V-1", false, json!({"handicap": "art3_c3"}));
    assert_eq!(
        store.ingest_verbale(&draft, NOW).await.unwrap(),
        Ok(IngestOutcome::Created)
    );
    let rec = store.person_by_id(&person_id).await.unwrap().unwrap();
    assert!(
        rec.status.is_empty(),
        "a non-definitive verbale never counts"
    );
    let mut confirmed = draft.clone();
    confirmed.definitive = true;
    assert_eq!(
        store.ingest_verbale(&confirmed, NOW).await.unwrap(),
        Ok(IngestOutcome::Confirmed)
    );
    let rec = store.person_by_id(&person_id).await.unwrap().unwrap();
    assert!(
        rec.status
            .level1(date!(1980 - 01 - 01), date!(2026 - 11 - 23))
            .qualifies
    );
    // Back to non-definitive is a conflict.
    assert_eq!(
        store.ingest_verbale(&draft, NOW).await.unwrap(),
        Err(IngestError::Conflict)
    );
}

async fn unknown_person_and_conflict_write_nothing(store: Store) {
    let v = verbale("V-1", true, json!({"handicap": "art3_c3"}));
    assert_eq!(
        store.ingest_verbale(&v, NOW).await.unwrap(),
        Err(IngestError::UnknownPerson)
    );
    let person_id = with_person(&store).await;
    assert!(store.verbali_of(&person_id).await.unwrap().is_empty());
    store.ingest_verbale(&v, NOW).await.unwrap().unwrap();
    let other = verbale("V-1", true, json!({"handicap": "art3_c1"}));
    assert_eq!(
        store.ingest_verbale(&other, NOW).await.unwrap(),
        Err(IngestError::Conflict)
    );
    assert_eq!(store.verbali_of(&person_id).await.unwrap(), vec![v]);
}

async fn one_active_attestation_per_person(store: Store) {
    let person_id = with_person(&store).await;
    store
        .create_attestation(&person_id, "a1", "hash1", NOW)
        .await
        .unwrap();
    store
        .create_attestation(&person_id, "a2", "hash2", NOW + 1)
        .await
        .unwrap();
    let active = store.active_attestation(&person_id).await.unwrap().unwrap();
    assert_eq!(active.attestation_id, "a2");
    let old = store.lookup_token("hash1").await.unwrap().unwrap();
    assert_eq!(old.revoked_at, Some(NOW + 1));
    let new = store.lookup_token("hash2").await.unwrap().unwrap();
    assert_eq!(
        (
            new.revoked_at,
            new.fiscal_code.as_str(),
            new.given_name.as_str()
        ),
        (None, CF, "Mario")
    );
    assert!(store.lookup_token("nope").await.unwrap().is_none());
    assert!(store.revoke_attestation(&person_id, NOW + 2).await.unwrap());
    assert!(!store.revoke_attestation(&person_id, NOW + 3).await.unwrap());
    assert!(
        store
            .active_attestation(&person_id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn failures_count_in_a_window(store: Store) {
    let person_id = with_person(&store).await;
    store
        .create_attestation(&person_id, "a1", "hash1", NOW)
        .await
        .unwrap();
    let window = 15 * 60 * 1000;
    assert_eq!(
        store.record_failure("a1", NOW, window).await.unwrap(),
        (1, NOW)
    );
    assert_eq!(
        store.record_failure("a1", NOW + 10, window).await.unwrap(),
        (2, NOW)
    );
    let seen = store.lookup_token("hash1").await.unwrap().unwrap();
    assert_eq!((seen.failures, seen.window_start), (2, Some(NOW)));
    // After the window a new one starts.
    assert_eq!(
        store
            .record_failure("a1", NOW + window, window)
            .await
            .unwrap(),
        (1, NOW + window)
    );
    // Concurrent failures are all counted.
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.record_failure("a1", NOW + window + 1, window)
                .await
                .unwrap()
        }));
    }
    let mut counts: Vec<i64> = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap().0);
    }
    counts.sort();
    assert_eq!(counts, (2..=11).collect::<Vec<_>>());
}

async fn the_log_lists_newest_first(store: Store) {
    let person_id = with_person(&store).await;
    for (i, outcome) in ["qualifies", "fiscal_code_mismatch", "locked"]
        .iter()
        .enumerate()
    {
        store
            .log_verification(&VerificationRecord {
                verification_id: format!("v{i}"),
                person_id: Some(person_id.clone()),
                attestation_id: Some("a1".into()),
                at: NOW + i as i64,
                level: 1,
                outcome: attesta_domain::CheckOutcome::parse(outcome).unwrap(),
                operator: None,
                organisation: None,
            })
            .await
            .unwrap();
    }
    let log = store.verifications_of(&person_id, 100).await.unwrap();
    let outcomes: Vec<_> = log.iter().map(|r| r.outcome.as_str()).collect();
    assert_eq!(outcomes, ["locked", "fiscal_code_mismatch", "qualifies"]);
    assert_eq!(
        store.verifications_of(&person_id, 1).await.unwrap().len(),
        1
    );
}

async fn sessions_expire(store: Store) {
    let s = SessionRecord {
        session_hash: "h".into(),
        role: "citizen".into(),
        subject: "p1".into(),
        display_name: "Mario Rossi".into(),
        organisation: None,
        csrf_token: "c".into(),
        created_at: NOW,
        expires_at: NOW + 1000,
        acting_for: None,
    };
    store.create_session(&s).await.unwrap();
    assert_eq!(store.session("h", NOW + 999).await.unwrap(), Some(s));
    assert_eq!(store.session("h", NOW + 1000).await.unwrap(), None);
    assert_eq!(store.purge_expired_sessions(NOW + 1000).await.unwrap(), 1);
    store.delete_session("h").await.unwrap();
}

#[tokio::test]
async fn postgres_schemas_are_isolated() {
    let Some((a, _da)) = fresh_store(TestEngine::Postgres).await.unwrap() else {
        return;
    };
    let Some((b, _db)) = fresh_store(TestEngine::Postgres).await.unwrap() else {
        return;
    };
    a.upsert_person(&person(CF, "Mario"), NOW).await.unwrap();
    assert_eq!(b.count_people().await.unwrap(), 0);
}
mod cards;
mod documents;
mod journey;
mod keys;
mod log_chain;
mod messages;
mod payments;
mod wallet;

mod delegations {
    use super::*;

    on_both_engines!(delegations_live_and_end, activity_newest_first);

    const DELEGATE: &str = attesta_testkit::people::GIULIA;

    async fn delegations_live_and_end(store: Store) {
        let holder = with_person(&store).await;
        let (d, created) = store
            .add_delegation(&holder, DELEGATE, "holder", NOW)
            .await
            .unwrap();
        assert!(created);
        let (again, created) = store
            .add_delegation(&holder, DELEGATE, "holder", NOW + 1)
            .await
            .unwrap();
        assert!(!created);
        assert_eq!(again.delegation_id, d.delegation_id);
        assert!(store.is_delegate(&holder, DELEGATE).await.unwrap());
        assert_eq!(
            store.delegations_to(DELEGATE).await.unwrap(),
            vec![d.clone()]
        );
        assert_eq!(
            store.delegations_of_holder(&holder).await.unwrap(),
            vec![d.clone()]
        );
        assert!(
            !store
                .revoke_delegation("someone else", &d.delegation_id, NOW)
                .await
                .unwrap()
        );
        assert!(
            store
                .revoke_delegation(&holder, &d.delegation_id, NOW + 2)
                .await
                .unwrap()
        );
        assert!(!store.is_delegate(&holder, DELEGATE).await.unwrap());
        // A new delegation after the end is a new one.
        let (d2, created) = store
            .add_delegation(&holder, DELEGATE, "back_office", NOW + 3)
            .await
            .unwrap();
        assert!(created);
        assert_ne!(d2.delegation_id, d.delegation_id);
    }

    async fn activity_newest_first(store: Store) {
        use attesta_domain::Activity;
        let person = with_person(&store).await;
        store
            .record_activity(
                &person,
                NOW,
                Activity::AttestationGenerated,
                "Mario Rossi",
                false,
            )
            .await
            .unwrap();
        store
            .record_activity(
                &person,
                NOW + 1,
                Activity::AttestationRevoked,
                "Giulia Bianchi",
                true,
            )
            .await
            .unwrap();
        let log = store.activity_of(&person, 10).await.unwrap();
        assert_eq!(log[0].action, Activity::AttestationRevoked);
        assert!(log[0].by_delegate);
        assert_eq!(log[1].by_name, "Mario Rossi");
    }
}

async fn check_handles_stand_for_their_own_attestation_and_expire(store: Store) {
    let person_id = with_person(&store).await;
    for (id, hash) in [("a1", "hash1"), ("a2", "hash2")] {
        store
            .create_attestation(&person_id, id, hash, NOW)
            .await
            .unwrap();
    }
    let ttl = 15 * 60 * 1000;
    // Two tabs, two QRs: each handle keeps its own attestation.
    store
        .open_check_handle("h1", "a1", NOW, NOW + ttl)
        .await
        .unwrap();
    store
        .open_check_handle("h2", "a2", NOW + 10, NOW + 10 + ttl)
        .await
        .unwrap();
    assert_eq!(
        store.check_handle("h1", NOW + 20).await.unwrap().as_deref(),
        Some("a1")
    );
    assert_eq!(
        store.check_handle("h2", NOW + 20).await.unwrap().as_deref(),
        Some("a2")
    );
    assert_eq!(store.check_handle("h3", NOW + 20).await.unwrap(), None);
    // At its expiry a handle no longer opens anything, and the next check
    // opened deletes it (h2 is still 10 ms from its end).
    assert_eq!(store.check_handle("h1", NOW + ttl).await.unwrap(), None);
    store
        .open_check_handle("h4", "a2", NOW + ttl, NOW + 2 * ttl)
        .await
        .unwrap();
    assert_eq!(
        store
            .check_handle("h2", NOW + ttl)
            .await
            .unwrap()
            .as_deref(),
        Some("a2")
    );
    assert_eq!(
        store.purge_expired_check_handles(NOW + ttl).await.unwrap(),
        0,
        "h1 was deleted when h4 was opened"
    );
    assert_eq!(
        store
            .purge_expired_check_handles(NOW + 2 * ttl)
            .await
            .unwrap(),
        2
    );
}

async fn expired_otp_requests_are_purged(store: Store) {
    use attesta_store::{OtpRecord, OtpState};
    let person_id = with_person(&store).await;
    store
        .create_attestation(&person_id, "a1", "hash1", NOW)
        .await
        .unwrap();
    let day = 24 * 60 * 60 * 1000;
    // Expired two days ago, a day ago less a millisecond, and not yet.
    for (id, expires_at) in [
        ("old", NOW - 2 * day),
        ("recent", NOW - day + 1),
        ("live", NOW + 300_000),
    ] {
        store
            .insert_otp(&OtpRecord {
                otp_request_id: id.into(),
                attestation_id: "a1".into(),
                person_id: person_id.clone(),
                session_hash: "s".into(),
                operator: "op".into(),
                organisation: None,
                code_mac: "mac".into(),
                created_at: expires_at - 300_000,
                expires_at,
                failures: 0,
                state: OtpState::Pending,
            })
            .await
            .unwrap();
    }
    assert_eq!(store.purge_otp_requests(NOW - day).await.unwrap(), 1);
    assert!(store.otp("old").await.unwrap().is_none());
    assert!(store.otp("recent").await.unwrap().is_some());
    assert!(store.otp("live").await.unwrap().is_some());
    assert_eq!(store.purge_otp_requests(NOW - day).await.unwrap(), 0);
}
