//! The test-app builder: a real server on a random port over a fresh
//! database (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set).

use std::sync::Arc;

use attesta_app::{App, Config, ManualClock};
use attesta_credential::ServerSecret;
use attesta_store::Store;
use attesta_store::testing::{TestDatabase, TestEngine, fresh_database, in_ci};
use serde_json::{Value, json};

pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub app: App,
    pub http: reqwest::Client,
    _db: TestDatabase,
    /// The card signing keys' directory (`Config::keys_dir`).
    _keys_dir: tempfile::TempDir,
}

pub fn client() -> reqwest::Client {
    attesta_app::sms::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub async fn spawn(engine: TestEngine) -> Option<TestApp> {
        Self::spawn_with_sms(engine, None).await
    }

    /// A server whose SMS go to `gateway` instead of the demo outbox.
    pub async fn spawn_with_sms(
        engine: TestEngine,
        gateway: Option<Arc<dyn attesta_app::sms::SmsGateway>>,
    ) -> Option<TestApp> {
        Self::spawn_with(engine, move |app| match gateway {
            Some(g) => app.with_sms(g),
            None => app,
        })
        .await
    }

    /// A server whose `App` is adjusted by `customise` (gateways, mailers).
    pub async fn spawn_with(
        engine: TestEngine,
        customise: impl FnOnce(App) -> App,
    ) -> Option<TestApp> {
        Self::spawn_full(engine, customise, None).await
    }

    /// A server with per-IP limits on (they are off in the other tests,
    /// which send bursts from one address).
    pub async fn spawn_full(
        engine: TestEngine,
        customise: impl FnOnce(App) -> App,
        rate_limit: Option<attesta_web::RateLimit>,
    ) -> Option<TestApp> {
        let db = fresh_database(engine).await.unwrap()?;
        let store = Store::connect(&db.url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new(&base);
        config.demo = true;
        let keys_dir = tempfile::tempdir().unwrap();
        config.keys_dir = Some(keys_dir.path().to_path_buf());
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let mut app = App::with_clock(store, ServerSecret::generate(), config, clock.clone());
        app = customise(app);
        let web = attesta_web::WebConfig {
            admin_api_key: Some(ADMIN_KEY.into()),
            secure_cookies: false,
            rate_limit,
        };
        tokio::spawn(attesta_web::serve(listener, app.clone(), web));
        Some(TestApp {
            base,
            clock,
            app,
            http: client(),
            _db: db,
            _keys_dir: keys_dir,
        })
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn admin_put_person(&self, cf: &str, body: Value) -> reqwest::Response {
        self.http
            .put(self.url(&format!("/api/v1/admin/people/{cf}")))
            .bearer_auth(ADMIN_KEY)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn admin_post_verbale(&self, body: Value) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/admin/verbali"))
            .bearer_auth(ADMIN_KEY)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// A person with a verbale whose findings are `findings`.
    pub async fn person_with(&self, cf: &str, birth_date: &str, findings: Value) {
        let r = self
            .admin_put_person(
                cf,
                json!({"given_name": "Mario", "family_name": "Rossi",
                "birth_date": birth_date, "email": "mario@example.it", "mobile": "+393331234567"}),
            )
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
        let mut v = json!({"verbale_id": format!("V-{cf}"), "fiscal_code": cf, "kind": "first_instance",
            "session_date": "2024-05-10", "definitive": true, "source": "telematic"});
        v.as_object_mut()
            .unwrap()
            .extend(findings.as_object().unwrap().clone());
        let r = self.admin_post_verbale(v).await;
        assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
    }

    /// A fresh client logged in as the citizen `cf`.
    pub async fn citizen(&self, cf: &str) -> Citizen {
        let http = client();
        let r = http
            .post(self.url("/api/v1/demo/login"))
            .json(&json!({"fiscal_code": cf, "role": "citizen"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        Citizen {
            http,
            base: self.base.clone(),
        }
    }

    /// Person, privacy notice and attestation: returns the token.
    pub async fn attested(&self, cf: &str, findings: Value) -> String {
        self.person_with(cf, "1980-01-01", findings).await;
        let c = self.citizen(cf).await;
        assert_eq!(c.post("/api/v1/me/privacy-notice").await.status(), 204);
        let r = c.post("/api/v1/me/attestation").await;
        assert_eq!(r.status(), 201);
        let body: Value = r.json().await.unwrap();
        token_of(body["url"].as_str().unwrap())
    }

    /// A fresh client logged in as an operator of `organisation`.
    pub async fn operator(&self, organisation: &str) -> Citizen {
        let http = client();
        let r = http
            .post(self.url("/api/v1/demo/login"))
            .json(
                &json!({"fiscal_code": "BRNLSS82A41A662A", "role": "operator",
                "organisation": organisation, "name": "Alessia Bruno"}),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        Citizen {
            http,
            base: self.base.clone(),
        }
    }

    /// The newest SMS in the demo outbox, and the 6-digit code in it.
    pub async fn last_sms(&self) -> (Value, String) {
        let outbox: Value = self
            .http
            .get(self.url("/api/v1/demo/outbox"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let sms = outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["channel"] == "sms")
            .expect("an SMS in the outbox")
            .clone();
        let body = sms["body"].as_str().unwrap();
        let code = body
            .split(|c: char| !c.is_ascii_digit())
            .find(|run| run.len() == 6)
            .expect("a 6-digit code")
            .to_owned();
        (sms, code)
    }

    pub async fn verify(&self, token: &str, cf: &str) -> reqwest::Response {
        self.http
            .post(self.url("/api/v1/verify"))
            .json(&json!({"token": token, "fiscal_code": cf}))
            .send()
            .await
            .unwrap()
    }
}

pub fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_owned()
}

/// A logged-in browser-like client: state-changing calls carry a
/// same-origin `Origin`, as browsers send it.
pub struct Citizen {
    pub http: reqwest::Client,
    pub base: String,
}

impl Citizen {
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, path))
            .header("origin", &self.base)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{}", self.base, path))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str) -> reqwest::Response {
        self.http
            .post(format!("{}{}", self.base, path))
            .header("origin", &self.base)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.http
            .delete(format!("{}{}", self.base, path))
            .header("origin", &self.base)
            .send()
            .await
            .unwrap()
    }
}

/// True when `tool` is on the PATH. Absent: skipped with a printed reason on
/// a developer's machine, a failure under `CI=true`.
pub fn require_tool(tool: &str, package: &str) -> bool {
    let found = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        if in_ci() {
            panic!("CI=true but {tool} is missing: install the Debian package {package}");
        }
        eprintln!("skipped: {tool} is not installed (Debian package {package})");
    }
    found
}

/// Renders page `page` of a PDF with pdftoppm and reads its QR with ZBar.
pub fn scan_pdf_page(pdf: &[u8], page: u32) -> Option<String> {
    if !(require_tool("pdftoppm", "poppler-utils") && require_tool("zbarimg", "zbar-tools")) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("doc.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let out = dir.path().join("page");
    let p = page.to_string();
    let status = std::process::Command::new("pdftoppm")
        .args(["-r", "300", "-png", "-f", &p, "-l", &p])
        .arg(&pdf_path)
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let png = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let zbar = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(zbar.status.success(), "zbarimg found no QR on page {page}");
    Some(String::from_utf8(zbar.stdout).unwrap().trim().to_owned())
}

/// The standard output of a poppler tool (`pdfinfo`, `pdftotext`, …) run on
/// `pdf` (`pdftotext` writes to stdout); `None` when poppler is missing on a
/// developer's machine (a failure under CI).
pub fn poppler(tool: &str, pdf: &[u8]) -> Option<String> {
    if !require_tool(tool, "poppler-utils") {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = std::process::Command::new(tool);
    cmd.arg(&path);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{tool} failed: {:?}", out.stderr);
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
