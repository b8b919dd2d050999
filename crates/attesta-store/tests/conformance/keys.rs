//! Card signing keys, status-list slots and revocation, on both engines.

use attesta_store::Store;
use attesta_store::keys::KeyState;
use attesta_testkit::on_both_engines;

const NOW: i64 = 1_795_000_000_000;
const YEAR: i64 = 365 * 86_400_000;

on_both_engines!(
    keys_rotate_and_retired_keys_stay_published_until_their_cards_expire,
    one_active_key_at_most,
    card_slots_are_allocated_kept_and_revoked,
    card_slots_are_random_and_fill_the_list,
);

async fn keys_rotate_and_retired_keys_stay_published_until_their_cards_expire(store: Store) {
    store
        .insert_signing_key("k1", "{}", KeyState::Active, NOW)
        .await
        .unwrap();
    store
        .insert_signing_key("k2", "{}", KeyState::Next, NOW + 1)
        .await
        .unwrap();
    let published = store.published_signing_keys(NOW).await.unwrap();
    assert_eq!(
        published.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(),
        ["k1", "k2"]
    );
    assert_eq!(store.active_signing_key().await.unwrap().unwrap().kid, "k1");

    // k1 signs a card valid for ten years.
    store
        .record_card_credential("S1", "k1", NOW, NOW + 10 * YEAR, 1024)
        .await
        .unwrap();
    assert!(store.activate_signing_key("k2", NOW + 2).await.unwrap());
    assert!(
        !store.activate_signing_key("k2", NOW + 3).await.unwrap(),
        "not a next key any more"
    );
    let keys = store.signing_keys().await.unwrap();
    assert_eq!(keys[0].state, KeyState::Retired);
    assert_eq!(keys[0].retired_at, Some(NOW + 2));
    assert_eq!(keys[1].state, KeyState::Active);
    // Still published while its card is valid, gone afterwards.
    let at = |t| {
        let store = store.clone();
        async move {
            store
                .published_signing_keys(t)
                .await
                .unwrap()
                .into_iter()
                .map(|k| k.kid)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(at(NOW + 5 * YEAR).await, ["k1", "k2"]);
    assert_eq!(at(NOW + 10 * YEAR).await, ["k2"]);
}

async fn one_active_key_at_most(store: Store) {
    store
        .insert_signing_key("a", "{}", KeyState::Active, NOW)
        .await
        .unwrap();
    assert!(
        store
            .insert_signing_key("b", "{}", KeyState::Active, NOW)
            .await
            .is_err()
    );
}

async fn card_slots_are_allocated_kept_and_revoked(store: Store) {
    store
        .insert_signing_key("k", "{}", KeyState::Active, NOW)
        .await
        .unwrap();
    let a = store
        .record_card_credential("A", "k", NOW, NOW + YEAR, 2)
        .await
        .unwrap();
    let b = store
        .record_card_credential("B", "k", NOW, NOW + YEAR, 2)
        .await
        .unwrap();
    // Random slots: with two, they are 0 and 1 in either order.
    assert_eq!(
        [a.idx.min(b.idx), a.idx.max(b.idx)],
        [0, 1],
        "two distinct slots"
    );
    assert_eq!(a.list_id, b.list_id);
    // The list is full: the next card opens a new one.
    let c = store
        .record_card_credential("C", "k", NOW, NOW + YEAR, 2)
        .await
        .unwrap();
    assert_ne!(c.list_id, a.list_id);
    assert!((0..2).contains(&c.idx));
    // Re-issuing keeps the slot.
    let a2 = store
        .record_card_credential("A", "k", NOW + 5, NOW + 2 * YEAR, 2)
        .await
        .unwrap();
    assert_eq!((a2.list_id.as_str(), a2.idx), (a.list_id.as_str(), a.idx));
    assert_eq!(a2.expires_at, NOW + 2 * YEAR);
    assert_eq!(
        store.signing_keys().await.unwrap()[0].last_expiry,
        Some(NOW + 2 * YEAR)
    );

    let revoked = store
        .revoke_card_credential("B", NOW + 10)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(revoked.revoked_at, Some(NOW + 10));
    // The first revocation counts.
    let again = store
        .revoke_card_credential("B", NOW + 20)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.revoked_at, Some(NOW + 10));
    assert!(
        store
            .revoke_card_credential("nope", NOW)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.revoked_indexes(&a.list_id).await.unwrap(), [b.idx]);
    assert!(store.revoked_indexes(&c.list_id).await.unwrap().is_empty());

    let list = store.status_list(&a.list_id).await.unwrap().unwrap();
    assert_eq!((list.bits, list.capacity, list.next_idx), (1, 2, 2));
    assert_eq!(list.token, None);
    store
        .save_status_list_token(&a.list_id, "t2", NOW + 2)
        .await
        .unwrap();
    store
        .save_status_list_token(&a.list_id, "t1", NOW + 1)
        .await
        .unwrap();
    let list = store.status_list(&a.list_id).await.unwrap().unwrap();
    assert_eq!(
        (list.token.as_deref(), list.token_issued_at),
        (Some("t2"), Some(NOW + 2))
    );
}

async fn card_slots_are_random_and_fill_the_list(store: Store) {
    store
        .insert_signing_key("k", "{}", KeyState::Active, NOW)
        .await
        .unwrap();
    // A list of 16 filled completely: every slot once (the last ones by the
    // pick among free slots), then a new list.
    let mut slots = Vec::new();
    for n in 0..16 {
        let c = store
            .record_card_credential(&format!("S{n}"), "k", NOW, NOW + YEAR, 16)
            .await
            .unwrap();
        slots.push((c.list_id, c.idx));
    }
    assert!(slots.iter().all(|(list, _)| *list == slots[0].0));
    let mut sorted: Vec<i64> = slots.iter().map(|(_, i)| *i).collect();
    let issue_order = sorted.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..16).collect::<Vec<_>>());
    // The order of issue is not the order of the slots (the odds of 16
    // random picks coming out sorted are 1 in 16!).
    assert_ne!(issue_order, sorted, "slots handed out in issue order");
    let next = store
        .record_card_credential("S16", "k", NOW, NOW + YEAR, 16)
        .await
        .unwrap();
    assert_ne!(next.list_id, slots[0].0);
}
