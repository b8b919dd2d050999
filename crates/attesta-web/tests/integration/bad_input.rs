//! The bad-input matrix (issue 16): each row one value sent through the
//! public surface, with what must come back. Accepted names are then taken
//! through every place that prints them (pages, both PDFs, the e-mail);
//! refused values are a 4xx in the JSON error shape naming the field, and
//! change nothing. Never a 500.

use attesta_testkit::people::MARIO;
use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, TestApp};

/// A name that SPEC §2 accepts, and so must print everywhere.
const ACCEPTED_NAMES: &[(&str, &str, &str)] = &[
    ("Italian", "Niccolò", "D'Annunzio-Sforza"),
    ("typographic apostrophe", "Maria", "Dell’Orto"),
    ("Latin extended", "Łukasz", "Żółć Ærøskøbing"),
    ("Vietnamese", "Thị", "Nguyễn"),
    ("Greek", "Γιώργος", "Παπαδόπουλος"),
    ("polytonic Greek", "Ἀλέξανδρος", "Ῥόδιος"),
    ("Cyrillic", "Владимир", "Ґалина-Їжак"),
    ("combining accent", "Jose\u{301}", "Rossi"),
    (
        "100 wide letters each",
        "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
        "ШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШШ",
    ),
    ("HTML in an apostrophised name", "O'Neil", "D'Arc-O'Brien"),
];

/// A name SPEC §2 refuses: 422 naming `given_name`.
const REFUSED_NAMES: &[(&str, &str)] = &[
    ("Arabic", "محمد"),
    ("Chinese", "名前"),
    ("runic", "ᚠᚢᚦ"),
    ("emoji", "Mario 😀"),
    ("NUL", "Ma\u{0}rio"),
    ("bell", "Ma\u{7}rio"),
    ("right-to-left override", "Ma\u{202E}oiR"),
    ("zero-width space", "Ma\u{200B}rio"),
    ("lone combining mark", "\u{301}"),
    ("combining mark after a space", "Mario \u{301}"),
    ("markup", "<script>alert(1)</script>"),
    ("digits", "Mario2"),
    (
        "101 characters",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ),
    ("only spaces", "   "),
    ("only punctuation", "-'-"),
];

pub async fn names_in_every_script(t: TestApp) {
    t.attested(
        MARIO,
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    for (label, given, family) in ACCEPTED_NAMES {
        let r = t
            .admin_put_person(
                MARIO,
                json!({"given_name": given, "family_name": family,
                "birth_date": "1980-01-01", "email": "mario@example.it"}),
            )
            .await;
        assert_eq!(r.status(), 200, "{label}: {}", r.text().await.unwrap());
        let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
        assert!(
            me.to_string().contains(&json!(given).to_string()),
            "{label}: {me}"
        );
        for print in ["", "?print=large"] {
            let r = c.get(&format!("/api/v1/me/attestation/pdf{print}")).await;
            assert_eq!(r.status(), 200, "{label} {print}");
            assert!(r.bytes().await.unwrap().starts_with(b"%PDF"), "{label}");
        }
        for page in ["/me", "/me/qr"] {
            let r = c.get(page).await;
            assert_eq!(r.status(), 200, "{label} {page}");
            let html = r.text().await.unwrap();
            // Apostrophes are escaped in the page; the rest stands as typed.
            if !given.contains('\'') {
                assert!(html.contains(given), "{label}: {page} lacks the name");
            }
        }
        let r = c.post("/api/v1/me/attestation/email").await;
        assert_eq!(r.status(), 202, "{label}: e-mail");
    }
    let before: Value = c.get("/api/v1/me").await.json().await.unwrap();
    for (label, bad) in REFUSED_NAMES {
        for field in ["given_name", "family_name"] {
            let mut body =
                json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"});
            body[field] = json!(bad);
            let (status, e) = send(
                &t,
                Admin,
                "PUT",
                &people(),
                Some("application/json"),
                body.to_string().into_bytes(),
            )
            .await;
            assert_eq!(status, 422, "{label} {field}: {e}");
            assert_eq!(e["code"], "invalid_person", "{label}");
            assert_eq!(e["fields"][0]["field"], field, "{label}: {e}");
        }
    }
    let after: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(before, after, "a refused name changed nothing");
}

#[derive(Clone, Copy)]
enum Who {
    Admin,
    Anonymous,
    Citizen,
}
use Who::{Admin, Anonymous};

fn people() -> String {
    format!("/api/v1/admin/people/{MARIO}")
}

/// One refused request: who sends it, how, and the status and field (or,
/// for a malformed request, a word of the message) it must be answered with.
struct Row {
    label: &'static str,
    who: Who,
    method: &'static str,
    path: &'static str,
    content_type: Option<&'static str>,
    body: &'static [u8],
    status: u16,
    names: &'static str,
}

const P: &str = "/api/v1/admin/people/RSSMRA80A01H501U";
const V: &str = "/api/v1/admin/verbali";
const JSON: Option<&str> = Some("application/json");
const PERSON_OK: &str = r#""given_name":"Mario","family_name":"Rossi""#;

macro_rules! person {
    ($extra:literal) => {
        concat!(
            r#"{"given_name":"Mario","family_name":"Rossi","#,
            $extra,
            "}"
        )
        .as_bytes()
    };
}
macro_rules! verbale {
    ($extra:literal) => {
        concat!(
            r#"{"verbale_id":"V-BAD","fiscal_code":"RSSMRA80A01H501U","kind":"first_instance","definitive":true,"source":"telematic","#,
            $extra,
            "}"
        )
        .as_bytes()
    };
}

const ROWS: &[Row] = &[
    Row {
        label: "impossible date",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"2026-02-30""#),
        status: 422,
        names: "birth_date",
    },
    Row {
        label: "year zero",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"0000-01-01""#),
        status: 422,
        names: "birth_date",
    },
    Row {
        label: "far future",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"9999-12-31""#),
        status: 422,
        names: "birth_date",
    },
    Row {
        label: "date with a time",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01T10:00:00Z""#),
        status: 422,
        names: "birth_date",
    },
    Row {
        label: "date as a number",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":19800101"#),
        status: 422,
        names: "birth_date",
    },
    Row {
        label: "name as a number",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: br#"{"given_name":5,"family_name":"Rossi","birth_date":"1980-01-01"}"#,
        status: 422,
        names: "given_name",
    },
    Row {
        label: "name as a list",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: br#"{"given_name":["Mario"],"family_name":"Rossi","birth_date":"1980-01-01"}"#,
        status: 422,
        names: "given_name",
    },
    Row {
        label: "very long e-mail",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(
            r#""birth_date":"1980-01-01","email":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@example.it""#
        ),
        status: 422,
        names: "email",
    },
    Row {
        label: "mobile as a huge number",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01","mobile":393331234567000000000000000"#),
        status: 422,
        names: "mobile",
    },
    Row {
        label: "number beyond f64",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01","mobile":1e400"#),
        status: 400,
        names: "number",
    },
    Row {
        label: "duplicate key",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01","given_name":"Luigi""#),
        status: 400,
        names: "given_name",
    },
    Row {
        label: "empty body",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: None,
        body: b"",
        status: 422,
        names: "given_name",
    },
    Row {
        label: "JSON null body",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: b"null",
        status: 400,
        names: "object",
    },
    Row {
        label: "JSON list body",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: b"[]",
        status: 400,
        names: "object",
    },
    Row {
        label: "unknown field",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01","diagnosis":"x""#),
        status: 400,
        names: "diagnosis",
    },
    Row {
        label: "invalid UTF-8",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: JSON,
        body:
            b"{\"given_name\":\"Mar\xE9o\",\"family_name\":\"Rossi\",\"birth_date\":\"1980-01-01\"}",
        status: 400,
        names: "JSON",
    },
    Row {
        label: "a form instead of JSON",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: Some("application/x-www-form-urlencoded"),
        body: b"given_name=Mario",
        status: 400,
        names: "application/json",
    },
    Row {
        label: "JSON as text/plain",
        who: Admin,
        method: "PUT",
        path: P,
        content_type: Some("text/plain"),
        body: person!(r#""birth_date":"1980-01-01""#),
        status: 400,
        names: "application/json",
    },
    Row {
        label: "bad codice fiscale in the path",
        who: Admin,
        method: "PUT",
        path: "/api/v1/admin/people/RSSMRA80A01H501X",
        content_type: JSON,
        body: person!(r#""birth_date":"1980-01-01""#),
        status: 422,
        names: "fiscal_code",
    },
    Row {
        label: "verbale: impossible session date",
        who: Admin,
        method: "POST",
        path: V,
        content_type: JSON,
        body: verbale!(r#""session_date":"2024-02-30""#),
        status: 422,
        names: "session_date",
    },
    Row {
        label: "verbale: huge percentage",
        who: Admin,
        method: "POST",
        path: V,
        content_type: JSON,
        body: verbale!(
            r#""session_date":"2024-02-10","invalidity_code":"03","invalidity_percentage":1e300"#
        ),
        status: 422,
        names: "invalidity_percentage",
    },
    Row {
        label: "verbale: percentage as text",
        who: Admin,
        method: "POST",
        path: V,
        content_type: JSON,
        body: verbale!(
            r#""session_date":"2024-02-10","invalidity_code":"03","invalidity_percentage":"80""#
        ),
        status: 422,
        names: "invalidity_percentage",
    },
    Row {
        label: "verbale: duplicate key",
        who: Admin,
        method: "POST",
        path: V,
        content_type: JSON,
        body: verbale!(r#""session_date":"2024-02-10","kind":"revision""#),
        status: 400,
        names: "kind",
    },
    Row {
        label: "verify: token as a number",
        who: Anonymous,
        method: "POST",
        path: "/api/v1/verify",
        content_type: JSON,
        body: br#"{"token":12345678901234567890123456,"fiscal_code":"RSSMRA80A01H501U"}"#,
        status: 400,
        names: "token",
    },
    Row {
        label: "repeated query parameter (API)",
        who: Admin,
        method: "GET",
        path: "/api/v1/admin/cards?status=pending&status=pending",
        content_type: None,
        body: b"",
        status: 400,
        names: "status",
    },
    Row {
        label: "repeated query parameter (citizen PDF)",
        who: Who::Citizen,
        method: "GET",
        path: "/api/v1/me/attestation/pdf?print=large&print=large",
        content_type: None,
        body: b"",
        status: 400,
        names: "print",
    },
    Row {
        label: "unknown print size",
        who: Who::Citizen,
        method: "GET",
        path: "/api/v1/me/attestation/pdf?print=huge",
        content_type: None,
        body: b"",
        status: 422,
        names: "print",
    },
];

pub async fn bad_input_matrix(t: TestApp) {
    t.attested(
        MARIO,
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let before: Value = t
        .citizen(MARIO)
        .await
        .get("/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    let _ = PERSON_OK;
    for row in ROWS {
        let (status, e) = send(
            &t,
            row.who,
            row.method,
            row.path,
            row.content_type,
            row.body.to_vec(),
        )
        .await;
        assert_eq!(status, row.status, "{}: {e}", row.label);
        let fields: Vec<&str> = e["fields"]
            .as_array()
            .map(|f| f.iter().filter_map(|f| f["field"].as_str()).collect())
            .unwrap_or_default();
        let named = fields.contains(&row.names)
            || e["message"].as_str().is_some_and(|m| m.contains(row.names));
        assert!(named, "{}: {e} does not name {}", row.label, row.names);
    }
    // A cross-site page posting with the citizen's cookie.
    let c = t.citizen(MARIO).await;
    let r = c
        .http
        .delete(t.url("/api/v1/me/attestation"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"]["code"], "cross_origin");
    assert_eq!(
        c.get("/api/v1/me/attestation").await.status(),
        200,
        "the QR is kept"
    );
    let after: Value = t
        .citizen(MARIO)
        .await
        .get("/api/v1/me")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(before, after, "no refused request changed the person");
}

/// Sends one request and returns its status and `error` object (which
/// every refusal must carry, in the JSON error shape).
async fn send(
    t: &TestApp,
    who: Who,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (u16, Value) {
    let http = match who {
        Who::Citizen => t.citizen(MARIO).await.http.clone(),
        _ => t.http.clone(),
    };
    let mut r = http
        .request(method.parse().unwrap(), t.url(path))
        .header("origin", &t.base)
        .body(body);
    if let Some(ct) = content_type {
        r = r.header("content-type", ct);
    }
    if let Who::Admin = who {
        r = r.bearer_auth(ADMIN_KEY);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body: Value = serde_json::from_str(&text)
        .unwrap_or_else(|_| panic!("{method} {path}: {status} is not a JSON error: {text}"));
    (status, body["error"].clone())
}
