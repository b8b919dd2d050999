//! The ordinary journey end to end through the real server (SPEC §10): the
//! back office files a certificate and, for a patronato, the application;
//! the visit is scheduled; the commission's verbale arrives linked;
//! `attesta jobs run --on` the 61st day after the session applies silent
//! assent; the citizen's QR then answers `qualifies` at level 1. Dates are
//! relative to today and the certificate names its procedure, so the test
//! keeps its meaning after the reform becomes nationwide.

use attesta_domain::format_date;
use attesta_testkit::on_both_engines;
use serde_json::{Value, json};
use time::Duration;

use crate::Env;
use crate::server::{rome_today, serve};

on_both_engines!(ordinary_journey_from_certificate_to_qualifying_qr);

const ADMIN_KEY: &str = "e2e-admin-key-0123456789abcdef";

/// A holder who is not among the demo people (born 1970-03-04).
fn holder() -> String {
    attesta_testkit::people::cf("NRENNA70C44H501")
}

async fn ordinary_journey_from_certificate_to_qualifying_qr(env: Env) {
    let server = serve(&env, ADMIN_KEY);
    let base = server.base.clone();
    attesta_app::sms::install_crypto_provider();
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let holder = holder();
    let holder = holder.as_str();
    let today = rome_today();
    let day = |offset: i64| format_date(today + Duration::days(offset));
    let admin = |method: reqwest::Method, path: &str, body: Value| {
        http.request(method, format!("{base}{path}"))
            .bearer_auth(ADMIN_KEY)
            .json(&body)
            .send()
    };
    let ok = |r: reqwest::Response, status: u16| async move {
        let got = r.status().as_u16();
        let body: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(got, status, "{body}");
        body
    };

    ok(
        admin(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/people/{holder}"),
            json!({"given_name": "Anna", "family_name": "Neri", "birth_date": "1970-03-04"}),
        )
        .await
        .unwrap(),
        201,
    )
    .await;
    let cert = ok(
        admin(
            reqwest::Method::POST,
            "/api/v1/admin/certificates",
            json!({"certificate_id": "E2E-1", "fiscal_code": holder, "issued_on": day(-85),
                   "purposes": ["invalidity"], "province": "RM", "procedure": "ordinary"}),
        )
        .await
        .unwrap(),
        201,
    )
    .await;
    assert_eq!(cert["procedure"], "ordinary");
    let filed = ok(
        admin(
            reqwest::Method::POST,
            "/api/v1/admin/applications",
            json!({"certificate_id": "E2E-1", "on": day(-80), "via": "patronato"}),
        )
        .await
        .unwrap(),
        201,
    )
    .await;
    let id = filed["application_id"].as_str().unwrap().to_owned();
    let view = ok(
        admin(
            reqwest::Method::POST,
            &format!("/api/v1/admin/applications/{id}/events"),
            json!({"event": "visit_scheduled", "on": day(-75),
                   "visit": {"at": format!("{}T10:00:00+01:00", day(-61)), "place": "ASL Roma 1"}}),
        )
        .await
        .unwrap(),
        200,
    )
    .await;
    assert_eq!(view["state"], "visit_scheduled");
    // The commission's verbale, held 61 days ago, linked: awaiting INPS.
    ok(
        admin(
            reqwest::Method::POST,
            "/api/v1/admin/verbali",
            json!({"verbale_id": "E2E-V1", "fiscal_code": holder, "kind": "first_instance",
                   "session_date": day(-61), "definitive": false, "source": "telematic",
                   "invalidity_code": "03", "invalidity_percentage": 80, "application_id": id}),
        )
        .await
        .unwrap(),
        201,
    )
    .await;

    // The citizen logs in (demo): no QR yet, the verbale is not definitive.
    let r = http
        .post(format!("{base}/api/v1/demo/login"))
        .json(&json!({"fiscal_code": holder, "role": "citizen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let citizen_post = |path: &str| {
        http.post(format!("{base}{path}"))
            .header("origin", &base)
            .send()
    };
    ok(
        citizen_post("/api/v1/me/privacy-notice").await.unwrap(),
        204,
    )
    .await;
    let refused = ok(citizen_post("/api/v1/me/attestation").await.unwrap(), 422).await;
    assert_eq!(refused["error"]["code"], "no_qualifying_status");

    // Day 61 after the session: silent assent.
    let run = env.attesta(&["jobs", "run", "--on", &format_date(today)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("silent assent applied to 1 application(s)"),
        "{}",
        run.stdout
    );

    // Now the QR can be made, and level 1 answers qualifies.
    let made = ok(citizen_post("/api/v1/me/attestation").await.unwrap(), 201).await;
    let url = made["url"].as_str().unwrap();
    let token = url.rsplit('/').next().unwrap();
    let level1: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/verify"))
        .json(&json!({"token": token, "fiscal_code": holder}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(level1["outcome"], "qualifies", "{level1}");
    assert_eq!(level1["statuses"]["civil_invalidity"], true);
}
