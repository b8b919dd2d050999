//! Level 2: operator login, the holder's one-time code, the detail, and the
//! log the citizen reads.

use std::sync::Arc;
use std::time::Duration;

use attesta_app::sms::{HttpSms, HttpSmsConfig, SmsError, SmsGateway};
use axum::Router;
use axum::routing::post;
use serde_json::{Value, json};

use attesta_testkit::people::MARIO;
use attesta_testkit::{TestEngine, on_both_engines};

use crate::support::{Browser, TestApp, client, csrf_of, error_of};

on_both_engines!(
    level2_end_to_end_and_the_citizen_log,
    wrong_codes_burn_the_otp,
    expired_used_and_foreign_codes,
    send_quota_and_login,
    no_mobile_on_record,
    two_correct_submissions_only_one_wins,
    level2_pages_without_javascript,
    gateway_down_means_sms_unavailable_and_level1_still_works,
    an_unreachable_gateway_means_sms_unavailable_and_level1_still_works,
);

async fn attested_mario(t: &TestApp) -> String {
    t.attested(
        MARIO,
        json!({"invalidity_code": "03", "invalidity_percentage": 80, "handicap": "art3_c3",
               "art21": true, "revision": {"due": "2023-05"}, "judgement": "Giudizio di prova"}),
    )
    .await
}

async fn ask(op: &Browser, token: &str) -> reqwest::Response {
    op.post_json(
        "/api/v1/verify/level2/otp",
        &json!({"token": token, "fiscal_code": MARIO}),
    )
    .await
}

async fn level2_end_to_end_and_the_citizen_log(t: TestApp) {
    let token = attested_mario(&t).await;
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
    // The log is ordered by time: let each step happen at its own instant.
    t.clock.advance(Duration::from_millis(5));
    let op = t.operator("Comune di Bari").await;
    let r = ask(&op, &token).await;
    assert_eq!(r.status(), 202);
    t.clock.advance(Duration::from_millis(5));
    let sent: Value = r.json().await.unwrap();
    assert_eq!(sent["sent_to"], "+39 ••• ••• 67");
    assert!(sent["expires_at"].as_str().is_some());
    let (sms, code) = t.last_sms().await;
    assert_eq!(sms["to"], "+393331234567");
    let body = sms["body"].as_str().unwrap();
    assert!(body.contains("Comune di Bari"), "{body}");
    for secret in [MARIO, "80%", "art3", "Giudizio"] {
        assert!(
            !body.contains(secret),
            "no personal or health data in the SMS: {body}"
        );
    }
    let r = op
        .post_json(
            "/api/v1/verify/level2",
            &json!({"otp_request_id": sent["otp_request_id"], "otp": code}),
        )
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["level"], 2);
    assert_eq!(v["outcome"], "qualifies");
    assert_eq!(v["holder"]["name"], "Mario Rossi");
    let d = &v["detail"];
    assert_eq!(d["invalidity_code"], "03");
    assert_eq!(d["invalidity_percentage"], 80);
    assert_eq!(d["handicap"], "art3_c3");
    assert_eq!(d["art21"], true);
    assert_eq!(d["revision"], json!({"due": "2023-05"}));
    assert_eq!(d["revision_overdue"], true);
    assert!(
        d["invalidity_code_text"]["it"]
            .as_str()
            .unwrap()
            .contains("74%")
    );
    assert!(d["invalidity_code_text"]["en"].as_str().is_some());
    assert_eq!(d["sources"]["invalidity"]["verbale_kind"], "first_instance");
    assert_eq!(d["sources"]["invalidity"]["session_date"], "2024-05-10");
    assert_eq!(d["sources"]["invalidity"]["judgement"], "Giudizio di prova");
    for key in [
        "accompaniment",
        "blindness",
        "deafness",
        "law68_disability",
        "dl5_2012_art4",
    ] {
        assert!(d.get(key).is_some(), "{key}");
    }
    // The citizen's log: level 1, then the code sent and the detail viewed,
    // naming the operator and the organisation.
    let c = t.citizen(MARIO).await;
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<(&str, i64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["outcome"].as_str().unwrap(), l["level"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        outcomes,
        [("level2_viewed", 2), ("otp_sent", 2), ("qualifies", 1)]
    );
    assert_eq!(log[0]["operator"], "Alessia Bruno");
    assert_eq!(log[0]["organisation"], "Comune di Bari");
    assert!(log[2].get("operator").is_none());
    let page = c.get("/me").await.text().await.unwrap();
    assert!(page.contains("Comune di Bari"));
}

async fn wrong_codes_burn_the_otp(t: TestApp) {
    let token = attested_mario(&t).await;
    let op = t.operator("Museo").await;
    let sent: Value = ask(&op, &token).await.json().await.unwrap();
    let (_, code) = t.last_sms().await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    for left in [2, 1, 0] {
        let (status, e) = error_of(
            op.post_json(
                "/api/v1/verify/level2",
                &json!({"otp_request_id": sent["otp_request_id"], "otp": wrong}),
            )
            .await,
        )
        .await;
        assert_eq!((status, e["code"].as_str().unwrap()), (403, "otp_invalid"));
        assert_eq!(e["attempts_left"], left);
    }
    for attempt in [wrong, code.as_str()] {
        let (status, e) = error_of(
            op.post_json(
                "/api/v1/verify/level2",
                &json!({"otp_request_id": sent["otp_request_id"], "otp": attempt}),
            )
            .await,
        )
        .await;
        assert_eq!((status, e["code"].as_str().unwrap()), (410, "otp_burned"));
    }
    let c = t.citizen(MARIO).await;
    let log: Value = c
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    let failed = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["outcome"] == "otp_failed")
        .count();
    assert_eq!(failed, 3);
}

async fn expired_used_and_foreign_codes(t: TestApp) {
    let token = attested_mario(&t).await;
    let op = t.operator("Museo").await;
    // Used once, then 410 otp_used.
    let sent: Value = ask(&op, &token).await.json().await.unwrap();
    let (_, code) = t.last_sms().await;
    let body = json!({"otp_request_id": sent["otp_request_id"], "otp": code});
    assert_eq!(
        op.post_json("/api/v1/verify/level2", &body).await.status(),
        200
    );
    let (status, e) = error_of(op.post_json("/api/v1/verify/level2", &body).await).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (410, "otp_used"));
    // Another operator's session cannot use this request.
    let sent: Value = ask(&op, &token).await.json().await.unwrap();
    let (_, code) = t.last_sms().await;
    let body = json!({"otp_request_id": sent["otp_request_id"], "otp": code});
    let other = t.operator("Altro ente").await;
    let (status, e) = error_of(other.post_json("/api/v1/verify/level2", &body).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_otp_request")
    );
    let (status, e) = error_of(
        other
            .post_json(
                "/api/v1/verify/level2",
                &json!({"otp_request_id": "nope", "otp": "123456"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_otp_request")
    );
    // Five minutes later the code has expired.
    t.clock.advance(Duration::from_secs(5 * 60));
    let (status, e) = error_of(op.post_json("/api/v1/verify/level2", &body).await).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (410, "otp_expired"));
}

async fn send_quota_and_login(t: TestApp) {
    let token = attested_mario(&t).await;
    // No session, or a citizen's session: login required.
    let anonymous = client();
    let r = anonymous
        .post(t.url("/api/v1/verify/level2/otp"))
        .json(&json!({"token": token, "fiscal_code": MARIO}))
        .send()
        .await
        .unwrap();
    let (status, e) = error_of(r).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (401, "login_required")
    );
    let citizen = t.citizen(MARIO).await;
    let (status, _) = error_of(ask(&citizen, &token).await).await;
    assert_eq!(status, 401);
    // Level-1 errors come first for level 2 too.
    let op = t.operator("Museo").await;
    let (status, e) = error_of(
        op.post_json(
            "/api/v1/verify/level2/otp",
            &json!({"token": token, "fiscal_code": "RSSMRA80A01H501X"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (400, "invalid_fiscal_code")
    );
    // Cookie requests must be same-origin.
    let r = op
        .http
        .post(t.url("/api/v1/verify/level2/otp"))
        .json(&json!({"token": token, "fiscal_code": MARIO}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // Three codes per 15 minutes, then 429 with Retry-After.
    for _ in 0..3 {
        assert_eq!(ask(&op, &token).await.status(), 202);
    }
    let r = ask(&op, &token).await;
    assert_eq!(r.status(), 429);
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0 && retry <= 15 * 60);
    let (_, e) = error_of(r).await;
    assert_eq!(e["code"], "too_many_otp_requests");
    // Ten per 24 hours.
    for _ in 0..2 {
        t.clock.advance(Duration::from_secs(15 * 60));
        for _ in 0..3 {
            assert_eq!(ask(&op, &token).await.status(), 202);
        }
    }
    t.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(ask(&op, &token).await.status(), 202, "the tenth");
    assert_eq!(
        ask(&op, &token).await.status(),
        429,
        "the eleventh in 24 hours"
    );
    // An hour has passed: the citizen's first login ended when idle.
    let citizen = t.citizen(MARIO).await;
    let log: Value = citizen
        .get("/api/v1/me/verifications")
        .await
        .json()
        .await
        .unwrap();
    let sent = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["outcome"] == "otp_sent")
        .count();
    assert_eq!(sent, 10);
}

async fn no_mobile_on_record(t: TestApp) {
    let r = t
        .admin_put_person(
            MARIO,
            json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    t.admin_post_verbale(json!({"verbale_id": "V1", "fiscal_code": MARIO, "kind": "first_instance",
        "session_date": "2024-05-10", "definitive": true, "source": "telematic", "handicap": "art3_c1"}))
        .await;
    let c = t.citizen(MARIO).await;
    c.post("/api/v1/me/privacy-notice").await;
    let url: Value = c.post("/api/v1/me/attestation").await.json().await.unwrap();
    let token = crate::support::token_of(url["url"].as_str().unwrap());
    let op = t.operator("Museo").await;
    let (status, e) = error_of(ask(&op, &token).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "no_mobile_on_record")
    );
    assert!(e["message"].as_str().unwrap().contains("MyINPS"));
    // Level 1 keeps working.
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
}

async fn two_correct_submissions_only_one_wins(t: TestApp) {
    let token = attested_mario(&t).await;
    let op = t.operator("Museo").await;
    let sent: Value = ask(&op, &token).await.json().await.unwrap();
    let (_, code) = t.last_sms().await;
    let body = json!({"otp_request_id": sent["otp_request_id"], "otp": code});
    let (a, b) = tokio::join!(
        op.post_json("/api/v1/verify/level2", &body),
        op.post_json("/api/v1/verify/level2", &body)
    );
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 410]);
}

async fn level2_pages_without_javascript(t: TestApp) {
    let token = attested_mario(&t).await;
    let op = t.operator("Comune di Bari").await;
    let check = crate::support::open_check(&t, &op.http, &token).await;
    // Level-1 result page offers "ask for the detail" to a logged-in operator.
    let html = op
        .http
        .post(t.url(&check))
        .form(&[("fiscal_code", MARIO)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("action=\"{check}/level2\"")));
    assert!(!html.contains(&token), "no token on the result page");
    let csrf = csrf_of(&html);
    let r = op
        .http
        .post(t.url(&format!("{check}/level2")))
        .form(&[("csrf", csrf.as_str()), ("fiscal_code", MARIO)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("+39 ••• ••• 67"));
    let id = html
        .split("name=\"otp_request_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let (_, code) = t.last_sms().await;
    let form = |otp: &str| {
        vec![
            ("csrf", csrf.clone()),
            ("handle", check.trim_start_matches("/v/check/").to_owned()),
            ("fiscal_code", MARIO.to_owned()),
            ("otp_request_id", id.clone()),
            ("otp", otp.to_owned()),
        ]
    };
    let wrong = if code == "111111" { "222222" } else { "111111" };
    let r = op
        .http
        .post(t.url("/v/level2"))
        .form(&form(wrong))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.text().await.unwrap().contains("Restano 2 tentativi"));
    let r = op
        .http
        .post(t.url("/v/level2"))
        .form(&form(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Esito di secondo livello"));
    assert!(html.contains("80%"));
    assert!(html.contains("Giudizio di prova"));
}

// ---- the HTTP SMS gateway against a local server that misbehaves ----------

async fn gateway_server(behaviour: &'static str) -> (String, Arc<std::sync::atomic::AtomicUsize>) {
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    let app = Router::new().route(
        "/send",
        post(
            move |headers: axum::http::HeaderMap, body: axum::Json<Value>| {
                let counter = counter.clone();
                async move {
                    counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    assert_eq!(headers["authorization"], "Bearer sms-key");
                    assert!(body["to"].as_str().is_some() && body["text"].as_str().is_some());
                    match behaviour {
                        "ok" => axum::http::StatusCode::OK,
                        "slow" => {
                            tokio::time::sleep(Duration::from_secs(5)).await;
                            axum::http::StatusCode::OK
                        }
                        "bad_request" => axum::http::StatusCode::BAD_REQUEST,
                        _ => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, hits)
}

fn gateway(url: String) -> HttpSms {
    HttpSms::new(HttpSmsConfig {
        url,
        api_key: "sms-key".into(),
        timeout: Duration::from_millis(300),
        retries: 2,
    })
    .unwrap()
}

#[tokio::test]
async fn http_gateway_delivers_retries_and_times_out() {
    let (url, hits) = gateway_server("ok").await;
    assert_eq!(gateway(url).send("+393331234567", "hello").await, Ok(()));
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 1);

    let (url, hits) = gateway_server("fail").await;
    assert_eq!(
        gateway(url).send("+393331234567", "hello").await,
        Err(SmsError::Status(500))
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "one try and two retries"
    );

    let (url, hits) = gateway_server("bad_request").await;
    assert_eq!(
        gateway(url).send("+393331234567", "hello").await,
        Err(SmsError::Status(400))
    );
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "a 4xx is not retried"
    );

    let (url, _) = gateway_server("slow").await;
    assert_eq!(
        gateway(url).send("+393331234567", "hello").await,
        Err(SmsError::Timeout)
    );

    let unreachable = gateway("http://127.0.0.1:9/send".into());
    assert!(matches!(
        unreachable.send("+393331234567", "x").await,
        Err(SmsError::Unreachable(_))
    ));
}

async fn gateway_down_means_sms_unavailable_and_level1_still_works(engine: TestEngine) {
    let (url, _) = gateway_server("fail").await;
    let Some(t) = TestApp::builder(engine)
        .sms(Arc::new(gateway(url)))
        .spawn()
        .await
    else {
        return;
    };
    let token = attested_mario(&t).await;
    let op = t.operator("Museo").await;
    // Failed sends do not use up the citizen's quota of 3: a fourth is
    // still "unavailable", not "too many".
    for _ in 0..4 {
        let (status, e) = error_of(ask(&op, &token).await).await;
        assert_eq!(
            (status, e["code"].as_str().unwrap()),
            (503, "sms_unavailable")
        );
    }
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
}

/// The gateway's host is down: nothing listens on its port (connection
/// refused), so level 2 fails closed and level 1 goes on (SPEC §12).
async fn an_unreachable_gateway_means_sms_unavailable_and_level1_still_works(engine: TestEngine) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let Some(t) = TestApp::builder(engine)
        .sms(Arc::new(gateway(format!("http://127.0.0.1:{closed}/send"))))
        .spawn()
        .await
    else {
        return;
    };
    let token = attested_mario(&t).await;
    let op = t.operator("Museo").await;
    let started = std::time::Instant::now();
    let (status, e) = error_of(ask(&op, &token).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (503, "sms_unavailable")
    );
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let message = e["message"].as_str().unwrap();
    assert!(
        !message.contains("127.0.0.1") && !message.contains("refused"),
        "{message}"
    );
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
}
