//! The security headers on every response (issue 16): every route of the
//! router and every documented OpenAPI path, by GET and by POST, logged in
//! as a citizen, so pages, API answers, errors, 405s, 404s and static files
//! are all walked.

use attesta_testkit::TestEngine;
use attesta_testkit::people::MARIO;
use serde_json::json;

use crate::support::TestApp;

/// The router's page and static routes (`lib.rs`), with sample values for
/// their parameters; the API's come from `DOCUMENTED_PATHS`.
const PAGE_ROUTES: &[&str] = &[
    "/",
    "/v",
    "/v/AAAAAAAAAAAAAAAAAAAAAAAAAA",
    "/V/AAAAAAAAAAAAAAAAAAAAAAAAAA",
    "/v/AAAAAAAAAAAAAAAAAAAAAAAAAA/level2",
    "/v/level2",
    "/login",
    "/auth/callback",
    "/me",
    "/me/qr",
    "/me/benefits",
    "/me/card",
    "/me/privacy-notice",
    "/me/attestation",
    "/me/attestation/revoke",
    "/me/attestation/email",
    "/me/new",
    "/me/delegates",
    "/me/delegates/remove",
    "/me/acting-for",
    "/logout",
    "/c",
    "/c/xyz",
    "/C/XYZ",
    "/static/style.css",
    "/static/fonts/titillium-web-latin-400-normal.woff2",
    "/static/favicon.svg",
    "/static/show-qr.js",
    "/demo",
    "/demo/login",
    "/no/such/page",
    "/api/v1/no/such/endpoint",
];

/// Public answers made to be cached; every other response is `no-store`.
fn cacheable(path: &str) -> bool {
    path.starts_with("/static/")
        || path == "/.well-known/attesta/keys.json"
        || path == "/.well-known/jwt-vc-issuer"
        || path.ends_with("/credentials/disability-card")
        || path == "/api/v1/openapi.json"
        || path.starts_with("/api/v1/status-lists/")
}

fn all_paths() -> Vec<String> {
    let mut paths: Vec<String> = PAGE_ROUTES.iter().map(|p| (*p).to_owned()).collect();
    for documented in attesta_web::DOCUMENTED_PATHS {
        // `{fiscal_code}` → a valid one, any other parameter → a sample word.
        let mut path = documented.replace("{fiscal_code}", MARIO);
        while let Some(start) = path.find('{') {
            let end = path[start..].find('}').unwrap() + start;
            path.replace_range(start..=end, "1");
        }
        paths.push(path);
    }
    paths
}

pub async fn every_response_carries_the_security_headers(t: TestApp) {
    t.attested(
        MARIO,
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let mut checked = 0;
    for path in all_paths() {
        for method in ["GET", "POST"] {
            let r = c
                .http
                .request(method.parse().unwrap(), t.url(&path))
                .header("origin", &t.base)
                .send()
                .await
                .unwrap();
            let status = r.status();
            assert!(status.as_u16() < 500, "{method} {path}: {status}");
            let h = r.headers();
            let get = |name: &str| {
                h.get(name)
                    .map(|v| v.to_str().unwrap().to_owned())
                    .unwrap_or_else(|| panic!("{method} {path} ({status}): no {name}"))
            };
            let csp = get("content-security-policy");
            for directive in [
                "default-src 'self'",
                "object-src 'none'",
                "base-uri 'none'",
                "frame-ancestors 'none'",
                "form-action 'self'",
                "img-src 'self' data:",
            ] {
                assert!(csp.contains(directive), "{method} {path}: {csp}");
            }
            assert!(!csp.contains("unsafe-inline"), "{csp}");
            assert_eq!(get("x-content-type-options"), "nosniff", "{method} {path}");
            assert_eq!(get("referrer-policy"), "no-referrer", "{method} {path}");
            let cache = get("cache-control");
            if cacheable(&path) && status.is_success() {
                assert!(cache.starts_with("public"), "{method} {path}: {cache}");
            } else {
                assert_eq!(cache, "no-store", "{method} {path} ({status})");
            }
            // A request id to follow it through the logs (drawn here: the
            // test client is no trusted proxy).
            let id = get("x-request-id");
            assert!(
                id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()),
                "{method} {path}: {id}"
            );
            // Served over http here: HSTS would be meaningless.
            assert!(h.get("strict-transport-security").is_none(), "{path}");
            checked += 1;
        }
    }
    assert!(checked > 100, "{checked}");
}

/// Over https, every response (an error too) asks for https from then on.
pub async fn hsts_when_the_public_url_is_https(engine: TestEngine) {
    let Some(t) = TestApp::builder(engine)
        .public_url("https://attesta.example.it")
        .spawn()
        .await
    else {
        return;
    };
    for path in ["/", "/no/such/page", "/api/v1/me", "/static/style.css"] {
        let r = t.http.get(t.url(path)).send().await.unwrap();
        let hsts = r
            .headers()
            .get("strict-transport-security")
            .unwrap_or_else(|| panic!("{path}: no HSTS"));
        assert!(hsts.to_str().unwrap().starts_with("max-age=31536000"));
    }
}

/// `X-Request-Id` from a trusted proxy is kept (a well-formed one), from
/// anyone else replaced by a random one; every answer carries it.
pub async fn a_trusted_proxys_request_id_is_kept(engine: TestEngine) {
    let behind_proxy = attesta_web::RateLimit {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..attesta_web::RateLimit::default()
    };
    let Some(t) = TestApp::builder(engine)
        .rate_limit(behind_proxy)
        .spawn()
        .await
    else {
        return;
    };
    let id_of = |sent: Option<&'static str>, path: &'static str| {
        let mut r = t.http.get(t.url(path));
        if let Some(sent) = sent {
            r = r.header("x-request-id", sent);
        }
        async move {
            let r = r.send().await.unwrap();
            r.headers()["x-request-id"].to_str().unwrap().to_owned()
        }
    };
    assert_eq!(id_of(Some("lb-7f3a.42_x"), "/v").await, "lb-7f3a.42_x");
    assert_eq!(id_of(Some("lb-7f3a"), "/no/such/page").await, "lb-7f3a");
    assert_eq!(id_of(Some("lb-7f3a"), "/api/v1/me").await, "lb-7f3a");
    // Malformed (a space, a quote, too long): replaced.
    let long: &'static str = "x".repeat(65).leak();
    for bad in ["two words", "quo\"te", long] {
        let got = id_of(Some(bad), "/v").await;
        assert_ne!(got, bad);
        assert_eq!(got.len(), 32, "{got}");
    }
    // Two requests without one get two different ids.
    assert_ne!(id_of(None, "/v").await, id_of(None, "/v").await);

    // Not behind a trusted proxy: the client's header is not believed.
    let Some(direct) = TestApp::builder(engine).spawn().await else {
        return;
    };
    let r = direct
        .http
        .get(direct.url("/v"))
        .header("x-request-id", "lb-7f3a")
        .send()
        .await
        .unwrap();
    let got = r.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(got, "lb-7f3a");
    assert_eq!(got.len(), 32);
}
