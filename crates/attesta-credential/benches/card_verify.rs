//! Offline card verification against its physical limit (issue #15, row 5).
//!
//! - `card_verify/attesta`: [`verify_card`] — the function the server's
//!   `/c/…` page and `attesta card verify` call — on the QR text as a
//!   camera reads it: the URL, percent-decoding, `EUDC1:`, Base45, zlib,
//!   COSE_Sign1, the kid, ES256, the claims, the dates and the status list
//!   (one the verifier already trusts, as a phone holds a downloaded list),
//!   down to the outcome.
//! - `card_verify/ring_es256`: ring alone verifying the same signature over
//!   the same `Sig_structure` bytes with the same public key: what no
//!   verifier can beat. The target is attesta ≥ 0.8 of it.
//!
//! Each run writes the QR text to `target/bench/card_qr.txt` and the public
//! key (SPKI PEM) to `target/bench/card_pub.pem`, so the pycose comparison
//! (`bench/`) verifies the very same input.
//!
//! `cargo test --benches` (debug build) runs each benchmark once, as CI does.

use std::hint::black_box;
use std::path::PathBuf;

use attesta_credential::card::codec::{CARD_PREFIX, decode_layers, extract_payload};
use attesta_credential::card::cose::parse_sign1;
use attesta_credential::card::{
    CardClaims, CardSigningKey, KeySet, Outcome, StatusInput, StatusList, StatusListToken,
    StatusRef, issue_card, verify_card,
};
use criterion::{Criterion, criterion_group, criterion_main};
use p256::pkcs8::{DecodePublicKey as _, EncodePublicKey as _, LineEnding};
use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};

const PUBLIC_URL: &str = "https://attesta.example.it";
const URI: &str = "https://attesta.example.it/api/v1/status-lists/0123456789abcdef";
const IAT: i64 = 1_780_000_000;
const NOW: i64 = IAT + 3600;

/// A card as the server issues it, the key set a verifier downloads, and a
/// status list it trusts (card 5 of 16 Ki, not revoked).
struct Fixture {
    qr: String,
    keys: KeySet,
    list: StatusListToken,
    spki_der: Vec<u8>,
    point: Vec<u8>,
    tbs: Vec<u8>,
    signature: Vec<u8>,
}

fn fixture() -> Fixture {
    let key = CardSigningKey::generate();
    let claims = CardClaims {
        issuer: PUBLIC_URL.into(),
        expires_at: IAT + 10 * 365 * 86_400,
        issued_at: IAT,
        serial: "EUDC-IT-000123".into(),
        status: StatusRef {
            idx: 5,
            uri: URI.into(),
        },
    };
    let (_, qr) = issue_card(&claims, &key, PUBLIC_URL).expect("a card is issued");
    let keys = KeySet::from_jwks(
        KeySet::new(vec![key.public().clone()])
            .to_jwks()
            .to_string()
            .as_bytes(),
    )
    .expect("the JWK Set reads back");
    let list = StatusListToken {
        uri: URI.into(),
        issued_at: NOW - 60,
        expires_at: Some(NOW + 86_400),
        ttl: Some(86_400),
        list: StatusList::new(1, 1 << 14).expect("a status list"),
    };
    // The same signature and bytes, taken apart once for ring.
    let payload = extract_payload(&qr).expect("the QR has a payload");
    let cose = decode_layers(&payload, CARD_PREFIX).expect("the payload decodes");
    let sign1 = parse_sign1(&cose).expect("a COSE_Sign1");
    let spki_der = key.public().spki_der();
    let point = spki_der[spki_der.len() - 65..].to_vec();
    Fixture {
        qr,
        keys,
        list,
        tbs: sign1.tbs_data(b""),
        signature: sign1.signature,
        spki_der,
        point,
    }
}

/// `CARGO_TARGET_DIR` when absolute, else the directory above the bench
/// executable that cargo marked with `CACHEDIR.TAG` (`target/`).
fn target_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from)
        && dir.is_absolute()
    {
        return Some(dir);
    }
    let exe = std::env::current_exe().ok()?;
    exe.ancestors()
        .find(|d| d.join("CACHEDIR.TAG").is_file())
        .map(PathBuf::from)
}

fn write_inputs(f: &Fixture) {
    let Some(dir) = target_dir().map(|t| t.join("bench")) else {
        eprintln!("card_verify: no target directory found, inputs not written");
        return;
    };
    let pem = p256::PublicKey::from_public_key_der(&f.spki_der)
        .and_then(|k| k.to_public_key_pem(LineEnding::LF))
        .expect("a P-256 SPKI");
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("card_qr.txt"), &f.qr))
        .and_then(|()| std::fs::write(dir.join("card_pub.pem"), pem))
        .unwrap_or_else(|e| panic!("writing {}: {e}", dir.display()));
}

fn card_verify(c: &mut Criterion) {
    let f = fixture();
    write_inputs(&f);
    // Both sides must be doing real work on a good card.
    let verdict = verify_card(&f.qr, &f.keys, StatusInput::Trusted(&f.list), NOW);
    assert_eq!(verdict.outcome, Outcome::Valid, "{verdict:?}");
    let ring_key = UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, &f.point);
    ring_key
        .verify(&f.tbs, &f.signature)
        .expect("ring verifies the card's signature");

    let mut group = c.benchmark_group("card_verify");
    group.bench_function("attesta", |b| {
        b.iter(|| {
            verify_card(
                black_box(&f.qr),
                &f.keys,
                StatusInput::Trusted(&f.list),
                NOW,
            )
            .outcome
        });
    });
    group.bench_function("ring_es256", |b| {
        b.iter(|| {
            UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, black_box(&f.point))
                .verify(black_box(&f.tbs), black_box(&f.signature))
                .is_ok()
        });
    });
    group.finish();
}

criterion_group!(benches, card_verify);
criterion_main!(benches);
