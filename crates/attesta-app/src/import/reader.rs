//! Reading an import file row by row: JSON Lines or CSV, each in two passes
//! (the first finds the kind and counts the rows, for the progress bar).

use crate::ErrorCode;
use std::fmt;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use attesta_domain::FieldError;
use serde_json::{Map, Value};

use super::columns::{Column, columns, csv_object};
use super::{ImportError, Kind, kind_of};

/// One row as read: its line and its object, or why it could not be read.
#[derive(Debug)]
pub(super) struct RawRow {
    pub(super) line: u64,
    pub(super) object: Result<Map<String, Value>, String>,
    /// CSV cells that could not become API values (reported together with
    /// the validation of the rest of the row).
    pub(super) cell_errors: Vec<FieldError>,
}

/// A streaming reader over the rows of a file, with the kind and row count
/// found by a first pass.
pub(super) struct Rows {
    pub(super) kind: Option<Kind>,
    pub(super) total: u64,
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
        /// A `;` file, from a spreadsheet in an Italian locale: booleans may
        /// also be `vero`/`falso`.
        semicolon: bool,
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
    pub(super) fn jsonl(path: &Path) -> std::io::Result<Rows> {
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
                        .map(|m| kind_of(|key| m.contains_key(key)));
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

    pub(super) fn csv(path: &Path) -> Result<Rows, ImportError> {
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
        let delimiter = delimiter(path).map_err(|error| ImportError::Read {
            path: path.to_owned(),
            error,
        })?;
        let semicolon = delimiter == b';';
        let open = || {
            csv::ReaderBuilder::new()
                .delimiter(delimiter)
                // Lines end at `\n` (a `\r` before it is trimmed with the cell): with
                // the default CRLF terminator a record after `\r\n` starts on the
                // `\n`, and is numbered one line too low.
                .terminator(csv::Terminator::Any(b'\n'))
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
                    semicolon,
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
                semicolon,
            },
        })
    }

    /// The next row, or `None` at the end of the file. Only an I/O failure
    /// is an error; a malformed row is a [`RawRow`] carrying its reason.
    pub(super) fn next_row(&mut self) -> std::io::Result<Option<RawRow>> {
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
                    Ok(_) => Err(format!(
                        "{}: a row must be one JSON object",
                        ErrorCode::InvalidRequest
                    )),
                    Err(e) => Err(format!(
                        "{}: not valid JSON: {e}",
                        ErrorCode::InvalidRequest
                    )),
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
                semicolon,
            } => match reader.read_byte_record(record) {
                Ok(false) => Ok(None),
                Ok(true) => {
                    let line = record.position().map_or(0, csv::Position::line);
                    let (object, cell_errors) = match csv_object(columns, record, *semicolon) {
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
                            object: Err(format!(
                                "{}: malformed CSV: {other:?}",
                                ErrorCode::InvalidRequest
                            )),
                            cell_errors: Vec::new(),
                        })),
                    }
                }
            },
        }
    }
}

/// The first line (1-based) of `path` that is not UTF-8, if any. Lines
/// split at `\n`, which never falls inside a UTF-8 sequence.
pub(super) fn first_non_utf8_line(path: &Path) -> std::io::Result<Option<u64>> {
    let mut reader = BufReader::new(File::open(path)?);
    let mut buf = Vec::new();
    let mut line = 0;
    while reader.read_until(b'\n', &mut buf)? > 0 {
        line += 1;
        if std::str::from_utf8(&buf).is_err() {
            return Ok(Some(line));
        }
        buf.clear();
    }
    Ok(None)
}

/// The delimiter of a CSV file, told by its header line: `;` (what a
/// spreadsheet in an Italian locale writes) when the header has more `;`
/// than `,`, else `,`. Header names never hold either.
fn delimiter(path: &Path) -> std::io::Result<u8> {
    let mut header = Vec::new();
    BufReader::new(File::open(path)?).read_until(b'\n', &mut header)?;
    let count = |b: u8| header.iter().filter(|&&c| c == b).count();
    Ok(if count(b';') > count(b',') {
        b';'
    } else {
        b','
    })
}

fn is_blank(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}
