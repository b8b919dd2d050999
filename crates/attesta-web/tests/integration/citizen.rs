//! The citizen's area: the attestation e-mailed over real SMTP, delegates
//! and the activity list.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use attesta_app::mail::{SmtpConfig, SmtpMailer, SmtpTls};
use attesta_testkit::people::{GIULIA, LUCA, MARIO, cf};
use attesta_testkit::{TestEngine, on_both_engines, read_qr_on_pdf_page};
use serde_json::{Value, json};

use crate::support::{TestApp, csrf_of, error_of, token_of};

on_both_engines!(
    a_delegate_acts_for_the_holder_and_is_named,
    back_office_delegations,
    revoke_and_renew_from_the_page,
    demo_email_goes_to_the_outbox_without_health_data,
    a_login_ends_after_the_session_lifetime,
    the_attestation_arrives_by_real_smtp_and_its_qr_reads,
    a_failed_email_keeps_the_attestation_and_can_be_retried,
    the_new_request_steps,
);

async fn a_login_ends_after_the_session_lifetime(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c1"}))
        .await;
    let http = crate::support::client();
    let r = http
        .post(t.url("/api/v1/demo/login"))
        .json(&json!({"fiscal_code": MARIO, "role": "citizen"}))
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    // The default lifetime: 8 hours, told to the browser too.
    assert!(cookie.contains("Max-Age=28800"), "{cookie}");
    let me = || async { http.get(t.url("/api/v1/me")).send().await.unwrap().status() };
    assert_eq!(me().await, 200);
    // Busy all along (a request every 20 minutes, inside the idle timeout).
    for _ in 0..23 {
        t.clock.advance(Duration::from_secs(20 * 60));
        assert_eq!(me().await, 200);
    }
    t.clock.advance(Duration::from_secs(19 * 60));
    assert_eq!(me().await, 200, "still inside the lifetime");
    t.clock.advance(Duration::from_secs(120));
    assert_eq!(me().await, 401, "the login has ended, however busy");
}

async fn carer(t: &TestApp, code: &str, given: &str) {
    let r = t
        .admin_put_person(
            code,
            json!({"given_name": given, "family_name": "Bianchi", "birth_date": "1985-08-12"}),
        )
        .await;
    assert!(r.status().is_success());
}

async fn a_delegate_acts_for_the_holder_and_is_named(t: TestApp) {
    let giulia = cf(&GIULIA[..15]);
    let luca = cf(&LUCA[..15]);
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    carer(&t, &giulia, "Giulia").await;
    carer(&t, &luca, "Luca").await;
    let mario = t.citizen(MARIO).await;
    let r = mario
        .post_json(
            "/api/v1/me/delegates",
            &json!({"fiscal_code": giulia.to_lowercase()}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["delegation_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list: Value = mario
        .get("/api/v1/me/delegates")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["fiscal_code"], giulia);
    assert_eq!(list[0]["name"], "Giulia Bianchi");
    let (status, e) = error_of(
        mario
            .post_json(
                "/api/v1/me/delegates",
                &json!({"fiscal_code": "RSSMRA80A01H501X"}),
            )
            .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_fiscal_code")
    );

    // The delegate picks whom to act for, then does what the holder does.
    let delegate = t.citizen(&giulia).await;
    let represented: Value = delegate
        .get("/api/v1/me/represented")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        represented,
        json!([{"fiscal_code": MARIO, "name": "Mario Rossi"}])
    );
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let me: Value = delegate.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["person"]["fiscal_code"], MARIO);
    assert_eq!(
        delegate.post("/api/v1/me/privacy-notice").await.status(),
        204
    );
    let r = delegate.post("/api/v1/me/attestation").await;
    assert_eq!(r.status(), 201);
    let token = token_of(r.json::<Value>().await.unwrap()["url"].as_str().unwrap());
    assert_eq!(t.verify(&token, MARIO).await.status(), 200);
    assert_eq!(
        delegate.delete("/api/v1/me/attestation").await.status(),
        204
    );
    assert_eq!(t.verify(&token, MARIO).await.status(), 410);

    // A non-delegate cannot.
    let stranger = t.citizen(&luca).await;
    let (status, e) = error_of(
        stranger
            .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
            .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (403, "not_a_delegate")
    );
    let me: Value = stranger.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["person"]["fiscal_code"], luca, "still in their own area");

    // The holder's activity names the delegate.
    let activity: Value = mario.get("/api/v1/me/activity").await.json().await.unwrap();
    let by_giulia: Vec<&str> = activity
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["by"] == "Giulia Bianchi")
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for action in [
        "privacy_notice_accepted",
        "attestation_generated",
        "attestation_revoked",
    ] {
        assert!(by_giulia.contains(&action), "{action} in {activity}");
    }
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "delegate_added" && a["by"] == "Mario Rossi")
    );
    let page = mario.get("/me").await.text().await.unwrap();
    assert!(page.contains("Giulia Bianchi (delegato)"));

    // Removed: the delegate stops at once.
    assert_eq!(
        mario
            .delete(&format!("/api/v1/me/delegates/{id}"))
            .await
            .status(),
        204
    );
    let (status, e) = error_of(delegate.get("/api/v1/me").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (403, "not_a_delegate")
    );
    let me: Value = delegate.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(
        me["person"]["fiscal_code"], giulia,
        "back in their own area"
    );
    // Stopping is `null`.
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": null}))
        .await;
    assert_eq!(r.status(), 200);
}

async fn back_office_delegations(t: TestApp) {
    let minor = cf("SPSSFO15H41F839");
    let parent = cf("SPSMRC80A01F839");
    t.person_with(&minor, "2015-06-01", json!({"invalidity_code": "07"}))
        .await;
    carer(&t, &parent, "Marco").await;
    let post = |body: Value| {
        let http = t.http.clone();
        let url = t.url("/api/v1/admin/delegations");
        async move {
            http.post(url)
                .bearer_auth(crate::support::ADMIN_KEY)
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let r = t
        .http
        .post(t.url("/api/v1/admin/delegations"))
        .json(&json!({"holder": minor, "delegate": parent}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        post(json!({"holder": minor, "delegate": parent}))
            .await
            .status(),
        201
    );
    assert_eq!(
        post(json!({"holder": minor, "delegate": parent}))
            .await
            .status(),
        200
    );
    let (status, e) = error_of(post(json!({"holder": "X", "delegate": parent})).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_delegation")
    );
    assert_eq!(e["fields"][0]["field"], "holder");
    let (status, e) =
        error_of(post(json!({"holder": cf("RSSMRA80A01H501"), "delegate": parent})).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "unknown_person")
    );
    let dad = t.citizen(&parent).await;
    assert_eq!(
        dad.post_json("/api/v1/me/acting-for", &json!({"fiscal_code": minor}))
            .await
            .status(),
        200
    );
    assert_eq!(dad.post("/api/v1/me/privacy-notice").await.status(), 204);
    assert_eq!(dad.post("/api/v1/me/attestation").await.status(), 201);
}

async fn revoke_and_renew_from_the_page(t: TestApp) {
    let old = t.attested(MARIO, json!({"handicap": "art3_c1"})).await;
    let c = t.citizen(MARIO).await;
    let page = c.get("/me").await.text().await.unwrap();
    let csrf = csrf_of(&page);
    // "Revoke and make a new one" is the generate form on the page.
    let r = c
        .http
        .post(t.url("/me/attestation"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        t.verify(&old, MARIO).await.status(),
        410,
        "the old QR answers 410 at once"
    );
    let current: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    let new = token_of(current["url"].as_str().unwrap());
    assert_ne!(new, old);
    assert_eq!(t.verify(&new, MARIO).await.status(), 200);
    // Delegates through the page too.
    let giulia = cf(&GIULIA[..15]);
    let r = c
        .http
        .post(t.url("/me/delegates"))
        .form(&[("csrf", csrf.as_str()), ("fiscal_code", giulia.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/me?done=delegate_added");
    let r = c
        .http
        .post(t.url("/me/delegates"))
        .form(&[("csrf", "forged"), ("fiscal_code", giulia.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn demo_email_goes_to_the_outbox_without_health_data(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"invalidity_code": "03", "invalidity_percentage": 80, "judgement": "Segreto sanitario"}))
        .await;
    let c = t.citizen(MARIO).await;
    c.post("/api/v1/me/privacy-notice").await;
    let r = c.post("/api/v1/me/attestation").await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["email"], "sent");
    assert_eq!(c.post("/api/v1/me/attestation/email").await.status(), 202);
    let outbox: Value = t
        .http
        .get(t.url("/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let emails: Vec<&Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["channel"] == "email")
        .collect();
    assert_eq!(emails.len(), 2);
    let text = emails[0]["body"].as_str().unwrap();
    assert_eq!(emails[0]["to"], "mario@example.it");
    for secret in [
        MARIO,
        "80",
        "Segreto",
        "03",
        body["short_code"].as_str().unwrap(),
    ] {
        assert!(!text.contains(secret), "{secret} in the e-mail body");
    }
}

// ---- real SMTP --------------------------------------------------------

struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Debian's python3-aiosmtpd: a real SMTP server writing to a maildir.
fn smtp_python() -> Option<&'static str> {
    ["/usr/bin/python3", "python3"].into_iter().find(|p| {
        Command::new(p)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

async fn start_smtp() -> Option<SmtpServer> {
    let Some(python) = smtp_python() else {
        attesta_testkit::unavailable("aiosmtpd is not installed (Debian package python3-aiosmtpd)");
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let maildir = tempfile::tempdir().unwrap();
    let child = Command::new(python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(maildir.path().join("mail"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Dropped (and so killed and reaped) on every path from here.
    let server = SmtpServer {
        child,
        port,
        maildir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("aiosmtpd did not start");
}

fn mailer(port: u16) -> SmtpMailer {
    SmtpMailer::new(&SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        tls: SmtpTls::None,
        username: None,
        password: None,
        from: "attesta <noreply@attesta.test>".into(),
    })
    .unwrap()
}

fn delivered(maildir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(maildir.join("mail").join("new"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

/// Splits a delivered message into its PDF attachment and its text parts,
/// with Python's own e-mail parser (an independent MIME reader).
fn split_message(python: &str, message: &Path, pdf_out: &Path) -> String {
    let script = r#"
import email, sys
from email import policy
msg = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=policy.default)
texts = []
for part in msg.walk():
    if part.get_content_type() == 'application/pdf':
        open(sys.argv[2], 'wb').write(part.get_payload(decode=True))
    elif part.get_content_maintype() == 'text':
        texts.append(part.get_content_type() + '\n' + part.get_content())
print(msg['Subject'])
print('\n'.join(texts))
"#;
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(message)
        .arg(pdf_out)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

async fn the_attestation_arrives_by_real_smtp_and_its_qr_reads(engine: TestEngine) {
    let Some(smtp) = start_smtp().await else {
        return;
    };
    let Some(t) = TestApp::builder(engine)
        .smtp(mailer(smtp.port))
        .spawn()
        .await
    else {
        return;
    };
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    c.post("/api/v1/me/privacy-notice").await;
    let created: Value = c.post("/api/v1/me/attestation").await.json().await.unwrap();
    assert_eq!(created["email"], "sent");
    let url = created["url"].as_str().unwrap().to_owned();
    let mut files = Vec::new();
    for _ in 0..50 {
        files = delivered(smtp.maildir.path());
        if !files.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(files.len(), 1, "one message delivered");
    let pdf = smtp.maildir.path().join("attached.pdf");
    let parts = split_message(smtp_python().unwrap(), &files[0], &pdf);
    assert!(parts.contains("La tua attestazione QR"));
    assert!(
        parts.contains("text/plain") && parts.contains("text/html"),
        "{parts}"
    );
    assert!(parts.contains("Mario Rossi"));
    assert!(!parts.contains(MARIO), "no codice fiscale in the e-mail");
    assert!(!parts.contains("80"), "no health data in the e-mail");
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"));
    if let Some(scanned) = read_qr_on_pdf_page(&bytes, 1, 300) {
        assert_eq!(scanned, url);
    }
}

async fn a_failed_email_keeps_the_attestation_and_can_be_retried(engine: TestEngine) {
    // Nothing listens on this port: the SMTP server is down.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    // The bare SMTP mailer, as the binary uses it outside demo mode.
    let Some(t) = TestApp::builder(engine)
        .customise(move |app| app.with_mailer(Arc::new(mailer(port))))
        .spawn()
        .await
    else {
        return;
    };
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let c = t.citizen(MARIO).await;
    c.post("/api/v1/me/privacy-notice").await;
    let r = c.post("/api/v1/me/attestation").await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["email"], "failed");
    assert_eq!(
        t.verify(&token_of(created["url"].as_str().unwrap()), MARIO)
            .await
            .status(),
        200
    );
    let (status, e) = error_of(c.post("/api/v1/me/attestation/email").await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (503, "email_unavailable")
    );
    let page = c
        .get("/me?done=generated_email_failed")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Invia di nuovo per e-mail"));
}

async fn the_new_request_steps(t: TestApp) {
    t.person_with(MARIO, "1980-01-01", json!({"handicap": "art3_c3"}))
        .await;
    let c = t.citizen(MARIO).await;
    let home = c.get("/me").await.text().await.unwrap();
    assert!(
        home.contains("href=\"/me/new\""),
        "new request on the home page"
    );
    let step1 = c.get("/me/new").await.text().await.unwrap();
    assert!(step1.contains("mario@example.it") && step1.contains("href=\"/me/new?step=2\""));
    let step2 = c.get("/me/new?step=2").await.text().await.unwrap();
    let csrf = csrf_of(&step2);
    let r = c
        .http
        .post(t.url("/me/new"))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me?done=generated");
    let me: Value = c.get("/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["privacy_notice"]["accepted"], true);
    let current: Value = c.get("/api/v1/me/attestation").await.json().await.unwrap();
    assert_eq!(
        t.verify(&token_of(current["url"].as_str().unwrap()), MARIO)
            .await
            .status(),
        200
    );
}
