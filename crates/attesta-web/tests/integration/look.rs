//! The frame of every page (the Designers Italia look): the header, the
//! embedded stylesheet and fonts and how long browsers keep them, the
//! breadcrumbs, the step indicator and the error summary.

use attesta_testkit::on_both_engines;
use attesta_testkit::people::MARIO;
use serde_json::json;

use crate::support::{TestApp, client};

on_both_engines!(
    the_stylesheet_and_fonts_are_embedded_and_cached,
    inner_pages_have_breadcrumbs_and_the_request_its_steps,
    a_form_error_is_summed_up_at_the_top_with_a_link_to_its_field,
);

async fn get(t: &TestApp, path: &str) -> reqwest::Response {
    client().get(t.url(path)).send().await.unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .unwrap_or_else(|| panic!("no {name}"))
        .to_str()
        .unwrap()
}

async fn the_stylesheet_and_fonts_are_embedded_and_cached(t: TestApp) {
    let r = get(&t, "/").await;
    let csp = header(&r, "content-security-policy").to_owned();
    let html = r.text().await.unwrap();
    // The kit's header: the owning service, the service's name.
    assert!(html.contains("class=\"it-header-slim-wrapper\""), "{html}");
    assert!(html.contains("class=\"it-header-center-wrapper\""));
    assert!(html.contains("<footer class=\"it-footer\">"));
    assert!(!html.contains("breadcrumb"), "no trail on the home page");

    // The stylesheet's address carries its fingerprint: kept for a year.
    let start = html
        .find("href=\"/static/style.css?v=")
        .expect("the stylesheet")
        + 6;
    let href = &html[start..start + html[start..].find('"').unwrap()];
    let r = get(&t, href).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "text/css; charset=utf-8");
    assert_eq!(
        header(&r, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    let css = r.text().await.unwrap();
    // Without (or with an old) fingerprint it may change: an hour.
    for path in ["/static/style.css", "/static/style.css?v=0123456789abcdef"] {
        let r = get(&t, path).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header(&r, "cache-control"), "public, max-age=3600");
        assert_eq!(r.text().await.unwrap(), css);
    }

    // Titillium Web from this server only (the CSP allows nothing else),
    // each weight the stylesheet names.
    assert!(csp.starts_with("default-src 'self';") && !csp.contains("font-src"));
    for weight in [400, 600, 700] {
        let path = format!("/static/fonts/titillium-web-latin-{weight}-normal.woff2");
        assert!(css.contains(&format!("url({path})")), "{path}");
        let r = get(&t, &path).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "content-type"), "font/woff2");
        assert_eq!(
            header(&r, "cache-control"),
            "public, max-age=31536000, immutable"
        );
        assert!(r.bytes().await.unwrap().starts_with(b"wOF2"), "{path}");
    }
    assert!(!css.contains("//fonts."), "nothing from elsewhere");
    let r = get(&t, "/static/fonts/OFL.txt").await;
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("SIL OPEN FONT LICENSE Version 1.1")
    );
    assert!(html.contains("href=\"/static/fonts/OFL.txt\""), "linked");
    assert_eq!(get(&t, "/static/fonts/other.woff2").await.status(), 404);
}

async fn inner_pages_have_breadcrumbs_and_the_request_its_steps(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let c = t.citizen(MARIO).await;
    let step1 = c.get("/me/new").await.text().await.unwrap();
    // Home / My attestation / New request, the last one the page itself.
    let trail = &step1[step1
        .find("<nav class=\"breadcrumb-container\"")
        .expect("a trail")..];
    let trail = &trail[..trail.find("</nav>").unwrap()];
    assert!(trail.contains("aria-label=\"Percorso di navigazione\""));
    let home = trail.find("<a href=\"/\">Home</a>").expect("home");
    let area = trail
        .find("<a href=\"/me\">La mia attestazione</a>")
        .expect("the area");
    let here = trail
        .find("aria-current=\"page\">Nuova richiesta</li>")
        .expect("this page");
    assert!(home < area && area < here, "{trail}");

    // The steps, with their text; the current one marked.
    assert!(step1.contains(
        "<li class=\"active\" aria-current=\"step\"><span class=\"steppers-number\">1</span> Controlla i dati di contatto</li>"
    ), "{step1}");
    assert!(step1.contains("Passo 1 di 2"));
    assert_eq!(step1.matches("aria-current=\"step\"").count(), 1);
    let step2 = c.get("/me/new?step=2&lang=en").await.text().await.unwrap();
    assert!(step2.contains(
        "<li class=\"confirmed\"><span class=\"steppers-number\">1</span> Check your contact data<span class=\"sr-only\"> (done)</span></li>"
    ), "{step2}");
    assert!(step2.contains("aria-current=\"step\"><span class=\"steppers-number\">2</span> Accept the privacy notice and confirm</li>"));
    assert!(step2.contains("Step 2 of 2"));
    assert!(step2.contains("aria-label=\"Breadcrumbs\""));
}

async fn a_form_error_is_summed_up_at_the_top_with_a_link_to_its_field(t: TestApp) {
    // No error, no summary.
    let html = get(&t, "/v").await.text().await.unwrap();
    assert!(!html.contains("error-summary"));
    assert!(
        html.contains("<title>Verifica un&#39;attestazione · attesta</title>")
            || html.contains("<title>Verifica un'attestazione · attesta</title>"),
        "{html}"
    );

    let html = get(&t, "/v?code=not-a-code").await.text().await.unwrap();
    let summary = &html[html
        .find("class=\"alert alert-danger error-summary\"")
        .expect("a summary")..];
    let summary = &summary[..summary.find("</div>").unwrap()];
    assert!(summary.contains("role=\"alert\""));
    assert!(
        summary.contains("C&#39;è un problema") || summary.contains("C'è un problema"),
        "{summary}"
    );
    assert!(
        summary.contains("<a href=\"#code\">Il codice non è valido"),
        "{summary}"
    );
    // Before the page's own heading, and the title says so.
    assert!(html.find("error-summary").unwrap() < html.find("<h1>").unwrap());
    assert!(html.contains("<title>Errore: Verifica"), "{html}");
    // The field: marked, and its message tied to it.
    let field = &html[html.find("<input id=\"code\"").unwrap()..];
    let field = &field[..field.find('>').unwrap()];
    assert!(field.contains("aria-invalid=\"true\""), "{field}");
    assert!(
        field.contains("aria-describedby=\"code-hint code-error\""),
        "{field}"
    );
    assert!(html.contains("<p id=\"code-error\" class=\"error-text\">Il codice non è valido"));
}
