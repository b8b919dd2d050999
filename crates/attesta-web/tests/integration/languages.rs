//! Italian by default, English complete: `?lang=` (remembered in a cookie),
//! then the cookie, then `Accept-Language`, then Italian.

use attesta_testkit::on_both_engines;
use reqwest::header::{ACCEPT_LANGUAGE, COOKIE, SET_COOKIE};

use crate::support::{TestApp, client};

on_both_engines!(
    the_language_follows_query_cookie_and_accept_language,
    error_pages_speak_the_chosen_language,
);

async fn page(t: &TestApp, path: &str, headers: &[(&str, &str)]) -> (String, Option<String>) {
    let mut req = client().get(t.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    let cookie = r
        .headers()
        .get(SET_COOKIE)
        .map(|v| v.to_str().unwrap().to_owned());
    (r.text().await.unwrap(), cookie)
}

async fn the_language_follows_query_cookie_and_accept_language(t: TestApp) {
    // Nothing said: Italian, and only Italian.
    let (html, cookie) = page(&t, "/", &[]).await;
    assert!(html.contains(r#"<html lang="it">"#));
    assert!(html.contains("Attestare la propria condizione con un codice QR"));
    assert!(!html.contains("Prove your status with a QR code"));
    assert!(cookie.is_none(), "no choice, no cookie");
    // The switch: both languages, the current one marked.
    assert!(
        html.contains(r#"<a href="/?lang=en" lang="en" hreflang="en">English</a>"#),
        "{html}"
    );
    assert!(html.contains(
        r#"<a href="/?lang=it" lang="it" hreflang="it" aria-current="true">Italiano</a>"#
    ));

    // Accept-Language, by q order.
    let (html, _) = page(
        &t,
        "/",
        &[(ACCEPT_LANGUAGE.as_str(), "de;q=1, en-GB;q=0.9, it;q=0.5")],
    )
    .await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Prove your status with a QR code"));
    assert!(!html.contains("Attestare la propria condizione"));
    let (html, _) = page(&t, "/", &[(ACCEPT_LANGUAGE.as_str(), "en;q=0.4, it-IT")]).await;
    assert!(html.contains(r#"<html lang="it">"#));
    let (html, _) = page(&t, "/", &[(ACCEPT_LANGUAGE.as_str(), "fr, de")]).await;
    assert!(html.contains(r#"<html lang="it">"#), "unsupported: Italian");

    // `?lang=en` wins over Accept-Language and sets the cookie for a year.
    let (html, cookie) = page(&t, "/v?lang=en", &[(ACCEPT_LANGUAGE.as_str(), "it")]).await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Check an attestation"));
    let cookie = cookie.expect("the choice is remembered");
    assert!(cookie.starts_with("attesta_lang=en;"), "{cookie}");
    assert!(cookie.contains("Path=/") && cookie.contains("SameSite=Lax"));
    assert!(cookie.contains("Max-Age=31536000"));
    // The switch links back to the same page.
    assert!(html.contains(r#"href="/v?lang=it""#));

    // The cookie wins over Accept-Language.
    let (html, _) = page(
        &t,
        "/v",
        &[
            (COOKIE.as_str(), "attesta_lang=en"),
            (ACCEPT_LANGUAGE.as_str(), "it"),
        ],
    )
    .await;
    assert!(html.contains(r#"<html lang="en">"#));

    // A client with a cookie jar keeps the choice across pages.
    let c = client();
    c.get(t.url("/?lang=en")).send().await.unwrap();
    let html = c
        .get(t.url("/v"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Check an attestation"));
    let html = c
        .get(t.url("/v?lang=it"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Verifica un&#39;attestazione") || html.contains("Verifica un'attestazione"),
        "{html}"
    );
    let html = c
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"<html lang="it">"#));

    // No Unicode isolation marks around Fluent arguments.
    assert!(!html.contains('\u{2068}') && !html.contains('\u{2069}'));
}

async fn error_pages_speak_the_chosen_language(t: TestApp) {
    let (html, _) = page(&t, "/no-such-page", &[]).await;
    assert!(html.contains("Non trovato") && html.contains("Questa pagina non esiste."));
    assert!(!html.contains("Not found"));
    let (html, _) = page(&t, "/no-such-page?lang=en", &[]).await;
    assert!(html.contains(r#"<html lang="en">"#));
    assert!(html.contains("Not found") && html.contains("This page does not exist."));
    assert!(!html.contains("Non trovato"));
    // The API is not affected: its messages stay English JSON.
    let r = client()
        .get(t.url("/api/v1/nothing-here"))
        .header(ACCEPT_LANGUAGE, "it")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
