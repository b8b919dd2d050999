//! Bulk writes for `attesta import` and `attesta seed`: whole batches of
//! rows in a few statements, with the outcome of each row exactly as the
//! one-row methods ([`Batch::upsert_person`], [`Batch::ingest_linked_verbale`])
//! would give them one after the other in the same transaction.
//!
//! - Reads are per batch, never per row: one `… IN (…)` lookup (in chunks
//!   of [`LOOKUP_CHUNK`]) for the stored verbali by id, one for the people
//!   by codice fiscale.
//! - The rows' outcomes are decided in Rust, in file order, against what is
//!   stored plus what earlier rows of the batch did.
//! - Writes are multi-row statements of at most [`ROWS_PER_STATEMENT`]
//!   rows: one shape per full chunk, so each is prepared once per
//!   connection and reused from sqlx's statement cache.
//! - The current status (`people.status_json`) is recomputed once per
//!   person per batch, from their stored verbali merged with the batch's,
//!   and written back with one multi-row `UPDATE … FROM (VALUES …)`.

use std::collections::{HashMap, HashSet};

use attesta_domain::{
    Activity, FiscalCode, Payment, Person, Resubmission, Status, Verbale, format_date,
};
use sqlx::any::AnyArguments;
use sqlx::query::Query;
use sqlx::{Any, AnyConnection, Row};
use time::{Date, OffsetDateTime};

use crate::payments::{PaymentError, PaymentOutcome};
use crate::verbali::{IngestError, IngestOutcome};
use crate::{
    Batch, Engine, Millis, PersonRecord, Result, Upserted, person_from_row, verbale_from_body,
};

/// Keys per `… IN (…)` lookup.
const LOOKUP_CHUNK: usize = 500;

/// Rows per multi-row statement (× at most 10 parameters each stays far
/// below SQLite's 32,766 and PostgreSQL's 65,535).
///
/// On SQLite the parameters are plain `?` ([`Params`]): sqlx asks SQLite
/// for each parameter's name, and for a named one (`$n`) SQLite walks the
/// statement's list of names, so binding a `$n` statement was quadratic
/// in its parameters (at 500 rows `sqlite3_bind_parameter_name` was 18 %
/// of a seed's profile, and still 5 % of an import's at 50 rows).
const ROWS_PER_STATEMENT: usize = 500;

/// How this engine writes the `n`th parameter: `$n` on PostgreSQL, a plain
/// `?` on SQLite, where parameters are then taken in the order they appear
/// in the statement's text — so every statement here binds its values in
/// that order, a value used by every row bound again for each row.
#[derive(Debug, Clone, Copy)]
struct Params(Engine);

impl Params {
    fn one(self, n: usize) -> String {
        match self.0 {
            Engine::Sqlite => "?".to_owned(),
            Engine::Postgres => format!("${n}"),
        }
    }

    /// `count` parameters from the `first`th, comma-separated.
    fn list(self, first: usize, count: usize) -> String {
        let list: Vec<String> = (first..first + count).map(|i| self.one(i)).collect();
        list.join(", ")
    }

    /// `count` copies of `template`, comma-separated, each `?` in it the
    /// next parameter from the `first`th on.
    fn tuples(self, template: &str, first: usize, count: usize) -> String {
        let mut out = String::with_capacity(count * (template.len() + 16));
        let mut next = first;
        for i in 0..count {
            if i > 0 {
                out.push_str(", ");
            }
            for c in template.chars() {
                if c == '?' {
                    out.push_str(&self.one(next));
                    next += 1;
                } else {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// What [`Batch::ingest_verbali`] did with one verbale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkIngest {
    /// Written, found in place or refused, as
    /// [`Batch::ingest_linked_verbale`] (unlinked) would have.
    Done(std::result::Result<IngestOutcome, IngestError>),
    /// Stored linked to an application: nothing written; it belongs to the
    /// journey's use case, which moves the application (SPEC §10.1).
    StoredLinked,
}

/// A new attestation for [`Batch::create_attestations`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttestation {
    pub person_id: String,
    pub attestation_id: String,
    pub token_hash: String,
}

/// A verbale stored before the batch.
struct Stored {
    verbale: Verbale,
    seq: i64,
    linked: bool,
}

/// A verbale the batch writes: inserted (`new`) or confirmed.
struct Pending {
    verbale: Verbale,
    person_id: String,
    seq: i64,
    new: bool,
}

/// A person a verbali batch refers to.
struct PersonRef {
    person_id: String,
    /// Their highest stored `seq` (0 when they have no verbale yet).
    stored_max_seq: i64,
    /// The highest `seq` given so far, this batch's included.
    max_seq: i64,
}

impl Batch {
    /// Creates or updates people, as [`Batch::upsert_person`] row after row
    /// would: the outcome of each, in order (a codice fiscale met earlier in
    /// the batch is `Updated`); the stored data is each person's last row.
    pub async fn upsert_people(&mut self, people: &[Person], now: Millis) -> Result<Vec<Upserted>> {
        let conn: &mut AnyConnection = &mut self.tx;
        let codes: Vec<&str> = distinct(people.iter().map(|p| p.fiscal_code.as_str()));
        let mut stored: HashSet<String> = HashSet::with_capacity(codes.len());
        for chunk in codes.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT fiscal_code FROM people WHERE fiscal_code IN ({})",
                Params(self.engine).list(1, chunk.len())
            );
            let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                stored.insert(row.try_get("fiscal_code")?);
            }
        }
        let mut outcomes = Vec::with_capacity(people.len());
        let mut last: HashMap<&str, usize> = HashMap::with_capacity(people.len());
        for (i, person) in people.iter().enumerate() {
            let cf = person.fiscal_code.as_str();
            let seen = last.insert(cf, i).is_some();
            outcomes.push(if seen || stored.contains(cf) {
                Upserted::Updated
            } else {
                Upserted::Created
            });
        }
        let rows: Vec<&Person> = people
            .iter()
            .enumerate()
            .filter(|(i, p)| last[p.fiscal_code.as_str()] == *i)
            .map(|(_, p)| p)
            .collect();
        let ids = ascending_ids(rows.len(), now);
        for (chunk, ids) in rows
            .chunks(ROWS_PER_STATEMENT)
            .zip(ids.chunks(ROWS_PER_STATEMENT))
        {
            // One statement for new and known people alike: the codice
            // fiscale's unique index decides, so a concurrent writer on
            // PostgreSQL cannot make a duplicate.
            let sql = format!(
                "INSERT INTO people (person_id, fiscal_code, given_name, family_name, \
                 birth_date, email, mobile, created_at, updated_at) VALUES {} \
                 ON CONFLICT (fiscal_code) DO UPDATE SET given_name = excluded.given_name, \
                 family_name = excluded.family_name, birth_date = excluded.birth_date, \
                 email = excluded.email, mobile = excluded.mobile, \
                 updated_at = excluded.updated_at",
                Params(self.engine).tuples("(?, ?, ?, ?, ?, ?, ?, ?, ?)", 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for (person, id) in chunk.iter().zip(ids) {
                query = query
                    .bind(id.clone())
                    .bind(person.fiscal_code.as_str().to_owned())
                    .bind(person.given_name.clone())
                    .bind(person.family_name.clone())
                    .bind(format_date(person.birth_date))
                    .bind(person.email.clone())
                    .bind(person.mobile.as_ref().map(|m| m.as_str().to_owned()))
                    .bind(now)
                    .bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(outcomes)
    }

    /// Stores unlinked verbali, as [`Batch::ingest_linked_verbale`] (with no
    /// application) row after row would: idempotent by id against what is
    /// stored and what earlier rows did, `unknown_person` and
    /// `verbale_conflict` refusing a row without writing any of it. A
    /// verbale stored linked to an application is left to the journey
    /// ([`BulkIngest::StoredLinked`]). The status of every person whose
    /// definitive verbali changed is recomputed once, at the end.
    pub async fn ingest_verbali(
        &mut self,
        verbali: &[Verbale],
        definitive_on: Date,
        now: Millis,
    ) -> Result<Vec<BulkIngest>> {
        let conn: &mut AnyConnection = &mut self.tx;
        let stored = stored_verbali(conn, self.engine, verbali).await?;
        let mut people = people_refs(conn, self.engine, verbali).await?;

        let mut outcomes = Vec::with_capacity(verbali.len());
        let mut pending: HashMap<&str, Pending> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        let mut recompute: Vec<String> = Vec::new();
        let mut recompute_seen: HashSet<String> = HashSet::new();
        for verbale in verbali {
            let id = verbale.id.as_str();
            let before = stored.get(id);
            if before.is_some_and(|s| s.linked) {
                outcomes.push(BulkIngest::StoredLinked);
                continue;
            }
            let existing = pending
                .get(id)
                .map(|p| &p.verbale)
                .or(before.map(|s| &s.verbale));
            let outcome = match existing.map(|e| e.compare(verbale)) {
                Some(Resubmission::Same) => {
                    outcomes.push(BulkIngest::Done(Ok(IngestOutcome::Unchanged)));
                    continue;
                }
                Some(Resubmission::Conflict) => {
                    outcomes.push(BulkIngest::Done(Err(IngestError::Conflict)));
                    continue;
                }
                Some(Resubmission::Confirmed) => IngestOutcome::Confirmed,
                None => IngestOutcome::Created,
            };
            let Some(person) = people.get_mut(verbale.fiscal_code.as_str()) else {
                outcomes.push(BulkIngest::Done(Err(IngestError::UnknownPerson)));
                continue;
            };
            match pending.get_mut(id) {
                // Confirmed before it was written: the insert carries it.
                Some(p) => p.verbale = verbale.clone(),
                None => {
                    let (seq, new) = match before {
                        Some(s) => (s.seq, false),
                        None => {
                            person.max_seq += 1;
                            (person.max_seq, true)
                        }
                    };
                    order.push(id);
                    pending.insert(
                        id,
                        Pending {
                            verbale: verbale.clone(),
                            person_id: person.person_id.clone(),
                            seq,
                            new,
                        },
                    );
                }
            }
            if verbale.definitive && recompute_seen.insert(person.person_id.clone()) {
                recompute.push(person.person_id.clone());
            }
            outcomes.push(BulkIngest::Done(Ok(outcome)));
        }

        // The stored verbali of the people whose status changes, read
        // before this batch's writes (the batch's own are merged in below).
        let had_verbali: HashSet<&str> = people
            .values()
            .filter(|r| r.stored_max_seq > 0)
            .map(|r| r.person_id.as_str())
            .collect();
        let with_history: Vec<&str> = recompute
            .iter()
            .map(String::as_str)
            .filter(|p| had_verbali.contains(p))
            .collect();
        let mut history = verbali_of_people(conn, self.engine, &with_history).await?;

        let day = format_date(definitive_on);
        let inserts: Vec<&Pending> = order
            .iter()
            .map(|id| &pending[id])
            .filter(|p| p.new)
            .collect();
        for chunk in inserts.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO verbali (verbale_id, person_id, seq, session_date, definitive, body, \
                 ingested_at, updated_at, application_id, definitive_on) VALUES {}",
                Params(self.engine).tuples("(?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)", 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for p in chunk {
                let v = &p.verbale;
                query = query
                    .bind(v.id.clone())
                    .bind(p.person_id.clone())
                    .bind(p.seq)
                    .bind(format_date(v.session_date))
                    .bind(i64::from(v.definitive))
                    .bind(v.to_json().to_string())
                    .bind(now)
                    .bind(now)
                    .bind(v.definitive.then(|| day.clone()));
            }
            query.execute(&mut *conn).await?;
        }
        let confirmed: Vec<&Pending> = order
            .iter()
            .map(|id| &pending[id])
            .filter(|p| !p.new)
            .collect();
        for chunk in confirmed.chunks(ROWS_PER_STATEMENT) {
            // false → true of a stored verbale: definitive_on is the first
            // day it became definitive, a link once made stays.
            let p = Params(self.engine);
            let sql = format!(
                "UPDATE verbali SET definitive = 1, body = u.column2, updated_at = {}, \
                 definitive_on = COALESCE(verbali.definitive_on, {}) \
                 FROM (VALUES {}) AS u WHERE verbali.verbale_id = u.column1",
                p.one(1),
                p.one(2),
                p.tuples("(?, ?)", 3, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(day.clone());
            for p in chunk {
                query = query
                    .bind(p.verbale.id.clone())
                    .bind(p.verbale.to_json().to_string());
            }
            query.execute(&mut *conn).await?;
        }

        // Every changed person's verbali in ingest order: stored ones (with
        // this batch's confirmations) then this batch's new ones.
        for p in order.iter().map(|id| &pending[id]) {
            if !recompute_seen.contains(&p.person_id) {
                continue;
            }
            let list = history.entry(p.person_id.clone()).or_default();
            match list.iter_mut().find(|(_, v)| v.id == p.verbale.id) {
                Some((_, v)) => *v = p.verbale.clone(),
                None => list.push((p.seq, p.verbale.clone())),
            }
        }
        let today = OffsetDateTime::from_unix_timestamp(now / 1000)
            .map(attesta_domain::calendar::rome_date)
            .unwrap_or(Date::MAX);
        let statuses: Vec<(String, String)> = recompute
            .into_iter()
            .map(|person_id| {
                let mut list = history.remove(&person_id).unwrap_or_default();
                list.sort_by(|(a, va), (b, vb)| (a, &va.id).cmp(&(b, &vb.id)));
                let verbali: Vec<Verbale> = list.into_iter().map(|(_, v)| v).collect();
                let on = today.max(crate::verbali::latest_session(&verbali));
                let status = Status::compute(&verbali, on);
                (person_id, status.to_json().to_string())
            })
            .collect();
        write_statuses(conn, self.engine, &statuses, now).await?;
        Ok(outcomes)
    }

    /// The people stored with these codici fiscali, by codice fiscale (read
    /// in this batch).
    pub async fn people_by_fiscal_codes(
        &mut self,
        codes: &[&FiscalCode],
    ) -> Result<HashMap<String, PersonRecord>> {
        let conn: &mut AnyConnection = &mut self.tx;
        let codes: Vec<&str> = distinct(codes.iter().map(|c| c.as_str()));
        let mut out = HashMap::with_capacity(codes.len());
        for chunk in codes.chunks(LOOKUP_CHUNK) {
            let sql = format!(
                "SELECT person_id, fiscal_code, given_name, family_name, birth_date, email, \
                 mobile, privacy_accepted_at, status_json FROM people WHERE fiscal_code IN ({})",
                Params(self.engine).list(1, chunk.len())
            );
            let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                let record = person_from_row(&row)?;
                out.insert(record.person.fiscal_code.as_str().to_owned(), record);
            }
        }
        Ok(out)
    }

    /// Records the acceptance of the privacy notice for each person (the
    /// first acceptance counts), as `Store::accept_privacy_notice` does.
    pub async fn accept_privacy_notices(&mut self, person_ids: &[&str], now: Millis) -> Result<()> {
        let conn: &mut AnyConnection = &mut self.tx;
        for chunk in person_ids.chunks(LOOKUP_CHUNK) {
            let p = Params(self.engine);
            let sql = format!(
                "UPDATE people SET privacy_accepted_at = {} \
                 WHERE privacy_accepted_at IS NULL AND person_id IN ({})",
                p.one(1),
                p.list(2, chunk.len())
            );
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now), chunk)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Makes each attestation its person's one active attestation, revoking
    /// any previous one, as `Store::create_attestation` does for one. One
    /// attestation per person.
    pub async fn create_attestations(
        &mut self,
        rows: &[NewAttestation],
        now: Millis,
    ) -> Result<()> {
        let conn: &mut AnyConnection = &mut self.tx;
        for chunk in rows.chunks(LOOKUP_CHUNK) {
            let p = Params(self.engine);
            let sql = format!(
                "UPDATE attestations SET revoked_at = {} \
                 WHERE revoked_at IS NULL AND person_id IN ({})",
                p.one(1),
                p.list(2, chunk.len())
            );
            let ids: Vec<&str> = chunk.iter().map(|a| a.person_id.as_str()).collect();
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now), &ids)
                .execute(&mut *conn)
                .await?;
        }
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let sql = format!(
                "INSERT INTO attestations (attestation_id, person_id, token_hash, created_at) \
                 VALUES {}",
                Params(self.engine).tuples("(?, ?, ?, ?)", 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for a in chunk {
                query = query
                    .bind(a.attestation_id.clone())
                    .bind(a.person_id.clone())
                    .bind(a.token_hash.clone())
                    .bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Writes payments one after the other in the batch's transaction, as
    /// [`Store::ingest_payment`] writes one in its own: the outcome of each,
    /// in order (an id met earlier in the batch is found stored). A refused
    /// payment writes nothing and leaves the batch going.
    pub async fn ingest_payments(
        &mut self,
        payments: &[Payment],
        now: Millis,
    ) -> Result<Vec<std::result::Result<PaymentOutcome, PaymentError>>> {
        let mut outcomes = Vec::with_capacity(payments.len());
        for payment in payments {
            outcomes.push(crate::payments::ingest(&mut self.tx, payment, now).await?);
        }
        Ok(outcomes)
    }

    /// Appends one activity row per `(person_id, action)`, all by `by_name`
    /// (not a delegate), as `Store::record_activity` does for one.
    pub async fn record_activities(
        &mut self,
        rows: &[(&str, Activity)],
        by_name: &str,
        now: Millis,
    ) -> Result<()> {
        let conn: &mut AnyConnection = &mut self.tx;
        let ids = ascending_ids(rows.len(), now);
        for (chunk, ids) in rows
            .chunks(ROWS_PER_STATEMENT)
            .zip(ids.chunks(ROWS_PER_STATEMENT))
        {
            let sql = format!(
                "INSERT INTO activity (activity_id, person_id, at, action, by_name, by_delegate) \
                 VALUES {}",
                Params(self.engine).tuples("(?, ?, ?, ?, ?, 0)", 1, chunk.len())
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for ((person_id, action), id) in chunk.iter().zip(ids) {
                query = query
                    .bind(id.clone())
                    .bind((*person_id).to_owned())
                    .bind(now)
                    .bind(action.as_str())
                    .bind(by_name.to_owned());
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// The verbali of the batch already stored, by id.
async fn stored_verbali(
    conn: &mut AnyConnection,
    engine: Engine,
    verbali: &[Verbale],
) -> Result<HashMap<String, Stored>> {
    let ids = distinct(verbali.iter().map(|v| v.id.as_str()));
    let mut out = HashMap::new();
    for chunk in ids.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT verbale_id, seq, body, application_id FROM verbali \
             WHERE verbale_id IN ({})",
            Params(engine).list(1, chunk.len())
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            out.insert(
                row.try_get("verbale_id")?,
                Stored {
                    verbale: verbale_from_body(&row.try_get::<String, _>("body")?)?,
                    seq: row.try_get("seq")?,
                    linked: row
                        .try_get::<Option<String>, _>("application_id")?
                        .is_some(),
                },
            );
        }
    }
    Ok(out)
}

/// The people the batch's verbali name, by codice fiscale, with their
/// highest stored `seq`.
async fn people_refs(
    conn: &mut AnyConnection,
    engine: Engine,
    verbali: &[Verbale],
) -> Result<HashMap<String, PersonRef>> {
    let codes = distinct(verbali.iter().map(|v| v.fiscal_code.as_str()));
    let mut out = HashMap::with_capacity(codes.len());
    for chunk in codes.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT p.person_id, p.fiscal_code, \
             (SELECT COALESCE(MAX(v.seq), 0) FROM verbali v WHERE v.person_id = p.person_id) \
             AS max_seq FROM people p WHERE p.fiscal_code IN ({})",
            Params(engine).list(1, chunk.len())
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            out.insert(row.try_get("fiscal_code")?, {
                let max_seq: i64 = row.try_get("max_seq")?;
                PersonRef {
                    person_id: row.try_get("person_id")?,
                    stored_max_seq: max_seq,
                    max_seq,
                }
            });
        }
    }
    Ok(out)
}

/// The stored verbali of these people with their `seq`, by person id.
async fn verbali_of_people(
    conn: &mut AnyConnection,
    engine: Engine,
    person_ids: &[&str],
) -> Result<HashMap<String, Vec<(i64, Verbale)>>> {
    let mut out: HashMap<String, Vec<(i64, Verbale)>> = HashMap::new();
    for chunk in person_ids.chunks(LOOKUP_CHUNK) {
        let sql = format!(
            "SELECT person_id, seq, body FROM verbali WHERE person_id IN ({})",
            Params(engine).list(1, chunk.len())
        );
        let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk)
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            out.entry(row.try_get("person_id")?).or_default().push((
                row.try_get("seq")?,
                verbale_from_body(&row.try_get::<String, _>("body")?)?,
            ));
        }
    }
    Ok(out)
}

/// Writes each `(person_id, status_json)`.
async fn write_statuses(
    conn: &mut AnyConnection,
    engine: Engine,
    statuses: &[(String, String)],
    now: Millis,
) -> Result<()> {
    for chunk in statuses.chunks(ROWS_PER_STATEMENT) {
        let p = Params(engine);
        let sql = format!(
            "UPDATE people SET status_json = u.column2, updated_at = {} \
             FROM (VALUES {}) AS u WHERE people.person_id = u.column1",
            p.one(1),
            p.tuples("(?, ?)", 2, chunk.len())
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for (person_id, status) in chunk {
            query = query.bind(person_id.clone()).bind(status.clone());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Each value once, in order of first appearance.
fn distinct<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    values.filter(|v| seen.insert(*v)).collect()
}

fn bind_all<'q>(
    mut query: Query<'q, Any, AnyArguments>,
    values: &[&str],
) -> Query<'q, Any, AnyArguments> {
    for value in values {
        query = query.bind((*value).to_owned());
    }
    query
}

/// `count` new ids, ascending: each as `ids::time_ordered_id(now)`,
/// sorted. A person's id is the key of the people index and leads the
/// verbali, attestations and activity indexes by person; random ids sent
/// every row of a batch to a random leaf of each, so a commit wrote about
/// a page per row to the WAL. Ascending ids append to the indexes' last
/// leaves instead (and an activity row's id to its primary key's).
fn ascending_ids(count: usize, now: Millis) -> Vec<String> {
    let mut ids: Vec<String> = (0..count)
        .map(|_| crate::ids::time_ordered_id(now))
        .collect();
    ids.sort_unstable();
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_numbered_on_postgres_and_plain_on_sqlite() {
        let pg = Params(Engine::Postgres);
        assert_eq!(pg.tuples("(?, ?, 0)", 2, 2), "($2, $3, 0), ($4, $5, 0)");
        assert_eq!(pg.list(3, 3), "$3, $4, $5");
        let sqlite = Params(Engine::Sqlite);
        assert_eq!(sqlite.tuples("(?, ?, 0)", 2, 2), "(?, ?, 0), (?, ?, 0)");
        assert_eq!(sqlite.list(3, 2), "?, ?");
    }

    #[test]
    fn new_ids_are_distinct_ascending_hex() {
        let ids = ascending_ids(100, 1_795_000_000_000);
        assert_eq!(ids.len(), 100);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.iter().all(|i| i.len() == 32));
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 100);
    }
}
