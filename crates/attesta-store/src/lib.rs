//! attesta's one storage layer, for SQLite (default) and PostgreSQL.
//!
//! One code path through sqlx's Any driver: runtime queries with `$n`
//! placeholders and portable SQL; the conformance suite in
//! `tests/conformance` runs on both engines and is the safeguard that
//! compile-time checked queries would otherwise be. Two exceptions, on a
//! SQLite file only and for speed (issue #15): the level-1 read
//! (`sqlite_reads.rs`) and the verification log writer (`log_writer.rs`)
//! use rusqlite connections of their own, without sqlx's worker thread.
//!
//! Error policy: methods return [`StoreError`]; expected outcomes (an
//! unknown person, a conflicting verbale) are values, not errors.

use std::str::FromStr;
use std::time::Duration;

use attesta_domain::{FiscalCode, Mobile, Person, Status, Verbale, VerbaleInput, parse_date};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::{AnyConnection, AnyPool, Row};
use time::Date;

mod alerts;
mod backup;
mod bulk;
pub mod cards;
mod check_handles;
mod citizen;
pub mod documents;
pub mod ids;
pub mod journey;
pub mod keys;
mod level2;
mod log_chain;
mod log_writer;
mod messages;
mod payments;
mod sqlite_reads;
mod verbali;
pub mod wallet;

pub use alerts::{AlertRecord, ClaimedAlert};
pub use backup::{BackupSummary, check_sqlite_file};
pub use bulk::{BulkIngest, NewAttestation};
pub use citizen::{ActivityRecord, DelegationRecord};
pub use level2::{OtpRecord, OtpState, OutboxMessage};
pub use log_chain::{AuditReport, GENESIS};
pub use messages::MessageRecord;
pub use payments::{PaymentError, PaymentOutcome, PaymentRecord};
pub use verbali::{IngestError, IngestOutcome, StoredVerbale};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A database failure. Callers log it and answer a plain 500/503.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
    /// The log writer's batch holding this entry failed (or the writer
    /// stopped): the entry is not written.
    #[error("the verification log could not be written: {0}")]
    LogWrite(String),
    /// A read through the SQLite readers of `sqlite_reads.rs`.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    /// Whether the database is out of reach (stopped, restarting, out of
    /// connections, locked past the busy timeout, out of disk) rather than
    /// a query at fault: SPEC §12 answers the first 503
    /// `service_unavailable`, a request that may succeed a moment later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            StoreError::LogWrite(_) => true,
            StoreError::Database(e) => sqlx_is_unavailable(e),
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                unavailable_code(&e.extended_code.to_string())
            }
            StoreError::Migrate(_) | StoreError::Corrupt(_) | StoreError::Sqlite(_) => false,
        }
    }

    /// Whether the database could not grow its files: the disk is full,
    /// or a quota or a file size limit (`ulimit -f`) stops it. SQLite says
    /// FULL for "no space left" and IOERR_WRITE, IOERR_TRUNCATE or
    /// IOERR_SHMSIZE when the system refuses the write otherwise (over a
    /// quota, past the size limit); PostgreSQL says 53100 `disk_full`.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => {
                db.code().is_some_and(|c| disk_full_code(&c))
            }
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => {
                disk_full_code(&e.extended_code.to_string())
            }
            _ => false,
        }
    }
}

/// A database error code of a write the disk refused (see
/// [`StoreError::is_disk_full`]): PostgreSQL's SQLSTATE 53100, SQLite's
/// FULL (13) and the extended codes IOERR_WRITE (778), IOERR_TRUNCATE
/// (1546) and IOERR_SHMSIZE (4874).
fn disk_full_code(code: &str) -> bool {
    if code.len() == 5 {
        return code == "53100";
    }
    code.parse::<u32>()
        .is_ok_and(|n| n & 0xff == 13 || matches!(n, 778 | 1546 | 4874))
}

fn sqlx_is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|c| unavailable_code(&c)),
        _ => false,
    }
}

/// A database error code that means "not now" rather than "not this":
/// PostgreSQL's SQLSTATE (five characters) classes 08 (connection), 53
/// (insufficient resources) and 57P01–57P03 (shut down, starting up);
/// SQLite's result codes (a number; the primary code is its low byte)
/// BUSY, LOCKED, IOERR, FULL and CANTOPEN.
fn unavailable_code(code: &str) -> bool {
    if code.len() == 5 {
        return code.starts_with("08") || code.starts_with("53") || code.starts_with("57P0");
    }
    code.parse::<u32>()
        .is_ok_and(|n| matches!(n & 0xff, 5 | 6 | 10 | 13 | 14))
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Which engine is behind the pool; they differ only in how a write
/// transaction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The storage layer. Cheap to clone (a pool handle and the log writer's
/// queue).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    engine: Engine,
    log: log_writer::LogWriter,
    /// SQLite files only: the level-1 read without sqlx's thread hop.
    reads: Option<std::sync::Arc<sqlite_reads::SqliteReads>>,
    /// SQLite files only: the bulk batches' connection ([`Store::bulk_batch`]).
    bulk: Option<AnyPool>,
}

/// Milliseconds since the Unix epoch: how every time is stored.
pub type Millis = i64;

/// A person as stored, with what the citizen area needs.
#[derive(Debug, Clone)]
pub struct PersonRecord {
    pub person_id: String,
    pub person: Person,
    pub privacy_accepted_at: Option<Millis>,
    pub status: Status,
}

/// What the level-1 check reads, in one indexed lookup by token hash.
#[derive(Debug, Clone)]
pub struct TokenLookup {
    pub attestation_id: String,
    pub person_id: String,
    pub revoked_at: Option<Millis>,
    pub failures: i64,
    pub window_start: Option<Millis>,
    pub fiscal_code: String,
    pub given_name: String,
    pub family_name: String,
    pub birth_date: Date,
    pub mobile: Option<Mobile>,
    pub status: Status,
}

/// An attestation row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestationRecord {
    pub attestation_id: String,
    pub person_id: String,
    pub created_at: Millis,
    pub revoked_at: Option<Millis>,
}

/// One verification attempt for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationRecord {
    pub verification_id: String,
    pub person_id: Option<String>,
    pub attestation_id: Option<String>,
    pub at: Millis,
    pub level: i64,
    pub outcome: attesta_domain::CheckOutcome,
    pub operator: Option<String>,
    pub organisation: Option<String>,
}

/// A login session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub session_hash: String,
    pub role: String,
    pub subject: String,
    pub display_name: String,
    pub organisation: Option<String>,
    pub csrf_token: String,
    pub created_at: Millis,
    pub expires_at: Millis,
    /// The holder (person id) a delegate's session acts for.
    pub acting_for: Option<String>,
}

/// The connection pool: how many connections at most (default 8 on
/// SQLite, 16 on PostgreSQL; the log writer has one more of its own) and
/// how long a request waits for one, or for an unreachable database,
/// before it is answered 503 (default 5 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolConfig {
    pub max_connections: Option<u32>,
    pub acquire_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_connections: None,
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// The request pool's connections (see [`Store::pool_stats`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub idle: u32,
    pub in_use: u32,
    pub max: u32,
}

/// Whether a person was created or updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upserted {
    Created,
    Updated,
}

impl Store {
    /// Connects, runs the embedded migrations and starts the verification
    /// log writer (a task on the current tokio runtime, see
    /// [`Store::log_verification`]). `sqlite://…` or `postgres://…`; for a
    /// SQLite file the URL should carry `?mode=rwc`.
    pub async fn connect(url: &str) -> Result<Store> {
        Store::connect_with(url, PoolConfig::default()).await
    }

    /// [`Store::connect`] with the pool's size and wait set (the
    /// `ATTESTA_DATABASE_*` settings).
    pub async fn connect_with(url: &str, config: PoolConfig) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Engine::Postgres
        } else {
            Engine::Sqlite
        };
        let options = AnyConnectOptions::from_str(url)?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        let pool = pool_options(engine, "NORMAL", config)
            .max_connections(match engine {
                // An in-memory SQLite database is one connection's.
                Engine::Sqlite if in_memory => 1,
                Engine::Sqlite => config.max_connections.unwrap_or(8),
                Engine::Postgres => config.max_connections.unwrap_or(16),
            })
            .connect_with(options.clone())
            .await?;
        MIGRATOR.run(&pool).await?;
        // The log writer's own connection: its commits must survive a power
        // cut (SQLite `synchronous = FULL`). An in-memory SQLite database is
        // one connection's, so there the writer shares the pool.
        let writer_pool = if in_memory {
            pool.clone()
        } else {
            pool_options(engine, "FULL", config)
                .max_connections(1)
                .min_connections(1)
                .connect_with(options)
                .await?
        };
        let mut tx = match engine {
            Engine::Sqlite => writer_pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => writer_pool.begin().await?,
        };
        let adopted = log_chain::adopt_unchained(&mut tx, engine == Engine::Postgres).await?;
        tx.commit().await?;
        if adopted > 0 {
            tracing::info!(
                adopted,
                "linked {adopted} verification log entries from before the chain"
            );
        }
        // A SQLite file: the log writer's thread and the level-1 readers
        // use rusqlite connections of their own (log_writer.rs,
        // sqlite_reads.rs); the writer pool was for the adoption above.
        let file = match engine {
            Engine::Sqlite if !in_memory => Some(
                sqlx::sqlite::SqliteConnectOptions::from_str(url)?
                    .get_filename()
                    .to_owned(),
            ),
            _ => None,
        };
        let (log, reads, bulk) = match &file {
            Some(path) => {
                writer_pool.close().await;
                let bulk = pool_options(engine, "NORMAL", config)
                    .max_connections(1)
                    .min_connections(0)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            sqlite_pragmas(conn, "NORMAL").await?;
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "PRAGMA cache_size = -{BULK_CACHE_KIB}"
                            )))
                            .execute(&mut *conn)
                            .await?;
                            Ok(())
                        })
                    })
                    .connect_lazy_with(AnyConnectOptions::from_str(url)?);
                (
                    log_writer::LogWriter::start_sqlite(path)?,
                    Some(std::sync::Arc::new(sqlite_reads::SqliteReads::new(path))),
                    Some(bulk),
                )
            }
            None => (
                log_writer::LogWriter::start(writer_pool, engine),
                None,
                None,
            ),
        };
        Ok(Store {
            pool,
            engine,
            log,
            reads,
            bulk,
        })
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The request pool now (the log writer's own connection is not in
    /// it), for `/metrics`.
    pub fn pool_stats(&self) -> PoolStats {
        let open = self.pool.size();
        let idle = u32::try_from(self.pool.num_idle())
            .unwrap_or(u32::MAX)
            .min(open);
        PoolStats {
            idle,
            in_use: open - idle,
            max: self.pool.options().get_max_connections(),
        }
    }

    /// How long taking a connection from the request pool takes now (the
    /// wait a request would have), for `/metrics`; the connection goes
    /// straight back. An error is the pool's: closed, or timed out.
    pub async fn time_acquire(&self) -> Result<Duration> {
        let started = std::time::Instant::now();
        let conn = self.pool.acquire().await?;
        let waited = started.elapsed();
        drop(conn);
        Ok(waited)
    }

    /// For `/readyz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Starts a [`Batch`]: people and verbali written in one transaction.
    pub async fn batch(&self) -> Result<Batch> {
        Ok(Batch {
            tx: self.begin().await?,
            engine: self.engine,
        })
    }

    /// A [`Batch`] for a bulk load (`attesta import`, `attesta seed`). On a
    /// SQLite file it runs on a connection of its own whose page cache is
    /// [`BULK_CACHE_KIB`]: with SQLite's default 2 MiB, a 10,000-row batch
    /// spilled dirty pages to the WAL and read them back many times over
    /// (1.4 million `pwrite` calls for 200,000 verbali), and the larger
    /// cache took that import from 16.8 s to 14.2 s. One connection, made
    /// when first used, so a server (which makes no bulk batch) and the
    /// pool's other connections keep the small cache.
    pub async fn bulk_batch(&self) -> Result<Batch> {
        let Some(bulk) = &self.bulk else {
            return self.batch().await;
        };
        Ok(Batch {
            tx: bulk.begin_with("BEGIN IMMEDIATE").await?,
            engine: self.engine,
        })
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so a transaction that reads before it writes
    /// cannot deadlock with another writer.
    pub(crate) async fn begin(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.engine {
            Engine::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Engine::Postgres => self.pool.begin().await?,
        })
    }

    // ---- people -------------------------------------------------------

    /// Creates or updates a person's registry data (never their status).
    pub async fn upsert_person(&self, person: &Person, now: Millis) -> Result<Upserted> {
        let mut batch = self.batch().await?;
        let outcome = batch.upsert_person(person, now).await?;
        batch.commit().await?;
        Ok(outcome)
    }

    pub async fn person_by_fiscal_code(&self, cf: &FiscalCode) -> Result<Option<PersonRecord>> {
        let row = sqlx::query(
            "SELECT person_id, fiscal_code, given_name, family_name, birth_date, email, mobile, \
             privacy_accepted_at, status_json FROM people WHERE fiscal_code = $1",
        )
        .bind(cf.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| person_from_row(&r)).transpose()
    }

    pub async fn person_by_id(&self, person_id: &str) -> Result<Option<PersonRecord>> {
        let row = sqlx::query(
            "SELECT person_id, fiscal_code, given_name, family_name, birth_date, email, mobile, \
             privacy_accepted_at, status_json FROM people WHERE person_id = $1",
        )
        .bind(person_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| person_from_row(&r)).transpose()
    }

    /// Records the acceptance of the privacy notice (the first one counts).
    pub async fn accept_privacy_notice(&self, person_id: &str, now: Millis) -> Result<()> {
        sqlx::query(
            "UPDATE people SET privacy_accepted_at = $2 \
             WHERE person_id = $1 AND privacy_accepted_at IS NULL",
        )
        .bind(person_id.to_owned())
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// How many people are stored (for the demo banner and tests).
    pub async fn count_people(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM people")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")?)
    }

    // ---- verbali ------------------------------------------------------

    /// Stores one verbale, idempotently by id, and brings the person's
    /// current status up to date (SPEC §2, §6). Unlinked, definitive (if it
    /// is) on the UTC day of `now`: the use cases call
    /// [`Batch::ingest_linked_verbale`] with the Italian day.
    pub async fn ingest_verbale(
        &self,
        verbale: &Verbale,
        now: Millis,
    ) -> Result<Result<IngestOutcome, IngestError>> {
        let mut batch = self.batch().await?;
        let outcome = batch.ingest_verbale(verbale, now).await?;
        batch.commit().await?;
        Ok(outcome)
    }

    /// One verbale by id, with its application link and `definitive_on`.
    pub async fn verbale(&self, verbale_id: &str) -> Result<Option<StoredVerbale>> {
        let mut conn = self.pool.acquire().await?;
        verbali::by_id(&mut conn, verbale_id).await
    }

    /// A person's definitive verbali whose day is recorded: id and the day
    /// each became definitive, oldest first (for the notices of SPEC §11).
    pub async fn definitive_verbali_of(&self, person_id: &str) -> Result<Vec<(String, Date)>> {
        let mut conn = self.pool.acquire().await?;
        verbali::definitive_of_person(&mut conn, person_id).await
    }

    /// The verbali of a person, in ingest order.
    pub async fn verbali_of(&self, person_id: &str) -> Result<Vec<Verbale>> {
        let mut conn = self.pool.acquire().await?;
        verbali::of_person(&mut conn, person_id).await
    }

    // ---- attestations -------------------------------------------------

    /// Makes `attestation_id` the person's one active attestation, revoking
    /// any previous one, in one transaction.
    pub async fn create_attestation(
        &self,
        person_id: &str,
        attestation_id: &str,
        token_hash: &str,
        now: Millis,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        // Two regenerations at once for one person: the second waits here
        // for the first to commit, then revokes what it made, so the unique
        // index `attestations_one_active` never refuses the insert. SQLite's
        // `BEGIN IMMEDIATE` already let only one writer in.
        if self.engine == Engine::Postgres {
            sqlx::query("SELECT person_id FROM people WHERE person_id = $1 FOR UPDATE")
                .bind(person_id.to_owned())
                .fetch_optional(&mut *tx)
                .await?;
        }
        revoke_active(&mut tx, person_id, now).await?;
        sqlx::query(
            "INSERT INTO attestations (attestation_id, person_id, token_hash, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(attestation_id.to_owned())
        .bind(person_id.to_owned())
        .bind(token_hash.to_owned())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn active_attestation(&self, person_id: &str) -> Result<Option<AttestationRecord>> {
        let row = sqlx::query(
            "SELECT attestation_id, person_id, created_at, revoked_at FROM attestations \
             WHERE person_id = $1 AND revoked_at IS NULL",
        )
        .bind(person_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(AttestationRecord {
                attestation_id: r.try_get("attestation_id")?,
                person_id: r.try_get("person_id")?,
                created_at: r.try_get("created_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .transpose()
    }

    /// Revokes the person's active attestation; false if there was none.
    pub async fn revoke_attestation(&self, person_id: &str, now: Millis) -> Result<bool> {
        let mut conn = self.pool.acquire().await?;
        revoke_active(&mut conn, person_id, now).await
    }

    /// The level-1 read: attestation, person and current status by token
    /// hash, one indexed lookup.
    pub async fn lookup_token(&self, token_hash: &str) -> Result<Option<TokenLookup>> {
        if let Some(reads) = &self.reads {
            return reads.lookup_token(token_hash);
        }
        let row = sqlx::query(
            "SELECT a.attestation_id, a.person_id, a.revoked_at, a.failures, a.window_start, \
             p.fiscal_code, p.given_name, p.family_name, p.birth_date, p.mobile, p.status_json \
             FROM attestations a JOIN people p ON p.person_id = a.person_id \
             WHERE a.token_hash = $1",
        )
        .bind(token_hash.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| token_lookup(&r)).transpose()
    }

    /// The same read as [`Store::lookup_token`], by attestation id (level 2
    /// finds the attestation through its OTP request).
    pub async fn lookup_token_by_attestation(
        &self,
        attestation_id: &str,
    ) -> Result<Option<TokenLookup>> {
        let row = sqlx::query(
            "SELECT a.attestation_id, a.person_id, a.revoked_at, a.failures, a.window_start, \
             p.fiscal_code, p.given_name, p.family_name, p.birth_date, p.mobile, p.status_json \
             FROM attestations a JOIN people p ON p.person_id = a.person_id \
             WHERE a.attestation_id = $1",
        )
        .bind(attestation_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| token_lookup(&r)).transpose()
    }

    /// Counts one wrong codice fiscale against an attestation, atomically on
    /// every engine: a window older than `window_ms` starts again at 1.
    /// Returns the failures in the current window and when it started.
    pub async fn record_failure(
        &self,
        attestation_id: &str,
        now: Millis,
        window_ms: i64,
    ) -> Result<(i64, Millis)> {
        let row = sqlx::query(
            "UPDATE attestations SET \
               failures = CASE WHEN window_start IS NULL OR window_start <= $2 THEN 1 ELSE failures + 1 END, \
               window_start = CASE WHEN window_start IS NULL OR window_start <= $2 THEN $3 ELSE window_start END \
             WHERE attestation_id = $1 RETURNING failures, window_start",
        )
        .bind(attestation_id.to_owned())
        .bind(now - window_ms)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok((row.try_get("failures")?, row.try_get("window_start")?))
    }

    // ---- verification log ---------------------------------------------

    /// Appends one attempt to the log; returns once it is durable: the log
    /// writer (`log_writer.rs`) commits it in a batch with whatever else was
    /// queued, linked into the hash chain, and answers after the commit. An
    /// error means the entry is not written ([`StoreError::LogWrite`]).
    pub async fn log_verification(&self, record: &VerificationRecord) -> Result<()> {
        self.log.append(record.clone()).await
    }

    /// Waits until every log entry queued so far is committed (the flush of
    /// SIGTERM, SPEC §12).
    pub async fn flush_log(&self) -> Result<()> {
        self.log.flush().await
    }

    /// SQLite: copies the whole WAL back into the database file and empties
    /// it (`wal_checkpoint(TRUNCATE)`), as a bulk load or a server ends.
    /// Under a steady read load SQLite's own checkpoints never get to reset
    /// the WAL, so one left large by a bulk load only grew (to 700 MB after
    /// a million-person seed and three level-1 runs), and every later
    /// checkpoint copied more of it. A no-op on PostgreSQL.
    pub async fn checkpoint(&self) -> Result<()> {
        if self.engine == Engine::Sqlite {
            sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }

    /// Retention (SPEC §12): removes the oldest verification log entries,
    /// those before the oldest one made at or after `before`, keeping the
    /// chain verifiable from the oldest entry kept. Returns how many.
    pub async fn purge_verifications(&self, before: Millis) -> Result<u64> {
        log_chain::prune(&self.pool, self.engine == Engine::Postgres, before).await
    }

    /// `attesta audit verify`: walks the verification log's hash chain from
    /// the oldest kept entry to the head (`log_chain.rs`). Needs no secret.
    pub async fn audit_log(&self) -> Result<AuditReport> {
        log_chain::audit(&self.pool).await
    }

    /// The checks made on a person, newest first.
    pub async fn verifications_of(
        &self,
        person_id: &str,
        limit: i64,
    ) -> Result<Vec<VerificationRecord>> {
        let rows = sqlx::query(
            "SELECT verification_id, person_id, attestation_id, at, level, outcome, operator, \
             organisation FROM verifications WHERE person_id = $1 \
             ORDER BY at DESC, verification_id DESC LIMIT $2",
        )
        .bind(person_id.to_owned())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(VerificationRecord {
                    verification_id: r.try_get("verification_id")?,
                    person_id: r.try_get("person_id")?,
                    attestation_id: r.try_get("attestation_id")?,
                    at: r.try_get("at")?,
                    level: r.try_get("level")?,
                    outcome: {
                        let text: String = r.try_get("outcome")?;
                        attesta_domain::CheckOutcome::parse(&text).ok_or_else(|| {
                            StoreError::Corrupt(format!("verification outcome {text:?}"))
                        })?
                    },
                    operator: r.try_get("operator")?,
                    organisation: r.try_get("organisation")?,
                })
            })
            .collect()
    }

    // ---- sessions -----------------------------------------------------

    pub async fn create_session(&self, s: &SessionRecord) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (session_hash, role, subject, display_name, organisation, \
             csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(s.session_hash.clone())
        .bind(s.role.clone())
        .bind(s.subject.clone())
        .bind(s.display_name.clone())
        .bind(s.organisation.clone())
        .bind(s.csrf_token.clone())
        .bind(s.created_at)
        .bind(s.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A session that has not expired at `now`.
    pub async fn session(&self, session_hash: &str, now: Millis) -> Result<Option<SessionRecord>> {
        let row = sqlx::query(
            "SELECT session_hash, role, subject, display_name, organisation, csrf_token, \
             created_at, expires_at, acting_for FROM sessions \
             WHERE session_hash = $1 AND expires_at > $2",
        )
        .bind(session_hash.to_owned())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(SessionRecord {
                session_hash: r.try_get("session_hash")?,
                role: r.try_get("role")?,
                subject: r.try_get("subject")?,
                display_name: r.try_get("display_name")?,
                organisation: r.try_get("organisation")?,
                csrf_token: r.try_get("csrf_token")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
                acting_for: r.try_get("acting_for")?,
            })
        })
        .transpose()
    }

    /// Moves a session's expiry (the idle timeout sliding on use).
    pub async fn touch_session(&self, session_hash: &str, expires_at: Millis) -> Result<()> {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE session_hash = $2")
            .bind(expires_at)
            .bind(session_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_session(&self, session_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE session_hash = $1")
            .bind(session_hash.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Drops expired sessions; run now and then by a background task.
    pub async fn purge_expired_sessions(&self, now: Millis) -> Result<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }
}

/// The pool settings of both engines. On SQLite: WAL lets readers run
/// beside the one writer, the busy timeout makes writers wait instead of
/// failing, and `synchronous` is `NORMAL` for the pool (a commit is durable
/// at the next fsync of the WAL, which the log writer's `FULL` commits and
/// checkpoints do) and `FULL` for the log writer.
fn pool_options(engine: Engine, synchronous: &'static str, config: PoolConfig) -> AnyPoolOptions {
    // No ping before each use: it was a round trip per request (to
    // PostgreSQL, or to a SQLite connection's worker thread: a third of a
    // level-1 check's hops). A SQLite connection cannot go stale; a
    // PostgreSQL one broken by a database restart fails its next query
    // (answered 503, SPEC §12) and is then replaced.
    let pool = AnyPoolOptions::new()
        .acquire_timeout(config.acquire_timeout)
        .test_before_acquire(false);
    if engine != Engine::Sqlite {
        return pool;
    }
    pool.after_connect(move |conn, _meta| Box::pin(sqlite_pragmas(conn, synchronous)))
}

/// Every SQLite connection's settings (see [`pool_options`]).
async fn sqlite_pragmas(conn: &mut AnyConnection, synchronous: &str) -> sqlx::Result<()> {
    for pragma in [
        "PRAGMA journal_mode = WAL",
        if synchronous == "FULL" {
            "PRAGMA synchronous = FULL"
        } else {
            "PRAGMA synchronous = NORMAL"
        },
        "PRAGMA busy_timeout = 10000",
        "PRAGMA foreign_keys = ON",
    ] {
        sqlx::query(pragma).execute(&mut *conn).await?;
    }
    Ok(())
}

/// One write transaction for bulk loads (the import and the seed write
/// `batch_size` rows in each): committed by [`Batch::commit`], rolled back
/// if dropped before. [`Store::upsert_person`] and [`Store::ingest_verbale`]
/// are the one-row versions.
pub struct Batch {
    tx: sqlx::Transaction<'static, sqlx::Any>,
    engine: Engine,
}

/// The page cache of a bulk batch on SQLite (KiB).
pub const BULK_CACHE_KIB: u32 = 64 * 1024;

impl std::fmt::Debug for Batch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Batch {
    /// Stores one verbale; see [`Store::ingest_verbale`]. A refused verbale
    /// writes nothing.
    pub async fn ingest_verbale(
        &mut self,
        verbale: &Verbale,
        now: Millis,
    ) -> Result<Result<IngestOutcome, IngestError>> {
        let day = time::OffsetDateTime::from_unix_timestamp(now / 1000)
            .map(attesta_domain::calendar::rome_date)
            .unwrap_or(Date::MAX);
        verbali::ingest(&mut self.tx, verbale, None, day, now, true).await
    }

    /// Stores one verbale linked to `application_id` (or not), recording
    /// `definitive_on` when it is or becomes definitive now (SPEC §10.1). A
    /// resubmission that only adds the link is [`IngestOutcome::Linked`];
    /// a different link is a conflict.
    pub async fn ingest_linked_verbale(
        &mut self,
        verbale: &Verbale,
        application_id: Option<&str>,
        definitive_on: Date,
        now: Millis,
    ) -> Result<Result<IngestOutcome, IngestError>> {
        self.ingest_linked_verbale_alerting(verbale, application_id, definitive_on, now, true)
            .await
    }

    /// [`Batch::ingest_linked_verbale`], queueing the verbale's alerts in
    /// this transaction only when `alert` (a bulk load without `--notify`
    /// alerts no one, SPEC §11).
    pub async fn ingest_linked_verbale_alerting(
        &mut self,
        verbale: &Verbale,
        application_id: Option<&str>,
        definitive_on: Date,
        now: Millis,
        alert: bool,
    ) -> Result<Result<IngestOutcome, IngestError>> {
        verbali::ingest(
            &mut self.tx,
            verbale,
            application_id,
            definitive_on,
            now,
            alert,
        )
        .await
    }

    /// Queues the alerts of a stored definitive verbale in this
    /// transaction (`attesta import --notify` after its bulk write); see
    /// [`Batch::ingest_linked_verbale`]. Returns how many were written.
    pub async fn queue_verbale_alerts(&mut self, verbale_id: &str, now: Millis) -> Result<u64> {
        let conn: &mut AnyConnection = &mut self.tx;
        let row =
            sqlx::query("SELECT person_id FROM verbali WHERE verbale_id = $1 AND definitive = 1")
                .bind(verbale_id.to_owned())
                .fetch_optional(&mut *conn)
                .await?;
        match row {
            Some(r) => {
                let person_id: String = r.try_get("person_id")?;
                alerts::queue(conn, &person_id, verbale_id, now).await
            }
            None => Ok(0),
        }
    }

    /// Creates or updates a person's registry data (never their status).
    pub async fn upsert_person(&mut self, person: &Person, now: Millis) -> Result<Upserted> {
        let conn: &mut AnyConnection = &mut self.tx;
        let updated = sqlx::query(
            "UPDATE people SET given_name = $2, family_name = $3, birth_date = $4, email = $5, \
             mobile = $6, updated_at = $7 WHERE fiscal_code = $1",
        )
        .bind(person.fiscal_code.as_str().to_owned())
        .bind(person.given_name.clone())
        .bind(person.family_name.clone())
        .bind(attesta_domain::format_date(person.birth_date))
        .bind(person.email.clone())
        .bind(person.mobile.as_ref().map(|m| m.as_str().to_owned()))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() > 0 {
            return Ok(Upserted::Updated);
        }
        sqlx::query(
            "INSERT INTO people (person_id, fiscal_code, given_name, family_name, birth_date, \
             email, mobile, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind(ids::time_ordered_id(now))
        .bind(person.fiscal_code.as_str().to_owned())
        .bind(person.given_name.clone())
        .bind(person.family_name.clone())
        .bind(attesta_domain::format_date(person.birth_date))
        .bind(person.email.clone())
        .bind(person.mobile.as_ref().map(|m| m.as_str().to_owned()))
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(Upserted::Created)
    }

    /// Whether the verbale is stored linked to an application (read in
    /// this transaction).
    pub async fn verbale_is_linked(&mut self, verbale_id: &str) -> Result<bool> {
        Ok(verbali::by_id(&mut self.tx, verbale_id)
            .await?
            .is_some_and(|v| v.application_id.is_some()))
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

async fn revoke_active(conn: &mut AnyConnection, person_id: &str, now: Millis) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE attestations SET revoked_at = $2 WHERE person_id = $1 AND revoked_at IS NULL",
    )
    .bind(person_id.to_owned())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

fn token_lookup(r: &AnyRow) -> Result<TokenLookup> {
    Ok(TokenLookup {
        attestation_id: r.try_get("attestation_id")?,
        person_id: r.try_get("person_id")?,
        revoked_at: r.try_get("revoked_at")?,
        failures: r.try_get("failures")?,
        window_start: r.try_get("window_start")?,
        fiscal_code: r.try_get("fiscal_code")?,
        given_name: r.try_get("given_name")?,
        family_name: r.try_get("family_name")?,
        birth_date: date_column(r, "birth_date")?,
        mobile: r
            .try_get::<Option<String>, _>("mobile")?
            .as_deref()
            .and_then(Mobile::parse),
        status: status_column(r)?,
    })
}

fn date_column(r: &AnyRow, column: &str) -> Result<Date> {
    let text: String = r.try_get(column)?;
    parse_date(&text).ok_or_else(|| StoreError::Corrupt(format!("{column} is not a date")))
}

fn status_column(r: &AnyRow) -> Result<Status> {
    let text: Option<String> = r.try_get("status_json")?;
    parse_status(text.as_deref())
}

/// A stored `status_json` (none: no status yet).
fn parse_status(text: Option<&str>) -> Result<Status> {
    match text {
        None => Ok(Status::default()),
        Some(t) => serde_json::from_str(t)
            .ok()
            .and_then(|v| Status::from_json(&v))
            .ok_or_else(|| StoreError::Corrupt("status_json".into())),
    }
}

fn person_from_row(r: &AnyRow) -> Result<PersonRecord> {
    let cf: String = r.try_get("fiscal_code")?;
    let mobile: Option<String> = r.try_get("mobile")?;
    Ok(PersonRecord {
        person_id: r.try_get("person_id")?,
        person: Person {
            fiscal_code: FiscalCode::parse(&cf)
                .map_err(|_| StoreError::Corrupt("fiscal_code".into()))?,
            given_name: r.try_get("given_name")?,
            family_name: r.try_get("family_name")?,
            birth_date: date_column(r, "birth_date")?,
            email: r.try_get("email")?,
            mobile: mobile.as_deref().and_then(Mobile::parse),
        },
        privacy_accepted_at: r.try_get("privacy_accepted_at")?,
        status: status_column(r)?,
    })
}

/// Parses a stored canonical verbale body.
pub(crate) fn verbale_from_body(body: &str) -> Result<Verbale> {
    let value: serde_json::Value =
        serde_json::from_str(body).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let map = value
        .as_object()
        .ok_or_else(|| StoreError::Corrupt("verbale body".into()))?;
    VerbaleInput::parse(map, Date::MAX).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_database_codes_are_told_from_query_faults() {
        // PostgreSQL: connection refused by a stopping server, too many
        // connections, a connection failure; not a unique violation.
        for code in ["57P01", "57P03", "53300", "08006", "08001"] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02", "40001"] {
            assert!(!unavailable_code(code), "{code}");
        }
        // SQLite: BUSY, BUSY_SNAPSHOT (517), LOCKED, IOERR_WRITE (778),
        // FULL; not CONSTRAINT_UNIQUE (2067) or a syntax error (1).
        for code in ["5", "517", "6", "778", "13", "14"] {
            assert!(unavailable_code(code), "{code}");
        }
        for code in ["2067", "19", "1", "x"] {
            assert!(!unavailable_code(code), "{code}");
        }
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_unavailable());
        assert!(StoreError::LogWrite("disk".into()).is_unavailable());
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_unavailable());
        assert!(!StoreError::Corrupt("bad".into()).is_unavailable());
    }

    #[test]
    fn a_refused_write_is_told_as_a_full_disk() {
        // PostgreSQL disk_full; not too many connections (53300) or
        // out of memory (53200).
        assert!(disk_full_code("53100"));
        for code in ["53300", "53200", "57P01"] {
            assert!(!disk_full_code(code), "{code}");
        }
        // SQLite: FULL, IOERR_WRITE (EFBIG past `ulimit -f`, EDQUOT),
        // IOERR_TRUNCATE, IOERR_SHMSIZE; not BUSY, IOERR_READ (266),
        // CONSTRAINT_UNIQUE.
        for code in ["13", "778", "1546", "4874"] {
            assert!(disk_full_code(code), "{code}");
        }
        for code in ["5", "10", "266", "2067", "x"] {
            assert!(!disk_full_code(code), "{code}");
        }
        assert!(!StoreError::Database(sqlx::Error::PoolTimedOut).is_disk_full());
        assert!(!StoreError::LogWrite("disk".into()).is_disk_full());
    }

    /// A database that may not grow (SQLite's `max_page_count`) fails a
    /// write with the code a full disk gives.
    #[tokio::test]
    async fn sqlite_out_of_pages_is_a_full_disk() {
        sqlx::any::install_default_drivers();
        let mut conn = <AnyConnection as sqlx::Connection>::connect("sqlite::memory:")
            .await
            .unwrap();
        sqlx::raw_sql("CREATE TABLE t (x TEXT); PRAGMA max_page_count = 3;")
            .execute(&mut conn)
            .await
            .unwrap();
        let e = sqlx::query("INSERT INTO t VALUES (zeroblob(100000))")
            .execute(&mut conn)
            .await
            .map(|_| ())
            .map_err(StoreError::from)
            .unwrap_err();
        assert!(e.is_disk_full(), "{e}");
        assert!(e.is_unavailable(), "{e}");
    }
}
