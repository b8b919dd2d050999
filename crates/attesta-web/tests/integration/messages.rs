//! Issue #14, messages (SPEC §11, "Le comunicazioni"): the back office
//! writes plain text to a person, the citizen (or a delegate acting for
//! them) reads it and marks it read.

use attesta_testkit::on_both_engines;
use attesta_testkit::people::{GIULIA, LUCA, MARIO, cf};
use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, TestApp, csrf_of, error_of};

on_both_engines!(
    messages_are_sent_listed_and_read,
    a_delegate_reads_the_holders_messages,
    message_refusals,
    reading_refusals,
    script_in_a_message_comes_back_literal,
    the_page_lists_marks_and_counts,
);

/// `POST /api/v1/admin/people/{cf}/messages` with the admin key.
async fn send(t: &TestApp, cf: &str, body: &Value) -> reqwest::Response {
    t.http
        .post(t.url(&format!("/api/v1/admin/people/{cf}/messages")))
        .bearer_auth(ADMIN_KEY)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Sends a message that must be accepted; returns its id.
async fn sent(t: &TestApp, cf: &str, subject: &str, body: &str) -> String {
    let r = send(t, cf, &json!({"subject": subject, "body": body})).await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["message_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn person(t: &TestApp, code: &str, given: &str) {
    let r = t
        .admin_put_person(
            code,
            json!({"given_name": given, "family_name": "Bianchi", "birth_date": "1985-08-12"}),
        )
        .await;
    assert!(r.status().is_success());
}

async fn list(c: &crate::support::Citizen) -> Value {
    let r = c.get("/api/v1/me/messages").await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn messages_are_sent_listed_and_read(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    let mario = t.citizen(MARIO).await;
    assert_eq!(list(&mario).await, json!([]));
    let first = sent(
        &t,
        MARIO,
        "  Convocazione  ",
        "Riga uno\r\nRiga due\n\tfine\n",
    )
    .await;
    t.clock.advance(std::time::Duration::from_secs(60));
    let second = sent(&t, MARIO, "Esito", "Pronto.").await;
    assert_ne!(first, second);

    let all = list(&mario).await;
    let items = all.as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["message_id"], second.as_str(), "newest first");
    assert_eq!(items[1]["message_id"], first.as_str());
    assert_eq!(items[1]["subject"], "Convocazione", "trimmed");
    assert_eq!(
        items[1]["body"], "Riga uno\nRiga due\n\tfine",
        "CRLF as a newline, tab kept, trimmed"
    );
    assert!(items.iter().all(|m| m["read"] == false));
    assert!(
        time::OffsetDateTime::parse(
            items[0]["at"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339
        )
        .is_ok()
    );

    let read = format!("/api/v1/me/messages/{first}/read");
    assert_eq!(mario.post(&read).await.status(), 204);
    assert_eq!(mario.post(&read).await.status(), 204, "again: no change");
    let all = list(&mario).await;
    assert_eq!(all[0]["read"], false);
    assert_eq!(all[1]["read"], true);
}

async fn a_delegate_reads_the_holders_messages(t: TestApp) {
    let giulia = cf(&GIULIA[..15]);
    person(&t, MARIO, "Mario").await;
    person(&t, &giulia, "Giulia").await;
    let mario = t.citizen(MARIO).await;
    let r = mario
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": giulia}))
        .await;
    assert_eq!(r.status(), 201);
    let id = sent(&t, MARIO, "Per Mario", "Testo").await;
    sent(&t, &giulia, "Per Giulia", "Testo").await;

    let delegate = t.citizen(&giulia).await;
    assert_eq!(list(&delegate).await[0]["subject"], "Per Giulia");
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let theirs = list(&delegate).await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);
    assert_eq!(theirs[0]["subject"], "Per Mario");
    assert_eq!(
        delegate
            .post(&format!("/api/v1/me/messages/{id}/read"))
            .await
            .status(),
        204
    );
    assert_eq!(list(&mario).await[0]["read"], true);
}

async fn message_refusals(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    let ok = json!({"subject": "Oggetto", "body": "Testo"});
    let url = t.url(&format!("/api/v1/admin/people/{MARIO}/messages"));

    // No key, a wrong key.
    let r = t.http.post(&url).json(&ok).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = t
        .http
        .post(&url)
        .bearer_auth("not-the-key")
        .json(&ok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Nobody by that code; not a code.
    let nobody = cf(&LUCA[..15]);
    let (status, e) = error_of(send(&t, &nobody, &ok).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_person")
    );
    let (status, e) = error_of(send(&t, "RSSMRA80A01H501X", &ok).await).await;
    assert_eq!(
        (
            status,
            e["code"].as_str().unwrap(),
            e["fields"][0]["field"].as_str().unwrap()
        ),
        (422, "invalid_fiscal_code", "fiscal_code")
    );

    // Unknown fields and bodies that are not an object: 400.
    for body in [
        json!({"subject": "Oggetto", "body": "Testo", "html": "<b>x</b>"}),
        json!(["Oggetto", "Testo"]),
        json!("Oggetto"),
    ] {
        let (status, e) = error_of(send(&t, MARIO, &body).await).await;
        assert_eq!(
            (status, e["code"].as_str().unwrap()),
            (400, "invalid_request"),
            "{body}"
        );
    }

    // Bad values: 422 naming the field.
    let long = |n: usize| "a".repeat(n);
    let cases: Vec<(Value, &[&str])> = vec![
        (json!({"body": "Testo"}), &["subject"]),
        (json!({"subject": "Oggetto"}), &["body"]),
        (json!({}), &["subject", "body"]),
        (json!({"subject": 7, "body": "Testo"}), &["subject"]),
        (json!({"subject": "Oggetto", "body": null}), &["body"]),
        (json!({"subject": "Oggetto", "body": ["Testo"]}), &["body"]),
        (json!({"subject": "", "body": "Testo"}), &["subject"]),
        (json!({"subject": "Oggetto", "body": " \n\t "}), &["body"]),
        (json!({"subject": long(201), "body": "Testo"}), &["subject"]),
        (
            json!({"subject": "Oggetto", "body": long(10_001)}),
            &["body"],
        ),
        (
            json!({"subject": "Riga\nuno", "body": "Testo"}),
            &["subject"],
        ),
        (
            json!({"subject": "Tab\there", "body": "Testo"}),
            &["subject"],
        ),
        (
            json!({"subject": "Oggetto", "body": "bell\u{7}"}),
            &["body"],
        ),
        (json!({"subject": "Oggetto", "body": "a\rb"}), &["body"]),
        (
            json!({"subject": "Ma\u{202E}oir", "body": "Testo"}),
            &["subject"],
        ),
        (
            json!({"subject": "Oggetto", "body": "zero\u{200B}width"}),
            &["body"],
        ),
    ];
    for (body, fields) in cases {
        let (status, e) = error_of(send(&t, MARIO, &body).await).await;
        assert_eq!(
            (status, e["code"].as_str().unwrap()),
            (422, "invalid_message"),
            "{body}"
        );
        let named: Vec<&str> = e["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert_eq!(named, fields, "{body}");
    }

    // The longest accepted, counted in characters.
    sent(&t, MARIO, &"è".repeat(200), &"è".repeat(10_000)).await;
    let mario = t.citizen(MARIO).await;
    let all = list(&mario).await;
    assert_eq!(
        all.as_array().unwrap().len(),
        1,
        "no refused message stored"
    );
    assert_eq!(all[0]["subject"].as_str().unwrap().chars().count(), 200);
}

async fn reading_refusals(t: TestApp) {
    let giulia = cf(&GIULIA[..15]);
    person(&t, MARIO, "Mario").await;
    person(&t, &giulia, "Giulia").await;
    let id = sent(&t, MARIO, "Oggetto", "Testo").await;
    let read = format!("/api/v1/me/messages/{id}/read");

    // No session.
    let r = t
        .http
        .get(t.url("/api/v1/me/messages"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = t
        .http
        .post(t.url(&read))
        .header("origin", t.url(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // Another person's message, an unknown id: 404, and nothing changes.
    let other = t.citizen(&giulia).await;
    let (status, e) = error_of(other.post(&read).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_message")
    );
    let mario = t.citizen(MARIO).await;
    let (status, e) = error_of(
        mario
            .post("/api/v1/me/messages/00000000000000000000000000000000/read")
            .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_message")
    );

    // From another site: refused.
    let r = mario
        .http
        .post(t.url(&read))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    let (status, e) = error_of(r).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (403, "cross_origin"));
    assert_eq!(list(&mario).await[0]["read"], false);
    assert!(list(&other).await.as_array().unwrap().is_empty());
}

const SUBJECT_XSS: &str = "<script>alert(1)</script>";
const BODY_XSS: &str = "<img src=x onerror=alert(1)>\n\"quoted\" & 'single'";

async fn script_in_a_message_comes_back_literal(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    sent(&t, MARIO, SUBJECT_XSS, BODY_XSS).await;
    let mario = t.citizen(MARIO).await;
    let all = list(&mario).await;
    assert_eq!(all[0]["subject"], SUBJECT_XSS);
    assert_eq!(all[0]["body"], BODY_XSS);

    // The page shows both escaped, never as markup.
    let page = mario.get("/me/messages").await.text().await.unwrap();
    assert!(page.contains(&escaped(SUBJECT_XSS)), "{page}");
    assert!(page.contains(&escaped(BODY_XSS)), "{page}");
    assert!(!page.contains("<script>alert"));
    assert!(!page.contains("<img src=x"));
}

/// `s` as askama's HTML escaper writes it.
fn escaped(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '&' => out.push_str("&#38;"),
            '<' => out.push_str("&#60;"),
            '>' => out.push_str("&#62;"),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

async fn the_page_lists_marks_and_counts(t: TestApp) {
    person(&t, MARIO, "Mario").await;
    let mario = t.citizen(MARIO).await;
    let page = mario.get("/me/messages").await.text().await.unwrap();
    assert!(page.contains("Non hai comunicazioni."));
    let me = mario.get("/me").await.text().await.unwrap();
    assert!(
        me.contains(r#"<a href="/me/messages">Comunicazioni</a>"#),
        "{me}"
    );
    let me: Value = mario.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["unread_messages"], 0);

    let old = sent(&t, MARIO, "Vecchia", "Prima riga\nSeconda riga").await;
    t.clock.advance(std::time::Duration::from_secs(60));
    let new = sent(&t, MARIO, "Nuova", "Testo").await;
    let me = mario.get("/me").await.text().await.unwrap();
    assert!(
        me.contains(r#"<a href="/me/messages">Comunicazioni (2 da leggere)</a>"#),
        "{me}"
    );
    let me = mario.get("/me?lang=en").await.text().await.unwrap();
    assert!(
        me.contains(r#"<a href="/me/messages">Messages (2 unread)</a>"#),
        "{me}"
    );
    let me: Value = mario.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["unread_messages"], 2);

    let page = mario
        .get("/me/messages?lang=it")
        .await
        .text()
        .await
        .unwrap();
    let at_new = page.find("Nuova").unwrap();
    let at_old = page.find("Vecchia").unwrap();
    assert!(at_new < at_old, "newest first");
    assert_eq!(
        page.matches("<strong>Da leggere</strong>").count(),
        2,
        "unread in words"
    );
    assert!(page.contains("<div class=\"message-body\">Prima riga\nSeconda riga</div>"));
    let action = format!("action=\"/me/messages/{old}/read\"");
    assert!(page.contains(&action));
    assert!(page.contains(&format!("action=\"/me/messages/{new}/read\"")));

    // A wrong CSRF token changes nothing.
    let post = |csrf: String, id: String| {
        let http = mario.http.clone();
        let url = t.url(&format!("/me/messages/{id}/read"));
        let origin = t.url("");
        async move {
            http.post(url)
                .header("origin", origin)
                .form(&[("csrf", csrf)])
                .send()
                .await
                .unwrap()
        }
    };
    let r = post("wrong".into(), old.clone()).await;
    assert_eq!(r.status(), 403);
    // The right one marks it read and goes back to the list.
    let r = post(csrf_of(&page), old.clone()).await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/messages?done=read");
    let page = mario
        .get("/me/messages?done=read")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("La comunicazione è segnata come letta."));
    assert_eq!(page.matches("<strong>Da leggere</strong>").count(), 1);
    assert!(!page.contains(&action), "no form for a read message");
    assert!(page.contains("<dd>Letta</dd>"));
    // Another person's message: 404.
    let r = post(csrf_of(&page), "00000000000000000000000000000000".into()).await;
    assert_eq!(r.status(), 404);
    let me = mario.get("/me").await.text().await.unwrap();
    assert!(me.contains("Comunicazioni (1 da leggere)"));
}
