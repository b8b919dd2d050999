//! The citizen's journey end to end through the real server (SPEC §10),
//! one test per procedure, on both engines:
//! - ordinary: the back office stores the certificate; a delegate acting for
//!   the holder files the application through `/api/v1/me/applications`;
//!   the visit; the commission's verbale linked; `attesta jobs run --on` the
//!   61st day after the session applies silent assent; the holder's QR
//!   (generated) then answers `qualifies` at level 1.
//! - reform: a certificate from a province in the reform opens the
//!   procedure; the convocation; a justified absence; a new date; the
//!   `basic_assessment` verbale concludes it, and the same day level 1
//!   answers `qualifies` and the card application becomes possible.
//!
//! Dates are relative to today; the ordinary certificate names its
//! procedure and the reform one comes from a province already in the
//! reform, so neither changes meaning when the reform becomes nationwide.

use attesta_domain::format_date;
use attesta_testkit::on_both_engines;
use serde_json::{Value, json};
use time::Duration;

use crate::Env;
use crate::server::{rome_today, serve};

on_both_engines!(
    ordinary_journey_filed_by_a_delegate_to_a_qualifying_qr,
    reform_journey_with_a_new_date_to_a_qualifying_qr_and_the_card,
);

const ADMIN_KEY: &str = "e2e-citizen-admin-key-0123456789abcdef";

/// Holders and a delegate who are not among the demo people.
fn holder() -> String {
    attesta_testkit::people::cf("BNCLRA72D50H501")
}
fn delegate() -> String {
    attesta_testkit::people::cf("BNCPLA45A01H501")
}

/// A browser-like client with its own cookie jar.
fn browser() -> reqwest::Client {
    attesta_app::sms::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

struct World {
    base: String,
    http: reqwest::Client,
}

impl World {
    async fn admin(&self, method: reqwest::Method, path: &str, body: Value, status: u16) -> Value {
        let r = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(ADMIN_KEY)
            .json(&body)
            .send()
            .await
            .unwrap();
        expect(r, status).await
    }

    async fn person(&self, cf: &str, given: &str, birth: &str) {
        self.admin(
            reqwest::Method::PUT,
            &format!("/api/v1/admin/people/{cf}"),
            json!({"given_name": given, "family_name": "Bianco", "birth_date": birth}),
            201,
        )
        .await;
    }

    async fn event(&self, id: &str, body: Value) -> Value {
        self.admin(
            reqwest::Method::POST,
            &format!("/api/v1/admin/applications/{id}/events"),
            body,
            200,
        )
        .await
    }

    /// A client logged in (demo) as the citizen `cf`.
    async fn login(&self, cf: &str) -> reqwest::Client {
        let c = browser();
        let r = c
            .post(format!("{}/api/v1/demo/login", self.base))
            .json(&json!({"fiscal_code": cf, "role": "citizen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        c
    }

    async fn post(
        &self,
        c: &reqwest::Client,
        path: &str,
        body: Option<Value>,
        status: u16,
    ) -> Value {
        let mut r = c
            .post(format!("{}{path}", self.base))
            .header("origin", &self.base);
        if let Some(b) = body {
            r = r.json(&b);
        }
        expect(r.send().await.unwrap(), status).await
    }

    async fn level1(&self, token: &str, cf: &str) -> Value {
        reqwest::Client::new()
            .post(format!("{}/api/v1/verify", self.base))
            .json(&json!({"token": token, "fiscal_code": cf}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

async fn expect(r: reqwest::Response, status: u16) -> Value {
    let got = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "{body}");
    body
}

async fn ordinary_journey_filed_by_a_delegate_to_a_qualifying_qr(env: Env) {
    let server = serve(&env, ADMIN_KEY);
    let w = World {
        base: server.base.clone(),
        http: browser(),
    };
    let (holder, delegate) = (holder(), delegate());
    let today = rome_today();
    let day = |offset: i64| format_date(today + Duration::days(offset));
    w.person(&holder, "Laura", "1972-04-10").await;
    w.person(&delegate, "Paolo", "1945-01-01").await;
    w.admin(
        reqwest::Method::POST,
        "/api/v1/admin/certificates",
        json!({"certificate_id": "E2E-C-1", "fiscal_code": holder, "issued_on": day(-10),
               "purposes": ["invalidity"], "province": "RM", "procedure": "ordinary"}),
        201,
    )
    .await;

    // The holder names the delegate; the delegate acts for her and applies.
    let h = w.login(&holder).await;
    w.post(
        &h,
        "/api/v1/me/delegates",
        Some(json!({"fiscal_code": delegate})),
        201,
    )
    .await;
    let d = w.login(&delegate).await;
    w.post(
        &d,
        "/api/v1/me/acting-for",
        Some(json!({"fiscal_code": holder})),
        200,
    )
    .await;
    let filed = w
        .post(
            &d,
            "/api/v1/me/applications",
            Some(json!({"certificate_id": "E2E-C-1"})),
            201,
        )
        .await;
    let id = filed["application_id"].as_str().unwrap().to_owned();

    // The visit today, and the commission's verbale of today, linked.
    let view = w
        .event(
            &id,
            json!({"event": "visit_scheduled", "on": day(0),
                   "visit": {"at": format!("{}T00:30:00+01:00", day(0)), "place": "ASL Roma 1"}}),
        )
        .await;
    assert_eq!(view["state"], "visit_scheduled");
    w.admin(
        reqwest::Method::POST,
        "/api/v1/admin/verbali",
        json!({"verbale_id": "E2E-C-V1", "fiscal_code": holder, "kind": "first_instance",
               "session_date": day(0), "definitive": false, "source": "telematic",
               "invalidity_code": "03", "invalidity_percentage": 80, "application_id": id}),
        201,
    )
    .await;
    let listed: Value = h
        .get(format!("{}/api/v1/me/applications", w.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["state"], "awaiting_inps");
    assert_eq!(
        listed[0]["next_deadline"],
        json!({"what": "inps_decision", "due": day(60)})
    );
    let page = h
        .get(format!("{}/me/applications", w.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let it = |offset: i64| {
        let d = today + Duration::days(offset);
        format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
    };
    assert!(page.contains(&format!("INPS decide entro il {}", it(60))));

    // The job as of day 61 after the session: silent assent.
    let run = env.attesta(&["jobs", "run", "--on", &day(61)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // (The demo applicant Elena Greco's silent assent falls due too.)
    assert!(
        run.stdout
            .contains("silent assent applied to 2 application(s)"),
        "{}",
        run.stdout
    );
    let listed: Value = h
        .get(format!("{}/api/v1/me/applications", w.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["state"], "concluded");
    assert_eq!(listed[0]["verbale_id"], "E2E-C-V1");

    // The holder's QR, generated, answers qualifies at level 1.
    w.post(&h, "/api/v1/me/privacy-notice", None, 204).await;
    let made = w.post(&h, "/api/v1/me/attestation", None, 201).await;
    let token = made["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let level1 = w.level1(&token, &holder).await;
    assert_eq!(level1["outcome"], "qualifies", "{level1}");
    assert_eq!(level1["statuses"]["civil_invalidity"], true);

    // The holder's activity says the delegate filed it.
    let activity: Value = h
        .get(format!("{}/api/v1/me/activity", w.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| { a["action"] == "application_filed" && a["by_delegate"] == true })
    );
}

async fn reform_journey_with_a_new_date_to_a_qualifying_qr_and_the_card(env: Env) {
    let server = serve(&env, ADMIN_KEY);
    let w = World {
        base: server.base.clone(),
        http: browser(),
    };
    let holder = holder();
    let today = rome_today();
    let day = |offset: i64| format_date(today + Duration::days(offset));
    w.person(&holder, "Laura", "1972-04-10").await;
    // Brescia has been in the reform since 1 January 2025: no procedure
    // stated, the rules decide.
    let cert = w
        .admin(
            reqwest::Method::POST,
            "/api/v1/admin/certificates",
            json!({"certificate_id": "E2E-R-1", "fiscal_code": holder, "issued_on": day(-3),
                   "purposes": ["invalidity", "handicap"], "province": "BS"}),
            201,
        )
        .await;
    assert_eq!(cert["procedure"], "reform");
    let id = cert["application_id"].as_str().unwrap().to_owned();
    let h = w.login(&holder).await;
    let card_page = |c: reqwest::Client, base: String| async move {
        c.get(format!("{base}/me/card"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let before = card_page(h.clone(), w.base.clone()).await;
    assert!(before.contains("Nessun verbale definitivo in archivio ti colloca"));

    // Convocation, a justified absence, a new date.
    let visit =
        |hour: &str| json!({"at": format!("{}T{hour}:00+01:00", day(0)), "place": "INPS Brescia"});
    let view = w
        .event(
            &id,
            json!({"event": "visit_scheduled", "on": day(0), "visit": visit("00:10")}),
        )
        .await;
    assert_eq!(view["state"], "visit_scheduled");
    let view = w
        .event(
            &id,
            json!({"event": "absent", "on": day(0), "justified": true}),
        )
        .await;
    assert_eq!(view["state"], "visit_to_reschedule");
    let view = w
        .event(
            &id,
            json!({"event": "visit_scheduled", "on": day(0), "visit": visit("00:20")}),
        )
        .await;
    assert_eq!(view["state"], "visit_scheduled");
    w.event(&id, json!({"event": "attended", "on": day(0)}))
        .await;

    // The certificate of the disability condition, definitive at once.
    w.admin(
        reqwest::Method::POST,
        "/api/v1/admin/verbali",
        json!({"verbale_id": "E2E-R-V1", "fiscal_code": holder, "kind": "basic_assessment",
               "session_date": day(0), "definitive": true, "source": "telematic",
               "invalidity_code": "03", "invalidity_percentage": 80,
               "handicap": "art3_c3", "application_id": id}),
        201,
    )
    .await;
    let listed: Value = h
        .get(format!("{}/api/v1/me/applications", w.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["state"], "concluded");
    let statuses: Vec<&str> = listed[0]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["done", "done", "done", "done"]);

    // The same day: the QR qualifies and the card may be applied for.
    w.post(&h, "/api/v1/me/privacy-notice", None, 204).await;
    let made = w.post(&h, "/api/v1/me/attestation", None, 201).await;
    let token = made["url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let level1 = w.level1(&token, &holder).await;
    assert_eq!(level1["outcome"], "qualifies", "{level1}");
    assert_eq!(level1["statuses"]["handicap"], true);
    let after = card_page(h.clone(), w.base.clone()).await;
    assert!(!after.contains("Nessun verbale definitivo in archivio ti colloca"));
    assert!(
        after.contains("action=\"/me/card\""),
        "the application form"
    );
}
