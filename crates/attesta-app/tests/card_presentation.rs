//! The verifier nonce of the card presentation check (issue #19): live only
//! as this server gave it, and only for its short life.

use std::sync::Arc;
use std::time::Duration;

use attesta_app::card_presentation::VERIFIER_NONCE_TTL;
use attesta_app::{App, Config, ManualClock};
use attesta_credential::ServerSecret;
use attesta_testkit::{TestEngine, fresh_store};
use time::macros::datetime;

async fn make_app() -> Option<(App, Arc<ManualClock>, impl Sized)> {
    let (store, db) = fresh_store(TestEngine::Sqlite).await.unwrap()?;
    let clock = Arc::new(ManualClock::new(datetime!(2026-06-01 10:00 UTC)));
    let config = Config::new("http://attesta.test");
    let app = App::with_clock(store, ServerSecret::generate(), config, clock.clone());
    Some((app, clock, db))
}

#[tokio::test]
async fn a_verifier_nonce_is_live_only_as_given_and_for_its_life() {
    let Some((app, clock, _db)) = make_app().await else {
        return;
    };
    let Some((other, _, _db2)) = make_app().await else {
        return;
    };
    let nonce = app.card_verifier_nonce();
    assert!(app.card_verifier_nonce_is_live(&nonce));
    assert_ne!(nonce, app.card_verifier_nonce(), "fresh each time");
    assert!(
        nonce.len() < 80 && nonce.bytes().all(|b| b.is_ascii_graphic()),
        "{nonce}"
    );
    // One character changed anywhere: refused.
    for i in 0..nonce.len() {
        let mut bad = nonce.clone().into_bytes();
        bad[i] = if bad[i] == b'0' { b'1' } else { b'0' };
        let bad = String::from_utf8(bad).unwrap();
        assert!(!app.card_verifier_nonce_is_live(&bad), "{bad}");
    }
    for junk in ["", ".", "..", "123.abc.", "x.y.z"] {
        assert!(!app.card_verifier_nonce_is_live(junk), "{junk}");
    }
    // Another server's secret did not make it.
    assert!(!other.card_verifier_nonce_is_live(&nonce));
    // Live until the end of its life, not after.
    clock.advance(Duration::from_secs(VERIFIER_NONCE_TTL as u64 - 1));
    assert!(app.card_verifier_nonce_is_live(&nonce));
    clock.advance(Duration::from_secs(1));
    assert!(!app.card_verifier_nonce_is_live(&nonce), "expired");
}
