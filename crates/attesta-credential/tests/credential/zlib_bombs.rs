//! Decompression bombs through the public decoders: a small input that
//! inflates far past the cap is refused, without inflating it all.

use std::io::Write;

use attesta_credential::card::{
    CARD_PREFIX, KeySet, Outcome, StatusInput, StatusList, StatusListError, card_url, verify_card,
};

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// A status list (`lst`) that inflates to 16 MiB, four times the cap.
#[test]
fn a_status_list_bomb_is_refused() {
    let bomb = zlib(&vec![0u8; 16 * 1024 * 1024]);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    for bits in [1, 2, 4, 8] {
        assert_eq!(
            StatusList::from_compressed(bits, &bomb),
            Err(StatusListError::Compression)
        );
    }
    use base64::Engine as _;
    let lst = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bomb);
    assert_eq!(
        StatusList::from_lst(1, &lst),
        Err(StatusListError::Compression)
    );
    // Just under the cap still decodes: the cap, not the ratio, decides.
    let big = zlib(&vec![0u8; 4 * 1024 * 1024]);
    assert_eq!(
        StatusList::from_compressed(1, &big).map(|l| l.len()),
        Ok(32 * 1024 * 1024)
    );
}

/// A card QR whose payload inflates to 1 MiB (the cap is 64 KiB) is a
/// malformed card, not a megabyte parsed.
#[test]
fn a_card_qr_bomb_is_refused() {
    let bomb = zlib(&vec![0u8; 1024 * 1024]);
    let payload = format!("{CARD_PREFIX}{}", base45::encode(&bomb));
    assert!(payload.len() < 8 * 1024, "{} characters", payload.len());
    // As the QR carries it: in the URL, Base45's space percent-encoded.
    let url = card_url("https://attesta.example", &payload);
    let verdict = verify_card(&url, &KeySet::new(Vec::new()), StatusInput::None, 0);
    assert_eq!(verdict.outcome, Outcome::InvalidSignature);
    assert!(verdict.reason.contains("too large"), "{}", verdict.reason);
}
