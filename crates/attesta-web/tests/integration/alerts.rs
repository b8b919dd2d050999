//! The verbale guide's alerts (SPEC §11, issue #14): the proactive
//! consent, one e-mail and one SMS per verbale that becomes definitive on
//! every live path (written to the outbox in the verbale's transaction,
//! delivered by the same round `attesta serve` runs), none without consent,
//! none for a plain import, none for an idempotent repeat, retried after a
//! failure; the bodies carry no health data. Both engines.

use std::sync::{Arc, Mutex};

use attesta_app::mail::{Email, MailError, MailFuture, Mailer};
use attesta_testkit::on_both_engines;
use attesta_testkit::people::MARIO;
use serde_json::{Value, json};

use crate::journey::{awaiting_inps, certificate, d, day, event, post_certificate, visit};
use crate::support::{TestApp, csrf_of, error_of};

on_both_engines!(
    the_consent_is_off_by_default_and_set_through_the_api_and_the_page,
    an_api_verbale_alerts_once_with_consent_and_never_without,
    a_draft_confirmed_later_alerts_once_when_it_becomes_definitive,
    inps_confirmation_and_silent_assent_alert_once,
    the_basic_assessment_alerts_once,
    a_plain_import_alerts_no_one_and_notify_alerts_each_once,
    a_failed_delivery_is_retried_and_then_succeeds,
    concurrent_rounds_send_each_alert_once,
    the_guide_explains_a_new_verbale_and_its_button_shows_the_qr,
    the_guide_explains_each_finding_in_plain_words,
);

const EMAIL: &str = "mario@example.it";
const MOBILE: &str = "+393331234567";

/// MARIO with an e-mail and a mobile; with `consent`, turned on by the
/// citizen through the API.
async fn mario(t: &TestApp, consent: bool) {
    let r = t
        .admin_put_person(
            MARIO,
            json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01",
                   "email": EMAIL, "mobile": MOBILE}),
        )
        .await;
    assert!(r.status().is_success());
    if consent {
        let c = t.citizen(MARIO).await;
        let r = c
            .post_json("/api/v1/me/consents", &json!({"proactive": true}))
            .await;
        assert_eq!(r.status(), 204, "{}", r.text().await.unwrap());
    }
}

fn verbale(id: &str, definitive: bool) -> Value {
    json!({"verbale_id": id, "fiscal_code": MARIO, "kind": "first_instance",
        "session_date": "2024-05-10", "definitive": definitive, "source": "telematic",
        "invalidity_code": "03", "invalidity_percentage": 87,
        "judgement": "Sindrome ansioso-depressiva cronica", "handicap": "art3_c3"})
}

/// The demo outbox's (channel, recipient, body) of MARIO's contacts.
async fn sent(t: &TestApp) -> Vec<(String, String, String)> {
    let outbox: Value = t
        .http
        .get(t.url("/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut out: Vec<(String, String, String)> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["to"] == EMAIL || m["to"] == MOBILE)
        .map(|m| {
            (
                m["channel"].as_str().unwrap().to_owned(),
                m["to"].as_str().unwrap().to_owned(),
                m["body"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A delivery round, as `attesta serve` runs it.
async fn deliver(t: &TestApp) -> attesta_app::alerts::DeliveryReport {
    t.app.deliver_alerts().await.unwrap()
}

/// Exactly one e-mail and one SMS to MARIO, saying only where to look.
fn assert_one_each(t: &TestApp, sent: &[(String, String, String)]) {
    let channels: Vec<&str> = sent.iter().map(|(c, _, _)| c.as_str()).collect();
    assert_eq!(channels, ["email", "sms"], "{sent:?}");
    let me = format!("{}/me", t.base);
    for (_, _, body) in sent {
        assert!(body.contains(&me), "{body}");
        assert_no_health_data(t, body);
    }
}

/// Nothing of the verbale's values: percentage, code, judgement, the
/// handicap outcome, nor the codice fiscale (the server's own address,
/// whose port may hold any digits, set aside).
fn assert_no_health_data(t: &TestApp, body: &str) {
    let body = body.replace(&t.base, "");
    for word in [
        "87",
        "03",
        "Sindrome",
        "ansioso",
        "art3_c3",
        "art. 3",
        "gravit",
        "invalidit",
        MARIO,
        "%",
    ] {
        assert!(!body.contains(word), "{word:?} in {body}");
    }
}

async fn the_consent_is_off_by_default_and_set_through_the_api_and_the_page(t: TestApp) {
    mario(&t, false).await;
    let c = t.citizen(MARIO).await;
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["consents"], json!({"proactive": false}));
    // Refusals say what to send and change nothing.
    for bad in [
        json!({}),
        json!({"proactive": "yes"}),
        json!({"proactive": true, "email": true}),
    ] {
        let (s, e) = error_of(c.post_json("/api/v1/me/consents", &bad).await).await;
        assert_eq!(
            (s, e["code"].as_str()),
            (400, Some("invalid_request")),
            "{bad}"
        );
    }
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["consents"]["proactive"], false);
    // Without a session: 401.
    let r = t
        .http
        .post(t.url("/api/v1/me/consents"))
        .json(&json!({"proactive": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // The form on /me: a labelled checkbox, CSRF checked.
    let page = c.get("/me").await.text().await.unwrap();
    assert!(page.contains("<label for=\"proactive\">"), "{page}");
    assert!(!page.contains("name=\"proactive\" value=\"on\" checked"));
    let csrf = csrf_of(&page);
    let form = |csrf: &str, on: bool| {
        let mut f = vec![("csrf", csrf.to_owned())];
        if on {
            f.push(("proactive", "on".to_owned()));
        }
        c.http
            .post(t.url("/me/consents"))
            .header("origin", &t.base)
            .form(&f)
            .send()
    };
    assert_eq!(form("wrong", true).await.unwrap().status(), 403);
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["consents"]["proactive"], false);
    let r = form(&csrf, true).await.unwrap();
    assert_eq!(r.status(), 303);
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["consents"]["proactive"], true);
    let page = c.get("/me?done=consents").await.text().await.unwrap();
    assert!(page.contains("name=\"proactive\" value=\"on\" checked"));
    // Unticked, a minute later: off again.
    t.clock.advance(std::time::Duration::from_secs(60));
    assert_eq!(form(&csrf, false).await.unwrap().status(), 303);
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["consents"]["proactive"], false);
    // The same answer again changes nothing and logs nothing.
    assert_eq!(form(&csrf, false).await.unwrap().status(), 303);
    assert_eq!(
        c.post_json("/api/v1/me/consents", &json!({"proactive": false}))
            .await
            .status(),
        204
    );
    // The activity list has each change once, newest first, in words.
    let activity: Value = c.get("/api/v1/me/activity").await.json().await.unwrap();
    let consents: Vec<&str> = activity
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .filter(|a| a.starts_with("proactive_consent"))
        .collect();
    assert_eq!(
        consents,
        ["proactive_consent_withdrawn", "proactive_consent_given"],
        "{activity}"
    );
    let page = c.get("/me?lang=en").await.text().await.unwrap();
    assert!(
        page.contains("Consent given to be told when a verbale is issued"),
        "{page}"
    );
    // In English too.
    assert!(page.contains("E-mail and SMS alerts"), "{page}");
}

async fn an_api_verbale_alerts_once_with_consent_and_never_without(t: TestApp) {
    // Without consent: nothing queued, nothing sent.
    mario(&t, false).await;
    assert_eq!(
        t.admin_post_verbale(verbale("V-0", true)).await.status(),
        201
    );
    assert_eq!(deliver(&t).await.delivered, 0);
    assert!(t.app.store().alerts().await.unwrap().is_empty());
    assert!(sent(&t).await.is_empty());
    // With it: one e-mail and one SMS, once.
    let c = t.citizen(MARIO).await;
    let r = c
        .post_json("/api/v1/me/consents", &json!({"proactive": true}))
        .await;
    assert_eq!(r.status(), 204);
    assert_eq!(
        t.admin_post_verbale(verbale("V-1", true)).await.status(),
        201
    );
    let queued = t.app.store().alerts().await.unwrap();
    assert_eq!(queued.len(), 2, "{queued:?}");
    assert!(
        queued
            .iter()
            .all(|a| a.verbale_id == "V-1" && a.delivered_at.is_none())
    );
    assert_eq!(deliver(&t).await.delivered, 2);
    assert_one_each(&t, &sent(&t).await);
    // The same verbale again (200), and another round: nothing more.
    assert_eq!(
        t.admin_post_verbale(verbale("V-1", true)).await.status(),
        200
    );
    assert_eq!(deliver(&t).await.delivered, 0);
    assert_eq!(sent(&t).await.len(), 2);
    // A draft alerts no one.
    assert_eq!(
        t.admin_post_verbale(verbale("V-2", false)).await.status(),
        201
    );
    assert_eq!(deliver(&t).await.delivered, 0);
    assert_eq!(t.app.store().alerts().await.unwrap().len(), 2);
}

async fn a_draft_confirmed_later_alerts_once_when_it_becomes_definitive(t: TestApp) {
    mario(&t, true).await;
    assert_eq!(
        t.admin_post_verbale(verbale("V-D", false)).await.status(),
        201
    );
    assert!(t.app.store().alerts().await.unwrap().is_empty());
    assert_eq!(
        t.admin_post_verbale(verbale("V-D", true)).await.status(),
        200
    );
    assert_eq!(deliver(&t).await.delivered, 2);
    assert_eq!(
        t.admin_post_verbale(verbale("V-D", true)).await.status(),
        200
    );
    assert_eq!(deliver(&t).await.delivered, 0);
    assert_one_each(&t, &sent(&t).await);
}

async fn inps_confirmation_and_silent_assent_alert_once(t: TestApp) {
    mario(&t, true).await;
    // The commission's verbale (not definitive) alerts no one; INPS's
    // confirmation does, once.
    let id = awaiting_inps(&t, MARIO, -5).await;
    assert!(t.app.store().alerts().await.unwrap().is_empty());
    let (s, view) = event(&t, &id, json!({"event": "inps_confirmed", "on": d(&t, 0)})).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(deliver(&t).await.delivered, 2);
    assert_one_each(&t, &sent(&t).await);
    assert_eq!(deliver(&t).await.delivered, 0);

    // Silent assent: a second holder's application, the scheduled rules.
    let giulia = attesta_testkit::people::cf("BNCGLI85M52A662");
    let r = t
        .admin_put_person(
            &giulia,
            json!({"given_name": "Giulia", "family_name": "Bianchi", "birth_date": "1985-08-12",
                   "email": "giulia@example.it", "mobile": "+393339999999"}),
        )
        .await;
    assert!(r.status().is_success());
    let c = t.citizen(&giulia).await;
    let r = c
        .post_json("/api/v1/me/consents", &json!({"proactive": true}))
        .await;
    assert_eq!(r.status(), 204);
    awaiting_inps(&t, &giulia, -61).await;
    assert_eq!(t.app.run_jobs(day(&t, 0)).await.unwrap().silent_assent, 1);
    assert_eq!(t.app.run_jobs(day(&t, 0)).await.unwrap().silent_assent, 0);
    assert_eq!(deliver(&t).await.delivered, 2);
    let alerts = t.app.store().alerts().await.unwrap();
    assert_eq!(alerts.len(), 4, "{alerts:?}");
    assert!(alerts.iter().all(|a| a.delivered_at.is_some()));
}

async fn the_basic_assessment_alerts_once(t: TestApp) {
    mario(&t, true).await;
    let (s, answer) = post_certificate(&t, certificate(&t, "C-R", MARIO, -30, "reform")).await;
    assert_eq!(s, 201);
    let id = answer["application_id"].as_str().unwrap().to_owned();
    let (s, _) = event(
        &t,
        &id,
        json!({"event": "visit_scheduled", "on": d(&t, 0), "visit": visit(&t, 0)}),
    )
    .await;
    assert_eq!(s, 200);
    let mut v = verbale("V-B", true);
    v["kind"] = json!("basic_assessment");
    v["session_date"] = json!(d(&t, 0));
    v["application_id"] = json!(id);
    let r = t.admin_post_verbale(v.clone()).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(t.admin_post_verbale(v).await.status(), 200);
    assert_eq!(deliver(&t).await.delivered, 2);
    assert_one_each(&t, &sent(&t).await);
}

async fn a_plain_import_alerts_no_one_and_notify_alerts_each_once(t: TestApp) {
    mario(&t, true).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.jsonl");
    std::fs::write(&file, format!("{}\n", verbale("V-OLD", true))).unwrap();
    let report = attesta_app::import::import_file(&t.app, &file, 500, |_, _| {})
        .await
        .unwrap();
    assert!(report.rejected.is_empty(), "{report:?}");
    assert!(t.app.store().alerts().await.unwrap().is_empty());
    assert_eq!(deliver(&t).await.delivered, 0);
    // With --notify: the new definitive verbale and the confirmed draft
    // alert once each; the one already stored alerts nothing.
    assert_eq!(
        t.admin_post_verbale(verbale("V-DR", false)).await.status(),
        201
    );
    let file = dir.path().join("new.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n{}\n{}\n",
            verbale("V-OLD", true),
            verbale("V-NEW", true),
            verbale("V-DR", true)
        ),
    )
    .unwrap();
    for _ in 0..2 {
        let report =
            attesta_app::import::import_file_notifying(&t.app, &file, 500, true, |_, _| {})
                .await
                .unwrap();
        assert!(report.rejected.is_empty(), "{report:?}");
    }
    let mut alerted: Vec<(String, String)> = t
        .app
        .store()
        .alerts()
        .await
        .unwrap()
        .into_iter()
        .map(|a| (a.verbale_id, a.channel))
        .collect();
    alerted.sort();
    assert_eq!(
        alerted,
        [
            ("V-DR".into(), "email".into()),
            ("V-DR".into(), "sms".into()),
            ("V-NEW".into(), "email".into()),
            ("V-NEW".into(), "sms".into()),
        ]
    );
    assert_eq!(deliver(&t).await.delivered, 4);
    assert_eq!(sent(&t).await.len(), 4);
}

/// A mailer that refuses the first `failures` e-mails, then records them
/// (both parts).
#[derive(Debug, Default)]
struct Flaky {
    failures: Mutex<u32>,
    sent: Mutex<Vec<Email>>,
}

impl Mailer for Flaky {
    fn send<'a>(&'a self, email: &'a Email) -> MailFuture<'a> {
        Box::pin(async move {
            let mut left = self.failures.lock().unwrap();
            if *left > 0 {
                *left -= 1;
                return Err(MailError::Smtp("connection refused".into()));
            }
            self.sent.lock().unwrap().push(email.clone());
            Ok(())
        })
    }
}

async fn a_failed_delivery_is_retried_and_then_succeeds(engine: attesta_testkit::TestEngine) {
    let flaky = Arc::new(Flaky {
        failures: Mutex::new(1),
        ..Flaky::default()
    });
    let mailer = flaky.clone();
    let Some(t) = TestApp::builder(engine)
        .customise(move |app| app.with_mailer(mailer))
        .spawn()
        .await
    else {
        return;
    };
    mario(&t, true).await;
    assert_eq!(
        t.admin_post_verbale(verbale("V-F", true)).await.status(),
        201
    );
    let first = deliver(&t).await;
    assert_eq!((first.delivered, first.failed), (1, 1), "{first:?}");
    let email = t
        .app
        .store()
        .alerts()
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.channel == "email")
        .unwrap();
    assert_eq!((email.attempts, email.delivered_at), (1, None));
    // Not before its backoff (a minute) …
    assert_eq!(deliver(&t).await, Default::default());
    t.clock.advance(std::time::Duration::from_secs(61));
    // … then once.
    assert_eq!(deliver(&t).await.delivered, 1);
    assert_eq!(deliver(&t).await.delivered, 0);
    let sent = flaky.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    let e = &sent[0];
    assert_eq!(e.to, EMAIL);
    assert!(e.pdf.is_none());
    // Plain text and HTML, Italian and English, no health data.
    assert!(e.text.contains("Gentile Mario Rossi") && e.text.contains("Dear Mario Rossi"));
    assert!(e.html.contains("<html lang=\"it\">") && e.html.contains("<div lang=\"en\">"));
    assert!(
        e.html.contains(&format!("<a href=\"{}/me\">", t.base)),
        "{}",
        e.html
    );
    for part in [&e.text, &e.html, &e.subject] {
        assert_no_health_data(&t, part);
    }
}

/// Two rounds at once (two nodes): the lease gives each alert to one.
async fn concurrent_rounds_send_each_alert_once(t: TestApp) {
    mario(&t, true).await;
    for i in 0..5 {
        let r = t
            .admin_post_verbale(verbale(&format!("V-C{i}"), true))
            .await;
        assert_eq!(r.status(), 201);
    }
    let (a, b) = tokio::join!(t.app.deliver_alerts(), t.app.deliver_alerts());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.delivered + b.delivered, 10, "{a:?} {b:?}");
    assert_eq!(sent(&t).await.len(), 10);
    assert_eq!(deliver(&t).await.delivered, 0);
}

/// `/me/verbali/{id}` as the verbale guide (SPEC §11) for six months: what
/// the code means, the benefits, the revision, the appeal deadline, the
/// card, and a button that shows the QR (privacy notice first; the active
/// one kept).
async fn the_guide_explains_a_new_verbale_and_its_button_shows_the_qr(t: TestApp) {
    mario(&t, false).await;
    let mut v = verbale("V-G", true);
    v["revision"] = json!({"due": "2028-05"});
    let r = t.admin_post_verbale(v).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c = t.citizen(MARIO).await;
    let page = c.get("/me/verbali/V-G").await.text().await.unwrap();
    // Headings in order, one h1.
    let at = |needle: &str| {
        page.find(needle)
            .unwrap_or_else(|| panic!("{needle}: {page}"))
    };
    let order = [
        "<h1>",
        "Cosa significa",
        "Le agevolazioni per la tua situazione",
        "I tuoi obblighi",
        "Se non sei d&#39;accordo",
        "La Carta europea della disabilità",
        "Il tuo codice QR, subito",
    ];
    let positions: Vec<usize> = order.iter().map(|h| at(h)).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{order:?} {positions:?}"
    );
    assert_eq!(page.matches("<h1").count(), 1);
    assert!(page.contains("Codice 03") && page.contains("assegno mensile"));
    assert!(page.contains("a partire da 2028-05."), "{page}");
    assert!(page.contains("href=\"/me/benefits\"") && page.contains("href=\"/me/card\""));
    assert!(page.contains("action=\"/me/verbali/V-G/qr\""));
    let en = c.get("/me/verbali/V-G?lang=en").await.text().await.unwrap();
    assert!(
        en.contains("What it means") && en.contains("Code 03"),
        "{en}"
    );
    // The button: CSRF checked; the privacy notice first.
    let csrf = csrf_of(&page);
    let press = |csrf: String| {
        c.http
            .post(t.url("/me/verbali/V-G/qr"))
            .header("origin", &t.base)
            .form(&[("csrf", csrf)])
            .send()
    };
    assert_eq!(press("wrong".into()).await.unwrap().status(), 403);
    let r = press(csrf.clone()).await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (303, "/me/new")
    );
    assert_eq!(c.get("/api/v1/me/attestation").await.status(), 404);
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    // Then a new QR, shown at once …
    let r = press(csrf.clone()).await.unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["location"].to_str().unwrap()
        ),
        (303, "/me/qr")
    );
    let first: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    // … and the same one again: a printed QR is never revoked.
    let r = press(csrf).await.unwrap();
    assert_eq!(r.headers()["location"].to_str().unwrap(), "/me/qr");
    let again: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    assert_eq!(first["url"], again["url"]);
    assert!(c.get("/me/qr").await.text().await.unwrap().contains("<svg"));
    // After six months: the facts alone.
    t.clock
        .advance(std::time::Duration::from_secs(200 * 86_400));
    let later = c.get("/me/verbali/V-G").await.text().await.unwrap();
    assert!(!later.contains("Cosa significa"), "{later}");
    assert!(!later.contains("/me/verbali/V-G/qr"));
}

/// The guide explains each finding beyond the code in plain words (issue
/// #14): severe handicap, blindness, deafness and Law 68 in Italian and
/// English, next to their label; a verbale that did not assess those
/// groups shows none of those sentences.
async fn the_guide_explains_each_finding_in_plain_words(t: TestApp) {
    mario(&t, false).await;
    let mut v = verbale("V-W", true);
    v["invalidity_code"] = json!("02");
    v["invalidity_percentage"] = json!(60);
    v["blindness"] = json!("partial");
    v["deafness"] = json!(true);
    v["law68_disability"] = json!(true);
    let r = t.admin_post_verbale(v).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let c = t.citizen(MARIO).await;
    let it = c.get("/me/verbali/V-W").await.text().await.unwrap();
    let guide = |page: &str| {
        let from = page
            .find("<dl class=\"guide-findings\">")
            .unwrap_or_else(|| panic!("{page}"));
        page[from..from + page[from..].find("</dl>").unwrap()].to_owned()
    };
    let g = guide(&it);
    for (label, sentence) in [
        (
            "Handicap (Legge 104/1992)",
            "necessità di sostegno elevato o molto elevato (handicap grave, art. 3 c. 3 L. 104/1992)",
        ),
        (
            "Handicap (Legge 104/1992)",
            "permessi di lavoro retribuiti (3 giorni al mese, art. 33)",
        ),
        ("Cecità civile", "Sei riconosciuto cieco parziale"),
        ("Sordità", "Sei riconosciuto sordo civile"),
        ("Sordità", "indennità di comunicazione"),
        (
            "Disabilità Legge 68/1999",
            "hai la condizione di disabilità utile per il collocamento mirato al lavoro",
        ),
    ] {
        let at = g
            .find(sentence)
            .unwrap_or_else(|| panic!("{sentence}: {g}"));
        let dt = g[..at].rfind("<dt>").unwrap();
        assert!(
            g[dt..at].contains(&label.replace('\'', "&#39;")),
            "{label} / {sentence}: {g}"
        );
    }
    // The code's sentence is still there, and art. 21 (not sent) is read as
    // not recognised.
    assert!(it.contains("Codice 02"));
    assert!(
        g.contains("non dà la precedenza nella scelta della sede"),
        "{g}"
    );
    let en = guide(&c.get("/me/verbali/V-W?lang=en").await.text().await.unwrap());
    for sentence in [
        "a need for high or very high support is recognised (severe handicap, art. 3 c. 3 Law 104/1992)",
        "You are recognised as partially blind",
        "You are recognised as civil deaf",
        "the disability status for targeted work placement",
    ] {
        assert!(en.contains(sentence), "{sentence}: {en}");
    }
    assert!(!en.contains("Sei riconosciuto"), "{en}");

    // A verbale with the code alone: none of those sentences.
    let v = json!({"verbale_id": "V-N", "fiscal_code": MARIO, "kind": "aggravation",
        "session_date": "2024-06-10", "definitive": true, "source": "telematic",
        "invalidity_code": "03", "invalidity_percentage": 80});
    let r = t.admin_post_verbale(v).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    for (path, words) in [
        (
            "/me/verbali/V-N",
            [
                "sostegno elevato",
                "cieco parziale",
                "sordo civile",
                "collocamento mirato al lavoro",
            ],
        ),
        (
            "/me/verbali/V-N?lang=en",
            [
                "high support",
                "partially blind",
                "civil deaf",
                "targeted work placement",
            ],
        ),
    ] {
        let page = c.get(path).await.text().await.unwrap();
        assert!(
            page.contains("Cosa significa") || page.contains("What it means"),
            "{page}"
        );
        assert!(!page.contains("guide-findings"), "{page}");
        for w in words {
            assert!(!page.contains(w), "{w} on {path}");
        }
    }
}
