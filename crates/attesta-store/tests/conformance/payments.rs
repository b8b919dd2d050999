//! Payments of a benefit (SPEC §11), on both engines.

use attesta_domain::{Payment, PaymentInput, PaymentStatus};
use attesta_store::{PaymentError, PaymentOutcome, Store};
use attesta_testkit::on_both_engines;
use serde_json::{Value, json};
use time::macros::date;

use crate::{CF, NOW, with_person};

on_both_engines!(
    payments_are_idempotent_and_only_planned_becomes_paid,
    unknown_person_and_conflicts_write_nothing,
);

fn payment(v: Value) -> Payment {
    let mut m = json!({"payment_id": "P-1", "fiscal_code": CF, "benefit": "assegno_mensile",
        "period": "2026-10", "amount_eur": "333.33", "status": "planned"})
    .as_object()
    .unwrap()
    .clone();
    m.extend(v.as_object().unwrap().clone());
    PaymentInput::parse(
        &m,
        &["assegno_mensile", "pensione_inabilita"],
        date!(2026 - 11 - 23),
    )
    .unwrap()
}

async fn payments_are_idempotent_and_only_planned_becomes_paid(store: Store) {
    let mario = with_person(&store).await;
    assert!(store.payments_for(&mario).await.unwrap().is_empty());
    let planned = payment(json!({}));
    assert_eq!(
        store.ingest_payment(&planned, NOW).await.unwrap(),
        Ok(PaymentOutcome::Created)
    );
    assert_eq!(
        store.ingest_payment(&planned, NOW).await.unwrap(),
        Ok(PaymentOutcome::Unchanged)
    );
    let paid = payment(json!({"status": "paid", "paid_on": "2026-10-02"}));
    assert_eq!(
        store.ingest_payment(&paid, NOW).await.unwrap(),
        Ok(PaymentOutcome::MarkedPaid)
    );
    assert_eq!(
        store.ingest_payment(&paid, NOW).await.unwrap(),
        Ok(PaymentOutcome::Unchanged)
    );
    // Paid does not go back to planned.
    assert_eq!(
        store.ingest_payment(&planned, NOW).await.unwrap(),
        Err(PaymentError::Conflict(vec!["status", "paid_on"]))
    );
    let older = payment(json!({"payment_id": "P-0", "period": "2026-09",
        "benefit": "pensione_inabilita", "amount_eur": "1234.5"}));
    store.ingest_payment(&older, NOW).await.unwrap().unwrap();
    let listed = store.payments_for(&mario).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|p| p.payment_id.as_str()).collect();
    assert_eq!(ids, ["P-1", "P-0"], "newest period first");
    assert_eq!(listed[0].status, PaymentStatus::Paid);
    assert_eq!(listed[0].paid_on, Some(date!(2026 - 10 - 02)));
    assert_eq!(listed[1].amount.cents(), 123_450);
    assert_eq!(listed[1].period.as_string(), "2026-09");
}

async fn unknown_person_and_conflicts_write_nothing(store: Store) {
    let p = payment(json!({}));
    assert_eq!(
        store.ingest_payment(&p, NOW).await.unwrap(),
        Err(PaymentError::UnknownPerson)
    );
    let mario = with_person(&store).await;
    assert!(store.payments_for(&mario).await.unwrap().is_empty());
    store.ingest_payment(&p, NOW).await.unwrap().unwrap();
    let other = payment(json!({"amount_eur": "333.34", "period": "2026-11"}));
    assert_eq!(
        store.ingest_payment(&other, NOW).await.unwrap(),
        Err(PaymentError::Conflict(vec!["period", "amount_eur"]))
    );
    let listed = store.payments_for(&mario).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].amount.cents(), 33_333);
}
