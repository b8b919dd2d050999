//! `attesta backup` and `attesta restore` on SQLite (SPEC §12): a
//! consistent online copy with `VACUUM INTO` (a read transaction, so the
//! copy is one committed state and writers go on meanwhile), and the check
//! a copy must pass before it replaces anything.

use std::path::Path;
use std::str::FromStr;

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Row};

use crate::{Engine, Result, Store, StoreError};

/// What a checked backup holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackupSummary {
    pub people: i64,
    pub verbali: i64,
    pub verifications: i64,
}

impl Store {
    /// Writes a consistent copy of the SQLite database to `path` (which
    /// must not exist), safe while the server writes. PostgreSQL has its
    /// own tools (`pg_dump`): there this refuses, and the CLI says which
    /// command to use instead.
    pub async fn backup_into(&self, path: &Path) -> Result<()> {
        if self.engine() != Engine::Sqlite {
            return Err(StoreError::Corrupt(
                "backup_into is for SQLite; use pg_dump on PostgreSQL".into(),
            ));
        }
        let target = path
            .to_str()
            .ok_or_else(|| StoreError::Corrupt("the backup path is not UTF-8".into()))?;
        sqlx::query("VACUUM INTO $1")
            .bind(target.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

/// Opens the SQLite file at `path` read-only and checks it is a whole
/// attesta database: `PRAGMA integrity_check` answers `ok` and the
/// migrations table is there. Returns what it holds.
pub async fn check_sqlite_file(path: &Path) -> Result<std::result::Result<BackupSummary, String>> {
    sqlx::any::install_default_drivers();
    let Some(path_text) = path.to_str() else {
        return Ok(Err("the path is not UTF-8".into()));
    };
    let options = AnyConnectOptions::from_str(&format!("sqlite://{path_text}?mode=ro"))?;
    let mut conn: AnyConnection = match options.connect().await {
        Ok(c) => c,
        Err(e) => return Ok(Err(format!("cannot open it as SQLite: {e}"))),
    };
    let verdict: String = match sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await
    {
        Ok(row) => row.try_get(0)?,
        Err(e) => return Ok(Err(format!("not a SQLite database: {e}"))),
    };
    if verdict != "ok" {
        return Ok(Err(format!("the integrity check failed: {verdict}")));
    }
    let mut counts = [0i64; 4];
    for (i, (table, sql)) in [
        (
            "_sqlx_migrations",
            "SELECT COUNT(*) AS n FROM _sqlx_migrations",
        ),
        ("people", "SELECT COUNT(*) AS n FROM people"),
        ("verbali", "SELECT COUNT(*) AS n FROM verbali"),
        ("verifications", "SELECT COUNT(*) AS n FROM verifications"),
    ]
    .into_iter()
    .enumerate()
    {
        match sqlx::query(sql).fetch_one(&mut conn).await {
            Ok(row) => counts[i] = row.try_get("n")?,
            Err(_) => return Ok(Err(format!("not an attesta database (no table {table})"))),
        }
    }
    Ok(Ok(BackupSummary {
        people: counts[1],
        verbali: counts[2],
        verifications: counts[3],
    }))
}
