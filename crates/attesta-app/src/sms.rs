//! Sending SMS: the one outside service (SPEC §1). A trait with an HTTP
//! gateway for service and an outbox for demo mode.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use attesta_store::{OutboxMessage, Store, ids};
use secrecy::{ExposeSecret, SecretString};

/// Why a message was not delivered to the gateway.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    #[error("no SMS gateway is configured")]
    NotConfigured,
    #[error("the SMS gateway answered {0}")]
    Status(u16),
    #[error("the SMS gateway did not answer in time")]
    Timeout,
    #[error("the SMS gateway could not be reached: {0}")]
    Unreachable(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// Delivers one text message to a mobile number (E.164).
pub trait SmsGateway: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
}

/// Demo mode: messages go to the outbox table, listed by
/// `GET /api/v1/demo/outbox`.
#[derive(Debug, Clone)]
pub struct OutboxSms {
    pub store: Store,
}

impl SmsGateway for OutboxSms {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let sent_at = crate::to_millis(time::OffsetDateTime::now_utc());
            self.store
                .record_message(&OutboxMessage {
                    message_id: ids::random_id(),
                    channel: "sms".into(),
                    recipient: to.to_owned(),
                    body: text.to_owned(),
                    sent_at,
                })
                .await
                .map_err(|e| SmsError::Unreachable(e.to_string()))
        })
    }
}

/// No gateway configured outside demo mode: level 2 answers
/// `sms_unavailable`, level 1 keeps working.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoSms;

impl SmsGateway for NoSms {
    fn send<'a>(&'a self, _to: &'a str, _text: &'a str) -> SendFuture<'a> {
        Box::pin(async { Err(SmsError::NotConfigured) })
    }
}

/// Settings of an HTTP SMS provider.
#[derive(Clone)]
pub struct HttpSmsConfig {
    /// The provider's endpoint; it receives `POST {"to", "text"}` as JSON.
    pub url: String,
    /// Sent as `Authorization: Bearer …`.
    pub api_key: SecretString,
    /// Per attempt.
    pub timeout: Duration,
    /// Further attempts after a failed one (5xx, timeout, connection error).
    pub retries: u32,
}

/// Shows everything but the API key.
impl std::fmt::Debug for HttpSmsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSmsConfig")
            .field("url", &self.url)
            .field("api_key", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .finish()
    }
}

/// A provider reached over HTTP(S) with a JSON POST. The derived `Debug`
/// shows the configuration through its own, which hides the key.
#[derive(Debug, Clone)]
pub struct HttpSms {
    config: HttpSmsConfig,
    client: reqwest::Client,
}

/// reqwest is built without a default TLS provider: use ring, which the
/// database driver already links. Every HTTP client in the process needs it
/// installed first; installing twice is harmless.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl HttpSms {
    pub fn new(config: HttpSmsConfig) -> Result<Self, SmsError> {
        install_crypto_provider();
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| SmsError::Unreachable(e.to_string()))?;
        Ok(Self { config, client })
    }

    async fn attempt(&self, to: &str, text: &str) -> Result<(), SmsError> {
        let response = self
            .client
            .post(&self.config.url)
            .bearer_auth(self.config.api_key.expose_secret())
            .json(&serde_json::json!({"to": to, "text": text}))
            .send()
            .await
            .map_err(|e| {
                if e.is_timeout() {
                    SmsError::Timeout
                } else {
                    SmsError::Unreachable(e.without_url().to_string())
                }
            })?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(SmsError::Status(status.as_u16()))
        }
    }
}

impl SmsGateway for HttpSms {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            let mut last = SmsError::NotConfigured;
            for attempt in 0..=self.config.retries {
                if attempt > 0 {
                    tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                }
                match self.attempt(to, text).await {
                    Ok(()) => return Ok(()),
                    // A 4xx will not get better by asking again.
                    Err(SmsError::Status(code)) if (400..500).contains(&code) => {
                        return Err(SmsError::Status(code));
                    }
                    Err(e) => {
                        tracing::warn!(attempt, error = %e, "SMS gateway attempt failed");
                        last = e;
                    }
                }
            }
            Err(last)
        })
    }
}
