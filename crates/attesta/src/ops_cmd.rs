//! Operations commands (SPEC §12): `attesta config check`, `attesta backup`
//! and `attesta restore`. A mistake (a bad setting, a refused restore, the
//! wrong engine) exits 2 naming it; a failure while doing the work exits 1.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use secrecy::ExposeSecret;

use crate::config;

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Print the effective configuration (secrets as ***) and check it as
    /// `attesta serve` would at start; exit 2 naming a mistake.
    Check {
        /// Check it for `attesta serve --demo` (no secret key needed).
        #[arg(long)]
        demo: bool,
    },
}

/// What a mistake exits with.
const MISTAKE: u8 = 2;

fn mistake(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(MISTAKE)
}

pub fn config(overrides: config::Overrides, action: ConfigAction) -> ExitCode {
    let ConfigAction::Check { demo } = action;
    let file = overrides
        .config
        .clone()
        .or_else(|| std::env::var_os("ATTESTA_CONFIG").map(Into::into));
    let settings = match config::load(overrides) {
        Ok(s) => s,
        Err(e) => return mistake(format!("{e:#}")),
    };
    if let Err(e) = settings.check(demo) {
        return mistake(format!("{e:#}"));
    }
    match file {
        Some(path) => println!(
            "# attesta: the effective configuration (file {}, then ATTESTA_* variables)",
            path.display()
        ),
        None => println!(
            "# attesta: the effective configuration (no file; ATTESTA_* variables and defaults)"
        ),
    }
    print!("{}", settings.effective());
    eprintln!("configuration OK");
    ExitCode::SUCCESS
}

/// PostgreSQL is backed up and restored with its own tools.
fn postgres_instead(what: &str) -> ExitCode {
    eprintln!(
        "error: attesta {what} copies the embedded SQLite database; on PostgreSQL use its own tools \
         (DATABASE_URL as configured):\n  \
         backup:  pg_dump --format=custom --file=attesta.dump \"$DATABASE_URL\"\n  \
         restore: pg_restore --clean --if-exists --no-owner --dbname=\"$DATABASE_URL\" attesta.dump"
    );
    ExitCode::from(MISTAKE)
}

fn is_postgres(settings: &config::Settings) -> bool {
    settings.database_url.as_ref().is_some_and(|url| {
        let url = url.expose_secret();
        url.starts_with("postgres:") || url.starts_with("postgresql:")
    })
}

pub async fn backup(settings: &config::Settings, file: &Path) -> anyhow::Result<ExitCode> {
    if is_postgres(settings) {
        return Ok(postgres_instead("backup"));
    }
    if file.exists() {
        return Ok(mistake(format!(
            "{} exists already: name a new file for the backup",
            file.display()
        )));
    }
    let store = settings.open_store().await?;
    if let Err(e) = store.backup_into(file).await {
        let _ = std::fs::remove_file(file);
        return Err(e).context(format!("cannot write the backup {}", file.display()));
    }
    match attesta_store::check_sqlite_file(file).await? {
        Ok(summary) => {
            println!(
                "backup written to {}: {} people, {} verbali, {} log entries; integrity ok",
                file.display(),
                summary.people,
                summary.verbali,
                summary.verifications
            );
            println!(
                "keep the server secret (ATTESTA_SECRET_KEY) and the card signing keys ({}) \
                 with your secrets: they are not in the backup",
                settings.data_dir.join("keys").display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(reason) => {
            let _ = std::fs::remove_file(file);
            anyhow::bail!("the backup did not check out ({reason}); nothing was kept")
        }
    }
}

pub async fn restore(settings: &config::Settings, file: &Path) -> anyhow::Result<ExitCode> {
    if is_postgres(settings) {
        return Ok(postgres_instead("restore"));
    }
    if settings.database_url.is_some() {
        return Ok(mistake(
            "restore writes the data directory's attesta.sqlite: unset DATABASE_URL and give --data-dir",
        ));
    }
    let dir = &settings.data_dir;
    if let Ok(mut entries) = std::fs::read_dir(dir)
        && let Some(entry) = entries.next()
    {
        let name = entry.map(|e| e.file_name().to_string_lossy().into_owned())?;
        return Ok(mistake(format!(
            "the data directory {} is not empty (it holds {name}): restore only into a new, empty one",
            dir.display()
        )));
    }
    let summary = match attesta_store::check_sqlite_file(file).await? {
        Ok(summary) => summary,
        Err(reason) => {
            return Ok(mistake(format!(
                "{} cannot be restored: {reason}",
                file.display()
            )));
        }
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let partial = dir.join("attesta.sqlite.restoring");
    std::fs::copy(file, &partial)
        .with_context(|| format!("cannot copy {} into {}", file.display(), dir.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, dir.join("attesta.sqlite"))?;
    // Opening it runs any newer migrations, as a start would.
    settings
        .open_store()
        .await
        .context("the restored database does not open")?;
    println!(
        "restored {} into {}: {} people, {} verbali, {} log entries",
        file.display(),
        dir.display(),
        summary.people,
        summary.verbali,
        summary.verifications
    );
    Ok(ExitCode::SUCCESS)
}
