//! EU Disability Card applications and cards, on both engines.

use attesta_domain::{CardSerial, CardStatus, Declaration, RevokeReason, parse_date};
use attesta_store::Store;
use attesta_store::cards::{CardApplyRefusal, CardIssue, CardListing, NewCardApplication};
use attesta_testkit::on_both_engines;

use crate::{CF, NOW, person};

on_both_engines!(
    one_open_application_per_person,
    decisions_happen_once,
    cards_are_revoked_once_and_listed,
);

async fn holder(store: &Store) -> String {
    store
        .upsert_person(&person(CF, "Mario"), NOW)
        .await
        .unwrap();
    store
        .person_by_fiscal_code(&attesta_domain::FiscalCode::parse(CF).unwrap())
        .await
        .unwrap()
        .unwrap()
        .person_id
}

fn application(id: &str, person_id: &str, at: i64) -> NewCardApplication {
    NewCardApplication {
        application_id: id.to_owned(),
        person_id: person_id.to_owned(),
        declaration: Some(Declaration {
            paper_pre2010: true,
            ..Declaration::default()
        }),
        photo_jpeg_base64: "/9j/AA==".to_owned(),
        submitted_at: at,
        submitted_by: "Mario Rossi".to_owned(),
    }
}

fn day(text: &str) -> time::Date {
    parse_date(text).unwrap()
}

fn serial(text: &str) -> CardSerial {
    CardSerial::parse(text).unwrap()
}

fn issue(serial_text: &str, expires_on: &str) -> CardIssue {
    CardIssue {
        serial: serial(serial_text),
        issued_on: day("2026-11-18"),
        expires_on: day(expires_on),
        a_mark: true,
        qr_text: "HTTP://X/C/EUDC1:ABC".to_owned(),
        decided_at: NOW + 10,
        decided_by: "back_office".to_owned(),
    }
}

async fn one_open_application_per_person(store: Store) {
    let pid = holder(&store).await;
    let today = day("2026-11-18");
    assert_eq!(
        store
            .insert_card_application(&application("a1", &pid, NOW), today)
            .await
            .unwrap(),
        Ok(())
    );
    // A pending application blocks a second one.
    assert_eq!(
        store
            .insert_card_application(&application("a2", &pid, NOW + 1), today)
            .await
            .unwrap(),
        Err(CardApplyRefusal::ApplicationOpen)
    );
    // After a rejection the citizen may apply again.
    assert!(
        store
            .reject_card_application("a1", "blurred photo", NOW + 2, "back_office")
            .await
            .unwrap()
    );
    store
        .insert_card_application(&application("a3", &pid, NOW + 3), today)
        .await
        .unwrap()
        .unwrap();
    // An active card blocks a new application until it has expired.
    assert!(
        store
            .approve_card_application("a3", &issue("IT1234567897", "2036-11-18"))
            .await
            .unwrap()
    );
    assert_eq!(
        store
            .insert_card_application(&application("a4", &pid, NOW + 4), today)
            .await
            .unwrap(),
        Err(CardApplyRefusal::ApplicationOpen)
    );
    store
        .insert_card_application(&application("a5", &pid, NOW + 5), day("2036-11-19"))
        .await
        .unwrap()
        .unwrap();
    let latest = store.latest_card_application(&pid).await.unwrap().unwrap();
    assert_eq!(latest.application_id, "a5");
    assert_eq!(latest.status, CardStatus::Pending);
}

async fn decisions_happen_once(store: Store) {
    let pid = holder(&store).await;
    store
        .insert_card_application(&application("a1", &pid, NOW), day("2026-11-18"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .reject_card_application("a1", "no", NOW + 1, "cli")
            .await
            .unwrap()
    );
    assert!(
        !store
            .approve_card_application("a1", &issue("IT1234567897", "2036-11-18"))
            .await
            .unwrap(),
        "a rejected application cannot be approved"
    );
    assert!(
        !store
            .reject_card_application("a1", "again", NOW + 2, "cli")
            .await
            .unwrap()
    );
    let a = store.card_application("a1").await.unwrap().unwrap();
    assert_eq!(a.status, CardStatus::Rejected);
    assert_eq!(a.reject_reason.as_deref(), Some("no"));
    assert_eq!(a.serial, None);
    assert!(
        !store
            .card_serial_taken(&serial("IT1234567897"))
            .await
            .unwrap()
    );
}

async fn cards_are_revoked_once_and_listed(store: Store) {
    let pid = holder(&store).await;
    store
        .insert_card_application(&application("a1", &pid, NOW), day("2026-11-18"))
        .await
        .unwrap()
        .unwrap();
    let pending = store
        .card_applications_by_status(CardListing::Stored(CardStatus::Pending), 10)
        .await
        .unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].fiscal_code, CF);
    assert_eq!(
        pending[0].declaration.as_ref().map(Declaration::to_json),
        Some(serde_json::json!({"paper_pre2010": true, "autonomous_region": false, "court": null}))
    );
    assert!(
        store
            .approve_card_application("a1", &issue("IT1234567897", "2036-11-18"))
            .await
            .unwrap()
    );
    assert!(
        store
            .card_serial_taken(&serial("IT1234567897"))
            .await
            .unwrap()
    );
    // Active through its last valid day, expired from the day after.
    let listed = |listing| {
        let store = store.clone();
        async move {
            store
                .card_applications_by_status(listing, 10)
                .await
                .unwrap()
                .len()
        }
    };
    assert_eq!(listed(CardListing::ActiveOn(day("2036-11-18"))).await, 1);
    assert_eq!(listed(CardListing::ExpiredBy(day("2036-11-18"))).await, 0);
    assert_eq!(listed(CardListing::ActiveOn(day("2036-11-19"))).await, 0);
    assert_eq!(listed(CardListing::ExpiredBy(day("2036-11-19"))).await, 1);
    assert_eq!(listed(CardListing::Stored(CardStatus::Active)).await, 1);
    let card = store
        .card_by_serial(&serial("IT1234567897"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(card.status, CardStatus::Active);
    assert_eq!(card.a_mark, Some(true));
    assert_eq!(card.expires_on, Some(day("2036-11-18")));
    assert_eq!(
        store
            .active_card_holders(&[CF.to_owned(), "BNCLRA85M41F205X".to_owned()])
            .await
            .unwrap(),
        vec![pid.clone()]
    );
    assert_eq!(store.active_cards_of(&pid).await.unwrap().len(), 1);
    assert!(
        store
            .revoke_card(
                &serial("IT1234567897"),
                RevokeReason::NoLongerEligible,
                NOW + 20
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_card(&serial("IT1234567897"), RevokeReason::BackOffice, NOW + 21)
            .await
            .unwrap()
    );
    let card = store
        .card_by_serial(&serial("IT1234567897"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(card.status, CardStatus::Revoked);
    assert_eq!(card.revoke_reason, Some(RevokeReason::NoLongerEligible));
    assert!(store.active_cards_of(&pid).await.unwrap().is_empty());
    assert!(
        store
            .card_applications_by_status(CardListing::Stored(CardStatus::Pending), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
