//! The citizen's side of the journey (SPEC §10.2): their certificates and
//! applications through `/api/v1/me/…`, a delegate acting for them, and
//! the page `/me/applications`, on both engines. Every certificate names
//! its `procedure` and every date is relative to the app's today.

use attesta_domain::format_date;
use attesta_testkit::on_both_engines;
use attesta_testkit::people::{MARIO, cf};
use serde_json::{Value, json};
use time::Duration;

use crate::support::{ADMIN_KEY, Citizen, TestApp, csrf_of, error_of};

on_both_engines!(
    certificates_and_applications_of_the_citizen,
    a_delegate_applies_for_the_holder_and_the_activity_says_so,
    the_reform_reschedule_request,
    the_page_shows_the_journey_in_words,
    the_page_forms_apply_and_reschedule,
    the_demo_applicants_are_seeded_once,
    a_concluded_application_links_to_the_holders_verbale,
);

fn d(t: &TestApp, offset: i64) -> String {
    format_date(t.app.today() + Duration::days(offset))
}

fn giulia() -> String {
    cf("BNCGLI85M52A662")
}

async fn admin_post(t: &TestApp, path: &str, body: Value) -> (u16, Value) {
    let r = t
        .http
        .post(t.url(path))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn people(t: &TestApp) {
    for (cf, given, birth) in [
        (MARIO.to_owned(), "Mario", "1980-01-01"),
        (giulia(), "Giulia", "1985-08-12"),
    ] {
        let r = t
            .admin_put_person(
                &cf,
                json!({"given_name": given, "family_name": "Rossi", "birth_date": birth}),
            )
            .await;
        assert!(r.status().is_success());
    }
}

/// A certificate issued `issued` days from today, stored by the back
/// office; answers the reform's application id, if one opened.
async fn certificate(
    t: &TestApp,
    id: &str,
    cf: &str,
    issued: i64,
    purposes: Value,
    procedure: &str,
) -> Option<String> {
    let (s, body) = admin_post(
        t,
        "/api/v1/admin/certificates",
        json!({"certificate_id": id, "fiscal_code": cf, "issued_on": d(t, issued),
               "purposes": purposes, "province": "BA", "procedure": procedure}),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    body["application_id"].as_str().map(str::to_owned)
}

async fn event(t: &TestApp, id: &str, body: Value) {
    let (s, body) = admin_post(t, &format!("/api/v1/admin/applications/{id}/events"), body).await;
    assert_eq!(s, 200, "{body}");
}

fn visit_at(t: &TestApp, offset: i64) -> String {
    format!("{}T09:30:00+01:00", d(t, offset))
}

async fn apply(c: &Citizen, body: Value) -> (u16, Value) {
    let r = c.post_json("/api/v1/me/applications", &body).await;
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn code(c: &Citizen, body: Value) -> (u16, String) {
    let (s, b) = apply(c, body).await;
    (
        s,
        b["error"]["code"].as_str().unwrap_or_default().to_owned(),
    )
}

async fn certificates_and_applications_of_the_citizen(t: TestApp) {
    people(&t).await;
    let both = json!(["invalidity", "handicap"]);
    certificate(&t, "C-USABLE", MARIO, -10, both.clone(), "ordinary").await;
    certificate(&t, "C-OLD", MARIO, -100, json!(["deafness"]), "ordinary").await;
    let reform = certificate(&t, "C-REFORM", MARIO, -5, json!(["blindness"]), "reform")
        .await
        .expect("a reform certificate opens its application");
    certificate(&t, "C-GIULIA", &giulia(), -10, both.clone(), "ordinary").await;
    let c = t.citizen(MARIO).await;

    let r = c.get("/api/v1/me/certificates").await;
    assert_eq!(r.headers()["cache-control"], "no-store");
    let certs: Value = r.json().await.unwrap();
    let by_id = |id: &str| {
        certs
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["certificate_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {certs}"))
    };
    assert_eq!(certs.as_array().unwrap().len(), 3, "only the holder's");
    assert_eq!(
        by_id("C-USABLE"),
        json!({"certificate_id": "C-USABLE", "issued_on": d(&t, -10), "purposes": both,
               "procedure": "ordinary", "status": "usable", "apply_by": d(&t, 80)})
    );
    assert_eq!(by_id("C-OLD")["status"], "expired");
    assert_eq!(by_id("C-OLD")["apply_by"], d(&t, -10));
    // A reform certificate is its application.
    assert_eq!(by_id("C-REFORM")["status"], "used");
    assert!(by_id("C-REFORM").get("apply_by").is_none());

    // Every refusal, nothing changed.
    for (body, expected) in [
        (
            json!({"certificate_id": "C-GIULIA"}),
            (404, "unknown_certificate"),
        ),
        (
            json!({"certificate_id": "C-NONE"}),
            (404, "unknown_certificate"),
        ),
        (
            json!({"certificate_id": "C-OLD"}),
            (422, "certificate_expired"),
        ),
        (
            json!({"certificate_id": "C-REFORM"}),
            (422, "invalid_application"),
        ),
        (json!({}), (422, "invalid_application")),
        (json!({"certificate_id": 7}), (422, "invalid_application")),
        (
            json!({"certificate_id": "C-USABLE", "on": d(&t, 0)}),
            (400, "invalid_request"),
        ),
    ] {
        let (s, code) = code(&c, body.clone()).await;
        assert_eq!((s, code.as_str()), expected, "{body}");
    }
    let listed: Value = c.get("/api/v1/me/applications").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "only the reform's");

    t.clock.advance(std::time::Duration::from_secs(5));
    let (s, body) = apply(&c, json!({"certificate_id": "C-USABLE"})).await;
    assert_eq!(s, 201, "{body}");
    let id = body["application_id"].as_str().unwrap().to_owned();
    let (s, code_) = code(&c, json!({"certificate_id": "C-USABLE"})).await;
    assert_eq!((s, code_.as_str()), (409, "certificate_used"));
    // A second certificate for the same purposes while this one is open.
    certificate(&t, "C-AGAIN", MARIO, -1, json!(["invalidity"]), "ordinary").await;
    let (s, code_) = code(&c, json!({"certificate_id": "C-AGAIN"})).await;
    assert_eq!((s, code_.as_str()), (409, "assessment_open"));

    // The list, newest first, in SPEC's shape.
    let listed: Value = c.get("/api/v1/me/applications").await.json().await.unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    assert_eq!(listed[0]["application_id"], id);
    assert_eq!(listed[0]["procedure"], "ordinary");
    assert_eq!(listed[0]["state"], "submitted");
    assert_eq!(listed[0]["opened_on"], d(&t, 0));
    assert_eq!(listed[0]["overdue"], false);
    let statuses: Vec<&str> = listed[0]["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["done", "done", "current", "todo", "todo", "todo"]
    );
    assert_eq!(listed[1]["application_id"], reform);
    assert_eq!(listed[1]["procedure"], "reform");
    assert_eq!(listed[1]["state"], "started");
    assert_eq!(listed[1]["next_deadline"]["what"], "target");
    // The certificate is now used.
    let certs: Value = c.get("/api/v1/me/certificates").await.json().await.unwrap();
    let usable = certs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["certificate_id"] == "C-USABLE")
        .unwrap()
        .clone();
    assert_eq!(usable["status"], "used");

    // Another person sees none of it; no session, 401.
    let g = t.citizen(&giulia()).await;
    let theirs: Value = g.get("/api/v1/me/applications").await.json().await.unwrap();
    assert_eq!(theirs, json!([]));
    let anonymous = crate::support::client();
    for path in ["/api/v1/me/certificates", "/api/v1/me/applications"] {
        let (s, e) = error_of(anonymous.get(t.url(path)).send().await.unwrap()).await;
        assert_eq!((s, e["code"].as_str().unwrap()), (401, "login_required"));
    }
    // A cross-site POST is refused.
    let r = c
        .http
        .post(t.url("/api/v1/me/applications"))
        .header("origin", "https://evil.example")
        .json(&json!({"certificate_id": "C-AGAIN"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn a_delegate_applies_for_the_holder_and_the_activity_says_so(t: TestApp) {
    people(&t).await;
    certificate(&t, "C-1", MARIO, -3, json!(["invalidity"]), "ordinary").await;
    let holder = t.citizen(MARIO).await;
    let r = holder
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": giulia()}))
        .await;
    assert_eq!(r.status(), 201);
    let delegate = t.citizen(&giulia()).await;
    // Before acting for the holder, the certificate is not the delegate's.
    let (s, c) = code(&delegate, json!({"certificate_id": "C-1"})).await;
    assert_eq!((s, c.as_str()), (404, "unknown_certificate"));
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let certs: Value = delegate
        .get("/api/v1/me/certificates")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(certs[0]["certificate_id"], "C-1");
    let (s, body) = apply(&delegate, json!({"certificate_id": "C-1"})).await;
    assert_eq!(s, 201, "{body}");
    let mine: Value = holder
        .get("/api/v1/me/applications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["application_id"], body["application_id"]);
    let activity: Value = holder
        .get("/api/v1/me/activity")
        .await
        .json()
        .await
        .unwrap();
    let filed = activity
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["action"] == "application_filed")
        .expect("the filing is in the holder's activity")
        .clone();
    assert_eq!(filed["by_delegate"], true);
    assert_eq!(filed["by"], "Giulia Rossi");
    let page = holder.get("/me").await.text().await.unwrap();
    assert!(page.contains("Domanda presentata da un certificato"));
    assert!(
        page.contains("href=\"/me/applications\""),
        "linked from /me"
    );
}

async fn the_reform_reschedule_request(t: TestApp) {
    people(&t).await;
    let id = certificate(&t, "C-R", MARIO, -5, json!(["handicap"]), "reform")
        .await
        .unwrap();
    let c = t.citizen(MARIO).await;
    let path = format!("/api/v1/me/applications/{id}/reschedule");
    let post = |body: Value| {
        let path = path.clone();
        let c = &c;
        async move { error_of(c.post_json(&path, &body).await).await }
    };
    // Not convoked yet: nothing to reschedule.
    let (s, e) = post(json!({"reason": "ricovero"})).await;
    assert_eq!(
        (s, e["code"].as_str().unwrap()),
        (409, "invalid_transition")
    );
    assert!(e["message"].as_str().unwrap().contains("started"));
    event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0),
               "visit": {"at": visit_at(&t, 7), "place": "INPS Bari", "home": false}}),
    )
    .await;
    let (s, e) = post(json!({"reason": "  "})).await;
    assert_eq!((s, e["code"].as_str().unwrap()), (422, "invalid_event"));
    assert_eq!(e["fields"][0]["field"], "reason");
    let (s, e) = post(json!({"reason": "x".repeat(1001)})).await;
    assert_eq!((s, e["code"].as_str().unwrap()), (422, "invalid_event"));
    let (s, e) = post(json!({"reason": "ricovero", "on": d(&t, 0)})).await;
    assert_eq!((s, e["code"].as_str().unwrap()), (400, "invalid_request"));
    // Another person's application is unknown to them.
    let g = t.citizen(&giulia()).await;
    let (s, e) = error_of(g.post_json(&path, &json!({"reason": "ricovero"})).await).await;
    assert_eq!(
        (s, e["code"].as_str().unwrap()),
        (404, "unknown_application")
    );
    let (s, e) = error_of(
        c.post_json(
            "/api/v1/me/applications/nope/reschedule",
            &json!({"reason": "ricovero"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (s, e["code"].as_str().unwrap()),
        (404, "unknown_application")
    );

    let r = c
        .post_json(&path, &json!({"reason": "ricovero programmato"}))
        .await;
    assert_eq!(r.status(), 200);
    let view: Value = r.json().await.unwrap();
    assert_eq!(view["state"], "visit_to_reschedule");
    assert!(view.get("visit").is_none(), "the visit is off");
    assert!(
        !view.to_string().contains("ricovero"),
        "the reason is not echoed"
    );
    let (s, e) = post(json!({"reason": "ancora"})).await;
    assert_eq!(
        (s, e["code"].as_str().unwrap()),
        (409, "invalid_transition")
    );
    let activity: Value = c.get("/api/v1/me/activity").await.json().await.unwrap();
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "reschedule_requested" && a["by_delegate"] == false)
    );

    // A new date, then the visit time passes: too late to ask.
    event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0),
               "visit": {"at": visit_at(&t, 2), "place": "INPS Bari", "home": false}}),
    )
    .await;
    t.clock
        .advance(std::time::Duration::from_secs(3 * 24 * 3600));
    let c = t.citizen(MARIO).await;
    let (s, e) = error_of(c.post_json(&path, &json!({"reason": "ricovero"})).await).await;
    assert_eq!(
        (s, e["code"].as_str().unwrap()),
        (409, "invalid_transition")
    );
}

async fn the_page_shows_the_journey_in_words(t: TestApp) {
    people(&t).await;
    // An ordinary application filed 40 days ago, convoked only yesterday:
    // the 30-day target has passed.
    certificate(&t, "C-P", MARIO, -45, json!(["invalidity"]), "ordinary").await;
    let (s, body) = admin_post(
        &t,
        "/api/v1/admin/applications",
        json!({"certificate_id": "C-P", "on": d(&t, -40), "via": "patronato"}),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    let id = body["application_id"].as_str().unwrap().to_owned();
    let at = visit_at(&t, 10);
    event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, -1),
               "visit": {"at": at, "place": "ASL Bari, via Roma 1", "home": false}}),
    )
    .await;
    certificate(
        &t,
        "C-NEW",
        MARIO,
        -2,
        json!(["deafness", "handicap"]),
        "ordinary",
    )
    .await;
    let c = t.citizen(MARIO).await;
    let r = c.get("/me/applications").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let html = r.text().await.unwrap();
    // Breadcrumbs: Home › Area personale › Le mie domande.
    assert!(
        html.contains("<a href=\"/me\">Area personale</a>"),
        "{html}"
    );
    assert!(html.contains("aria-current=\"page\">Le mie domande</li>"));
    // The timeline in words, the current phase marked.
    assert!(html.contains(
        "<span class=\"phase-name\">Domanda</span>: <strong class=\"phase-status\">fatto</strong>"
    ));
    assert!(html.contains(&format!("il {}", it_date(&t, -40))));
    assert!(html.contains("aria-current=\"step\"><span class=\"phase-symbol\" aria-hidden=\"true\">●</span> <span class=\"phase-name\">Visita</span>: <strong class=\"phase-status\">in corso</strong>"));
    assert!(html.contains("<span class=\"phase-name\">Verbale definitivo</span>: <strong class=\"phase-status\">da fare</strong>"));
    // The visit in Italian time, its place, not at home.
    let local = attesta_app::italian_time(
        time::OffsetDateTime::parse(&at, &time::format_description::well_known::Rfc3339).unwrap(),
    );
    assert!(html.contains(&it_date(&t, 10)));
    assert!(html.contains(&format!("{:02}:{:02}", local.hour(), local.minute())));
    assert!(html.contains("ASL Bari, via Roma 1"));
    assert!(html.contains("No, presso la sede indicata"));
    // What to do next and by when; the overdue notice.
    assert!(html.contains(&format!(
        "chiedi al tuo medico la visita domiciliare entro il {}",
        it_date(&t, 5)
    )));
    assert!(html.contains("Tempi superati."));
    // The usable certificate with its apply-by date and form.
    assert!(html.contains(&it_date(&t, 88)));
    assert!(html.contains("name=\"certificate_id\" value=\"C-NEW\""));
    assert!(
        !html.contains("name=\"certificate_id\" value=\"C-P\""),
        "used"
    );
    assert!(!html.contains(MARIO), "no codice fiscale on the page");
    // The reform's words with the old reference.
    assert!(html.contains("condizione di disabilità (handicap, L. 104/1992)"));

    let en = c
        .get("/me/applications?lang=en")
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("My applications"));
    assert!(en.contains("<strong class=\"phase-status\">in progress</strong>"));
    assert!(en.contains(&format!(
        "ask your doctor for a home visit by {}",
        it_date(&t, 5)
    )));
    assert!(en.contains("Time exceeded."));

    // Without a session: the login page, not the journey.
    let r = crate::support::client()
        .get(t.url("/me/applications"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

fn it_date(t: &TestApp, offset: i64) -> String {
    let d = t.app.today() + Duration::days(offset);
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

async fn form(c: &Citizen, t: &TestApp, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    c.http.post(t.url(path)).form(fields).send().await.unwrap()
}

async fn the_page_forms_apply_and_reschedule(t: TestApp) {
    people(&t).await;
    certificate(&t, "C-F", MARIO, -3, json!(["invalidity"]), "ordinary").await;
    certificate(&t, "C-X", MARIO, -95, json!(["deafness"]), "ordinary").await;
    let reform = certificate(&t, "C-RF", MARIO, -3, json!(["blindness"]), "reform")
        .await
        .unwrap();
    event(
        &t,
        &reform,
        json!({"event": "visit_scheduled", "on": d(&t, 0),
               "visit": {"at": visit_at(&t, 8), "place": "INPS Bari", "home": true}}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let page = c.get("/me/applications").await.text().await.unwrap();
    let csrf = csrf_of(&page);
    assert!(page.contains(&format!("action=\"/me/applications/{reform}/reschedule\"")));
    assert!(page.contains("Sì, a domicilio"));
    assert!(page.contains(&format!("<label for=\"reason-{reform}\">")));

    // A wrong CSRF token changes nothing.
    let r = form(
        &c,
        &t,
        "/me/applications",
        &[("csrf", "nope"), ("certificate_id", "C-F")],
    )
    .await;
    assert_eq!(r.status(), 403);
    // An expired certificate (posted by hand): the page again with why.
    let r = form(
        &c,
        &t,
        "/me/applications",
        &[("csrf", &csrf), ("certificate_id", "C-X")],
    )
    .await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Il certificato non può più essere usato"));
    let r = form(
        &c,
        &t,
        "/me/applications",
        &[("csrf", &csrf), ("certificate_id", "C-F")],
    )
    .await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/applications?done=applied");
    let html = c
        .get("/me/applications?done=applied")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Domanda presentata."));
    assert!(html.contains("presentata, in attesa di convocazione"));

    // The reschedule form: an empty reason is named in the error summary,
    // nothing changed.
    let path = format!("/me/applications/{reform}/reschedule");
    let r = form(&c, &t, &path, &[("csrf", &csrf), ("reason", " ")]).await;
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("error-summary"));
    assert!(html.contains("href=\"#reschedule-reason\""));
    assert!(html.contains("id=\"reschedule-reason\""));
    assert!(html.contains("aria-invalid=\"true\""));
    let listed: Value = c.get("/api/v1/me/applications").await.json().await.unwrap();
    let state = |l: &Value| {
        l.as_array()
            .unwrap()
            .iter()
            .find(|a| a["application_id"] == reform.as_str())
            .unwrap()["state"]
            .clone()
    };
    assert_eq!(state(&listed), "visit_scheduled");
    let r = form(&c, &t, &path, &[("csrf", &csrf), ("reason", "ricovero")]).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/applications?done=rescheduled");
    let listed: Value = c.get("/api/v1/me/applications").await.json().await.unwrap();
    assert_eq!(state(&listed), "visit_to_reschedule");
    // Asked twice: the page says why not.
    let r = form(&c, &t, &path, &[("csrf", &csrf), ("reason", "ricovero")]).await;
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("non consente questo passaggio")
    );
}

async fn the_demo_applicants_are_seeded_once(t: TestApp) {
    attesta_app::demo::seed(&t.app).await.unwrap();
    let people = attesta_app::demo::people();
    let elena = people.iter().find(|p| p.given_name == "Elena").unwrap();
    let roberto = people.iter().find(|p| p.given_name == "Roberto").unwrap();
    let first: Value = t
        .citizen(&elena.fiscal_code)
        .await
        .get("/api/v1/me/applications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first[0]["state"], "awaiting_inps");
    assert_eq!(
        first[0]["next_deadline"],
        json!({"what": "inps_decision", "due": d(&t, 1)}),
        "silent assent from the day after tomorrow: INPS's last day is tomorrow"
    );
    let reform: Value = t
        .citizen(&roberto.fiscal_code)
        .await
        .get("/api/v1/me/applications")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reform[0]["procedure"], "reform");
    assert_eq!(reform[0]["state"], "visit_scheduled");
    assert!(
        reform[0]["visit"]["at"]
            .as_str()
            .unwrap()
            .starts_with(&d(&t, 7))
    );

    // A later start, days after: nothing is rewritten.
    t.clock
        .advance(std::time::Duration::from_secs(3 * 24 * 3600));
    attesta_app::demo::seed(&t.app).await.unwrap();
    let c = t.citizen(&elena.fiscal_code).await;
    let later: Value = c.get("/api/v1/me/applications").await.json().await.unwrap();
    assert_eq!(later.as_array().unwrap().len(), 1);
    assert_eq!(later[0]["application_id"], first[0]["application_id"]);
    assert_eq!(later[0]["opened_on"], first[0]["opened_on"]);
    let page = c.get("/me/applications").await.text().await.unwrap();
    assert!(page.contains("in attesa della decisione INPS"));
    assert!(
        page.contains("name=\"certificate_id\" value=\"DEMO-CERT-0003\""),
        "a certificate to apply from"
    );

    // /demo says what they show.
    let demo = crate::support::client()
        .get(t.url("/demo"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(demo.contains("silenzio-assenso da domani"));
    assert!(demo.contains("convocato a visita la prossima settimana"));
}

async fn a_concluded_application_links_to_the_holders_verbale(t: TestApp) {
    people(&t).await;
    let id = certificate(&t, "C-V", MARIO, -3, json!(["invalidity"]), "reform")
        .await
        .expect("a reform certificate opens its application");
    event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0),
               "visit": {"at": visit_at(&t, 7), "place": "INPS Bari", "home": false}}),
    )
    .await;
    // A verbale id may hold `/` and `.`: the link keeps it one segment.
    let verbale = json!({"verbale_id": "INPS/BA.2026-7", "fiscal_code": MARIO,
        "kind": "basic_assessment", "session_date": d(&t, 0), "definitive": true,
        "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80,
        "application_id": id});
    assert_eq!(t.admin_post_verbale(verbale).await.status(), 201);

    let c = t.citizen(MARIO).await;
    let html = c.get("/me/applications").await.text().await.unwrap();
    let href = "/me/verbali/INPS%2FBA%2E2026-7";
    assert!(
        html.contains(&format!("<a href=\"{href}\">Apri il verbale</a>")),
        "{html}"
    );

    let r = c.get(href).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let page = r.text().await.unwrap();
    assert!(page.contains("INPS/BA.2026-7"));
    assert!(page.contains("Certificato della condizione di disabilità"));
    assert!(
        page.contains(&format!("Sì (dal {})", it_date(&t, 0))),
        "{page}"
    );
    assert!(page.contains("80%"));
    assert!(!page.contains(MARIO), "no codice fiscale on the page");
    let en = c
        .get(&format!("{href}?lang=en"))
        .await
        .text()
        .await
        .unwrap();
    assert!(en.contains("Your verbale"));
    assert!(en.contains(&format!("Yes (since {})", it_date(&t, 0))));

    // Nobody else's verbale is found, nor a missing one: the same 404.
    let other = t.citizen(&giulia()).await;
    let r = other.get(href).await;
    assert_eq!(r.status(), 404);
    let r = c.get("/me/verbali/NO-SUCH").await;
    assert_eq!(r.status(), 404);
    let body = r.text().await.unwrap();
    // (In English: the `?lang=en` above chose it for this client.)
    assert!(body.contains("None of your verbali has this id"), "{body}");
}
