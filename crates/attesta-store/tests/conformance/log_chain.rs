//! The group-commit log writer and the verification log's hash chain
//! (SPEC §12), on both engines.

use std::collections::BTreeSet;

use attesta_domain::CheckOutcome;
use attesta_store::{AuditReport, GENESIS, Store, StoreError, VerificationRecord};
use attesta_testkit::{TestEngine, fresh_database, on_both_engines};
use sqlx::{AnyConnection, Connection, Row};

const NOW: i64 = 1_795_000_000_000;

on_both_engines!(
    concurrent_entries_are_each_written_once_in_one_chain,
    a_fresh_log_verifies_with_the_genesis_head,
    a_changed_outcome_is_named,
    a_deleted_middle_entry_names_the_one_after_it,
    a_deleted_last_entry_breaks_the_head,
    a_row_written_behind_the_writer_is_named,
    a_failed_batch_fails_its_caller_and_leaves_the_chain_as_it_was,
    two_nodes_extend_one_chain,
    rows_from_before_the_chain_are_linked_in,
    retention_removes_the_oldest_and_the_rest_still_verifies,
    retention_of_every_entry_keeps_the_head,
);

fn record(id: &str, i: i64) -> VerificationRecord {
    VerificationRecord {
        verification_id: id.to_owned(),
        person_id: Some(format!("p{}", i % 7)),
        attestation_id: Some("a1".into()),
        at: NOW + i,
        level: 1 + i % 2,
        outcome: if i % 3 == 0 {
            CheckOutcome::FiscalCodeMismatch
        } else {
            CheckOutcome::Qualifies
        },
        operator: (i % 2 == 1).then(|| "Anna Bianchi".to_owned()),
        organisation: (i % 2 == 1).then(|| "Comune di Roma".to_owned()),
    }
}

/// A store on a fresh database, with the URL for raw SQL beside it.
async fn world(engine: TestEngine) -> Option<(Store, attesta_testkit::TestDatabase)> {
    let db = fresh_database(engine).await.unwrap()?;
    let store = Store::connect(&db.url).await.unwrap();
    Some((store, db))
}

async fn raw(url: &str) -> AnyConnection {
    AnyConnection::connect(url).await.unwrap()
}

async fn exec(url: &str, sql: &str) {
    let mut conn = raw(url).await;
    let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(done.rows_affected(), 1, "{sql}");
}

async fn ids_in_log(url: &str) -> Vec<String> {
    let mut conn = raw(url).await;
    sqlx::query("SELECT verification_id FROM verifications ORDER BY verification_id")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String, _>("verification_id").unwrap())
        .collect()
}

async fn log_many(store: &Store, prefix: &str, n: i64) {
    for i in 0..n {
        store
            .log_verification(&record(&format!("{prefix}{i:03}"), i))
            .await
            .unwrap();
    }
}

fn intact(report: AuditReport) -> (u64, String) {
    match report {
        AuditReport::Intact { entries, head_hash } => (entries, head_hash),
        broken => panic!("expected an intact chain, got {broken:?}"),
    }
}

fn broken_at(report: AuditReport) -> (String, String) {
    match report {
        AuditReport::Broken {
            verification_id,
            reason,
        } => (verification_id, reason),
        intact => panic!("expected a broken chain, got {intact:?}"),
    }
}

async fn concurrent_entries_are_each_written_once_in_one_chain(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    let mut tasks = Vec::new();
    for i in 0..300i64 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.log_verification(&record(&format!("c{i:03}"), i)).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let ids = ids_in_log(&db.url).await;
    let expected: Vec<String> = (0..300).map(|i| format!("c{i:03}")).collect();
    assert_eq!(ids, expected, "every entry once");
    let (entries, head) = intact(store.audit_log().await.unwrap());
    assert_eq!(entries, 300);
    assert_ne!(head, GENESIS);
    // The places are 1..=300, each once.
    let mut conn = raw(&db.url).await;
    let seqs: BTreeSet<i64> = sqlx::query("SELECT seq FROM verifications")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("seq").unwrap())
        .collect();
    assert_eq!(seqs, (1..=300).collect());
}

async fn a_fresh_log_verifies_with_the_genesis_head(engine: TestEngine) {
    let Some((store, _db)) = world(engine).await else {
        return;
    };
    assert_eq!(
        intact(store.audit_log().await.unwrap()),
        (0, GENESIS.to_owned())
    );
    log_many(&store, "f", 3).await;
    let (entries, head) = intact(store.audit_log().await.unwrap());
    assert_eq!(entries, 3);
    assert_eq!(head.len(), 64);
    // Verifying changes nothing: the same answer again.
    assert_eq!(intact(store.audit_log().await.unwrap()), (3, head.clone()));
}

async fn a_changed_outcome_is_named(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "t", 5).await;
    exec(
        &db.url,
        "UPDATE verifications SET outcome = 'qualifies' WHERE verification_id = 't003'",
    )
    .await;
    let (id, reason) = broken_at(store.audit_log().await.unwrap());
    assert_eq!(id, "t003");
    assert!(reason.contains("content"), "{reason}");
}

async fn a_deleted_middle_entry_names_the_one_after_it(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "d", 5).await;
    exec(
        &db.url,
        "DELETE FROM verifications WHERE verification_id = 'd002'",
    )
    .await;
    let (id, reason) = broken_at(store.audit_log().await.unwrap());
    assert_eq!(id, "d003");
    assert!(reason.contains("d001"), "{reason}");
}

async fn a_deleted_last_entry_breaks_the_head(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "e", 4).await;
    exec(
        &db.url,
        "DELETE FROM verifications WHERE verification_id = 'e003'",
    )
    .await;
    let (id, reason) = broken_at(store.audit_log().await.unwrap());
    assert_eq!(id, "e002");
    assert!(reason.contains("head"), "{reason}");
}

async fn a_row_written_behind_the_writer_is_named(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "w", 2).await;
    exec(
        &db.url,
        "INSERT INTO verifications (verification_id, person_id, attestation_id, at, level, \
         outcome) VALUES ('forged', 'p1', 'a1', 1795000000005, 1, 'qualifies')",
    )
    .await;
    let (id, reason) = broken_at(store.audit_log().await.unwrap());
    assert_eq!(id, "forged");
    assert!(reason.contains("not in the chain"), "{reason}");
    // A restart does not launder it into the chain.
    let again = Store::connect(&db.url).await.unwrap();
    assert_eq!(broken_at(again.audit_log().await.unwrap()).0, "forged");
}

async fn a_failed_batch_fails_its_caller_and_leaves_the_chain_as_it_was(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "b", 2).await;
    let before = intact(store.audit_log().await.unwrap());
    // The same id again: the primary key refuses the batch.
    let err = store
        .log_verification(&record("b001", 9))
        .await
        .expect_err("a duplicate id is not written");
    assert!(matches!(err, StoreError::LogWrite(_)), "{err:?}");
    assert_eq!(intact(store.audit_log().await.unwrap()), before);
    assert_eq!(ids_in_log(&db.url).await, ["b000", "b001"]);
    // The writer goes on.
    store.log_verification(&record("b002", 2)).await.unwrap();
    assert_eq!(intact(store.audit_log().await.unwrap()).0, 3);
}

async fn two_nodes_extend_one_chain(engine: TestEngine) {
    let Some((a, db)) = world(engine).await else {
        return;
    };
    let b = Store::connect(&db.url).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..200i64 {
        let node = if i % 2 == 0 { a.clone() } else { b.clone() };
        tasks.push(tokio::spawn(async move {
            node.log_verification(&record(&format!("n{i:03}"), i)).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(ids_in_log(&db.url).await.len(), 200);
    let from_a = intact(a.audit_log().await.unwrap());
    assert_eq!(from_a.0, 200);
    assert_eq!(intact(b.audit_log().await.unwrap()), from_a);
}

async fn rows_from_before_the_chain_are_linked_in(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    // Rows as an older attesta wrote them: no place in the chain.
    for (id, at) in [("old-b", 2), ("old-a", 1), ("old-c", 3)] {
        exec(
            &db.url,
            &format!(
                "INSERT INTO verifications (verification_id, person_id, attestation_id, at, \
                 level, outcome) VALUES ('{id}', 'p1', 'a1', {at}, 1, 'qualifies')"
            ),
        )
        .await;
    }
    drop(store);
    // The next start links them, oldest first, then the chain goes on.
    let store = Store::connect(&db.url).await.unwrap();
    log_many(&store, "new", 2).await;
    assert_eq!(intact(store.audit_log().await.unwrap()).0, 5);
    let mut conn = raw(&db.url).await;
    let order: Vec<String> = sqlx::query("SELECT verification_id FROM verifications ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get("verification_id").unwrap())
        .collect();
    assert_eq!(order, ["old-a", "old-b", "old-c", "new000", "new001"]);
}

/// SPEC §12 retention: the entries before the cutoff go, the oldest first;
/// the kept log verifies from its oldest entry, with the same head; a
/// second run removes nothing; an entry then removed at the start behind
/// the jobs' back is named.
async fn retention_removes_the_oldest_and_the_rest_still_verifies(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "r", 10).await;
    let (_, head) = intact(store.audit_log().await.unwrap());
    // Entries r000–r003 were made before NOW + 4.
    assert_eq!(store.purge_verifications(NOW + 4).await.unwrap(), 4);
    assert_eq!(
        ids_in_log(&db.url).await,
        (4..10).map(|i| format!("r{i:03}")).collect::<Vec<_>>()
    );
    assert_eq!(intact(store.audit_log().await.unwrap()), (6, head.clone()));
    assert_eq!(store.purge_verifications(NOW + 4).await.unwrap(), 0);
    // Writing goes on after it.
    store.log_verification(&record("r100", 100)).await.unwrap();
    assert_eq!(intact(store.audit_log().await.unwrap()).0, 7);
    exec(
        &db.url,
        "DELETE FROM verifications WHERE verification_id = 'r004'",
    )
    .await;
    let (id, reason) = broken_at(store.audit_log().await.unwrap());
    assert_eq!(id, "r005", "{reason}");
    assert!(reason.contains("entries before it are missing"), "{reason}");
}

/// Retention past the newest entry empties the log; the chain head stays,
/// the empty log verifies, and the next entry links to that head.
async fn retention_of_every_entry_keeps_the_head(engine: TestEngine) {
    let Some((store, db)) = world(engine).await else {
        return;
    };
    log_many(&store, "e", 5).await;
    let (_, head) = intact(store.audit_log().await.unwrap());
    assert_eq!(store.purge_verifications(NOW + 1_000).await.unwrap(), 5);
    assert!(ids_in_log(&db.url).await.is_empty());
    assert_eq!(intact(store.audit_log().await.unwrap()), (0, head.clone()));
    store.log_verification(&record("e100", 100)).await.unwrap();
    let (entries, new_head) = intact(store.audit_log().await.unwrap());
    assert_eq!(entries, 1);
    assert_ne!(new_head, head);
}
