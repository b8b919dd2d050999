//! SPEC §12 and §6 through the real `attesta serve` over raw TCP: slow
//! headers closed, stalled bodies 408, slow but steady bodies served,
//! oversized and compressed bodies refused before they are read, and
//! SIGTERM finishing the request in flight before exiting 0. The timeouts
//! are set short (`ATTESTA_HEADER_READ_TIMEOUT_SECONDS=2`,
//! `ATTESTA_BODY_STALL_TIMEOUT_SECONDS=1`) so the tests take seconds.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;

const HEADER_TIMEOUT: u64 = 2;
const BODY_TIMEOUT: u64 = 1;

/// `attesta serve --demo` on SQLite in a temporary data dir; killed when
/// dropped.
struct Served {
    child: Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve() -> Served {
    let dir = tempfile::tempdir().expect("temporary directory");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_attesta"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("ATTESTA_") {
            cmd.env_remove(&key);
        }
    }
    cmd.env_remove("DATABASE_URL")
        .env("ATTESTA_LOG", "warn")
        .env(
            "ATTESTA_HEADER_READ_TIMEOUT_SECONDS",
            HEADER_TIMEOUT.to_string(),
        )
        .env(
            "ATTESTA_BODY_STALL_TIMEOUT_SECONDS",
            BODY_TIMEOUT.to_string(),
        )
        // No per-IP limit in the way of these requests.
        .env("ATTESTA_RATE_LIMIT_BURST", "100000")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["serve", "--demo", "--listen", "127.0.0.1:0"]);
    let (child, base) = crate::server::spawn_serving(cmd);
    let addr = base
        .strip_prefix("http://")
        .unwrap_or_else(|| panic!("unexpected address: {base:?}"))
        .parse()
        .expect("an address");
    Served {
        child,
        addr,
        _dir: dir,
    }
}

fn connect(s: &Served) -> TcpStream {
    let stream = TcpStream::connect(s.addr).expect("connects");
    stream.set_nodelay(true).unwrap();
    stream
}

/// A response read off the wire: status, headers (lower-case names), body.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json_code(&self) -> String {
        let v: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)));
        v["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
}

/// Reads one response (headers, then `Content-Length` bytes), failing if it
/// does not come within `within`.
fn read_answer(stream: &mut TcpStream, within: Duration) -> Answer {
    let deadline = Instant::now() + within;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no answer within {within:?}");
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => panic!(
                "closed before an answer: {:?}",
                String::from_utf8_lossy(&buf)
            ),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("no answer within {within:?}: {e}"),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP answer: {head:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .expect("a Content-Length");
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "body not complete within {within:?}");
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => panic!("closed in the body"),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(e) => panic!("body not complete: {e}"),
        }
    }
    Answer {
        status,
        headers,
        body,
    }
}

/// Waits for the server to close the connection (EOF or reset), failing
/// after `within`; returns the bytes it sent before.
fn wait_closed(stream: &mut TcpStream, within: Duration) -> Vec<u8> {
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "still open after {within:?}");
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut chunk) {
            Ok(0) => return got,
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return got,
            Err(e) => panic!("still open after {within:?}: {e}"),
        }
    }
}

fn post_head(path: &str, content_type: &str, extra: &str) -> String {
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n{extra}\r\n"
    )
}

/// A client that sends its request headers one byte a second is closed
/// once the header read timeout has passed, with no answer.
#[test]
fn a_slow_header_client_is_disconnected() {
    let s = serve();
    let start = Instant::now();
    let mut stream = connect(&s);
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow\r\n\r\n";
    stream
        .set_read_timeout(Some(Duration::from_millis(1000)))
        .unwrap();
    let mut chunk = [0u8; 256];
    let closed_after = 'outer: {
        for byte in request {
            if stream.write_all(&[*byte]).is_err() {
                break 'outer start.elapsed();
            }
            // One byte a second: wait for the second, watching for a close.
            match stream.read(&mut chunk) {
                Ok(0) => break 'outer start.elapsed(),
                Ok(n) => panic!(
                    "answered a request not yet sent: {:?}",
                    String::from_utf8_lossy(&chunk[..n])
                ),
                Err(e) if e.kind() == ErrorKind::ConnectionReset => break 'outer start.elapsed(),
                Err(_) => {} // the second passed
            }
        }
        panic!("the whole slow request was sent and the connection kept");
    };
    let timeout = Duration::from_secs(HEADER_TIMEOUT);
    assert!(
        closed_after >= timeout && closed_after < timeout + Duration::from_secs(2),
        "closed after {closed_after:?} (header read timeout {timeout:?})"
    );
}

/// A body that stops arriving gets 408 `request_timeout`, as JSON on the
/// API and as a page elsewhere, and the connection is closed.
#[test]
fn a_stalled_body_gets_408() {
    let s = serve();
    let mut stream = connect(&s);
    let body = br#"{"token": "K7QH"#;
    let head = post_head(
        "/api/v1/verify",
        "application/json",
        "Content-Length: 100\r\n",
    );
    stream.write_all(head.as_bytes()).unwrap();
    let start = Instant::now();
    stream.write_all(body).unwrap();
    let answer = read_answer(&mut stream, Duration::from_secs(BODY_TIMEOUT + 3));
    assert!(start.elapsed() >= Duration::from_secs(BODY_TIMEOUT));
    assert_eq!(answer.status, 408, "{answer:?}");
    assert_eq!(answer.json_code(), "request_timeout");
    assert_eq!(answer.header("connection"), Some("close"));
    wait_closed(&mut stream, Duration::from_secs(2));

    // A page form: the same, as a page.
    let mut stream = connect(&s);
    let head = post_head(
        "/v",
        "application/x-www-form-urlencoded",
        &format!("Content-Length: 100\r\nOrigin: http://{}\r\n", s.addr),
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(b"code=K7Q").unwrap();
    let answer = read_answer(&mut stream, Duration::from_secs(BODY_TIMEOUT + 3));
    assert_eq!(answer.status, 408, "{answer:?}");
    assert!(
        answer
            .header("content-type")
            .is_some_and(|ct| ct.starts_with("text/html")),
        "{answer:?}"
    );
}

/// A slow but steady body (a byte every half second, longer in all than the
/// stall timeout) is read to its end and answered by the handler.
#[test]
fn a_slow_but_steady_body_gets_through() {
    let s = serve();
    let mut stream = connect(&s);
    // `{}` padded to 8 bytes: 4 s on the wire with a 1 s stall timeout.
    let body = b"{      }";
    let head = post_head(
        "/api/v1/verify",
        "application/json",
        &format!("Content-Length: {}\r\n", body.len()),
    );
    stream.write_all(head.as_bytes()).unwrap();
    let start = Instant::now();
    for byte in body {
        std::thread::sleep(Duration::from_millis(500));
        stream.write_all(&[*byte]).unwrap();
    }
    assert!(start.elapsed() > Duration::from_secs(BODY_TIMEOUT * 3));
    let answer = read_answer(&mut stream, Duration::from_secs(5));
    // The handler's own answer to `{}`, not a failed read.
    assert_eq!(answer.status, 400, "{answer:?}");
    let v: Value = serde_json::from_slice(&answer.body).unwrap();
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("`fiscal_code` is required"), "{v}");
}

/// A declared 50 MB body is refused at once, after a few KB of it were
/// sent: 413 `payload_too_large` within a second, then the connection is
/// closed (the rest is never waited for). On the API (public and back
/// office), the page forms and the card upload.
#[test]
fn an_oversized_declared_body_is_refused_at_once() {
    let s = serve();
    let routes = [
        ("POST", "/api/v1/verify", "application/json", true),
        (
            "PUT",
            "/api/v1/admin/people/RSSMRA80A01H501U",
            "application/json",
            true,
        ),
        (
            "POST",
            "/api/v1/me/card",
            "multipart/form-data; boundary=x",
            true,
        ),
        ("POST", "/v", "application/x-www-form-urlencoded", false),
        ("POST", "/me/card", "multipart/form-data; boundary=x", false),
    ];
    for (method, path, content_type, api) in routes {
        let mut stream = connect(&s);
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nContent-Length: 52428800\r\nOrigin: http://{}\r\n\r\n",
            s.addr
        );
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&[b'a'; 4096]).unwrap();
        let start = Instant::now();
        let answer = read_answer(&mut stream, Duration::from_secs(1));
        assert_eq!(answer.status, 413, "{path}: {answer:?}");
        if api {
            assert_eq!(answer.json_code(), "payload_too_large", "{path}");
        } else {
            assert!(
                answer
                    .header("content-type")
                    .is_some_and(|ct| ct.starts_with("text/html")),
                "{path}: {answer:?}"
            );
        }
        wait_closed(&mut stream, Duration::from_secs(1));
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "{path}: {:?}",
            start.elapsed()
        );
    }
}

/// A chunked body that never ends is refused as soon as it passes the
/// limit, and the server stops reading: the sender's writes fail long
/// before it could send what it meant to.
#[test]
fn an_endless_chunked_body_is_cut_off() {
    let s = serve();
    for (path, content_type) in [
        ("/api/v1/verify", "application/json"),
        ("/v", "application/x-www-form-urlencoded"),
    ] {
        let mut stream = connect(&s);
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\nTransfer-Encoding: chunked\r\nOrigin: http://{}\r\n\r\n",
            s.addr
        );
        stream.write_all(head.as_bytes()).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let start = Instant::now();
        // Up to 200 MB, 16 KiB a chunk, until the server closes.
        let sender = std::thread::spawn(move || {
            let chunk = [b' '; 16 * 1024];
            let mut sent = 0usize;
            while sent < 200 * 1024 * 1024 {
                let framed =
                    [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                if writer.write_all(&framed).is_err() {
                    return (sent, true);
                }
                sent += chunk.len();
            }
            (sent, false)
        });
        let answer = read_answer(&mut stream, Duration::from_secs(1));
        assert_eq!(answer.status, 413, "{path}: {answer:?}");
        let _ = wait_closed(&mut stream, Duration::from_secs(2));
        let (sent, cut_off) = sender.join().unwrap();
        assert!(cut_off, "{path}: the server read all {sent} bytes");
        assert!(
            sent < 50 * 1024 * 1024,
            "{path}: {sent} bytes went before the cut"
        );
        assert!(start.elapsed() < Duration::from_secs(3), "{path}");
    }
}

/// No compressed request bodies: 415 with a clear message, never the
/// bytes read as JSON.
#[test]
fn a_compressed_body_is_refused() {
    let s = serve();
    // `{"token": "K7QH", "fiscal_code": "RSSMRA80A01H501U"}`, gzipped.
    let body = GZIPPED;
    let mut stream = connect(&s);
    let head = post_head(
        "/api/v1/verify",
        "application/json",
        &format!(
            "Content-Encoding: gzip\r\nContent-Length: {}\r\n",
            body.len()
        ),
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let answer = read_answer(&mut stream, Duration::from_secs(2));
    assert_eq!(answer.status, 415, "{answer:?}");
    assert_eq!(answer.json_code(), "unsupported_content_encoding");
    let v: Value = serde_json::from_slice(&answer.body).unwrap();
    let message = v["error"]["message"].as_str().unwrap();
    assert!(message.contains("compressed"), "{message}");
}

/// SIGTERM (SPEC §12): new connections are refused, the request in flight
/// is answered, then the process exits 0.
#[test]
fn sigterm_finishes_the_request_in_flight_then_exits_0() {
    let mut s = serve();
    let mut stream = connect(&s);
    let body = b"{      }";
    let head = post_head(
        "/api/v1/verify",
        "application/json",
        &format!("Content-Length: {}\r\n", body.len()),
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..3]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let killed = Command::new("kill")
        .args(["-TERM", &s.child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    // Stopped accepting: a new connection is refused (within a moment).
    let deadline = Instant::now() + Duration::from_secs(2);
    while TcpStream::connect(s.addr).is_ok() {
        assert!(Instant::now() < deadline, "still accepting after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
    // The request in flight goes on and is answered by its handler.
    stream.write_all(&body[3..]).unwrap();
    let answer = read_answer(&mut stream, Duration::from_secs(5));
    assert_eq!(answer.status, 400, "{answer:?}");
    assert!(String::from_utf8_lossy(&answer.body).contains("`fiscal_code` is required"));
    // Then the process exits 0, well within the 10 s grace.
    let deadline = Instant::now() + Duration::from_secs(8);
    let status = loop {
        if let Some(status) = s.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(0));
}

/// A gzipped JSON body, made with Python's `gzip.compress`.
const GZIPPED: &[u8] = &[
    31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 171, 86, 42, 201, 207, 78, 205, 83, 178, 82, 80, 242, 54, 15,
    244, 80, 210, 81, 80, 74, 203, 44, 78, 78, 204, 137, 79, 206, 79, 73, 5, 9, 7, 5, 7, 251, 6,
    57, 90, 24, 56, 26, 24, 122, 152, 26, 24, 134, 42, 213, 2, 0, 40, 119, 35, 51, 52, 0, 0, 0,
];
