//! The SD-JWT VC example in `docs/card-credential.md` is what the code
//! makes: fixed keys, salts and times give the same credential and
//! presentation every run, and this test fails when the document drifts
//! from them (it prints the block to paste).

use attesta_credential::card::sd_jwt::{Disclosure, Presentation, card_vct};
use attesta_credential::card::{
    CardFacts, CardSigningKey, Issuance, KeySet, Outcome, StatusInput, StatusList, StatusListToken,
    StatusRef, issue_card_sd_jwt, present, verify_card_presentation,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::pkcs8::EncodePrivateKey as _;
use serde_json::Value;

const DOC: &str = include_str!("../../../../docs/card-credential.md");
const PUBLIC_URL: &str = "https://attesta.example.it";
const URI: &str = "https://attesta.example.it/api/v1/status-lists/0a1b2c3d4e5f6071";
const IAT: i64 = 1_780_000_000;
const EXP: i64 = 2_095_372_800;
const AUD: &str = "https://attesta.example.it";
const NONCE: &str = "1780000600.q6x1Yb0c2mRz8d4T.5e1f0c2a9b7d44e18a3f6c0b2d9e7a15";
const KB_IAT: i64 = IAT + 120;

fn key(byte: u8) -> CardSigningKey {
    let secret = p256::SecretKey::from_slice(&[byte; 32]).unwrap();
    let pem = secret.to_pkcs8_pem(p256::pkcs8::LineEnding::LF).unwrap();
    CardSigningKey::from_pkcs8_pem(&pem).unwrap()
}

fn decode(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap()
}

#[test]
fn the_documented_sd_jwt_vc_example_is_what_the_code_makes() {
    let issuer = key(0x11);
    let holder = key(0x22);
    let facts = CardFacts {
        serial: "EUDC-IT-000042".into(),
        given_name: "Maria".into(),
        family_name: "Rossi".into(),
        birth_date: "1980-03-14".into(),
        portrait_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
        expiry_date: "2036-05-27".into(),
        issuing_authority: "INPS".into(),
        issuing_country: "IT".into(),
        constant_attendance_allowance: true,
        status: StatusRef {
            idx: 42,
            uri: URI.into(),
        },
    };
    let mut n = 0u8;
    let mut salt = || {
        n += 1;
        [n; 16]
    };
    let sd_jwt = issue_card_sd_jwt(
        &facts,
        Issuance {
            issuer: PUBLIC_URL,
            vct: &card_vct(PUBLIC_URL),
            issued_at: IAT,
            expires_at: EXP,
            holder: holder.public(),
            decoys: 1,
            salt: &mut salt,
        },
        &issuer,
    )
    .unwrap();
    let keep = ["document_number", "constant_attendance_allowance"];
    let text = present(&sd_jwt, &keep, &holder, AUD, NONCE, KB_IAT).unwrap();

    // It verifies, as the CLI and the page do.
    let keys = KeySet::new(vec![issuer.public().clone()]);
    let list = StatusListToken {
        uri: URI.into(),
        issued_at: IAT,
        expires_at: Some(EXP),
        ttl: None,
        list: StatusList::new(1, 64).unwrap(),
    }
    .sign_jwt(&issuer)
    .unwrap();
    let v = verify_card_presentation(
        &text,
        &keys,
        StatusInput::served(list.as_bytes()),
        AUD,
        NONCE,
        KB_IAT + 5,
    );
    assert_eq!(v.verdict.outcome, Outcome::Valid, "{}", v.verdict.reason);

    let full = Presentation::parse(&sd_jwt).unwrap();
    let (h, rest) = full.issuer_jwt.split_once('.').unwrap();
    let p = rest.split_once('.').unwrap().0;
    let shown = Presentation::parse(&text).unwrap();
    let kb = shown.kb_jwt.unwrap();
    let (kh, krest) = kb.split_once('.').unwrap();
    let kp = krest.split_once('.').unwrap().0;
    let mut block = String::new();
    block.push_str("Issuer JWT header:\n\n```json\n");
    block.push_str(&pretty(&decode(h)));
    block.push_str("\n```\n\nIssuer JWT payload:\n\n```json\n");
    block.push_str(&pretty(&decode(p)));
    block.push_str(
        "\n```\n\nThe nine disclosures (`base64url(JSON)` → JSON), in issuance order:\n\n```text\n",
    );
    for d in &full.disclosures {
        let parsed = Disclosure::parse(d).unwrap();
        let value = match parsed.name.as_deref() {
            Some("portrait") => Value::String(parsed.value.as_str().unwrap().to_owned()),
            _ => parsed.value.clone(),
        };
        block.push_str(&format!(
            "{}\n  → [\"{}\", \"{}\", {}]\n",
            d,
            parsed.salt,
            parsed.name.unwrap(),
            value
        ));
    }
    block.push_str(&format!(
        "```\n\nA presentation disclosing only `document_number` and \
         `constant_attendance_allowance` is `<issuer JWT>~{}~{}~<KB-JWT>`; its KB-JWT header \
         and payload:\n\n```json\n",
        shown.disclosures[0], shown.disclosures[1]
    ));
    block.push_str(&pretty(&decode(kh)));
    block.push('\n');
    block.push_str(&pretty(&decode(kp)));
    block.push_str("\n```\n");
    assert!(
        DOC.contains(&block),
        "docs/card-credential.md lacks the example as the code makes it; paste:\n\n{block}"
    );
}
