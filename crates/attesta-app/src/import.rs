//! `attesta import FILE` (SPEC §7): people or verbali from a JSON Lines or
//! CSV file, validated row by row exactly as the HTTP API validates one
//! body, written in batched transactions.
//!
//! - The format comes from the extension (`.jsonl` or `.csv`), the kind from
//!   the keys: a file whose header (CSV) or first object (JSONL) has a
//!   `verbale_id` holds verbali, any other holds people.
//! - Every row is validated on its own; a rejected row is reported with its
//!   1-based file line and every reason, and nothing of it is written.
//! - Accepted rows go to the database `batch_size` at a time, one
//!   transaction per batch. A database failure rolls the current batch back
//!   and stops the import ([`ImportError::Database`] says how many rows were
//!   committed before); re-running the file is safe, because people are
//!   upserted and verbali are idempotent by `verbale_id`.
//!
//! The format is documented for users in `docs/import.md`.

use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use attesta_domain::{FieldError, FiscalCode, PERSON_FIELDS, Person, VERBALE_FIELDS, Verbale};
use attesta_store::{IngestOutcome, Millis, StoreError, Upserted};
use serde_json::{Map, Value};

use crate::backoffice::{ingest_error, parse_verbale};
use crate::{App, AppError, to_millis};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    People,
    Verbali,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::People => "people",
            Kind::Verbali => "verbali",
        })
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
}

/// Imports `path` (SPEC §7). `progress(rows_done, rows_total)` is called
/// once the rows are counted and after every committed batch.
pub async fn import_file(
    app: &App,
    path: &Path,
    batch_size: usize,
    mut progress: impl FnMut(u64, u64),
) -> Result<ImportReport, ImportError> {
    let format = Format::from_path(path).ok_or_else(|| ImportError::Extension {
        path: path.to_owned(),
    })?;
    let read_error = |error| ImportError::Read {
        path: path.to_owned(),
        error,
    };
    let mut rows = match format {
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
    loop {
        let mut chunk = Vec::with_capacity(batch_size);
        while chunk.len() < batch_size {
            match rows.next_row().map_err(read_error)? {
                Some(row) => chunk.push(row),
                None => break,
            }
        }
        let Some(first_line) = chunk.first().map(|r| r.line) else {
            break;
        };
        let batch =
            write_batch(app, kind, chunk, today)
                .await
                .map_err(|e| ImportError::Database {
                    line: first_line,
                    committed: report.rows,
                    detail: e.to_string(),
                    report: Box::new(report.clone()),
                })?;
        app.review_cards_of(&batch.touched).await;
        report.absorb(batch);
        progress(report.rows, total.max(report.rows));
    }
    Ok(report)
}

/// One row as read: its line and its object, or why it could not be read.
#[derive(Debug)]
struct RawRow {
    line: u64,
    object: Result<Map<String, Value>, String>,
    /// CSV cells that could not become API values (reported together with
    /// the validation of the rest of the row).
    cell_errors: Vec<FieldError>,
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

async fn write_batch(
    app: &App,
    kind: Kind,
    rows: Vec<RawRow>,
    today: time::Date,
) -> Result<Batch, StoreError> {
    let now: Millis = to_millis(app.now());
    let mut batch = Batch {
        rows: rows.len() as u64,
        ..Batch::default()
    };
    let mut tx = app.store().begin().await?;
    for row in rows {
        let object = match row.object {
            Ok(object) => object,
            Err(reason) => {
                batch.reject(row.line, reason);
                continue;
            }
        };
        match kind {
            Kind::People => match with_cell_errors(
                person_from(object, today),
                row.cell_errors,
                "invalid_person",
            ) {
                Ok(person) => match attesta_store::upsert_person(&mut tx, &person, now).await? {
                    Upserted::Created => batch.created += 1,
                    Upserted::Updated => batch.updated += 1,
                },
                Err(e) => batch.reject(row.line, reason(&e)),
            },
            Kind::Verbali => {
                match with_cell_errors(
                    verbale_from(&object, today),
                    row.cell_errors,
                    "invalid_verbale",
                ) {
                    Ok(verbale) => {
                        match attesta_store::ingest_verbale_in(&mut tx, &verbale, now).await? {
                            Ok(IngestOutcome::Created) => {
                                batch.created += 1;
                                batch.touched.push(verbale.fiscal_code.clone());
                            }
                            Ok(IngestOutcome::Confirmed) => {
                                batch.updated += 1;
                                batch.touched.push(verbale.fiscal_code.clone());
                            }
                            Ok(IngestOutcome::Unchanged) => batch.unchanged += 1,
                            Err(e) => batch.reject(row.line, reason(&ingest_error(e))),
                        }
                    }
                    Err(e) => batch.reject(row.line, reason(&e)),
                }
            }
        }
    }
    tx.commit().await?;
    Ok(batch)
}

/// Adds the errors of cells that never reached validation to its outcome:
/// a row is refused with every reason at once.
fn with_cell_errors<T>(
    validated: Result<T, AppError>,
    cell_errors: Vec<FieldError>,
    code: &'static str,
) -> Result<T, AppError> {
    if cell_errors.is_empty() {
        return validated;
    }
    let mut error = match validated {
        Ok(_) => AppError::new(422, code, "The row has invalid fields."),
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
        if e.code == "invalid_request" {
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

/// A verbali row: the body of `POST /api/v1/admin/verbali`.
fn verbale_from(object: &Map<String, Value>, today: time::Date) -> Result<Verbale, AppError> {
    let unknown: Vec<String> = object
        .keys()
        .filter(|k| !VERBALE_FIELDS.contains(&k.as_str()))
        .cloned()
        .collect();
    if !unknown.is_empty() {
        return Err(unknown_keys(&unknown));
    }
    parse_verbale(object, today)
}

// ---- reading ------------------------------------------------------------

/// A streaming reader over the rows of a file, with the kind and row count
/// found by a first pass.
struct Rows {
    kind: Option<Kind>,
    total: u64,
    source: Source,
}

enum Source {
    Jsonl {
        reader: BufReader<File>,
        line: u64,
        buf: Vec<u8>,
    },
    Csv {
        reader: csv::Reader<File>,
        columns: Vec<Column>,
        record: csv::ByteRecord,
    },
}

impl fmt::Debug for Rows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rows")
            .field("kind", &self.kind)
            .field("total", &self.total)
            .finish_non_exhaustive()
    }
}

impl Rows {
    fn jsonl(path: &Path) -> std::io::Result<Rows> {
        // First pass: count the rows and find the first object's keys.
        let mut reader = BufReader::new(File::open(path)?);
        let mut buf = Vec::new();
        let mut total = 0;
        let mut kind = None;
        while reader.read_until(b'\n', &mut buf)? > 0 {
            if !is_blank(&buf) {
                total += 1;
                if kind.is_none() {
                    kind = serde_json::from_slice::<Map<String, Value>>(&buf)
                        .ok()
                        .map(|m| kind_of(m.contains_key("verbale_id")));
                }
            }
            buf.clear();
        }
        if total > 0 && kind.is_none() {
            // No row is a JSON object: each will be reported as such.
            kind = Some(Kind::People);
        }
        Ok(Rows {
            kind,
            total,
            source: Source::Jsonl {
                reader: BufReader::new(File::open(path)?),
                line: 0,
                buf,
            },
        })
    }

    fn csv(path: &Path) -> Result<Rows, ImportError> {
        let read_error = |e: csv::Error| match e.into_kind() {
            csv::ErrorKind::Io(error) => ImportError::Read {
                path: path.to_owned(),
                error,
            },
            other => ImportError::Header {
                path: path.to_owned(),
                message: format!("not a readable CSV file: {other:?}"),
            },
        };
        let open = || {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .trim(csv::Trim::All)
                .from_path(path)
                .map_err(read_error)
        };
        let mut reader = open()?;
        let mut record = csv::ByteRecord::new();
        if !reader.read_byte_record(&mut record).map_err(read_error)? {
            return Ok(Rows {
                kind: None,
                total: 0,
                source: Source::Csv {
                    reader,
                    columns: Vec::new(),
                    record,
                },
            });
        }
        let header: Vec<String> = record
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let name = String::from_utf8_lossy(name);
                let name = if i == 0 {
                    name.trim_start_matches('\u{feff}')
                } else {
                    &name
                };
                name.trim().to_owned()
            })
            .collect();
        let (kind, columns) = columns(&header).map_err(|message| ImportError::Header {
            path: path.to_owned(),
            message,
        })?;
        let mut total = 0;
        while reader.read_byte_record(&mut record).map_err(read_error)? {
            total += 1;
        }
        // Second pass, past the header.
        let mut reader = open()?;
        reader.read_byte_record(&mut record).map_err(read_error)?;
        Ok(Rows {
            kind: Some(kind),
            total,
            source: Source::Csv {
                reader,
                columns,
                record,
            },
        })
    }

    /// The next row, or `None` at the end of the file. Only an I/O failure
    /// is an error; a malformed row is a [`RawRow`] carrying its reason.
    fn next_row(&mut self) -> std::io::Result<Option<RawRow>> {
        match &mut self.source {
            Source::Jsonl { reader, line, buf } => loop {
                buf.clear();
                if reader.read_until(b'\n', buf)? == 0 {
                    return Ok(None);
                }
                *line += 1;
                if is_blank(buf) {
                    continue;
                }
                let object = match serde_json::from_slice::<Value>(buf) {
                    Ok(Value::Object(map)) => Ok(map),
                    Ok(_) => Err("invalid_request: a row must be one JSON object".to_owned()),
                    Err(e) => Err(format!("invalid_request: not valid JSON: {e}")),
                };
                return Ok(Some(RawRow {
                    line: *line,
                    object,
                    cell_errors: Vec::new(),
                }));
            },
            Source::Csv {
                reader,
                columns,
                record,
            } => match reader.read_byte_record(record) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    let (object, cell_errors) = match csv_object(columns, record) {
                        Ok((object, errors)) => (Ok(object), errors),
                        Err(e) => (Err(e), Vec::new()),
                    };
                    Ok(Some(RawRow {
                        line,
                        object,
                        cell_errors,
                    }))
                }
                Err(e) => {
                    let line = e.position().map_or(0, csv::Position::line);
                    match e.into_kind() {
                        csv::ErrorKind::Io(e) => Err(e),
                        other => Ok(Some(RawRow {
                            line,
                            object: Err(format!("invalid_request: malformed CSV: {other:?}")),
                            cell_errors: Vec::new(),
                        })),
                    }
                }
            },
        }
    }
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

fn kind_of(has_verbale_id: bool) -> Kind {
    if has_verbale_id {
        Kind::Verbali
    } else {
        Kind::People
    }
}

/// How a CSV column becomes a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Column {
    Text(String),
    Boolean(String),
    Integer(String),
    RevisionDue,
    RevisionExempt,
    RevisionNone,
}

const BOOLEAN_COLUMNS: &[&str] = &[
    "definitive",
    "accompaniment",
    "deafness",
    "art21",
    "law68_disability",
    "dl5_2012_art4",
];
const REQUIRED_PEOPLE_COLUMNS: &[&str] =
    &["fiscal_code", "given_name", "family_name", "birth_date"];
const REQUIRED_VERBALI_COLUMNS: &[&str] = &[
    "verbale_id",
    "fiscal_code",
    "kind",
    "session_date",
    "definitive",
    "source",
];

/// Checks a CSV header: the kind, and how each column is read. Unknown,
/// duplicate or missing required columns are fatal: no row is written.
fn columns(header: &[String]) -> Result<(Kind, Vec<Column>), String> {
    let kind = kind_of(header.iter().any(|h| h == "verbale_id"));
    let mut columns = Vec::with_capacity(header.len());
    let mut unknown = Vec::new();
    for (i, name) in header.iter().enumerate() {
        if header[..i].contains(name) {
            return Err(format!("the header names column {name:?} twice"));
        }
        let column = match (kind, name.as_str()) {
            (Kind::People, n) if n == "fiscal_code" || PERSON_FIELDS.contains(&n) => {
                Column::Text(n.to_owned())
            }
            (Kind::Verbali, "revision_due") => Column::RevisionDue,
            (Kind::Verbali, "revision_exempt") => Column::RevisionExempt,
            (Kind::Verbali, "revision_none") => Column::RevisionNone,
            (Kind::Verbali, "invalidity_percentage") => Column::Integer(name.clone()),
            (Kind::Verbali, n) if BOOLEAN_COLUMNS.contains(&n) => Column::Boolean(n.to_owned()),
            (Kind::Verbali, n) if n != "revision" && VERBALE_FIELDS.contains(&n) => {
                Column::Text(n.to_owned())
            }
            _ => {
                unknown.push(if name.is_empty() {
                    format!("(empty, column {})", i + 1)
                } else {
                    name.clone()
                });
                continue;
            }
        };
        columns.push(column);
    }
    if !unknown.is_empty() {
        let allowed: Vec<&str> = match kind {
            Kind::People => std::iter::once("fiscal_code")
                .chain(PERSON_FIELDS.iter().copied())
                .collect(),
            Kind::Verbali => VERBALE_FIELDS
                .iter()
                .copied()
                .filter(|f| *f != "revision")
                .chain(["revision_due", "revision_exempt", "revision_none"])
                .collect(),
        };
        return Err(format!(
            "unknown column(s) in the header of a {kind} file: {}. The columns are: {}",
            unknown.join(", "),
            allowed.join(", ")
        ));
    }
    let required = match kind {
        Kind::People => REQUIRED_PEOPLE_COLUMNS,
        Kind::Verbali => REQUIRED_VERBALI_COLUMNS,
    };
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|r| !header.iter().any(|h| h == r))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the header of a {kind} file lacks the required column(s): {}",
            missing.join(", ")
        ));
    }
    Ok((kind, columns))
}

/// One CSV record as the JSON object the API would receive, with the cells
/// that cannot be put in it; `Err` when the record does not fit the header.
fn csv_object(
    columns: &[Column],
    record: &csv::ByteRecord,
) -> Result<(Map<String, Value>, Vec<FieldError>), String> {
    if record.len() != columns.len() {
        return Err(format!(
            "invalid_request: the row has {} field(s), the header has {}",
            record.len(),
            columns.len()
        ));
    }
    let mut map = Map::new();
    let mut errors = Vec::new();
    let mut revision: Vec<(&str, Value)> = Vec::new();
    for (column, bytes) in columns.iter().zip(record.iter()) {
        let Ok(cell) = std::str::from_utf8(bytes) else {
            errors.push(FieldError::new(column.name(), "is not valid UTF-8 text"));
            continue;
        };
        if cell.is_empty() {
            continue; // an empty cell is null
        }
        match column {
            Column::Text(name) => {
                map.insert(name.clone(), Value::String(cell.to_owned()));
            }
            Column::Boolean(name) => {
                // Anything but true/false is passed on as text, for the
                // domain's "must be true or false" on that field.
                let value =
                    boolean(cell).map_or_else(|| Value::String(cell.to_owned()), Value::Bool);
                map.insert(name.clone(), value);
            }
            Column::Integer(name) => {
                let value = cell
                    .parse::<i64>()
                    .map_or_else(|_| Value::String(cell.to_owned()), Value::from);
                map.insert(name.clone(), value);
            }
            Column::RevisionDue => revision.push(("due", Value::String(cell.to_owned()))),
            Column::RevisionExempt | Column::RevisionNone => match boolean(cell) {
                Some(true) => revision.push((column.revision_key(), Value::Bool(true))),
                Some(false) => {}
                None => errors.push(FieldError::new(column.name(), "must be true or false")),
            },
        }
    }
    match revision.len() {
        0 => {}
        1 => {
            let (key, value) = revision.pop().expect("one");
            let mut object = Map::new();
            object.insert(key.to_owned(), value);
            map.insert("revision".to_owned(), Value::Object(object));
        }
        _ => errors.push(FieldError::new(
            "revision",
            "give only one of revision_due, revision_exempt=true, revision_none=true",
        )),
    }
    Ok((map, errors))
}

fn boolean(cell: &str) -> Option<bool> {
    if cell.eq_ignore_ascii_case("true") {
        Some(true)
    } else if cell.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

impl Column {
    fn name(&self) -> &str {
        match self {
            Column::Text(n) | Column::Boolean(n) | Column::Integer(n) => n,
            Column::RevisionDue => "revision_due",
            Column::RevisionExempt => "revision_exempt",
            Column::RevisionNone => "revision_none",
        }
    }

    fn revision_key(&self) -> &'static str {
        match self {
            Column::RevisionExempt => "exempt",
            Column::RevisionNone => "none",
            _ => "due",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &str) -> Vec<String> {
        names.split(',').map(str::to_owned).collect()
    }

    /// The object of a well-formed row, or its cell errors joined.
    fn row(columns: &[Column], cells: &[&str]) -> Result<Map<String, Value>, String> {
        let (map, errors) = csv_object(columns, &csv::ByteRecord::from(cells.to_vec()))?;
        if errors.is_empty() {
            Ok(map)
        } else {
            let errors: Vec<String> = errors.iter().map(ToString::to_string).collect();
            Err(errors.join("; "))
        }
    }

    #[test]
    fn the_header_tells_the_kind() {
        let (kind, _) = columns(&header("fiscal_code,given_name,family_name,birth_date")).unwrap();
        assert_eq!(kind, Kind::People);
        let (kind, _) = columns(&header(
            "verbale_id,fiscal_code,kind,session_date,definitive,source,revision_due",
        ))
        .unwrap();
        assert_eq!(kind, Kind::Verbali);
    }

    #[test]
    fn unknown_and_missing_columns_are_fatal_and_named() {
        let e = columns(&header(
            "fiscal_code,given_name,family_name,birth_date,diagnosis",
        ))
        .unwrap_err();
        assert!(e.contains("diagnosis"), "{e}");
        let e = columns(&header(
            "verbale_id,fiscal_code,kind,session_date,definitive,source,revision",
        ))
        .unwrap_err();
        assert!(e.contains("revision") && e.contains("revision_due"), "{e}");
        let e = columns(&header("verbale_id,fiscal_code,kind")).unwrap_err();
        assert!(e.contains("session_date, definitive, source"), "{e}");
        let e = columns(&header(
            "fiscal_code,given_name,given_name,family_name,birth_date",
        ))
        .unwrap_err();
        assert!(e.contains("twice"), "{e}");
    }

    #[test]
    fn cells_become_api_values() {
        let (_, cols) = columns(&header(
            "verbale_id,fiscal_code,kind,session_date,definitive,source,invalidity_code,\
             invalidity_percentage,accompaniment,revision_due,revision_exempt,revision_none",
        ))
        .unwrap();
        let m = row(
            &cols,
            &[
                "V1",
                "RSSMRA80A01H501U",
                "first_instance",
                "2024-05-10",
                "TRUE",
                "telematic",
                "03",
                "80",
                "",
                "2027-05",
                "false",
                "",
            ],
        )
        .unwrap();
        assert_eq!(m["definitive"], Value::Bool(true));
        assert_eq!(m["invalidity_code"], "03");
        assert_eq!(m["invalidity_percentage"], 80);
        assert!(!m.contains_key("accompaniment"));
        assert_eq!(m["revision"], serde_json::json!({"due": "2027-05"}));

        let m = row(
            &cols,
            &[
                "V1", "X", "k", "d", "yes", "s", "3", "lots", "", "", "", "true",
            ],
        )
        .unwrap();
        assert_eq!(m["definitive"], "yes"); // the domain names it
        assert_eq!(m["invalidity_code"], "3");
        assert_eq!(m["invalidity_percentage"], "lots");
        assert_eq!(m["revision"], serde_json::json!({"none": true}));
        let verbale = verbale_from(&m, time::macros::date!(2026 - 01 - 01)).unwrap_err();
        let fields: Vec<_> = verbale.fields.iter().map(|f| f.field.as_str()).collect();
        for f in ["definitive", "invalidity_code", "invalidity_percentage"] {
            assert!(fields.contains(&f), "{f} in {fields:?}");
        }
    }

    #[test]
    fn revision_columns_are_exclusive() {
        let (_, cols) = columns(&header(
            "verbale_id,fiscal_code,kind,session_date,definitive,source,revision_due,revision_exempt,revision_none",
        ))
        .unwrap();
        let base = [
            "V1",
            "CF",
            "first_instance",
            "2024-05-10",
            "true",
            "telematic",
        ];
        let with = |rev: [&str; 3]| {
            let mut cells = base.to_vec();
            cells.extend(rev);
            row(&cols, &cells)
        };
        let e = with(["2027-05", "true", ""]).unwrap_err();
        assert!(e.contains("revision"), "{e}");
        let e = with(["", "maybe", ""]).unwrap_err();
        assert!(e.contains("revision_exempt: must be true or false"), "{e}");
        assert!(!with(["", "", ""]).unwrap().contains_key("revision"));
        assert_eq!(
            with(["", "true", "false"]).unwrap()["revision"],
            serde_json::json!({"exempt": true})
        );
    }

    #[test]
    fn cell_errors_are_reported_with_the_validation_errors() {
        let (_, cols) = columns(&header(
            "verbale_id,fiscal_code,kind,session_date,definitive,source,revision_exempt",
        ))
        .unwrap();
        let cells = [
            "V1",
            "RSSMRA80A01H501X",
            "first_instance",
            "2024-05-10",
            "yes",
            "telematic",
            "maybe",
        ];
        let (map, errors) = csv_object(&cols, &csv::ByteRecord::from(cells.to_vec())).unwrap();
        let today = time::macros::date!(2026 - 01 - 01);
        let e = with_cell_errors(verbale_from(&map, today), errors, "invalid_verbale").unwrap_err();
        let text = reason(&e);
        for field in ["fiscal_code", "definitive", "revision_exempt"] {
            assert!(text.contains(field), "{field} in {text}");
        }
        // Valid otherwise: still refused, for the cell alone.
        let cells = [
            "V1",
            "RSSMRA80A01H501U",
            "first_instance",
            "2024-05-10",
            "true",
            "telematic",
            "maybe",
        ];
        let (map, errors) = csv_object(&cols, &csv::ByteRecord::from(cells.to_vec())).unwrap();
        let e = with_cell_errors(verbale_from(&map, today), errors, "invalid_verbale").unwrap_err();
        assert_eq!(
            reason(&e),
            "invalid_verbale: revision_exempt: must be true or false"
        );
    }

    #[test]
    fn short_rows_are_refused() {
        let (_, cols) = columns(&header("fiscal_code,given_name,family_name,birth_date")).unwrap();
        assert!(row(&cols, &["RSSMRA80A01H501U", "Mario"]).is_err());
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
