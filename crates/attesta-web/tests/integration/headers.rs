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
