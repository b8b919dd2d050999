//! The group-commit verification log writer (issue #15, SPEC §12).
//!
//! One task per [`Store`](crate::Store), fed by a bounded queue. It takes
//! whatever is queued (up to [`MAX_BATCH`] entries), writes them in ONE
//! write transaction — the chain head read once (locked on PostgreSQL),
//! the entries linked in queue order, multi-row INSERTs, the head moved —
//! commits, and only then answers every caller of the batch. So
//! [`Store::log_verification`](crate::Store::log_verification) returns after
//! the row is durable, and a failed batch fails each of its callers.
//!
//! Durability: on SQLite the writer has its own connection with
//! `synchronous = FULL`, so each commit fsyncs the WAL (which also makes
//! every earlier commit of the other connections durable: the WAL is one
//! sequential file). PostgreSQL's `synchronous_commit` is on by default.

use sqlx::{AnyConnection, AnyPool};
use tokio::sync::{mpsc, oneshot};

use crate::log_chain::{self, Content, Head};
use crate::{Engine, Result, StoreError, VerificationRecord};

/// The most entries one transaction carries.
pub(crate) const MAX_BATCH: usize = 256;
/// Rows per INSERT statement (11 parameters each); a few distinct
/// statements keep sqlx's prepared-statement cache warm.
const ROWS_PER_INSERT: usize = 32;
/// Callers waiting beyond this wait for room in the queue (back-pressure).
const QUEUE: usize = 4 * MAX_BATCH;

enum Job {
    Append(Box<VerificationRecord>, oneshot::Sender<Result<(), String>>),
    /// Answered once every entry queued before it is committed.
    Flush(oneshot::Sender<()>),
}

/// The sending side, held by every clone of the store.
#[derive(Debug, Clone)]
pub(crate) struct LogWriter {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Job::Append(..) => "Append",
            Job::Flush(_) => "Flush",
        })
    }
}

impl LogWriter {
    /// Starts the writer task on the current tokio runtime. It ends when
    /// every [`LogWriter`] is dropped, after writing what is queued.
    pub(crate) fn start(pool: AnyPool, engine: Engine) -> LogWriter {
        let (queue, jobs) = mpsc::channel(QUEUE);
        tokio::spawn(run(pool, engine, jobs));
        LogWriter { queue }
    }

    /// Queues one entry and waits until the batch holding it committed.
    pub(crate) async fn append(&self, record: VerificationRecord) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Job::Append(Box::new(record), done))
            .await
            .map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(StoreError::LogWrite)
    }

    /// Waits until every entry queued so far is committed (SIGTERM's flush).
    pub(crate) async fn flush(&self) -> Result<()> {
        let (done, answer) = oneshot::channel();
        self.queue
            .send(Job::Flush(done))
            .await
            .map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

fn stopped() -> StoreError {
    StoreError::LogWrite("the log writer has stopped".into())
}

async fn run(pool: AnyPool, engine: Engine, mut jobs: mpsc::Receiver<Job>) {
    let mut taken = Vec::with_capacity(MAX_BATCH);
    // Batch sizes, for the summary logged at a flush (shutdown).
    let (mut batches, mut entries, mut largest) = (0u64, 0u64, 0usize);
    while jobs.recv_many(&mut taken, MAX_BATCH).await > 0 {
        let mut records = Vec::with_capacity(taken.len());
        let mut waiting = Vec::with_capacity(taken.len());
        let mut flushes = Vec::new();
        for job in taken.drain(..) {
            match job {
                Job::Append(record, done) => {
                    records.push(*record);
                    waiting.push(done);
                }
                Job::Flush(done) => flushes.push(done),
            }
        }
        let outcome = if records.is_empty() {
            Ok(())
        } else {
            write_batch(&pool, engine, &records).await
        };
        if !records.is_empty() {
            batches += 1;
            entries += records.len() as u64;
            largest = largest.max(records.len());
        }
        let answer = outcome.map_err(|e| {
            tracing::error!(error = %e, entries = records.len(), "verification log batch failed");
            e.to_string()
        });
        // A caller that went away (its request was dropped) is no error:
        // its entry is written all the same.
        for done in waiting {
            let _ = done.send(answer.clone());
        }
        if !flushes.is_empty() {
            tracing::info!(
                batches,
                entries,
                largest,
                "verification log flushed: {entries} entries in {batches} batches so far"
            );
        }
        for done in flushes {
            let _ = done.send(());
        }
    }
}

/// One transaction: head, linked entries, head, commit.
async fn write_batch(pool: &AnyPool, engine: Engine, records: &[VerificationRecord]) -> Result<()> {
    let mut tx = match engine {
        Engine::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        Engine::Postgres => pool.begin().await?,
    };
    let conn: &mut AnyConnection = &mut tx;
    let mut head = log_chain::read_head(conn, engine == Engine::Postgres).await?;
    let mut links = Vec::with_capacity(records.len());
    for r in records {
        let hash = log_chain::entry_hash(&head.hash, &content(r))
            .ok_or_else(|| StoreError::Corrupt("the chain head's hash is not hex".into()))?;
        let next = Head {
            seq: head.seq + 1,
            hash,
        };
        links.push((next.seq, head.hash.clone(), next.hash.clone()));
        head = next;
    }
    for (chunk, chunk_links) in records
        .chunks(ROWS_PER_INSERT)
        .zip(links.chunks(ROWS_PER_INSERT))
    {
        insert_rows(conn, chunk, chunk_links).await?;
    }
    log_chain::write_head(conn, &head).await?;
    tx.commit().await?;
    Ok(())
}

fn content(r: &VerificationRecord) -> Content<'_> {
    Content {
        verification_id: &r.verification_id,
        person_id: r.person_id.as_deref(),
        attestation_id: r.attestation_id.as_deref(),
        at: r.at,
        level: r.level,
        outcome: r.outcome.as_str(),
        operator: r.operator.as_deref(),
        organisation: r.organisation.as_deref(),
    }
}

const COLUMNS: usize = 11;

async fn insert_rows(
    conn: &mut AnyConnection,
    records: &[VerificationRecord],
    links: &[(i64, String, String)],
) -> Result<()> {
    let mut sql = String::from(
        "INSERT INTO verifications (verification_id, person_id, attestation_id, at, level, \
         outcome, operator, organisation, seq, prev_hash, entry_hash) VALUES ",
    );
    for i in 0..records.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..COLUMNS {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(i * COLUMNS + c + 1).to_string());
        }
        sql.push(')');
    }
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for (r, (seq, prev, hash)) in records.iter().zip(links) {
        query = query
            .bind(r.verification_id.clone())
            .bind(r.person_id.clone())
            .bind(r.attestation_id.clone())
            .bind(r.at)
            .bind(r.level)
            .bind(r.outcome.as_str())
            .bind(r.operator.clone())
            .bind(r.organisation.clone())
            .bind(*seq)
            .bind(prev.clone())
            .bind(hash.clone());
    }
    query.execute(&mut *conn).await?;
    Ok(())
}
