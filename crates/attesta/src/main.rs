//! The `attesta` binary: the service and its command-line tools. Each
//! command calls the same use cases (`attesta-app`) as the HTTP API.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use attesta_app::{App, Config};
use attesta_credential::ServerSecret;
use clap::{Parser, Subcommand};
use secrecy::ExposeSecret;

mod audit_cmd;
mod card_cmd;
mod config;
mod import_cmd;
mod jobs_cmd;
mod keys_cmd;
mod ops_cmd;
mod seed_cmd;

#[derive(Debug, Parser)]
#[command(
    name = "attesta",
    version,
    about = "Prove a recognised disability with a QR code"
)]
struct Cli {
    /// A TOML configuration file (also ATTESTA_CONFIG).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// The data directory: the SQLite file and, in demo mode, generated keys.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the service.
    Serve {
        /// Demo mode: embedded SQLite (or DATABASE_URL), demo people, demo login, outbox.
        #[arg(long)]
        demo: bool,
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// The public base URL printed in QR codes (default http://{listen}).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Import people, verbali, doctors' certificates or payments from a .jsonl or .csv file.
    Import {
        /// The file; its keys or header tell the kind (docs/import.md).
        file: PathBuf,
        /// Rows per transaction.
        #[arg(long, default_value_t = attesta_app::import::DEFAULT_BATCH_SIZE)]
        batch_size: usize,
        /// Alert the people (e-mail and SMS, with their consent) whose
        /// verbale this import makes definitive, as a live ingest does;
        /// without it a bulk load alerts no one.
        #[arg(long)]
        notify: bool,
    },
    /// Make synthetic people with qualifying verbali, for load tests.
    Seed {
        /// How many people.
        #[arg(long)]
        people: u64,
        /// Also make their attestations and write `token,fiscal_code` lines here.
        #[arg(long)]
        tokens: Option<PathBuf>,
        /// The public base URL (only the token is written, but it is derived the same way).
        #[arg(long)]
        public_url: Option<String>,
    },
    /// Card signing keys: generate, rotate, list.
    Keys {
        #[command(subcommand)]
        action: keys_cmd::KeysAction,
    },
    /// EU Disability Card: verify a card QR offline; approve or reject applications.
    Card {
        #[command(subcommand)]
        action: card_cmd::CardAction,
    },
    /// The application journey's scheduled rules: silent assent, certificate expiry.
    Jobs {
        #[command(subcommand)]
        action: jobs_cmd::JobsAction,
    },
    /// The configuration: check it before a start.
    Config {
        #[command(subcommand)]
        action: ops_cmd::ConfigAction,
    },
    /// Write a consistent copy of the SQLite database, safe while the server runs.
    Backup {
        /// The new file to write.
        file: PathBuf,
    },
    /// Restore a backup into an empty data directory.
    Restore {
        /// A file written by `attesta backup`.
        file: PathBuf,
    },
    /// The verification log's hash chain: verify it.
    Audit {
        #[command(subcommand)]
        action: audit_cmd::AuditAction,
    },
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(std::env::var("ATTESTA_LOG").unwrap_or_else(|_| "info".into()))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: a log collector
        // (journald, a file, a pipe) gets plain lines.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if std::env::var("ATTESTA_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve {
            demo,
            listen,
            public_url,
        } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                listen,
                data_dir: cli.data_dir,
                public_url,
            })?;
            serve(settings, demo).await?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Import {
            file,
            batch_size,
            notify,
        } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            let app = open_app(&settings, ServerSecret::generate(), false).await?;
            import_cmd::run(&app, &file, batch_size, notify).await
        }
        Command::Seed {
            people,
            tokens,
            public_url,
        } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                public_url,
                ..Default::default()
            })?;
            let secret = match &settings.secret_key {
                Some(hex) => ServerSecret::from_hex(hex.expose_secret())?,
                None if tokens.is_none() => ServerSecret::generate(),
                None => ServerSecret::from_hex(
                    config::demo_secret_file(&settings.data_dir, "secret.key")?.expose_secret(),
                )?,
            };
            let app = open_app(&settings, secret, false).await?;
            seed_cmd::run(&app, people, tokens.as_deref()).await
        }
        Command::Keys { action } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            let app = open_app(&settings, ServerSecret::generate(), false).await?;
            keys_cmd::run(&app, action).await
        }
        Command::Card { action } if action.needs_database() => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            let mut app = open_app(&settings, ServerSecret::generate(), false).await?;
            if let Some(smtp) = smtp_mailer(&settings)? {
                app = app.with_mailer(std::sync::Arc::new(smtp));
            }
            card_cmd::decide(&app, action).await
        }
        Command::Card { action } => card_cmd::run(action),
        Command::Jobs { action } => {
            attesta_app::journey::check_procedure_rules()?;
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            let app = open_app(&settings, ServerSecret::generate(), false).await?;
            jobs_cmd::run(&app, action).await
        }
        Command::Config { action } => Ok(ops_cmd::config(
            config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            },
            action,
        )),
        Command::Backup { file } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            ops_cmd::backup(&settings, &file).await
        }
        Command::Restore { file } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            ops_cmd::restore(&settings, &file).await
        }
        Command::Audit { action } => {
            let settings = config::load(config::Overrides {
                config: cli.config,
                data_dir: cli.data_dir,
                ..Default::default()
            })?;
            let store = settings.open_store().await?;
            audit_cmd::run(&store, action).await
        }
    }
}

async fn open_app(
    settings: &config::Settings,
    secret: ServerSecret,
    demo: bool,
) -> anyhow::Result<App> {
    let store = settings.open_store().await?;
    let mut config = Config::new(settings.public_url());
    config.demo = demo;
    config.max_fiscal_code_failures = settings.max_fiscal_code_failures;
    config.otp.ttl = std::time::Duration::from_secs(settings.otp_ttl_seconds);
    config.otp.max_failures = settings.otp_max_failures;
    config.otp.max_per_short_window = settings.otp_max_per_15_minutes;
    config.otp.max_per_long_window = settings.otp_max_per_24_hours;
    config.log_retention =
        std::time::Duration::from_secs(settings.log_retention_days * 24 * 60 * 60);
    config.failure_window = std::time::Duration::from_secs(settings.failure_window_seconds);
    config.keys_dir = Some(settings.data_dir.join("keys"));
    config.card_auto_approve = settings.card_auto_approve;
    config.session_ttl = std::time::Duration::from_secs(settings.session_minutes * 60);
    let app = App::new(store, secret, config);
    Ok(match settings.identity_provider() {
        Some(provider) => {
            let oidc = attesta_app::oidc::Oidc::new(provider)
                .map_err(|e| anyhow::anyhow!("cannot set up the identity-provider client: {e}"))?;
            app.with_identity_provider(oidc)
        }
        None => app,
    })
}

/// The configured SMTP server, if any (the CLI's card decisions e-mail the
/// citizen like the service does).
fn smtp_mailer(
    settings: &config::Settings,
) -> anyhow::Result<Option<attesta_app::mail::SmtpMailer>> {
    Ok(match settings.smtp()? {
        Some(smtp) => Some(attesta_app::mail::SmtpMailer::new(&smtp)?),
        None => None,
    })
}

async fn serve(settings: config::Settings, demo: bool) -> anyhow::Result<()> {
    // Issue #8: a benefit rules file with a mistake stops the start, naming
    // the file, line and field.
    attesta_app::benefits::check_benefit_rules()?;
    // Issue #6: so does a mistake in the card rules (rules/card.toml).
    attesta_app::cards::check_card_rules()?;
    // And in the procedure rules (rules/procedures.toml, SPEC §10).
    attesta_app::journey::check_procedure_rules()?;
    let secret_hex = match (&settings.secret_key, demo) {
        (Some(hex), _) => hex.clone(),
        (None, true) => config::demo_secret_file(&settings.data_dir, "secret.key")?,
        (None, false) => anyhow::bail!(
            "ATTESTA_SECRET_KEY is not set: give 32 random bytes as 64 hex characters \
             (e.g. `openssl rand -hex 32`), the same on every node"
        ),
    };
    let secret = ServerSecret::from_hex(secret_hex.expose_secret())?;
    let admin_api_key = match (&settings.admin_api_key, demo) {
        (Some(key), _) => Some(key.clone()),
        (None, true) => Some(config::demo_secret_file(
            &settings.data_dir,
            "admin-api.key",
        )?),
        (None, false) => {
            tracing::warn!(
                "ATTESTA_ADMIN_API_KEY is not set: the back-office API refuses every request"
            );
            None
        }
    };
    let mut app = open_app(&settings, secret, demo).await?;
    if let Some(sms) = settings.sms() {
        let gateway = attesta_app::sms::HttpSms::new(sms)?;
        app = app.with_sms(std::sync::Arc::new(gateway));
    } else if !demo {
        tracing::warn!("ATTESTA_SMS_URL is not set: level 2 cannot send one-time codes");
    }
    if let Some(smtp) = smtp_mailer(&settings)? {
        let mailer: std::sync::Arc<dyn attesta_app::mail::Mailer> = if demo {
            std::sync::Arc::new(attesta_app::mail::OutboxMailer {
                store: app.store().clone(),
                smtp: Some(smtp),
            })
        } else {
            std::sync::Arc::new(smtp)
        };
        app = app.with_mailer(mailer);
    } else if !demo {
        tracing::warn!("ATTESTA_SMTP_HOST is not set: attestations cannot be e-mailed");
    }
    if demo {
        attesta_app::demo::seed(&app).await?;
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("cannot listen on {}", settings.listen))?;
    let local = listener.local_addr()?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    println!("attesta is listening on http://{local}");
    println!("  home page:            {base}/");
    println!("  operator check:       {base}/v");
    if demo {
        println!("  demo login:           {base}/demo");
        if settings.admin_api_key.is_none()
            && let Some(key) = &admin_api_key
        {
            // Printed on purpose: demo mode generated it for this operator.
            println!(
                "  back-office API key:  {}  (Authorization: Bearer …)",
                key.expose_secret()
            );
        }
        println!("  data directory:       {}", settings.data_dir.display());
    }
    let web = attesta_web::WebConfig {
        admin_api_key,
        secure_cookies: base.starts_with("https://"),
        rate_limit: Some(attesta_web::RateLimit {
            per_second: settings.rate_limit_per_second,
            burst: settings.rate_limit_burst,
            trusted_proxies: settings.trusted_proxies.clone(),
        }),
        header_read_timeout: std::time::Duration::from_secs(settings.header_read_timeout_seconds),
        body_stall_timeout: std::time::Duration::from_secs(settings.body_stall_timeout_seconds),
    };
    jobs_cmd::spawn_hourly(app.clone());
    jobs_cmd::spawn_alerts(
        app.clone(),
        std::time::Duration::from_secs(settings.alerts_interval_seconds),
    );
    let store = app.store().clone();
    attesta_web::serve(listener, app, web).await?;
    // SIGTERM (SPEC §12): the requests in flight are done; write what the
    // log writer still holds before the process ends.
    store.flush_log().await?;
    store.checkpoint().await?;
    Ok(())
}
