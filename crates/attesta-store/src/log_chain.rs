//! The verification log's hash chain (SPEC §12): what an entry's hash
//! covers, defined once, and the walk of `attesta audit verify`.
//!
//! **Canonical content** of an entry: the UTF-8 JSON text (serde_json,
//! no spaces) of the array
//! `["attesta-log/1", verification_id, person_id, attestation_id, at, level,
//! outcome, operator, organisation]`, where absent values are `null`, `at`
//! (epoch milliseconds) and `level` are integers and the rest strings, as
//! stored. **Entry hash** = SHA-256(previous entry's hash, 32 bytes ‖
//! canonical content), kept as 64 lower-case hex characters in `entry_hash`,
//! beside `prev_hash` and the entry's place `seq`. The first entry's
//! previous hash is 32 zero bytes ([`GENESIS`]).
//!
//! The walk starts at the oldest kept entry and trusts its `prev_hash` as
//! the anchor, so deleting the oldest entries (retention, SPEC §12) keeps
//! the rest verifiable; everything after it must link, hash and number
//! without a gap up to the head row (`verification_chain`).

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};

use crate::{Result, StoreError};

/// The previous hash of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry's stored columns, borrowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Content<'a> {
    pub verification_id: &'a str,
    pub person_id: Option<&'a str>,
    pub attestation_id: Option<&'a str>,
    pub at: i64,
    pub level: i64,
    pub outcome: &'a str,
    pub operator: Option<&'a str>,
    pub organisation: Option<&'a str>,
}

impl Content<'_> {
    /// The canonical content (see the module's documentation).
    pub(crate) fn canonical(&self) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!([
            "attesta-log/1",
            self.verification_id,
            self.person_id,
            self.attestation_id,
            self.at,
            self.level,
            self.outcome,
            self.operator,
            self.organisation,
        ]))
        .expect("a JSON array of strings and integers serialises")
    }
}

/// The entry hash after `prev_hash` (hex); `None` if `prev_hash` is not 64
/// hex characters (a tampered row).
pub(crate) fn entry_hash(prev_hash: &str, content: &Content<'_>) -> Option<String> {
    let prev = hex::decode(prev_hash).ok().filter(|b| b.len() == 32)?;
    let mut h = Sha256::new();
    h.update(&prev);
    h.update(content.canonical());
    Some(hex::encode(h.finalize()))
}

/// The chain head: the last entry's place and hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Head {
    pub seq: i64,
    pub hash: String,
}

/// Reads the head inside the caller's write transaction; on PostgreSQL it
/// locks the row until the commit, so nodes take turns.
pub(crate) async fn read_head(conn: &mut AnyConnection, lock: bool) -> Result<Head> {
    let sql = if lock {
        "SELECT seq, head_hash FROM verification_chain WHERE chain_id = 1 FOR UPDATE"
    } else {
        "SELECT seq, head_hash FROM verification_chain WHERE chain_id = 1"
    };
    let row = sqlx::query(sql).fetch_one(&mut *conn).await?;
    Ok(Head {
        seq: row.try_get("seq")?,
        hash: row.try_get("head_hash")?,
    })
}

pub(crate) async fn write_head(conn: &mut AnyConnection, head: &Head) -> Result<()> {
    sqlx::query("UPDATE verification_chain SET seq = $1, head_hash = $2 WHERE chain_id = 1")
        .bind(head.seq)
        .bind(head.hash.clone())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Links the rows written before the chain existed (migration 0009), in
/// (at, verification_id) order, when the chain is still empty; a no-op
/// afterwards. Runs in the caller's write transaction.
pub(crate) async fn adopt_unchained(conn: &mut AnyConnection, lock: bool) -> Result<u64> {
    let mut head = read_head(conn, lock).await?;
    if head.seq != 0 {
        return Ok(0);
    }
    let rows = sqlx::query(
        "SELECT verification_id, person_id, attestation_id, at, level, outcome, operator, \
         organisation FROM verifications WHERE seq IS NULL ORDER BY at, verification_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in &rows {
        let cols = Columns::read(r)?;
        let hash = entry_hash(&head.hash, &cols.content())
            .ok_or_else(|| StoreError::Corrupt("chain head hash".into()))?;
        sqlx::query(
            "UPDATE verifications SET seq = $1, prev_hash = $2, entry_hash = $3 \
             WHERE verification_id = $4",
        )
        .bind(head.seq + 1)
        .bind(head.hash.clone())
        .bind(hash.clone())
        .bind(cols.verification_id.clone())
        .execute(&mut *conn)
        .await?;
        head = Head {
            seq: head.seq + 1,
            hash,
        };
    }
    if !rows.is_empty() {
        write_head(conn, &head).await?;
    }
    Ok(rows.len() as u64)
}

/// What `attesta audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditReport {
    /// Every kept entry links and hashes, up to the head.
    Intact { entries: u64, head_hash: String },
    /// The first entry that does not match, and why.
    Broken {
        verification_id: String,
        reason: String,
    },
}

struct Columns {
    verification_id: String,
    person_id: Option<String>,
    attestation_id: Option<String>,
    at: i64,
    level: i64,
    outcome: String,
    operator: Option<String>,
    organisation: Option<String>,
}

impl Columns {
    fn read(r: &sqlx::any::AnyRow) -> Result<Columns> {
        Ok(Columns {
            verification_id: r.try_get("verification_id")?,
            person_id: r.try_get("person_id")?,
            attestation_id: r.try_get("attestation_id")?,
            at: r.try_get("at")?,
            level: r.try_get("level")?,
            outcome: r.try_get("outcome")?,
            operator: r.try_get("operator")?,
            organisation: r.try_get("organisation")?,
        })
    }

    fn content(&self) -> Content<'_> {
        Content {
            verification_id: &self.verification_id,
            person_id: self.person_id.as_deref(),
            attestation_id: self.attestation_id.as_deref(),
            at: self.at,
            level: self.level,
            outcome: &self.outcome,
            operator: self.operator.as_deref(),
            organisation: self.organisation.as_deref(),
        }
    }
}

/// How many entries the walk reads per query.
const PAGE: i64 = 5_000;

/// Walks the chain from the oldest kept entry to the head (see the module's
/// documentation). Needs no secret.
/// Entries removed per retention transaction (the log writer waits for
/// each, so none is long).
const PRUNE_CHUNK: i64 = 10_000;

/// Retention (SPEC §12): removes the leading run of entries older than
/// `before` (every entry before the oldest one at or after it), in
/// transactions of [`PRUNE_CHUNK`], moving the chain's start
/// (`pruned_seq`, `pruned_hash`) with each so that the kept log verifies
/// from its oldest entry. Returns how many entries were removed.
pub(crate) async fn prune(pool: &AnyPool, postgres: bool, before: i64) -> Result<u64> {
    let mut removed = 0u64;
    loop {
        let mut tx = if postgres {
            pool.begin().await?
        } else {
            pool.begin_with("BEGIN IMMEDIATE").await?
        };
        let head = read_head(&mut tx, postgres).await?;
        let start = sqlx::query("SELECT pruned_seq FROM verification_chain WHERE chain_id = 1")
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("pruned_seq")?;
        let first_kept = sqlx::query(
            "SELECT MIN(seq) AS seq FROM verifications WHERE at >= $1 AND seq IS NOT NULL",
        )
        .bind(before)
        .fetch_one(&mut *tx)
        .await?
        .try_get::<Option<i64>, _>("seq")?
        .unwrap_or(head.seq + 1);
        // The new start: the place before the first entry kept by this step.
        let keep_from = first_kept.min(start + 1 + PRUNE_CHUNK);
        if keep_from <= start + 1 {
            return Ok(removed);
        }
        let anchor = if keep_from == head.seq + 1 {
            head.hash.clone()
        } else {
            sqlx::query("SELECT prev_hash FROM verifications WHERE seq = $1")
                .bind(keep_from)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get::<Option<String>, _>("prev_hash"))
                .transpose()?
                .flatten()
                .ok_or_else(|| {
                    StoreError::Corrupt(format!(
                        "retention: the log has no entry at place {keep_from}"
                    ))
                })?
        };
        let done = sqlx::query("DELETE FROM verifications WHERE seq < $1")
            .bind(keep_from)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE verification_chain SET pruned_seq = $1, pruned_hash = $2 WHERE chain_id = 1",
        )
        .bind(keep_from - 1)
        .bind(anchor)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        removed += done.rows_affected();
    }
}

pub(crate) async fn audit(pool: &AnyPool) -> Result<AuditReport> {
    let broken = |id: &str, reason: String| {
        Ok(AuditReport::Broken {
            verification_id: id.to_owned(),
            reason,
        })
    };
    if let Some(r) = sqlx::query(
        "SELECT verification_id FROM verifications WHERE seq IS NULL \
         ORDER BY at, verification_id LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    {
        let id: String = r.try_get("verification_id")?;
        return broken(
            &id,
            "is not in the chain (written behind the log writer's back)".into(),
        );
    }
    let mut conn = pool.acquire().await?;
    let head = read_head(&mut conn, false).await?;
    // Where the kept log starts (retention): 0 and the genesis hash, or the
    // place and hash of the last entry removed.
    let start =
        sqlx::query("SELECT pruned_seq, pruned_hash FROM verification_chain WHERE chain_id = 1")
            .fetch_one(&mut *conn)
            .await?;
    let start_seq: i64 = start.try_get("pruned_seq")?;
    let start_hash: String = start.try_get("pruned_hash")?;
    drop(conn);
    // The last entry checked: its place, hash and id.
    let mut last: Option<(i64, String, String)> = None;
    let mut entries = 0u64;
    loop {
        let after = last.as_ref().map_or(i64::MIN, |l| l.0);
        let rows = sqlx::query(
            "SELECT verification_id, person_id, attestation_id, at, level, outcome, operator, \
             organisation, seq, prev_hash, entry_hash FROM verifications \
             WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(pool)
        .await?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let cols = Columns::read(r)?;
            let id = cols.verification_id.as_str();
            let seq: i64 = r.try_get("seq")?;
            let prev: Option<String> = r.try_get("prev_hash")?;
            let stored: Option<String> = r.try_get("entry_hash")?;
            let (Some(prev), Some(stored)) = (prev, stored) else {
                return broken(id, "has no hash".into());
            };
            if let Some((last_seq, last_hash, last_id)) = &last {
                if seq != last_seq + 1 {
                    return broken(
                        id,
                        format!(
                            "does not follow {last_id}: place {seq} after {last_seq} \
                             (entries between them are missing)"
                        ),
                    );
                }
                if &prev != last_hash {
                    return broken(
                        id,
                        format!("does not link to the entry before it ({last_id})"),
                    );
                }
            } else {
                if seq != start_seq + 1 {
                    return broken(
                        id,
                        format!(
                            "is the oldest entry but the log starts at place {}: \
                             the entries before it are missing",
                            start_seq + 1
                        ),
                    );
                }
                if prev != start_hash {
                    return broken(
                        id,
                        "does not link to the start of the log (the genesis hash, or \
                         the last entry removed by retention)"
                            .into(),
                    );
                }
            }
            if entry_hash(&prev, &cols.content()).as_deref() != Some(stored.as_str()) {
                return broken(id, "content does not match its hash".into());
            }
            entries += 1;
            last = Some((seq, stored, cols.verification_id));
        }
    }
    match last {
        None if head.seq == start_seq && head.hash == start_hash => Ok(AuditReport::Intact {
            entries: 0,
            head_hash: head.hash,
        }),
        None => Ok(AuditReport::Broken {
            verification_id: String::new(),
            reason: format!(
                "the log is empty but the chain head is at place {}",
                head.seq
            ),
        }),
        Some((seq, hash, id)) if seq != head.seq || hash != head.hash => broken(
            &id,
            format!(
                "is the last entry (place {seq}) but the chain head is at place {} with \
                 hash {}: later entries are missing or the head was rewritten",
                head.seq, head.hash
            ),
        ),
        Some((_, hash, _)) => Ok(AuditReport::Intact {
            entries,
            head_hash: hash,
        }),
    }
}
