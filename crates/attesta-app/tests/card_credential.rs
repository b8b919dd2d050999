//! Card credential use cases on a real database: keys, issue, revoke,
//! status list, rotation, and a node without the private key.

use attesta_app::ErrorCode;
use attesta_store::keys::KeyState;
use std::sync::Arc;
use std::time::Duration;

use attesta_app::{App, Config, ManualClock};
use attesta_credential::ServerSecret;
use attesta_credential::card::{KeySet, Outcome, StatusInput, verify_card};
use attesta_testkit::{TestEngine, fresh_store, on_both_engines};
use time::macros::{date, datetime};

on_both_engines!(
    issue_verify_revoke_rotate,
    a_node_without_the_private_key_refuses_to_sign,
);

async fn app(
    engine: TestEngine,
    keys_dir: Option<&std::path::Path>,
) -> Option<(App, Arc<ManualClock>, impl Sized)> {
    let (store, db) = fresh_store(engine).await.unwrap()?;
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 10:00 UTC)));
    let mut config = Config::new("http://attesta.test");
    config.keys_dir = keys_dir.map(|p| p.to_path_buf());
    let app = App::with_clock(store, ServerSecret::generate(), config, clock.clone());
    Some((app, clock, db))
}

async fn issue_verify_revoke_rotate(engine: TestEngine) {
    let dir = tempfile::tempdir().unwrap();
    let Some((app, clock, _db)) = app(engine, Some(dir.path())).await else {
        return;
    };

    // No key yet: a clear refusal.
    let err = app
        .issue_card_credential("EUDC-1", date!(2030 - 01 - 31))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::SigningKeyUnavailable);
    assert!(err.message.contains("attesta keys generate"));

    let first = app.generate_signing_key().await.unwrap();
    assert_eq!(first.state, KeyState::Active);
    assert!(first.private_key_here);
    let file = dir.path().join(format!("{}.pem", first.kid));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }

    let card = app
        .issue_card_credential("EUDC-1", date!(2030 - 01 - 31))
        .await
        .unwrap();
    assert!(card.qr_text.starts_with("HTTP://ATTESTA.TEST/C/EUDC1:"));
    assert!((0..attesta_app::cards_credential::STATUS_LIST_CAPACITY).contains(&card.index));
    // Valid until the end of 31 January 2030 in Rome (UTC+1).
    assert_eq!(card.expires_at, datetime!(2030-02-01 00:00 +1));

    let jwks = app.card_jwks().await.unwrap().to_string();
    let keys = KeySet::from_jwks(jwks.as_bytes()).unwrap();
    let list_id = card.status_list_uri.rsplit('/').next().unwrap().to_owned();
    let now = app.now().unix_timestamp();
    let cwt = app.status_list_cwt(&list_id).await.unwrap();
    assert_eq!(
        verify_card(&card.qr_text, &keys, StatusInput::Cwt(&cwt), now).outcome,
        Outcome::Valid
    );
    assert_eq!(
        app.check_card_credential(&card.qr_text)
            .await
            .unwrap()
            .outcome,
        Outcome::Valid
    );

    // Rotation: a next key is published before it signs.
    let next = app.generate_signing_key().await.unwrap();
    assert_eq!(next.state, KeyState::Next);
    assert!(next.published);
    let card2 = app
        .issue_card_credential("EUDC-2", date!(2030 - 01 - 31))
        .await
        .unwrap();
    assert_eq!(card2.kid, first.kid, "the next key does not sign yet");
    let rotated = app.rotate_signing_key().await.unwrap();
    assert_eq!(rotated.kid, next.kid);
    assert_eq!(rotated.state, KeyState::Active);
    let card3 = app
        .issue_card_credential("EUDC-3", date!(2030 - 01 - 31))
        .await
        .unwrap();
    assert_eq!(card3.kid, next.kid);
    // Three cards, three different slots of the same list.
    assert_eq!(card3.status_list_uri, card.status_list_uri);
    assert!(card3.index != card.index && card3.index != card2.index && card.index != card2.index);
    let views = app.signing_keys().await.unwrap();
    let old = views.iter().find(|k| k.kid == first.kid).unwrap();
    assert_eq!(old.state, KeyState::Retired);
    assert!(old.published, "the old key's cards are still valid");
    // Old cards still verify with the published set.
    let keys = KeySet::from_jwks(app.card_jwks().await.unwrap().to_string().as_bytes()).unwrap();
    assert_eq!(keys.keys().len(), 2);
    assert_eq!(
        app.check_card_credential(&card.qr_text)
            .await
            .unwrap()
            .outcome,
        Outcome::Valid
    );

    // Revocation flips the bit in the served list.
    app.revoke_card_credential("EUDC-1").await.unwrap();
    let cwt = app.status_list_cwt(&list_id).await.unwrap();
    assert_eq!(
        verify_card(&card.qr_text, &keys, StatusInput::Cwt(&cwt), now).outcome,
        Outcome::Revoked
    );
    assert_eq!(
        verify_card(&card3.qr_text, &keys, StatusInput::Cwt(&cwt), now).outcome,
        Outcome::Valid
    );
    assert_eq!(
        app.check_card_credential(&card.qr_text)
            .await
            .unwrap()
            .outcome,
        Outcome::Revoked
    );
    assert_eq!(
        app.revoke_card_credential("nope")
            .await
            .unwrap_err()
            .status(),
        404
    );

    // A rotate with no next key explains what to do.
    assert_eq!(
        app.rotate_signing_key().await.unwrap_err().code,
        ErrorCode::NoNextKey
    );

    // Past the expiry the online check says expired.
    clock.advance(Duration::from_secs(5 * 366 * 86_400));
    assert_eq!(
        app.check_card_credential(&card3.qr_text)
            .await
            .unwrap()
            .outcome,
        Outcome::Expired
    );
}

async fn a_node_without_the_private_key_refuses_to_sign(engine: TestEngine) {
    let dir = tempfile::tempdir().unwrap();
    let Some((app, _clock, _db)) = app(engine, Some(dir.path())).await else {
        return;
    };
    let key = app.generate_signing_key().await.unwrap();
    std::fs::remove_file(dir.path().join(format!("{}.pem", key.kid))).unwrap();
    let err = app
        .issue_card_credential("EUDC-9", date!(2030 - 01 - 31))
        .await
        .unwrap_err();
    assert_eq!(err.status(), 503);
    assert_eq!(err.code, ErrorCode::SigningKeyUnavailable);
    assert!(err.message.contains(&key.kid), "{}", err.message);
}
