//! Configuration: a TOML file, then `ATTESTA_*` environment variables, then
//! command-line flags, each overriding the one before. Unknown keys and
//! unknown `ATTESTA_*` variables are errors, so a typo never silently falls
//! back to a default.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The configuration file's shape (every key optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub public_url: Option<String>,
    pub database_url: Option<String>,
    pub admin_api_key: Option<String>,
    pub secret_key: Option<String>,
    pub max_fiscal_code_failures: Option<i64>,
    pub otp_ttl_seconds: Option<u64>,
    pub otp_max_failures: Option<i64>,
    pub otp_max_per_15_minutes: Option<i64>,
    pub otp_max_per_24_hours: Option<i64>,
    pub failure_window_seconds: Option<u64>,
    pub sms_url: Option<String>,
    pub sms_api_key: Option<String>,
    pub sms_timeout_ms: Option<u64>,
    pub sms_retries: Option<u32>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: Option<String>,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    pub mail_from: Option<String>,
    pub rate_limit_per_second: Option<u32>,
    pub rate_limit_burst: Option<u32>,
    pub trusted_proxies: Option<Vec<String>>,
    pub card_auto_approve: Option<bool>,
    pub session_minutes: Option<u64>,
    pub oidc_issuer: Option<String>,
    pub oidc_client_id: Option<String>,
    pub oidc_client_secret: Option<String>,
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
    "ATTESTA_OIDC_ISSUER",
    "ATTESTA_OIDC_CLIENT_ID",
    "ATTESTA_OIDC_CLIENT_SECRET",
];

/// Resolved settings.
#[derive(Debug)]
pub struct Settings {
    pub listen: String,
    pub data_dir: PathBuf,
    pub public_url: Option<String>,
    pub database_url: Option<String>,
    pub admin_api_key: Option<String>,
    pub secret_key: Option<String>,
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
    pub sms_api_key: Option<String>,
    pub sms_timeout_ms: u64,
    pub sms_retries: u32,
    /// SMTP for e-mails; unset means no e-mail (the outbox in demo mode).
    pub smtp_host: Option<String>,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
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
    /// The identity provider (issuer, client id, client secret): all three
    /// or none.
    pub oidc: Option<(String, String, String)>,
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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn parse_env<T: std::str::FromStr>(name: &str) -> anyhow::Result<Option<T>> {
    env(name)
        .map(|v| {
            v.trim()
                .parse::<T>()
                .ok()
                .with_context(|| format!("{name} must be a whole number, got {v:?}"))
        })
        .transpose()
}

pub fn load(overrides: Overrides) -> anyhow::Result<Settings> {
    check_environment()?;
    let path = overrides
        .config
        .clone()
        .or_else(|| env("ATTESTA_CONFIG").map(PathBuf::from));
    let file = match &path {
        Some(p) => read_file(p)?,
        None => FileConfig::default(),
    };
    let listen = overrides
        .listen
        .or_else(|| env("ATTESTA_LISTEN"))
        .or(file.listen)
        .unwrap_or_else(|| "127.0.0.1:8080".to_owned());
    let data_dir = overrides
        .data_dir
        .or_else(|| env("ATTESTA_DATA_DIR").map(PathBuf::from))
        .or(file.data_dir)
        .unwrap_or_else(|| PathBuf::from("data"));
    Ok(Settings {
        public_url: overrides
            .public_url
            .or_else(|| env("ATTESTA_PUBLIC_URL"))
            .or(file.public_url),
        database_url: env("DATABASE_URL").or(file.database_url),
        admin_api_key: env("ATTESTA_ADMIN_API_KEY").or(file.admin_api_key),
        secret_key: env("ATTESTA_SECRET_KEY").or(file.secret_key),
        otp_ttl_seconds: parse_env("ATTESTA_OTP_TTL_SECONDS")?
            .or(file.otp_ttl_seconds)
            .unwrap_or(300),
        otp_max_failures: parse_env("ATTESTA_OTP_MAX_FAILURES")?
            .or(file.otp_max_failures)
            .unwrap_or(3),
        otp_max_per_15_minutes: parse_env("ATTESTA_OTP_MAX_PER_15_MINUTES")?
            .or(file.otp_max_per_15_minutes)
            .unwrap_or(3),
        otp_max_per_24_hours: parse_env("ATTESTA_OTP_MAX_PER_24_HOURS")?
            .or(file.otp_max_per_24_hours)
            .unwrap_or(10),
        max_fiscal_code_failures: parse_env("ATTESTA_MAX_FISCAL_CODE_FAILURES")?
            .or(file.max_fiscal_code_failures)
            .unwrap_or(5),
        failure_window_seconds: parse_env("ATTESTA_FAILURE_WINDOW_SECONDS")?
            .or(file.failure_window_seconds)
            .unwrap_or(15 * 60),
        sms_url: env("ATTESTA_SMS_URL").or(file.sms_url),
        sms_api_key: env("ATTESTA_SMS_API_KEY").or(file.sms_api_key),
        sms_timeout_ms: parse_env("ATTESTA_SMS_TIMEOUT_MS")?
            .or(file.sms_timeout_ms)
            .unwrap_or(5000),
        sms_retries: parse_env("ATTESTA_SMS_RETRIES")?
            .or(file.sms_retries)
            .unwrap_or(2),
        smtp_host: env("ATTESTA_SMTP_HOST").or(file.smtp_host),
        smtp_port: parse_env("ATTESTA_SMTP_PORT")?
            .or(file.smtp_port)
            .unwrap_or(587),
        smtp_tls: env("ATTESTA_SMTP_TLS")
            .or(file.smtp_tls)
            .unwrap_or_else(|| "starttls".into()),
        smtp_username: env("ATTESTA_SMTP_USERNAME").or(file.smtp_username),
        smtp_password: env("ATTESTA_SMTP_PASSWORD").or(file.smtp_password),
        mail_from: env("ATTESTA_MAIL_FROM")
            .or(file.mail_from)
            .unwrap_or_else(|| "attesta <noreply@attesta.invalid>".into()),
        rate_limit_per_second: parse_env("ATTESTA_RATE_LIMIT_PER_SECOND")?
            .or(file.rate_limit_per_second)
            .unwrap_or(20),
        rate_limit_burst: parse_env("ATTESTA_RATE_LIMIT_BURST")?
            .or(file.rate_limit_burst)
            .unwrap_or(200),
        trusted_proxies: {
            let list = match env("ATTESTA_TRUSTED_PROXIES") {
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
        card_auto_approve: match env("ATTESTA_CARD_AUTO_APPROVE") {
            Some(v) => match v.trim() {
                "true" | "1" => true,
                "false" | "0" => false,
                _ => bail!("ATTESTA_CARD_AUTO_APPROVE must be true or false, got {v:?}"),
            },
            None => file.card_auto_approve.unwrap_or(false),
        },
        session_minutes: match parse_env("ATTESTA_SESSION_MINUTES")?
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
        oidc: match (
            env("ATTESTA_OIDC_ISSUER").or(file.oidc_issuer),
            env("ATTESTA_OIDC_CLIENT_ID").or(file.oidc_client_id),
            env("ATTESTA_OIDC_CLIENT_SECRET").or(file.oidc_client_secret),
        ) {
            (None, None, None) => None,
            (Some(issuer), Some(id), Some(secret)) => {
                if !(issuer.starts_with("https://") || issuer.starts_with("http://")) {
                    bail!(
                        "ATTESTA_OIDC_ISSUER must be the provider's URL (https://…), got {issuer:?}"
                    );
                }
                Some((issuer, id, secret))
            }
            _ => bail!(
                "the identity provider needs all three of ATTESTA_OIDC_ISSUER, ATTESTA_OIDC_CLIENT_ID and ATTESTA_OIDC_CLIENT_SECRET (oidc_issuer, oidc_client_id, oidc_client_secret)"
            ),
        },
        listen,
        data_dir,
    })
}

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
            return Ok(url.clone());
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

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
    }
}

/// Reads a secret from `value` or, in demo mode, from a file in the data
/// directory, generating it (32 random bytes, hex, mode 0600) the first time.
pub fn demo_secret_file(data_dir: &Path, name: &str) -> anyhow::Result<String> {
    let path = data_dir.join(name);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return Ok(text.trim().to_owned());
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no random source: {e}"))?;
    let value = hex::encode(bytes);
    write_private(&path, &value)?;
    Ok(value)
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
