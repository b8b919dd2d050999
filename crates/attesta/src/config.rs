//! Configuration: a TOML file, then `ATTESTA_*` environment variables, then
//! command-line flags, each overriding the one before. Unknown keys and
//! unknown `ATTESTA_*` variables are errors, so a typo never silently falls
//! back to a default.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use attesta_app::mail::{SmtpConfig, SmtpTls};
use attesta_app::oidc::OidcConfig;
use attesta_app::sms::HttpSmsConfig;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The configuration file's shape (every key optional). No `Debug`: it
/// holds secrets, read straight into [`SecretString`]s.
#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub database_url: Option<SecretString>,
    pub admin_api_key: Option<SecretString>,
    pub secret_key: Option<SecretString>,
    pub max_fiscal_code_failures: Option<i64>,
    pub otp_ttl_seconds: Option<u64>,
    pub otp_max_failures: Option<i64>,
    pub otp_max_per_15_minutes: Option<i64>,
    pub otp_max_per_24_hours: Option<i64>,
    pub failure_window_seconds: Option<u64>,
    pub sms_url: Option<String>,
    pub sms_api_key: Option<SecretString>,
    pub sms_timeout_ms: Option<u64>,
    pub sms_retries: Option<u32>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    pub mail_from: Option<String>,
    pub rate_limit_per_second: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub trusted_proxies: Option<Vec<String>>,
    pub card_auto_approve: Option<bool>,
    pub session_minutes: Option<u64>,
    pub header_read_timeout_seconds: Option<u64>,
    pub body_stall_timeout_seconds: Option<u64>,
    pub database_max_connections: Option<u32>,
    pub database_acquire_timeout_seconds: Option<u64>,
    pub log_retention_days: Option<u64>,
    pub alerts_interval_seconds: Option<u64>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<SecretString>,
}

/// The `ATTESTA_*` variables attesta reads; any other is refused.
const KNOWN_VARS: &[&str] = &[
    "ATTESTA_CONFIG",
    "ATTESTA_LISTEN",
    "ATTESTA_DATA_DIR",
    "ATTESTA_PUBLIC_URL",
    "ATTESTA_ADMIN_API_KEY",
    "ATTESTA_SECRET_KEY",
    "ATTESTA_MAX_FISCAL_CODE_FAILURES",
    "ATTESTA_FAILURE_WINDOW_SECONDS",
    "ATTESTA_SMS_URL",
    "ATTESTA_SMS_API_KEY",
    "ATTESTA_SMS_TIMEOUT_MS",
    "ATTESTA_SMS_RETRIES",
    "ATTESTA_SMTP_HOST",
    "ATTESTA_SMTP_PORT",
    "ATTESTA_SMTP_TLS",
    "ATTESTA_SMTP_USERNAME",
    "ATTESTA_SMTP_PASSWORD",
    "ATTESTA_MAIL_FROM",
    "ATTESTA_RATE_LIMIT_PER_SECOND",
    "ATTESTA_RATE_LIMIT_BURST",
    "ATTESTA_TRUSTED_PROXIES",
    "ATTESTA_OTP_TTL_SECONDS",
    "ATTESTA_OTP_MAX_FAILURES",
    "ATTESTA_OTP_MAX_PER_15_MINUTES",
    "ATTESTA_OTP_MAX_PER_24_HOURS",
    "ATTESTA_LOG",
    "ATTESTA_LOG_FORMAT",
    "ATTESTA_CARD_AUTO_APPROVE",
    "ATTESTA_SESSION_MINUTES",
    "ATTESTA_HEADER_READ_TIMEOUT_SECONDS",
    "ATTESTA_BODY_STALL_TIMEOUT_SECONDS",
    "ATTESTA_DATABASE_MAX_CONNECTIONS",
    "ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS",
    "ATTESTA_LOG_RETENTION_DAYS",
    "ATTESTA_ALERTS_INTERVAL_SECONDS",
    "ATTESTA_OIDC_ISSUER",
    "ATTESTA_OIDC_CLIENT_ID",
    "ATTESTA_OIDC_CLIENT_SECRET",
];

/// Resolved settings. Secrets are [`SecretString`]s from the file or the
/// environment to their one use; the `Debug` below shows only whether each
/// is set.
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    /// A PostgreSQL URL may carry a password, so it is kept as a secret.
    pub database_url: Option<SecretString>,
    pub admin_api_key: Option<SecretString>,
    pub secret_key: Option<SecretString>,
    pub max_fiscal_code_failures: i64,
    /// Level-2 one-time codes (SPEC §4 defaults: 300 s, 3, 3, 10).
    pub otp_ttl_seconds: u64,
    pub otp_max_failures: i64,
    pub otp_max_per_15_minutes: i64,
    pub otp_max_per_24_hours: i64,
    pub failure_window_seconds: u64,
    /// The HTTP SMS gateway; unset outside demo mode means level 2 cannot
    /// send codes (and says so).
    pub sms_url: Option<String>,
    pub sms_api_key: Option<SecretString>,
    pub sms_timeout_ms: u64,
    pub sms_retries: u32,
    /// SMTP for e-mails; unset means no e-mail (the outbox in demo mode).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<SecretString>,
    pub mail_from: String,
    /// Per-IP limit on the public endpoints.
    pub rate_limit_per_second: u32,
    pub rate_limit_burst: u32,
    /// Load balancers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Approve EU Disability Card applications at once when the status
    /// gives a card (default false: the back office decides).
    pub card_auto_approve: bool,
    /// How long a login lasts (default 480: a working day).
    pub session_minutes: u64,
    /// SPEC §12: request headers not complete within this are closed
    /// (default 10), a body with no byte for this long gets 408 (default
    /// 30); each 1 to 300 seconds.
    pub header_read_timeout_seconds: u64,
    pub body_stall_timeout_seconds: u64,
    /// The connection pool (1 to 1,000 connections; unset: 8 on SQLite,
    /// 16 on PostgreSQL) and how long a request waits for a connection or
    /// an unreachable database before its 503 (1 to 300 s, default 5).
    pub database_max_connections: Option<u32>,
    pub database_acquire_timeout_seconds: u64,
    /// Verification log entries older than this are removed by the jobs
    /// (SPEC §12; 1 to 36,500 days, default 730).
    pub log_retention_days: u64,
    /// How often `attesta serve` delivers the verbale alerts waiting in
    /// the outbox (SPEC §11; 1 to 86,400 seconds, default 10). The first
    /// round is one interval after the start.
    pub alerts_interval_seconds: u64,
    /// The identity provider: all three of its settings or none.
    pub oidc: Option<OidcSettings>,
}

/// The identity provider's issuer URL and this service's registration.
pub struct OidcSettings {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

/// What a secret's `Debug` shows: whether it is set, never its value.
fn redacted(secret: Option<&SecretString>) -> Option<&'static str> {
    secret.map(|_| "<redacted>")
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be left out unnoticed.
        let Settings {
            listen,
            data_dir,
            public_url,
            database_url,
            admin_api_key,
            secret_key,
            max_fiscal_code_failures,
            otp_ttl_seconds,
            otp_max_failures,
            otp_max_per_15_minutes,
            otp_max_per_24_hours,
            failure_window_seconds,
            sms_url,
            sms_api_key,
            sms_timeout_ms,
            sms_retries,
            smtp_host,
            smtp_port,
            smtp_tls,
            smtp_username,
            smtp_password,
            mail_from,
            rate_limit_per_second,
            rate_limit_burst,
            trusted_proxies,
            card_auto_approve,
            session_minutes,
            header_read_timeout_seconds,
            body_stall_timeout_seconds,
            database_max_connections,
            database_acquire_timeout_seconds,
            log_retention_days,
            alerts_interval_seconds,
            oidc,
        } = self;
        f.debug_struct("Settings")
            .field("listen", listen)
            .field("data_dir", data_dir)
            .field("public_url", public_url)
            .field("database_url", &redacted(database_url.as_ref()))
            .field("admin_api_key", &redacted(admin_api_key.as_ref()))
            .field("secret_key", &redacted(secret_key.as_ref()))
            .field("max_fiscal_code_failures", max_fiscal_code_failures)
            .field("otp_ttl_seconds", otp_ttl_seconds)
            .field("otp_max_failures", otp_max_failures)
            .field("otp_max_per_15_minutes", otp_max_per_15_minutes)
            .field("otp_max_per_24_hours", otp_max_per_24_hours)
            .field("failure_window_seconds", failure_window_seconds)
            .field("sms_url", sms_url)
            .field("sms_api_key", &redacted(sms_api_key.as_ref()))
            .field("sms_timeout_ms", sms_timeout_ms)
            .field("sms_retries", sms_retries)
            .field("smtp_host", smtp_host)
            .field("smtp_port", smtp_port)
            .field("smtp_tls", smtp_tls)
            .field("smtp_username", smtp_username)
            .field("smtp_password", &redacted(smtp_password.as_ref()))
            .field("mail_from", mail_from)
            .field("rate_limit_per_second", rate_limit_per_second)
            .field("rate_limit_burst", rate_limit_burst)
            .field("trusted_proxies", trusted_proxies)
            .field("card_auto_approve", card_auto_approve)
            .field("session_minutes", session_minutes)
            .field("header_read_timeout_seconds", header_read_timeout_seconds)
            .field("body_stall_timeout_seconds", body_stall_timeout_seconds)
            .field("database_max_connections", database_max_connections)
            .field(
                "database_acquire_timeout_seconds",
                database_acquire_timeout_seconds,
            )
            .field("log_retention_days", log_retention_days)
            .field("alerts_interval_seconds", alerts_interval_seconds)
            .field("oidc", oidc)
            .finish()
    }
}

impl fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// Flags that override the file and the environment.
#[derive(Debug, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
}

pub fn check_environment() -> anyhow::Result<()> {
    let unknown: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .filter(|k| k.starts_with("ATTESTA_") && !KNOWN_VARS.contains(&k.as_str()))
        .collect();
    if !unknown.is_empty() {
        bail!(
            "unknown environment variable(s) {}: attesta reads only {}",
            unknown.join(", "),
            KNOWN_VARS.join(", ")
        );
    }
    Ok(())
}

/// Where the variables come from: the process environment, or in the
/// tests a map (the lints forbid `unsafe`, so a test cannot set variables).
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get(&self, name: &str) -> Option<String> {
        (self.0)(name).filter(|v| !v.trim().is_empty())
    }

    /// A variable that holds a secret.
    fn secret(&self, name: &str) -> Option<SecretString> {
        self.get(name).map(SecretString::from)
    }

    fn parse<T: std::str::FromStr>(&self, name: &str) -> anyhow::Result<Option<T>> {
        self.get(name)
            .map(|v| {
                v.trim()
                    .parse::<T>()
                    .ok()
                    .with_context(|| format!("{name} must be a whole number, got {v:?}"))
            })
            .transpose()
    }
}

pub fn load(overrides: Overrides) -> anyhow::Result<Settings> {
    check_environment()?;
    resolve(overrides, &Vars(&|name| std::env::var(name).ok()))
}

/// The settings from the flags, `vars` and the file they name.
fn resolve(overrides: Overrides, vars: &Vars<'_>) -> anyhow::Result<Settings> {
    let path = overrides
        .config
        .clone()
        .or_else(|| vars.get("ATTESTA_CONFIG").map(PathBuf::from));
    let file = match &path {
        Some(p) => read_file(p)?,
        None => FileConfig::default(),
    };
    let listen = overrides
        .listen
        .or_else(|| vars.get("ATTESTA_LISTEN"))
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let data_dir = overrides
        .data_dir
        .or_else(|| vars.get("ATTESTA_DATA_DIR").map(PathBuf::from))
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("data"));
    Ok(Settings {
        public_url: overrides
            .public_url
            .or_else(|| vars.get("ATTESTA_PUBLIC_URL"))
            .or(file.public_url),
        database_url: vars.secret("DATABASE_URL").or(file.database_url),
        admin_api_key: vars.secret("ATTESTA_ADMIN_API_KEY").or(file.admin_api_key),
        secret_key: vars.secret("ATTESTA_SECRET_KEY").or(file.secret_key),
        otp_ttl_seconds: vars
            .parse("ATTESTA_OTP_TTL_SECONDS")?
            .or(file.otp_ttl_seconds)
            .unwrap_or(300),
        otp_max_failures: vars
            .parse("ATTESTA_OTP_MAX_FAILURES")?
            .or(file.otp_max_failures)
            .unwrap_or(3),
        otp_max_per_15_minutes: vars
            .parse("ATTESTA_OTP_MAX_PER_15_MINUTES")?
            .or(file.otp_max_per_15_minutes)
            .unwrap_or(3),
        otp_max_per_24_hours: vars
            .parse("ATTESTA_OTP_MAX_PER_24_HOURS")?
            .or(file.otp_max_per_24_hours)
            .unwrap_or(10),
        max_fiscal_code_failures: vars
            .parse("ATTESTA_MAX_FISCAL_CODE_FAILURES")?
            .or(file.max_fiscal_code_failures)
            .unwrap_or(5),
        failure_window_seconds: vars
            .parse("ATTESTA_FAILURE_WINDOW_SECONDS")?
            .or(file.failure_window_seconds)
            .unwrap_or(15 * 60),
        sms_url: vars.get("ATTESTA_SMS_URL").or(file.sms_url),
        sms_api_key: vars.secret("ATTESTA_SMS_API_KEY").or(file.sms_api_key),
        sms_timeout_ms: vars
            .parse("ATTESTA_SMS_TIMEOUT_MS")?
            .or(file.sms_timeout_ms)
            .unwrap_or(5000),
        sms_retries: vars
            .parse("ATTESTA_SMS_RETRIES")?
            .or(file.sms_retries)
            .unwrap_or(2),
        smtp_host: vars.get("ATTESTA_SMTP_HOST").or(file.smtp_host),
        smtp_port: vars
            .parse("ATTESTA_SMTP_PORT")?
            .or(file.smtp_port)
            .unwrap_or(587),
        smtp_tls: vars
            .get("ATTESTA_SMTP_TLS")
            .or(file.smtp_tls)
            .unwrap_or_else(|| "starttls".into()),
        smtp_username: vars.get("ATTESTA_SMTP_USERNAME").or(file.smtp_username),
        smtp_password: vars.secret("ATTESTA_SMTP_PASSWORD").or(file.smtp_password),
        mail_from: vars
            .get("ATTESTA_MAIL_FROM")
            .or(file.mail_from)
            .unwrap_or_else(|| "attesta <noreply@attesta.invalid>".into()),
        rate_limit_per_second: vars
            .parse("ATTESTA_RATE_LIMIT_PER_SECOND")?
            .or(file.rate_limit_per_second)
            .unwrap_or(20),
        rate_limit_burst: vars
            .parse("ATTESTA_RATE_LIMIT_BURST")?
            .or(file.rate_limit_burst)
            .unwrap_or(200),
        trusted_proxies: {
            let list = match vars.get("ATTESTA_TRUSTED_PROXIES") {
                Some(v) => v
                    .split(',')
                    .map(|s| s.trim().to_owned())
                    .filter(|s| !s.is_empty())
                    .collect(),
                None => file.trusted_proxies.unwrap_or_default(),
            };
            list.iter()
                .map(|ip| {
                    ip.parse().with_context(|| {
                        format!("ATTESTA_TRUSTED_PROXIES: {ip:?} is not an IP address")
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?
        },
        card_auto_approve: match vars.get("ATTESTA_CARD_AUTO_APPROVE") {
            Some(v) => match v.trim() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => bail!("ATTESTA_CARD_AUTO_APPROVE must be true or false, got {v:?}"),
            },
            None => file.card_auto_approve.unwrap_or(false),
        },
        session_minutes: match vars
            .parse("ATTESTA_SESSION_MINUTES")?
            .or(file.session_minutes)
            .unwrap_or(480)
        {
            m if SESSION_MINUTES.contains(&m) => m,
            m => bail!(
                "ATTESTA_SESSION_MINUTES (session_minutes) must be between {} and {} minutes, got {m}",
                SESSION_MINUTES.start(),
                SESSION_MINUTES.end()
            ),
        },
        header_read_timeout_seconds: timeout_seconds(
            vars.parse("ATTESTA_HEADER_READ_TIMEOUT_SECONDS")?
                .or(file.header_read_timeout_seconds),
            10,
            "ATTESTA_HEADER_READ_TIMEOUT_SECONDS (header_read_timeout_seconds)",
        )?,
        body_stall_timeout_seconds: timeout_seconds(
            vars.parse("ATTESTA_BODY_STALL_TIMEOUT_SECONDS")?
                .or(file.body_stall_timeout_seconds),
            30,
            "ATTESTA_BODY_STALL_TIMEOUT_SECONDS (body_stall_timeout_seconds)",
        )?,
        database_max_connections: match vars
            .parse("ATTESTA_DATABASE_MAX_CONNECTIONS")?
            .or(file.database_max_connections)
        {
            Some(n) if !(1..=1000).contains(&n) => bail!(
                "ATTESTA_DATABASE_MAX_CONNECTIONS (database_max_connections) must be between 1 and 1000, got {n}"
            ),
            n => n,
        },
        database_acquire_timeout_seconds: timeout_seconds(
            vars.parse("ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS")?
                .or(file.database_acquire_timeout_seconds),
            5,
            "ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS (database_acquire_timeout_seconds)",
        )?,
        log_retention_days: match vars
            .parse("ATTESTA_LOG_RETENTION_DAYS")?
            .or(file.log_retention_days)
            .unwrap_or(730)
        {
            d if (1..=36_500).contains(&d) => d,
            d => bail!(
                "ATTESTA_LOG_RETENTION_DAYS (log_retention_days) must be between 1 and 36500 days, got {d}"
            ),
        },
        alerts_interval_seconds: match vars
            .parse("ATTESTA_ALERTS_INTERVAL_SECONDS")?
            .or(file.alerts_interval_seconds)
            .unwrap_or(10)
        {
            d if (1..=86_400).contains(&d) => d,
            d => bail!(
                "ATTESTA_ALERTS_INTERVAL_SECONDS (alerts_interval_seconds) must be between 1 and 86400 seconds, got {d}"
            ),
        },
        oidc: match (
            vars.get("ATTESTA_OIDC_ISSUER").or(file.oidc_issuer),
            vars.get("ATTESTA_OIDC_CLIENT_ID").or(file.oidc_client_id),
            vars.secret("ATTESTA_OIDC_CLIENT_SECRET")
                .or(file.oidc_client_secret),
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(id), Some(secret)) => {
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    bail!(
                        "ATTESTA_OIDC_ISSUER must be the provider's URL (https://…), got {issuer:?}"
                    );
                }
                Some(OidcSettings {
                    issuer,
                    client_id: id,
                    client_secret: secret,
                })
            }
            _ => bail!(
                "the identity provider needs all three of ATTESTA_OIDC_ISSUER, ATTESTA_OIDC_CLIENT_ID and ATTESTA_OIDC_CLIENT_SECRET (oidc_issuer, oidc_client_id, oidc_client_secret)"
            ),
        },
        listen,
        data_dir,
    })
}

/// A server timeout (SPEC §12): `default` when unset, else 1 to 300 s.
fn timeout_seconds(value: Option<u64>, default: u64, name: &str) -> anyhow::Result<u64> {
    match value.unwrap_or(default) {
        s if TIMEOUT_SECONDS.contains(&s) => Ok(s),
        s => bail!(
            "{name} must be between {} and {} seconds, got {s}",
            TIMEOUT_SECONDS.start(),
            TIMEOUT_SECONDS.end()
        ),
    }
}

const TIMEOUT_SECONDS: std::ops::RangeInclusive<u64> = 1..=300;

/// A login lasts at least 5 minutes (a level-2 check) and at most a day.
const SESSION_MINUTES: std::ops::RangeInclusive<u64> = 5..=1440;

fn read_file(path: &Path) -> anyhow::Result<FileConfig> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("in the configuration file {}", path.display()))
}

impl Settings {
    /// `DATABASE_URL`, or a SQLite file in the data directory.
    pub fn database_url(&self) -> anyhow::Result<String> {
        if let Some(url) = &self.database_url {
            return Ok(url.expose_secret().to_owned());
        }
        std::fs::create_dir_all(&self.data_dir).with_context(|| {
            format!(
                "cannot create the data directory {}",
                self.data_dir.display()
            )
        })?;
        Ok(format!(
            "sqlite://{}?mode=rwc",
            self.data_dir.join("attesta.sqlite").display()
        ))
    }

    /// Opens the database with the pool settings.
    pub async fn open_store(&self) -> anyhow::Result<attesta_store::Store> {
        let config = attesta_store::PoolConfig {
            max_connections: self.database_max_connections,
            acquire_timeout: std::time::Duration::from_secs(self.database_acquire_timeout_seconds),
        };
        attesta_store::Store::connect_with(&self.database_url()?, config)
            .await
            .context("cannot open the database (check DATABASE_URL)")
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }

    /// The SMTP server, if one is set (`ATTESTA_SMTP_HOST`).
    pub fn smtp(&self) -> anyhow::Result<Option<SmtpConfig>> {
        let Some(host) = &self.smtp_host else {
            return Ok(None);
        };
        let tls = SmtpTls::parse(&self.smtp_tls).with_context(|| {
            format!(
                "ATTESTA_SMTP_TLS must be none, starttls or tls, not {:?}",
                self.smtp_tls
            )
        })?;
        Ok(Some(SmtpConfig {
            host: host.clone(),
            port: self.smtp_port,
            tls,
            username: self.smtp_username.clone(),
            password: self.smtp_password.clone(),
            from: self.mail_from.clone(),
        }))
    }

    /// The HTTP SMS gateway, if one is set (`ATTESTA_SMS_URL`).
    pub fn sms(&self) -> Option<HttpSmsConfig> {
        self.sms_url.as_ref().map(|url| HttpSmsConfig {
            url: url.clone(),
            api_key: self.sms_api_key.clone().unwrap_or_default(),
            timeout: std::time::Duration::from_millis(self.sms_timeout_ms),
            retries: self.sms_retries,
        })
    }

    /// The identity provider, if one is set (`ATTESTA_OIDC_*`).
    pub fn identity_provider(&self) -> Option<OidcConfig> {
        self.oidc.as_ref().map(|provider| OidcConfig {
            issuer: provider.issuer.clone(),
            client_id: provider.client_id.clone(),
            client_secret: provider.client_secret.clone(),
            redirect_uri: format!("{}/auth/callback", self.public_url().trim_end_matches('/')),
        })
    }
}

/// How `attesta config check` shows a secret: that it is set, never what.
const MASK: &str = "***";

/// A database URL for `config check`: a SQLite address as it is, any other
/// with its password (in the user part or a `password=` parameter)
/// replaced by `***`.
fn masked_database_url(url: &str) -> String {
    if url.starts_with("sqlite:") {
        return url.to_owned();
    }
    if url.to_ascii_lowercase().contains("password") {
        return MASK.to_owned();
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return MASK.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:{MASK}@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl Settings {
    /// The effective configuration as TOML (what `attesta config check`
    /// prints): every setting with the value in force, a default included;
    /// a secret as `***` when set; an unset option as a comment.
    pub fn effective(&self) -> String {
        // Destructured so that a new setting cannot be left out unnoticed.
        let Settings {
            listen,
            data_dir,
            public_url,
            database_url,
            admin_api_key,
            secret_key,
            max_fiscal_code_failures,
            otp_ttl_seconds,
            otp_max_failures,
            otp_max_per_15_minutes,
            otp_max_per_24_hours,
            failure_window_seconds,
            sms_url,
            sms_api_key,
            sms_timeout_ms,
            sms_retries,
            smtp_host,
            smtp_port,
            smtp_tls,
            smtp_username,
            smtp_password,
            mail_from,
            rate_limit_per_second,
            rate_limit_burst,
            trusted_proxies,
            card_auto_approve,
            session_minutes,
            oidc,
            header_read_timeout_seconds,
            body_stall_timeout_seconds,
            database_max_connections,
            database_acquire_timeout_seconds,
            log_retention_days,
            alerts_interval_seconds,
        } = self;
        let mut out = String::new();
        let mut line = |key: &str, value: Option<String>| match value {
            Some(v) => out.push_str(&format!("{key} = {v}\n")),
            None => out.push_str(&format!("# {key} is not set\n")),
        };
        let text = |v: &str| Some(format!("{v:?}"));
        let secret = |v: &Option<SecretString>| v.as_ref().map(|_| format!("{MASK:?}"));
        line("listen", text(listen));
        line("data_dir", text(&data_dir.display().to_string()));
        // Unset, the public URL follows the listen address.
        let public_url = public_url
            .clone()
            .unwrap_or_else(|| format!("http://{listen}"));
        line("public_url", text(&public_url));
        line(
            "database_url",
            match database_url {
                Some(url) => text(&masked_database_url(url.expose_secret())),
                None => text(&format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("attesta.sqlite").display()
                )),
            },
        );
        line("admin_api_key", secret(admin_api_key));
        line("secret_key", secret(secret_key));
        line(
            "max_fiscal_code_failures",
            Some(max_fiscal_code_failures.to_string()),
        );
        line(
            "failure_window_seconds",
            Some(failure_window_seconds.to_string()),
        );
        line("otp_ttl_seconds", Some(otp_ttl_seconds.to_string()));
        line("otp_max_failures", Some(otp_max_failures.to_string()));
        line(
            "otp_max_per_15_minutes",
            Some(otp_max_per_15_minutes.to_string()),
        );
        line(
            "otp_max_per_24_hours",
            Some(otp_max_per_24_hours.to_string()),
        );
        line("sms_url", sms_url.as_deref().and_then(text));
        line("sms_api_key", secret(sms_api_key));
        line("sms_timeout_ms", Some(sms_timeout_ms.to_string()));
        line("sms_retries", Some(sms_retries.to_string()));
        line("smtp_host", smtp_host.as_deref().and_then(text));
        line("smtp_port", Some(smtp_port.to_string()));
        line("smtp_tls", text(smtp_tls));
        line("smtp_username", smtp_username.as_deref().and_then(text));
        line("smtp_password", secret(smtp_password));
        line("mail_from", text(mail_from));
        line(
            "rate_limit_per_second",
            Some(rate_limit_per_second.to_string()),
        );
        line("rate_limit_burst", Some(rate_limit_burst.to_string()));
        let proxies: Vec<String> = trusted_proxies
            .iter()
            .map(|ip| format!("{:?}", ip.to_string()))
            .collect();
        line("trusted_proxies", Some(format!("[{}]", proxies.join(", "))));
        line("card_auto_approve", Some(card_auto_approve.to_string()));
        line("session_minutes", Some(session_minutes.to_string()));
        line(
            "header_read_timeout_seconds",
            Some(header_read_timeout_seconds.to_string()),
        );
        line(
            "body_stall_timeout_seconds",
            Some(body_stall_timeout_seconds.to_string()),
        );
        line(
            "database_max_connections",
            database_max_connections.map(|n| n.to_string()),
        );
        line(
            "database_acquire_timeout_seconds",
            Some(database_acquire_timeout_seconds.to_string()),
        );
        line("log_retention_days", Some(log_retention_days.to_string()));
        line(
            "alerts_interval_seconds",
            Some(alerts_interval_seconds.to_string()),
        );
        match oidc {
            Some(provider) => {
                line("oidc_issuer", text(&provider.issuer));
                line("oidc_client_id", text(&provider.client_id));
                line("oidc_client_secret", Some(format!("{MASK:?}")));
            }
            None => line("oidc_issuer", None),
        }
        out
    }

    /// What `attesta serve` would refuse at start, checked without starting:
    /// the rules files, the server secret (required unless `demo`), the
    /// public URL, the SMTP, SMS and identity-provider settings.
    pub fn check(&self, demo: bool) -> anyhow::Result<()> {
        attesta_app::benefits::check_benefit_rules()?;
        attesta_app::cards::check_card_rules()?;
        attesta_app::journey::check_procedure_rules()?;
        match &self.secret_key {
            Some(hex) => {
                attesta_credential::ServerSecret::from_hex(hex.expose_secret())
                    .context("ATTESTA_SECRET_KEY (secret_key)")?;
            }
            None if demo => {}
            None => bail!(
                "ATTESTA_SECRET_KEY is not set: give 32 random bytes as 64 hex characters \
                 (e.g. `openssl rand -hex 32`), the same on every node"
            ),
        }
        let public_url = self.public_url();
        if !(public_url.starts_with("https://") || public_url.starts_with("http://")) {
            bail!(
                "ATTESTA_PUBLIC_URL (public_url) must start with https:// or http://, got {public_url:?}"
            );
        }
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !["sqlite:", "postgres:", "postgresql:"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
            {
                bail!("DATABASE_URL (database_url) must start with postgres:// or sqlite:");
            }
        }
        self.smtp()?;
        if let Some(sms) = self.sms() {
            attesta_app::sms::HttpSms::new(sms).context("ATTESTA_SMS_URL (sms_url)")?;
        }
        if let Some(provider) = self.identity_provider() {
            attesta_app::oidc::Oidc::new(provider)
                .map_err(|e| anyhow::anyhow!("the identity-provider settings: {e}"))?;
        }
        Ok(())
    }
}

/// Reads a secret, in demo mode, from a file in the data directory,
/// generating it (32 random bytes, hex, mode 0600) the first time.
pub fn demo_secret_file(data_dir: &Path, name: &str) -> anyhow::Result<SecretString> {
    let path = data_dir.join(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().into());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let value = hex::encode(bytes);
    write_private(&path, &value)?;
    Ok(value.into())
}

#[cfg(unix)]
fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(f, "{value}")?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, value: &str) -> anyhow::Result<()> {
    std::fs::write(path, format!("{value}\n"))
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Every secret attesta reads: its key in the file, its variable, and a
    /// value to look for.
    const SECRETS: &[(&str, &str, &str)] = &[
        (
            "database_url",
            "DATABASE_URL",
            "postgres://attesta:db-pass-5c1e@db.example.it/attesta",
        ),
        ("admin_api_key", "ATTESTA_ADMIN_API_KEY", "admin-key-8f2d"),
        ("secret_key", "ATTESTA_SECRET_KEY", "server-secret-hex-07aa"),
        ("sms_api_key", "ATTESTA_SMS_API_KEY", "sms-key-41b9"),
        ("smtp_password", "ATTESTA_SMTP_PASSWORD", "smtp-pass-9d03"),
        (
            "oidc_client_secret",
            "ATTESTA_OIDC_CLIENT_SECRET",
            "oidc-secret-e7c4",
        ),
    ];

    /// The settings that put every secret to use (SMTP with a user, the SMS
    /// gateway, the identity provider), as (file key, variable, value).
    const USES: &[(&str, &str, &str)] = &[
        ("smtp_host", "ATTESTA_SMTP_HOST", "smtp.example.it"),
        ("smtp_username", "ATTESTA_SMTP_USERNAME", "attesta-mailer"),
        ("sms_url", "ATTESTA_SMS_URL", "https://sms.example.it/send"),
        (
            "oidc_issuer",
            "ATTESTA_OIDC_ISSUER",
            "https://idp.example.it",
        ),
        ("oidc_client_id", "ATTESTA_OIDC_CLIENT_ID", "attesta-client"),
    ];

    /// The `Debug` of the settings and of every configuration built from
    /// them, as `main` builds them.
    fn everything_debug(settings: &Settings) -> String {
        let web = attesta_web::WebConfig {
            admin_api_key: settings.admin_api_key.clone(),
            ..attesta_web::WebConfig::default()
        };
        let smtp = settings.smtp().unwrap().expect("SMTP is set");
        let sms = settings.sms().expect("the SMS gateway is set");
        let oidc = settings.identity_provider().expect("the provider is set");
        let sms_gateway = attesta_app::sms::HttpSms::new(sms.clone()).unwrap();
        format!("{settings:?}\n{web:?}\n{smtp:?}\n{sms:?}\n{oidc:?}\n{sms_gateway:?}")
    }

    fn assert_every_secret_read_and_hidden(settings: &Settings) {
        let read = [
            &settings.database_url,
            &settings.admin_api_key,
            &settings.secret_key,
            &settings.sms_api_key,
            &settings.smtp_password,
            &settings.oidc.as_ref().map(|o| o.client_secret.clone()),
        ];
        for ((key, _, value), secret) in SECRETS.iter().zip(read) {
            let secret = secret.as_ref().map(|s| s.expose_secret().to_owned());
            assert_eq!(secret.as_deref(), Some(*value), "{key} was not read");
        }
        // `attesta config check` prints `effective()`: masked too.
        let text = format!("{}\n{}", everything_debug(settings), settings.effective());
        for (key, _, value) in SECRETS {
            assert!(!text.contains(value), "{key} shows in {text}");
        }
        // The rest is still there to read, and each secret says it is set.
        for (_, _, value) in USES {
            assert!(text.contains(value), "{value} missing from {text}");
        }
        assert!(
            text.matches("<redacted>").count() >= SECRETS.len(),
            "{text}"
        );
    }

    #[test]
    fn secrets_from_the_file_never_show_in_debug() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("attesta.toml");
        let toml: String = SECRETS
            .iter()
            .chain(USES)
            .map(|(key, _, value)| format!("{key} = {value:?}\n"))
            .collect();
        std::fs::write(&path, toml).unwrap();
        let settings = resolve(
            Overrides {
                config: Some(path),
                ..Overrides::default()
            },
            &Vars(&|_| None),
        )
        .unwrap();
        assert_every_secret_read_and_hidden(&settings);
    }

    #[test]
    fn secrets_from_the_environment_never_show_in_debug() {
        let vars: HashMap<&str, &str> = SECRETS
            .iter()
            .chain(USES)
            .map(|(_, var, value)| (*var, *value))
            .collect();
        for var in vars.keys() {
            assert!(
                *var == "DATABASE_URL" || KNOWN_VARS.contains(var),
                "{var} is not read"
            );
        }
        let settings = resolve(
            Overrides::default(),
            &Vars(&|name| vars.get(name).map(|v| (*v).to_owned())),
        )
        .unwrap();
        assert_every_secret_read_and_hidden(&settings);
    }

    /// The settings from these variables alone (no file, no flag).
    fn with_vars(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        resolve(Overrides::default(), &Vars(&|name| vars.get(name).cloned()))
    }

    /// The two server timeouts (SPEC §12): 10 and 30 s by default, set by
    /// variable or file, and refused outside 1–300 s naming the setting.
    #[test]
    fn server_timeouts_default_and_are_checked() {
        let defaults = with_vars(&[]).unwrap();
        assert_eq!(
            (
                defaults.header_read_timeout_seconds,
                defaults.body_stall_timeout_seconds
            ),
            (10, 30)
        );
        let set = with_vars(&[
            ("ATTESTA_HEADER_READ_TIMEOUT_SECONDS", "2"),
            ("ATTESTA_BODY_STALL_TIMEOUT_SECONDS", "300"),
        ])
        .unwrap();
        assert_eq!(
            (
                set.header_read_timeout_seconds,
                set.body_stall_timeout_seconds
            ),
            (2, 300)
        );
        for (var, value) in [
            ("ATTESTA_HEADER_READ_TIMEOUT_SECONDS", "0"),
            ("ATTESTA_BODY_STALL_TIMEOUT_SECONDS", "301"),
        ] {
            let err = with_vars(&[(var, value)]).expect_err("refused").to_string();
            assert!(
                err.contains(var) && err.contains("between 1 and 300"),
                "{err}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("attesta.toml");
        std::fs::write(&path, "header_read_timeout_seconds = 5\n").unwrap();
        let from_file = resolve(
            Overrides {
                config: Some(path),
                ..Overrides::default()
            },
            &Vars(&|_| None),
        )
        .unwrap();
        assert_eq!(from_file.header_read_timeout_seconds, 5);
    }

    /// The pool settings (SPEC §12, issue #17): engine defaults and a 5 s
    /// wait unless set; refused out of range naming the setting; shown by
    /// `config check`.
    #[test]
    fn database_pool_settings_default_and_are_checked() {
        let defaults = with_vars(&[]).unwrap();
        assert_eq!(defaults.database_max_connections, None);
        assert_eq!(defaults.database_acquire_timeout_seconds, 5);
        assert_eq!(defaults.log_retention_days, 730);
        let shown = defaults.effective();
        assert!(
            shown.contains("# database_max_connections is not set\n")
                && shown.contains("database_acquire_timeout_seconds = 5\n"),
            "{shown}"
        );
        let set = with_vars(&[
            ("ATTESTA_DATABASE_MAX_CONNECTIONS", "40"),
            ("ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS", "2"),
        ])
        .unwrap();
        assert_eq!(set.database_max_connections, Some(40));
        assert_eq!(set.database_acquire_timeout_seconds, 2);
        let shown = set.effective();
        assert!(shown.contains("database_max_connections = 40\n"), "{shown}");
        assert!(
            shown.contains("database_acquire_timeout_seconds = 2\n"),
            "{shown}"
        );
        for (var, value, says) in [
            (
                "ATTESTA_DATABASE_MAX_CONNECTIONS",
                "0",
                "between 1 and 1000",
            ),
            (
                "ATTESTA_DATABASE_MAX_CONNECTIONS",
                "5000",
                "between 1 and 1000",
            ),
            ("ATTESTA_DATABASE_MAX_CONNECTIONS", "many", "whole number"),
            ("ATTESTA_LOG_RETENTION_DAYS", "0", "between 1 and 36500"),
            (
                "ATTESTA_DATABASE_ACQUIRE_TIMEOUT_SECONDS",
                "0",
                "between 1 and 300",
            ),
        ] {
            let err = with_vars(&[(var, value)]).expect_err("refused").to_string();
            assert!(
                err.contains(var) && err.contains(says),
                "{var}={value}: {err}"
            );
        }
    }
}
