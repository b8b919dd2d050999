//! `attesta import FILE` (SPEC §7): people or verbali from a JSON Lines or
//! CSV file, validated row by row exactly as the HTTP API validates one
//! body, written in batched transactions.
//!
//! - The format comes from the extension (`.jsonl` or `.csv`), the kind from
//!   the keys: a file whose header (CSV) or first object (JSONL) has a
//!   `certificate_id` holds doctors' certificates, one with a `verbale_id`
//!   verbali, one with a `payment_id` payments of a benefit (SPEC §11), any
//!   other people.
//! - Certificates, and verbali linked to an application (SPEC §10.1), go
//!   through the same use case as the API, one transaction each: they may
//!   open or move an application, whose rules read what is stored.
//! - Every row is validated on its own; a rejected row is reported with its
//!   1-based file line and every reason, and nothing of it is written.
//! - Accepted rows go to the database `batch_size` at a time, one
//!   transaction per batch, through the store's bulk statements
//!   (`attesta-store/src/bulk.rs`: per-batch lookups, multi-row inserts,
//!   each person's status recomputed once per batch); the next batch is
//!   read and validated on a blocking thread meanwhile. A database failure rolls the current batch back
//!   and stops the import ([`ImportError::Database`] says how many rows were
//!   committed before, [`ImportError::DiskFull`] also that the disk is
//!   full); re-running the file is safe, because people are upserted and
//!   verbali are idempotent by `verbale_id`. A process killed midway is the
//!   same: a batch is committed whole or not at all.
//!
//! The format is documented for users in `docs/import.md`. The readers are
//! in `reader.rs`, the CSV columns in `columns.rs`; this module validates
//! the rows and writes the batches.

use crate::ErrorCode;
use std::fmt;
use std::path::{Path, PathBuf};

use attesta_domain::journey::{CERTIFICATE_FIELDS, Certificate};
use attesta_domain::{
    FieldError, FiscalCode, PAYMENT_FIELDS, Payment, Person, VERBALE_FIELDS, Verbale,
};
use attesta_store::{BulkIngest, IngestOutcome, Millis, PaymentOutcome, StoreError, Upserted};
use serde_json::{Map, Value};

use crate::backoffice::{Written, ingest_error};
use crate::journey::{LinkedVerbale, linked_verbale_from};
use crate::{App, AppError, to_millis};

mod columns;
pub mod fuzz;
mod reader;

use reader::{RawRow, Rows};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    People,
    Verbali,
    Certificates,
    Payments,
}

impl Kind {
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Verbali => "verbali",
            Kind::Certificates => "certificates",
            Kind::Payments => "payments",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The file format, told by the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

impl Format {
    /// `.jsonl` or `.csv` (case-insensitive); anything else is `None`.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "jsonl" => Some(Format::Jsonl),
            "csv" => Some(Format::Csv),
            _ => None,
        }
    }
}

/// One refused row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    /// 1-based line of the file where the row starts (a CSV header is line 1).
    pub line: u64,
    /// Every reason, e.g. `invalid_verbale: invalidity_percentage: must be a
    /// whole number from 0 to 100; blindness: must be one of: …`.
    pub reason: String,
}

impl fmt::Display for Rejected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

/// What an import did. Counts cover committed batches only.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// `None` for an empty file.
    pub kind: Option<Kind>,
    /// Rows read (blank JSONL lines are not rows).
    pub rows: u64,
    pub created: u64,
    /// People already stored (their data rewritten) and verbali confirmed
    /// (`definitive` false → true).
    pub updated: u64,
    /// Verbali already stored with the same content.
    pub unchanged: u64,
    pub rejected: Vec<Rejected>,
}

impl ImportReport {
    /// Rows written or found already in place.
    pub fn accepted(&self) -> u64 {
        self.created + self.updated + self.unchanged
    }

    fn absorb(&mut self, batch: Batch) {
        self.rows += batch.rows;
        self.created += batch.created;
        self.updated += batch.updated;
        self.unchanged += batch.unchanged;
        self.rejected.extend(batch.rejected);
    }
}

/// Why an import stopped. Every variant is fatal (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}: {error}", path.display())]
    Read {
        path: PathBuf,
        error: std::io::Error,
    },
    #[error(
        "{}: unknown file type; accepted: .jsonl (JSON Lines, one object per line) and .csv (with a header row)",
        path.display()
    )]
    Extension { path: PathBuf },
    #[error("{}: {message}", path.display())]
    Header { path: PathBuf, message: String },
    #[error(
        "{}: the file is not UTF-8 text (line {line} is the first that is not), so nothing was \
         imported. Save it as UTF-8 and import it again: in Excel, File › Save As › \"CSV UTF-8 \
         (Comma delimited)\"; in LibreOffice, Save As › Text CSV with Character set \"Unicode (UTF-8)\"",
        path.display()
    )]
    NotUtf8 { path: PathBuf, line: u64 },
    #[error(
        "database error in the batch starting at line {line}: {detail}. That batch was rolled back; \
         {committed} rows were committed before it. Re-running the file is safe: rows already \
         stored are recognised"
    )]
    Database {
        /// The line where the rolled-back batch starts.
        line: u64,
        /// Rows (accepted or rejected) in the batches committed before.
        committed: u64,
        detail: String,
        /// What was committed before the failure.
        report: Box<ImportReport>,
    },
    /// A [`ImportError::Database`] that is the disk's: no space, or a quota
    /// or file size limit ([`StoreError::is_disk_full`]), said as such
    /// with what to do.
    #[error(
        "the disk is full ({detail}): free space and run the import again; nothing of the batch \
         in progress (from line {line}) was written, and the {committed} rows committed before it \
         are recognised when the file is run again"
    )]
    DiskFull {
        line: u64,
        committed: u64,
        detail: String,
        report: Box<ImportReport>,
    },
}

impl ImportError {
    /// What was committed before a batch failed, for the failures that
    /// stop an import midway.
    pub fn committed(&self) -> Option<&ImportReport> {
        match self {
            ImportError::Database { report, .. } | ImportError::DiskFull { report, .. } => {
                Some(report)
            }
            _ => None,
        }
    }

    /// A batch starting at `line` failed with `e` after the batches of
    /// `report` were committed.
    fn batch_failed(e: &StoreError, line: u64, report: &ImportReport) -> ImportError {
        let (committed, detail, report) = (report.rows, e.to_string(), Box::new(report.clone()));
        if e.is_disk_full() {
            ImportError::DiskFull {
                line,
                committed,
                detail,
                report,
            }
        } else {
            ImportError::Database {
                line,
                committed,
                detail,
                report,
            }
        }
    }
}

/// Rows per transaction when the caller has no reason to choose: large
/// enough that per-batch costs (commit, lookups, the status write) vanish,
/// small enough that a batch in memory stays a few megabytes.
pub const DEFAULT_BATCH_SIZE: usize = 10_000;

/// Imports `path` (SPEC §7). `progress(rows_done, rows_total)` is called
/// once the rows are counted and after every committed batch.
///
/// The rows are read and validated (pure work, no database) on a blocking
/// thread one batch ahead of the writer, which writes each batch in one
/// transaction through the store's bulk statements: reading a batch
/// overlaps with writing the one before.
pub async fn import_file(
    app: &App,
    path: &Path,
    batch_size: usize,
    progress: impl FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    import_file_notifying(app, path, batch_size, false, progress).await
}

/// [`import_file`]; with `notify` (`attesta import --notify`), a verbale
/// the import makes definitive queues its alerts in the batch's
/// transaction, as a live path does (SPEC §11). Without it, a bulk load of
/// old verbali texts no one.
pub async fn import_file_notifying(
    app: &App,
    path: &Path,
    batch_size: usize,
    notify: bool,
    mut progress: impl FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    let format = Format::from_path(path).ok_or_else(|| ImportError::Extension {
        path: path.to_owned(),
    })?;
    let read_error = |error| ImportError::Read {
        path: path.to_owned(),
        error,
    };
    // Refused as a whole, before any row: a file in another encoding (a
    // spreadsheet's Windows-1252) would otherwise fail on every accented
    // name, row after row, for one reason the user fixes once.
    if let Some(line) = reader::first_non_utf8_line(path).map_err(read_error)? {
        return Err(ImportError::NotUtf8 {
            path: path.to_owned(),
            line,
        });
    }
    let rows = match format {
        Format::Jsonl => Rows::jsonl(path).map_err(read_error)?,
        Format::Csv => Rows::csv(path)?,
    };
    let total = rows.total;
    let mut report = ImportReport {
        kind: rows.kind,
        ..ImportReport::default()
    };
    progress(0, total);
    let Some(kind) = rows.kind else {
        return Ok(report);
    };
    let batch_size = batch_size.max(1);
    let today = app.today();
    // The next batch is read while this one is written: at most two
    // batches are in memory at once.
    let read_ahead = |rows: Rows| {
        let app = app.clone();
        tokio::task::spawn_blocking(move || read_batch(rows, kind, batch_size, &app, today))
    };
    let mut next = read_ahead(rows);
    loop {
        let (rows, chunk) = next
            .await
            .map_err(|e| read_error(std::io::Error::other(format!("the reader stopped: {e}"))))?;
        let chunk = chunk.map_err(read_error)?;
        if chunk.rows.is_empty() {
            break;
        }
        next = read_ahead(rows);
        let first_line = chunk.first_line;
        let batch = write_batch(app, chunk, today, notify)
            .await
            .map_err(|e| ImportError::batch_failed(&e, first_line, &report))?;
        app.review_cards_of(&batch.touched).await;
        for (outcome, rows) in [
            ("created", batch.created),
            ("updated", batch.updated),
            ("unchanged", batch.unchanged),
            ("rejected", batch.rejected.len() as u64),
        ] {
            crate::telemetry::import_rows(kind.as_str(), outcome, rows);
        }
        report.absorb(batch);
        progress(report.rows, total.max(report.rows));
    }
    Ok(report)
}

/// One batch of rows as read and validated, in file order.
struct Chunk {
    first_line: u64,
    rows: Vec<(u64, Result<Item, String>)>,
}

/// A valid row.
enum Item {
    Person(Person),
    Verbale(LinkedVerbale),
    Certificate(Certificate),
    Payment(Payment),
}

/// Reads and validates the next `batch_size` rows (on a blocking thread);
/// an empty batch is the end of the file. Hands `rows` back for the next.
fn read_batch(
    mut rows: Rows,
    kind: Kind,
    batch_size: usize,
    app: &App,
    today: time::Date,
) -> (Rows, std::io::Result<Chunk>) {
    let mut chunk = Chunk {
        first_line: 0,
        rows: Vec::with_capacity(batch_size),
    };
    while chunk.rows.len() < batch_size {
        match rows.next_row() {
            Ok(Some(row)) => {
                if chunk.rows.is_empty() {
                    chunk.first_line = row.line;
                }
                chunk.rows.push((row.line, validate(row, kind, app, today)));
            }
            Ok(None) => break,
            Err(e) => return (rows, Err(e)),
        }
    }
    (rows, Ok(chunk))
}

/// A row validated exactly as the API validates one body; the error is
/// the reason reported for its line.
fn validate(row: RawRow, kind: Kind, app: &App, today: time::Date) -> Result<Item, String> {
    let object = row.object?;
    let item = match kind {
        Kind::People => with_cell_errors(
            person_from(object, today),
            row.cell_errors,
            ErrorCode::InvalidPerson,
        )
        .map(Item::Person),
        Kind::Verbali => with_cell_errors(
            verbale_from(&object, today),
            row.cell_errors,
            ErrorCode::InvalidVerbale,
        )
        .map(Item::Verbale),
        Kind::Certificates => with_cell_errors(
            certificate_from(&object, app),
            row.cell_errors,
            ErrorCode::InvalidCertificate,
        )
        .map(Item::Certificate),
        Kind::Payments => with_cell_errors(
            payment_from(object, today),
            row.cell_errors,
            ErrorCode::InvalidPayment,
        )
        .map(Item::Payment),
    };
    item.map_err(|e| reason(&e))
}

/// The outcome of one batch, merged into the report once committed.
#[derive(Debug, Default)]
struct Batch {
    rows: u64,
    created: u64,
    updated: u64,
    unchanged: u64,
    rejected: Vec<Rejected>,
    /// People whose status a committed verbale changed (their EU
    /// Disability Card is reviewed after the commit).
    touched: Vec<FiscalCode>,
}

impl Batch {
    fn reject(&mut self, line: u64, reason: String) {
        self.rejected.push(Rejected { line, reason });
    }
}

/// Writes one batch in one transaction, then the rows that go through
/// their use case one transaction each (certificates, linked verbali).
async fn write_batch(
    app: &App,
    chunk: Chunk,
    today: time::Date,
    notify: bool,
) -> Result<Batch, StoreError> {
    let now: Millis = to_millis(app.now());
    let mut batch = Batch {
        rows: chunk.rows.len() as u64,
        ..Batch::default()
    };
    // (line, reason) of the refused rows, put in line order below.
    let mut refused: Vec<(u64, String)> = Vec::new();
    let mut own_transaction: Vec<(u64, Deferred)> = Vec::new();
    let mut people: Vec<(u64, Person)> = Vec::new();
    let mut verbali: Vec<(u64, Verbale)> = Vec::new();
    let mut payments: Vec<(u64, Payment)> = Vec::new();
    for (line, item) in chunk.rows {
        match item {
            Err(reason) => refused.push((line, reason)),
            Ok(Item::Person(person)) => people.push((line, person)),
            // Linked: the journey's path, after the batch (it moves the
            // application in its own transaction).
            Ok(Item::Verbale(linked)) if linked.application_id.is_some() => {
                own_transaction.push((line, Deferred::Verbale(linked)));
            }
            Ok(Item::Verbale(LinkedVerbale { verbale, .. })) => verbali.push((line, verbale)),
            Ok(Item::Certificate(c)) => own_transaction.push((line, Deferred::Certificate(c))),
            Ok(Item::Payment(p)) => payments.push((line, p)),
        }
    }
    let mut tx = app.store().bulk_batch().await?;
    if !people.is_empty() {
        let (_, rows): (Vec<u64>, Vec<Person>) = people.into_iter().unzip();
        for outcome in tx.upsert_people(&rows, now).await? {
            match outcome {
                Upserted::Created => batch.created += 1,
                Upserted::Updated => batch.updated += 1,
            }
        }
    }
    if !verbali.is_empty() {
        let (lines, rows): (Vec<u64>, Vec<Verbale>) = verbali.into_iter().unzip();
        let outcomes = tx.ingest_verbali(&rows, today, now).await?;
        for ((line, verbale), outcome) in lines.into_iter().zip(rows).zip(outcomes) {
            match outcome {
                // Stored linked: the journey's path too.
                BulkIngest::StoredLinked => own_transaction.push((
                    line,
                    Deferred::Verbale(LinkedVerbale {
                        verbale,
                        application_id: None,
                    }),
                )),
                BulkIngest::Done(Ok(IngestOutcome::Created)) => {
                    if notify && verbale.definitive {
                        tx.queue_verbale_alerts(&verbale.id, now).await?;
                    }
                    batch.created += 1;
                    batch.touched.push(verbale.fiscal_code);
                }
                BulkIngest::Done(Ok(
                    outcome @ (IngestOutcome::Confirmed | IngestOutcome::Linked),
                )) => {
                    if notify && outcome == IngestOutcome::Confirmed {
                        tx.queue_verbale_alerts(&verbale.id, now).await?;
                    }
                    batch.updated += 1;
                    batch.touched.push(verbale.fiscal_code);
                }
                // Reviewed too: an import killed after a batch committed
                // and before its review finds the row unchanged when run
                // again, and the card review is what it still owes.
                BulkIngest::Done(Ok(IngestOutcome::Unchanged)) => {
                    batch.unchanged += 1;
                    batch.touched.push(verbale.fiscal_code);
                }
                BulkIngest::Done(Err(e)) => refused.push((line, reason(&ingest_error(e)))),
            }
        }
    }
    if !payments.is_empty() {
        let (lines, rows): (Vec<u64>, Vec<Payment>) = payments.into_iter().unzip();
        let outcomes = tx.ingest_payments(&rows, now).await?;
        for (line, outcome) in lines.into_iter().zip(outcomes) {
            match outcome {
                Ok(PaymentOutcome::Created) => batch.created += 1,
                Ok(PaymentOutcome::MarkedPaid) => batch.updated += 1,
                Ok(PaymentOutcome::Unchanged) => batch.unchanged += 1,
                Err(e) => refused.push((line, reason(&crate::payments::payment_error(e)))),
            }
        }
    }
    tx.commit().await?;
    refused.sort_by_key(|(line, _)| *line);
    for (line, reason) in refused {
        batch.reject(line, reason);
    }
    own_transaction.sort_by_key(|(line, _)| *line);
    for (line, row) in own_transaction {
        let written = match &row {
            Deferred::Certificate(c) => app.put_certificate(c).await.map(|a| a.written),
            Deferred::Verbale(v) => app.ingest_linked_verbale_alerting(v, notify).await,
        };
        match written {
            Ok(Written::Created) => batch.created += 1,
            Ok(Written::Updated) => batch.updated += 1,
            Ok(Written::Unchanged) => batch.unchanged += 1,
            // A database failure stops the import as in the batch.
            Err(e) if matches!(e.code, ErrorCode::Internal | ErrorCode::ServiceUnavailable) => {
                return Err(StoreError::Corrupt(format!("line {line}: {e}")));
            }
            Err(e) => batch.reject(line, reason(&e)),
        }
    }
    Ok(batch)
}

/// A row written through the use case, in its own transaction.
#[derive(Debug)]
enum Deferred {
    Certificate(Certificate),
    Verbale(LinkedVerbale),
}

/// Adds the errors of cells that never reached validation to its outcome:
/// a row is refused with every reason at once.
fn with_cell_errors<T>(
    validated: Result<T, AppError>,
    cell_errors: Vec<FieldError>,
    code: ErrorCode,
) -> Result<T, AppError> {
    if cell_errors.is_empty() {
        return validated;
    }
    let mut error = match validated {
        Ok(_) => AppError::new(code, "The row has invalid fields."),
        Err(e) if e.fields.is_empty() => return Err(e),
        Err(e) => e,
    };
    error.fields.extend(cell_errors);
    Err(error)
}

/// `code: field: reason; field: reason`, or `code: message` without fields.
fn reason(e: &AppError) -> String {
    if e.fields.is_empty() {
        format!("{}: {}", e.code, e.message)
    } else {
        let fields: Vec<String> = e.fields.iter().map(ToString::to_string).collect();
        format!("{}: {}", e.code, fields.join("; "))
    }
}

/// Refuses a row with a key that `known` does not know, naming them all.
fn only_keys(object: &Map<String, Value>, known: impl Fn(&str) -> bool) -> Result<(), AppError> {
    let unknown: Vec<String> = object.keys().filter(|k| !known(k)).cloned().collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(unknown_keys(&unknown))
    }
}

fn unknown_keys(keys: &[String]) -> AppError {
    AppError::invalid_request(format!(
        "unknown field(s): {}; the keys are the API's field names (see docs/import.md)",
        keys.join(", ")
    ))
}

/// A people row: `fiscal_code` plus the body of
/// `PUT /api/v1/admin/people/{fiscal_code}`, validated the same way.
fn person_from(mut object: Map<String, Value>, today: time::Date) -> Result<Person, AppError> {
    let cf = match object.remove("fiscal_code") {
        None | Some(Value::Null) => Err(FieldError::new("fiscal_code", "is required")),
        Some(Value::String(s)) => {
            FiscalCode::parse(&s).map_err(|e| FieldError::new("fiscal_code", e.to_string()))
        }
        Some(_) => Err(FieldError::new("fiscal_code", "must be a string")),
    };
    crate::backoffice::parse_person(cf, &object, today).map_err(|e| {
        if e.code == ErrorCode::InvalidRequest {
            // Unknown keys: name them as the import's own words do.
            let keys: Vec<String> = object
                .keys()
                .filter(|k| !attesta_domain::PERSON_FIELDS.contains(&k.as_str()))
                .cloned()
                .collect();
            unknown_keys(&keys)
        } else {
            e
        }
    })
}

/// A verbali row: the body of `POST /api/v1/admin/verbali`, with its
/// optional `application_id`.
fn verbale_from(object: &Map<String, Value>, today: time::Date) -> Result<LinkedVerbale, AppError> {
    only_keys(object, |k| {
        k == "application_id" || VERBALE_FIELDS.contains(&k)
    })?;
    linked_verbale_from(object, today)
}

/// A certificates row: the body of `POST /api/v1/admin/certificates`.
fn certificate_from(object: &Map<String, Value>, app: &App) -> Result<Certificate, AppError> {
    only_keys(object, |k| CERTIFICATE_FIELDS.contains(&k))?;
    app.certificate_from_json(&Value::Object(object.clone()))
}

/// A payments row: the body of `POST /api/v1/admin/payments`.
fn payment_from(object: Map<String, Value>, today: time::Date) -> Result<Payment, AppError> {
    only_keys(&object, |k| PAYMENT_FIELDS.contains(&k))?;
    crate::payments::parse_payment(&Value::Object(object), today)
}

fn kind_of(has: impl Fn(&str) -> bool) -> Kind {
    if has("certificate_id") {
        Kind::Certificates
    } else if has("verbale_id") {
        Kind::Verbali
    } else if has("payment_id") {
        Kind::Payments
    } else {
        Kind::People
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_says_so_and_what_to_do() {
        let report = ImportReport {
            rows: 300,
            created: 300,
            ..ImportReport::default()
        };
        let full = ImportError::DiskFull {
            line: 301,
            committed: 300,
            detail: "database or disk is full".into(),
            report: Box::new(report.clone()),
        }
        .to_string();
        for words in [
            "the disk is full (database or disk is full)",
            "free space and run the import again",
            "nothing of the batch in progress (from line 301) was written",
            "the 300 rows committed before it",
        ] {
            assert!(full.contains(words), "{full}");
        }
        let e = StoreError::Database(sqlx::Error::PoolTimedOut);
        let failed = ImportError::batch_failed(&e, 301, &report);
        assert!(
            matches!(
                failed,
                ImportError::Database {
                    line: 301,
                    committed: 300,
                    ..
                }
            ),
            "{failed:?}"
        );
        assert_eq!(failed.committed(), Some(&report));
    }

    #[test]
    fn people_rows_report_every_field() {
        let m = serde_json::json!({"fiscal_code": "RSSMRA80A01H501X", "given_name": "",
            "family_name": "Rossi", "birth_date": "1980-01-01"});
        let e = person_from(
            m.as_object().unwrap().clone(),
            time::macros::date!(2026 - 01 - 01),
        )
        .unwrap_err();
        let text = reason(&e);
        assert!(text.starts_with("invalid_person: fiscal_code: "), "{text}");
        assert!(text.contains("given_name"), "{text}");
        let m =
            serde_json::json!({"given_name": "M", "family_name": "R", "birth_date": "1980-01-01"});
        let e = person_from(
            m.as_object().unwrap().clone(),
            time::macros::date!(2026 - 01 - 01),
        )
        .unwrap_err();
        assert_eq!(reason(&e), "invalid_person: fiscal_code: is required");
    }
}
