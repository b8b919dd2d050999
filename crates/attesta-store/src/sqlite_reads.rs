//! The level-1 read on SQLite without a thread hop (issue #15).
//!
//! sqlx runs each SQLite connection on a worker thread of its own: a
//! query is a message to that thread and an answer back, and the request's
//! task is woken when it arrives. Under a level-1 load that hand-off, not
//! SQLite, was the cost: in perf, the scheduler (`finish_task_switch`)
//! and the wake-ups took a fifth of the server's samples, against a few
//! per cent for the B-tree lookups themselves.
//!
//! So the one read every counter check makes goes through a small set of
//! read-only rusqlite connections to the same file, used on the request's
//! own thread: an indexed lookup of a few pages, tens of microseconds. WAL
//! lets these readers run beside the writers, and each statement starts a
//! read transaction at the latest commit, so a revocation or a failed
//! attempt committed through the pool is seen by the next check, as
//! before. An in-memory database (one connection's) keeps the pool's path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::{Result, StoreError, TokenLookup};

/// Connections kept for reuse; more may be open for a moment under load
/// (each request that finds none free opens its own).
const KEEP: usize = 16;

/// The readers of one database file.
#[derive(Debug)]
pub(crate) struct SqliteReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

const BY_TOKEN: &str = "SELECT a.attestation_id, a.person_id, a.revoked_at, a.failures, \
     a.window_start, p.fiscal_code, p.given_name, p.family_name, p.birth_date, p.mobile, \
     p.status_json FROM attestations a JOIN people p ON p.person_id = a.person_id \
     WHERE a.token_hash = ?1";

impl SqliteReads {
    pub(crate) fn new(path: &Path) -> SqliteReads {
        SqliteReads {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        Ok(conn)
    }

    /// Runs `f` on an idle connection (or a new one), then keeps it.
    fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T> {
        let taken = self.idle.lock().map(|mut idle| idle.pop()).ok().flatten();
        let conn = match taken {
            Some(c) => c,
            None => self.open().map_err(StoreError::Sqlite)?,
        };
        let out = f(&conn).map_err(StoreError::Sqlite)?;
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEEP
        {
            idle.push(conn);
        }
        Ok(out)
    }

    /// [`Store::lookup_token`](crate::Store::lookup_token) on SQLite.
    pub(crate) fn lookup_token(&self, token_hash: &str) -> Result<Option<TokenLookup>> {
        let row = self.with(|conn| {
            conn.prepare_cached(BY_TOKEN)?
                .query_row([token_hash], |r| {
                    Ok(Raw {
                        attestation_id: r.get(0)?,
                        person_id: r.get(1)?,
                        revoked_at: r.get(2)?,
                        failures: r.get(3)?,
                        window_start: r.get(4)?,
                        fiscal_code: r.get(5)?,
                        given_name: r.get(6)?,
                        family_name: r.get(7)?,
                        birth_date: r.get(8)?,
                        mobile: r.get(9)?,
                        status_json: r.get(10)?,
                    })
                })
                .optional()
        })?;
        row.map(Raw::into_lookup).transpose()
    }
}

/// The row as read, before its columns are parsed.
struct Raw {
    attestation_id: String,
    person_id: String,
    revoked_at: Option<i64>,
    failures: i64,
    window_start: Option<i64>,
    fiscal_code: String,
    given_name: String,
    family_name: String,
    birth_date: String,
    mobile: Option<String>,
    status_json: Option<String>,
}

impl Raw {
    fn into_lookup(self) -> Result<TokenLookup> {
        Ok(TokenLookup {
            attestation_id: self.attestation_id,
            person_id: self.person_id,
            revoked_at: self.revoked_at,
            failures: self.failures,
            window_start: self.window_start,
            fiscal_code: self.fiscal_code,
            given_name: self.given_name,
            family_name: self.family_name,
            birth_date: attesta_domain::parse_date(&self.birth_date)
                .ok_or_else(|| StoreError::Corrupt("birth_date is not a date".into()))?,
            mobile: self
                .mobile
                .as_deref()
                .and_then(attesta_domain::Mobile::parse),
            status: crate::parse_status(self.status_json.as_deref())?,
        })
    }
}
