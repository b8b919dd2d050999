//! The EU Disability Card over HTTP: the JWK Set, the status list (CWT and
//! JSON), and the online check page `/c/{payload}` (and `/C/…`).

use attesta_credential::card::{KeySet, Outcome, StatusInput, StatusListToken, verify_card};
use attesta_testkit::on_both_engines;
use serde_json::Value;
use time::macros::date;

use crate::support::TestApp;

on_both_engines!(
    keys_status_list_and_check_page,
    bad_payloads_and_unknown_lists,
    status_list_in_its_three_forms,
    sd_jwt_vc_issuer_and_type_metadata,
    a_wallet_presentation_on_the_operator_page,
);

async fn get_text(t: &TestApp, url: &str) -> (u16, String) {
    let r = t.http.get(url).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn keys_status_list_and_check_page(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    let card = t
        .app
        .issue_card_credential("EUDC-IT-000042", date!(2031 - 03 - 31))
        .await
        .unwrap();

    // The JWK Set.
    let r = t
        .http
        .get(t.url("/.well-known/attesta/keys.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let jwks: Value = r.json().await.unwrap();
    assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
    assert_eq!(jwks["keys"][0]["kid"], card.kid.as_str());
    assert!(jwks["keys"][0].get("d").is_none(), "no private part");
    let keys = KeySet::from_jwks(jwks.to_string().as_bytes()).unwrap();

    // The status list at the URI the card carries, verified offline.
    let fetch_list = || async {
        let r = t.http.get(&card.status_list_uri).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/statuslist+cwt");
        r.bytes().await.unwrap().to_vec()
    };
    let now = t.app.now().unix_timestamp();
    let cwt = fetch_list().await;
    let v = verify_card(&card.qr_text, &keys, StatusInput::Cwt(&cwt), now);
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");

    // The page, through the QR's own (upper-case) URL and the lower-case form.
    let qr_url = card
        .qr_text
        .replacen("HTTP://", "http://", 1)
        .to_lowercase();
    let host_part = &qr_url[..qr_url.find("/c/").unwrap()];
    let upper_path = &card.qr_text[host_part.len()..];
    assert!(upper_path.starts_with("/C/EUDC1:"));
    for path in [upper_path.to_owned(), upper_path.replacen("/C/", "/c/", 1)] {
        let (status, body) = get_text(&t, &t.url(&path)).await;
        assert_eq!(status, 200);
        assert!(body.contains(r#"data-outcome="valid""#), "{body}");
        assert!(body.contains("Tessera valida"));
        assert!(body.contains(r#"<span lang="en">"#));
        assert!(body.contains("EUDC-IT-000042"));
        assert!(body.contains("31/03/2031"), "valid through the last day");
    }

    // Revocation: the page and the list agree.
    t.app
        .revoke_card_credential("EUDC-IT-000042")
        .await
        .unwrap();
    let (_, body) = get_text(&t, &t.url(upper_path)).await;
    assert!(body.contains(r#"data-outcome="revoked""#), "{body}");
    assert!(body.contains("Tessera revocata"));
    let cwt = fetch_list().await;
    assert_eq!(
        verify_card(&card.qr_text, &keys, StatusInput::Cwt(&cwt), now).outcome,
        Outcome::Revoked
    );
    // The JSON form says the same.
    let json: Value = t
        .http
        .get(&card.status_list_uri)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(json["status_list"]["bits"], 1);
    let list = attesta_credential::card::StatusList::from_lst(
        1,
        json["status_list"]["lst"].as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(list.get(card.index as u64), Some(1));
    assert_eq!(json["sub"], card.status_list_uri.as_str());
}

async fn bad_payloads_and_unknown_lists(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    let card = t
        .app
        .issue_card_credential("EUDC-IT-7", date!(2031 - 03 - 31))
        .await
        .unwrap();
    // One changed character in the payload.
    let path = &card.qr_text[card.qr_text.find("/C/").unwrap()..];
    // Not inside a `%XX` escape: changing one of those would not decode as
    // a path at all (a different refusal, tested below).
    let bytes = path.as_bytes();
    let at = (10..path.len() - 4)
        .rev()
        .find(|&i| bytes[i].is_ascii_alphanumeric() && bytes[i - 1] != b'%' && bytes[i - 2] != b'%')
        .unwrap();
    let c = if &path[at..at + 1] == "A" { "B" } else { "A" };
    let tampered = format!("{}{}{}", &path[..at], c, &path[at + 1..]);
    let (status, body) = get_text(&t, &t.url(&tampered)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"data-outcome="invalid_signature""#),
        "{body}"
    );
    for junk in ["/c/HELLO", "/c/EUDC1:%25%25%25", "/C/EUDC1:"] {
        let (status, body) = get_text(&t, &t.url(junk)).await;
        assert_eq!(status, 200, "{junk}");
        assert!(
            body.contains(r#"data-outcome="invalid_signature""#),
            "{junk}"
        );
    }
    let r = t
        .http
        .get(t.url("/api/v1/status-lists/0000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = t
        .http
        .get(t.url("/api/v1/status-lists/zz"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unknown_status_list");
}

async fn status_list_in_its_three_forms(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    let card = t
        .app
        .issue_card_credential("EUDC-IT-31", date!(2031 - 03 - 31))
        .await
        .unwrap();
    t.app.revoke_card_credential("EUDC-IT-31").await.unwrap();
    let keys = t.app.card_key_set().await.unwrap();
    let fetch = |accept: Option<&'static str>| {
        let mut req = t.http.get(&card.status_list_uri);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        async move {
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), 200, "{accept:?}");
            let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
            (ct, r.bytes().await.unwrap().to_vec())
        }
    };
    let now = t.app.now().unix_timestamp();

    // The JWT, asked for by its media type (also among others, with
    // parameters): verifiable with the card keys, the same list.
    for accept in [
        "application/statuslist+jwt",
        "application/json;q=0.5, application/statuslist+jwt",
        "Application/StatusList+JWT; q=1",
    ] {
        let (ct, body) = fetch(Some(accept)).await;
        assert_eq!(ct, "application/statuslist+jwt", "{accept}");
        let text = String::from_utf8(body).unwrap();
        let token = StatusListToken::from_jwt(&text, &keys).unwrap();
        assert_eq!(token.uri, card.status_list_uri);
        assert_eq!(token.list.get(card.index as u64), Some(1), "revoked");
        assert_eq!(token.list.get(card.index as u64 + 1), Some(0));
        assert!(token.is_fresh(now));
        assert_eq!(
            token.ttl,
            Some(attesta_app::cards_credential::STATUS_LIST_TTL)
        );
        // The header and claims as the draft names them.
        let parts: Vec<&str> = text.split('.').collect();
        let decode = |p: &str| -> Value {
            use base64::Engine as _;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap();
            serde_json::from_slice(&bytes).unwrap()
        };
        let (header, payload) = (decode(parts[0]), decode(parts[1]));
        assert_eq!(header["typ"], "statuslist+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["kid"], card.kid.as_str());
        assert_eq!(payload["sub"], card.status_list_uri.as_str());
        for claim in ["iat", "exp", "ttl"] {
            assert!(payload[claim].is_i64(), "{claim}");
        }
        assert_eq!(payload["status_list"]["bits"], 1);
        assert!(payload["status_list"]["lst"].is_string());
        // The verifier reads it for an SD-JWT VC too.
        assert!(matches!(
            StatusInput::served(text.as_bytes()),
            StatusInput::Jwt(_)
        ));
    }
    // The CWT stays the default, and is told apart by content.
    for accept in [None, Some("*/*"), Some("application/statuslist+cwt")] {
        let (ct, body) = fetch(accept).await;
        assert_eq!(ct, "application/statuslist+cwt", "{accept:?}");
        assert!(matches!(StatusInput::served(&body), StatusInput::Cwt(_)));
        assert_eq!(
            verify_card(&card.qr_text, &keys, StatusInput::Cwt(&body), now).outcome,
            Outcome::Revoked
        );
    }
    // JSON stays for application/json.
    let (ct, body) = fetch(Some("application/json")).await;
    assert!(ct.starts_with("application/json"), "{ct}");
    let json: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(json["sub"], card.status_list_uri.as_str());
}

async fn get_json(t: &TestApp, path: &str) -> Value {
    let r = t.http.get(t.url(path)).send().await.unwrap();
    assert_eq!(r.status(), 200, "{path}");
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ct.starts_with("application/json"), "{path}: {ct}");
    r.json::<Value>().await.unwrap()
}

async fn sd_jwt_vc_issuer_and_type_metadata(t: TestApp) {
    use attesta_credential::card::sd_jwt::card_vct;
    t.app.generate_signing_key().await.unwrap();
    t.app.generate_signing_key().await.unwrap();
    let issuer = get_json(&t, "/.well-known/jwt-vc-issuer").await;
    let public_url = t.app.config().public_url.clone();
    assert_eq!(issuer["issuer"], public_url.as_str());
    assert!(!public_url.ends_with('/'));
    let keys = get_json(&t, "/.well-known/attesta/keys.json").await;
    assert_eq!(issuer["jwks"], keys, "the same card keys");
    let listed = issuer["jwks"]["keys"].as_array().unwrap();
    assert_eq!(listed.len(), 2, "active and next");
    for k in listed {
        assert!(k["kid"].is_string());
        assert_eq!(k["use"], "sig");
        assert_eq!(k["alg"], "ES256");
        assert!(k.get("d").is_none());
    }

    let vct = card_vct(&public_url);
    assert!(vct.starts_with(&public_url));
    let path = &vct[public_url.len()..];
    let meta = get_json(&t, path).await;
    assert_eq!(meta, get_json(&t, &format!("/.well-known/vct{path}")).await);
    assert_eq!(meta["vct"], vct.as_str());
    assert!(meta["name"].is_string() && meta["description"].is_string());
    let display = meta["display"].as_array().unwrap();
    assert_eq!(display.len(), 2);
    assert_eq!(display[0]["locale"], "it-IT");
    assert_eq!(display[0]["name"], "Carta europea della disabilità");
    assert_eq!(display[1]["locale"], "en-US");
    for d in display {
        assert_eq!(d["rendering"]["simple"]["background_color"], "#003399");
        assert_eq!(d["rendering"]["simple"]["text_color"], "#FFFFFF");
    }
    let claims = meta["claims"].as_array().unwrap();
    let names: Vec<&str> = claims
        .iter()
        .map(|c| c["path"][0].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "given_name",
            "family_name",
            "birth_date",
            "portrait",
            "document_number",
            "expiry_date",
            "issuing_authority",
            "issuing_country",
            "constant_attendance_allowance",
        ]
    );
    for c in claims {
        assert_eq!(c["sd"], "always");
        assert_eq!(c["display"][0]["locale"], "it-IT");
        assert_eq!(c["display"][1]["locale"], "en-US");
        assert!(c["display"][1]["label"].is_string());
    }
    let explained = |name: &str| {
        claims.iter().find(|c| c["path"][0] == name).unwrap()["display"][1]["description"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert!(explained("document_number").contains("serial"));
    assert!(explained("constant_attendance_allowance").contains("\"A\""));
}

/// The nonce the `/c` page gives, read from its form.
async fn page_nonce(t: &TestApp) -> String {
    let (status, body) = get_text(t, &t.url("/c")).await;
    assert_eq!(status, 200);
    let at = body.find(r#"name="nonce" value=""#).unwrap() + r#"name="nonce" value=""#.len();
    let nonce = body[at..at + body[at..].find('"').unwrap()].to_owned();
    assert!(body.contains(&nonce), "shown as text");
    assert!(body.contains("<svg"), "and as a QR");
    assert!(body.contains(r#"<label for="presentation">"#));
    nonce
}

async fn post_presentation(t: &TestApp, nonce: &str, text: &str) -> (u16, String) {
    let r = t
        .http
        .post(t.url("/c"))
        .form(&[("nonce", nonce), ("presentation", text)])
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.text().await.unwrap())
}

async fn a_wallet_presentation_on_the_operator_page(t: TestApp) {
    use attesta_credential::card::sd_jwt::{card_vct, random_salt};
    use attesta_credential::card::{
        CardFacts, CardSigningKey, Issuance, StatusRef, issue_card_sd_jwt, present,
    };
    let key = t.app.generate_signing_key().await.unwrap();
    let card = t
        .app
        .issue_card_credential("EUDC-IT-88", date!(2031 - 03 - 31))
        .await
        .unwrap();
    // The server's card signer, as the wallet issuance signs with it.
    let pem_path = t
        .app
        .config()
        .keys_dir
        .clone()
        .unwrap()
        .join(format!("{}.pem", key.kid));
    let signer =
        CardSigningKey::from_pkcs8_pem(&std::fs::read_to_string(pem_path).unwrap()).unwrap();
    let public_url = t.app.config().public_url.clone();
    let holder = CardSigningKey::generate();
    let now = t.app.now().unix_timestamp();
    let facts = CardFacts {
        serial: card.serial.clone(),
        given_name: "Maria".into(),
        family_name: "Rossi".into(),
        birth_date: "1980-03-14".into(),
        portrait_jpeg: vec![0xff, 0xd8, 0xff, 0xd9],
        expiry_date: "2031-03-31".into(),
        issuing_authority: "INPS".into(),
        issuing_country: "IT".into(),
        constant_attendance_allowance: true,
        status: StatusRef {
            idx: card.index as u64,
            uri: card.status_list_uri.clone(),
        },
    };
    let sd_jwt = issue_card_sd_jwt(
        &facts,
        Issuance {
            issuer: &public_url,
            vct: &card_vct(&public_url),
            issued_at: now,
            expires_at: card.expires_at.unix_timestamp(),
            holder: holder.public(),
            decoys: 2,
            salt: &mut random_salt,
        },
        &signer,
    )
    .unwrap();
    let keep = ["document_number", "constant_attendance_allowance"];

    // Valid: only what the holder chose is shown.
    let nonce = page_nonce(&t).await;
    assert_ne!(nonce, page_nonce(&t).await, "a fresh nonce each visit");
    let text = present(&sd_jwt, &keep, &holder, &public_url, &nonce, now).unwrap();
    let (status, body) = post_presentation(&t, &nonce, &text).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains(r#"data-outcome="valid""#), "{body}");
    assert!(body.contains("Tessera valida"));
    assert!(body.contains("EUDC-IT-88"));
    assert!(
        body.contains("<dt>Accompagnatore (A)</dt><dd>Sì</dd>"),
        "{body}"
    );
    for withheld in [
        "Maria",
        "Rossi",
        "1980-03-14",
        "data:image",
        "Data di nascita",
    ] {
        assert!(!body.contains(withheld), "{withheld}");
    }
    // In English too (another client: `?lang=` is remembered).
    let r = crate::support::client()
        .post(t.url("/c?lang=en"))
        .form(&[("nonce", nonce.as_str()), ("presentation", text.as_str())])
        .send()
        .await
        .unwrap();
    let en = r.text().await.unwrap();
    assert!(en.contains("Valid card"), "{en}");
    assert!(
        en.contains("<dt>Personal assistance (A)</dt><dd>Yes</dd>"),
        "{en}"
    );

    // The portrait, when disclosed, as an image.
    let nonce = page_nonce(&t).await;
    let photo = present(
        &sd_jwt,
        &["portrait", "given_name"],
        &holder,
        &public_url,
        &nonce,
        now,
    )
    .unwrap();
    let (_, body) = post_presentation(&t, &nonce, &photo).await;
    assert!(body.contains(r#"data-outcome="valid""#), "{body}");
    assert!(
        body.contains(r#"src="data:image/jpeg;base64,/9j/2Q==""#),
        "{body}"
    );
    assert!(body.contains("Maria") && !body.contains("Rossi"));

    // Made for another nonce (one this page gave, too): invalid.
    let other = page_nonce(&t).await;
    let (status, body) = post_presentation(&t, &other, &text).await;
    assert_eq!(status, 200);
    assert!(
        body.contains(r#"data-outcome="invalid_signature""#),
        "{body}"
    );
    assert!(
        !body.contains("EUDC-IT-88"),
        "nothing disclosed from a refused one"
    );
    // Made for another verifier: invalid.
    let elsewhere = present(
        &sd_jwt,
        &keep,
        &holder,
        "https://elsewhere.example",
        &other,
        now,
    )
    .unwrap();
    let (_, body) = post_presentation(&t, &other, &elsewhere).await;
    assert!(
        body.contains(r#"data-outcome="invalid_signature""#),
        "{body}"
    );

    // Tampered: a disclosure changed after the KB-JWT was made.
    let nonce = page_nonce(&t).await;
    let text = present(&sd_jwt, &keep, &holder, &public_url, &nonce, now).unwrap();
    let first = text.split('~').nth(1).unwrap().to_owned();
    let forged = attesta_credential::card::sd_jwt::Disclosure::object(
        b"0123456789abcdef",
        "document_number",
        serde_json::json!("EUDC-IT-99"),
    );
    let (_, body) = post_presentation(&t, &nonce, &text.replace(&first, &forged.encoded)).await;
    assert!(
        body.contains(r#"data-outcome="invalid_signature""#),
        "{body}"
    );
    assert!(!body.contains("EUDC-IT-99"));

    // A nonce the page did not give, or one past its life: the form again,
    // with a new nonce and what to do.
    let (status, body) = post_presentation(&t, "1.2.3", &text).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body.contains("Il codice del verificatore è scaduto"),
        "{body}"
    );
    assert!(body.contains(r#"aria-invalid="true""#));
    assert!(!body.contains(r#"value="1.2.3""#));
    t.clock.advance(std::time::Duration::from_secs(
        attesta_app::card_presentation::VERIFIER_NONCE_TTL as u64,
    ));
    let (status, _) = post_presentation(&t, &nonce, &text).await;
    assert_eq!(status, 400);
    // An empty field: the form again.
    let nonce = page_nonce(&t).await;
    let (status, body) = post_presentation(&t, &nonce, "  ").await;
    assert_eq!(status, 400);
    assert!(body.contains("Incollare la presentazione"), "{body}");

    // Revoked: the live list says so.
    t.app.revoke_card_credential("EUDC-IT-88").await.unwrap();
    let now = t.app.now().unix_timestamp();
    let text = present(&sd_jwt, &keep, &holder, &public_url, &nonce, now).unwrap();
    let (_, body) = post_presentation(&t, &nonce, &text).await;
    assert!(body.contains(r#"data-outcome="revoked""#), "{body}");
}
