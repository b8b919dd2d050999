//! The card and EU DCC decoder chain, status lists, key sets and
//! certificates: no input may panic, hang or allocate without bound.
#![no_main]

use attesta_credential::card::{
    CardClaims, CardSigningKey, KeySet, StatusInput, StatusList, StatusListToken, cose, dcc,
    verify_card, verify_text,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keys = KeySet::new(vec![fixed_key().public().clone()]);
    let text = String::from_utf8_lossy(data);
    // The whole chain from text: URL or payload, card or HC1.
    let _ = verify_text(
        &text,
        Some(&keys),
        StatusInput::Cwt(data),
        Some(data),
        1_800_000_000,
    );
    let _ = verify_card(&format!("EUDC1:{text}"), &keys, StatusInput::None, 0);
    // Each stage from bytes.
    let _ = dcc::decode_cose(data);
    let _ = dcc::cert_key(data);
    let _ = cose::parse_sign1(data);
    let _ = CardClaims::from_cbor(data);
    let _ = StatusListToken::from_cwt(data, &keys);
    for bits in [1, 2, 4, 8] {
        if let Ok(list) = StatusList::from_compressed(bits, data) {
            let _ = list.get(u64::from(data.len() as u32) * 7);
        }
    }
    let _ = StatusList::from_lst(1, &text);
    let _ = KeySet::from_jwks(data);
});

fn fixed_key() -> &'static CardSigningKey {
    static KEY: std::sync::OnceLock<CardSigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(CardSigningKey::generate)
}
