//! The bulk statements of `attesta import` and `attesta seed` against the
//! one-row methods: the same rows, written in batches on one store and row
//! by row on another, give the same outcomes and the same stored state
//! (verbali, their order, every person's current status).

use std::collections::BTreeMap;

use attesta_domain::{FiscalCode, Person, PersonInput, Verbale, VerbaleInput};
use attesta_store::{BulkIngest, IngestError, IngestOutcome, Store, Upserted};
use attesta_testkit::{TestEngine, fresh_store, on_both_engines};
use serde_json::{Value, json};
use time::macros::date;

use super::NOW;

on_both_engines!(
    bulk_verbali_equal_one_at_a_time,
    bulk_people_equal_one_at_a_time,
);

fn code(i: u64) -> FiscalCode {
    attesta_domain::fiscal_code::with_check_character(&format!("BLKTST{:02}A01Z999", 40 + i))
        .unwrap()
}

fn person(i: u64, given: &str) -> Person {
    PersonInput::parse(
        Ok(code(i)),
        json!({"given_name": given, "family_name": "Prova", "birth_date": "1980-01-01"})
            .as_object()
            .unwrap(),
        date!(2026 - 11 - 23),
    )
    .unwrap()
}

fn verbale(id: &str, who: u64, date: &str, definitive: bool, findings: Value) -> Verbale {
    let mut m = json!({"verbale_id": id, "fiscal_code": code(who).as_str(),
        "kind": "revision", "session_date": date, "definitive": definitive,
        "source": "telematic"})
    .as_object()
    .unwrap()
    .clone();
    m.extend(findings.as_object().unwrap().clone());
    VerbaleInput::parse(&m, date!(2026 - 11 - 23)).unwrap()
}

/// Rows touching every rule: new, the same again, confirmed (in the batch
/// and across batches), conflicting, back to non-definitive, unknown
/// people, several verbali per person on the same and on other days.
fn rows() -> Vec<Verbale> {
    let pct = |p: u64| json!({"invalidity_code": "03", "invalidity_percentage": p});
    vec![
        verbale("A-1", 0, "2023-01-10", true, pct(80)),
        verbale(
            "A-2",
            0,
            "2024-02-01",
            false,
            json!({"handicap": "art3_c3"}),
        ),
        verbale("A-1", 0, "2023-01-10", true, pct(80)),
        verbale("B-1", 1, "2022-05-05", true, json!({"handicap": "art3_c1"})),
        verbale("A-2", 0, "2024-02-01", true, json!({"handicap": "art3_c3"})),
        verbale("X-1", 9, "2024-01-01", true, pct(90)),
        verbale("A-1", 0, "2023-01-10", true, pct(90)),
        verbale("B-2", 1, "2022-05-05", true, json!({"handicap": "none"})),
        verbale("C-1", 2, "2021-03-03", false, pct(75)),
        verbale("A-3", 0, "2023-01-10", true, pct(95)),
        verbale("C-1", 2, "2021-03-03", true, pct(75)),
        verbale(
            "A-2",
            0,
            "2024-02-01",
            false,
            json!({"handicap": "art3_c3"}),
        ),
        verbale("B-3", 1, "2020-01-01", true, json!({"accompaniment": true})),
        verbale("X-1", 9, "2024-01-01", true, pct(90)),
        verbale("C-2", 2, "2025-06-06", false, json!({"deafness": true})),
        verbale("B-1", 1, "2022-05-05", true, json!({"handicap": "art3_c1"})),
    ]
}

async fn two_stores(engine: TestEngine) -> Option<((Store, Store), impl Sized)> {
    let (one, guard_one) = fresh_store(engine).await.unwrap()?;
    let (bulk, guard_bulk) = fresh_store(engine).await.unwrap()?;
    Some(((one, bulk), (guard_one, guard_bulk)))
}

/// What a store holds for each person: their verbali in ingest order and
/// their current status.
async fn state(store: &Store) -> BTreeMap<String, (Vec<Verbale>, Value)> {
    let mut out = BTreeMap::new();
    for i in 0..3 {
        let record = store
            .person_by_fiscal_code(&code(i))
            .await
            .unwrap()
            .unwrap();
        out.insert(
            record.person.fiscal_code.as_str().to_owned(),
            (
                store.verbali_of(&record.person_id).await.unwrap(),
                record.status.to_json(),
            ),
        );
    }
    out
}

async fn bulk_verbali_equal_one_at_a_time(engine: TestEngine) {
    let Some(((one, bulk), _guard)) = two_stores(engine).await else {
        return;
    };
    for store in [&one, &bulk] {
        for i in 0..3 {
            store.upsert_person(&person(i, "Ada"), NOW).await.unwrap();
        }
        // Stored before: a history the batches build on.
        let earlier = verbale(
            "C-0",
            2,
            "2019-09-09",
            true,
            json!({"blindness": "partial"}),
        );
        store.ingest_verbale(&earlier, NOW).await.unwrap().unwrap();
    }
    let rows = rows();
    let mut expected = Vec::new();
    for v in &rows {
        expected.push(one.ingest_verbale(v, NOW).await.unwrap());
    }
    // Batches of 4, so that duplicates and confirmations cross them.
    let day = time::OffsetDateTime::from_unix_timestamp(NOW / 1000)
        .unwrap()
        .date();
    let mut got = Vec::new();
    for chunk in rows.chunks(4) {
        let mut batch = bulk.batch().await.unwrap();
        let outcomes = batch.ingest_verbali(chunk, day, NOW).await.unwrap();
        batch.commit().await.unwrap();
        got.extend(outcomes.into_iter().map(|o| match o {
            BulkIngest::Done(d) => d,
            BulkIngest::StoredLinked => panic!("nothing here is linked"),
        }));
    }
    assert_eq!(got, expected);
    // The rules were all met (so the comparison says something).
    for outcome in [
        Ok(IngestOutcome::Created),
        Ok(IngestOutcome::Unchanged),
        Ok(IngestOutcome::Confirmed),
        Err(IngestError::Conflict),
        Err(IngestError::UnknownPerson),
    ] {
        assert!(expected.contains(&outcome), "{outcome:?} never happened");
    }
    let (one_state, bulk_state) = (state(&one).await, state(&bulk).await);
    assert_eq!(bulk_state, one_state);
    // And the stored status is the domain's recomputation of the verbali.
    for (verbali, status) in bulk_state.values() {
        assert_eq!(
            *status,
            attesta_domain::Status::compute(verbali, date!(2026 - 11 - 23)).to_json()
        );
    }
    assert!(
        !bulk_state[code(0).as_str()].1["from"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

async fn bulk_people_equal_one_at_a_time(engine: TestEngine) {
    let Some(((one, bulk), _guard)) = two_stores(engine).await else {
        return;
    };
    for store in [&one, &bulk] {
        store.upsert_person(&person(1, "Prima"), NOW).await.unwrap();
    }
    let rows = vec![
        person(0, "Anna"),
        person(1, "Bruno"),
        person(0, "Anita"),
        person(2, "Carla"),
        person(2, "Carlo"),
    ];
    let mut expected = Vec::new();
    for p in &rows {
        expected.push(one.upsert_person(p, NOW).await.unwrap());
    }
    let mut batch = bulk.batch().await.unwrap();
    let got = batch.upsert_people(&rows, NOW).await.unwrap();
    batch.commit().await.unwrap();
    assert_eq!(got, expected);
    assert_eq!(
        got,
        [
            Upserted::Created,
            Upserted::Updated,
            Upserted::Updated,
            Upserted::Created,
            Upserted::Updated
        ]
    );
    for i in 0..3 {
        let a = one.person_by_fiscal_code(&code(i)).await.unwrap().unwrap();
        let b = bulk.person_by_fiscal_code(&code(i)).await.unwrap().unwrap();
        assert_eq!(a.person, b.person);
    }
    assert_eq!(bulk.count_people().await.unwrap(), 3);
}

/// `Store::checkpoint`, which `attesta import` and `attesta seed` run at
/// their end (and `attesta serve` at its stop), leaves the WAL empty while
/// the store stays open: under a steady read load SQLite's own checkpoints
/// never reset it, so a WAL a bulk load left large only grew.
#[tokio::test]
async fn a_checkpoint_empties_the_wal() {
    let (store, db) = fresh_store(TestEngine::Sqlite)
        .await
        .unwrap()
        .expect("SQLite is always there");
    let path = db.url.trim_start_matches("sqlite://");
    let wal = format!("{}-wal", path.split('?').next().unwrap());
    let wal_len = || std::fs::metadata(&wal).map_or(0, |m| m.len());
    let people: Vec<Person> = (0..50).map(|i| person(i, "Anna")).collect();
    let mut batch = store.batch().await.unwrap();
    batch.upsert_people(&people, NOW).await.unwrap();
    batch.commit().await.unwrap();
    assert!(wal_len() > 0, "the batch's commit is in the WAL");
    store.checkpoint().await.unwrap();
    assert_eq!(wal_len(), 0, "the WAL is emptied");
    let stored = store
        .person_by_fiscal_code(&code(7))
        .await
        .unwrap()
        .expect("the rows are in the database file");
    assert_eq!(stored.person.given_name, "Anna");
}
