//! A card credential end to end: issue, render the QR as PNG, read it with
//! ZBar, verify offline; then revocation, the clock, tampering, missing or
//! stale status lists, and key rotation.

use attesta_credential::card::codec::percent_encode_path;
use attesta_credential::card::png::qr_png;
use attesta_credential::card::{
    CardClaims, CardSigningKey, KeySet, Outcome, StatusInput, StatusList, StatusListToken,
    StatusRef, issue_card, verify_card,
};
use qrcode::types::Mode;
use qrcode::{EcLevel, QrCode};

const PUBLIC_URL: &str = "https://attesta.example.it";
const URI: &str = "https://attesta.example.it/api/v1/status-lists/0123456789abcdef";
const IAT: i64 = 1_780_000_000; // 2026-05-28
const EXP: i64 = IAT + 10 * 365 * 86_400;
const TTL: i64 = 86_400;

fn claims(serial: &str, idx: u64) -> CardClaims {
    CardClaims {
        issuer: PUBLIC_URL.into(),
        expires_at: EXP,
        issued_at: IAT,
        serial: serial.into(),
        status: StatusRef {
            idx,
            uri: URI.into(),
        },
    }
}

fn status_cwt(key: &CardSigningKey, revoked: &[u64], iat: i64) -> Vec<u8> {
    let mut list = StatusList::new(1, 1 << 14).unwrap();
    for i in revoked {
        assert!(list.set(*i, 1));
    }
    StatusListToken {
        uri: URI.into(),
        issued_at: iat,
        expires_at: Some(iat + TTL),
        ttl: Some(TTL),
        list,
    }
    .sign(key)
    .unwrap()
}

fn keys(of: &[&CardSigningKey]) -> KeySet {
    // Through the JWK Set, as a verifier downloads it.
    let set = KeySet::new(of.iter().map(|k| k.public().clone()).collect());
    KeySet::from_jwks(set.to_jwks().to_string().as_bytes()).unwrap()
}

#[test]
fn issue_render_read_verify_revoke() {
    let key = CardSigningKey::generate();
    let (payload, url) = issue_card(&claims("EUDC-IT-000123", 5), &key, PUBLIC_URL).unwrap();
    assert!(payload.starts_with("EUDC1:"));
    assert!(url.starts_with("HTTPS://ATTESTA.EXAMPLE.IT/C/EUDC1:"));
    // The whole URL is in the QR alphanumeric set, so the QR needs no byte
    // mode. (The encoder may put a long run of digits in numeric mode,
    // which is denser: how many digits come in a row depends on the random
    // key, so the segments are alphanumeric or numeric.)
    assert!(
        url.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase() || " $%*+-./:".contains(c))
    );
    let auto = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).unwrap();
    let segments: Vec<_> = qrcode::optimize::Parser::new(url.as_bytes())
        .optimize(auto.version())
        .collect();
    assert!(
        segments
            .iter()
            .all(|s| matches!(s.mode, Mode::Alphanumeric | Mode::Numeric)),
        "{segments:?}"
    );

    // ZBar reads exactly the URL back (skipped without ZBar, except in CI).
    let png = qr_png(&url, 4).unwrap();
    if let Some(read) = attesta_testkit::read_qr_png(&png) {
        assert_eq!(read, url);
    }

    let ks = keys(&[&key]);
    let now = IAT + 3600;
    let fresh = status_cwt(&key, &[], now - 60);
    let v = verify_card(&url, &ks, StatusInput::Cwt(&fresh), now);
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    assert_eq!(v.serial.as_deref(), Some("EUDC-IT-000123"));
    assert_eq!(v.expires_at, Some(EXP));
    // The bare payload verifies the same.
    assert_eq!(
        verify_card(&payload, &ks, StatusInput::Cwt(&fresh), now).outcome,
        Outcome::Valid
    );

    // Revocation: the new list flips bit 5.
    let revoked = status_cwt(&key, &[5], now);
    assert_eq!(
        verify_card(&url, &ks, StatusInput::Cwt(&revoked), now).outcome,
        Outcome::Revoked
    );
    // Another card's bit does not matter.
    let other = status_cwt(&key, &[6], now);
    assert_eq!(
        verify_card(&url, &ks, StatusInput::Cwt(&other), now).outcome,
        Outcome::Valid
    );

    // The clock.
    let late = EXP + 1;
    let late_list = status_cwt(&key, &[], late);
    assert_eq!(
        verify_card(&url, &ks, StatusInput::Cwt(&late_list), late).outcome,
        Outcome::Expired
    );
    assert_eq!(
        verify_card(&url, &ks, StatusInput::Cwt(&fresh), IAT - 1).outcome,
        Outcome::NotYetValid
    );

    // No or stale status list.
    let v = verify_card(&url, &ks, StatusInput::None, now);
    assert_eq!(v.outcome, Outcome::Undetermined, "{v:?}");
    let v = verify_card(&url, &ks, StatusInput::Cwt(&fresh), now + TTL);
    assert_eq!(v.outcome, Outcome::Undetermined, "{v:?}");
    assert!(v.reason.contains("stale"));
    // A status list signed by an unknown key is not trusted (and not "revoked").
    let stranger = CardSigningKey::generate();
    let forged = status_cwt(&stranger, &[5], now);
    assert_eq!(
        verify_card(&url, &ks, StatusInput::Cwt(&forged), now).outcome,
        Outcome::Undetermined
    );
}

#[test]
fn one_changed_character_breaks_the_signature() {
    let key = CardSigningKey::generate();
    let ks = keys(&[&key]);
    let now = IAT + 10;
    let list = status_cwt(&key, &[], now);
    let (payload, _) = issue_card(&claims("EUDC-IT-000777", 1), &key, PUBLIC_URL).unwrap();
    let b45 = &payload["EUDC1:".len()..];
    let mut changed = 0;
    for i in 0..b45.len() {
        let mut chars: Vec<char> = b45.chars().collect();
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let tampered = format!("EUDC1:{}", chars.into_iter().collect::<String>());
        let v = verify_card(&tampered, &ks, StatusInput::Cwt(&list), now);
        assert_eq!(v.outcome, Outcome::InvalidSignature, "position {i}: {v:?}");
        changed += 1;
    }
    assert!(changed > 50);
}

#[test]
fn rotation_keeps_old_cards_valid_and_unknown_kids_are_named() {
    let old = CardSigningKey::generate();
    let new = CardSigningKey::generate();
    let (old_card, _) = issue_card(&claims("EUDC-IT-1", 1), &old, PUBLIC_URL).unwrap();
    let (new_card, _) = issue_card(&claims("EUDC-IT-2", 2), &new, PUBLIC_URL).unwrap();
    let now = IAT + 100;
    // After rotation the list is signed by the new key; both keys are published.
    let ks = keys(&[&old, &new]);
    let list = status_cwt(&new, &[], now);
    assert_eq!(
        verify_card(&old_card, &ks, StatusInput::Cwt(&list), now).outcome,
        Outcome::Valid
    );
    assert_eq!(
        verify_card(&new_card, &ks, StatusInput::Cwt(&list), now).outcome,
        Outcome::Valid
    );
    // A verifier whose set lacks the key: invalid_signature naming the kid.
    let only_new = keys(&[&new]);
    let v = verify_card(&old_card, &only_new, StatusInput::Cwt(&list), now);
    assert_eq!(v.outcome, Outcome::InvalidSignature);
    assert!(v.reason.contains(&old.kid().to_string()), "{}", v.reason);
}

#[test]
fn url_overhead_is_measured() {
    // The cost of percent-encoding space, %, + and / (docs/card-credential.md).
    let key = CardSigningKey::generate();
    let (mut raw, mut enc) = (0usize, 0usize);
    for i in 0..200u64 {
        let (payload, _) =
            issue_card(&claims(&format!("EUDC-IT-{i:06}"), i), &key, PUBLIC_URL).unwrap();
        raw += payload.len();
        enc += percent_encode_path(&payload).len();
    }
    let overhead = (enc - raw) as f64 / raw as f64;
    eprintln!(
        "card payload: {} characters on average; percent-encoding adds {:.1} %",
        raw / 200,
        overhead * 100.0
    );
    assert!(overhead < 0.30, "{overhead}");
}
