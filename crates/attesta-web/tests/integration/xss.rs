//! Script injection through free text (issue 16): every value that one
//! person types and another reads — an operator's name and organisation
//! (from the identity provider), the back office's judgement, visit place,
//! e-mail address and card rejection reason, the citizen's court name and
//! reschedule reason, a name's apostrophe, and what a crafted link or form
//! makes a page show again — is put through the public API with each
//! payload of [`PAYLOADS`], then read back on every page, JSON answer,
//! e-mail and PDF that shows it.
//!
//! What "inert" means here ([`Tally::html`]): in a page the payload is
//! there, escaped (so a check cannot pass because the value is missing),
//! never raw; and the page as a whole still has only the markup the
//! templates write: every attribute value double-quoted, no event-handler
//! attribute, no `<img>`, no `<script>` without a `/static/` source, every
//! link, source and form action a same-origin path. JSON carries the same
//! string (as `application/json` with `nosniff`); an e-mail's HTML part is
//! escaped and its plain part literal; a PDF prints it literally. A field
//! that refuses a payload at the edge answers 4xx naming the field and
//! changes nothing.

use std::sync::{Arc, Mutex};

use attesta_app::mail::{Email, MailFuture, Mailer, OutboxMailer};
use attesta_domain::format_date;
use attesta_testkit::people::{MARIO, cf};
use attesta_testkit::{TestEngine, on_both_engines};
use serde_json::{Value, json};

use crate::card_life::{admin_post, apply, jpeg};
use crate::support::{ADMIN_KEY, Browser, Citizen, TestApp, csrf_of, error_of, open_check};

on_both_engines!(
    an_operators_name_and_organisation_and_a_judgement_are_inert_at_level_2_and_in_the_citizens_log,
    a_court_name_and_a_rejection_reason_are_inert_in_pages_json_and_email,
    a_visit_place_and_a_reschedule_reason_are_inert_in_the_journey,
    a_quote_in_a_name_is_inert_everywhere_the_name_prints_and_markup_is_refused,
    what_a_crafted_link_or_form_makes_a_page_show_again_is_inert,
);

/// The payloads: a script element, an attribute break-out into an element
/// with a handler, a `javascript:` URL, a break-out of a `<textarea>`, a
/// template expression (Jinja/askama syntax: must not be evaluated), and a
/// `'` break-out of a single-quoted attribute (letters, spaces and
/// apostrophes only, so that a name may hold it, SPEC §2).
const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "</textarea><svg onload=alert(1)>",
    "{{7*7}}",
    QUOTE,
];

/// The payload a name accepts (the others are refused).
const QUOTE: &str = "' autofocus onfocus 'alert";

/// `payload` as the value of one field, told apart from the other fields
/// a page shows by a tag after it (after, so that a `javascript:` payload
/// still starts the value): a page passes only when this field is there.
fn as_field(payload: &str, tag: &str) -> String {
    format!("{payload} #{tag}")
}

/// `s` as askama's HTML escaper writes it (numeric references; see
/// `attesta_app::notify`'s tests).
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

/// One tag of a page, with its attributes: (name, value, quote character).
struct Tag {
    name: String,
    attrs: Vec<(String, Option<String>, Option<char>)>,
}

/// The start tags of `html`, read as a browser's tokenizer reads them
/// (comments, the doctype and end tags skipped; `<script>` and `<style>`
/// content is raw text). Text never holds a bare `<` (askama escapes it), so
/// every `<` starts markup, and an injected element shows up as a tag.
fn tags(html: &str) -> Vec<Tag> {
    let b = html.as_bytes();
    let n = b.len();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        let rest = &html[start..];
        let context: String = rest.chars().take(60).collect();
        if rest.starts_with("<!--") {
            i = start + rest.find("-->").expect("a closed comment") + 3;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") {
            i = start + rest.find('>').expect("a closed tag") + 1;
            continue;
        }
        let mut j = start + 1;
        while j < n && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        let name = html[start + 1..j].to_ascii_lowercase();
        assert!(!name.is_empty(), "a bare '<' in text: {context:?}");
        let mut attrs = Vec::new();
        loop {
            while j < n && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            assert!(j < n, "an unclosed tag: {context:?}");
            if b[j] == b'>' {
                j += 1;
                break;
            }
            let a0 = j;
            while j < n && !b[j].is_ascii_whitespace() && !matches!(b[j], b'=' | b'>' | b'/') {
                j += 1;
            }
            let attr = html[a0..j].to_ascii_lowercase();
            let mut k = j;
            while k < n && b[k].is_ascii_whitespace() {
                k += 1;
            }
            if k < n && b[k] == b'=' {
                k += 1;
                while k < n && b[k].is_ascii_whitespace() {
                    k += 1;
                }
                let (value, quote, end) = if matches!(b[k], b'"' | b'\'') {
                    let q = char::from(b[k]);
                    let close = k + 1 + html[k + 1..].find(q).expect("a closed attribute value");
                    (&html[k + 1..close], Some(q), close + 1)
                } else {
                    let mut e = k;
                    while e < n && !b[e].is_ascii_whitespace() && b[e] != b'>' {
                        e += 1;
                    }
                    (&html[k..e], None, e)
                };
                attrs.push((attr, Some(value.to_owned()), quote));
                j = end;
            } else {
                attrs.push((attr, None, None));
            }
        }
        i = j;
        if name == "script" || name == "style" {
            i += html[i..]
                .find(&format!("</{name}"))
                .expect("a closed raw-text element");
        }
        out.push(Tag { name, attrs });
    }
    out
}

/// The attributes that hold a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "poster",
];

/// Asserts that `html` has only template markup (see the module docs).
fn only_template_markup(html: &str, surface: &str) {
    for tag in tags(html) {
        let t = &tag.name;
        assert!(
            !matches!(t.as_str(), "img" | "iframe" | "object" | "embed" | "base"),
            "{surface}: an injected <{t}>"
        );
        for (attr, value, quote) in &tag.attrs {
            assert!(
                !attr.starts_with("on"),
                "{surface}: an event handler {attr} on <{t}>"
            );
            let Some(value) = value else { continue };
            assert_eq!(
                *quote,
                Some('"'),
                "{surface}: <{t} {attr}={value}> is not double-quoted"
            );
            if URL_ATTRIBUTES.contains(&attr.as_str()) {
                let same_origin_path = value.starts_with('/') && !value.starts_with("//");
                assert!(
                    same_origin_path || value.starts_with('#'),
                    "{surface}: <{t} {attr}=\"{value}\"> is not a same-origin path"
                );
            }
        }
        if t == "script" {
            let src = tag.attrs.iter().find(|(a, _, _)| a == "src");
            assert!(
                src.is_some_and(|(_, v, _)| v
                    .as_deref()
                    .is_some_and(|v| v.starts_with("/static/"))),
                "{surface}: a <script> that is not one of attesta's files"
            );
        }
    }
}

/// The check of a page's markup fails on each payload written unescaped
/// where it is dangerous, and passes on it escaped there.
#[test]
fn the_markup_check_catches_each_payload_unescaped() {
    /// Writes a value somewhere in a page.
    type Place = fn(&str) -> String;
    let places: [(&str, Place); 5] = [
        (PAYLOADS[0], |p| format!("<p>{p}</p>")),
        (PAYLOADS[1], |p| format!("<input value=\"{p}\">")),
        (PAYLOADS[2], |p| format!("<a href=\"{p}\">x</a>")),
        (PAYLOADS[3], |p| format!("<textarea>{p}</textarea>")),
        (QUOTE, |p| format!("<input value='{p}'>")),
    ];
    for (payload, place) in places {
        let raw = place(payload);
        let caught = std::panic::catch_unwind(|| only_template_markup(&raw, "raw")).is_err();
        assert!(caught, "{raw} passed the markup check");
        // Escaped, it passes; except as a link or in single quotes, which
        // escaping does not make safe and the templates never write.
        if payload != PAYLOADS[2] && payload != QUOTE {
            only_template_markup(&place(&escaped(payload)), "escaped");
        }
    }
    // A template expression is no markup: its check is that the page shows
    // it as written (not 49).
    assert_eq!(escaped(PAYLOADS[4]), PAYLOADS[4]);
}

/// Counts every (payload, field, surface) checked; the figure in
/// docs/SECURITY.md row 28 is their sum.
#[derive(Default)]
struct Tally(usize);

impl Tally {
    /// A page showing `payload`: escaped, never raw, no markup but the
    /// templates'.
    fn html(&mut self, surface: &str, html: &str, payload: &str) {
        let esc = escaped(payload);
        if esc != payload {
            assert!(!html.contains(payload), "{surface}: {payload:?} is raw");
        }
        assert!(
            html.contains(&esc),
            "{surface}: {payload:?} is not shown (escaped: {esc:?})"
        );
        only_template_markup(html, surface);
        self.0 += 1;
    }

    /// A JSON answer: `pointer` holds exactly `payload`.
    fn json(&mut self, surface: &str, body: &Value, pointer: &str, payload: &str) {
        assert_eq!(
            body.pointer(pointer),
            Some(&json!(payload)),
            "{surface}: {pointer} in {body}"
        );
        self.0 += 1;
    }

    /// Text that must not quote `payload` at all, raw or escaped (an
    /// e-mail that sends the reader to their area instead).
    fn absent(&mut self, surface: &str, text: &str, payload: &str) {
        assert!(
            !text.contains(payload) && !text.contains(&escaped(payload)),
            "{surface}: {payload:?} is quoted in {text}"
        );
        self.0 += 1;
    }

    /// Plain text (an e-mail's text part, an SMS, a PDF's text): literal.
    fn text(&mut self, surface: &str, text: &str, payload: &str) {
        assert!(
            text.contains(payload),
            "{surface}: {payload:?} not in {text}"
        );
        self.0 += 1;
    }

    /// An e-mail: the HTML part escaped (and a whole document of template
    /// markup), the plain part literal.
    fn email(&mut self, surface: &str, email: &Email, payload: &str) {
        self.html(&format!("{surface} (HTML part)"), &email.html, payload);
        self.text(&format!("{surface} (text part)"), &email.text, payload);
    }

    /// Asserts the count, and prints it for the figure.
    fn done(&self, test: &str, expected: usize) {
        eprintln!("{test}: {} payload × field × surface checks", self.0);
        assert_eq!(self.0, expected, "{test}: checks made");
    }
}

/// A page: 2xx or the status a form answers again with, `text/html`,
/// `nosniff`; its text.
async fn page(r: reqwest::Response, status: u16, surface: &str) -> String {
    assert_eq!(r.status(), status, "{surface}");
    let h = r.headers();
    assert_eq!(h["content-type"], "text/html; charset=utf-8", "{surface}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{surface}");
    r.text().await.unwrap()
}

/// A JSON answer: `application/json`, `nosniff`; its body.
async fn json_of(r: reqwest::Response, status: u16, surface: &str) -> Value {
    assert_eq!(r.status(), status, "{surface}");
    let h = r.headers();
    assert_eq!(h["content-type"], "application/json", "{surface}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{surface}");
    r.json().await.unwrap()
}

/// `GET target` written byte for byte on a socket (no client re-encodes
/// it): the status and the body.
async fn raw_get(t: &TestApp, target: &str) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = t.base.trim_start_matches("http://");
    let mut socket = tokio::net::TcpStream::connect(host).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    socket.read_to_end(&mut answer).await.unwrap();
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a head and a body");
    let head = String::from_utf8(answer[..split].to_vec())
        .unwrap()
        .to_ascii_lowercase();
    let status = head[9..12].parse().unwrap();
    assert!(
        head.contains("content-type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(head.contains("x-content-type-options: nosniff"), "{head}");
    let mut body = &answer[split + 4..];
    if !head.contains("transfer-encoding: chunked") {
        return (status, String::from_utf8(body.to_vec()).unwrap());
    }
    let mut out = Vec::new();
    loop {
        let line = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("a chunk size");
        let size =
            usize::from_str_radix(std::str::from_utf8(&body[..line]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return (status, String::from_utf8(out).unwrap());
        }
        out.extend_from_slice(&body[line + 2..line + 2 + size]);
        body = &body[line + 2 + size + 2..];
    }
}

/// The demo outbox, newest first.
async fn outbox(t: &TestApp) -> Vec<Value> {
    let r = t
        .http
        .get(t.url("/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap();
    let body = json_of(r, 200, "outbox").await;
    body.as_array().unwrap().clone()
}

/// The newest message of `channel` in the outbox.
async fn newest(t: &TestApp, channel: &str) -> Value {
    outbox(t)
        .await
        .into_iter()
        .find(|m| m["channel"] == channel)
        .unwrap_or_else(|| panic!("an {channel} in the outbox"))
}

// ---- e-mail: both parts ------------------------------------------------

/// Every e-mail sent, both parts; then on to the demo outbox as usual.
#[derive(Debug)]
struct Recording {
    outbox: OutboxMailer,
    sent: Arc<Mutex<Vec<Email>>>,
}

impl Mailer for Recording {
    fn send<'a>(&'a self, email: &'a Email) -> MailFuture<'a> {
        self.sent.lock().unwrap().push(email.clone());
        self.outbox.send(email)
    }
}

/// A test app whose e-mails are kept, both parts, in the returned list.
async fn recording_mail(engine: TestEngine) -> Option<(TestApp, Arc<Mutex<Vec<Email>>>)> {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let kept = sent.clone();
    let t = TestApp::builder(engine)
        .customise(move |app| {
            let outbox = OutboxMailer {
                store: app.store().clone(),
                smtp: None,
            };
            app.with_mailer(Arc::new(Recording { outbox, sent: kept }))
        })
        .spawn()
        .await?;
    Some((t, sent))
}

fn last_email(sent: &Mutex<Vec<Email>>) -> Email {
    sent.lock().unwrap().last().expect("an e-mail sent").clone()
}

// ---- the tests ---------------------------------------------------------

/// The i-th test person's codice fiscale (born on the i+2-th of January).
fn person(i: usize) -> String {
    cf(&format!("RSSMRA80A{:02}H501", i + 2))
}

fn qualifying_with(judgement: &str) -> Value {
    json!({"invalidity_code": "03", "invalidity_percentage": 80, "judgement": judgement})
}

/// An operator whose identity provider gave `name` and `organisation`.
async fn operator_named(t: &TestApp, name: &str, organisation: &str) -> (Browser, Value) {
    let http = crate::support::client();
    let r = http
        .post(t.url("/api/v1/demo/login"))
        .json(
            &json!({"fiscal_code": "BRNLSS82A41A662A", "role": "operator",
            "name": name, "organisation": organisation}),
        )
        .send()
        .await
        .unwrap();
    let body = json_of(r, 200, "demo login").await;
    (
        Browser {
            http,
            base: t.base.clone(),
        },
        body,
    )
}

/// Level 2 through the pages, as an operator without JavaScript does it:
/// the result page, the code page, the detail page; answers each page.
async fn level2_pages(t: &TestApp, op: &Browser, token: &str, fiscal_code: &str) -> [String; 3] {
    let check = open_check(t, &op.http, token).await;
    let r = op
        .http
        .post(t.url(&check))
        .form(&[("fiscal_code", fiscal_code)])
        .send()
        .await
        .unwrap();
    let result = page(r, 200, "level-1 result").await;
    let csrf = csrf_of(&result);
    let r = op
        .http
        .post(t.url(&format!("{check}/level2")))
        .form(&[("csrf", csrf.as_str()), ("fiscal_code", fiscal_code)])
        .send()
        .await
        .unwrap();
    let code_page = page(r, 200, "level-2 code page").await;
    let id = code_page
        .split("name=\"otp_request_id\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the code form")
        .to_owned();
    let (_, code) = t.last_sms().await;
    let handle = check.trim_start_matches("/v/check/");
    let r = op
        .http
        .post(t.url("/v/level2"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("handle", handle),
            ("fiscal_code", fiscal_code),
            ("otp_request_id", &id),
            ("otp", &code),
        ])
        .send()
        .await
        .unwrap();
    let detail = page(r, 200, "level-2 detail page").await;
    [result, code_page, detail]
}

/// The operator's name and organisation come from the identity provider
/// (here the demo login, up to 100 characters of anything); the judgement
/// from the back office (API or import). The operator reads the judgement
/// and their own name; the citizen reads who looked, in their log and the
/// SMS.
async fn an_operators_name_and_organisation_and_a_judgement_are_inert_at_level_2_and_in_the_citizens_log(
    t: TestApp,
) {
    let mut tally = Tally::default();
    for (i, p) in PAYLOADS.iter().enumerate() {
        let (name, organisation, judgement) = (
            as_field(p, "name"),
            as_field(p, "organisation"),
            as_field(p, "judgement"),
        );
        // One holder per payload: two codes each, within the send quota.
        let holder = person(i);
        t.person_with(&holder, "1980-01-01", qualifying_with(&judgement))
            .await;
        let c = t.citizen(&holder).await;
        assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
        let created = json_of(c.post("/api/v1/me/attestation").await, 201, "attestation").await;
        let token = crate::support::token_of(created["url"].as_str().unwrap());

        let (op, login) = operator_named(&t, &name, &organisation).await;
        tally.json("demo login: name", &login, "/name", &name);
        tally.json(
            "demo login: organisation",
            &login,
            "/organisation",
            &organisation,
        );
        let [result, code_page, detail] = level2_pages(&t, &op, &token, &holder).await;
        tally.html("level-1 result: operator's name", &result, &name);
        tally.html("level-2 code page: operator's name", &code_page, &name);
        tally.html("level-2 detail: operator's name", &detail, &name);
        tally.html("level-2 detail: judgement", &detail, &judgement);
        let (sms, _) = t.last_sms().await;
        tally.text(
            "level-2 SMS: organisation",
            sms["body"].as_str().unwrap(),
            &organisation,
        );

        // The same through the API.
        let r = op
            .post_json(
                "/api/v1/verify/level2/otp",
                &json!({"token": token, "fiscal_code": holder}),
            )
            .await;
        let sent = json_of(r, 202, "level-2 code").await;
        let (_, code) = t.last_sms().await;
        let r = op
            .post_json(
                "/api/v1/verify/level2",
                &json!({"otp_request_id": sent["otp_request_id"], "otp": code}),
            )
            .await;
        let v = json_of(r, 200, "level 2").await;
        tally.json(
            "level 2: judgement",
            &v,
            "/detail/sources/invalidity/judgement",
            &judgement,
        );

        // The citizen: who looked, and their verbale explained.
        let me = page(c.get("/me").await, 200, "/me").await;
        tally.html("/me: operator who checked", &me, &name);
        tally.html("/me: organisation that checked", &me, &organisation);
        let log = json_of(c.get("/api/v1/me/verifications").await, 200, "log").await;
        // (The test clock stands still: the entries share their instant.)
        let level2: Vec<&Value> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["level"] == 2)
            .collect();
        assert_eq!(level2.len(), 4, "two codes sent, two views: {log}");
        for entry in level2 {
            tally.json("verifications: operator", entry, "/operator", &name);
            tally.json(
                "verifications: organisation",
                entry,
                "/organisation",
                &organisation,
            );
        }
        let verbale = page(
            c.get(&format!("/me/verbali/V-{holder}")).await,
            200,
            "/me/verbali",
        )
        .await;
        tally.html("/me/verbali/{id}: judgement", &verbale, &judgement);
    }
    tally.done("level 2 and the log", PAYLOADS.len() * 19);
}

/// The citizen's court name goes to the back office (the pending list);
/// the back office's rejection reason to the citizen (the card page, the
/// card JSON, the e-mail).
async fn a_court_name_and_a_rejection_reason_are_inert_in_pages_json_and_email(engine: TestEngine) {
    let Some((t, sent)) = recording_mail(engine).await else {
        return;
    };
    t.person_with(MARIO, "1980-01-01", qualifying_with(""))
        .await;
    let c = t.citizen(MARIO).await;
    let mut tally = Tally::default();
    for p in PAYLOADS {
        let (court, reason) = (as_field(p, "court"), as_field(p, "reason"));
        // Each application after the last (the page shows the newest).
        t.clock.advance(std::time::Duration::from_secs(1));
        let declaration = json!({"court": {"name": court, "date": "2023-04-01"}}).to_string();
        let r = apply(&c, jpeg(450, 600), Some(&declaration)).await;
        let id = json_of(r, 201, "card application").await["application_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = t
            .http
            .get(t.url("/api/v1/admin/cards?status=pending"))
            .bearer_auth(ADMIN_KEY)
            .send()
            .await
            .unwrap();
        let listed = json_of(r, 200, "pending cards").await;
        tally.json(
            "pending cards: court name",
            &listed,
            "/0/declaration/court/name",
            &court,
        );

        let r = admin_post(
            &t,
            &format!("/api/v1/admin/cards/{id}/reject"),
            Some(json!({"reason": reason})),
        )
        .await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let html = page(c.get("/me/card").await, 200, "/me/card").await;
        tally.html("/me/card: rejection reason", &html, &reason);
        let card = json_of(c.get("/api/v1/me/card").await, 200, "card").await;
        tally.json("card: rejection reason", &card, "/reject_reason", &reason);
        // The reason is free text: it may tell of health, so the e-mail
        // does not quote it and sends the citizen to /me/card.
        let email = last_email(&sent);
        tally.absent("rejection e-mail (HTML part)", &email.html, &reason);
        tally.absent("rejection e-mail (text part)", &email.text, &reason);
        let mail = newest(&t, "email").await;
        tally.absent(
            "outbox: rejection e-mail",
            mail["body"].as_str().unwrap(),
            &reason,
        );

        // The form again after a mistake keeps the court name as typed.
        let html = page(c.get("/me/card").await, 200, "/me/card").await;
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf_of(&html))
            .text("court_name", court.clone())
            .text("court_date", "")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(jpeg(450, 600))
                    .file_name("photo.jpg")
                    .mime_str("image/jpeg")
                    .unwrap(),
            );
        let r = c
            .http
            .post(t.url("/me/card"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        let html = page(r, 422, "/me/card form again").await;
        tally.html("/me/card form again: court name", &html, &court);
    }
    tally.done("card decisions", PAYLOADS.len() * 7);
}

fn day(t: &TestApp, offset: i64) -> String {
    format_date(t.app.today() + time::Duration::days(offset))
}

/// The back office's visit place is read by the citizen; the citizen's
/// reschedule reason is stored with the event (no page or answer shows it
/// to anyone yet) and shown again in their own form after a mistake.
async fn a_visit_place_and_a_reschedule_reason_are_inert_in_the_journey(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying_with(""))
        .await;
    let r = t
        .http
        .post(t.url("/api/v1/admin/certificates"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"certificate_id": "C-XSS", "fiscal_code": MARIO,
            "issued_on": day(&t, -3), "purposes": ["blindness"], "province": "BA",
            "procedure": "reform"}))
        .send()
        .await
        .unwrap();
    let id = json_of(r, 201, "certificate").await["application_id"]
        .as_str()
        .expect("a reform certificate opens its application")
        .to_owned();
    let c = t.citizen(MARIO).await;
    let mut tally = Tally::default();
    for p in PAYLOADS {
        let (place, reason) = (as_field(p, "place"), as_field(p, "reason"));
        let r = admin_post(
            &t,
            &format!("/api/v1/admin/applications/{id}/events"),
            Some(json!({"event": "visit_scheduled", "on": day(&t, 0),
                "visit": {"at": format!("{}T09:30:00+01:00", day(&t, 7)), "place": place, "home": false}})),
        )
        .await;
        let answered = json_of(r, 200, "visit event").await;
        tally.json("event answer: place", &answered, "/visit/place", &place);
        let html = page(c.get("/me/applications").await, 200, "/me/applications").await;
        tally.html("/me/applications: visit place", &html, &place);
        let listed = json_of(c.get("/api/v1/me/applications").await, 200, "applications").await;
        tally.json(
            "applications: visit place",
            &listed,
            "/0/visit/place",
            &place,
        );

        // Too long: the form comes back with the reason as typed.
        let too_long = format!("{reason}{}", "x".repeat(1000));
        let r = c
            .http
            .post(t.url(&format!("/me/applications/{id}/reschedule")))
            .form(&[("csrf", csrf_of(&html).as_str()), ("reason", &too_long)])
            .send()
            .await
            .unwrap();
        let again = page(r, 422, "reschedule form again").await;
        tally.html("reschedule form again: place", &again, &place);
        tally.html("reschedule form again: reason", &again, &reason);
    }
    // Accepted (any text: it is the citizen's own words), the reason is
    // stored with the event; no page or answer shows it.
    let reason = PAYLOADS[3];
    let r = c
        .post_json(
            &format!("/api/v1/me/applications/{id}/reschedule"),
            &json!({"reason": reason}),
        )
        .await;
    let answered = json_of(r, 200, "reschedule").await;
    assert_eq!(answered["state"], "visit_to_reschedule");
    let html = page(c.get("/me/applications").await, 200, "/me/applications").await;
    assert!(!html.contains(reason) && !html.contains(&escaped(reason)));
    only_template_markup(&html, "/me/applications after the request");
    tally.done("journey", PAYLOADS.len() * 5);
}

/// SPEC §2 refuses markup in names (422 naming the field, nothing
/// changed); an apostrophe is a letter of names (D'Annunzio), so the quote
/// payload is accepted and must print inert wherever the name does: the
/// holder's pages, the operator's level-1 page, JSON, both PDFs, both
/// e-mails, and a delegate's name in the holder's area. An e-mail address
/// with spaces, or with a character that makes a mailer read a display name
/// or another address (`<>"(),;:[]\`), is refused; one without (`{{7*7}}`)
/// is accepted and shown inert.
async fn a_quote_in_a_name_is_inert_everywhere_the_name_prints_and_markup_is_refused(
    engine: TestEngine,
) {
    let Some((t, sent)) = recording_mail(engine).await else {
        return;
    };
    t.app.generate_signing_key().await.unwrap();
    t.person_with(MARIO, "1980-01-01", qualifying_with(""))
        .await;
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let created = json_of(c.post("/api/v1/me/attestation").await, 201, "attestation").await;
    let token = crate::support::token_of(created["url"].as_str().unwrap());
    let mut tally = Tally::default();
    let person_body = |given: &str, family: &str, email: &str| {
        json!({"given_name": given, "family_name": family, "birth_date": "1980-01-01",
            "email": email, "mobile": "+393331234567"})
    };

    // Refused at the edge.
    let before = json_of(c.get("/api/v1/me").await, 200, "me").await;
    let mut refused = 0;
    for p in PAYLOADS.iter().filter(|p| **p != QUOTE) {
        for field in ["given_name", "family_name"] {
            let mut body = person_body("Mario", "Rossi", "mario@example.it");
            body[field] = json!(p);
            let (status, e) = error_of(t.admin_put_person(MARIO, body).await).await;
            assert_eq!(
                (status, e["code"].as_str()),
                (422, Some("invalid_person")),
                "{p}"
            );
            assert_eq!(e["fields"][0]["field"], field, "{p}: {e}");
            refused += 1;
        }
    }
    let mut last = json_of(c.get("/api/v1/me").await, 200, "me").await;
    assert_eq!(last, before, "the refused names changed nothing");
    // An address has no spaces and no `<>"(),;:[]\`: the others are
    // addresses, shown inert.
    for p in PAYLOADS {
        let email = format!("{p}@example.it");
        let r = t
            .admin_put_person(MARIO, person_body("Mario", "Rossi", &email))
            .await;
        if p.contains(|c: char| c == ' ' || "<>\"(),;:[]\\".contains(c)) {
            let (status, e) = error_of(r).await;
            assert_eq!(
                (status, e["code"].as_str()),
                (422, Some("invalid_person")),
                "{p}"
            );
            assert_eq!(e["fields"][0]["field"], "email", "{p}: {e}");
            let now = json_of(c.get("/api/v1/me").await, 200, "me").await;
            assert_eq!(now, last, "the refused address changed nothing");
            refused += 1;
            continue;
        }
        assert_eq!(r.status(), 200, "{email}");
        let me = json_of(c.get("/api/v1/me").await, 200, "me").await;
        tally.json("me: e-mail", &me, "/contact/email", &email);
        last = me;
        let html = page(c.get("/me").await, 200, "/me").await;
        tally.html("/me: e-mail", &html, &email);
        let html = page(c.get("/me/new?step=1").await, 200, "/me/new").await;
        tally.html("/me/new: e-mail", &html, &email);
    }
    assert_eq!(refused, 5 * 2 + 5, "refusals");

    // Accepted: the quote in the family name.
    let r = t
        .admin_put_person(MARIO, person_body("Mario", QUOTE, "mario@example.it"))
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let me = json_of(c.get("/api/v1/me").await, 200, "me").await;
    tally.json("me: family name", &me, "/person/family_name", QUOTE);
    // Logged in again: the header names the user as the login found them.
    let c = t.citizen(MARIO).await;
    for path in ["/me", "/me/qr", "/me/card"] {
        let html = page(c.get(path).await, 200, path).await;
        tally.html(&format!("{path}: name"), &html, QUOTE);
    }
    // The operator's level 1.
    let operator = crate::support::client();
    let check = open_check(&t, &operator, &token).await;
    let r = operator
        .post(t.url(&check))
        .form(&[("fiscal_code", MARIO)])
        .send()
        .await
        .unwrap();
    tally.html(
        "level-1 result: holder",
        &page(r, 200, "result").await,
        QUOTE,
    );
    let v = json_of(t.verify(&token, MARIO).await, 200, "verify").await;
    tally.json(
        "verify: holder",
        &v,
        "/holder/name",
        &format!("Mario {QUOTE}"),
    );
    // The attestation PDFs and e-mail.
    for print in ["", "?print=large"] {
        let r = c.get(&format!("/api/v1/me/attestation/pdf{print}")).await;
        assert_eq!(r.status(), 200);
        let pdf = r.bytes().await.unwrap();
        if let Some(text) = attesta_testkit::pdftotext(&pdf) {
            tally.text(&format!("attestation PDF{print}"), &text, QUOTE);
        }
    }
    assert_eq!(c.post("/api/v1/me/attestation/email").await.status(), 202);
    tally.email("attestation e-mail", &last_email(&sent), QUOTE);
    let mail = newest(&t, "email").await;
    tally.text(
        "outbox: attestation e-mail",
        mail["body"].as_str().unwrap(),
        QUOTE,
    );
    // The card: the e-mail that brings it, and its PDF.
    let r = apply(&c, jpeg(450, 600), None).await;
    let id = json_of(r, 201, "card application").await["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    tally.email("card e-mail", &last_email(&sent), QUOTE);
    let r = c.get("/api/v1/me/card/pdf").await;
    assert_eq!(r.status(), 200);
    if let Some(text) = attesta_testkit::pdftotext(&r.bytes().await.unwrap()) {
        tally.text("card PDF", &text, QUOTE);
    }

    // A delegate's name, in the area of the holder they act for.
    let holder = person(0);
    t.person_with(&holder, "1980-01-01", qualifying_with(""))
        .await;
    let h: Citizen = t.citizen(&holder).await;
    let r = h
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let r = c
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": holder}))
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let full = format!("Mario {QUOTE}");
    let delegates = json_of(h.get("/api/v1/me/delegates").await, 200, "delegates").await;
    tally.json("delegates: name", &delegates, "/0/name", &full);
    let activity = json_of(h.get("/api/v1/me/activity").await, 200, "activity").await;
    let by_delegate = activity
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["by_delegate"] == true)
        .unwrap_or_else(|| panic!("the delegate's action: {activity}"));
    tally.json("activity: by", by_delegate, "/by", &full);
    let html = page(h.get("/me").await, 200, "/me of the holder").await;
    tally.html("/me: delegate and activity", &html, QUOTE);

    // The PDFs count where pdftotext reads them (always under CI).
    let pdfs = if attesta_testkit::require_tool("pdftotext").is_some() {
        3
    } else {
        0
    };
    let addresses = 3; // 1 address × (JSON, /me, /me/new)
    let name = 1 + 3 + 2 + 3 + 2 + 3; // JSON, 3 pages, level 1, 2 e-mails + outbox, delegate
    tally.done("names and addresses", addresses + name + pdfs);
}

/// What the pages show again from a request — the scanned code of the
/// counter's form (a cross-site form can post it: it needs no session), a
/// codice fiscale typed on a check, the income and unknown parameters of a
/// benefits link, a forged card QR — is inert too.
async fn what_a_crafted_link_or_form_makes_a_page_show_again_is_inert(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", qualifying_with(""))
        .await;
    let c = t.citizen(MARIO).await;
    assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
    let created = json_of(c.post("/api/v1/me/attestation").await, 201, "attestation").await;
    let token = crate::support::token_of(created["url"].as_str().unwrap());
    let anonymous = crate::support::client();
    let mut tally = Tally::default();
    for p in PAYLOADS {
        let r = anonymous
            .post(t.url("/v"))
            .header("origin", "https://evil.example")
            .form(&[("code", p)])
            .send()
            .await
            .unwrap();
        tally.html("/v: the code as typed", &page(r, 400, "/v").await, p);

        let check = open_check(&t, &anonymous, &token).await;
        let r = anonymous
            .post(t.url(&check))
            .form(&[("fiscal_code", p)])
            .send()
            .await
            .unwrap();
        tally.html(
            "check: the codice fiscale as typed",
            &page(r, 400, "check").await,
            p,
        );

        let r = c
            .http
            .get(t.url("/me/benefits"))
            .query(&[("income", p)])
            .send()
            .await
            .unwrap();
        tally.html(
            "/me/benefits: the income as typed",
            &page(r, 422, "benefits").await,
            p,
        );
        let r = c
            .http
            .get(t.url("/api/v1/me/benefits"))
            .query(&[(p, "1")])
            .send()
            .await
            .unwrap();
        let e = json_of(r, 400, "benefits: unknown parameter").await;
        let message = e["error"]["message"].as_str().unwrap();
        tally.text("benefits: the unknown parameter named", message, p);

        let html = page(c.get("/me").await, 200, "/me").await;
        let r = c
            .http
            .post(t.url("/me/delegates"))
            .form(&[("csrf", csrf_of(&html).as_str()), ("fiscal_code", p)])
            .send()
            .await
            .unwrap();
        tally.html(
            "/me: the delegate's code as typed",
            &page(r, 422, "/me").await,
            p,
        );

        // A forged card QR: the page names what is wrong, not what was read.
        let encoded: String = p.bytes().map(|b| format!("%{b:02X}")).collect();
        for path in [format!("/c/{encoded}"), format!("/c/EUDC1:{encoded}")] {
            let r = anonymous.get(t.url(&path)).send().await.unwrap();
            let html = page(r, 200, "card check").await;
            assert!(html.contains("invalid_signature"), "{path}");
            assert!(!html.contains(p), "{path}: {p:?} raw");
            only_template_markup(&html, &path);
        }
    }
    // The page's own address, in its language links, as a client that
    // sends a `'` unencoded writes it (browsers encode it in a query).
    let raw = "x='/onfocus='alert(1)";
    for path in ["/", "/me/benefits"] {
        let (status, html) = raw_get(&t, &format!("{path}?{raw}")).await;
        assert!(matches!(status, 200 | 401), "{path}: {status}");
        tally.html(
            &format!("{path}: its address in the language links"),
            &html,
            raw,
        );
    }
    tally.done("reflected input", PAYLOADS.len() * 5 + 2);
}
