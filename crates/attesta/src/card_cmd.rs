//! `attesta card verify TEXT [--keys FILE] [--status-list FILE]
//! [--cert FILE] [--aud URL --nonce TEXT] [--at RFC3339] [--json]`
//! (SPEC §7): offline verification of a card QR (or its URL), of an EU DCC
//! `HC1:` text with the signer's certificate, or of the card's SD-JWT VC
//! presentation `<issuer JWT>~<disclosures>~<KB-JWT>` (issue #19) for the
//! verifier's `--aud` and `--nonce`. Exit 0 only for `valid`; 2 for any
//! other outcome; 1 when an input is missing or cannot be read.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use attesta_credential::card::{
    KeySet, Outcome, PresentationVerdict, StatusInput, looks_like_sd_jwt, verify_card_presentation,
    verify_text,
};
use clap::Subcommand;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

#[derive(Debug, Subcommand)]
pub enum CardAction {
    /// Verify a card QR offline (or an EU DCC `HC1:` text with --cert, or
    /// the card's SD-JWT VC presentation with --aud and --nonce).
    Verify {
        /// The QR text (the card URL, its `EUDC1:` payload, or an `HC1:`
        /// text), or an SD-JWT VC presentation `<JWT>~<disclosures>~<KB-JWT>`.
        qr_text: String,
        /// The JWK Set as served at /.well-known/attesta/keys.json.
        #[arg(long)]
        keys: Option<PathBuf>,
        /// The status list as served at its URI: the CWT
        /// (application/statuslist+cwt) or the JWT (application/statuslist+jwt).
        #[arg(long)]
        status_list: Option<PathBuf>,
        /// For a presentation: the audience its Key Binding JWT must name
        /// (this verifier's identifier).
        #[arg(long)]
        aud: Option<String>,
        /// For a presentation: the nonce this verifier gave the holder.
        #[arg(long)]
        nonce: Option<String>,
        /// The signer's X.509 certificate (PEM or DER), for `HC1:` texts.
        #[arg(long)]
        cert: Option<PathBuf>,
        /// Check as of this instant (RFC 3339) instead of now.
        #[arg(long)]
        at: Option<String>,
        /// Print JSON with `outcome` and `reason` (and `disclosed` for a
        /// presentation).
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
        aud,
        nonce,
        cert,
        at,
        json,
    } = action
    else {
        anyhow::bail!("`card approve|reject` need the database");
    };
    let presentation = looks_like_sd_jwt(&qr_text);
    let binding = if presentation {
        anyhow::ensure!(
            cert.is_none(),
            "--cert is for an EU DCC `HC1:` text, not for an SD-JWT VC presentation"
        );
        match (aud, nonce) {
            (Some(aud), Some(nonce)) => Some((aud, nonce)),
            (aud, nonce) => {
                let missing: Vec<&str> = [(aud.is_none(), "--aud"), (nonce.is_none(), "--nonce")]
                    .into_iter()
                    .filter_map(|(m, name)| m.then_some(name))
                    .collect();
                anyhow::bail!(
                    "an SD-JWT VC presentation is checked for this verifier: add {} (the \
                     audience and the nonce the holder's Key Binding JWT must carry)",
                    missing.join(" and ")
                );
            }
        }
    } else {
        anyhow::ensure!(
            aud.is_none() && nonce.is_none(),
            "--aud and --nonce are for an SD-JWT VC presentation; a card QR or `HC1:` text \
             has no key binding: leave them out"
        );
        None
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
        Some(bytes) => StatusInput::served(bytes),
        None => StatusInput::None,
    };
    if let Some((aud, nonce)) = binding {
        let Some(keys) = keys else {
            anyhow::bail!(
                "an SD-JWT VC presentation needs the issuer's keys: add --keys FILE (the JWK Set \
                 served at /.well-known/attesta/keys.json)"
            );
        };
        let v =
            verify_card_presentation(&qr_text, &keys, status, &aud, &nonce, now.unix_timestamp());
        return print_presentation(&v, json);
    }
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

/// Prints a presentation's verdict: the outcome and reason, then the
/// disclosed claims one per line (the portrait as its size), or with
/// `--json` the verdict with its `disclosed` object.
fn print_presentation(v: &PresentationVerdict, json: bool) -> anyhow::Result<ExitCode> {
    if json {
        println!("{}", serde_json::to_string(v)?);
    } else {
        let verdict = &v.verdict;
        println!("{}: {}", verdict.outcome.as_str(), verdict.reason);
        if let Some(exp) = verdict
            .expires_at
            .and_then(|e| OffsetDateTime::from_unix_timestamp(e).ok())
        {
            println!("expires: {}", exp.format(&Rfc3339).unwrap_or_default());
        }
        for (name, value) in v.disclosed.iter().flatten() {
            println!("{name}: {}", claim_text(name, value));
        }
    }
    Ok(if v.verdict.outcome == Outcome::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// A disclosed claim on one line: strings bare, the portrait (a data URL)
/// as its media type and size, anything else as JSON.
fn claim_text(name: &str, value: &serde_json::Value) -> String {
    match value.as_str() {
        Some(data) if name == "portrait" => {
            let (head, b64) = data.split_once(',').unwrap_or(("", data));
            let media = head
                .strip_prefix("data:")
                .and_then(|h| h.split(';').next())
                .filter(|m| !m.is_empty())
                .unwrap_or("image");
            let bytes = b64.trim_end_matches('=').len() * 3 / 4;
            format!("{media}, {bytes} bytes (not printed)")
        }
        Some(s) => s.chars().filter(|c| !c.is_control()).collect(),
        None => value.to_string(),
    }
}
