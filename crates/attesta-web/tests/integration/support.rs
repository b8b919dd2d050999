//! The test app: a real server on a random port over a fresh database
//! (SQLite, or PostgreSQL when `TEST_DATABASE_URL` is set), built by
//! [`TestApp::builder`]; logged-in [`Citizen`] and [`Operator`] clients;
//! the CSRF and error-body readers every web test uses.

use std::ops::Deref;
use std::sync::Arc;

use attesta_app::mail::{OutboxMailer, SmtpMailer};
use attesta_app::sms::SmsGateway;
use attesta_app::{App, Config, ManualClock};
use attesta_credential::ServerSecret;
use attesta_store::Store;
use attesta_testkit::{Setup, TestDatabase, TestEngine, fresh_database};
use serde_json::{Value, json};

pub const ADMIN_KEY: &str = "test-admin-key-0123456789";

pub struct TestApp {
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub app: App,
    /// An anonymous client (no login, no `Origin`).
    pub http: reqwest::Client,
    _db: TestDatabase,
    /// The card signing keys' directory (`Config::keys_dir`).
    _keys_dir: tempfile::TempDir,
}

/// A fresh anonymous client with a cookie jar that does not follow redirects.
pub fn client() -> reqwest::Client {
    attesta_app::sms::install_crypto_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// How a [`TestApp`] is made: demo mode, SMS and e-mail to the demo outbox,
/// no per-IP limits, manual approval of cards, unless told otherwise.
#[must_use]
pub struct TestAppBuilder {
    engine: TestEngine,
    sms: Option<Arc<dyn SmsGateway>>,
    smtp: Option<SmtpMailer>,
    auto_approve: bool,
    rate_limit: Option<attesta_web::RateLimit>,
    customise: Option<Box<dyn FnOnce(App) -> App>>,
    public_url: Option<String>,
    secure_cookies: bool,
}

impl TestAppBuilder {
    /// SMS go to `gateway` instead of the demo outbox.
    pub fn sms(mut self, gateway: Arc<dyn SmsGateway>) -> Self {
        self.sms = Some(gateway);
        self
    }

    /// E-mails are recorded in the demo outbox and sent through `mailer`,
    /// as the binary does in demo mode with an SMTP server configured.
    pub fn smtp(mut self, mailer: SmtpMailer) -> Self {
        self.smtp = Some(mailer);
        self
    }

    /// Eligible card applications are issued at once
    /// (`ATTESTA_CARD_AUTO_APPROVE`).
    /// The public URL the app believes it is served at (default the
    /// socket's `http://` address).
    pub fn public_url(mut self, url: &str) -> Self {
        self.public_url = Some(url.to_owned());
        self
    }

    /// Cookies as over https (`WebConfig::secure_cookies`).
    pub fn secure_cookies(mut self) -> Self {
        self.secure_cookies = true;
        self
    }

    pub fn auto_approve(mut self) -> Self {
        self.auto_approve = true;
        self
    }

    /// Per-IP limits on (they are off by default: the tests send bursts
    /// from one address).
    pub fn rate_limit(mut self, limit: attesta_web::RateLimit) -> Self {
        self.rate_limit = Some(limit);
        self
    }

    /// Adjusts the `App` last, after the settings above.
    pub fn customise(mut self, f: impl FnOnce(App) -> App + 'static) -> Self {
        self.customise = Some(Box::new(f));
        self
    }

    /// Starts the server; `None` (after printing why) when the engine is not
    /// available here.
    pub async fn spawn(self) -> Option<TestApp> {
        let db = fresh_database(self.engine).await.unwrap()?;
        let store = Store::connect(&db.url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let mut config = Config::new(self.public_url.as_deref().unwrap_or(&base));
        config.demo = true;
        config.card_auto_approve = self.auto_approve;
        let keys_dir = tempfile::tempdir().unwrap();
        config.keys_dir = Some(keys_dir.path().to_path_buf());
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let mut app = App::with_clock(store, ServerSecret::generate(), config, clock.clone());
        if let Some(gateway) = self.sms {
            app = app.with_sms(gateway);
        }
        if let Some(smtp) = self.smtp {
            let store = app.store().clone();
            app = app.with_mailer(Arc::new(OutboxMailer {
                store,
                smtp: Some(smtp),
            }));
        }
        if let Some(customise) = self.customise {
            app = customise(app);
        }
        let web = attesta_web::WebConfig {
            admin_api_key: Some(ADMIN_KEY.into()),
            secure_cookies: self.secure_cookies,
            rate_limit: self.rate_limit,
            ..attesta_web::WebConfig::default()
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
}

/// The default test app, for `on_both_engines!`.
impl Setup for TestApp {
    type Guard = ();

    async fn setup(engine: TestEngine) -> Option<(Self, ())> {
        Some((TestApp::builder(engine).spawn().await?, ()))
    }
}

impl TestApp {
    pub fn builder(engine: TestEngine) -> TestAppBuilder {
        TestAppBuilder {
            engine,
            sms: None,
            smtp: None,
            auto_approve: false,
            rate_limit: None,
            customise: None,
            public_url: None,
            secure_cookies: false,
        }
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

    /// A fresh browser logged in (demo login) with `body`.
    async fn logged_in(&self, body: Value) -> Browser {
        let http = client();
        let r = http
            .post(self.url("/api/v1/demo/login"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        Browser {
            http,
            base: self.base.clone(),
        }
    }

    /// A fresh client logged in as the citizen `cf`.
    pub async fn citizen(&self, cf: &str) -> Citizen {
        Citizen(
            self.logged_in(json!({"fiscal_code": cf, "role": "citizen"}))
                .await,
        )
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
    pub async fn operator(&self, organisation: &str) -> Operator {
        Operator(
            self.logged_in(
                json!({"fiscal_code": "BRNLSS82A41A662A", "role": "operator",
                "organisation": organisation, "name": "Alessia Bruno"}),
            )
            .await,
        )
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

/// A browser-like client: state-changing calls carry a same-origin
/// `Origin`, as browsers send it.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
}

/// A browser logged in as a citizen ([`TestApp::citizen`]).
pub struct Citizen(Browser);

/// A browser logged in as an operator ([`TestApp::operator`]).
pub struct Operator(Browser);

impl Deref for Citizen {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.0
    }
}

impl Deref for Operator {
    type Target = Browser;

    fn deref(&self) -> &Browser {
        &self.0
    }
}

impl Browser {
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

/// The CSRF token of a page's forms.
pub fn csrf_of(page: &str) -> String {
    page.split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a CSRF field")
        .to_owned()
}

/// The status and the `error` object of a JSON error answer.
pub async fn error_of(r: reqwest::Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    (status, body["error"].clone())
}

/// Opens the check of `token` as a QR reader does (`GET /v/{token}`): the
/// 303's target, `/v/check/{handle}` (SPEC §12).
pub async fn open_check(t: &TestApp, http: &reqwest::Client, token: &str) -> String {
    let r = http
        .get(t.url(&format!("/v/{token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "GET /v/{{token}} opens a check");
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to.starts_with("/v/check/") && !to.contains(token),
        "the check's address holds a handle, not the token: {to}"
    );
    to
}
