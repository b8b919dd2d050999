//! HTTP tests through a real server socket. Every test runs on SQLite and
//! on PostgreSQL (when `TEST_DATABASE_URL` is set; required under CI).

mod accessible;
mod alerts;
mod bad_input;
mod benefits;
mod card;
mod card_life;
mod citizen;
mod concurrency;
mod counter;
mod documents;
mod headers;
mod journey;
mod journey_citizen;
mod languages;
mod level2;
mod look;
mod messages;
mod metrics_series;
mod notices;
mod payments;
mod sessions;
mod support;
mod wallet;
mod xss;

use std::time::Duration;

use attesta_testkit::people::{MARIO, cf};
use attesta_testkit::{TestEngine, on_both_engines, read_qr_on_pdf_page};
use bad_input::{bad_input_matrix, names_in_every_script};
use concurrency::{
    fifty_concurrent_regenerations_leave_one_active_qr,
    fifty_concurrent_wrong_codes_let_exactly_the_limit_through,
};
use headers::{
    a_trusted_proxys_request_id_is_kept, every_response_carries_the_security_headers,
    hsts_when_the_public_url_is_https,
};
use metrics_series::metrics_show_checks_otps_imports_jobs_and_the_pool;
use serde_json::{Value, json};
use sessions::{
    a_login_ends_the_session_before_it, a_session_ends_after_30_idle_minutes,
    https_sessions_use_a_host_prefixed_cookie, logout_ends_the_session_on_the_server,
};
use support::{ADMIN_KEY, TestApp, error_of, token_of};

on_both_engines!(
    end_to_end_qr_from_pdf_to_level1_then_revoked,
    invalid_fiscal_code_is_400_and_never_an_attempt,
    unknown_and_revoked_tokens,
    wrong_codes_count_down_then_lock_then_reopen,
    level1_outcomes_and_flags,
    the_operator_pages_work_without_javascript,
    back_office_people,
    names_in_every_script,
    bad_input_matrix,
    every_response_carries_the_security_headers,
    hsts_when_the_public_url_is_https,
    a_trusted_proxys_request_id_is_kept,
    https_sessions_use_a_host_prefixed_cookie,
    a_login_ends_the_session_before_it,
    logout_ends_the_session_on_the_server,
    a_session_ends_after_30_idle_minutes,
    back_office_verbali_idempotency,
    citizen_errors,
    regenerating_revokes_the_previous_qr,
    malformed_and_oversized_bodies,
    demo_people_cover_every_case,
    every_documented_path_is_routed,
    concurrent_checks_each_leave_one_log_row,
    fifty_concurrent_wrong_codes_let_exactly_the_limit_through,
    fifty_concurrent_regenerations_leave_one_active_qr,
    per_ip_limits_answer_429_rate_limited,
    metrics_count_routes_by_template_only,
    metrics_show_checks_otps_imports_jobs_and_the_pool,
);

fn qualifying() -> Value {
    json!({"invalidity_code": "03", "invalidity_percentage": 80})
}

async fn end_to_end_qr_from_pdf_to_level1_then_revoked(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying()).await;
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let r = c.post("/api/v1/me/attestation").await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let url = created["url"].as_str().unwrap().to_owned();
    assert_eq!(url, url.to_uppercase(), "the whole URL is upper case");
    assert!(url.contains("/V/"));
    assert!(!url.contains(MARIO), "no codice fiscale in the URL");
    let r = c.get("/api/v1/me/attestation/pdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));

    // The QR an operator scans: the PDF rendered to an image, read by ZBar
    // (skipped without poppler and ZBar, except under CI).
    if let Some(decoded) = read_qr_on_pdf_page(&pdf, 1, 300) {
        assert_eq!(decoded, url);
    }
    if let Some(text) = attesta_testkit::pdftotext(&pdf) {
        assert!(text.contains("Mario Rossi"));
        assert!(text.contains(created["short_code"].as_str().unwrap()));
        assert!(
            !text.contains(MARIO),
            "the PDF never shows the codice fiscale"
        );
    }

    // Follow the URL as a phone would: the operator page, then level 1.
    let operator = support::client();
    let r = operator.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 303, "the QR's address opens a check");
    let check = t.url(r.headers()["location"].to_str().unwrap());
    let r = operator.get(&check).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(
        !html.contains("Mario"),
        "nothing about the holder before the codice fiscale"
    );
    let r = operator
        .post(&check)
        .form(&[("fiscal_code", "rssmra80a01h501u")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("rientra in almeno una delle casistiche elencate"));
    assert!(html.contains("Mario Rossi"));

    let token = token_of(&url);
    let r = t.verify(&token, MARIO).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["level"], 1);
    assert_eq!(body["outcome"], "qualifies");
    assert_eq!(body["holder"]["name"], "Mario Rossi");
    assert_eq!(
        body["statuses"],
        json!({"civil_invalidity": true, "civil_blindness": false, "deafness": false, "handicap": false})
    );
    assert!(
        time::OffsetDateTime::parse(
            body["checked_at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );
    assert!(
        body["verification_id"]
            .as_str()
            .is_some_and(|s| !s.is_empty())
    );

    // The citizen sees both checks.
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 2);
    assert_eq!(log[0]["outcome"], "qualifies");
    assert_eq!(log[0]["level"], 1);

    // Revoke: the old QR answers 410 at once.
    assert_eq!(c.delete("/api/v1/me/attestation").await.status(), 204);
    let (status, e) = error_of(t.verify(&token, MARIO).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (410, "revoked_token")
    );
    assert_eq!(operator.get(&url).send().await.unwrap().status(), 410);
    let (status, e) = error_of(c.get("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "no_attestation")
    );
}

async fn invalid_fiscal_code_is_400_and_never_an_attempt(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    for bad in [
        "RSSMRA80A01H501X",
        "RSSMRA80A01H501",
        "RSSMRA80Z01H501U",
        "RSSMRA80A32H501U",
        "12345",
    ] {
        let (status, e) = error_of(t.verify(&token, bad).await).await;
        assert_eq!(status, 400, "{bad}");
        assert_eq!(e["code"], "invalid_fiscal_code");
        assert!(e.get("attempts_left").is_none());
    }
    // Checked before the token: a bad code on an unknown token is still 400.
    let (status, _) = error_of(t.verify("nonsense", "RSSMRA80A01H501X").await).await;
    assert_eq!(status, 400);
    // None of that counted: the first real miss has 4 left.
    let other = cf("BNCGLI85M52A662");
    let (status, e) = error_of(t.verify(&token, &other).await).await;
    assert_eq!((status, e["attempts_left"].as_i64()), (403, Some(4)));
}

async fn unknown_and_revoked_tokens(t: TestApp) {
    let (status, e) = error_of(t.verify("0000000000000000000000000A", MARIO).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_token")
    );
    let (status, e) = error_of(t.verify("not a token", MARIO).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_token")
    );
    let token = t.attested(MARIO, qualifying()).await;
    // The short-code form, lower case, works too.
    let short = token.to_lowercase();
    assert_eq!(t.verify(&short, MARIO).await.status(), 200);
    let c = t.citizen(MARIO).await;
    assert_eq!(c.delete("/api/v1/me/attestation").await.status(), 204);
    let (status, e) = error_of(t.verify(&token, MARIO).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (410, "revoked_token")
    );
    let (status, e) = error_of(c.delete("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "no_attestation")
    );
    // The revoked QR read on the operator's page: 410 there, and both reads
    // of it are in the holder's log (a lost printout in use shows up).
    let page = support::client()
        .get(t.url(&format!("/V/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 410);
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    let mut outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["outcome"].as_str().unwrap())
        .collect();
    // (The test clock stands still: order by outcome, not time.)
    outcomes.sort_unstable();
    assert_eq!(outcomes, ["qualifies", "revoked_qr", "revoked_qr"]);
    let me = c.get("/me").await.text().await.unwrap();
    assert!(me.contains("Letto un QR revocato"));
    // An unknown token has no holder: nothing is written anywhere.
    assert_eq!(
        support::client()
            .get(t.url("/v/0000000000000000000000000A"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let again: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again.as_array().unwrap().len(), 3);
}

async fn wrong_codes_count_down_then_lock_then_reopen(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let wrong = cf("BNCGLI85M52A662");
    for left in (0..5).rev() {
        let (status, e) = error_of(t.verify(&token, &wrong).await).await;
        assert_eq!(status, 403);
        assert_eq!(e["code"], "fiscal_code_mismatch");
        assert_eq!(e["attempts_left"], left);
    }
    // Locked: even the right code waits.
    for code in [wrong.as_str(), MARIO] {
        let r = t.verify(&token, code).await;
        assert_eq!(r.status(), 429);
        let retry: u64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["error"]["code"], "too_many_attempts");
    }
    let c = t.citizen(MARIO).await;
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == "fiscal_code_mismatch")
            .count(),
        5
    );
    assert_eq!(outcomes.iter().filter(|o| **o == "locked").count(), 2);
    // 15 minutes later the window is over.
    t.clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
}

async fn level1_outcomes_and_flags(t: TestApp) {
    let cases: Vec<(&str, &str, Value, bool, [bool; 4])> = vec![
        (
            "AAAAAA80A01H501",
            "1980-01-01",
            json!({"invalidity_code": "02", "invalidity_percentage": 34}),
            true,
            [true, false, false, false],
        ),
        (
            "BBBBBB80A01H501",
            "1980-01-01",
            json!({"invalidity_code": "09"}),
            true,
            [false, true, false, false],
        ),
        (
            "CCCCCC80A01H501",
            "1980-01-01",
            json!({"invalidity_code": "10"}),
            true,
            [false, false, true, false],
        ),
        (
            "DDDDDD80A01H501",
            "1980-01-01",
            json!({"handicap": "art3_c1"}),
            true,
            [false, false, false, true],
        ),
        (
            "EEEEEE80A01H501",
            "1980-01-01",
            json!({"law68_disability": true, "handicap": "art3_c1"}),
            true,
            [false, false, false, true],
        ),
        (
            "FFFFFF50A01H501",
            "1950-01-01",
            json!({"invalidity_code": "11"}),
            true,
            [true, false, false, false],
        ),
        (
            "GGGGGG50A01H501",
            "1950-01-01",
            json!({"invalidity_code": "12"}),
            true,
            [true, false, false, false],
        ),
        (
            "HHHHHH80A01H501",
            "1980-01-01",
            json!({"accompaniment": true}),
            true,
            [false, false, false, false],
        ),
    ];
    for (first15, birth, findings, qualifies, flags) in cases {
        let code = cf(first15);
        t.person_with(&code, birth, findings.clone()).await;
        let c = t.citizen(&code).await;
        c.post("/api/v1/me/privacy-notice").await;
        let r = c.post("/api/v1/me/attestation").await;
        assert_eq!(r.status(), 201, "{findings}");
        let token = token_of(r.json::<Value>().await.unwrap()["url"].as_str().unwrap());
        let body: Value = t.verify(&token, &code).await.json().await.unwrap();
        assert_eq!(
            body["outcome"],
            if qualifies {
                "qualifies"
            } else {
                "does_not_qualify"
            },
            "{findings}"
        );
        let s = &body["statuses"];
        assert_eq!(
            [
                s["civil_invalidity"].as_bool().unwrap(),
                s["civil_blindness"].as_bool().unwrap(),
                s["deafness"].as_bool().unwrap(),
                s["handicap"].as_bool().unwrap()
            ],
            flags,
            "{findings}"
        );
    }
    // A status that stops qualifying after the QR was made: a later code-01
    // verbale that assessed everything → does_not_qualify, with the same QR.
    let code = cf("IIIIII80A01H501");
    t.person_with(&code, "1980-01-01", qualifying()).await;
    let c = t.citizen(&code).await;
    c.post("/api/v1/me/privacy-notice").await;
    let token = token_of(
        c.post("/api/v1/me/attestation")
            .await
            .json::<Value>()
            .await
            .unwrap()["url"]
            .as_str()
            .unwrap(),
    );
    let r = t.admin_post_verbale(json!({"verbale_id": "V-END", "fiscal_code": code, "kind": "revision",
        "session_date": "2025-01-10", "definitive": true, "source": "telematic",
        "invalidity_code": "01", "invalidity_percentage": 10, "accompaniment": false, "blindness": "none",
        "deafness": false, "handicap": "none", "art21": false, "law68_disability": false,
        "dl5_2012_art4": false, "revision": {"none": true}})).await;
    assert_eq!(r.status(), 201);
    let body: Value = t.verify(&token, &code).await.json().await.unwrap();
    assert_eq!(body["outcome"], "does_not_qualify");
    assert_eq!(body["statuses"]["civil_invalidity"], false);
}

async fn the_operator_pages_work_without_javascript(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let op = support::client();
    let home = op.get(t.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("href=\"/v\""));
    // The short-code form accepts the grouped, lower-case code with O for 0.
    let short = {
        let mut grouped = String::new();
        for (i, ch) in token.chars().enumerate() {
            if i > 0 && i % 4 == 0 {
                grouped.push('-');
            }
            grouped.push(ch);
        }
        grouped.to_lowercase().replace('0', "o")
    };
    let r = op
        .post(t.url("/v"))
        .form(&[("code", short.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let check = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(check.starts_with("/v/check/"), "{check}");
    let r = op
        .post(t.url("/v"))
        .form(&[("code", "not-a-code")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert!(r.text().await.unwrap().contains("aria-invalid=\"true\""));
    // Wrong codice fiscale: back to the form with the attempts left.
    let r = op
        .post(t.url(&check))
        .form(&[("fiscal_code", cf("BNCGLI85M52A662"))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let html = r.text().await.unwrap();
    assert!(html.contains("Restano 4 tentativi"), "{html}");
    assert!(!html.contains("Mario"));
    // Unknown token page.
    let r = op
        .get(t.url("/v/0000000000000000000000000A"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    // The citizen page shows the QR and the short code.
    let c = t.citizen(MARIO).await;
    let html = c.get("/me").await.text().await.unwrap();
    assert!(html.contains("<svg"));
    assert!(html.contains("role=\"img\""));
    // An HTML form without the CSRF token is refused and changes nothing.
    let r = c
        .http
        .post(t.url("/me/attestation/revoke"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
}

async fn back_office_people(t: TestApp) {
    let body = json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"});
    let r = t
        .http
        .put(t.url(&format!("/api/v1/admin/people/{MARIO}")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "no API key");
    let r = t
        .http
        .put(t.url(&format!("/api/v1/admin/people/{MARIO}")))
        .bearer_auth("wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "wrong API key");
    assert_eq!(t.admin_put_person(MARIO, body.clone()).await.status(), 201);
    assert_eq!(
        t.admin_put_person(&MARIO.to_lowercase(), body.clone())
            .await
            .status(),
        200
    );
    let (status, e) = error_of(
        t.admin_put_person(
            "RSSMRA80A01H501X",
            json!({"given_name": "", "birth_date": "2099-01-01", "mobile": "333"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_person")
    );
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "fiscal_code",
            "given_name",
            "family_name",
            "birth_date",
            "mobile"
        ]
    );
    let (status, e) = error_of(t.admin_put_person(MARIO, json!({"given_name": "M", "family_name": "R", "birth_date": "1980-01-01", "diagnosis": "x"})).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (400, "invalid_request")
    );
}

async fn back_office_verbali_idempotency(t: TestApp) {
    let v = json!({"verbale_id": "ASL-BA-2024-000123", "fiscal_code": MARIO, "kind": "first_instance",
        "session_date": "2024-05-10", "definitive": false, "source": "telematic",
        "invalidity_code": "03", "invalidity_percentage": 80});
    let (status, e) = error_of(t.admin_post_verbale(v.clone()).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "unknown_person")
    );
    t.admin_put_person(
        MARIO,
        json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
    )
    .await;
    assert_eq!(t.admin_post_verbale(v.clone()).await.status(), 201);
    assert_eq!(t.admin_post_verbale(v.clone()).await.status(), 200);
    // Not definitive yet: no QR.
    let c = t.citizen(MARIO).await;
    c.post("/api/v1/me/privacy-notice").await;
    let (status, e) = error_of(c.post("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "no_qualifying_status")
    );
    // Confirmed: 200 and the status is recomputed.
    let mut confirmed = v.clone();
    confirmed["definitive"] = json!(true);
    assert_eq!(t.admin_post_verbale(confirmed.clone()).await.status(), 200);
    assert_eq!(c.post("/api/v1/me/attestation").await.status(), 201);
    // Any other difference: 409.
    let mut changed = confirmed.clone();
    changed["invalidity_percentage"] = json!(90);
    let (status, e) = error_of(t.admin_post_verbale(changed).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "verbale_conflict")
    );
    let (status, _) = error_of(t.admin_post_verbale(v).await).await;
    assert_eq!(status, 409, "definitive true → false is a conflict");
    // Every field error at once.
    let (status, e) = error_of(
        t.admin_post_verbale(json!({"verbale_id": "X", "fiscal_code": MARIO,
        "kind": "appeal", "session_date": "2024-05-10", "definitive": true, "source": "telematic",
        "invalidity_code": "09", "blindness": "partial", "invalidity_percentage": 120}))
            .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_verbale")
    );
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["kind", "invalidity_percentage", "blindness"]);
    // A finding group as an explicit null is "not assessed".
    let r = t
        .admin_post_verbale(
            json!({"verbale_id": "Y", "fiscal_code": MARIO, "kind": "aggravation",
        "session_date": "2024-06-10", "definitive": true, "source": "court", "handicap": "art3_c3",
        "invalidity_code": null, "revision": null}),
        )
        .await;
    assert_eq!(r.status(), 201);
}

async fn citizen_errors(t: TestApp) {
    let anonymous = support::client();
    let (status, e) = error_of(anonymous.get(t.url("/api/v1/me")).send().await.unwrap()).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (401, "login_required")
    );
    let code01 = cf("RMNPLA70E20D612");
    t.person_with(
        &code01,
        "1970-05-20",
        json!({"invalidity_code": "01", "invalidity_percentage": 20}),
    )
    .await;
    let c = t.citizen(&code01).await;
    let (status, e) = error_of(c.post("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "privacy_notice_not_accepted")
    );
    // Without a same-origin Origin, a cookie request that changes state is refused.
    let r = c
        .http
        .post(t.url("/api/v1/me/privacy-notice"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .http
        .post(t.url("/api/v1/me/privacy-notice"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = c
        .http
        .post(t.url("/api/v1/me/privacy-notice"))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["privacy_notice"]["accepted"], true);
    assert_eq!(me["person"]["fiscal_code"], code01);
    let (status, e) = error_of(c.post("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "no_qualifying_status")
    );
    assert!(e["message"].as_str().unwrap().contains("2010"));
    let (status, e) = error_of(c.get("/api/v1/me/attestation").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "no_attestation")
    );
}

async fn regenerating_revokes_the_previous_qr(t: TestApp) {
    let first = t.attested(MARIO, qualifying()).await;
    let c = t.citizen(MARIO).await;
    let second: Value = c.post("/api/v1/me/attestation").await.json().await.unwrap();
    let second_token = token_of(second["url"].as_str().unwrap());
    assert_ne!(first, second_token);
    assert_eq!(t.verify(&first, MARIO).await.status(), 410);
    assert_eq!(t.verify(&second_token, MARIO).await.status(), 200);
    let current: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    assert_eq!(current["url"], second["url"]);
    assert_eq!(current["short_code"], second["short_code"]);
}

async fn malformed_and_oversized_bodies(t: TestApp) {
    let r = t
        .http
        .post(t.url("/api/v1/verify"))
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, e) = error_of(r).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (400, "invalid_request")
    );
    let r = t
        .http
        .post(t.url("/api/v1/verify"))
        .json(&json!({"token": "x", "fiscal_code": MARIO, "extra": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.0, 400);
    let r = t.http.post(t.url("/api/v1/verify")).send().await.unwrap();
    let (status, e) = error_of(r).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (400, "invalid_request"),
        "empty body means {{}}: fields missing"
    );
    let big = "x".repeat(70 * 1024);
    let r = t
        .http
        .post(t.url("/api/v1/admin/verbali"))
        .bearer_auth(ADMIN_KEY)
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, e) = error_of(r).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (413, "payload_too_large")
    );
    let r = t
        .http
        .get(t.url("/api/v1/nothing-here"))
        .send()
        .await
        .unwrap();
    assert_eq!(error_of(r).await.0, 404);
}

async fn demo_people_cover_every_case(t: TestApp) {
    attesta_app::demo::seed(&t.app).await.unwrap();
    // Seeding twice changes nothing.
    attesta_app::demo::seed(&t.app).await.unwrap();
    let expected = [
        ("Mario", true),
        ("Giulia", true),
        ("Luca", true),
        ("Anna", true),
        ("Sofia", true),
        ("Maria", true),
        ("Marco", false),
        ("Paolo", false),
        ("Chiara", false),
        ("Francesco", false),
        ("Giuseppe", false),
    ];
    let people = attesta_app::demo::people();
    for (name, qualifies) in expected {
        let p = people.iter().find(|p| p.given_name == name).unwrap();
        let c = t.citizen(&p.fiscal_code).await;
        c.post("/api/v1/me/privacy-notice").await;
        let r = c.post("/api/v1/me/attestation").await;
        assert_eq!(r.status() == 201, qualifies, "{name}");
    }
    let page = support::client()
        .get(t.url("/demo"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for p in &people {
        assert!(page.contains(&p.fiscal_code), "{} on /demo", p.given_name);
    }
}

async fn every_documented_path_is_routed(t: TestApp) {
    let spec: Value = t
        .http
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(spec["openapi"], "3.1.0");
    for path in attesta_web::DOCUMENTED_PATHS {
        assert!(spec["paths"].get(*path).is_some(), "{path}");
        let concrete = path
            .replace("{fiscal_code}", MARIO)
            .replace("{delegation_id}", "0123456789abcdef0123456789abcdef")
            .replace("{id}", "0123456789abcdef0123456789abcdef")
            .replace("{application_id}", "0123456789abcdef0123456789abcdef");
        for (method, _) in spec["paths"][*path].as_object().unwrap() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = t.http.request(m, t.url(&concrete)).send().await.unwrap();
            if r.status() == 404 {
                let body: Value = r.json().await.unwrap_or(Value::Null);
                assert_ne!(
                    body["error"]["code"], "not_found",
                    "{method} {path} is not routed"
                );
            }
        }
    }
    assert_eq!(
        t.http.get(t.url("/healthz")).send().await.unwrap().status(),
        200
    );
    assert_eq!(
        t.http.get(t.url("/readyz")).send().await.unwrap().status(),
        200
    );
}

async fn concurrent_checks_each_leave_one_log_row(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let http = t.http.clone();
        let url = t.url("/api/v1/verify");
        let token = token.clone();
        tasks.push(tokio::spawn(async move {
            http.post(url)
                .json(&json!({"token": token, "fiscal_code": MARIO}))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), 200);
    }
    let c = t.citizen(MARIO).await;
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(log.as_array().unwrap().len(), 50);
}

async fn per_ip_limits_answer_429_rate_limited(engine: TestEngine) {
    let limit = attesta_web::RateLimit {
        per_second: 1,
        burst: 3,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
    };
    let Some(t) = TestApp::builder(engine).rate_limit(limit).spawn().await else {
        return;
    };
    // Behind the trusted proxy, each forwarded client has its own budget.
    let get = |client: &'static str| {
        t.http
            .get(t.url("/v"))
            .header("x-forwarded-for", format!("{client}, 127.0.0.1"))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get("203.0.113.7").await.unwrap().status(), 200);
    }
    let r = get("203.0.113.7").await.unwrap();
    assert_eq!(r.status(), 429);
    assert!(
        r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    // A page answers with a page, in the page's language.
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Troppe richieste da questo indirizzo")
    );
    // The API with JSON.
    let r = t
        .http
        .get(t.url("/api/v1/openapi.json"))
        .header("x-forwarded-for", "203.0.113.7, 127.0.0.1")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert_eq!(
        get("198.51.100.9").await.unwrap().status(),
        200,
        "another client"
    );
    // The back office and operations endpoints are not limited.
    for _ in 0..5 {
        assert_eq!(
            t.http.get(t.url("/healthz")).send().await.unwrap().status(),
            200
        );
    }
}

async fn metrics_count_routes_by_template_only(t: TestApp) {
    let token = t.attested(MARIO, qualifying()).await;
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
    let operator = support::client();
    assert_eq!(
        operator
            .get(t.url(&format!("/v/{token}")))
            .send()
            .await
            .unwrap()
            .status(),
        303
    );
    let r = t.http.get(t.url("/metrics")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("attesta_http_requests_total"), "{text}");
    assert!(text.contains("route=\"/api/v1/verify\""), "{text}");
    assert!(text.contains("route=\"/v/{token}\""), "{text}");
    assert!(!text.contains(&token), "no token in metrics");
    assert!(!text.contains(MARIO), "no codice fiscale in metrics");
}
