//! The decoder chain never panics, whatever the input (the fuzz target in
//! `fuzz/` explores the same functions further).

use attesta_credential::card::codec::{self, CARD_PREFIX};
use attesta_credential::card::{
    CardClaims, CardSigningKey, KeySet, StatusInput, StatusList, StatusListToken, issue_card,
    verify_card,
};
use attesta_credential::card::{cose, dcc};
use proptest::prelude::*;

fn decode_everything(bytes: &[u8], text: &str, keys: &KeySet) {
    let _ = verify_card(text, keys, StatusInput::Cwt(bytes), 1_800_000_000);
    let _ = verify_card(&format!("{CARD_PREFIX}{text}"), keys, StatusInput::None, 0);
    let _ = dcc::verify_hc1(&format!("HC1:{text}"), bytes, 0);
    let _ = dcc::decode_cose(bytes);
    let _ = dcc::cert_key(bytes);
    let _ = cose::parse_sign1(bytes);
    let _ = CardClaims::from_cbor(bytes);
    let _ = StatusListToken::from_cwt(bytes, keys);
    let _ = StatusList::from_compressed(1, bytes);
    let _ = StatusList::from_lst(2, text);
    let _ = codec::zlib_decompress(bytes, 1024);
    let _ = KeySet::from_jwks(bytes);
    let _ = codec::extract_payload(text);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_and_text_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), text in ".{0,300}") {
        let keys = KeySet::new(vec![CardSigningKey::generate().public().clone()]);
        decode_everything(&bytes, &text, &keys);
    }

    #[test]
    fn mutated_credentials_never_panic(pos in 0usize..400, byte in any::<u8>()) {
        let key = CardSigningKey::generate();
        let keys = KeySet::new(vec![key.public().clone()]);
        let claims = CardClaims {
            issuer: "https://x".into(), expires_at: 2, issued_at: 1, serial: "S".into(),
            status: attesta_credential::card::StatusRef { idx: 0, uri: "https://x/s".into() },
        };
        let (payload, _) = issue_card(&claims, &key, "https://x").unwrap();
        let b45 = &payload[CARD_PREFIX.len()..];
        let mut compressed = codec::base45_decode(b45).unwrap();
        let mut cose = codec::zlib_decompress(&compressed, 65536).unwrap();
        let i = pos % cose.len();
        cose[i] = byte;
        let j = pos % compressed.len();
        compressed[j] = byte;
        for blob in [&cose, &compressed] {
            let text = format!("{CARD_PREFIX}{}", base45::encode(codec::zlib_compress(blob)));
            decode_everything(blob, &text, &keys);
        }
    }
}
