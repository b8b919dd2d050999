//! The application journey's back office (SPEC §10.2): certificates,
//! applications, events, linked verbali and the scheduled rules, through
//! the HTTP API on both engines. Every certificate names its `procedure`
//! and every date is relative to the app's today, so no test changes
//! meaning when the reform becomes nationwide.

use attesta_domain::format_date;
use attesta_testkit::on_both_engines;
use attesta_testkit::people::{MARIO, cf};
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::support::{ADMIN_KEY, TestApp, error_of, token_of};

on_both_engines!(
    certificates_are_idempotent_and_checked,
    a_reform_certificate_opens_its_application,
    applications_follow_the_certificate_rules,
    events_move_the_application_or_say_why_not,
    home_visits_and_event_fields_are_checked,
    linked_verbali_move_the_application,
    inps_confirmation_makes_the_verbale_definitive_and_the_qr_qualify,
    inps_decisions_after_the_due_date_are_refused,
    silent_assent_applies_once_and_the_status_follows,
    concurrent_job_runs_apply_silent_assent_once,
    a_reform_application_concludes_with_its_basic_assessment,
    an_ordinary_certificate_expires_when_its_province_starts_the_reform,
    concurrent_applications_for_the_same_purposes_open_one,
);

pub(crate) fn day(t: &TestApp, offset: i64) -> Date {
    t.app.today() + Duration::days(offset)
}

pub(crate) fn d(t: &TestApp, offset: i64) -> String {
    format_date(day(t, offset))
}

async fn admin_post(t: &TestApp, path: &str, body: Value) -> reqwest::Response {
    t.http
        .post(t.url(path))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// A second holder (born 1985-08-12).
fn giulia() -> String {
    cf("BNCGLI85M52A662")
}

async fn person(t: &TestApp, cf: &str) {
    // The birth date the codice fiscale encodes.
    let birth_date = if cf == MARIO {
        "1980-01-01"
    } else {
        "1985-08-12"
    };
    let r = t
        .admin_put_person(
            cf,
            json!({"given_name": "Anna", "family_name": "Neri", "birth_date": birth_date}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

/// An ordinary certificate issued `issued` days from today.
pub(crate) fn certificate(t: &TestApp, id: &str, cf: &str, issued: i64, procedure: &str) -> Value {
    json!({"certificate_id": id, "fiscal_code": cf, "issued_on": d(t, issued),
           "purposes": ["invalidity", "handicap"], "province": "BA", "procedure": procedure,
           "doctor": "Dr. Bianchi"})
}

pub(crate) async fn post_certificate(t: &TestApp, body: Value) -> (u16, Value) {
    let r = admin_post(t, "/api/v1/admin/certificates", body).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn apply(t: &TestApp, body: Value) -> (u16, Value) {
    let r = admin_post(t, "/api/v1/admin/applications", body).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

pub(crate) async fn event(t: &TestApp, application_id: &str, body: Value) -> (u16, Value) {
    let r = admin_post(
        t,
        &format!("/api/v1/admin/applications/{application_id}/events"),
        body,
    )
    .await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// An ordinary application (via a patronato) from a fresh certificate.
async fn ordinary_application(t: &TestApp, cf: &str, cert: &str) -> String {
    let (s, _) = post_certificate(t, certificate(t, cert, cf, -20, "ordinary")).await;
    assert_eq!(s, 201);
    let (s, body) = apply(
        t,
        json!({"certificate_id": cert, "on": d(t, -10), "via": "patronato"}),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    body["application_id"].as_str().unwrap().to_owned()
}

pub(crate) fn visit(t: &TestApp, offset: i64) -> Value {
    json!({"at": format!("{}T09:30:00+01:00", d(t, offset)), "place": "ASL Bari, via Roma 1", "home": false})
}

/// A commission verbale (not definitive) for `cf`, optionally linked.
pub(crate) fn commission_verbale(id: &str, cf: &str, session: &str, link: Option<&str>) -> Value {
    let mut v = json!({"verbale_id": id, "fiscal_code": cf, "kind": "first_instance",
        "session_date": session, "definitive": false, "source": "telematic",
        "invalidity_code": "03", "invalidity_percentage": 80});
    if let Some(a) = link {
        v["application_id"] = json!(a);
    }
    v
}

/// The verbale of [`awaiting_inps`] for MARIO.
const AW_MARIO: &str = "V-AW-RSSMRA80A01H501U";

/// An application awaiting INPS, its commission's session `session` days
/// from today.
pub(crate) async fn awaiting_inps(t: &TestApp, cf: &str, session: i64) -> String {
    let cert = format!("C-AW-{cf}");
    let (s, _) = post_certificate(t, certificate(t, &cert, cf, -85, "ordinary")).await;
    assert_eq!(s, 201);
    let (s, body) = apply(t, json!({"certificate_id": cert, "on": d(t, -80)})).await;
    assert_eq!(s, 201, "{body}");
    let id = body["application_id"].as_str().unwrap().to_owned();
    let (s, body) = event(
        t,
        &id,
        json!({"event": "visit_scheduled", "on": d(t, -75), "visit": visit(t, session)}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let r = t
        .admin_post_verbale(commission_verbale(
            &format!("V-AW-{cf}"),
            cf,
            &d(t, session),
            Some(&id),
        ))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    id
}

async fn state_of(t: &TestApp, id: &str) -> String {
    t.app.application_json(id).await.unwrap()["state"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn certificates_are_idempotent_and_checked(t: TestApp) {
    person(&t, MARIO).await;
    let body = certificate(&t, "C-1", MARIO, -3, "ordinary");
    let (s, answer) = post_certificate(&t, body.clone()).await;
    assert_eq!(s, 201);
    assert_eq!(
        answer,
        json!({"certificate_id": "C-1", "procedure": "ordinary"})
    );
    let (s, again) = post_certificate(&t, body.clone()).await;
    assert_eq!((s, again), (200, answer));
    let mut other = body.clone();
    other["purposes"] = json!(["blindness"]);
    let (s, e) = post_certificate(&t, other).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("certificate_conflict"))
    );

    // Every field error at once, nothing written.
    let (s, e) = post_certificate(
        &t,
        json!({"certificate_id": "C-2", "fiscal_code": MARIO, "issued_on": d(&t, 1),
               "purposes": [], "province": "ZZ"}),
    )
    .await;
    assert_eq!(s, 422);
    assert_eq!(e["error"]["code"], "invalid_certificate");
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["issued_on", "purposes", "province"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    let (s, _) = post_certificate(&t, certificate(&t, "C-2", MARIO, -3, "ordinary")).await;
    assert_eq!(s, 201, "the refused body wrote nothing under C-2");

    let (s, e) = post_certificate(&t, certificate(&t, "C-3", &giulia(), -3, "ordinary")).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("unknown_person"))
    );
    let mut unknown = body.clone();
    unknown["colour"] = json!("red");
    let (s, e) = post_certificate(&t, unknown).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (400, Some("invalid_request"))
    );
    let r = t
        .http
        .post(t.url("/api/v1/admin/certificates"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

async fn a_reform_certificate_opens_its_application(t: TestApp) {
    person(&t, MARIO).await;
    let body = certificate(&t, "C-R", MARIO, -2, "reform");
    let (s, answer) = post_certificate(&t, body.clone()).await;
    assert_eq!(s, 201, "{answer}");
    assert_eq!(answer["procedure"], "reform");
    let id = answer["application_id"].as_str().unwrap().to_owned();
    assert_eq!(state_of(&t, &id).await, "started");
    let (s, again) = post_certificate(&t, body).await;
    assert_eq!(
        (s, again["application_id"].as_str()),
        (200, Some(id.as_str()))
    );
    // A second reform certificate asking the same: one at a time.
    let mut second = certificate(&t, "C-R2", MARIO, -1, "reform");
    second["purposes"] = json!(["handicap"]);
    let (s, e) = post_certificate(&t, second).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("assessment_open"))
    );
    // Nor may an ordinary application be made from a reform certificate.
    let (s, e) = apply(&t, json!({"certificate_id": "C-R"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_application"))
    );
    // Once withdrawn, the purposes are free again.
    let (s, view) = event(&t, &id, json!({"event": "withdrawn", "on": d(&t, 0)})).await;
    assert_eq!((s, view["state"].as_str()), (200, Some("withdrawn")));
    let mut third = certificate(&t, "C-R3", MARIO, -1, "reform");
    third["purposes"] = json!(["handicap"]);
    let (s, _) = post_certificate(&t, third).await;
    assert_eq!(s, 201);
}

async fn applications_follow_the_certificate_rules(t: TestApp) {
    person(&t, MARIO).await;
    // Day 90 is the last day; day 91 is too late.
    let (s, _) = post_certificate(&t, certificate(&t, "C-90", MARIO, -90, "ordinary")).await;
    assert_eq!(s, 201);
    let (s, _) = post_certificate(&t, certificate(&t, "C-91", MARIO, -91, "ordinary")).await;
    assert_eq!(s, 201);
    let (s, e) = apply(&t, json!({"certificate_id": "C-91"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("certificate_expired"))
    );
    let (s, body) = apply(&t, json!({"certificate_id": "C-90", "via": "ANMIC"})).await;
    assert_eq!(s, 201, "{body}");
    let id = body["application_id"].as_str().unwrap();
    let view = t.app.application_json(id).await.unwrap();
    assert_eq!(view["state"], "submitted");
    assert_eq!(view["procedure"], "ordinary");
    assert_eq!(view["opened_on"], d(&t, 0));

    let (s, e) = apply(&t, json!({"certificate_id": "C-90"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("certificate_used"))
    );
    let (s, e) = apply(&t, json!({"certificate_id": "C-none"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (404, Some("unknown_certificate"))
    );
    // Another certificate asking the same while the first is open.
    let (s, _) = post_certificate(&t, certificate(&t, "C-B", MARIO, -5, "ordinary")).await;
    assert_eq!(s, 201);
    let (s, e) = apply(&t, json!({"certificate_id": "C-B"})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("assessment_open"))
    );
    // Bad fields: all at once.
    let (s, e) = apply(
        &t,
        json!({"certificate_id": "", "on": d(&t, 1), "via": "CAF"}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_application"))
    );
    assert_eq!(e["error"]["fields"].as_array().unwrap().len(), 3, "{e}");
}

async fn events_move_the_application_or_say_why_not(t: TestApp) {
    person(&t, MARIO).await;
    let id = ordinary_application(&t, MARIO, "C-1").await;
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, -9), "visit": visit(&t, 10)}),
    )
    .await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["state"], "visit_scheduled");
    assert_eq!(view["visit"]["place"], "ASL Bari, via Roma 1");
    assert_eq!(view["next_deadline"]["what"], "home_visit_request_by");
    // INPS has nothing to confirm yet.
    let (s, e) = event(&t, &id, json!({"event": "inps_confirmed", "on": d(&t, -8)})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("visit_scheduled"),
        "{e}"
    );
    // Two unjustified absences: lapsed.
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "absent", "on": d(&t, -7), "justified": false}),
    )
    .await;
    assert_eq!((s, view["state"].as_str()), (200, Some("second_summons")));
    let (s, _) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, -6), "visit": visit(&t, 12)}),
    )
    .await;
    assert_eq!(s, 200);
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "absent", "on": d(&t, -5), "justified": false}),
    )
    .await;
    assert_eq!((s, view["state"].as_str()), (200, Some("lapsed")));
    let (s, e) = event(&t, &id, json!({"event": "withdrawn", "on": d(&t, 0)})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("invalid_transition"))
    );
    assert!(
        e["error"]["message"].as_str().unwrap().contains("lapsed"),
        "{e}"
    );
    // The history holds exactly the accepted events.
    let events = t.app.store().events_of(&id).await.unwrap();
    assert_eq!(events.len(), 4);

    let (s, e) = event(
        &t,
        "0123456789abcdef",
        json!({"event": "attended", "on": d(&t, 0)}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (404, Some("unknown_application"))
    );
}

async fn home_visits_and_event_fields_are_checked(t: TestApp) {
    person(&t, MARIO).await;
    let id = ordinary_application(&t, MARIO, "C-1").await;
    let (s, _) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, -9), "visit": visit(&t, 4)}),
    )
    .await;
    assert_eq!(s, 200);
    // The visit is in 4 days: asking today is too late (5 days needed).
    let (s, e) = event(
        &t,
        &id,
        json!({"event": "home_visit_requested", "on": d(&t, 0)}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("home_visit_too_late"))
    );
    // Asked yesterday (5 days before): in time.
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "home_visit_requested", "on": d(&t, -1)}),
    )
    .await;
    assert_eq!((s, view["state"].as_str()), (200, Some("visit_scheduled")));
    // Field errors: `on` in the future, a visit without place, together.
    let (s, e) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 1), "visit": {"at": "tomorrow"}}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_event"))
    );
    let fields: Vec<&str> = e["error"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in ["on", "visit.at", "visit.place"] {
        assert!(fields.contains(&f), "{f} in {fields:?}");
    }
    // Before the previous event.
    let (s, e) = event(&t, &id, json!({"event": "attended", "on": d(&t, -20)})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_event"))
    );
    let (s, e) = event(&t, &id, json!({"event": "silent_assent", "on": d(&t, 0)})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("invalid_event"))
    );
    assert_eq!(t.app.store().events_of(&id).await.unwrap().len(), 2);
}

async fn linked_verbali_move_the_application(t: TestApp) {
    person(&t, MARIO).await;
    person(&t, &giulia()).await;
    let id = ordinary_application(&t, MARIO, "C-1").await;
    // Not yet visited: the state does not take a verbale.
    let r = t
        .admin_post_verbale(commission_verbale("V-0", MARIO, &d(&t, -5), Some(&id)))
        .await;
    let (s, e) = error_of(r).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("invalid_transition")));
    assert!(t.app.store().verbale("V-0").await.unwrap().is_none());

    let (s, _) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, -9), "visit": visit(&t, -2)}),
    )
    .await;
    assert_eq!(s, 200);
    // Unknown, another person's, or a kind that does not fit: 422.
    let r = t
        .admin_post_verbale(commission_verbale("V-1", MARIO, &d(&t, -2), Some("nope")))
        .await;
    let (s, e) = error_of(r).await;
    assert_eq!((s, e["code"].as_str()), (422, Some("invalid_verbale")));
    assert_eq!(e["fields"][0]["field"], "application_id");
    let r = t
        .admin_post_verbale(commission_verbale("V-G", &giulia(), &d(&t, -2), Some(&id)))
        .await;
    let (s, e) = error_of(r).await;
    assert_eq!(
        (s, e["fields"][0]["field"].as_str()),
        (422, Some("application_id"))
    );
    let mut basic = commission_verbale("V-B", MARIO, &d(&t, -2), Some(&id));
    basic["kind"] = json!("basic_assessment");
    basic["definitive"] = json!(true);
    let (s, e) = error_of(t.admin_post_verbale(basic).await).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (422, Some("kind")));

    // Unlinked first: the application does not move.
    let unlinked = commission_verbale("V-1", MARIO, &d(&t, -2), None);
    assert_eq!(t.admin_post_verbale(unlinked.clone()).await.status(), 201);
    assert_eq!(state_of(&t, &id).await, "visit_scheduled");
    // The same verbale with the link it lacked: it gains it (200).
    let linked = commission_verbale("V-1", MARIO, &d(&t, -2), Some(&id));
    assert_eq!(t.admin_post_verbale(linked.clone()).await.status(), 200);
    assert_eq!(state_of(&t, &id).await, "awaiting_inps");
    let view = t.app.application_json(&id).await.unwrap();
    assert_eq!(view["next_deadline"]["what"], "inps_decision");
    assert_eq!(view["next_deadline"]["due"], d(&t, 58));
    // Again: unchanged; with another link: a conflict.
    assert_eq!(t.admin_post_verbale(linked).await.status(), 200);
    let other = commission_verbale("V-1", MARIO, &d(&t, -2), Some("another"));
    let (s, e) = error_of(t.admin_post_verbale(other).await).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("verbale_conflict")));
    assert_eq!(t.app.store().events_of(&id).await.unwrap().len(), 2);
    let stored = t.app.store().verbale("V-1").await.unwrap().unwrap();
    assert_eq!(stored.application_id.as_deref(), Some(id.as_str()));
    assert_eq!(stored.definitive_on, None);
}

async fn inps_confirmation_makes_the_verbale_definitive_and_the_qr_qualify(t: TestApp) {
    person(&t, MARIO).await;
    let id = awaiting_inps(&t, MARIO, -3).await;
    // Not definitive yet: no QR.
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    assert_eq!(c.post("/api/v1/me/attestation").await.status(), 422);
    // The commission's verbale arrived today; INPS confirms the same day.
    let (s, view) = event(&t, &id, json!({"event": "inps_confirmed", "on": d(&t, 0)})).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["state"], "concluded");
    assert_eq!(view["verbale_id"], AW_MARIO);
    let stored = t.app.store().verbale(AW_MARIO).await.unwrap().unwrap();
    assert!(stored.verbale.definitive);
    assert_eq!(stored.definitive_on, Some(day(&t, 0)));
    // The status followed at once: the QR can be made and qualifies.
    let r = c.post("/api/v1/me/attestation").await;
    assert_eq!(r.status(), 201);
    let url: Value = r.json().await.unwrap();
    let token = token_of(url["url"].as_str().unwrap());
    let level1: Value = t.verify(&token, MARIO).await.json().await.unwrap();
    assert_eq!(level1["outcome"], "qualifies");
    // A court appeal on the concluded application.
    let (s, view) = event(&t, &id, json!({"event": "court_appeal", "on": d(&t, 0)})).await;
    assert_eq!((s, view["state"].as_str()), (200, Some("concluded")));
}

async fn inps_decisions_after_the_due_date_are_refused(t: TestApp) {
    person(&t, MARIO).await;
    person(&t, &giulia()).await;
    // Session 61 days ago: INPS's due day was yesterday.
    let late = awaiting_inps(&t, MARIO, -61).await;
    let (s, e) = event(
        &t,
        &late,
        json!({"event": "direct_visit_called", "on": d(&t, 0)}),
    )
    .await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("silent_assent_applied"))
    );
    // Session 60 days ago: today is the due day, INPS is in time.
    let in_time = awaiting_inps(&t, &giulia(), -60).await;
    let (s, view) = event(
        &t,
        &in_time,
        json!({"event": "direct_visit_called", "on": d(&t, 0)}),
    )
    .await;
    assert_eq!((s, view["state"].as_str()), (200, Some("inps_visit")));
}

async fn silent_assent_applies_once_and_the_status_follows(t: TestApp) {
    person(&t, MARIO).await;
    // Session 61 days ago: INPS's due day was yesterday.
    let id = awaiting_inps(&t, MARIO, -61).await;
    // Run as of the due day: nothing yet.
    let report = t.app.run_jobs(day(&t, -1)).await.unwrap();
    assert_eq!((report.ran, report.silent_assent), (true, 0));
    assert_eq!(state_of(&t, &id).await, "awaiting_inps");
    let report = t.app.run_jobs(day(&t, 0)).await.unwrap();
    assert_eq!(report.silent_assent, 1);
    assert!(
        report
            .summary(day(&t, 0))
            .contains("silent assent applied to 1")
    );
    let stored = t.app.store().verbale(AW_MARIO).await.unwrap().unwrap();
    assert!(stored.verbale.definitive);
    assert_eq!(stored.definitive_on, Some(day(&t, 0)), "due + 1");
    assert_eq!(state_of(&t, &id).await, "concluded");
    // The status followed: the citizen's QR can be made and qualifies.
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let r = c.post("/api/v1/me/attestation").await;
    assert_eq!(r.status(), 201);
    let url: Value = r.json().await.unwrap();
    let level1: Value = t
        .verify(&token_of(url["url"].as_str().unwrap()), MARIO)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(level1["outcome"], "qualifies");
    // A second run changes nothing, and says so.
    let again = t.app.run_jobs(day(&t, 0)).await.unwrap();
    assert_eq!((again.silent_assent, again.certificates_expired), (0, 0));
    assert!(again.summary(day(&t, 0)).contains("nothing to do"));
    // INPS after silent assent: too late.
    let (s, e) = event(&t, &id, json!({"event": "inps_confirmed", "on": d(&t, 0)})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (409, Some("silent_assent_applied"))
    );
    let events = t.app.store().events_of(&id).await.unwrap();
    assert_eq!(events.last().unwrap().kind.as_str(), "silent_assent");
}

async fn concurrent_job_runs_apply_silent_assent_once(t: TestApp) {
    person(&t, MARIO).await;
    let id = awaiting_inps(&t, MARIO, -61).await;
    let (s, _) = post_certificate(&t, certificate(&t, "C-OLD", MARIO, -89, "ordinary")).await;
    assert_eq!(s, 201);
    // Two nodes over the same database, each with its own App.
    let other = attesta_app::App::with_clock(
        t.app.store().clone(),
        attesta_credential::ServerSecret::generate(),
        attesta_app::Config::new(&t.base),
        t.clock.clone(),
    );
    let on = day(&t, 5);
    let (a, b) = tokio::join!(t.app.run_jobs(on), other.run_jobs(on));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.silent_assent + b.silent_assent, 1, "{a:?} {b:?}");
    assert_eq!(
        a.certificates_expired + b.certificates_expired,
        1,
        "{a:?} {b:?}"
    );
    let assents = t
        .app
        .store()
        .events_of(&id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind.as_str() == "silent_assent")
        .count();
    assert_eq!(assents, 1);
    let cert = t.app.store().certificate("C-OLD").await.unwrap().unwrap();
    assert_eq!(
        cert.expired_on,
        Some(day(&t, 2)),
        "issued -89: last day +1, expired from +2"
    );
    // And a run after both finds nothing.
    let later = t.app.run_jobs(on).await.unwrap();
    assert_eq!(
        (later.ran, later.silent_assent, later.certificates_expired),
        (true, 0, 0)
    );
}

async fn a_reform_application_concludes_with_its_basic_assessment(t: TestApp) {
    person(&t, MARIO).await;
    // The certificate arrives today and opens the application today, so
    // its events are today's.
    let (s, answer) = post_certificate(&t, certificate(&t, "C-R", MARIO, -30, "reform")).await;
    assert_eq!(s, 201);
    let id = answer["application_id"].as_str().unwrap().to_owned();
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0), "visit": visit(&t, 7)}),
    )
    .await;
    assert_eq!((s, view["state"].as_str()), (200, Some("visit_scheduled")));
    let (s, view) = event(
        &t,
        &id,
        json!({"event": "absent", "on": d(&t, 0), "justified": true}),
    )
    .await;
    assert_eq!(
        (s, view["state"].as_str()),
        (200, Some("visit_to_reschedule"))
    );
    let (s, _) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0), "visit": visit(&t, 14)}),
    )
    .await;
    assert_eq!(s, 200);
    // A commission verbale does not fit the reform: 422 naming `kind`.
    let mut verbale = commission_verbale("V-R", MARIO, &d(&t, 0), Some(&id));
    verbale["definitive"] = json!(true);
    let (s, e) = error_of(t.admin_post_verbale(verbale.clone()).await).await;
    assert_eq!((s, e["fields"][0]["field"].as_str()), (422, Some("kind")));
    // The basic assessment concludes it, definitive at once; the QR follows.
    verbale["kind"] = json!("basic_assessment");
    assert_eq!(t.admin_post_verbale(verbale.clone()).await.status(), 201);
    assert_eq!(state_of(&t, &id).await, "concluded");
    let stored = t.app.store().verbale("V-R").await.unwrap().unwrap();
    assert_eq!(stored.definitive_on, Some(day(&t, 0)));
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    assert_eq!(c.post("/api/v1/me/attestation").await.status(), 201);
    // The same verbale again: 200, nothing new; another one linked to the
    // concluded application: 422 naming `application_id`.
    assert_eq!(t.admin_post_verbale(verbale).await.status(), 200);
    let mut later = commission_verbale("V-R2", MARIO, &d(&t, 0), Some(&id));
    later["kind"] = json!("basic_assessment");
    later["definitive"] = json!(true);
    let (s, e) = error_of(t.admin_post_verbale(later).await).await;
    assert_eq!(
        (s, e["fields"][0]["field"].as_str()),
        (422, Some("application_id"))
    );
    assert_eq!(t.app.store().events_of(&id).await.unwrap().len(), 4);
}

async fn an_ordinary_certificate_expires_when_its_province_starts_the_reform(t: TestApp) {
    use attesta_domain::journey::Province;
    person(&t, MARIO).await;
    // Florence's start day, from rules/procedures.toml (in the past).
    let rules = attesta_app::journey::procedure_rules().unwrap();
    let start = rules.reform_from(Province::parse("FI").unwrap());
    assert!(start < day(&t, -10));
    let issued = start - Duration::days(10);
    let (s, answer) = post_certificate(
        &t,
        json!({"certificate_id": "C-FI", "fiscal_code": MARIO, "issued_on": format_date(issued),
               "purposes": ["invalidity"], "province": "FI"}),
    )
    .await;
    assert_eq!((s, answer["procedure"].as_str()), (201, Some("ordinary")));
    // The day before the start it could still be used…
    let before = format_date(start - Duration::days(1));
    let after = format_date(start + Duration::days(5));
    // …from the start on, a new certificate under the reform is needed.
    let (s, e) = apply(&t, json!({"certificate_id": "C-FI", "on": after})).await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("certificate_expired"))
    );
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a new certificate under the reform is needed"),
        "{e}"
    );
    let (s, body) = apply(&t, json!({"certificate_id": "C-FI", "on": before})).await;
    assert_eq!(s, 201, "{body}");
}

async fn concurrent_applications_for_the_same_purposes_open_one(t: TestApp) {
    person(&t, MARIO).await;
    for id in ["C-A", "C-B"] {
        let (s, _) = post_certificate(&t, certificate(&t, id, MARIO, -5, "ordinary")).await;
        assert_eq!(s, 201);
    }
    // Two patronati file at the same moment from two certificates asking
    // the same, while a reform certificate for it arrives: one wins.
    let ((a, _), (b, _), (c, _)) = tokio::join!(
        apply(&t, json!({"certificate_id": "C-A"})),
        apply(&t, json!({"certificate_id": "C-B"})),
        post_certificate(&t, certificate(&t, "C-R", MARIO, -1, "reform")),
    );
    let mut statuses = [a, b, c];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409, 409]);
    let person = t
        .app
        .store()
        .person_by_fiscal_code(&attesta_domain::FiscalCode::parse(MARIO).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        t.app
            .store()
            .applications_of(&person.person_id)
            .await
            .unwrap()
            .len(),
        1
    );
}
