//! The CSV columns of an import file: which header names are allowed for
//! each kind, and how a cell becomes the JSON value the API would receive.

use crate::ErrorCode;
use attesta_domain::journey::CERTIFICATE_FIELDS;
use attesta_domain::{FieldError, PAYMENT_FIELDS, PERSON_FIELDS, VERBALE_FIELDS};
use serde_json::{Map, Value};

use super::{Kind, kind_of};

/// How a CSV column becomes a JSON value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Column {
    Text(String),
    Boolean(String),
    Integer(String),
    RevisionDue,
    RevisionExempt,
    RevisionNone,
    /// A list of words separated by `|` (a certificate's `purposes`).
    List(String),
    /// An amount in euros (a payment's `amount_eur`): kept as text, so that
    /// cents stay exact; in a `;` file a decimal comma is read as the dot.
    Amount(String),
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
const REQUIRED_CERTIFICATE_COLUMNS: &[&str] = &[
    "certificate_id",
    "fiscal_code",
    "issued_on",
    "purposes",
    "province",
];

const REQUIRED_PAYMENT_COLUMNS: &[&str] = &[
    "payment_id",
    "fiscal_code",
    "benefit",
    "period",
    "amount_eur",
    "status",
];

/// Checks a CSV header: the kind, and how each column is read. Unknown,
/// duplicate or missing required columns are fatal: no row is written.
pub(super) fn columns(header: &[String]) -> Result<(Kind, Vec<Column>), String> {
    let kind = kind_of(|key| header.iter().any(|h| h == key));
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
            (Kind::Verbali, n)
                if n == "application_id" || (n != "revision" && VERBALE_FIELDS.contains(&n)) =>
            {
                Column::Text(n.to_owned())
            }
            (Kind::Certificates, "purposes") => Column::List(name.clone()),
            (Kind::Certificates, "oncological") => Column::Boolean(name.clone()),
            (Kind::Certificates, n) if CERTIFICATE_FIELDS.contains(&n) => {
                Column::Text(n.to_owned())
            }
            (Kind::Payments, "amount_eur") => Column::Amount(name.clone()),
            (Kind::Payments, n) if PAYMENT_FIELDS.contains(&n) => Column::Text(n.to_owned()),
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
                .chain([
                    "revision_due",
                    "revision_exempt",
                    "revision_none",
                    "application_id",
                ])
                .collect(),
            Kind::Certificates => CERTIFICATE_FIELDS.to_vec(),
            Kind::Payments => PAYMENT_FIELDS.to_vec(),
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
        Kind::Certificates => REQUIRED_CERTIFICATE_COLUMNS,
        Kind::Payments => REQUIRED_PAYMENT_COLUMNS,
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
pub(super) fn csv_object(
    columns: &[Column],
    record: &csv::ByteRecord,
    semicolon: bool,
) -> Result<(Map<String, Value>, Vec<FieldError>), String> {
    let boolean = |cell: &str| boolean(cell, semicolon);
    if record.len() != columns.len() {
        return Err(format!(
            "{}: the row has {} field(s), the header has {}",
            ErrorCode::InvalidRequest,
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
            Column::List(name) => {
                // SPEC §7 writes lists with `|`; `;` is still read in a `,` file.
                let words = cell
                    .split(['|', ';'])
                    .map(|w| Value::String(w.trim().to_owned()))
                    .collect();
                map.insert(name.clone(), Value::Array(words));
            }
            Column::Amount(name) => {
                // SPEC §7: amounts use `.`, in a `;` file also `,`.
                let text = match (semicolon, cell.split_once(',')) {
                    (true, Some((euros, cents))) if !cell.contains('.') => {
                        format!("{euros}.{cents}")
                    }
                    _ => cell.to_owned(),
                };
                map.insert(name.clone(), Value::String(text));
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

fn boolean(cell: &str, italian: bool) -> Option<bool> {
    if cell.eq_ignore_ascii_case("true") || italian && cell.eq_ignore_ascii_case("vero") {
        Some(true)
    } else if cell.eq_ignore_ascii_case("false") || italian && cell.eq_ignore_ascii_case("falso") {
        Some(false)
    } else {
        None
    }
}

impl Column {
    fn name(&self) -> &str {
        match self {
            Column::Text(n)
            | Column::Boolean(n)
            | Column::Integer(n)
            | Column::List(n)
            | Column::Amount(n) => n,
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
    use crate::import::{Kind, reason, verbale_from, with_cell_errors};

    fn header(names: &str) -> Vec<String> {
        names.split(',').map(str::to_owned).collect()
    }

    /// The object of a well-formed row, or its cell errors joined.
    fn row(columns: &[Column], cells: &[&str]) -> Result<Map<String, Value>, String> {
        let (map, errors) = csv_object(columns, &csv::ByteRecord::from(cells.to_vec()), false)?;
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
    fn a_payments_header_and_its_amounts() {
        let names = "payment_id,fiscal_code,benefit,period,amount_eur,status,paid_on";
        let (kind, cols) = columns(&header(names)).unwrap();
        assert_eq!(kind, Kind::Payments);
        let cells = [
            "P1",
            "RSSMRA80A01H501U",
            "pension",
            "2026-11",
            "12,50",
            "paid",
            "",
        ];
        let record = csv::ByteRecord::from(cells.to_vec());
        // A `;` file writes the decimal comma of an Italian spreadsheet.
        let (map, errors) = csv_object(&cols, &record, true).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(map["amount_eur"], "12.50");
        assert!(!map.contains_key("paid_on"), "an empty cell is null");
        // A `,` file keeps the cell as written, for the amount's own error.
        let (map, _) = csv_object(&cols, &record, false).unwrap();
        assert_eq!(map["amount_eur"], "12,50");
        let e = columns(&header("payment_id,fiscal_code,benefit,period,status")).unwrap_err();
        assert!(
            e.contains("lacks the required column(s): amount_eur"),
            "{e}"
        );
        let e = columns(&header(&format!("{names},iban"))).unwrap_err();
        assert!(e.contains("iban") && e.contains("amount_eur"), "{e}");
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
        let (map, errors) =
            csv_object(&cols, &csv::ByteRecord::from(cells.to_vec()), false).unwrap();
        let today = time::macros::date!(2026 - 01 - 01);
        let e = with_cell_errors(verbale_from(&map, today), errors, ErrorCode::InvalidVerbale)
            .unwrap_err();
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
        let (map, errors) =
            csv_object(&cols, &csv::ByteRecord::from(cells.to_vec()), false).unwrap();
        let e = with_cell_errors(verbale_from(&map, today), errors, ErrorCode::InvalidVerbale)
            .unwrap_err();
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
}
