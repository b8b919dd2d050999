//! What SD-JWT VC verifiers and wallets fetch about the card credential
//! (issue #19): the JWT VC Issuer Metadata served at
//! `/.well-known/jwt-vc-issuer` (the issuer's keys by value), and the type
//! metadata of its `vct` (SD-JWT VC draft, "SD-JWT VC Type Metadata"): names,
//! colours and one entry per claim the credential issues, in Italian and
//! English.

use serde_json::{Value, json};

use super::keys::KeySet;
use super::sd_jwt::card_vct;

/// The card's colours (the EU blue band of the printed card, white text).
pub const CARD_BACKGROUND: &str = "#003399";
pub const CARD_TEXT: &str = "#FFFFFF";

/// The claims [`super::sd_jwt::issue_card_sd_jwt`] issues, each with its
/// Italian and English label and, where the name does not say it, a
/// description. Every one is selectively disclosable.
/// (claim name, Italian label, English label, (Italian, English) description).
type ClaimText = (
    &'static str,
    &'static str,
    &'static str,
    Option<(&'static str, &'static str)>,
);

const CLAIMS: [ClaimText; 9] = [
    ("given_name", "Nome", "Given name", None),
    ("family_name", "Cognome", "Family name", None),
    ("birth_date", "Data di nascita", "Date of birth", None),
    (
        "portrait",
        "Fotografia",
        "Photo",
        Some((
            "La fotografia del titolare (JPEG, come data URL).",
            "The holder's photo (JPEG, as a data URL).",
        )),
    ),
    (
        "document_number",
        "Numero della tessera",
        "Card number",
        Some((
            "Il numero di serie della tessera, lo stesso stampato sulla carta e nel suo QR.",
            "The card serial, the same as printed on the card and in its QR code.",
        )),
    ),
    (
        "expiry_date",
        "Valida fino al",
        "Valid until",
        Some((
            "L'ultimo giorno di validità della tessera.",
            "The last day the card is valid.",
        )),
    ),
    (
        "issuing_authority",
        "Ente emittente",
        "Issuing authority",
        None,
    ),
    (
        "issuing_country",
        "Paese emittente",
        "Issuing country",
        None,
    ),
    (
        "constant_attendance_allowance",
        "Accompagnatore (A)",
        "Personal assistance (A)",
        Some((
            "Il segno \"A\" della tessera: il titolare ha diritto all'assistenza di un \
             accompagnatore, come l'indennità di accompagnamento attesta.",
            "The card's \"A\" mark: the holder is entitled to be accompanied by a personal \
             assistant, as the attendance allowance attests.",
        )),
    ),
];

/// The type metadata of the card credential issued by attesta at
/// `public_url` (served at its `vct`).
pub fn card_type_metadata(public_url: &str) -> Value {
    let claims: Vec<Value> = CLAIMS
        .iter()
        .map(|(name, it, en, about)| {
            let label = |locale: &str, label: &str, description: Option<&str>| {
                let mut d = json!({"locale": locale, "label": label});
                if let Some(text) = description {
                    d["description"] = json!(text);
                }
                d
            };
            json!({
                "path": [name],
                "display": [
                    label("it-IT", it, about.map(|a| a.0)),
                    label("en-US", en, about.map(|a| a.1)),
                ],
                "sd": "always",
            })
        })
        .collect();
    let rendering = json!({"simple": {
        "background_color": CARD_BACKGROUND,
        "text_color": CARD_TEXT,
    }});
    json!({
        "vct": card_vct(public_url),
        "name": "EU Disability Card",
        "description": "The European Disability Card (Directive (EU) 2024/2841) issued in Italy: \
                        the holder's name, photo and card number, and the \"A\" mark for \
                        personal assistance, each disclosed only when the holder chooses.",
        "display": [
            {
                "locale": "it-IT",
                "name": "Carta europea della disabilità",
                "description": "La Carta europea della disabilità (direttiva (UE) 2024/2841) \
                                rilasciata in Italia: ogni dato si mostra solo se il titolare \
                                lo sceglie.",
                "rendering": rendering,
            },
            {
                "locale": "en-US",
                "name": "EU Disability Card",
                "description": "The European Disability Card (Directive (EU) 2024/2841) \
                                issued in Italy: each claim is shown only when the holder \
                                chooses.",
                "rendering": rendering,
            },
        ],
        "claims": claims,
    })
}

/// The JWT VC Issuer Metadata (`/.well-known/jwt-vc-issuer`): the issuer
/// identifier (`iss` of the credentials) and its keys by value.
pub fn jwt_vc_issuer_metadata(public_url: &str, keys: &KeySet) -> Value {
    json!({
        "issuer": public_url.trim_end_matches('/'),
        "jwks": keys.to_jwks(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::card::keys::CardSigningKey;
    use crate::card::sd_jwt::{CardFacts, Issuance, Presentation, issue_card_sd_jwt, random_salt};
    use crate::card::{StatusRef, sd_jwt::Disclosure};

    #[test]
    fn every_issued_claim_has_metadata_and_nothing_else_does() {
        let issuer = CardSigningKey::generate();
        let facts = CardFacts {
            serial: "S1".into(),
            given_name: "A".into(),
            family_name: "B".into(),
            birth_date: "1990-01-01".into(),
            portrait_jpeg: vec![0xff],
            expiry_date: "2030-01-01".into(),
            issuing_authority: "INPS".into(),
            issuing_country: "IT".into(),
            constant_attendance_allowance: false,
            status: StatusRef {
                idx: 0,
                uri: "https://a.example/api/v1/status-lists/00".into(),
            },
        };
        let sd = issue_card_sd_jwt(
            &facts,
            Issuance {
                issuer: "https://a.example",
                vct: &card_vct("https://a.example"),
                issued_at: 0,
                expires_at: 10,
                holder: issuer.public(),
                decoys: 0,
                salt: &mut random_salt,
            },
            &issuer,
        )
        .unwrap();
        let mut issued: Vec<String> = Presentation::parse(&sd)
            .unwrap()
            .disclosures
            .iter()
            .map(|d| Disclosure::parse(d).unwrap().name.unwrap())
            .collect();
        issued.sort();
        let meta = card_type_metadata("https://a.example/");
        assert_eq!(meta["vct"], "https://a.example/credentials/disability-card");
        let mut described: Vec<String> = meta["claims"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"][0].as_str().unwrap().to_owned())
            .collect();
        described.sort();
        assert_eq!(issued, described);
        for c in meta["claims"].as_array().unwrap() {
            assert_eq!(c["sd"], "always");
            let locales: Vec<&str> = c["display"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["locale"].as_str().unwrap())
                .collect();
            assert_eq!(locales, ["it-IT", "en-US"]);
        }
    }
}
