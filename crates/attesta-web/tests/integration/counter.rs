//! The operator's counter (SPEC §12): the check behind a handle (token
//! hygiene), the code field that takes what a scanner types, and the
//! operators' tutorial.

use std::time::Duration;

use attesta_testkit::on_both_engines;
use attesta_testkit::people::{MARIO, cf};

use crate::qualifying;
use crate::support::{self, TestApp, open_check};

on_both_engines!(
    a_qr_address_answers_303_to_a_handle_and_two_handles_never_mix,
    the_token_is_in_no_later_address_link_or_body,
    an_expired_check_asks_to_scan_again,
    the_code_field_takes_what_a_scanner_types,
    the_operators_tutorial_as_a_page_and_a_tagged_pdf,
    a_result_says_its_outcome_first_and_focuses_the_next_qr,
);

async fn post_cf(http: &reqwest::Client, t: &TestApp, check: &str, cf: &str) -> (u16, String) {
    let r = http
        .post(t.url(check))
        .form(&[("fiscal_code", cf)])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn a_qr_address_answers_303_to_a_handle_and_two_handles_never_mix(t: TestApp) {
    let giulia_cf = cf("BNCGLI85M52A662");
    let mario = t.attested(MARIO, qualifying()).await;
    let giulia = t.attested(&giulia_cf, qualifying()).await;
    // (`attested` names everyone Mario Rossi.)
    let r = t
        .admin_put_person(
            &giulia_cf,
            serde_json::json!({"given_name": "Giulia", "family_name": "Bianchi",
                "birth_date": "1985-08-12", "mobile": "+393331234568"}),
        )
        .await;
    assert!(r.status().is_success());
    // One browser, two tabs: two QRs read one after the other.
    let http = support::client();
    let a = open_check(&t, &http, &mario).await;
    let b = open_check(&t, &http, &giulia).await;
    assert_ne!(a, b);
    let handle = a.trim_start_matches("/v/check/");
    assert_eq!(handle.len(), 32, "128 bits in hex: {handle}");
    assert!(handle.bytes().all(|c| c.is_ascii_hexdigit()));
    // The same QR read twice opens two checks.
    assert_ne!(open_check(&t, &http, &mario).await, a);
    // The upper-case address of the QR itself.
    let r = http
        .get(t.url(&format!("/V/{mario}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);

    // Each tab checks its own QR, in any order.
    let (status, html) = post_cf(&http, &t, &b, &giulia_cf).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("Giulia Bianchi"), "{html}");
    let (status, html) = post_cf(&http, &t, &a, MARIO).await;
    assert_eq!(status, 200);
    assert!(html.contains("Mario Rossi") && !html.contains("Giulia"));
    // Mario's codice fiscale on Giulia's check is a miss, not Mario.
    let (status, html) = post_cf(&http, &t, &b, MARIO).await;
    assert_eq!(status, 403);
    assert!(!html.contains("Mario Rossi"));

    // An unknown QR: 404, and no check opened; a revoked one: 410.
    let r = http
        .get(t.url("/v/0000000000000000000000000A"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.headers().get("location").is_none());
    let c = t.citizen(MARIO).await;
    assert_eq!(c.delete("/api/v1/me/attestation").await.status(), 204);
    let r = http
        .get(t.url(&format!("/v/{mario}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
    // A check opened before the revocation no longer shows the holder.
    let (status, html) = post_cf(&http, &t, &a, MARIO).await;
    assert_eq!(status, 410);
    assert!(!html.contains("Mario Rossi"));
    // A handle that never was is the scan-again page, not the holder.
    let r = http
        .get(t.url("/v/check/00000000000000000000000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 410);
}

/// Every `href`, `action` and `src` of a page.
fn addresses(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "action=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            out.push(part.split('"').next().unwrap_or("").to_owned());
        }
    }
    out
}

async fn the_token_is_in_no_later_address_link_or_body(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let op = t.operator("Comune di Bari").await;
    let r = op
        .http
        .get(t.url(&format!("/V/{token}?lang=en")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    // No page the token's address could be sent on to as a Referer.
    assert_eq!(r.headers()["referrer-policy"], "no-referrer");
    let check = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(!check.contains(&token));

    let form = op.get(&check).await;
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["referrer-policy"], "no-referrer");
    assert_eq!(form.headers()["cache-control"], "no-store");
    let html = form.text().await.unwrap();
    assert!(!html.contains(&token), "{html}");
    assert!(html.contains(&format!("action=\"{check}\"")));
    // The language switch stays on the handle's page.
    assert!(
        html.contains(&format!("href=\"{check}?lang=it\"")),
        "{html}"
    );
    // The codice fiscale field is focused on arrival (counter mode).
    let field = html.split("id=\"fiscal_code\"").nth(1).unwrap();
    assert!(field[..field.find('>').unwrap()].contains("autofocus"));

    let (status, html) = post_cf(&op.http, &t, &check, MARIO).await;
    assert_eq!(status, 200);
    assert!(!html.contains(&token), "no token on the result page");
    assert!(!html.contains(MARIO) || !addresses(&html).iter().any(|a| a.contains(MARIO)));
    for a in addresses(&html) {
        assert!(!a.contains(&token), "{a}");
        assert!(!a.contains(MARIO), "no codice fiscale in an address: {a}");
    }
    assert!(html.contains(&format!("action=\"{check}/level2\"")));

    // Level 2 goes through the handle too, and its pages hold no token.
    let csrf = support::csrf_of(&html);
    let r = op
        .http
        .post(t.url(&format!("{check}/level2")))
        .form(&[("csrf", csrf.as_str()), ("fiscal_code", MARIO)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(!html.contains(&token));
    assert!(
        html.contains(&format!("action=\"{check}/level2\"")),
        "{html}"
    );

    // An error page on the QR's address switches language on /v.
    let html = support::client()
        .get(t.url("/v/0000000000000000000000000A"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for a in addresses(&html) {
        assert!(!a.contains("0000000000000000000000000A"), "{a}");
    }
    assert!(html.contains("href=\"/v?lang=en\""));
}

async fn an_expired_check_asks_to_scan_again(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let http = support::client();
    let check = open_check(&t, &http, &token).await;
    t.clock.advance(Duration::from_secs(15 * 60 - 1));
    assert_eq!(
        http.get(t.url(&check)).send().await.unwrap().status(),
        200,
        "still open a second before 15 minutes"
    );
    t.clock.advance(Duration::from_secs(1));
    for lang in ["it", "en"] {
        let r = http
            .get(t.url(&format!("{check}?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 410);
        let html = r.text().await.unwrap();
        let words = if lang == "it" {
            "Leggi di nuovo il QR"
        } else {
            "Scan the QR code again"
        };
        assert!(html.contains(words), "{lang}: {html}");
        // The code field is there, focused, for the new scan.
        assert!(html.contains("action=\"/v\""));
        let field = html.split("id=\"code\"").nth(1).unwrap();
        assert!(field[..field.find('>').unwrap()].contains("autofocus"));
    }
    // Submitting on the expired check shows nothing and counts nothing.
    let (status, html) = post_cf(&http, &t, &check, MARIO).await;
    assert_eq!(status, 410);
    assert!(!html.contains("Mario Rossi"));
    let c = t.citizen(MARIO).await;
    let log: serde_json::Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 0, "{log}");
    // A fresh read of the same QR works again.
    let again = open_check(&t, &http, &token).await;
    assert_eq!(post_cf(&http, &t, &again, MARIO).await.0, 200);
}

async fn the_code_field_takes_what_a_scanner_types(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let http = support::client();
    let post = |code: String| {
        let http = http.clone();
        let url = t.url("/v?lang=it");
        async move {
            let r = http.post(url).form(&[("code", code)]).send().await.unwrap();
            let status = r.status().as_u16();
            let location = r
                .headers()
                .get("location")
                .map(|l| l.to_str().unwrap().to_owned());
            (status, location, r.text().await.unwrap())
        }
    };
    let short: String = token
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join("-");
    let url = t
        .app
        .config()
        .public_url
        .trim_end_matches('/')
        .to_uppercase();
    let scans = [
        format!("{url}/V/{token}"),
        // A scanner set for a US layout on an Italian keyboard.
        format!("{url}/V/{token}")
            .replace(':', "Ç")
            .replace('/', "-"),
        format!("{url}/v/{token}").to_lowercase(),
        short.to_lowercase(),
        format!("  {token}\n"),
    ];
    for scan in scans {
        let (status, location, _) = post(scan.clone()).await;
        assert_eq!(status, 303, "{scan}");
        let check = location.unwrap();
        assert!(check.starts_with("/v/check/"), "{scan} → {check}");
        // Each lands on the check of this QR.
        assert_eq!(post_cf(&http, &t, &check, MARIO).await.0, 200, "{scan}");
    }

    // Garbage: the form again, the field marked and the summary on top,
    // what was typed kept, nothing opened.
    for (lang, words) in [("it", "non è valido"), ("en", "is not valid")] {
        let r = http
            .post(t.url(&format!("/v?lang={lang}")))
            .form(&[("code", "HELLO-WORLD")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let html = r.text().await.unwrap();
        assert!(html.contains(words), "{lang}: {html}");
        assert!(html.contains("value=\"HELLO-WORLD\""));
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("href=\"#code\""));
    }
    let (status, location, html) = post(String::new()).await;
    assert_eq!((status, location), (400, None));
    assert!(html.contains("Il codice è vuoto"), "{html}");
    // A well-formed code of no QR: 404, the field emptied for the next scan.
    let (status, location, html) = post("0000000000000000000000000A".into()).await;
    assert_eq!((status, location), (404, None));
    assert!(html.contains("non è conosciuto"), "{html}");
    assert!(!html.contains("value=\"0000000000000000000000000A\""));
    // The old GET form reads no code: the page, no redirect.
    let r = http
        .get(t.url(&format!("/v?code={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(!r.text().await.unwrap().contains(&token));
}

async fn the_operators_tutorial_as_a_page_and_a_tagged_pdf(t: TestApp) {
    let http = support::client();
    // Linked from the landing page and from /v.
    for path in ["/", "/v"] {
        let html = http.get(t.url(path)).send().await.unwrap();
        assert!(
            html.text().await.unwrap().contains("href=\"/v/guide\""),
            "{path}"
        );
    }
    let cases = [
        (
            "it",
            "Tutorial per operatori di enti pubblici e soggetti privati",
            [
                "Come leggere il QR",
                "Non fotografare il QR",
                "Non chiedere il verbale",
            ],
        ),
        (
            "en",
            "Tutorial for operators of public bodies and private providers",
            [
                "How to read the QR code",
                "Do not photograph the QR code",
                "Do not ask for the verbale",
            ],
        ),
    ];
    for (lang, title, words) in cases {
        let r = http
            .get(t.url(&format!("/v/guide?lang={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let html = r.text().await.unwrap();
        assert!(html.contains(&format!("<html lang=\"{lang}\">")));
        assert!(html.contains(title), "{lang}: {html}");
        for w in words {
            assert!(html.contains(w), "{lang}: {w}");
        }
        assert!(html.contains("href=\"/v/guide.pdf\""));

        // The PDF in the language the cookie now remembers.
        let r = http.get(t.url("/v/guide.pdf")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await.unwrap();
        assert!(pdf.starts_with(b"%PDF"));
        if let Some(text) = attesta_testkit::pdftotext(&pdf) {
            // pdftotext breaks lines where the page does: compare words.
            let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(title), "{lang}: {flat}");
            for w in words {
                assert!(flat.contains(w), "{lang}: {w} in {flat}");
            }
        }
        if let Some(info) = attesta_testkit::pdfinfo(&pdf) {
            assert!(
                info.lines()
                    .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
                "{info}"
            );
            assert!(info.contains(title), "the title in the metadata: {info}");
        }
    }
}

/// The `<input>` tag with `id`.
fn input_tag<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html.find(&format!("id=\"{id}\"")).expect("the field");
    let start = html[..at].rfind('<').unwrap();
    &html[start..at + html[at..].find('>').unwrap()]
}

async fn a_result_says_its_outcome_first_and_focuses_the_next_qr(t: TestApp) {
    let http = support::client();
    let giulia = cf("BNCGLI85M52A662");
    let cases = [
        (MARIO, "✓ Rientra nelle casistiche elencate"),
        (giulia.as_str(), "✗ NON rientra nelle casistiche elencate"),
    ];
    let mut tokens = vec![t.attested(MARIO, qualifying()).await];
    // Giulia's status stops qualifying after her QR was made: a revision
    // verbale that assessed everything.
    tokens.push(t.attested(&giulia, qualifying()).await);
    let r = t
        .admin_post_verbale(
            serde_json::json!({"verbale_id": "V-END", "fiscal_code": giulia,
        "kind": "revision", "session_date": "2025-01-10", "definitive": true, "source": "telematic",
        "invalidity_code": "01", "invalidity_percentage": 10, "accompaniment": false,
        "blindness": "none", "deafness": false, "handicap": "none", "art21": false,
        "law68_disability": false, "dl5_2012_art4": false, "revision": {"none": true}}),
        )
        .await;
    assert_eq!(r.status(), 201);
    for ((who, title), token) in cases.into_iter().zip(tokens) {
        let check = open_check(&t, &http, &token).await;
        let (status, html) = post_cf(&http, &t, &check, who).await;
        assert_eq!(status, 200);
        // The window title starts with the outcome in symbol and words; the
        // breadcrumbs keep the page's plain name.
        assert!(html.contains(&format!("<title>{title} — ")), "{html}");
        assert!(!html.contains(&format!("aria-current=\"page\">{title}")));
        // The next QR's field: focused, posting to /v, empty, and described
        // by the outcome's words, which a screen reader reads with it.
        let field = input_tag(&html, "code");
        assert!(field.contains("autofocus"), "{field}");
        assert!(field.contains("value=\"\""), "{field}");
        assert!(
            field.contains("aria-describedby=\"code-hint outcome-text\""),
            "{field}"
        );
        assert!(html.contains("id=\"outcome-text\""));
        assert!(html.contains("<form method=\"post\" action=\"/v\""));
        // Only one element is focused on arrival.
        assert_eq!(html.matches("autofocus").count(), 1);
    }
}
