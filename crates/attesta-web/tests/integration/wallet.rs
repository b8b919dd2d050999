//! The card in the citizen's wallet over OpenID4VCI 1.0 (issue #19): a
//! wallet played by the test takes the offer from `/me/card`, redeems the
//! pre-authorized code with the SMS transaction code, proves possession of
//! its key and receives the SD-JWT VC, then presents only two claims.

use std::time::Duration;

use attesta_credential::card::sd_jwt::{Jwt, Presentation, sign_jwt};
use attesta_credential::card::{
    CardSigningKey, KeySet, Outcome, PresentationVerdict, StatusInput, present,
    verify_card_presentation,
};
use serde_json::{Value, json};

use attesta_testkit::people::MARIO;
use attesta_testkit::{on_both_engines, read_qr_png};

use crate::card_life::{admin_post, issued_card};
use crate::support::{Citizen, TestApp, csrf_of};

on_both_engines!(
    a_wallet_gets_the_card_presents_two_claims_and_sees_it_revoked,
    the_metadata_names_the_endpoints_and_the_configuration,
    three_wrong_transaction_codes_burn_the_offer,
    token_requests_are_checked_field_by_field,
    an_expired_offer_is_refused,
    refused_proofs_leave_the_token_usable_and_a_spent_token_is_refused,
    without_a_mobile_the_page_says_how_to_add_one_and_nothing_is_made,
    reissuing_the_card_revokes_the_wallet_credential,
);

const PRE_AUTH: &str = "urn:ietf:params:oauth:grant-type:pre-authorized_code";
const CONFIG_ID: &str = "eu.disability_card.sd_jwt";
const VERIFIER: &str = "https://verifier.example";

/// Undoes the HTML escaping askama applies to an attribute.
fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// The QR of an SVG from [`attesta_credential::qr`], drawn as a PNG.
fn svg_to_png(svg: &str) -> Vec<u8> {
    let size: u32 = svg
        .split("viewBox=\"0 0 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    let path = svg
        .split(" d=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let scale = 6;
    let mut img = image::GrayImage::from_pixel(size * scale, size * scale, image::Luma([255]));
    for module in path.split('M').filter(|m| !m.is_empty()) {
        let xy = module.split('h').next().unwrap();
        let (x, y) = xy.split_once(' ').unwrap();
        let (x, y): (u32, u32) = (x.parse().unwrap(), y.parse().unwrap());
        for dy in 0..scale {
            for dx in 0..scale {
                img.put_pixel(x * scale + dx, y * scale + dy, image::Luma([0]));
            }
        }
    }
    let mut png = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png, image::ImageFormat::Png).unwrap();
    png.into_inner()
}

/// What the wallet takes from the offer page: the link and the QR.
struct OfferPage {
    link: String,
    qr_svg: String,
    html: String,
}

async fn offer_page(c: &Citizen) -> OfferPage {
    let page = c.get("/me/card").await.text().await.unwrap();
    assert!(page.contains("action=\"/me/card/wallet\""), "{page}");
    let r = c
        .http
        .post(format!("{}/me/card/wallet", c.base))
        .header("origin", &c.base)
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    let link = html
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.starts_with("openid-credential-offer:"))
        .map(unescape)
        .expect("an offer link");
    let figure = &html[html
        .find("<figure class=\"qr-full\">")
        .expect("the QR's figure")..];
    let qr_svg =
        figure[figure.find("<svg").unwrap()..figure.find("</svg>").unwrap() + 6].to_owned();
    OfferPage { link, qr_svg, html }
}

/// The offer object in an `openid-credential-offer://` link.
fn offer_of(link: &str) -> Value {
    let encoded = link
        .strip_prefix("openid-credential-offer://?credential_offer=")
        .expect("an offer by value");
    serde_json::from_str(&percent_decode(encoded)).unwrap()
}

fn code_of(offer: &Value) -> String {
    offer["grants"][PRE_AUTH]["pre-authorized_code"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn token_request(t: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    t.http
        .post(t.url("/oid4vci/token"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

/// The status and the OAuth error body.
async fn oauth_error(r: reqwest::Response) -> (u16, String, String) {
    let status = r.status().as_u16();
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    (
        status,
        body["error"].as_str().unwrap().to_owned(),
        body["error_description"].as_str().unwrap().to_owned(),
    )
}

async fn access_token(t: &TestApp, code: &str, tx: &str) -> String {
    let r = token_request(
        t,
        &[
            ("grant_type", PRE_AUTH),
            ("pre-authorized_code", code),
            ("tx_code", tx),
        ],
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 300);
    body["access_token"].as_str().unwrap().to_owned()
}

async fn nonce(t: &TestApp) -> String {
    let r = t.http.post(t.url("/oid4vci/nonce")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json::<Value>().await.unwrap()["c_nonce"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The wallet's proof of possession (OpenID4VCI 1.0 §F.1).
fn proof(t: &TestApp, holder: &CardSigningKey, aud: &str, nonce: &str) -> String {
    let mut jwk = holder.public().to_jwk();
    jwk.as_object_mut().unwrap().remove("kid");
    sign_jwt(
        &json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": jwk}),
        &json!({"aud": aud, "iat": t.app.now().unix_timestamp(), "nonce": nonce}),
        holder,
    )
    .unwrap()
}

async fn credential_request(t: &TestApp, token: &str, proof: &str) -> reqwest::Response {
    t.http
        .post(t.url("/oid4vci/credential"))
        .bearer_auth(token)
        .json(&json!({"credential_configuration_id": CONFIG_ID, "proofs": {"jwt": [proof]}}))
        .send()
        .await
        .unwrap()
}

/// The SD-JWT VC of a successful credential answer.
async fn credential_of(r: reqwest::Response) -> String {
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    body["credentials"][0]["credential"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The verifier's step, kept in one place: the keys from
/// `/.well-known/attesta/keys.json` and the status list as served.
async fn verify_presentation(t: &TestApp, presentation: &str) -> PresentationVerdict {
    let jwks = t
        .http
        .get(t.url("/.well-known/attesta/keys.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let keys = KeySet::from_jwks(&jwks).unwrap();
    let issuer_jwt = Presentation::parse(presentation).unwrap().issuer_jwt;
    let payload = Jwt::parse(issuer_jwt).unwrap().payload;
    let uri = payload["status"]["status_list"]["uri"].as_str().unwrap();
    let list = t.http.get(uri).send().await.unwrap();
    assert_eq!(list.status(), 200);
    let list = list.bytes().await.unwrap();
    verify_card_presentation(
        presentation,
        &keys,
        StatusInput::served(&list),
        VERIFIER,
        "verifier-nonce-1",
        t.app.now().unix_timestamp(),
    )
}

/// A signing key, Mario with the "A" mark and an active card: the serial
/// and his browser.
async fn with_card(t: &TestApp) -> (String, Citizen) {
    t.app.generate_signing_key().await.unwrap();
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "05", "invalidity_percentage": 100, "revision": {"exempt": true}}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let serial = issued_card(t, &c).await;
    (serial, c)
}

async fn activity(c: &Citizen) -> Vec<String> {
    let v: Value = c.get("/api/v1/me/activity").await.json().await.unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_wallet_gets_the_card_presents_two_claims_and_sees_it_revoked(t: TestApp) {
    let (serial, c) = with_card(&t).await;
    let page = offer_page(&c).await;
    // The page's QR holds the same offer as the link, read by ZBar.
    if let Some(read) = read_qr_png(&svg_to_png(&page.qr_svg)) {
        assert_eq!(read.trim(), page.link);
    }
    assert!(
        page.html.contains("+39 ••• ••• 67"),
        "where the SMS went, masked"
    );
    let offer = offer_of(&page.link);
    assert_eq!(offer["credential_issuer"], t.base.as_str());
    assert_eq!(offer["credential_configuration_ids"], json!([CONFIG_ID]));
    let grant = &offer["grants"][PRE_AUTH];
    assert_eq!(grant["tx_code"]["input_mode"], "numeric");
    assert_eq!(grant["tx_code"]["length"], 6);
    assert!(grant["tx_code"]["description"].is_string());
    let code = code_of(&offer);

    let (sms, tx) = t.last_sms().await;
    assert_eq!(sms["to"], "+393331234567");
    let body = sms["body"].as_str().unwrap();
    assert!(
        body.contains("wallet") && body.contains("10 minut"),
        "{body}"
    );
    for secret in ["Mario", "Rossi", MARIO, serial.as_str(), code.as_str()] {
        assert!(
            !body.contains(secret),
            "the SMS holds only the code: {body}"
        );
    }

    let token = access_token(&t, &code, &tx).await;
    let holder = CardSigningKey::generate();
    let n = nonce(&t).await;
    let sd_jwt =
        credential_of(credential_request(&t, &token, &proof(&t, &holder, &t.base, &n)).await).await;

    // The issuer JWT: bound to the wallet's key, the card's status entry.
    let p = Jwt::parse(Presentation::parse(&sd_jwt).unwrap().issuer_jwt)
        .unwrap()
        .payload;
    assert_eq!(p["iss"], t.base.as_str());
    assert_eq!(p["vct"], format!("{}/credentials/disability-card", t.base));
    let mut jwk = holder.public().to_jwk();
    for k in ["kid", "alg", "use"] {
        jwk.as_object_mut().unwrap().remove(k);
    }
    assert_eq!(p["cnf"]["jwk"], jwk);
    let slot = t
        .app
        .store()
        .card_credential(&serial)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p["status"]["status_list"]["idx"], slot.idx);
    assert!(
        p["status"]["status_list"]["uri"]
            .as_str()
            .unwrap()
            .ends_with(&slot.list_id)
    );
    assert_eq!(p["exp"], slot.expires_at / 1000, "the card's own expiry");
    assert!(
        activity(&c)
            .await
            .contains(&"wallet_credential_issued".to_owned())
    );
    let issued = t.app.store().wallet_credentials_of(&serial).await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(
        issued[0].holder_thumbprint,
        attesta_credential::card::oid4vci::jwk_thumbprint(holder.public())
    );

    // The holder shows only the card number and the "A" mark.
    let shown = present(
        &sd_jwt,
        &["document_number", "constant_attendance_allowance"],
        &holder,
        VERIFIER,
        "verifier-nonce-1",
        t.app.now().unix_timestamp(),
    )
    .unwrap();
    let v = verify_presentation(&t, &shown).await;
    assert_eq!(v.verdict.outcome, Outcome::Valid, "{v:?}");
    let disclosed = v.disclosed.unwrap();
    assert_eq!(
        disclosed,
        json!({"document_number": serial, "constant_attendance_allowance": true})
            .as_object()
            .unwrap()
            .clone()
    );

    let r = admin_post(&t, &format!("/api/v1/admin/cards/{serial}/revoke"), None).await;
    assert_eq!(r.status(), 200);
    assert_eq!(
        verify_presentation(&t, &shown).await.verdict.outcome,
        Outcome::Revoked
    );
}

async fn the_metadata_names_the_endpoints_and_the_configuration(t: TestApp) {
    let m: Value = t
        .http
        .get(t.url("/.well-known/openid-credential-issuer"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(m["credential_issuer"], t.base.as_str());
    assert_eq!(m["credential_endpoint"], t.url("/oid4vci/credential"));
    assert_eq!(m["nonce_endpoint"], t.url("/oid4vci/nonce"));
    let locales: Vec<&str> = m["display"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["locale"].as_str().unwrap())
        .collect();
    assert_eq!(locales, ["it", "en"]);
    let conf = &m["credential_configurations_supported"][CONFIG_ID];
    assert_eq!(conf["format"], "dc+sd-jwt");
    assert_eq!(conf["vct"], t.url("/credentials/disability-card"));
    assert_eq!(
        conf["cryptographic_binding_methods_supported"],
        json!(["jwk"])
    );
    assert_eq!(
        conf["credential_signing_alg_values_supported"],
        json!(["ES256"])
    );
    assert_eq!(
        conf["proof_types_supported"],
        json!({"jwt": {"proof_signing_alg_values_supported": ["ES256"]}})
    );
    assert_eq!(
        conf["credential_metadata"]["display"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(conf["scope"].is_string());

    let a: Value = t
        .http
        .get(t.url("/.well-known/oauth-authorization-server"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(a["issuer"], t.base.as_str());
    assert_eq!(a["token_endpoint"], t.url("/oid4vci/token"));
    assert_eq!(a["grant_types_supported"], json!([PRE_AUTH]));
    assert_eq!(a["pre-authorized_grant_anonymous_access_supported"], true);
    assert_eq!(a["response_types_supported"], json!([]));
}

async fn three_wrong_transaction_codes_burn_the_offer(t: TestApp) {
    let (_, c) = with_card(&t).await;
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    let wrong = if tx == "000000" { "111111" } else { "000000" };
    let fields = [
        ("grant_type", PRE_AUTH),
        ("pre-authorized_code", code.as_str()),
        ("tx_code", wrong),
    ];
    let (status, error, text) = oauth_error(token_request(&t, &fields).await).await;
    assert_eq!((status, error.as_str()), (400, "invalid_grant"));
    assert!(text.contains("2 tries left"), "{text}");
    let (_, _, text) = oauth_error(token_request(&t, &fields).await).await;
    assert!(text.contains("1 tries left"), "{text}");
    let (_, error, text) = oauth_error(token_request(&t, &fields).await).await;
    assert_eq!(error, "invalid_grant");
    assert!(text.contains("no tries are left"), "{text}");
    // Burned: the right code no longer works.
    let right = [
        ("grant_type", PRE_AUTH),
        ("pre-authorized_code", code.as_str()),
        ("tx_code", tx.as_str()),
    ];
    let (status, error, text) = oauth_error(token_request(&t, &right).await).await;
    assert_eq!((status, error.as_str()), (400, "invalid_grant"));
    assert!(text.contains("Too many wrong"), "{text}");
}

async fn token_requests_are_checked_field_by_field(t: TestApp) {
    let (_, c) = with_card(&t).await;
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    let code = code.as_str();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (
            &[("pre-authorized_code", code), ("tx_code", "123456")],
            "invalid_request",
        ),
        (
            &[("grant_type", PRE_AUTH), ("tx_code", "123456")],
            "invalid_request",
        ),
        (
            &[("grant_type", PRE_AUTH), ("pre-authorized_code", code)],
            "invalid_request",
        ),
        (
            &[
                ("grant_type", "authorization_code"),
                ("pre-authorized_code", code),
                ("tx_code", "1"),
            ],
            "unsupported_grant_type",
        ),
        (
            &[
                ("grant_type", PRE_AUTH),
                ("pre-authorized_code", "not-a-code"),
                ("tx_code", "123456"),
            ],
            "invalid_grant",
        ),
    ];
    for (fields, expected) in cases {
        let (status, error, text) = oauth_error(token_request(&t, fields).await).await;
        assert_eq!(
            (status, error.as_str()),
            (400, expected),
            "{fields:?}: {text}"
        );
        assert!(!text.is_empty());
    }
    // JSON is not the token endpoint's format.
    let r = t
        .http
        .post(t.url("/oid4vci/token"))
        .json(&json!({"grant_type": PRE_AUTH}))
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await.1, "invalid_request");
    // None of those counted: the right code still works, once.
    access_token(&t, code, &tx).await;
    let again = [
        ("grant_type", PRE_AUTH),
        ("pre-authorized_code", code),
        ("tx_code", tx.as_str()),
    ];
    let (_, error, text) = oauth_error(token_request(&t, &again).await).await;
    assert_eq!(error, "invalid_grant");
    assert!(text.contains("already used"), "{text}");
}

async fn an_expired_offer_is_refused(t: TestApp) {
    let (_, c) = with_card(&t).await;
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    t.clock.advance(Duration::from_secs(10 * 60));
    let fields = [
        ("grant_type", PRE_AUTH),
        ("pre-authorized_code", code.as_str()),
        ("tx_code", tx.as_str()),
    ];
    let (status, error, text) = oauth_error(token_request(&t, &fields).await).await;
    assert_eq!((status, error.as_str()), (400, "invalid_grant"));
    assert!(text.contains("expired"), "{text}");
}

async fn refused_proofs_leave_the_token_usable_and_a_spent_token_is_refused(t: TestApp) {
    let (_, c) = with_card(&t).await;
    let holder = CardSigningKey::generate();
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    let token = access_token(&t, &code, &tx).await;
    let used = nonce(&t).await;

    // No token, an unknown one.
    for bearer in [None, Some("not-a-token")] {
        let mut r = t
            .http
            .post(t.url("/oid4vci/credential"))
            .json(&json!({"credential_configuration_id": CONFIG_ID,
                "proofs": {"jwt": [proof(&t, &holder, &t.base, &used)]}}));
        if let Some(b) = bearer {
            r = r.bearer_auth(b);
        }
        let r = r.send().await.unwrap();
        assert_eq!(
            r.headers()["www-authenticate"],
            "Bearer error=\"invalid_token\""
        );
        assert_eq!(oauth_error(r).await.0, 401);
    }
    // A proof for another issuer.
    let r = credential_request(
        &t,
        &token,
        &proof(&t, &holder, "https://other.example", &used),
    )
    .await;
    let (status, error, text) = oauth_error(r).await;
    assert_eq!((status, error.as_str()), (400, "invalid_proof"), "{text}");
    assert!(text.contains("aud"), "{text}");
    // A proof signed by another key than the one in its header.
    let other = CardSigningKey::generate();
    let mut jwk = holder.public().to_jwk();
    jwk.as_object_mut().unwrap().remove("kid");
    let forged = sign_jwt(
        &json!({"typ": "openid4vci-proof+jwt", "alg": "ES256", "jwk": jwk}),
        &json!({"aud": t.base, "iat": t.app.now().unix_timestamp(), "nonce": used}),
        &other,
    )
    .unwrap();
    let (_, error, _) = oauth_error(credential_request(&t, &token, &forged).await).await;
    assert_eq!(error, "invalid_proof");
    // An unknown nonce.
    let (_, error, _) =
        oauth_error(credential_request(&t, &token, &proof(&t, &holder, &t.base, "made-up")).await)
            .await;
    assert_eq!(error, "invalid_nonce");
    // Another configuration.
    let r = t
        .http
        .post(t.url("/oid4vci/credential"))
        .bearer_auth(&token)
        .json(&json!({"credential_configuration_id": "other", "proofs": {"jwt": ["x"]}}))
        .send()
        .await
        .unwrap();
    assert_eq!(oauth_error(r).await.1, "unknown_credential_configuration");
    let refused = activity(&c)
        .await
        .iter()
        .filter(|a| *a == "wallet_proof_refused")
        .count();
    assert_eq!(refused, 3, "each refused proof is in the citizen's list");

    // The retry with a good proof works: the token was not spent.
    credential_of(credential_request(&t, &token, &proof(&t, &holder, &t.base, &used)).await).await;
    // Spent now.
    let n = nonce(&t).await;
    let r = credential_request(&t, &token, &proof(&t, &holder, &t.base, &n)).await;
    assert_eq!(
        r.headers()["www-authenticate"],
        "Bearer error=\"invalid_token\""
    );
    let (status, error, _) = oauth_error(r).await;
    assert_eq!((status, error.as_str()), (401, "invalid_token"));

    // A used nonce does not work twice, even with a fresh token.
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    let token = access_token(&t, &code, &tx).await;
    let (_, error, _) =
        oauth_error(credential_request(&t, &token, &proof(&t, &holder, &t.base, &used)).await)
            .await;
    assert_eq!(error, "invalid_nonce");
    // An expired token.
    t.clock.advance(Duration::from_secs(5 * 60));
    let n = nonce(&t).await;
    let (status, error, _) =
        oauth_error(credential_request(&t, &token, &proof(&t, &holder, &t.base, &n)).await).await;
    assert_eq!((status, error.as_str()), (401, "invalid_token"));
}

async fn without_a_mobile_the_page_says_how_to_add_one_and_nothing_is_made(t: TestApp) {
    let (serial, c) = with_card(&t).await;
    let r = t
        .admin_put_person(
            MARIO,
            json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .await;
    assert!(r.status().is_success());
    let page = c.get("/me/card").await.text().await.unwrap();
    let r = c
        .http
        .post(format!("{}/me/card/wallet", c.base))
        .header("origin", &c.base)
        .form(&[("csrf", csrf_of(&page))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let html = r.text().await.unwrap();
    assert!(html.contains("MyINPS"), "{html}");
    assert!(!html.contains("openid-credential-offer:"));
    let outbox: Value = t
        .http
        .get(t.url("/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        !outbox
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["channel"] == "sms")
    );
    assert!(
        t.app
            .store()
            .wallet_credentials_of(&serial)
            .await
            .unwrap()
            .is_empty()
    );
    // A forged form (no CSRF token) is refused.
    let r = c
        .http
        .post(format!("{}/me/card/wallet", c.base))
        .header("origin", &c.base)
        .form(&[("csrf", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn reissuing_the_card_revokes_the_wallet_credential(t: TestApp) {
    let (serial, c) = with_card(&t).await;
    let holder = CardSigningKey::generate();
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    let token = access_token(&t, &code, &tx).await;
    let n = nonce(&t).await;
    let sd_jwt =
        credential_of(credential_request(&t, &token, &proof(&t, &holder, &t.base, &n)).await).await;
    let shown = present(
        &sd_jwt,
        &["document_number"],
        &holder,
        VERIFIER,
        "verifier-nonce-1",
        t.app.now().unix_timestamp(),
    )
    .unwrap();
    assert_eq!(
        verify_presentation(&t, &shown).await.verdict.outcome,
        Outcome::Valid
    );
    // A new card replaces the old: the old one is revoked first, and with
    // it every wallet credential issued for it.
    let r = admin_post(&t, &format!("/api/v1/admin/cards/{serial}/revoke"), None).await;
    assert_eq!(r.status(), 200);
    // (The test clock stands still: a second later, so the new application
    // is the latest.)
    t.clock.advance(Duration::from_secs(1));
    let new_serial = issued_card(&t, &c).await;
    assert_ne!(new_serial, serial);
    assert_eq!(
        verify_presentation(&t, &shown).await.verdict.outcome,
        Outcome::Revoked
    );
    // The new card goes into a wallet in its turn.
    let code = code_of(&offer_of(&offer_page(&c).await.link));
    let (_, tx) = t.last_sms().await;
    access_token(&t, &code, &tx).await;
}
