//! `attesta card verify QR_TEXT [--keys FILE] [--status-list FILE]
//! [--cert FILE] [--at RFC3339] [--json]` (SPEC §7): offline verification
//! of a card QR (or its URL), or of an EU DCC `HC1:` text with the signer's
//! certificate. Exit 0 only for `valid`; 2 for any other outcome; 1 when
//! an input file cannot be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use attesta_credential::card::{KeySet, Outcome, StatusInput, verify_text};
use clap::Subcommand;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Subcommand)]
pub enum CardAction {
    /// Verify a card QR offline (or an EU DCC `HC1:` text with --cert).
    Verify {
        /// The QR text: the card URL, its `EUDC1:` payload, or an `HC1:` text.
        qr_text: String,
        /// The JWK Set as served at /.well-known/attesta/keys.json.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// The status list as served at its URI (application/statuslist+cwt).
        #[arg(long)]
        status_list: Option<PathBuf>,
        /// The signer's X.509 certificate (PEM or DER), for `HC1:` texts.
        #[arg(long)]
        cert: Option<PathBuf>,
        /// Check as of this instant (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Print JSON with `outcome` and `reason`.
        #[arg(long)]
        json: bool,
    },
    /// Approve a pending card application: the card is issued and e-mailed.
    Approve {
        /// The application id (as listed by GET /api/v1/admin/cards).
        application_id: String,
    },
    /// Reject a pending card application; the citizen is told the reason.
    Reject {
        application_id: String,
        /// Why, in words the citizen reads.
        #[arg(long)]
        reason: String,
    },
}

impl CardAction {
    /// `approve` and `reject` work on the database; `verify` is offline.
    pub fn needs_database(&self) -> bool {
        !matches!(self, CardAction::Verify { .. })
    }
}

/// `attesta card approve|reject` (SPEC §7): the back office's decisions,
/// through the same use cases as the API.
pub async fn decide(app: &attesta_app::App, action: CardAction) -> anyhow::Result<ExitCode> {
    match action {
        CardAction::Approve { application_id } => {
            let serial = app.approve_card(&application_id, "cli").await?;
            println!("approved: card {serial} issued");
        }
        CardAction::Reject {
            application_id,
            reason,
        } => {
            app.reject_card(&application_id, &reason, "cli").await?;
            println!("rejected: the citizen is told the reason");
        }
        CardAction::Verify { .. } => anyhow::bail!("`card verify` works offline"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Largest file read for --keys, --status-list or --cert.
const MAX_FILE: u64 = 8 * 1024 * 1024;

fn read(path: &Path, what: &str) -> anyhow::Result<Vec<u8>> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("cannot read the {what} file {}", path.display()))?
        .len();
    anyhow::ensure!(
        len <= MAX_FILE,
        "the {what} file {} is too large",
        path.display()
    );
    std::fs::read(path).with_context(|| format!("cannot read the {what} file {}", path.display()))
}

pub fn run(action: CardAction) -> anyhow::Result<ExitCode> {
    let CardAction::Verify {
        qr_text,
        keys,
        status_list,
        cert,
        at,
        json,
    } = action
    else {
        anyhow::bail!("`card approve|reject` need the database");
    };
    let now = match at {
        Some(at) => OffsetDateTime::parse(&at, &Rfc3339)
            .with_context(|| format!("--at {at:?} is not an RFC 3339 date-time"))?,
        None => OffsetDateTime::now_utc(),
    };
    let keys = match keys {
        Some(path) => {
            let bytes = read(&path, "key set")?;
            Some(KeySet::from_jwks(&bytes).with_context(|| format!("{}", path.display()))?)
        }
        None => None,
    };
    let status_bytes = status_list.map(|p| read(&p, "status list")).transpose()?;
    let cert = cert.map(|p| read(&p, "certificate")).transpose()?;
    let status = match &status_bytes {
        Some(bytes) => StatusInput::Cwt(bytes),
        None => StatusInput::None,
    };
    let verdict = verify_text(
        &qr_text,
        keys.as_ref(),
        status,
        cert.as_deref(),
        now.unix_timestamp(),
    );
    if json {
        println!("{}", serde_json::to_string(&verdict)?);
    } else {
        println!("{}: {}", verdict.outcome.as_str(), verdict.reason);
        if let Some(serial) = &verdict.serial {
            println!("serial: {serial}");
        }
        if let Some(exp) = verdict
            .expires_at
            .and_then(|e| OffsetDateTime::from_unix_timestamp(e).ok())
        {
            println!("expires: {}", exp.format(&Rfc3339).unwrap_or_default());
        }
    }
    Ok(if verdict.outcome == Outcome::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
