//! Which procedure a certificate follows (SPEC §10; DOMAIN §13): the
//! reform's areas and the nationwide start are data, in
//! `rules/procedures.toml`, checked at start like `rules/card.toml`.

use std::collections::HashMap;
use std::fmt;

use serde::Deserialize;
use time::{Date, Month};
use toml::Spanned;
use toml::value::Datetime;

use super::Procedure;

/// The rules file's name, for its error messages.
pub const PROCEDURES_RULES_FILE: &str = "rules/procedures.toml";

/// The Italian provinces by their *sigla automobilistica*: the 107 in use
/// since Sardinia's 2016 reorganisation (`SU` Sud Sardegna replaced `CI`,
/// `VS`, `OG` and `OT`). Sardinia's regional law 9/2023 is re-creating
/// provinces there; add their codes once ISTAT and the ministry publish
/// them (a certificate from an unlisted code is refused, not guessed).
pub const PROVINCES: &[&str] = &[
    "AG", "AL", "AN", "AO", "AP", "AQ", "AR", "AT", "AV", "BA", "BG", "BI", "BL", "BN", "BO", "BR",
    "BS", "BT", "BZ", "CA", "CB", "CE", "CH", "CL", "CN", "CO", "CR", "CS", "CT", "CZ", "EN", "FC",
    "FE", "FG", "FI", "FM", "FR", "GE", "GO", "GR", "IM", "IS", "KR", "LC", "LE", "LI", "LO", "LT",
    "LU", "MB", "MC", "ME", "MI", "MN", "MO", "MS", "MT", "NA", "NO", "NU", "OR", "PA", "PC", "PD",
    "PE", "PG", "PI", "PN", "PO", "PR", "PT", "PU", "PV", "PZ", "RA", "RC", "RE", "RG", "RI", "RM",
    "RN", "RO", "SA", "SI", "SO", "SP", "SR", "SS", "SU", "SV", "TA", "TE", "TN", "TO", "TP", "TR",
    "TS", "TV", "UD", "VA", "VB", "VC", "VE", "VI", "VR", "VT", "VV",
];

/// An Italian province code from [`PROVINCES`]; only a valid one exists.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Province(&'static str);

impl Province {
    /// The province of a code, written in capitals (`"BA"`).
    pub fn parse(code: &str) -> Option<Province> {
        PROVINCES.iter().find(|p| **p == code).map(|p| Province(p))
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

impl fmt::Debug for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Province({})", self.0)
    }
}

impl fmt::Display for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// `rules/procedures.toml`, checked: where and since when the reform runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureRules {
    nationwide_from: Date,
    /// Each province of an area with the day its area started.
    started: HashMap<Province, Date>,
}

/// A mistake in the rules file: the file, the line and what is wrong
/// (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {message}")]
pub struct ProcedureRulesError {
    pub file: &'static str,
    pub line: usize,
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRules {
    nationwide_from: Spanned<Datetime>,
    #[serde(default)]
    areas: Vec<RawArea>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawArea {
    from: Spanned<Datetime>,
    provinces: Vec<Spanned<String>>,
}

fn line_of(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].matches('\n').count() + 1
}

/// The key of a `key = value` line holding byte `byte`.
fn key_on_line(text: &str, byte: usize) -> Option<&str> {
    let start = text[..byte.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = text[start..].lines().next()?;
    let (key, _) = line.split_once('=')?;
    let key = key.trim();
    (!key.is_empty() && !key.starts_with('#')).then_some(key)
}

/// A TOML date without a time (`2025-01-01`) as a calendar date.
fn plain_date(d: &Datetime) -> Option<Date> {
    if d.time.is_some() || d.offset.is_some() {
        return None;
    }
    let date = d.date?;
    Date::from_calendar_date(
        i32::from(date.year),
        Month::try_from(date.month).ok()?,
        date.day,
    )
    .ok()
}

impl ProcedureRules {
    /// Parses and checks a rules text: unknown keys, a date with a time, an
    /// unknown province code or a province listed twice are refused.
    pub fn parse(text: &str) -> Result<ProcedureRules, ProcedureRulesError> {
        let err = |byte: usize, message: String| ProcedureRulesError {
            file: PROCEDURES_RULES_FILE,
            line: line_of(text, byte),
            message,
        };
        let raw: RawRules = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            let message = e.message().trim();
            // toml names unknown keys itself; for a bad value, name the
            // key written on that line.
            match key_on_line(text, at) {
                Some(key) if !message.contains('`') => err(at, format!("{key}: {message}")),
                _ => err(at, message.to_owned()),
            }
        })?;
        let date = |field: &str, d: &Spanned<Datetime>| {
            plain_date(d.get_ref()).ok_or_else(|| {
                err(
                    d.span().start,
                    format!("{field}: write a date without a time, e.g. 2027-01-01"),
                )
            })
        };
        let nationwide_from = date("nationwide_from", &raw.nationwide_from)?;
        let mut started = HashMap::new();
        for (i, area) in raw.areas.iter().enumerate() {
            let from = date(&format!("areas[{i}].from"), &area.from)?;
            if from > nationwide_from {
                return Err(err(
                    area.from.span().start,
                    format!("areas[{i}].from: is after nationwide_from"),
                ));
            }
            if area.provinces.is_empty() {
                return Err(err(
                    area.from.span().start,
                    format!("areas[{i}].provinces: list at least one province code"),
                ));
            }
            for code in &area.provinces {
                let at = code.span().start;
                let province = Province::parse(code.get_ref()).ok_or_else(|| {
                    err(
                        at,
                        format!(
                            "areas[{i}].provinces: {:?} is not an Italian province code (e.g. \"BA\")",
                            code.get_ref()
                        ),
                    )
                })?;
                if started.insert(province, from).is_some() {
                    return Err(err(
                        at,
                        format!("areas[{i}].provinces: {province} is listed twice"),
                    ));
                }
            }
        }
        Ok(ProcedureRules {
            nationwide_from,
            started,
        })
    }

    /// The day the reform became the procedure everywhere.
    pub fn nationwide_from(&self) -> Date {
        self.nationwide_from
    }

    /// The first day the reform runs in `province`: its area's start, or
    /// the nationwide date.
    pub fn reform_from(&self, province: Province) -> Date {
        self.started
            .get(&province)
            .copied()
            .unwrap_or(self.nationwide_from)
    }

    /// The procedure of a certificate issued in `province` on `issued_on`:
    /// the reform iff it had started there on that day.
    pub fn procedure_for(&self, province: Province, issued_on: Date) -> Procedure {
        if issued_on >= self.reform_from(province) {
            Procedure::Reform
        } else {
            Procedure::Ordinary
        }
    }

    /// The last day an ordinary certificate from `province` may still be
    /// used for an application (SPEC §10: "only before" the reform's day
    /// there).
    pub fn ordinary_usable_until(&self, province: Province) -> Date {
        self.reform_from(province)
            .previous_day()
            .expect("a start day after year -9999")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const RULES_TEXT: &str = include_str!("../../../../rules/procedures.toml");

    fn rules() -> ProcedureRules {
        ProcedureRules::parse(RULES_TEXT).unwrap()
    }

    fn p(code: &str) -> Province {
        Province::parse(code).unwrap()
    }

    #[test]
    fn the_province_list_is_the_current_one() {
        assert_eq!(PROVINCES.len(), 107);
        let mut sorted = PROVINCES.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 107, "no code twice");
        assert!(Province::parse("SU").is_some());
        assert!(
            Province::parse("CI").is_none(),
            "Carbonia-Iglesias, gone in 2016"
        );
        assert!(Province::parse("ba").is_none(), "capitals only");
    }

    #[test]
    fn the_shipped_file_lists_the_sixty_provinces_of_domain_13() {
        let r = rules();
        assert_eq!(r.nationwide_from(), date!(2027 - 01 - 01));
        assert_eq!(r.started.len(), 60);
        let on = |d: Date| r.started.values().filter(|v| **v == d).count();
        assert_eq!(on(date!(2025 - 01 - 01)), 9);
        assert_eq!(on(date!(2025 - 09 - 30)), 11);
        assert_eq!(on(date!(2026 - 03 - 01)), 40);
        assert_eq!(r.reform_from(p("SS")), date!(2025 - 01 - 01));
        assert_eq!(r.reform_from(p("AO")), date!(2025 - 09 - 30));
        assert_eq!(r.reform_from(p("RM")), date!(2026 - 03 - 01));
        assert_eq!(r.reform_from(p("NA")), date!(2027 - 01 - 01));
    }

    #[test]
    fn procedure_follows_the_start_day_of_the_province() {
        let r = rules();
        // (province, issued_on, procedure)
        let rows = [
            ("BS", date!(2024 - 12 - 31), Procedure::Ordinary),
            ("BS", date!(2025 - 01 - 01), Procedure::Reform),
            ("GE", date!(2025 - 09 - 29), Procedure::Ordinary),
            ("GE", date!(2025 - 09 - 30), Procedure::Reform),
            ("MI", date!(2026 - 02 - 28), Procedure::Ordinary),
            ("MI", date!(2026 - 03 - 01), Procedure::Reform),
            ("BA", date!(2026 - 12 - 31), Procedure::Ordinary),
            ("BA", date!(2027 - 01 - 01), Procedure::Reform),
            ("NA", date!(2027 - 01 - 01), Procedure::Reform),
            ("SU", date!(2027 - 06 - 30), Procedure::Reform),
        ];
        for (province, issued_on, want) in rows {
            assert_eq!(
                r.procedure_for(p(province), issued_on),
                want,
                "{province} {issued_on}"
            );
        }
        assert_eq!(r.ordinary_usable_until(p("MI")), date!(2026 - 02 - 28));
        assert_eq!(r.ordinary_usable_until(p("BA")), date!(2026 - 12 - 31));
    }

    fn refused(text: &str) -> ProcedureRulesError {
        ProcedureRules::parse(text).unwrap_err()
    }

    #[test]
    fn bad_files_are_refused_naming_file_line_and_field() {
        let base = "nationwide_from = 2027-01-01\n\n[[areas]]\nfrom = 2025-01-01\nprovinces = [\"BS\", \"CZ\"]\n";
        assert!(ProcedureRules::parse(base).is_ok());

        let e = refused(&format!("{base}extra = 1\n"));
        assert_eq!(e.file, PROCEDURES_RULES_FILE);
        assert_eq!(e.line, 6);
        assert!(e.message.contains("extra"), "{e}");

        let e = refused(&base.replace("\"CZ\"", "\"XX\""));
        assert_eq!(e.line, 5);
        assert!(e.message.contains("areas[0].provinces"), "{e}");
        assert!(e.message.contains("\"XX\""), "{e}");

        let e = refused(&format!(
            "{base}\n[[areas]]\nfrom = 2026-03-01\nprovinces = [\"MI\",\n  \"BS\"]\n"
        ));
        assert_eq!(e.line, 10);
        assert!(
            e.message.contains("areas[1].provinces: BS is listed twice"),
            "{e}"
        );

        let e = refused(&base.replace("from = 2025-01-01", "from = 2025-02-30"));
        assert_eq!(e.line, 4);
        assert!(e.message.starts_with("from: "), "{e}");
        let e = refused(&base.replace("from = 2025-01-01", "from = \"2025-01-01\""));
        assert_eq!(e.line, 4);
        assert!(e.message.starts_with("from: "), "{e}");
        let e = refused(&base.replace("[[areas]]", "[[area]]"));
        assert_eq!(e.line, 3);
        assert!(e.message.contains("`area`"), "{e}");
        let e = refused(&base.replace("from = 2025-01-01", "from = 2025-01-01T10:00:00"));
        assert_eq!(e.line, 4);
        assert!(e.message.contains("areas[0].from"), "{e}");
        let e = refused(&base.replace("from = 2025-01-01", "from = 2028-01-01"));
        assert!(e.message.contains("after nationwide_from"), "{e}");
        let e = refused(&base.replace("nationwide_from = 2027-01-01\n", ""));
        assert!(e.message.contains("nationwide_from"), "{e}");
        assert!(e.to_string().starts_with("rules/procedures.toml line "));
    }
}
