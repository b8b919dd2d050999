//! Issue #14, documents for the commission (SPEC §11): the holder (or a
//! delegate acting for them) sends a PDF, JPEG or PNG for an open
//! application; the type is told by the content, images come back without
//! metadata, a body over 10 MiB is refused while it streams; the back
//! office lists and downloads them. On both engines.

use attesta_domain::format_date;
use attesta_testkit::on_both_engines;
use attesta_testkit::people::{GIULIA, MARIO, cf};
use serde_json::{Value, json};

use crate::support::{ADMIN_KEY, Citizen, TestApp, csrf_of, error_of};

on_both_engines!(
    documents_are_stored_clean_and_read_back,
    refused_uploads_store_nothing,
    too_large_is_refused_while_streaming,
    a_delegate_sends_and_lists_for_the_holder,
    the_back_office_lists_and_downloads,
    the_page_sends_and_lists_documents,
);

/// A small PDF with a correct cross-reference table.
fn pdf() -> Vec<u8> {
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

const SECRET: &[u8] = b"GPS-45.4642N-9.1900E";

fn image() -> image::RgbImage {
    image::RgbImage::from_fn(64, 48, |x, y| {
        image::Rgb([(x * 3) as u8, (y * 5) as u8, 90])
    })
}

/// A PNG with an eXIf chunk (after IHDR) holding [`SECRET`].
fn png_with_exif() -> Vec<u8> {
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image())
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let mut data = b"MM\0\x2a\0\0\0\x08\0\0".to_vec();
    data.extend_from_slice(SECRET);
    let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
    chunk.extend_from_slice(b"eXIf");
    chunk.extend_from_slice(&data);
    let crc = crc32(&chunk[4..]);
    chunk.extend_from_slice(&crc.to_be_bytes());
    png.splice(33..33, chunk);
    assert!(image::load_from_memory(&png).is_ok(), "a valid PNG");
    png
}

/// A JPEG with an APP1 Exif segment (after SOI) holding [`SECRET`].
fn jpeg_with_exif() -> Vec<u8> {
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
        .encode_image(&image())
        .unwrap();
    let mut payload = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\0".to_vec();
    payload.extend_from_slice(SECRET);
    let mut segment = vec![0xFF, 0xE1];
    segment.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
    segment.extend_from_slice(&payload);
    jpeg.splice(2..2, segment);
    assert!(image::load_from_memory(&jpeg).is_ok(), "a valid JPEG");
    jpeg
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn today(t: &TestApp) -> String {
    format_date(t.app.today())
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

async fn admin_get(t: &TestApp, path: &str) -> reqwest::Response {
    t.http
        .get(t.url(path))
        .bearer_auth(ADMIN_KEY)
        .send()
        .await
        .unwrap()
}

/// The person on record and a reform application opened for them by a
/// certificate (state `started`); answers its id.
async fn application(t: &TestApp, code: &str, certificate_id: &str) -> String {
    let r = t
        .admin_put_person(
            code,
            json!({"given_name": "Mario", "family_name": "Rossi", "birth_date": "1980-01-01"}),
        )
        .await;
    assert!(r.status().is_success());
    let (s, body) = admin_post(
        t,
        "/api/v1/admin/certificates",
        json!({"certificate_id": certificate_id, "fiscal_code": code, "issued_on": today(t),
               "purposes": ["invalidity"], "province": "BA", "procedure": "reform"}),
    )
    .await;
    assert_eq!(s, 201, "{body}");
    body["application_id"].as_str().unwrap().to_owned()
}

async fn upload_with(
    http: &reqwest::Client,
    base: &str,
    application_id: &str,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes)
            .file_name(name.to_owned())
            .mime_str(mime)
            .unwrap(),
    );
    http.post(format!(
        "{base}/api/v1/me/applications/{application_id}/documents"
    ))
    .header("origin", base)
    .multipart(form)
    .send()
    .await
    .unwrap()
}

async fn upload(
    c: &Citizen,
    application_id: &str,
    bytes: Vec<u8>,
    name: &str,
    mime: &str,
) -> reqwest::Response {
    upload_with(&c.http, &c.base, application_id, bytes, name, mime).await
}

/// Uploads a document that must be accepted; answers its id.
async fn uploaded(c: &Citizen, application_id: &str, bytes: Vec<u8>, name: &str) -> String {
    let r = upload(c, application_id, bytes, name, "application/octet-stream").await;
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["document_id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn listed(c: &Citizen) -> Vec<Value> {
    let r = c.get("/api/v1/me/documents").await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    r.json::<Value>().await.unwrap().as_array().unwrap().clone()
}

/// The stored bytes of a document, through the back office.
async fn stored(t: &TestApp, document_id: &str) -> (String, Vec<u8>) {
    let r = admin_get(t, &format!("/api/v1/admin/documents/{document_id}")).await;
    assert_eq!(r.status(), 200);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    (ct, r.bytes().await.unwrap().to_vec())
}

async fn documents_are_stored_clean_and_read_back(t: TestApp) {
    let app = application(&t, MARIO, "CERT-D1").await;
    let mario = t.citizen(MARIO).await;
    assert!(listed(&mario).await.is_empty());

    // A PDF is kept byte for byte, whatever it was called.
    let sent = pdf();
    let pdf_id = uploaded(&mario, &app, sent.clone(), "Referto visita.pdf").await;
    assert_eq!(stored(&t, &pdf_id).await, ("application/pdf".into(), sent));

    // A PNG with an eXIf chunk comes back without it, and still decodes.
    let png = png_with_exif();
    assert!(contains(&png, b"eXIf") && contains(&png, SECRET));
    let png_id = uploaded(&mario, &app, png, "foto.png").await;
    let (ct, clean) = stored(&t, &png_id).await;
    assert_eq!(ct, "image/png");
    assert!(!contains(&clean, b"eXIf"), "no eXIf chunk");
    assert!(!contains(&clean, SECRET));
    let img = image::load_from_memory(&clean).unwrap();
    assert_eq!((img.width(), img.height()), (64, 48));

    // A JPEG with an Exif segment: stored without it. The name says PNG,
    // the content is a JPEG: the content wins.
    let jpeg = jpeg_with_exif();
    assert!(contains(&jpeg, b"Exif\0\0") && contains(&jpeg, SECRET));
    let jpeg_id = uploaded(&mario, &app, jpeg, "scan.png").await;
    let (ct, clean) = stored(&t, &jpeg_id).await;
    assert_eq!(ct, "image/jpeg");
    assert!(!contains(&clean, b"Exif"), "no Exif segment");
    assert!(!contains(&clean, SECRET));
    let img = image::load_from_memory(&clean).unwrap();
    assert_eq!((img.width(), img.height()), (64, 48));

    let all = listed(&mario).await;
    assert_eq!(all.len(), 3);
    let ids: Vec<&str> = all
        .iter()
        .map(|d| d["document_id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&pdf_id.as_str()) && ids.contains(&png_id.as_str()));
    let the_pdf = all
        .iter()
        .find(|d| d["document_id"] == pdf_id.as_str())
        .unwrap();
    assert_eq!(the_pdf["application_id"], app.as_str());
    assert_eq!(the_pdf["content_type"], "application/pdf");
    assert_eq!(the_pdf["size"], pdf().len());
    assert_eq!(the_pdf["file_name"], "Referto_visita.pdf");
    assert_eq!(the_pdf["by_delegate"], false);
    let the_jpeg = all
        .iter()
        .find(|d| d["document_id"] == jpeg_id.as_str())
        .unwrap();
    assert_eq!(
        the_jpeg["file_name"], "scan.jpg",
        "the extension of the content"
    );

    // The activity says so.
    let activity: Value = mario.get("/api/v1/me/activity").await.json().await.unwrap();
    let sent_count = activity
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "document_sent")
        .count();
    assert_eq!(sent_count, 3);
}

async fn refused_uploads_store_nothing(t: TestApp) {
    let app = application(&t, MARIO, "CERT-D2").await;
    let giulia = cf(&GIULIA[..15]);
    let theirs = application(&t, &giulia, "CERT-D3").await;
    let mario = t.citizen(MARIO).await;

    // Random bytes named x.pdf, declared application/pdf: 415.
    let noise: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let (s, e) = error_of(upload(&mario, &app, noise, "x.pdf", "application/pdf").await).await;
    assert_eq!((s, e["code"].as_str()), (415, Some("unsupported_document")));
    assert!(e["message"].as_str().unwrap().contains("PDF, JPEG or PNG"));

    // Starts like a PDF, does not parse: 415.
    let fake = b"%PDF-1.7\n1 0 obj << /Type /Catalog broken".to_vec();
    let (s, e) = error_of(upload(&mario, &app, fake, "a.pdf", "application/pdf").await).await;
    assert_eq!((s, e["code"].as_str()), (415, Some("unsupported_document")));

    // A truncated PNG: 415.
    let mut png = png_with_exif();
    png.truncate(60);
    let (s, e) = error_of(upload(&mario, &app, png, "a.png", "image/png").await).await;
    assert_eq!((s, e["code"].as_str()), (415, Some("unsupported_document")));

    // Someone else's application, or none: the same 404.
    for id in [theirs.as_str(), "no-such-application"] {
        let (s, e) = error_of(upload(&mario, id, pdf(), "a.pdf", "application/pdf").await).await;
        assert_eq!((s, e["code"].as_str()), (404, Some("unknown_application")));
    }

    // No `file` field: 400 saying what to send.
    let r = mario
        .http
        .post(format!(
            "{}/api/v1/me/applications/{app}/documents",
            mario.base
        ))
        .header("origin", &mario.base)
        .multipart(reqwest::multipart::Form::new().text("note", "x"))
        .send()
        .await
        .unwrap();
    let (s, e) = error_of(r).await;
    assert_eq!((s, e["code"].as_str()), (400, Some("invalid_request")));
    assert!(e["message"].as_str().unwrap().contains("`file`"));

    // Not logged in: 401.
    let anonymous = crate::support::client();
    let r = upload_with(&anonymous, &t.base, &app, pdf(), "a.pdf", "application/pdf").await;
    assert_eq!(r.status(), 401);
    let r = anonymous
        .get(t.url("/api/v1/me/documents"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // A withdrawn application takes no more documents: 409.
    let (s, body) = admin_post(
        &t,
        &format!("/api/v1/admin/applications/{app}/events"),
        json!({"event": "withdrawn", "on": today(&t)}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let (s, e) = error_of(upload(&mario, &app, pdf(), "a.pdf", "application/pdf").await).await;
    assert_eq!((s, e["code"].as_str()), (409, Some("application_closed")));
    assert!(e["message"].as_str().unwrap().contains("withdrawn"));

    assert!(listed(&mario).await.is_empty(), "nothing stored");
    let r = admin_get(&t, &format!("/api/v1/admin/applications/{app}/documents")).await;
    assert_eq!(r.json::<Value>().await.unwrap(), json!([]));
    let activity: Value = mario.get("/api/v1/me/activity").await.json().await.unwrap();
    assert!(
        !activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "document_sent")
    );
}

/// The session cookie of a fresh demo login, for a raw socket.
async fn session_cookie(t: &TestApp, code: &str) -> String {
    let r = crate::support::client()
        .post(t.url("/api/v1/demo/login"))
        .json(&json!({"fiscal_code": code, "role": "citizen"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ")
}

async fn too_large_is_refused_while_streaming(t: TestApp) {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = application(&t, MARIO, "CERT-D4").await;
    let mario = t.citizen(MARIO).await;
    let cookie = session_cookie(&t, MARIO).await;
    let host = t.base.trim_start_matches("http://").to_owned();
    let socket = tokio::net::TcpStream::connect(&host).await.unwrap();
    let (mut rx, mut tx) = socket.into_split();

    // 11 MiB of a PDF-looking file, chunked (no Content-Length to refuse
    // up front): the server must stop it as it streams past 10 MiB.
    const TOTAL: usize = 11 * 1024 * 1024;
    let boundary = "XdocumentsX";
    let head = format!(
        "POST /api/v1/me/applications/{app}/documents HTTP/1.1\r\nHost: {host}\r\n\
         Origin: {}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Transfer-Encoding: chunked\r\n\r\n",
        t.base
    );
    let part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n\
         Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
    );
    // 10.5 MiB are sent, then the client waits (up to 10 s) for an answer
    // before sending the rest: a server that reads the whole body first
    // never answers in time, and the rest is sent.
    const FIRST: usize = 10 * 1024 * 1024 + 512 * 1024;
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let (answered, wait_answer) = tokio::sync::oneshot::channel::<()>();
    let writer = tokio::spawn(async move {
        tx.write_all(head.as_bytes()).await?;
        let chunk = |data: &[u8]| {
            let mut c = format!("{:x}\r\n", data.len()).into_bytes();
            c.extend_from_slice(data);
            c.extend_from_slice(b"\r\n");
            c
        };
        tx.write_all(&chunk(part.as_bytes())).await?;
        let block = vec![b'0'; 64 * 1024];
        while counter.load(Ordering::SeqCst) < FIRST {
            tx.write_all(&chunk(&block)).await?;
            counter.fetch_add(block.len(), Ordering::SeqCst);
        }
        if tokio::time::timeout(std::time::Duration::from_secs(10), wait_answer)
            .await
            .is_ok()
        {
            return Ok(());
        }
        while counter.load(Ordering::SeqCst) < TOTAL {
            tx.write_all(&chunk(&block)).await?;
            counter.fetch_add(block.len(), Ordering::SeqCst);
        }
        tx.write_all(&chunk(format!("\r\n--{boundary}--\r\n").as_bytes()))
            .await?;
        tx.write_all(b"0\r\n\r\n").await?;
        Ok::<(), std::io::Error>(())
    });

    // The answer's head, read as soon as it comes.
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let sent_at_answer = loop {
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), rx.read(&mut buf))
            .await
            .expect("an answer within 30 s")
            .unwrap_or(0);
        answer.extend_from_slice(&buf[..n]);
        if n == 0 || answer.windows(4).any(|w| w == b"\r\n\r\n") {
            break sent.load(Ordering::SeqCst);
        }
    };
    let _ = answered.send(());
    let _ = writer.await;
    let text = String::from_utf8_lossy(&answer).to_string();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        sent_at_answer < TOTAL,
        "answered after {sent_at_answer} of {TOTAL} bytes: the body was not read whole"
    );
    // The rest of the JSON answer names this endpoint's limit.
    let mut rest = Vec::new();
    let _ =
        tokio::time::timeout(std::time::Duration::from_secs(5), rx.read_to_end(&mut rest)).await;
    answer.extend_from_slice(&rest);
    let text = String::from_utf8_lossy(&answer).to_string();
    assert!(text.contains("payload_too_large"), "{text}");
    assert!(text.contains("10 MiB"), "{text}");

    // A declared Content-Length over the limit: refused before a byte of
    // the body is sent.
    let mut socket = tokio::net::TcpStream::connect(&host).await.unwrap();
    let head = format!(
        "POST /api/v1/me/applications/{app}/documents HTTP/1.1\r\nHost: {host}\r\n\
         Origin: {}\r\nCookie: {cookie}\r\n\
         Content-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {TOTAL}\r\n\r\n",
        t.base
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        socket.read_to_end(&mut answer),
    )
    .await
    .expect("answered without the body")
    .unwrap();
    let text = String::from_utf8_lossy(&answer).to_string();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(
        text.contains("payload_too_large") && text.contains("10 MiB"),
        "{text}"
    );
    assert!(listed(&mario).await.is_empty(), "nothing stored");
}

async fn a_delegate_sends_and_lists_for_the_holder(t: TestApp) {
    let app = application(&t, MARIO, "CERT-D5").await;
    let giulia = cf(&GIULIA[..15]);
    let r = t
        .admin_put_person(
            &giulia,
            json!({"given_name": "Giulia", "family_name": "Bianchi", "birth_date": "1985-08-12"}),
        )
        .await;
    assert!(r.status().is_success());
    let mario = t.citizen(MARIO).await;
    let r = mario
        .post_json("/api/v1/me/delegates", &json!({"fiscal_code": giulia}))
        .await;
    assert_eq!(r.status(), 201);

    let delegate = t.citizen(&giulia).await;
    // In her own area, Mario's application is not hers.
    let r = upload(&delegate, &app, pdf(), "a.pdf", "application/pdf").await;
    assert_eq!(r.status(), 404);
    let r = delegate
        .post_json("/api/v1/me/acting-for", &json!({"fiscal_code": MARIO}))
        .await;
    assert_eq!(r.status(), 200);
    let id = uploaded(&delegate, &app, pdf(), "verbale precedente.pdf").await;
    let theirs = listed(&delegate).await;
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["document_id"], id.as_str());
    assert_eq!(theirs[0]["by_delegate"], true);
    let own = listed(&mario).await;
    assert_eq!(own.len(), 1, "the holder sees it too");
    let activity: Value = mario.get("/api/v1/me/activity").await.json().await.unwrap();
    assert!(
        activity
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["action"] == "document_sent" && a["by_delegate"] == true),
        "{activity}"
    );
}

async fn the_back_office_lists_and_downloads(t: TestApp) {
    let app = application(&t, MARIO, "CERT-D6").await;
    let mario = t.citizen(MARIO).await;
    let id = uploaded(&mario, &app, pdf(), "referto.pdf").await;

    let r = admin_get(&t, &format!("/api/v1/admin/applications/{app}/documents")).await;
    assert_eq!(r.status(), 200);
    let list: Value = r.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["document_id"], id.as_str());
    assert_eq!(list[0]["file_name"], "referto.pdf");

    let r = admin_get(&t, &format!("/api/v1/admin/documents/{id}")).await;
    assert_eq!(r.status(), 200);
    let h = r.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(
        h["content-disposition"],
        "attachment; filename=\"referto.pdf\""
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "no-store");
    assert_eq!(r.bytes().await.unwrap().to_vec(), pdf(), "byte-identical");

    let (s, e) = error_of(admin_get(&t, "/api/v1/admin/documents/nope").await).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("unknown_document")));
    let (s, e) = error_of(admin_get(&t, "/api/v1/admin/applications/nope/documents").await).await;
    assert_eq!((s, e["code"].as_str()), (404, Some("unknown_application")));
    // Without the admin key: 401, and a citizen's session is no key.
    for path in [
        format!("/api/v1/admin/documents/{id}"),
        format!("/api/v1/admin/applications/{app}/documents"),
    ] {
        let r = t.http.get(t.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), 401, "{path}");
        assert_eq!(mario.get(&path).await.status(), 401, "{path}");
    }
}

async fn page_upload(
    c: &Citizen,
    app: &str,
    csrf: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_owned())
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()),
        );
    c.http
        .post(format!("{}/me/applications/{app}/documents", c.base))
        .header("origin", &c.base)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn the_page_sends_and_lists_documents(t: TestApp) {
    let app = application(&t, MARIO, "CERT-D7").await;
    let mario = t.citizen(MARIO).await;
    let html = mario.get("/me/applications").await.text().await.unwrap();
    assert!(html.contains(&format!("action=\"/me/applications/{app}/documents\"")));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains(&format!("<label for=\"file-{app}\">")));
    assert!(html.contains("10 MiB"), "the hint names the limit");
    let csrf = csrf_of(&html);

    // A wrong CSRF token: refused, nothing stored.
    let r = page_upload(&mario, &app, "wrong", pdf(), "a.pdf").await;
    assert_eq!(r.status(), 403);
    // A renamed binary: the page again, saying why, nothing stored.
    let r = page_upload(&mario, &app, &csrf, b"MZ\x90\0 not a pdf".to_vec(), "x.pdf").await;
    assert_eq!(r.status(), 415);
    let html = r.text().await.unwrap();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("PDF, JPEG"), "says what to send");
    assert!(listed(&mario).await.is_empty());

    let r = page_upload(&mario, &app, &csrf, pdf(), "referto.pdf").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/me/applications?done=document");
    let html = mario
        .get("/me/applications?done=document")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("referto.pdf (PDF)"),
        "listed under its application"
    );
    assert_eq!(listed(&mario).await.len(), 1);

    // Once withdrawn: no form, the documents still listed.
    let (s, body) = admin_post(
        &t,
        &format!("/api/v1/admin/applications/{app}/events"),
        json!({"event": "withdrawn", "on": today(&t)}),
    )
    .await;
    assert_eq!(s, 200, "{body}");
    let html = mario.get("/me/applications").await.text().await.unwrap();
    assert!(!html.contains(&format!("action=\"/me/applications/{app}/documents\"")));
    assert!(html.contains("referto.pdf (PDF)"));
}
