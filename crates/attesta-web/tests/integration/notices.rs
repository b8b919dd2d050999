//! Issue #14, notices and deadlines (SPEC §11, `GET /api/v1/me/notices`):
//! derived on each read from what is stored, so each change of the facts
//! changes them at once; in the order a person should act on them; shown
//! in words on `/me`. Every date is relative to the app's (injected) today.

use attesta_domain::format_date;
use attesta_domain::journey::appeal_by;
use attesta_testkit::on_both_engines;
use attesta_testkit::people::MARIO;
use serde_json::{Value, json};
use time::{Date, Duration};

use crate::card_life::{admin_post, issued_card};
use crate::support::{ADMIN_KEY, Citizen, TestApp};

on_both_engines!(
    each_fact_makes_and_unmakes_its_notice_in_order,
    the_card_is_told_three_months_before_it_expires,
    me_tells_the_notices_in_words_with_their_links,
);

fn day(t: &TestApp, offset: i64) -> Date {
    t.app.today() + Duration::days(offset)
}

fn d(t: &TestApp, offset: i64) -> String {
    format_date(day(t, offset))
}

async fn admin(t: &TestApp, path: &str, body: Value) -> Value {
    let r = t
        .http
        .post(t.url(path))
        .bearer_auth(ADMIN_KEY)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert!((200..300).contains(&status), "{path}: {status} {body}");
    body
}

async fn person(t: &TestApp) {
    let r = t
        .admin_put_person(
            MARIO,
            json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01",
                   "email": "mario@example.it", "mobile": "+393331234567"}),
        )
        .await;
    assert!(r.status().is_success());
}

async fn notices(c: &Citizen) -> Vec<Value> {
    let r = c.get("/api/v1/me/notices").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json().await.unwrap()
}

fn kinds(n: &[Value]) -> Vec<&str> {
    n.iter().map(|n| n["kind"].as_str().unwrap()).collect()
}

async fn each_fact_makes_and_unmakes_its_notice_in_order(t: TestApp) {
    person(&t).await;
    let c = t.citizen(MARIO).await;
    assert_eq!(notices(&c).await, Vec::<Value>::new());
    let r = t
        .http
        .get(t.url("/api/v1/me/notices"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401, "only a logged-in holder or delegate");

    // An ordinary certificate: apply by its last day.
    admin(
        &t,
        "/api/v1/admin/certificates",
        json!({"certificate_id": "C-ORD", "fiscal_code": MARIO, "issued_on": d(&t, -10),
               "purposes": ["invalidity"], "province": "BA", "procedure": "ordinary"}),
    )
    .await;
    let certs: Value = c.get("/api/v1/me/certificates").await.json().await.unwrap();
    let apply_by = certs[0]["apply_by"].as_str().unwrap().to_owned();
    assert_eq!(
        notices(&c).await,
        vec![json!({"kind": "certificate_expiring", "due": apply_by, "ref": "C-ORD"})]
    );

    // Applied: the certificate is used, its notice gone; a visit in 20
    // days, not at home: the home-visit deadline 5 days before it.
    let r = c
        .post_json(
            "/api/v1/me/applications",
            &json!({"certificate_id": "C-ORD"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let application = r.json::<Value>().await.unwrap()["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(notices(&c).await, Vec::<Value>::new());
    admin(
        &t,
        &format!("/api/v1/admin/applications/{application}/events"),
        json!({"event": "visit_scheduled", "on": d(&t, 0),
               "visit": {"at": format!("{}T09:30:00+01:00", d(&t, 20)), "place": "ASL Bari", "home": false}}),
    )
    .await;
    assert_eq!(
        notices(&c).await,
        vec![
            json!({"kind": "home_visit_deadline", "due": d(&t, 15), "ref": application}),
            json!({"kind": "visit_upcoming", "due": d(&t, 20), "ref": application}),
        ]
    );

    // A reform procedure whose commission asks for documents.
    let reform = admin(
        &t,
        "/api/v1/admin/certificates",
        json!({"certificate_id": "C-REF", "fiscal_code": MARIO, "issued_on": d(&t, -3),
               "purposes": ["handicap"], "province": "BA", "procedure": "reform"}),
    )
    .await["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    admin(
        &t,
        &format!("/api/v1/admin/applications/{reform}/events"),
        json!({"event": "documents_requested", "on": d(&t, 0)}),
    )
    .await;
    assert_eq!(
        kinds(&notices(&c).await),
        [
            "home_visit_deadline",
            "visit_upcoming",
            "documents_requested"
        ]
    );

    // A message, unread then read.
    let sent = admin(
        &t,
        &format!("/api/v1/admin/people/{MARIO}/messages"),
        json!({"subject": "Convocazione", "body": "Le scriviamo per la visita."}),
    )
    .await;
    let n = notices(&c).await;
    assert_eq!(
        n.last().unwrap(),
        &json!({"kind": "message_unread", "count": 1})
    );
    let id = sent["message_id"].as_str().unwrap();
    let r = c.post(&format!("/api/v1/me/messages/{id}/read")).await;
    assert_eq!(r.status(), 204);
    assert!(!kinds(&notices(&c).await).contains(&"message_unread"));

    // A definitive verbale today, with a revision in four months: issued,
    // the appeal deadline 6 months on, the revision by its month's end.
    let revision = day(&t, 120);
    let revision_month = format!("{}-{:02}", revision.year(), revision.month() as u8);
    let r = t
        .admin_post_verbale(json!({"verbale_id": "V-NOTICE", "fiscal_code": MARIO,
            "kind": "first_instance", "session_date": d(&t, -1), "definitive": true,
            "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": revision_month}}))
        .await;
    assert_eq!(r.status(), 201);
    let month_end = {
        let next = if revision.month() == time::Month::December {
            Date::from_calendar_date(revision.year() + 1, time::Month::January, 1)
        } else {
            Date::from_calendar_date(revision.year(), revision.month().next(), 1)
        };
        format_date(next.unwrap() - Duration::days(1))
    };
    let appeal = format_date(appeal_by(day(&t, 0)));
    assert_eq!(
        notices(&c).await,
        vec![
            json!({"kind": "home_visit_deadline", "due": d(&t, 15), "ref": application}),
            json!({"kind": "visit_upcoming", "due": d(&t, 20), "ref": application}),
            json!({"kind": "revision_due", "due": month_end}),
            json!({"kind": "appeal_deadline", "due": appeal, "ref": "V-NOTICE"}),
            json!({"kind": "documents_requested", "ref": reform}),
            json!({"kind": "verbale_issued", "ref": "V-NOTICE", "on": d(&t, 0)}),
        ]
    );

    // The commission has the documents: that notice goes at once.
    admin(
        &t,
        &format!("/api/v1/admin/applications/{reform}/events"),
        json!({"event": "documents_received", "on": d(&t, 0)}),
    )
    .await;
    assert!(!kinds(&notices(&c).await).contains(&"documents_requested"));
}

async fn the_card_is_told_three_months_before_it_expires(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"deafness": true, "revision": {"exempt": true}}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let serial = issued_card(&t, &c).await;
    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    let expires = attesta_domain::parse_date(card["expires_on"].as_str().unwrap()).unwrap();
    assert!(!kinds(&notices(&c).await).contains(&"card_expiring"));
    // 89 days before the last day: told (the session expired meanwhile).
    let to = |target: Date, today: Date| {
        std::time::Duration::from_secs(u64::try_from((target - today).whole_seconds()).unwrap())
    };
    t.clock
        .advance(to(expires - Duration::days(89), t.app.today()));
    let c = t.citizen(MARIO).await;
    assert_eq!(
        notices(&c).await,
        vec![json!({"kind": "card_expiring", "due": format_date(expires), "ref": serial})]
    );
    // Revoked: nothing left to expire.
    let r = admin_post(&t, &format!("/api/v1/admin/cards/{serial}/revoke"), None).await;
    assert_eq!(r.status(), 200);
    assert!(notices(&c).await.is_empty());
}

async fn me_tells_the_notices_in_words_with_their_links(t: TestApp) {
    person(&t).await;
    let c = t.citizen(MARIO).await;
    let html = c.get("/me").await.text().await.unwrap();
    assert!(
        html.contains("<h2 id=\"notices\">Da fare e scadenze</h2>"),
        "{html}"
    );
    assert!(html.contains("Per ora non hai nulla da fare"), "{html}");

    let r = t
        .admin_post_verbale(json!({"verbale_id": "INPS/BA.1", "fiscal_code": MARIO,
            "kind": "first_instance", "session_date": d(&t, -1), "definitive": true,
            "source": "telematic", "invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"exempt": true}}))
        .await;
    assert_eq!(r.status(), 201);
    for (subject, body) in [("Uno", "Primo."), ("Due", "Secondo.")] {
        admin(
            &t,
            &format!("/api/v1/admin/people/{MARIO}/messages"),
            json!({"subject": subject, "body": body}),
        )
        .await;
    }
    let today = t.app.today();
    let it = |d: Date| format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year());
    let html = c.get("/me").await.text().await.unwrap();
    let href = "/me/verbali/INPS%2FBA%2E1";
    for want in [
        format!(
            "<a href=\"{href}\">Puoi fare ricorso in tribunale contro il verbale entro il {}.</a>",
            it(appeal_by(today))
        ),
        format!(
            "<a href=\"{href}\">Il tuo verbale è definitivo dal {}: leggi cosa significa e mostra subito il tuo QR.</a>",
            it(today)
        ),
        "<a href=\"/me/messages\">Hai 2 comunicazioni da leggere.</a>".to_owned(),
    ] {
        assert!(html.contains(&want), "{want} not in {html}");
    }
    // In order: the dated appeal before the undated issue and messages.
    let at = |s: &str| html.find(s).unwrap();
    assert!(
        at("Puoi fare ricorso") < at("è definitivo dal") && at("è definitivo dal") < at("Hai 2")
    );

    // One message read: the singular; and in English.
    let messages: Value = c.get("/api/v1/me/messages").await.json().await.unwrap();
    let id = messages[0]["message_id"].as_str().unwrap();
    let r = c.post(&format!("/api/v1/me/messages/{id}/read")).await;
    assert_eq!(r.status(), 204);
    let html = c.get("/me").await.text().await.unwrap();
    assert!(html.contains("Hai una comunicazione da leggere."), "{html}");
    let en = c.get("/me?lang=en").await.text().await.unwrap();
    assert!(en.contains("To do and deadlines"), "{en}");
    assert!(en.contains("You have one message to read."), "{en}");
    assert!(
        en.contains(&format!(
            "You can appeal to the court against the verbale until {}.",
            it(appeal_by(today))
        )),
        "{en}"
    );
}
