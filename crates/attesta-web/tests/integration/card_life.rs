//! The EU Disability Card's life over HTTP (issue #6): the application with
//! a photo, the back office's decisions, the card PDF and its QR, and the
//! automatic revocation when a later verbale ends eligibility.

use attesta_credential::card::{KeySet, Outcome, StatusInput, verify_card, verify_text};
use base64::Engine as _;
use serde_json::{Value, json};

use attesta_testkit::people::{MARIO, cf};
use attesta_testkit::{TestEngine, on_both_engines, pdfinfo, pdftotext, read_qr_on_pdf_page};

use crate::support::{ADMIN_KEY, Citizen, TestApp, csrf_of, error_of};

on_both_engines!(
    card_end_to_end_apply_approve_print_scan_verify_then_revoked_by_an_import,
    an_import_run_again_after_a_kill_reviews_the_cards_of_its_unchanged_rows,
    photos_are_checked_and_stripped_of_metadata,
    eligibility_one_open_application_and_decisions_once,
    a_card_past_its_expiry_shows_as_expired_and_a_new_one_may_be_asked,
    the_card_page_works_without_javascript,
    a_verbale_posted_by_the_back_office_revokes_the_card,
    a_delegate_applies_for_the_holder,
    auto_approval_issues_the_card_at_once,
);

/// A portrait JPEG of `w` × `h` pixels.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) % 256) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img)
        .unwrap();
    out
}

/// A JPEG that does not compress well (noise), for large uploads.
fn noisy_jpeg(w: u32, h: u32) -> Vec<u8> {
    let mut state = 0x2545_f491_u32;
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let [a, b, c, _] = state.to_le_bytes();
        image::Rgb([a, b, c])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out
}

/// `jpeg` with an EXIF APP1 segment spliced in after SOI: IFD0 points to a
/// GPS IFD with GPSLatitudeRef "N" and GPSLatitude 41° 54′ 0″ (Rome).
fn with_exif_gps(jpeg: &[u8]) -> Vec<u8> {
    let mut tiff = Vec::new();
    tiff.extend(b"II*\0");
    tiff.extend(8u32.to_le_bytes());
    // IFD0 at 8: one entry, GPSInfo (0x8825, LONG) → the GPS IFD at 26.
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(0x8825u16.to_le_bytes());
    tiff.extend(4u16.to_le_bytes());
    tiff.extend(1u32.to_le_bytes());
    tiff.extend(26u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    // GPS IFD at 26: LatitudeRef (ASCII "N") and Latitude (3 RATIONAL at 56).
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(2u32.to_le_bytes());
    tiff.extend(b"N\0\0\0");
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(5u16.to_le_bytes());
    tiff.extend(3u32.to_le_bytes());
    tiff.extend(56u32.to_le_bytes());
    tiff.extend(0u32.to_le_bytes());
    assert_eq!(tiff.len(), 56);
    for (n, d) in [(41u32, 1u32), (54, 1), (0, 1)] {
        tiff.extend(n.to_le_bytes());
        tiff.extend(d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = u16::try_from(app1.len() + 2).unwrap();
    let mut out = jpeg[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// `POST /api/v1/me/card` as a browser sends it.
pub(crate) async fn apply(
    c: &Citizen,
    photo: Vec<u8>,
    declaration: Option<&str>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(photo)
            .file_name("photo.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    if let Some(d) = declaration {
        form = form.text("declaration", d.to_owned());
    }
    c.http
        .post(format!("{}/api/v1/me/card", c.base))
        .header("origin", &c.base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn admin_post(t: &TestApp, path: &str, body: Option<Value>) -> reqwest::Response {
    let mut r = t.http.post(t.url(path)).bearer_auth(ADMIN_KEY);
    if let Some(b) = body {
        r = r.json(&b);
    }
    r.send().await.unwrap()
}

async fn pending(t: &TestApp) -> Vec<Value> {
    listed(t, "pending").await
}

/// The back office's list of cards in `status`.
async fn listed(t: &TestApp, status: &str) -> Vec<Value> {
    let r = t
        .http
        .get(t.url(&format!("/api/v1/admin/cards?status={status}")))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json::<Vec<Value>>().await.unwrap()
}

/// Applies for `cf` and approves: returns the serial.
pub(crate) async fn issued_card(t: &TestApp, c: &Citizen) -> String {
    let r = apply(c, jpeg(450, 600), None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let id = r.json::<Value>().await.unwrap()["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = admin_post(t, &format!("/api/v1/admin/cards/{id}/approve"), None).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["serial"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn outbox(t: &TestApp) -> Vec<Value> {
    t.http
        .get(t.url("/api/v1/demo/outbox"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// What an offline verifier downloads: the key set and the status list.
async fn offline_inputs(t: &TestApp, qr: &str) -> (KeySet, Vec<u8>) {
    let jwks = t
        .http
        .get(t.url("/.well-known/attesta/keys.json"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let keys = KeySet::from_jwks(jwks.as_bytes()).unwrap();
    let first = verify_card(qr, &keys, StatusInput::None, t.app.now().unix_timestamp());
    let uri = first.status.expect("the card names its status list").uri;
    let r = t.http.get(&uri).send().await.unwrap();
    assert_eq!(r.status(), 200);
    (keys, r.bytes().await.unwrap().to_vec())
}

/// The real `attesta card verify`, run offline on files: the JWK Set and
/// the status list as served. The binary is built beside this test by
/// `cargo test --workspace` (what CI runs); alone, the check is skipped.
async fn binary_outcome(t: &TestApp, qr: &str, list: &[u8]) -> Option<String> {
    let bin = std::env::current_exe()
        .ok()?
        .parent()?
        .parent()?
        .join("attesta");
    if !bin.exists() {
        attesta_testkit::unavailable(format_args!(
            "the attesta binary {} is not built (run `cargo test --workspace`)",
            bin.display()
        ));
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let jwks = t
        .http
        .get(t.url("/.well-known/attesta/keys.json"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    std::fs::write(dir.path().join("keys.json"), &jwks).unwrap();
    std::fs::write(dir.path().join("list.cwt"), list).unwrap();
    let at = t
        .app
        .now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let mut cmd = std::process::Command::new(&bin);
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    let out = cmd
        .args(["--data-dir"])
        .arg(dir.path().join("data"))
        .args(["card", "verify", qr, "--keys"])
        .arg(dir.path().join("keys.json"))
        .arg("--status-list")
        .arg(dir.path().join("list.cwt"))
        .args(["--at", &at, "--json"])
        .output()
        .unwrap();
    let verdict: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "JSON from attesta card verify: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let outcome = verdict["outcome"].as_str().unwrap().to_owned();
    assert_eq!(
        out.status.code() == Some(0),
        outcome == "valid",
        "exit 0 only for valid"
    );
    Some(outcome)
}

/// The online check page's outcome (`data-outcome` on `GET /c/{payload}`).
async fn online_outcome(t: &TestApp, qr: &str) -> String {
    let r = t.http.get(qr).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let at = html.find("data-outcome=\"").expect("an outcome") + 14;
    html[at..at + html[at..].find('"').unwrap()].to_owned()
}

async fn card_end_to_end_apply_approve_print_scan_verify_then_revoked_by_an_import(t: TestApp) {
    card_revoked_by_an_import(t, false).await;
}

/// An import killed after a batch committed and before its cards were
/// reviewed leaves a card active that the stored verbali no longer allow;
/// the file run again finds the row unchanged, and still reviews the card.
async fn an_import_run_again_after_a_kill_reviews_the_cards_of_its_unchanged_rows(t: TestApp) {
    card_revoked_by_an_import(t, true).await;
}

async fn card_revoked_by_an_import(t: TestApp, killed_before_review: bool) {
    t.app.generate_signing_key().await.unwrap();
    // Code 05 (100 %, accompaniment): eligible, with the "A" mark.
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "05", "invalidity_percentage": 100, "revision": {"exempt": true}}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    assert_eq!(
        error_of(c.get("/api/v1/me/card").await).await.1["code"],
        "no_card"
    );

    let r = apply(
        &c,
        jpeg(450, 600),
        Some(r#"{"paper_pre2010": false, "autonomous_region": false, "court": null}"#),
    )
    .await;
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    assert_eq!(created["status"], "pending");
    let id = created["application_id"].as_str().unwrap().to_owned();

    let list = pending(&t).await;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["application_id"], id.as_str());
    assert_eq!(list[0]["fiscal_code"], MARIO);
    assert_eq!(list[0]["declaration"]["paper_pre2010"], false);
    assert!(list[0]["submitted_at"].is_string());

    let r = admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await;
    assert_eq!(r.status(), 200);
    let serial = r.json::<Value>().await.unwrap()["serial"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        attesta_domain::CardSerial::parse(&serial).map(|s| s.to_string()),
        Ok(serial.clone())
    );
    assert!(pending(&t).await.is_empty());

    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "active");
    assert_eq!(card["serial"], serial.as_str());
    assert_eq!(card["a_mark"], true);
    let today = attesta_domain::format_date(t.app.today());
    assert_eq!(card["issued_on"], today.as_str());
    let qr = card["qr_text"].as_str().unwrap().to_owned();
    assert!(qr.contains("/C/EUDC1:"), "{qr}");

    // The e-mail with the card attached (the outbox records its text).
    let mails = outbox(&t).await;
    let issued = mails
        .iter()
        .find(|m| {
            m["channel"] == "email"
                && m["body"]
                    .as_str()
                    .unwrap()
                    .contains("Disability Card has been issued")
        })
        .expect("the card e-mail");
    assert_eq!(issued["to"], "mario@example.it");
    assert!(!issued["body"].as_str().unwrap().contains(MARIO));

    // The PDF: two ID-1 pages, tagged, fonts embedded.
    let r = c.get("/api/v1/me/card/pdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    if let Some(info) = pdfinfo(&pdf) {
        assert!(info.contains("Pages:           2"), "{info}");
        assert!(info.contains("Tagged:          yes"), "{info}");
        assert!(info.contains("242.646 x 153.014 pts"), "ID-1 size: {info}");
        let text = pdftotext(&pdf).expect("poppler is there");
        assert!(text.contains("Rossi") && text.contains("Mario"), "{text}");
        assert!(text.contains(&serial));
        assert!(text.contains("EU Disability Card"));
        assert!(text.contains("⠠⠠⠑⠥ ⠠⠙⠊⠎⠁⠃⠊⠇⠊⠞⠽ ⠠⠉⠁⠗⠙"), "Braille: {text}");
        assert!(!text.contains(MARIO), "no codice fiscale on the card");
    }

    // The QR an operator scans from the printed back side (skipped without
    // poppler and ZBar, except under CI).
    if let Some(scanned) = read_qr_on_pdf_page(&pdf, 2, 300) {
        assert_eq!(scanned, qr);
    }

    // Offline verification with the published keys and the status list
    // (the library verifier `attesta card verify` runs: `verify_text`).
    let (keys, list) = offline_inputs(&t, &qr).await;
    let now = t.app.now().unix_timestamp();
    let v = verify_text(&qr, Some(&keys), StatusInput::Cwt(&list), None, now);
    assert_eq!(v.outcome, Outcome::Valid, "{v:?}");
    assert_eq!(v.serial.as_deref(), Some(serial.as_str()));
    if let Some(outcome) = binary_outcome(&t, &qr, &list).await {
        assert_eq!(outcome, "valid");
    }
    assert_eq!(online_outcome(&t, &qr).await, "valid");

    // A revision verbale imported from a file ends eligibility (code 01,
    // every other group assessed as none): the card is revoked at once.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("verbali.jsonl");
    std::fs::write(
        &file,
        format!(
            "{}\n",
            json!({"verbale_id": "V-REV-1", "fiscal_code": MARIO, "kind": "revision",
                "session_date": today, "definitive": true, "source": "telematic",
                "invalidity_code": "01", "invalidity_percentage": 20, "accompaniment": false,
                "blindness": "none", "deafness": false, "handicap": "none", "art21": false,
                "law68_disability": false, "dl5_2012_art4": false, "revision": {"none": true}})
        ),
    )
    .unwrap();
    if killed_before_review {
        // The batch's transaction, as the killed import committed it.
        let line = std::fs::read_to_string(&file).unwrap();
        let row: Value = serde_json::from_str(line.trim()).unwrap();
        let verbale = attesta_domain::verbale::VerbaleInput::parse(
            row.as_object().unwrap(),
            attesta_domain::parse_date(&today).unwrap(),
        )
        .unwrap();
        let written = t
            .app
            .store()
            .ingest_verbale(&verbale, attesta_app::to_millis(t.app.now()))
            .await
            .unwrap();
        assert!(written.is_ok(), "{written:?}");
        let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
        assert_eq!(card["status"], "active", "no review ran");
    }
    let report = attesta_app::import::import_file(&t.app, &file, 500, |_, _| {})
        .await
        .unwrap();
    if killed_before_review {
        assert_eq!(report.unchanged, 1, "{report:?}");
    } else {
        assert_eq!(report.created, 1, "{report:?}");
    }

    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "revoked");
    assert_eq!(online_outcome(&t, &qr).await, "revoked");
    let (keys, list) = offline_inputs(&t, &qr).await;
    let v = verify_text(&qr, Some(&keys), StatusInput::Cwt(&list), None, now);
    assert_eq!(v.outcome, Outcome::Revoked, "{v:?}");
    if let Some(outcome) = binary_outcome(&t, &qr, &list).await {
        assert_eq!(outcome, "revoked");
    }
    // The citizen is told, without health data.
    let mails = outbox(&t).await;
    assert!(mails.iter().any(|m| {
        m["channel"] == "email"
            && m["body"]
                .as_str()
                .unwrap()
                .contains(&format!("no. {serial} has been revoked"))
    }));
    // Only active cards print.
    assert_eq!(c.get("/api/v1/me/card/pdf").await.status(), 409);
    // And the activity list says what happened.
    let activity: Vec<Value> = c.get("/api/v1/me/activity").await.json().await.unwrap();
    let actions: Vec<&str> = activity
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    for a in ["card_applied", "card_issued", "card_revoked"] {
        assert!(actions.contains(&a), "{actions:?}");
    }
}

async fn photos_are_checked_and_stripped_of_metadata(t: TestApp) {
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;

    // Not an image.
    let (status, e) = error_of(apply(&c, b"%PDF-1.7 not a photo".to_vec(), None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_photo")
    );
    assert_eq!(e["fields"][0]["field"], "photo");
    // A JPEG cut short.
    let mut cut = jpeg(450, 600);
    cut.truncate(300);
    let (status, e) = error_of(apply(&c, cut, None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_photo")
    );
    // Too small, and landscape.
    let (status, _) = error_of(apply(&c, jpeg(150, 200), None).await).await;
    assert_eq!(status, 422);
    let (status, e) = error_of(apply(&c, jpeg(800, 600), None).await).await;
    assert_eq!(status, 422);
    assert!(e["message"].as_str().unwrap().contains("portrait"));
    // Over 5 MiB: 413, not the 64 KiB limit of the other routes.
    let mut big = jpeg(450, 600);
    big.resize(5 * 1024 * 1024 + 10, 0);
    let (status, e) = error_of(apply(&c, big, None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (413, "payload_too_large")
    );
    // Nothing was stored by the refusals.
    assert_eq!(c.get("/api/v1/me/card").await.status(), 404);

    // A large photo (well over the 64 KiB of other bodies) with EXIF GPS
    // data: accepted, scaled down, and stored without any of the metadata.
    let tagged = with_exif_gps(&noisy_jpeg(900, 1200));
    assert!(
        tagged.len() > 256 * 1024 && tagged.len() < 5 * 1024 * 1024,
        "{}",
        tagged.len()
    );
    assert!(contains(&tagged, b"Exif\0\0"));
    assert!(
        image::load_from_memory(&tagged).is_ok(),
        "the test photo is a valid JPEG"
    );
    let r = apply(&c, tagged, None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    let person = t
        .app
        .store()
        .person_by_fiscal_code(&attesta_domain::FiscalCode::parse(MARIO).unwrap())
        .await
        .unwrap()
        .unwrap();
    let stored = t
        .app
        .store()
        .latest_card_application(&person.person_id)
        .await
        .unwrap()
        .unwrap();
    let photo = base64::engine::general_purpose::STANDARD
        .decode(stored.photo_jpeg_base64)
        .unwrap();
    assert!(photo.starts_with(&[0xFF, 0xD8]), "a JPEG");
    assert!(!contains(&photo, b"Exif"), "no EXIF survives");
    assert!(!contains(&photo, &[0xFF, 0xE1]), "no APP1 segment at all");
    let img = image::load_from_memory(&photo).unwrap();
    assert_eq!((img.width(), img.height()), (600, 800));

    // A PNG is accepted too (another person: one open application each).
    let luigi = cf("VRDLGU75C10F205");
    t.person_with(&luigi, "1975-03-10", json!({"blindness": "absolute"}))
        .await;
    let c2 = t.citizen(&luigi).await;
    let mut png = Vec::new();
    image::DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(
        300,
        400,
        image::Rgba([10, 20, 30, 128]),
    ))
    .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
    .unwrap();
    assert_eq!(apply(&c2, png, None).await.status(), 201);
}

async fn eligibility_one_open_application_and_decisions_once(t: TestApp) {
    // Civil invalidity 50 %: an attestation, but no card (≥ 67 % needed).
    let anna = cf("BNCNNA70A41F205");
    t.person_with(
        &anna,
        "1970-01-01",
        json!({"invalidity_code": "02", "invalidity_percentage": 50}),
    )
    .await;
    let a = t.citizen(&anna).await;
    let (status, e) = error_of(apply(&a, jpeg(450, 600), None).await).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (422, "not_eligible"));
    assert!(e["message"].as_str().unwrap().contains("67%"), "{e}");
    // With a declaration (a court judgment not in the archive) the
    // application goes to the back office, which cannot approve it until
    // the verbale is loaded.
    let r = apply(
        &a,
        jpeg(450, 600),
        Some(r#"{"court": {"name": "Tribunale di Bari", "date": "2024-02-01"}}"#),
    )
    .await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = pending(&t).await;
    assert_eq!(list[0]["declaration"]["court"]["name"], "Tribunale di Bari");
    let (status, e) =
        error_of(admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (422, "not_eligible"));
    // A malformed declaration.
    let (status, _) = error_of(apply(&a, jpeg(450, 600), Some("{not json")).await).await;
    assert_eq!(status, 400);

    // An eligible person: a second open application is refused.
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let r = apply(&c, jpeg(450, 600), None).await;
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().await.unwrap()["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, e) = error_of(apply(&c, jpeg(450, 600), None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "application_open")
    );

    // Rejected with a reason; the citizen is e-mailed it.
    let (status, _) = error_of(
        admin_post(
            &t,
            &format!("/api/v1/admin/cards/{id}/reject"),
            Some(json!({})),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "a reason is required");
    // A right-to-left override would make the citizen read other words
    // than the ones stored: refused, and the application stays pending.
    let (status, e) = error_of(
        admin_post(
            &t,
            &format!("/api/v1/admin/cards/{id}/reject"),
            Some(json!({"reason": "The photo is \u{202e}derulb"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_reason")
    );
    assert!(e["message"].as_str().unwrap().contains("U+202E"), "{e}");
    let r = admin_post(
        &t,
        &format!("/api/v1/admin/cards/{id}/reject"),
        Some(json!({"reason": "The photo is blurred"})),
    )
    .await;
    assert_eq!(r.status(), 200);
    // The citizen is e-mailed that it was refused, not why: the reason is
    // free text that may tell of health; it is on /me/card.
    let mails = outbox(&t).await;
    let rejection = mails
        .iter()
        .filter_map(|m| m["body"].as_str())
        .find(|b| b.contains("was not accepted"))
        .expect("a rejection e-mail");
    assert!(!rejection.contains("The photo is blurred"), "{rejection}");
    assert!(rejection.contains("card page"), "{rejection}");
    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "rejected");
    assert_eq!(card["reject_reason"], "The photo is blurred");

    // Decided once: approving or rejecting again is 409.
    let (status, e) =
        error_of(admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "application_not_pending")
    );
    let (status, e) = error_of(
        admin_post(
            &t,
            &format!("/api/v1/admin/cards/{id}/reject"),
            Some(json!({"reason": "x"})),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "application_not_pending")
    );
    let (status, e) = error_of(
        admin_post(
            &t,
            "/api/v1/admin/cards/0123456789abcdef0123456789abcdef/approve",
            None,
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (404, "unknown_application")
    );

    // After a rejection the citizen may apply again.
    assert_eq!(apply(&c, jpeg(450, 600), None).await.status(), 201);

    // Revoking needs a valid serial (Luhn) of an existing card.
    let (status, e) =
        error_of(admin_post(&t, "/api/v1/admin/cards/IT1234567898/revoke", None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (422, "invalid_serial")
    );
    let (status, e) =
        error_of(admin_post(&t, "/api/v1/admin/cards/IT1234567897/revoke", None).await).await;
    assert_eq!((status, e["code"].as_str().unwrap()), (404, "unknown_card"));
    // Without the API key, nothing.
    let r = t
        .http
        .get(t.url("/api/v1/admin/cards"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    // Cross-origin applications are refused (cookie + no Origin).
    let r = c
        .http
        .post(format!("{}/api/v1/me/card", c.base))
        .multipart(reqwest::multipart::Form::new().text("declaration", "{}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

async fn a_card_past_its_expiry_shows_as_expired_and_a_new_one_may_be_asked(t: TestApp) {
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
    assert_eq!(card["status"], "active");
    assert_eq!(card["a_mark"], false);
    let expires = attesta_domain::parse_date(card["expires_on"].as_str().unwrap()).unwrap();
    assert_eq!(expires.year(), t.app.today().year() + 10);
    assert_eq!(listed(&t, "active").await.len(), 1);
    assert!(listed(&t, "expired").await.is_empty());
    // Eleven years later the card has expired.
    t.clock
        .advance(std::time::Duration::from_secs(11 * 366 * 24 * 3600));
    assert!(listed(&t, "active").await.is_empty());
    let expired = listed(&t, "expired").await;
    assert_eq!(expired.len(), 1);
    assert_eq!(expired[0]["status"], "expired");
    // (The session expired meanwhile: log in again.)
    let c = t.citizen(MARIO).await;
    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "expired");
    assert_eq!(c.get("/api/v1/me/card/pdf").await.status(), 409);
    let (status, e) =
        error_of(admin_post(&t, &format!("/api/v1/admin/cards/{serial}/revoke"), None).await).await;
    assert_eq!(
        (status, e["code"].as_str().unwrap()),
        (409, "card_not_active")
    );
    // After expiry, a new application is welcome.
    assert_eq!(apply(&c, jpeg(450, 600), None).await.status(), 201);
}

async fn a_verbale_posted_by_the_back_office_revokes_the_card(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    t.person_with(
        MARIO,
        "1980-01-01",
        json!({"handicap": "art3_c3", "art21": false}),
    )
    .await;
    let c = t.citizen(MARIO).await;
    let serial = issued_card(&t, &c).await;
    let qr = c
        .get("/api/v1/me/card")
        .await
        .json::<Value>()
        .await
        .unwrap()["qr_text"]
        .as_str()
        .unwrap()
        .to_owned();
    // An aggravation that keeps a card case (blindness) changes nothing.
    let today = attesta_domain::format_date(t.app.today());
    let r = t
        .admin_post_verbale(json!({"verbale_id": "V-2", "fiscal_code": MARIO, "kind": "aggravation",
            "session_date": today, "definitive": true, "source": "telematic", "blindness": "partial"}))
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(online_outcome(&t, &qr).await, "valid");
    // One that assesses both as none ends eligibility: revoked at once.
    let r = t
        .admin_post_verbale(
            json!({"verbale_id": "V-3", "fiscal_code": MARIO, "kind": "revision",
            "session_date": today, "definitive": true, "source": "telematic",
            "blindness": "none", "handicap": "none", "art21": false}),
        )
        .await;
    assert_eq!(r.status(), 201);
    assert_eq!(online_outcome(&t, &qr).await, "revoked");
    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "revoked");
    assert_eq!(card["serial"], serial.as_str());
    // Back-office revocation of a revoked card: 409.
    let (status, _) =
        error_of(admin_post(&t, &format!("/api/v1/admin/cards/{serial}/revoke"), None).await).await;
    assert_eq!(status, 409);
}

async fn the_card_page_works_without_javascript(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    t.person_with(MARIO, "1980-01-01", json!({"invalidity_code": "11"}))
        .await;
    let c = t.citizen(MARIO).await;
    let me = c.get("/me").await.text().await.unwrap();
    assert!(me.contains("href=\"/me/card\""));
    let r = c.get("/me/card").await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("<label for=\"photo\">"));
    assert!(html.contains("id=\"paper_pre2010\""));
    assert!(html.contains("id=\"court_name\""));
    let csrf = csrf_of(&html);

    let post = |form: reqwest::multipart::Form| {
        c.http
            .post(format!("{}/me/card", c.base))
            .header("origin", &c.base)
            .multipart(form)
            .send()
    };
    let photo = || {
        reqwest::multipart::Part::bytes(jpeg(450, 600))
            .file_name("me.jpg")
            .mime_str("image/jpeg")
            .unwrap()
    };
    // Without the CSRF token: refused.
    let r = post(reqwest::multipart::Form::new().part("photo", photo()))
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    // A bad photo comes back to the form with the reason and what was typed.
    let r = post(
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("court_name", "Tribunale di Roma")
            .part(
                "photo",
                reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("x.txt"),
            ),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("value=\"Tribunale di Roma\""));
    // A court named without a date: the reason sits under the date field,
    // which is marked; the summary links to it.
    assert!(
        html.contains("<p id=\"court_date-error\" class=\"error-text\">"),
        "{html}"
    );
    assert!(html.contains("href=\"#court_date\""));
    // A bad photo alone: the photo field.
    let r = post(
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part(
                "photo",
                reqwest::multipart::Part::bytes(b"hello".to_vec()).file_name("x.txt"),
            ),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("aria-describedby=\"photo-hint photo-error\" aria-invalid=\"true\""),
        "{html}"
    );
    assert!(html.contains("<p id=\"photo-error\" class=\"error-text\">La foto non va bene"));
    assert!(html.contains("href=\"#photo\""));
    // A court date in the future: tied to the date field, the photo is fine.
    let r = post(
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("court_name", "Tribunale di Roma")
            .text("court_date", "2999-01-01")
            .part("photo", photo()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("aria-invalid=\"true\" aria-describedby=\"court_date-error\""),
        "{html}"
    );
    assert!(html.contains("<p id=\"court_date-error\" class=\"error-text\">"));
    assert!(!html.contains("photo-error"));
    assert!(html.contains("value=\"2999-01-01\""));
    // A good one: back to the page, pending.
    let r = post(
        reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("photo", photo()),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/card?done=applied");
    let html = c.get("/me/card?done=applied").await.text().await.unwrap();
    assert!(html.contains("In attesa di decisione"));
    assert!(
        !html.contains("enctype=\"multipart/form-data\""),
        "no second form while pending"
    );
    // Approved: the page links the PDF.
    let id = pending(&t).await[0]["application_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await;
    assert_eq!(r.status(), 200);
    let html = c.get("/me/card").await.text().await.unwrap();
    assert!(html.contains("href=\"/api/v1/me/card/pdf\""));
    assert!(html.contains("Attiva"));
}

/// Auto-approval (`ATTESTA_CARD_AUTO_APPROVE`): an eligible application
/// is issued at once.
async fn auto_approval_issues_the_card_at_once(engine: TestEngine) {
    let Some(t) = TestApp::builder(engine).auto_approve().spawn().await else {
        return;
    };
    t.app.generate_signing_key().await.unwrap();
    t.person_with(MARIO, "1980-01-01", json!({"accompaniment": true}))
        .await;
    let c = t.citizen(MARIO).await;
    let r = apply(&c, jpeg(450, 600), None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "active");
    assert!(pending(&t).await.is_empty(), "nothing for the back office");
    let card: Value = c.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "active");
    assert_eq!(card["a_mark"], true);
    assert!(
        card["qr_text"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{}/C/EUDC1:", t.base.to_uppercase())),
        "{card}"
    );
    let r = c.get("/api/v1/me/card/pdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.bytes().await.unwrap()[..5], *b"%PDF-");
}

async fn a_delegate_applies_for_the_holder(t: TestApp) {
    t.app.generate_signing_key().await.unwrap();
    t.person_with(MARIO, "1980-01-01", json!({"blindness": "absolute"}))
        .await;
    // An association's volunteer, named by the holder.
    let giulia = cf("BNCGLI85M41F205");
    let r = t
        .admin_put_person(
            &giulia,
            json!({"given_name": "Giulia", "family_name": "Bianchi", "birth_date": "1985-08-01"}),
        )
        .await;
    assert!(r.status().is_success());
    let mario = t.citizen(MARIO).await;
    let r = mario
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": giulia}))
        .await;
    assert_eq!(r.status(), 201);
    let delegate = t.citizen(&giulia).await;
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let r = apply(&delegate, jpeg(450, 600), None).await;
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    // The application is the holder's, and the holder sees who made it.
    let list = pending(&t).await;
    assert_eq!(list[0]["fiscal_code"], MARIO);
    let card: Value = mario.get("/api/v1/me/card").await.json().await.unwrap();
    assert_eq!(card["status"], "pending");
    let activity: Vec<Value> = mario.get("/api/v1/me/activity").await.json().await.unwrap();
    let applied = activity
        .iter()
        .find(|a| a["action"] == "card_applied")
        .expect("recorded");
    assert_eq!(applied["by"], "Giulia Bianchi");
    assert_eq!(applied["by_delegate"], true);
    // The delegate downloads the card once issued.
    let id = list[0]["application_id"].as_str().unwrap().to_owned();
    let r = admin_post(&t, &format!("/api/v1/admin/cards/{id}/approve"), None).await;
    assert_eq!(r.status(), 200);
    let r = delegate.get("/api/v1/me/card/pdf").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
}
