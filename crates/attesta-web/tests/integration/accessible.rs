//! What the pages say and offer beyond the happy path: errors in the page's
//! language and tied to their fields, the QR full screen, the large-print PDF.

use serde_json::json;

use attesta_testkit::people::{MARIO, cf};
use attesta_testkit::{on_both_engines, pdfinfo, read_qr_on_pdf_page};

use crate::qualifying;
use crate::support::{Citizen, TestApp, csrf_of};

on_both_engines!(
    errors_on_pages_are_in_the_page_language,
    the_delegate_form_keeps_the_value_and_ties_the_error_to_the_field,
    the_qr_full_screen,
    the_large_print_pdf,
);

async fn post_form(t: &TestApp, c: &Citizen, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.http.post(t.url(path)).form(form).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The text of the element with `id` (its first line of markup).
fn element(html: &str, id: &str) -> String {
    let at = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} in {html}"));
    let start = html[..at].rfind('<').unwrap();
    html[start..start + html[start..].find('\n').unwrap_or(html.len() - start)].to_owned()
}

async fn errors_on_pages_are_in_the_page_language(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let http = crate::support::client();
    let check = crate::support::open_check(&t, &http, &token).await;
    let verify = |lang: &'static str, cf_typed: String| {
        let http = http.clone();
        let url = t.url(&format!("{check}?lang={lang}"));
        async move {
            let r = http
                .post(url)
                .form(&[("fiscal_code", cf_typed.as_str())])
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };

    // A miss: the attempts left, in Italian, tied to the field.
    let (status, html) = verify("it", cf("BNCGLI85M52A662")).await;
    assert_eq!(status, 403);
    let error = element(&html, "cf-error");
    assert!(error.contains("non corrisponde"), "{error}");
    assert!(error.contains("Restano 4 tentativi"), "{error}");
    assert!(
        !error.contains("lang=") && !html.contains("does not match"),
        "no English on an Italian page: {error}"
    );
    assert!(element(&html, "fiscal_code").contains("aria-invalid=\"true\""));
    // The same in English.
    let (_, html) = verify("en", cf("BNCGLI85M52A662")).await;
    assert!(element(&html, "cf-error").contains("3 attempts left"));

    // A malformed code says which character is wrong, and is not an attempt.
    let (status, html) = verify("it", "RSSMRA80A01H50".into()).await;
    assert_eq!(status, 400);
    let error = element(&html, "cf-error");
    assert!(error.contains("16 caratteri; questo ne ha 14"), "{error}");
    let (_, html) = verify("it", "RSSMRA80Z01H501U".into()).await;
    assert!(element(&html, "cf-error").contains("mese di nascita"));
    let (_, html) = verify("en", "RSSMRA80A01H501X".into()).await;
    assert!(element(&html, "cf-error").contains("check letter"));

    // The error pages: an unknown QR, in each language.
    let unknown = "0000000000000000000000000A";
    for (lang, words) in [("it", "non è conosciuto"), ("en", "is not known")] {
        let r = http
            .get(t.url(&format!("/v/{unknown}?lang={lang}")))
            .send()
            .await
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains(words), "{lang}: {html}");
    }
    // A page needing a login, in Italian: the translation, not the API's English.
    let html = http
        .get(t.url("/me?lang=it"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Accedi prima"), "{html}");
    assert!(!html.contains("Log in first"));
    // The API keeps its English message for developers.
    let r = http
        .post(t.url("/api/v1/verify"))
        .json(&json!({"token": token, "fiscal_code": "RSSMRA80A01H50"}))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = r.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16 characters")
    );
}

async fn the_delegate_form_keeps_the_value_and_ties_the_error_to_the_field(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying()).await;
    let c = t.citizen(MARIO).await;
    let page = c.get("/me").await.text().await.unwrap();
    let csrf = csrf_of(&page);
    assert!(!element(&page, "delegate_cf").contains("aria-invalid"));

    // A typing mistake: 422, the field marked, the reason beside it, the value kept.
    let typed = "RSSMRA80A01H501X";
    let (status, html) = post_form(
        &t,
        &c,
        "/me/delegates",
        &[("csrf", &csrf), ("fiscal_code", typed)],
    )
    .await;
    assert_eq!(status, 422);
    let input = element(&html, "delegate_cf");
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(input.contains(&format!("value=\"{typed}\"")), "{input}");
    assert!(input.contains("delegate_cf-error"), "{input}");
    assert!(element(&html, "delegate_cf-error").contains("di controllo e non corrisponde"));
    assert!(
        html.contains("href=\"#delegate_cf\""),
        "the summary links to the field"
    );

    // Nothing typed: asked for, not "0 characters".
    let (status, html) = post_form(
        &t,
        &c,
        "/me/delegates",
        &[("csrf", &csrf), ("fiscal_code", " ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(element(&html, "delegate_cf-error").contains("Scrivi il codice fiscale"));
    // Oneself: the reason from the translation files.
    let (status, html) = post_form(
        &t,
        &c,
        "/me/delegates",
        &[("csrf", &csrf), ("fiscal_code", MARIO)],
    )
    .await;
    assert_eq!(status, 422);
    assert!(element(&html, "delegate_cf-error").contains("te stesso"));
    // Nothing changed.
    let list: serde_json::Value = c.get("/api/v1/me/delegates").await.json().await.unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(0), "{list}");

    // A good one still goes through.
    let giulia = cf("BNCGLI85M52A662");
    let r = c
        .http
        .post(t.url("/me/delegates"))
        .form(&[("csrf", csrf.as_str()), ("fiscal_code", giulia.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/me?done=delegate_added");
}

/// Generates the citizen's QR; true when `/me` then shows the link `href`.
async fn generate_and_find_link(c: &Citizen, href: &str) -> (serde_json::Value, bool) {
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let created: serde_json::Value = c.post("/api/v1/me/attestation").await.json().await.unwrap();
    let me = c.get("/me").await.text().await.unwrap();
    (created, me.contains(&format!("href=\"{href}\"")))
}

async fn the_qr_full_screen(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying()).await;
    let c = t.citizen(MARIO).await;
    // An operator's login opens none of the citizen's pages: 403, saying so.
    let op = t.operator("Museo civico").await;
    for path in ["/me", "/me/qr", "/me/card", "/me/benefits"] {
        let r = op.get(path).await;
        assert_eq!(r.status(), 403, "{path}");
        assert!(
            r.text().await.unwrap().contains("accedi come cittadino"),
            "{path}"
        );
    }
    // No QR yet: the page says so, in Italian.
    let r = c.get("/me/qr").await;
    assert_eq!(r.status(), 404);
    assert!(r.text().await.unwrap().contains("Non hai un QR attivo"));

    let (created, linked) = generate_and_find_link(&c, "/me/qr").await;
    assert!(linked, "the area links to it");
    let short = created["short_code"].as_str().unwrap();
    let r = c.get("/me/qr").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    assert!(html.contains("<svg"));
    assert!(html.contains(&format!("<strong class=\"code\">{short}</strong>")));
    assert!(html.contains("role=\"img\""));
    assert!(
        html.contains(&format!(
            "di Mario Rossi. Codice per l&apos;inserimento manuale: {short}\""
        )),
        "the QR's text alternative names the holder and the code: {html}"
    );
    assert!(html.contains("class=\"show-qr\""));
    assert!(!html.contains(MARIO), "no codice fiscale on the screen");
    // Works without JavaScript; the script only adds full screen and keeps the screen on.
    let r = c.get("/static/show-qr.js").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    // In English.
    let html = c.get("/me/qr?lang=en").await.text().await.unwrap();
    assert!(html.contains("Show this screen to the operator"));
}

async fn the_large_print_pdf(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying()).await;
    let c = t.citizen(MARIO).await;
    let (created, linked) =
        generate_and_find_link(&c, "/api/v1/me/attestation/pdf?print=large").await;
    assert!(linked, "the area links to it");
    let url = created["url"].as_str().unwrap().to_owned();

    let r = c.get("/api/v1/me/attestation/pdf?print=huge").await;
    assert_eq!(r.status(), 422);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "invalid_query");
    assert_eq!(e["error"]["fields"][0]["field"], "print");

    let standard = c.get("/api/v1/me/attestation/pdf?print=standard").await;
    assert_eq!(standard.status(), 200);
    let standard = standard.bytes().await.unwrap();
    let r = c.get("/api/v1/me/attestation/pdf?print=large").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("caratteri-grandi")
    );
    let large = r.bytes().await.unwrap();
    assert!(large.starts_with(b"%PDF"));
    assert_ne!(large, standard);
    // ZBar reads its QR, the same URL as the standard one.
    if let Some(decoded) = read_qr_on_pdf_page(&large, 1, 300) {
        assert_eq!(decoded, url);
    }
    if let Some(info) = pdfinfo(&large) {
        assert!(info.contains("caratteri grandi"), "{info}");
        assert!(
            info.lines()
                .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
            "{info}"
        );
    }
}
