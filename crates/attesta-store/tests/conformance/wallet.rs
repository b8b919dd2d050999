//! The wallet's offers, tokens, nonces and credentials (issue #19,
//! migration 0015), on both engines.

use attesta_store::Store;
use attesta_store::wallet::{OfferState, WalletCredentialRecord, WalletOfferRecord};
use attesta_testkit::on_both_engines;

use crate::{NOW, with_person};

on_both_engines!(
    an_offer_is_found_by_its_code_hash_only,
    wrong_codes_are_counted_exactly_and_burn_at_the_limit,
    an_offer_is_redeemed_once_and_not_after_it_expires,
    a_token_is_spent_once_with_its_credential,
    a_nonce_is_used_once_and_not_after_it_expires,
);

const MINUTE: i64 = 60_000;

fn offer(person_id: &str, id: &str) -> WalletOfferRecord {
    WalletOfferRecord {
        offer_id: id.into(),
        person_id: person_id.into(),
        serial: "IT1234567897".into(),
        code_hash: format!("code-hash-{id}"),
        tx_code_mac: format!("mac-{id}"),
        failures: 0,
        state: OfferState::Pending,
        created_at: NOW,
        expires_at: NOW + 10 * MINUTE,
        used_at: None,
    }
}

fn credential(person_id: &str, id: &str) -> WalletCredentialRecord {
    WalletCredentialRecord {
        credential_id: id.into(),
        person_id: person_id.into(),
        serial: "IT1234567897".into(),
        holder_thumbprint: format!("thumb-{id}"),
        issued_at: NOW + MINUTE,
    }
}

async fn an_offer_is_found_by_its_code_hash_only(store: Store) {
    let person = with_person(&store).await;
    let o = offer(&person, "O1");
    store.insert_wallet_offer(&o).await.unwrap();
    assert_eq!(
        store.wallet_offer_by_code("code-hash-O1").await.unwrap(),
        Some(o)
    );
    assert_eq!(store.wallet_offer_by_code("O1").await.unwrap(), None);
    store.delete_wallet_offer("O1").await.unwrap();
    assert_eq!(
        store.wallet_offer_by_code("code-hash-O1").await.unwrap(),
        None
    );
}

async fn wrong_codes_are_counted_exactly_and_burn_at_the_limit(store: Store) {
    let person = with_person(&store).await;
    store
        .insert_wallet_offer(&offer(&person, "O1"))
        .await
        .unwrap();
    // Three wrong codes at once: each counted once, the third burns.
    let (a, b, c) = tokio::join!(
        store.wallet_offer_failure("O1", 3),
        store.wallet_offer_failure("O1", 3),
        store.wallet_offer_failure("O1", 3),
    );
    let mut seen: Vec<(i64, OfferState)> =
        [a, b, c].into_iter().map(|r| r.unwrap().unwrap()).collect();
    seen.sort_by_key(|(n, _)| *n);
    assert_eq!(
        seen,
        [
            (1, OfferState::Pending),
            (2, OfferState::Pending),
            (3, OfferState::Burned)
        ]
    );
    // A burned offer counts no more and cannot be redeemed.
    assert_eq!(store.wallet_offer_failure("O1", 3).await.unwrap(), None);
    assert!(
        !store
            .redeem_wallet_offer("O1", "token-hash", NOW + 1, NOW + 5 * MINUTE)
            .await
            .unwrap()
    );
    let stored = store
        .wallet_offer_by_code("code-hash-O1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.failures, stored.state), (3, OfferState::Burned));
    assert_eq!(
        store.wallet_token("token-hash", NOW + 1).await.unwrap(),
        None
    );
}

async fn an_offer_is_redeemed_once_and_not_after_it_expires(store: Store) {
    let person = with_person(&store).await;
    store
        .insert_wallet_offer(&offer(&person, "O1"))
        .await
        .unwrap();
    store
        .insert_wallet_offer(&offer(&person, "O2"))
        .await
        .unwrap();
    let (a, b) = tokio::join!(
        store.redeem_wallet_offer("O1", "t-a", NOW + 1, NOW + 5 * MINUTE),
        store.redeem_wallet_offer("O1", "t-b", NOW + 1, NOW + 5 * MINUTE),
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|w| **w).count(), 1);
    let stored = store
        .wallet_offer_by_code("code-hash-O1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.state, OfferState::Used);
    assert_eq!(stored.used_at, Some(NOW + 1));
    let tokens = [
        store.wallet_token("t-a", NOW + 2).await.unwrap(),
        store.wallet_token("t-b", NOW + 2).await.unwrap(),
    ];
    let live: Vec<_> = tokens.iter().flatten().collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].offer_id, "O1");
    assert_eq!(live[0].person_id, person);
    assert_eq!(live[0].serial, "IT1234567897");
    assert_eq!(live[0].expires_at, NOW + 5 * MINUTE);
    // A used offer counts no wrong code.
    assert_eq!(store.wallet_offer_failure("O1", 3).await.unwrap(), None);
    // The last instant before expiry redeems; expiry itself does not.
    assert!(
        !store
            .redeem_wallet_offer("O2", "t-c", NOW + 10 * MINUTE, NOW + 15 * MINUTE)
            .await
            .unwrap()
    );
    assert_eq!(
        store.wallet_token("t-c", NOW + 10 * MINUTE).await.unwrap(),
        None
    );
    assert!(
        store
            .redeem_wallet_offer("O2", "t-c", NOW + 10 * MINUTE - 1, NOW + 15 * MINUTE)
            .await
            .unwrap()
    );
}

async fn a_token_is_spent_once_with_its_credential(store: Store) {
    let person = with_person(&store).await;
    store
        .insert_wallet_offer(&offer(&person, "O1"))
        .await
        .unwrap();
    assert!(
        store
            .redeem_wallet_offer("O1", "t", NOW, NOW + 5 * MINUTE)
            .await
            .unwrap()
    );
    // An expired token is no token.
    assert_eq!(
        store.wallet_token("t", NOW + 5 * MINUTE).await.unwrap(),
        None
    );
    assert!(
        !store
            .spend_wallet_token("t", NOW + 5 * MINUTE, &credential(&person, "C0"))
            .await
            .unwrap()
    );
    let (c1, c2) = (credential(&person, "C1"), credential(&person, "C2"));
    let (a, b) = tokio::join!(
        store.spend_wallet_token("t", NOW + MINUTE, &c1),
        store.spend_wallet_token("t", NOW + MINUTE, &c2),
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|w| **w).count(), 1);
    assert_eq!(store.wallet_token("t", NOW + MINUTE).await.unwrap(), None);
    let issued = store.wallet_credentials_of("IT1234567897").await.unwrap();
    assert_eq!(issued.len(), 1, "one credential per token: {issued:?}");
    assert!(["C1", "C2"].contains(&issued[0].credential_id.as_str()));
    assert_eq!(issued[0].issued_at, NOW + MINUTE);
    assert_eq!(issued[0].person_id, person);
    assert!(
        store
            .wallet_credentials_of("IT0000000000")
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_nonce_is_used_once_and_not_after_it_expires(store: Store) {
    store
        .insert_wallet_nonce("n1", NOW, NOW + 5 * MINUTE)
        .await
        .unwrap();
    store
        .insert_wallet_nonce("n2", NOW, NOW + 5 * MINUTE)
        .await
        .unwrap();
    assert!(!store.use_wallet_nonce("unknown", NOW).await.unwrap());
    let (a, b) = tokio::join!(
        store.use_wallet_nonce("n1", NOW + 1),
        store.use_wallet_nonce("n1", NOW + 1),
    );
    assert_eq!([a.unwrap(), b.unwrap()].iter().filter(|w| **w).count(), 1);
    assert!(!store.use_wallet_nonce("n1", NOW + 2).await.unwrap());
    assert!(
        !store
            .use_wallet_nonce("n2", NOW + 5 * MINUTE)
            .await
            .unwrap()
    );
    // Expired nonces go when a new one is stored.
    store
        .insert_wallet_nonce("n3", NOW + 5 * MINUTE, NOW + 10 * MINUTE)
        .await
        .unwrap();
    assert!(!store.use_wallet_nonce("n2", NOW).await.unwrap());
    assert!(
        store
            .use_wallet_nonce("n3", NOW + 6 * MINUTE)
            .await
            .unwrap()
    );
}
