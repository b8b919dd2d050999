//! A verbale: one medical-commission outcome for a person (SPEC §2).
//!
//! Outside input (API JSON, import rows) arrives as a JSON object and is
//! validated by [`VerbaleInput::parse`], which reports every field error at
//! once and fills in the fields a civil-invalidity code implies.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::{Date, Month};

use crate::FiscalCode;
use crate::input::{Fields, InputError, format_date};

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
            fn choices() -> String {
                [$($text),+].join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(
    /// What kind of assessment produced the verbale (DOMAIN §2.13).
    /// `basic_assessment` is the reform's *certificato della condizione di
    /// disabilità* (D.Lgs. 62/2024, DOMAIN §13), definitive at once.
    VerbaleKind {
        FirstInstance = "first_instance",
        Aggravation = "aggravation",
        Revision = "revision",
        ExtraordinaryCheck = "extraordinary_check",
        SelfCorrection = "self_correction",
        BasicAssessment = "basic_assessment",
    }
);

string_enum!(
    /// Where the verbale came from (SPEC §9.8).
    Source {
        Telematic = "telematic",
        PaperPre2010 = "paper_pre2010",
        AutonomousRegion = "autonomous_region",
        Court = "court",
    }
);

string_enum!(
    /// Civil blindness (cecità civile).
    Blindness {
        None = "none",
        Partial = "partial",
        Absolute = "absolute",
    }
);

string_enum!(
    /// Law 104/1992 handicap.
    Handicap {
        None = "none",
        Art3C1 = "art3_c1",
        Art3C3 = "art3_c3",
    }
);

/// The civil-invalidity outcome code of a verbale, `01`–`12` (DOMAIN §2.10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InvalidityCode(u8);

impl InvalidityCode {
    /// Parses the two-digit form ("01"–"12"); the leading zero is required.
    pub fn parse(s: &str) -> Option<Self> {
        if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u8 = s.parse().ok()?;
        (1..=12).contains(&n).then_some(Self(n))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    pub fn as_string(self) -> String {
        format!("{:02}", self.0)
    }

    /// The percentage range the code requires, or `None` for codes that carry
    /// no percentage (07–12).
    pub fn percentage_range(self) -> Option<(u8, u8)> {
        match self.0 {
            1 => Some((0, 33)),
            2 => Some((34, 73)),
            3 => Some((74, 99)),
            4..=6 => Some((100, 100)),
            _ => None,
        }
    }

    /// Codes 05, 06, 09 and 12 recognise the accompaniment allowance (§9.3).
    pub fn implies_accompaniment(self) -> bool {
        matches!(self.0, 5 | 6 | 9 | 12)
    }

    pub fn implied_blindness(self) -> Option<Blindness> {
        match self.0 {
            8 => Some(Blindness::Partial),
            9 => Some(Blindness::Absolute),
            _ => None,
        }
    }

    pub fn implies_deafness(self) -> bool {
        self.0 == 10
    }

    /// The official meaning of the code (DOMAIN §2.10), Italian and English.
    pub fn text(self) -> (&'static str, &'static str) {
        match self.0 {
            1 => (
                "Non invalido: nessuna patologia o riduzione della capacità inferiore a 1/3",
                "Not invalid: no pathology, or reduction of capacity below 1/3",
            ),
            2 => (
                "Invalido con riduzione permanente della capacità lavorativa superiore a 1/3",
                "Invalid, permanent reduction of working capacity above 1/3",
            ),
            3 => (
                "Invalido con riduzione permanente della capacità lavorativa dal 74% al 99%",
                "Invalid, permanent reduction of working capacity from 74% to 99%",
            ),
            4 => (
                "Invalido con totale e permanente inabilità lavorativa 100%",
                "Total and permanent inability to work, 100%",
            ),
            5 => (
                "Invalido 100% con impossibilità a deambulare senza l'aiuto permanente di un accompagnatore",
                "100% and unable to walk without the permanent help of a companion",
            ),
            6 => (
                "Invalido 100% con necessità di assistenza continua, non essendo in grado di compiere gli atti quotidiani della vita",
                "100% and needs continuous assistance, unable to perform the acts of daily life",
            ),
            7 => (
                "Minore con difficoltà persistenti a svolgere i compiti e le funzioni proprie dell'età, o minore ipoacusico",
                "Minor with persistent difficulty performing the tasks and functions of their age, or hearing-impaired minor",
            ),
            8 => (
                "Cieco con residuo visivo non superiore a 1/20 in entrambi gli occhi (cieco parziale)",
                "Blind with residual vision not above 1/20 in both eyes (partially blind)",
            ),
            9 => ("Cieco assoluto", "Absolutely blind"),
            10 => ("Sordo civile", "Civil deaf"),
            11 => (
                "Ultrasessantasettenne con difficoltà persistenti a svolgere i compiti e le funzioni proprie dell'età",
                "Over 67 with persistent difficulty performing the tasks and functions of their age",
            ),
            _ => (
                "Invalido ultrasessantasettenne con impossibilità a deambulare senza l'aiuto permanente di un accompagnatore o con necessità di assistenza continua",
                "Over 67, unable to walk without a permanent companion or needing continuous assistance for the acts of daily life",
            ),
        }
    }
}

impl fmt::Display for InvalidityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}", self.0)
    }
}

/// A month and year, as verbali print revision dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    pub month: Month,
}

impl YearMonth {
    pub fn parse(s: &str) -> Option<Self> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        (1900..=2200)
            .contains(&year)
            .then_some(Self { year, month })
    }

    /// True once the whole revision month has passed on `today`.
    pub fn is_before_month_of(self, today: Date) -> bool {
        (self.year, self.month as u8) < (today.year(), today.month() as u8)
    }

    /// The last day of the month.
    pub fn last_day(self) -> Date {
        let days = self.month.length(self.year);
        Date::from_calendar_date(self.year, self.month, days).expect("valid month")
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month as u8)
    }
}

/// Revision planned, exemption (DM 2 Aug 2007) or no revision planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Revision {
    Due(YearMonth),
    Exempt,
    None,
}

impl Revision {
    pub fn to_json(self) -> Value {
        match self {
            Revision::Due(ym) => json!({"due": ym.to_string()}),
            Revision::Exempt => json!({"exempt": true}),
            Revision::None => json!({"none": true}),
        }
    }
}

/// The civil-invalidity finding group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Invalidity {
    pub code: InvalidityCode,
    /// Present for codes 01–06 only.
    pub percentage: Option<u8>,
}

/// The handicap finding group: Law 104 art. 3 plus art. 21 (> 2/3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandicapFinding {
    pub handicap: Handicap,
    pub art21: bool,
}

/// What a verbale assessed. `None` = the group was not assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Findings {
    pub invalidity: Option<Invalidity>,
    pub accompaniment: Option<bool>,
    pub blindness: Option<Blindness>,
    pub deafness: Option<bool>,
    pub handicap: Option<HandicapFinding>,
    pub law68_disability: Option<bool>,
    pub dl5_2012_art4: Option<bool>,
    pub revision: Option<Revision>,
}

/// The finding groups of SPEC §2, each taken from the latest definitive
/// verbale that assessed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Invalidity,
    Accompaniment,
    Blindness,
    Deafness,
    Handicap,
    Law68Disability,
    #[serde(rename = "dl5_2012_art4")]
    Dl52012Art4,
    Revision,
}

impl Group {
    pub const ALL: [Group; 8] = [
        Group::Invalidity,
        Group::Accompaniment,
        Group::Blindness,
        Group::Deafness,
        Group::Handicap,
        Group::Law68Disability,
        Group::Dl52012Art4,
        Group::Revision,
    ];
}

impl Findings {
    pub fn assessed(&self, group: Group) -> bool {
        match group {
            Group::Invalidity => self.invalidity.is_some(),
            Group::Accompaniment => self.accompaniment.is_some(),
            Group::Blindness => self.blindness.is_some(),
            Group::Deafness => self.deafness.is_some(),
            Group::Handicap => self.handicap.is_some(),
            Group::Law68Disability => self.law68_disability.is_some(),
            Group::Dl52012Art4 => self.dl5_2012_art4.is_some(),
            Group::Revision => self.revision.is_some(),
        }
    }

    /// Copies `group` from `other` into `self`.
    pub fn take_group(&mut self, other: &Findings, group: Group) {
        match group {
            Group::Invalidity => self.invalidity = other.invalidity,
            Group::Accompaniment => self.accompaniment = other.accompaniment,
            Group::Blindness => self.blindness = other.blindness,
            Group::Deafness => self.deafness = other.deafness,
            Group::Handicap => self.handicap = other.handicap,
            Group::Law68Disability => self.law68_disability = other.law68_disability,
            Group::Dl52012Art4 => self.dl5_2012_art4 = other.dl5_2012_art4,
            Group::Revision => self.revision = other.revision,
        }
    }

    /// The findings under the API's field names (null = not assessed).
    pub fn to_json(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(
            "invalidity_code".into(),
            self.invalidity
                .map_or(Value::Null, |i| Value::String(i.code.as_string())),
        );
        m.insert(
            "invalidity_percentage".into(),
            self.invalidity
                .and_then(|i| i.percentage)
                .map_or(Value::Null, |p| json!(p)),
        );
        m.insert("accompaniment".into(), json!(self.accompaniment));
        m.insert(
            "blindness".into(),
            json!(self.blindness.map(Blindness::as_str)),
        );
        m.insert("deafness".into(), json!(self.deafness));
        m.insert(
            "handicap".into(),
            json!(self.handicap.map(|h| h.handicap.as_str())),
        );
        m.insert("art21".into(), json!(self.handicap.map(|h| h.art21)));
        m.insert("law68_disability".into(), json!(self.law68_disability));
        m.insert("dl5_2012_art4".into(), json!(self.dl5_2012_art4));
        m.insert(
            "revision".into(),
            self.revision.map_or(Value::Null, Revision::to_json),
        );
        m
    }
}

/// A validated verbale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verbale {
    pub id: String,
    pub fiscal_code: FiscalCode,
    pub kind: VerbaleKind,
    pub session_date: Date,
    pub definitive: bool,
    pub source: Source,
    pub findings: Findings,
    pub judgement: Option<String>,
}

impl Verbale {
    /// The canonical JSON form under the API's field names (what is stored,
    /// and what idempotent re-submissions are compared against).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("verbale_id".into(), json!(self.id));
        m.insert("fiscal_code".into(), json!(self.fiscal_code.as_str()));
        m.insert("kind".into(), json!(self.kind.as_str()));
        m.insert("session_date".into(), json!(format_date(self.session_date)));
        m.insert("definitive".into(), json!(self.definitive));
        m.insert("source".into(), json!(self.source.as_str()));
        m.extend(self.findings.to_json());
        m.insert("judgement".into(), json!(self.judgement));
        Value::Object(m)
    }

    /// How a re-submission of the same `verbale_id` relates to this one.
    pub fn compare(&self, new: &Verbale) -> Resubmission {
        let mut a = self.clone();
        a.definitive = new.definitive;
        if a != *new {
            Resubmission::Conflict
        } else if self.definitive == new.definitive {
            Resubmission::Same
        } else if new.definitive {
            Resubmission::Confirmed
        } else {
            // definitive → non-definitive is not a change SPEC §2 accepts.
            Resubmission::Conflict
        }
    }
}

/// SPEC §2: the only change accepted to a stored verbale is `definitive`
/// going from false to true.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resubmission {
    Same,
    Confirmed,
    Conflict,
}

/// The fields a verbale object may carry (API body, import row).
pub const VERBALE_FIELDS: &[&str] = &[
    "verbale_id",
    "fiscal_code",
    "kind",
    "session_date",
    "definitive",
    "source",
    "invalidity_code",
    "invalidity_percentage",
    "accompaniment",
    "blindness",
    "deafness",
    "handicap",
    "art21",
    "law68_disability",
    "dl5_2012_art4",
    "revision",
    "judgement",
];

/// Validation of a verbale object from outside.
#[derive(Debug)]
pub struct VerbaleInput;

impl VerbaleInput {
    /// Validates a verbale object. `today` bounds the session date: a
    /// verbale from the future is a data error, and refusing it keeps the
    /// stored current status true for every later day.
    pub fn parse(map: &Map<String, Value>, today: Date) -> Result<Verbale, InputError> {
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !VERBALE_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);

        let id = f.string("verbale_id").and_then(|s| {
            let ok = !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
            if !ok {
                f.error(
                    "verbale_id",
                    "must be 1–64 characters: letters, digits, '-', '_', '.', '/'",
                );
            }
            ok.then(|| s.to_owned())
        });
        let id = f.required("verbale_id", id);
        let fiscal_code = f
            .string("fiscal_code")
            .and_then(|s| match FiscalCode::parse(s) {
                Ok(cf) => Some(cf),
                Err(e) => {
                    f.error("fiscal_code", e.to_string());
                    None
                }
            });
        let fiscal_code = f.required("fiscal_code", fiscal_code);
        let kind = f.choice("kind", VerbaleKind::parse, &VerbaleKind::choices());
        let kind = f.required("kind", kind);
        let session_date = f.date("session_date", today);
        let session_date = f.required("session_date", session_date);
        let definitive = f.boolean("definitive");
        let definitive = f.required("definitive", definitive);
        let source = f.choice("source", Source::parse, &Source::choices());
        let source = f.required("source", source);

        let findings = findings_from(&mut f);

        let judgement = f.string("judgement").and_then(|s| {
            let s = s.trim();
            if s.chars().count() > 4000 {
                f.error("judgement", "must be at most 4000 characters");
                None
            } else {
                (!s.is_empty()).then(|| s.to_owned())
            }
        });

        match (id, fiscal_code, kind, session_date, definitive, source) {
            (
                Some(id),
                Some(fiscal_code),
                Some(kind),
                Some(session_date),
                Some(definitive),
                Some(source),
            ) if f.errors.is_empty() => Ok(Verbale {
                id,
                fiscal_code,
                kind,
                session_date,
                definitive,
                source,
                findings,
                judgement,
            }),
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

pub(crate) fn findings_from(f: &mut Fields<'_>) -> Findings {
    let code = f.string("invalidity_code").and_then(|s| {
        let code = InvalidityCode::parse(s);
        if code.is_none() {
            f.error(
                "invalidity_code",
                "must be a two-digit code from \"01\" to \"12\"",
            );
        }
        code
    });
    let percentage = match f.get("invalidity_percentage") {
        None => None,
        Some(v) => match v.as_u64() {
            Some(p) if p <= 100 => Some(p as u8),
            _ => {
                f.error(
                    "invalidity_percentage",
                    "must be a whole number from 0 to 100",
                );
                None
            }
        },
    };
    let invalidity_code_given = f.get("invalidity_code").is_some();
    let invalidity = match code {
        Some(code) => {
            match (code.percentage_range(), percentage) {
                (Some((lo, hi)), Some(p)) if !(lo..=hi).contains(&p) => f.error(
                    "invalidity_percentage",
                    format!("code {code} requires a percentage from {lo} to {hi}; got {p}"),
                ),
                (Some((lo, hi)), None) if f.get("invalidity_percentage").is_none() => f.error(
                    "invalidity_percentage",
                    format!("is required with code {code} ({lo}–{hi})"),
                ),
                (None, Some(_)) => f.error(
                    "invalidity_percentage",
                    format!("code {code} carries no percentage: leave it empty"),
                ),
                _ => {}
            }
            Some(Invalidity { code, percentage })
        }
        None => {
            if percentage.is_some() && !invalidity_code_given {
                f.error(
                    "invalidity_percentage",
                    "a percentage needs its invalidity_code",
                );
            }
            None
        }
    };

    let mut accompaniment = f.boolean("accompaniment");
    let mut blindness = f.choice("blindness", Blindness::parse, &Blindness::choices());
    let mut deafness = f.boolean("deafness");
    let handicap = f.choice("handicap", Handicap::parse, &Handicap::choices());
    let art21 = f.boolean("art21");
    let law68_disability = f.boolean("law68_disability");
    let dl5_2012_art4 = f.boolean("dl5_2012_art4");
    let revision = parse_revision(f);

    // Codes imply their fields: fill what is left null, refuse what contradicts.
    if let Some(code) = code {
        if code.implies_accompaniment() {
            imply(f, &mut accompaniment, true, "accompaniment", code);
        }
        if let Some(b) = code.implied_blindness() {
            imply(f, &mut blindness, b, "blindness", code);
        }
        if code.implies_deafness() {
            imply(f, &mut deafness, true, "deafness", code);
        }
    }

    let handicap = match (handicap, art21) {
        (Some(handicap), art21) => Some(HandicapFinding {
            handicap,
            art21: art21.unwrap_or(false),
        }),
        (None, Some(_)) if f.get("handicap").is_none() => {
            f.error(
                "art21",
                "belongs to the handicap group: give handicap too (none, art3_c1 or art3_c3)",
            );
            None
        }
        _ => None,
    };

    Findings {
        invalidity,
        accompaniment,
        blindness,
        deafness,
        handicap,
        law68_disability,
        dl5_2012_art4,
        revision,
    }
}

fn imply<T: PartialEq + Copy + fmt::Debug + Serialize>(
    f: &mut Fields<'_>,
    slot: &mut Option<T>,
    implied: T,
    field: &str,
    code: InvalidityCode,
) {
    match *slot {
        None => *slot = Some(implied),
        Some(v) if v == implied => {}
        Some(_) => {
            let shown = serde_json::to_string(&implied).unwrap_or_default();
            f.error(
                field,
                format!("code {code} means {field} {shown}: fix the code or the field"),
            );
        }
    }
}

fn parse_revision(f: &mut Fields<'_>) -> Option<Revision> {
    const HOW: &str = r#"must be {"due": "YYYY-MM"}, {"exempt": true} or {"none": true}"#;
    let value = f.get("revision")?;
    let Some(obj) = value.as_object() else {
        f.error("revision", HOW);
        return None;
    };
    let parsed = match (obj.len(), obj.iter().next()) {
        (1, Some((k, Value::String(s)))) if k == "due" => YearMonth::parse(s).map(Revision::Due),
        (1, Some((k, Value::Bool(true)))) if k == "exempt" => Some(Revision::Exempt),
        (1, Some((k, Value::Bool(true)))) if k == "none" => Some(Revision::None),
        _ => None,
    };
    if parsed.is_none() {
        f.error("revision", HOW);
    }
    parsed
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    fn base() -> Map<String, Value> {
        json!({
            "verbale_id": "ASL-BA-2024-000123", "fiscal_code": "RSSMRA80A01H501U",
            "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
            "source": "telematic"
        })
        .as_object()
        .unwrap()
        .clone()
    }

    fn with(pairs: Value) -> Map<String, Value> {
        let mut m = base();
        m.extend(pairs.as_object().unwrap().clone());
        m
    }

    fn errors(m: &Map<String, Value>) -> Vec<String> {
        match VerbaleInput::parse(m, TODAY) {
            Err(InputError::Invalid(e)) => e.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn the_spec_example_parses() {
        let m = with(json!({
            "invalidity_code": "03", "invalidity_percentage": 80,
            "accompaniment": false, "blindness": "none", "deafness": false,
            "handicap": "none", "art21": false, "law68_disability": false,
            "dl5_2012_art4": false, "revision": {"due": "2027-05"},
            "judgement": "free text, optional"
        }));
        let v = VerbaleInput::parse(&m, TODAY).unwrap();
        assert_eq!(v.findings.invalidity.unwrap().percentage, Some(80));
        assert_eq!(
            v.findings.revision,
            Some(Revision::Due(YearMonth::parse("2027-05").unwrap()))
        );
        // The canonical JSON carries every field back under the same names.
        let back = v.to_json();
        assert_eq!(back["invalidity_code"], "03");
        assert_eq!(back["revision"], json!({"due": "2027-05"}));
    }

    #[test]
    fn absent_findings_are_not_assessed() {
        let v = VerbaleInput::parse(&with(json!({"handicap": "art3_c3"})), TODAY).unwrap();
        assert_eq!(v.findings.invalidity, None);
        assert_eq!(v.findings.accompaniment, None);
        assert_eq!(
            v.findings.handicap,
            Some(HandicapFinding {
                handicap: Handicap::Art3C3,
                art21: false
            })
        );
    }

    #[test]
    fn codes_fill_in_the_fields_they_imply() {
        let v = VerbaleInput::parse(&with(json!({"invalidity_code": "09"})), TODAY).unwrap();
        assert_eq!(v.findings.blindness, Some(Blindness::Absolute));
        assert_eq!(v.findings.accompaniment, Some(true));
        let v = VerbaleInput::parse(&with(json!({"invalidity_code": "08"})), TODAY).unwrap();
        assert_eq!(v.findings.blindness, Some(Blindness::Partial));
        let v = VerbaleInput::parse(&with(json!({"invalidity_code": "10"})), TODAY).unwrap();
        assert_eq!(v.findings.deafness, Some(true));
        for code in ["05", "06"] {
            let v = VerbaleInput::parse(
                &with(json!({"invalidity_code": code, "invalidity_percentage": 100})),
                TODAY,
            )
            .unwrap();
            assert_eq!(v.findings.accompaniment, Some(true), "code {code}");
        }
        let v = VerbaleInput::parse(&with(json!({"invalidity_code": "12"})), TODAY).unwrap();
        assert_eq!(v.findings.accompaniment, Some(true));
    }

    #[test]
    fn a_code_contradicting_its_fields_is_refused() {
        assert_eq!(
            errors(&with(json!({"invalidity_code": "08", "blindness": "none"}))),
            ["blindness"]
        );
        assert_eq!(
            errors(&with(
                json!({"invalidity_code": "09", "accompaniment": false, "blindness": "partial"})
            )),
            ["accompaniment", "blindness"]
        );
        assert_eq!(
            errors(&with(json!({"invalidity_code": "10", "deafness": false}))),
            ["deafness"]
        );
    }

    #[test]
    fn percentages_must_fit_their_code() {
        for (code, ok, bad) in [
            ("01", 33, 34),
            ("02", 34, 33),
            ("02", 73, 74),
            ("03", 74, 73),
            ("03", 99, 100),
            ("04", 100, 99),
        ] {
            assert!(
                VerbaleInput::parse(
                    &with(json!({"invalidity_code": code, "invalidity_percentage": ok})),
                    TODAY
                )
                .is_ok(),
                "{code} {ok}"
            );
            assert_eq!(
                errors(&with(
                    json!({"invalidity_code": code, "invalidity_percentage": bad})
                )),
                ["invalidity_percentage"],
                "{code} {bad}"
            );
        }
        assert_eq!(
            errors(&with(json!({"invalidity_code": "03"}))),
            ["invalidity_percentage"]
        );
        assert_eq!(
            errors(&with(
                json!({"invalidity_code": "07", "invalidity_percentage": 50})
            )),
            ["invalidity_percentage"]
        );
        assert_eq!(
            errors(&with(json!({"invalidity_percentage": 120}))),
            ["invalidity_percentage"]
        );
        assert_eq!(
            errors(&with(json!({"invalidity_percentage": 50}))),
            ["invalidity_percentage"]
        );
    }

    #[test]
    fn every_field_error_is_listed_at_once() {
        let m = json!({
            "verbale_id": "", "fiscal_code": "RSSMRA80A01H501X", "kind": "appeal",
            "session_date": "2024-13-01", "definitive": "yes", "source": "fax",
            "invalidity_code": "13", "blindness": "some", "revision": {"due": "May"}
        });
        let fields = errors(m.as_object().unwrap());
        for expected in [
            "verbale_id",
            "fiscal_code",
            "kind",
            "session_date",
            "definitive",
            "source",
            "invalidity_code",
            "blindness",
            "revision",
        ] {
            assert!(
                fields.contains(&expected.to_owned()),
                "{expected} in {fields:?}"
            );
        }
    }

    #[test]
    fn required_fields_are_named() {
        let fields = errors(&Map::new());
        assert_eq!(
            fields,
            [
                "verbale_id",
                "fiscal_code",
                "kind",
                "session_date",
                "definitive",
                "source"
            ]
        );
    }

    #[test]
    fn unknown_fields_are_a_malformed_request() {
        assert_eq!(
            VerbaleInput::parse(&with(json!({"diagnosis": "ICD-9 250"})), TODAY),
            Err(InputError::UnknownFields(vec!["diagnosis".into()]))
        );
    }

    #[test]
    fn a_future_session_date_is_refused() {
        assert_eq!(
            errors(&with(json!({"session_date": "2026-11-24"}))),
            ["session_date"]
        );
    }

    #[test]
    fn art21_needs_the_handicap_group() {
        assert_eq!(errors(&with(json!({"art21": true}))), ["art21"]);
    }

    #[test]
    fn resubmission_accepts_only_definitive_false_to_true() {
        let mut draft = VerbaleInput::parse(
            &with(
                json!({"definitive": false, "invalidity_code": "04", "invalidity_percentage": 100}),
            ),
            TODAY,
        )
        .unwrap();
        let same = draft.clone();
        assert_eq!(draft.compare(&same), Resubmission::Same);
        let mut confirmed = draft.clone();
        confirmed.definitive = true;
        assert_eq!(draft.compare(&confirmed), Resubmission::Confirmed);
        assert_eq!(confirmed.compare(&draft), Resubmission::Conflict);
        draft.judgement = Some("changed".into());
        assert_eq!(draft.compare(&confirmed), Resubmission::Conflict);
    }

    #[test]
    fn every_code_has_wording_in_both_languages() {
        for n in 1..=12 {
            let code = InvalidityCode::parse(&format!("{n:02}")).unwrap();
            let (it, en) = code.text();
            assert!(!it.is_empty() && !en.is_empty());
        }
        assert_eq!(InvalidityCode::parse("3"), None);
        assert_eq!(InvalidityCode::parse("00"), None);
        assert_eq!(InvalidityCode::parse("13"), None);
    }
}
