//! Messages from the back office (SPEC §11), on both engines.

use attesta_domain::FiscalCode;
use attesta_store::Store;
use attesta_testkit::on_both_engines;

use crate::{NOW, person, with_person};

on_both_engines!(
    messages_are_listed_newest_first_with_their_reading,
    only_the_owner_marks_a_message_read,
);

const OTHER: &str = attesta_testkit::people::GIULIA;

async fn other_person(store: &Store) -> String {
    store
        .upsert_person(&person(OTHER, "Giulia"), NOW)
        .await
        .unwrap();
    store
        .person_by_fiscal_code(&FiscalCode::parse(OTHER).unwrap())
        .await
        .unwrap()
        .unwrap()
        .person_id
}

async fn messages_are_listed_newest_first_with_their_reading(store: Store) {
    let mario = with_person(&store).await;
    assert!(store.messages_for(&mario).await.unwrap().is_empty());
    assert_eq!(store.unread_message_count(&mario).await.unwrap(), 0);
    let first = store
        .add_message(&mario, "Primo", "riga 1\nriga 2", NOW)
        .await
        .unwrap();
    let second = store
        .add_message(&mario, "Secondo", "<b>x</b>", NOW + 1_000)
        .await
        .unwrap();
    assert_ne!(first, second);
    assert_eq!(first.len(), 32);
    let listed = store.messages_for(&mario).await.unwrap();
    let ids: Vec<&str> = listed.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    assert_eq!(listed[0].subject, "Secondo");
    assert_eq!(listed[0].body, "<b>x</b>");
    assert_eq!(listed[0].created_at, NOW + 1_000);
    assert_eq!(listed[1].body, "riga 1\nriga 2");
    assert!(listed.iter().all(|m| m.read_at.is_none()));
    assert_eq!(store.unread_message_count(&mario).await.unwrap(), 2);

    assert!(
        store
            .mark_message_read(&mario, &first, NOW + 2_000)
            .await
            .unwrap()
    );
    assert_eq!(store.unread_message_count(&mario).await.unwrap(), 1);
    // Marking again is fine and keeps the first reading time.
    assert!(
        store
            .mark_message_read(&mario, &first, NOW + 9_000)
            .await
            .unwrap()
    );
    let listed = store.messages_for(&mario).await.unwrap();
    assert_eq!(listed[1].read_at, Some(NOW + 2_000));
    assert_eq!(listed[0].read_at, None);
    assert_eq!(store.unread_message_count(&mario).await.unwrap(), 1);
}

async fn only_the_owner_marks_a_message_read(store: Store) {
    let mario = with_person(&store).await;
    let giulia = other_person(&store).await;
    let for_mario = store
        .add_message(&mario, "Oggetto", "Testo", NOW)
        .await
        .unwrap();
    assert!(
        !store
            .mark_message_read(&giulia, &for_mario, NOW + 1)
            .await
            .unwrap()
    );
    assert!(
        !store
            .mark_message_read(&mario, "00000000000000000000000000000000", NOW + 1)
            .await
            .unwrap()
    );
    assert_eq!(store.unread_message_count(&mario).await.unwrap(), 1);
    assert!(store.messages_for(&giulia).await.unwrap().is_empty());
    assert_eq!(store.unread_message_count(&giulia).await.unwrap(), 0);
}
