//! attesta's use cases. The HTTP handlers and the CLI both call these; each
//! public method of [`App`] is one thing a user does.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use attesta_credential::ServerSecret;
use attesta_store::{Millis, Store};
use time::{Date, OffsetDateTime};

pub mod alerts;
mod backoffice;
pub mod benefits;
pub mod card_photo;
pub mod card_presentation;
pub mod cards;
pub mod cards_credential;
mod citizen;
mod delegates;
pub mod demo;
pub mod documents;
mod error;
pub mod import;
pub mod journey;
mod level2;
pub mod mail;
pub mod messages;
pub mod notices;
pub mod notify;
pub mod oidc;
pub mod payments;
pub mod seed;
mod session;
pub mod sms;
mod telemetry;
mod verify;
pub mod wallet;

pub use backoffice::Written;
pub use citizen::{AttestationView, EmailOutcome, MeView, NO_QUALIFYING_STATUS, VerificationView};
pub use delegates::{
    ActivityView, Actor, DelegateView, DelegationRequest, RepresentedView, delegate_from_form,
    delegate_from_json, delegation_from_json,
};
pub use error::{AppError, ErrorCode};
pub use journey::{CertificateAnswer, CertificateView, JobReport, LinkedVerbale, MyVerbale};
pub use level2::{Level2Detail, Level2View, OtpSent};
pub use messages::{MessageView, NewMessage, message_from_json};
pub use session::{DemoLogin, Identity, Role, Session, SessionCookie};
pub use verify::{Level1View, TokenState};

pub type AppResult<T> = Result<T, AppError>;

/// Tunable limits and settings. The defaults are SPEC §4's.
#[derive(Debug, Clone)]
pub struct Config {
    /// Base of every attestation URL, e.g. `https://attesta.example.it`.
    pub public_url: String,
    /// Wrong codici fiscali allowed per token per window.
    pub max_fiscal_code_failures: i64,
    pub failure_window: Duration,
    pub session_ttl: Duration,
    /// Whether demo login and the outbox exist.
    pub demo: bool,
    pub otp: OtpLimits,
    /// Directory of the card signing keys' private halves (`{kid}.pem`,
    /// PKCS#8, mode 0600); `None` on a node that does not sign.
    pub keys_dir: Option<std::path::PathBuf>,
    /// Approve EU Disability Card applications at once when the status on
    /// record gives a card (`ATTESTA_CARD_AUTO_APPROVE`; default off: the
    /// back office decides).
    pub card_auto_approve: bool,
    /// How long verification log entries are kept (SPEC §12,
    /// `ATTESTA_LOG_RETENTION_DAYS`, default 730 days); the jobs remove
    /// older ones.
    pub log_retention: Duration,
}

/// SPEC §4's one-time-code rules; these are the defaults.
#[derive(Debug, Clone)]
pub struct OtpLimits {
    pub ttl: Duration,
    /// Wrong entries that burn a code.
    pub max_failures: i64,
    pub short_window: Duration,
    pub max_per_short_window: i64,
    pub long_window: Duration,
    pub max_per_long_window: i64,
}

impl Default for OtpLimits {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(5 * 60),
            max_failures: 3,
            short_window: Duration::from_secs(15 * 60),
            max_per_short_window: 3,
            long_window: Duration::from_secs(24 * 60 * 60),
            max_per_long_window: 10,
        }
    }
}

impl Config {
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            max_fiscal_code_failures: 5,
            failure_window: Duration::from_secs(15 * 60),
            session_ttl: Duration::from_secs(8 * 60 * 60),
            demo: false,
            otp: OtpLimits::default(),
            keys_dir: None,
            card_auto_approve: false,
            log_retention: Duration::from_secs(730 * 24 * 60 * 60),
        }
    }
}

/// Where "now" comes from: the system clock in service, a manual one in
/// tests that need expiry or birthdays.
pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> OffsetDateTime;
}

#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that stands still until moved.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(at: OffsetDateTime) -> Self {
        Self(AtomicI64::new(
            (at.unix_timestamp_nanos() / 1_000_000) as i64,
        ))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as i64, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        from_millis(self.0.load(Ordering::SeqCst))
    }
}

pub fn from_millis(ms: Millis) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn to_millis(t: OffsetDateTime) -> Millis {
    (t.unix_timestamp_nanos() / 1_000_000) as Millis
}

/// Instant `t` on Italian civil time, and its calendar day: the domain's
/// one rule, under the names the app and the pages use.
pub use attesta_domain::calendar::{rome_date as italian_date, rome_time as italian_time};

/// The application: storage, secret, configuration and clock.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    secret: Arc<ServerSecret>,
    config: Arc<Config>,
    clock: Arc<dyn Clock>,
    sms: Arc<dyn sms::SmsGateway>,
    mailer: Arc<dyn mail::Mailer>,
    /// The identity provider, when one is configured.
    oidc: Option<oidc::Oidc>,
}

impl App {
    pub fn new(store: Store, secret: ServerSecret, config: Config) -> Self {
        Self::with_clock(store, secret, config, Arc::new(SystemClock))
    }

    pub fn with_clock(
        store: Store,
        secret: ServerSecret,
        config: Config,
        clock: Arc<dyn Clock>,
    ) -> Self {
        // Demo mode delivers to the outbox; in service, `with_sms` sets the
        // configured gateway, and without one level 2 says it cannot send.
        let sms: Arc<dyn sms::SmsGateway> = if config.demo {
            Arc::new(sms::OutboxSms {
                store: store.clone(),
            })
        } else {
            Arc::new(sms::NoSms)
        };
        let mailer: Arc<dyn mail::Mailer> = if config.demo {
            Arc::new(mail::OutboxMailer {
                store: store.clone(),
                smtp: None,
            })
        } else {
            Arc::new(mail::NoMailer)
        };
        Self {
            store,
            secret: Arc::new(secret),
            config: Arc::new(config),
            clock,
            sms,
            mailer,
            oidc: None,
        }
    }

    /// Logs people in through an OpenID Connect identity provider.
    pub fn with_identity_provider(mut self, oidc: oidc::Oidc) -> Self {
        self.oidc = Some(oidc);
        self
    }

    /// Replaces the mailer (a real SMTP server; in demo mode wrap it in
    /// [`mail::OutboxMailer`] so the outbox still lists the e-mails).
    pub fn with_mailer(mut self, mailer: Arc<dyn mail::Mailer>) -> Self {
        self.mailer = mailer;
        self
    }

    /// Replaces the SMS gateway.
    pub fn with_sms(mut self, gateway: Arc<dyn sms::SmsGateway>) -> Self {
        self.sms = gateway;
        self
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> OffsetDateTime {
        self.clock.now()
    }

    fn now_millis(&self) -> Millis {
        to_millis(self.clock.now())
    }

    /// Today in Italy.
    pub fn today(&self) -> Date {
        italian_date(self.clock.now())
    }

    /// For `/readyz`.
    pub async fn ready(&self) -> AppResult<()> {
        self.store
            .ping()
            .await
            .map_err(|e| AppError::unavailable(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn italian_date_follows_rome_time() {
        // 23:30 UTC in winter is already the next day in Rome (UTC+1).
        assert_eq!(
            italian_date(datetime!(2026-01-10 23:30 UTC)),
            time::macros::date!(2026 - 01 - 11)
        );
        // 22:30 UTC in summer is already the next day (UTC+2)…
        assert_eq!(
            italian_date(datetime!(2026-07-10 22:30 UTC)),
            time::macros::date!(2026 - 07 - 11)
        );
        // …but 22:30 UTC in winter is not.
        assert_eq!(
            italian_date(datetime!(2026-01-10 22:30 UTC)),
            time::macros::date!(2026 - 01 - 10)
        );
    }
}
