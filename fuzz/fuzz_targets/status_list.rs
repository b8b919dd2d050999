//! The IETF Token Status List decoder (draft-ietf-oauth-status-list): the
//! compressed byte array and its base64url `lst` form, for every `bits`,
//! never panic and never allocate past the cap; a decoded list re-encodes
//! to one that decodes to the same statuses.
#![no_main]

use attesta_credential::card::{CardSigningKey, KeySet, StatusList, StatusListToken};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for bits in [0, 1, 2, 3, 4, 8, 16] {
        for decoded in [
            StatusList::from_compressed(bits, data),
            StatusList::from_lst(bits, &text),
        ] {
            let Ok(list) = decoded else { continue };
            // The cap on the decompressed array (`MAX_LIST_BYTES`, 4 MiB).
            assert!(list.as_bytes().len() <= 4 * 1024 * 1024);
            let again = StatusList::from_lst(bits, &list.lst()).expect("our own lst decodes");
            assert_eq!(again.as_bytes(), list.as_bytes());
            let last = list.len().saturating_sub(1) as u64;
            assert_eq!(again.get(last), list.get(last));
            assert_eq!(list.get(list.len() as u64), None);
        }
    }
    let keys = KeySet::new(vec![fixed_key().public().clone()]);
    let _ = StatusListToken::from_cwt(data, &keys);
});

fn fixed_key() -> &'static CardSigningKey {
    static KEY: std::sync::OnceLock<CardSigningKey> = std::sync::OnceLock::new();
    KEY.get_or_init(CardSigningKey::generate)
}
