//! The EU Disability Card over HTTP: the JWK Set, the status list (CWT and
//! JSON), and the online check page `/c/{payload}` (and `/C/…`).

use attesta_credential::card::{KeySet, Outcome, StatusInput, verify_card};
use attesta_testkit::on_both_engines;
use serde_json::Value;
use time::macros::date;

use crate::support::TestApp;

on_both_engines!(
    keys_status_list_and_check_page,
    bad_payloads_and_unknown_lists,
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
