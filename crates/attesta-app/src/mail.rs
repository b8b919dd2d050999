//! E-mail over real SMTP (lettre), and the demo outbox.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use attesta_store::{OutboxMessage, Store, ids};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::{ExposeSecret, SecretString};

/// One e-mail: both parts and, optionally, a PDF.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub pdf: Option<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    #[error("no SMTP server is configured")]
    NotConfigured,
    #[error("the e-mail could not be built: {0}")]
    Build(String),
    #[error("the SMTP server refused or could not be reached: {0}")]
    Smtp(String),
}

pub type MailFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

pub trait Mailer: Send + Sync + std::fmt::Debug {
    fn send<'a>(&'a self, email: &'a Email) -> MailFuture<'a>;
}

/// How to talk to the SMTP server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// Plain (a relay on localhost, or tests).
    None,
    /// STARTTLS on the submission port.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "none" => Some(Self::None),
            "starttls" => Some(Self::StartTls),
            "tls" => Some(Self::Tls),
            _ => None,
        }
    }
}

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// The From address, e.g. `attesta <noreply@attesta.example.it>`.
    pub from: String,
}

/// Shows everything but the password.
impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .finish()
    }
}

/// A real SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    pub fn new(config: &SmtpConfig) -> Result<Self, MailError> {
        crate::sms::install_crypto_provider();
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|e| MailError::Build(format!("ATTESTA_MAIL_FROM: {e}")))?;
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| MailError::Build(e.to_string()))
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            .port(config.port)
            .timeout(Some(Duration::from_secs(15)));
        builder = match config.tls {
            SmtpTls::None => builder.tls(Tls::None),
            SmtpTls::StartTls => builder.tls(Tls::Required(tls(&config.host)?)),
            SmtpTls::Tls => builder.tls(Tls::Wrapper(tls(&config.host)?)),
        };
        if let (Some(user), Some(pass)) = (&config.username, &config.password) {
            builder = builder.credentials(Credentials::new(
                user.clone(),
                pass.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }
}

fn build(from: &Mailbox, email: &Email) -> Result<Message, MailError> {
    let to: Mailbox = email
        .to
        .parse()
        .map_err(|e| MailError::Build(format!("recipient: {e}")))?;
    let alternative = MultiPart::alternative()
        .singlepart(SinglePart::plain(email.text.clone()))
        .singlepart(SinglePart::html(email.html.clone()));
    let body = match &email.pdf {
        Some((name, bytes)) => MultiPart::mixed().multipart(alternative).singlepart(
            Attachment::new(name.clone()).body(
                bytes.clone(),
                ContentType::parse("application/pdf").expect("valid content type"),
            ),
        ),
        None => MultiPart::mixed().multipart(alternative),
    };
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(email.subject.clone())
        .multipart(body)
        .map_err(|e| MailError::Build(e.to_string()))
}

impl Mailer for SmtpMailer {
    fn send<'a>(&'a self, email: &'a Email) -> MailFuture<'a> {
        Box::pin(async move {
            let message = build(&self.from, email)?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Smtp(e.to_string()))
        })
    }
}

/// Demo mode: records the plain-text part in the outbox, then hands the
/// message to the SMTP server too when one is configured.
#[derive(Debug, Clone)]
pub struct OutboxMailer {
    pub store: Store,
    pub smtp: Option<SmtpMailer>,
}

impl Mailer for OutboxMailer {
    fn send<'a>(&'a self, email: &'a Email) -> MailFuture<'a> {
        Box::pin(async move {
            self.store
                .record_message(&OutboxMessage {
                    message_id: ids::random_id(),
                    channel: "email".into(),
                    recipient: email.to.clone(),
                    body: email.text.clone(),
                    sent_at: crate::to_millis(time::OffsetDateTime::now_utc()),
                })
                .await
                .map_err(|e| MailError::Smtp(e.to_string()))?;
            match &self.smtp {
                Some(smtp) => smtp.send(email).await,
                None => Ok(()),
            }
        })
    }
}

/// No SMTP server outside demo mode: e-mails are refused with a clear
/// message; everything else keeps working.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoMailer;

impl Mailer for NoMailer {
    fn send<'a>(&'a self, _email: &'a Email) -> MailFuture<'a> {
        Box::pin(async { Err(MailError::NotConfigured) })
    }
}
