//! The EU Disability Card's rules (SPEC §5, §9.9; DOMAIN §6): who may have
//! one, the "A" mark, how long it is valid (the rules themselves are data,
//! in `rules/card.toml`), the card serial with its check digit, the states
//! of an application, and the citizen's declaration. No I/O and no clock:
//! every date is an input.

use std::fmt;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use time::Date;

use crate::{
    Blindness, FieldError, Handicap, InvalidityCode, Revision, Status, age_on, format_date,
    parse_date,
};

// ---- rules ------------------------------------------------------------

/// The rules file's name, for its error messages.
pub const CARD_RULES_FILE: &str = "rules/card.toml";

/// `rules/card.toml`: who may have a card, the "A" mark, the validity.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRules {
    pub eligibility: EligibilityRules,
    pub a_mark: AMarkRules,
    pub validity: ValidityRules,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EligibilityRules {
    /// Civil invalidity at or above this percentage counts.
    pub min_invalidity_percentage: u8,
    /// Invalidity codes that count whatever the percentage (e.g. "11").
    pub invalidity_codes: Vec<String>,
    /// Code 07 under 18.
    pub invalid_minor: bool,
    pub accompaniment: bool,
    /// `partial`, `absolute`.
    pub blindness: Vec<String>,
    pub deafness: bool,
    /// `art3_c1`, `art3_c3`.
    pub handicap: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AMarkRules {
    pub accompaniment: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidityRules {
    pub years: u8,
    pub until_revision: bool,
}

/// A mistake in the rules file, with the file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct CardRulesError {
    pub file: &'static str,
    pub message: String,
}

impl CardRules {
    /// Parses and checks a rules text.
    pub fn parse(text: &str) -> Result<CardRules, CardRulesError> {
        let err = |message: String| CardRulesError {
            file: CARD_RULES_FILE,
            message,
        };
        let rules: CardRules = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        let e = &rules.eligibility;
        if e.min_invalidity_percentage > 100 {
            return Err(err(
                "eligibility.min_invalidity_percentage must be 0 to 100".into(),
            ));
        }
        for code in &e.invalidity_codes {
            if InvalidityCode::parse(code).is_none() {
                return Err(err(format!(
                    "eligibility.invalidity_codes: {code:?} is not a code 01 to 12"
                )));
            }
        }
        for b in &e.blindness {
            if !matches!(
                Blindness::parse(b),
                Some(Blindness::Partial | Blindness::Absolute)
            ) {
                return Err(err(format!(
                    "eligibility.blindness: {b:?} is not partial or absolute"
                )));
            }
        }
        for h in &e.handicap {
            if !matches!(
                Handicap::parse(h),
                Some(Handicap::Art3C1 | Handicap::Art3C3)
            ) {
                return Err(err(format!(
                    "eligibility.handicap: {h:?} is not art3_c1 or art3_c3"
                )));
            }
        }
        if !(1..=50).contains(&rules.validity.years) {
            return Err(err("validity.years must be 1 to 50".into()));
        }
        Ok(rules)
    }

    /// Whether the status places the person in a card case on `today`.
    pub fn eligible(&self, status: &Status, birth_date: Date, today: Date) -> bool {
        let e = &self.eligibility;
        let f = &status.findings;
        let invalidity = f.invalidity.is_some_and(|i| {
            i.percentage
                .is_some_and(|p| p >= e.min_invalidity_percentage)
                || e.invalidity_codes.contains(&i.code.as_string())
        });
        let minor = e.invalid_minor
            && f.invalidity.is_some_and(|i| i.code.number() == 7)
            && age_on(birth_date, today) < 18;
        let accompaniment = e.accompaniment && has_accompaniment(status);
        let blindness = f
            .blindness
            .is_some_and(|b| e.blindness.iter().any(|x| x == b.as_str()));
        let deafness = e.deafness && f.deafness == Some(true);
        let handicap = f
            .handicap
            .is_some_and(|h| e.handicap.iter().any(|x| x == h.handicap.as_str()));
        invalidity || minor || accompaniment || blindness || deafness || handicap
    }

    /// The "A" mark: an accompanying person is needed.
    pub fn a_mark(&self, status: &Status) -> bool {
        self.a_mark.accompaniment && has_accompaniment(status)
    }

    /// The last valid day of a card issued on `issued_on` (SPEC §9.9): the
    /// same calendar day `years` later, or the last day of the revision
    /// month when that is earlier and still after the issue day.
    pub fn expires_on(&self, status: &Status, issued_on: Date) -> Date {
        let years = i32::from(self.validity.years);
        let year = issued_on.year() + years;
        let full = Date::from_calendar_date(year, issued_on.month(), issued_on.day())
            .or_else(|_| Date::from_calendar_date(year, issued_on.month(), 28))
            .unwrap_or(issued_on);
        if self.validity.until_revision
            && let Some(Revision::Due(ym)) = status.findings.revision
        {
            let last = ym.last_day();
            if last > issued_on && last < full {
                return last;
            }
        }
        full
    }

    /// The cases, in words, for the refusal message.
    pub fn cases_text(&self) -> String {
        let e = &self.eligibility;
        let mut cases = vec![format!(
            "civil invalidity of at least {}%",
            e.min_invalidity_percentage
        )];
        if !e.invalidity_codes.is_empty() {
            cases.push(format!(
                "invalidity code {}",
                e.invalidity_codes.join(" or ")
            ));
        }
        if e.invalid_minor {
            cases.push("invalid minor".into());
        }
        if e.accompaniment {
            cases.push("accompaniment allowance".into());
        }
        if !e.blindness.is_empty() {
            cases.push(format!("{} blindness", e.blindness.join(" or ")));
        }
        if e.deafness {
            cases.push("deafness".into());
        }
        for h in &e.handicap {
            cases.push(match h.as_str() {
                "art3_c1" => "Law 104 art. 3 c.1".to_owned(),
                _ => "Law 104 art. 3 c.3".to_owned(),
            });
        }
        cases.join(", ")
    }
}

fn has_accompaniment(status: &Status) -> bool {
    let f = &status.findings;
    f.accompaniment == Some(true) || f.invalidity.is_some_and(|i| i.code.implies_accompaniment())
}

// ---- the serial ---------------------------------------------------------

/// The Luhn check digit of a string of digits.
fn luhn_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .chars()
        .rev()
        .filter_map(|c| c.to_digit(10))
        .enumerate()
        .map(|(i, d)| {
            if i % 2 == 0 {
                let d2 = d * 2;
                if d2 > 9 { d2 - 9 } else { d2 }
            } else {
                d
            }
        })
        .sum();
    (10 - sum % 10) % 10
}

/// A card serial: `IT`, 9 digits and their Luhn check digit (e.g.
/// `IT1234567897`). Luhn catches every single wrong digit and most swaps
/// of two adjacent digits. It can only exist valid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CardSerial(String);

/// Why a text is not a card serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CardSerialError {
    #[error("a card serial starts with IT")]
    Prefix,
    #[error("a card serial has 10 digits after IT")]
    Digits,
    #[error("the last digit of a card serial is a Luhn check digit, and it does not match")]
    CheckDigit,
}

impl CardSerial {
    /// How many serials there are (the 9-digit bodies).
    pub const BODIES: u32 = 1_000_000_000;

    /// The serial of a 9-digit body (taken modulo [`Self::BODIES`]), with
    /// its check digit. The caller picks the body (at random).
    pub fn from_body(body: u32) -> Self {
        let body = format!("{:09}", body % Self::BODIES);
        let check = luhn_digit(&body);
        Self(format!("IT{body}{check}"))
    }

    /// Reads a serial as typed: case-insensitive, spaces and hyphens
    /// ignored; `IT` + 10 digits with a valid Luhn check digit.
    pub fn parse(text: &str) -> Result<Self, CardSerialError> {
        let s: String = text
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect::<String>()
            .to_ascii_uppercase();
        let digits = s.strip_prefix("IT").ok_or(CardSerialError::Prefix)?;
        if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(CardSerialError::Digits);
        }
        let (body, check) = digits.split_at(9);
        if check.parse::<u32>().ok() != Some(luhn_digit(body)) {
            return Err(CardSerialError::CheckDigit);
        }
        Ok(Self(s))
    }

    /// The check digit (the last one).
    pub fn check_digit(&self) -> u32 {
        self.0
            .chars()
            .last()
            .and_then(|c| c.to_digit(10))
            .expect("a serial ends with its check digit")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CardSerial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

word_enum! {
    /// An application's stored state. An approved application is the card
    /// (`active`); expiry is never stored (see [`CardStatus::on`]).
    CardStatus {
        /// Waiting for the back office.
        Pending => "pending",
        Rejected => "rejected",
        /// Approved: the card was issued.
        Active => "active",
        Revoked => "revoked",
    }
}

word_enum! {
    /// What the citizen and the back office see on a day: the stored state,
    /// with an active card past its last valid day shown as `expired`.
    CardState {
        Pending => "pending",
        Rejected => "rejected",
        Active => "active",
        Expired => "expired",
        Revoked => "revoked",
    }
}

word_enum! {
    /// Why a card was revoked (stored; the e-mail words it).
    RevokeReason {
        /// A later verbale ends eligibility.
        NoLongerEligible => "no_longer_eligible",
        /// The back office decided.
        BackOffice => "back_office",
    }
}

impl CardStatus {
    /// The state on `today` of a card whose last valid day is `expires_on`.
    pub fn on(self, expires_on: Option<Date>, today: Date) -> CardState {
        match self {
            CardStatus::Pending => CardState::Pending,
            CardStatus::Rejected => CardState::Rejected,
            CardStatus::Revoked => CardState::Revoked,
            CardStatus::Active => match expires_on {
                Some(last) if last < today => CardState::Expired,
                _ => CardState::Active,
            },
        }
    }
}

impl CardState {
    /// Whether the citizen may apply again (after a rejection, a
    /// revocation, or once the card has expired).
    pub fn allows_new_application(self) -> bool {
        matches!(
            self,
            CardState::Rejected | CardState::Revoked | CardState::Expired
        )
    }
}

// ---- the declaration ----------------------------------------------------

/// The optional declaration of an application (DOMAIN §6.4): the status
/// rests on verbali not (yet) in the archive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declaration {
    /// A verbale issued on paper before 2010.
    pub paper_pre2010: bool,
    /// A verbale of an autonomous region (Valle d'Aosta, Trento, Bolzano).
    pub autonomous_region: bool,
    /// A court judgment or decree.
    pub court: Option<CourtRuling>,
}

/// A court judgment or decree: the court (Tribunale) and the day it was
/// issued, never in the future.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourtRuling {
    name: String,
    date: Date,
}

impl CourtRuling {
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn date(&self) -> Date {
        self.date
    }
}

/// Why a declaration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeclarationError {
    /// Not JSON at all (a malformed request).
    #[error("not valid JSON: {0}")]
    NotJson(String),
    /// JSON, but not an object (a malformed request).
    #[error("not a JSON object")]
    NotAnObject,
    /// Keys that are not declaration fields (a malformed request).
    #[error("unknown fields: {}", .0.join(", "))]
    UnknownFields(Vec<String>),
    /// Well-formed but invalid values: every one of them.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
}

const DECLARATION_FIELDS: [&str; 3] = ["paper_pre2010", "autonomous_region", "court"];

/// Checks a court's name and date (as typed), adding what is wrong.
fn court_ruling(
    name: &str,
    date: Option<&str>,
    today: Date,
    fields: &mut Vec<FieldError>,
) -> Option<CourtRuling> {
    let name = match crate::input::free_text(name, "declaration.court.name", 200, false) {
        Ok(name) => Some(name),
        Err(mut e) => {
            e.reason = format!("the court (Tribunale) {}", e.reason);
            fields.push(e);
            None
        }
    };
    let date = match date.and_then(parse_date) {
        Some(d) if d <= today => Some(d),
        Some(_) => {
            fields.push(FieldError::new(
                "declaration.court.date",
                "cannot be in the future",
            ));
            None
        }
        None => {
            fields.push(FieldError::new(
                "declaration.court.date",
                "the date the judgment or decree was issued, as YYYY-MM-DD",
            ));
            None
        }
    };
    Some(CourtRuling {
        name: name?,
        date: date?,
    })
}

impl Declaration {
    /// The declaration of the API (`declaration`, JSON text); `None` when
    /// absent or blank. Every invalid field is reported.
    pub fn from_json(text: Option<&str>, today: Date) -> Result<Option<Self>, DeclarationError> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let value: Value =
            serde_json::from_str(text).map_err(|e| DeclarationError::NotJson(e.to_string()))?;
        let map = value.as_object().ok_or(DeclarationError::NotAnObject)?;
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !DECLARATION_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(DeclarationError::UnknownFields(unknown));
        }
        let mut fields = Vec::new();
        let mut flag = |key: &str| match map.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                fields.push(FieldError::new(
                    format!("declaration.{key}"),
                    "must be true or false",
                ));
                false
            }
        };
        let paper_pre2010 = flag("paper_pre2010");
        let autonomous_region = flag("autonomous_region");
        let court = match map.get("court") {
            None | Some(Value::Null) => None,
            Some(Value::Object(c)) => {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                let date = c.get("date").and_then(Value::as_str);
                let court = court_ruling(name, date, today, &mut fields);
                if c.keys().any(|k| k != "name" && k != "date") {
                    fields.push(FieldError::new(
                        "declaration.court",
                        "has only name and date",
                    ));
                }
                court
            }
            Some(_) => {
                fields.push(FieldError::new(
                    "declaration.court",
                    "must be {\"name\", \"date\"} or null",
                ));
                None
            }
        };
        if !fields.is_empty() {
            return Err(DeclarationError::Invalid(fields));
        }
        Ok(Some(Self {
            paper_pre2010,
            autonomous_region,
            court,
        }))
    }

    /// The declaration of the page's form: two boxes and the court's
    /// fields (a court when either is filled in); `None` when nothing is
    /// declared.
    pub fn from_form(
        paper_pre2010: bool,
        autonomous_region: bool,
        court_name: &str,
        court_date: &str,
        today: Date,
    ) -> Result<Option<Self>, DeclarationError> {
        let mut fields = Vec::new();
        let court = if court_name.trim().is_empty() && court_date.trim().is_empty() {
            None
        } else {
            court_ruling(court_name, Some(court_date.trim()), today, &mut fields)
        };
        if !fields.is_empty() {
            return Err(DeclarationError::Invalid(fields));
        }
        if !paper_pre2010 && !autonomous_region && court.is_none() {
            return Ok(None);
        }
        Ok(Some(Self {
            paper_pre2010,
            autonomous_region,
            court,
        }))
    }

    /// Whether it says the status rests on verbali not (yet) in the
    /// archive: paper before 2010, an autonomous region, or a court.
    pub fn outside_archive(&self) -> bool {
        self.paper_pre2010 || self.autonomous_region || self.court.is_some()
    }

    /// The canonical JSON form (what is stored and what the back office
    /// reads): every key, `court` null or `{"name", "date"}`.
    pub fn to_json(&self) -> Value {
        json!({
            "paper_pre2010": self.paper_pre2010,
            "autonomous_region": self.autonomous_region,
            "court": self.court.as_ref().map(|c| json!({"name": c.name, "date": format_date(c.date)})),
        })
    }

    /// Reads the canonical form back (missing flags are false); `None`
    /// when it is not one.
    pub fn from_canonical_json(value: &Value) -> Option<Self> {
        let map: &Map<String, Value> = value.as_object()?;
        let flag = |key: &str| match map.get(key) {
            None | Some(Value::Null) => Some(false),
            Some(v) => v.as_bool(),
        };
        let court = match map.get("court") {
            None | Some(Value::Null) => None,
            Some(c) => Some(CourtRuling {
                name: c.get("name")?.as_str()?.to_owned(),
                date: parse_date(c.get("date")?.as_str()?)?,
            }),
        };
        Some(Self {
            paper_pre2010: flag("paper_pre2010")?,
            autonomous_region: flag("autonomous_region")?,
            court,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    const RULES_TEXT: &str = include_str!("../../../rules/card.toml");

    fn rules() -> CardRules {
        CardRules::parse(RULES_TEXT).unwrap()
    }

    #[test]
    fn bad_rules_are_refused_with_the_reason() {
        let bad = RULES_TEXT.replace("years = 10", "years = 0");
        let e = CardRules::parse(&bad).unwrap_err();
        assert!(e.message.contains("validity.years"));
        assert_eq!(e.file, CARD_RULES_FILE);
        let bad = RULES_TEXT.replace("handicap = [\"art3_c3\"]", "handicap = [\"c4\"]");
        assert!(
            CardRules::parse(&bad)
                .unwrap_err()
                .message
                .contains("handicap")
        );
        let bad = format!("{RULES_TEXT}\nextra = 1\n");
        assert!(CardRules::parse(&bad).is_err());
        let bad = RULES_TEXT.replace("invalidity_codes = [\"11\"]", "invalidity_codes = [\"13\"]");
        assert!(
            CardRules::parse(&bad)
                .unwrap_err()
                .message
                .contains("invalidity_codes")
        );
    }

    #[test]
    fn serials_carry_a_luhn_digit() {
        // 123456789 → Luhn check digit 7.
        let s = CardSerial::from_body(123_456_789);
        assert_eq!(s.as_str(), "IT1234567897");
        assert_eq!(s.check_digit(), 7);
        assert_eq!(s.to_string(), "IT1234567897");
        assert_eq!(CardSerial::from_body(0).as_str(), "IT0000000000");
        assert_eq!(CardSerial::parse("it 1234-56789-7"), Ok(s));
        assert_eq!(
            CardSerial::parse("IT1234567898"),
            Err(CardSerialError::CheckDigit)
        );
        assert_eq!(
            CardSerial::parse("IT2134567897"),
            Err(CardSerialError::CheckDigit),
            "a swap is caught"
        );
        assert_eq!(
            CardSerial::parse("FR1234567897"),
            Err(CardSerialError::Prefix)
        );
        assert_eq!(
            CardSerial::parse("IT123456789"),
            Err(CardSerialError::Digits)
        );
        assert_eq!(
            CardSerial::parse("IT12345678x7"),
            Err(CardSerialError::Digits)
        );
    }

    proptest! {
        #[test]
        fn every_body_makes_a_serial_that_reads_back(body in 0u32..CardSerial::BODIES) {
            let s = CardSerial::from_body(body);
            prop_assert_eq!(s.as_str().len(), 12);
            prop_assert_eq!(CardSerial::parse(s.as_str()), Ok(s.clone()));
            prop_assert_eq!(CardSerial::parse(&s.as_str().to_ascii_lowercase()), Ok(s));
        }

        #[test]
        fn one_wrong_digit_is_caught(body in 0u32..CardSerial::BODIES, at in 2usize..12, by in 1u32..10) {
            let s = CardSerial::from_body(body);
            let mut chars: Vec<char> = s.as_str().chars().collect();
            let d = chars[at].to_digit(10).unwrap();
            chars[at] = char::from_digit((d + by) % 10, 10).unwrap();
            let wrong: String = chars.into_iter().collect();
            prop_assert!(CardSerial::parse(&wrong).is_err());
        }

        #[test]
        fn parsing_never_panics(text in ".{0,20}") {
            let _ = CardSerial::parse(&text);
        }
    }

    #[test]
    fn states_read_back_and_expire_after_the_last_day() {
        for s in CardStatus::ALL {
            assert_eq!(CardStatus::parse(s.as_str()), Some(*s));
        }
        for s in CardState::ALL {
            assert_eq!(CardState::parse(s.as_str()), Some(*s));
        }
        for r in RevokeReason::ALL {
            assert_eq!(RevokeReason::parse(r.as_str()), Some(*r));
        }
        assert_eq!(CardStatus::parse("expired"), None);
        let last = date!(2036 - 01 - 15);
        assert_eq!(
            CardStatus::Active.on(Some(last), last),
            CardState::Active,
            "valid through its last day"
        );
        assert_eq!(
            CardStatus::Active.on(Some(last), date!(2036 - 01 - 16)),
            CardState::Expired
        );
        assert_eq!(
            CardStatus::Revoked.on(Some(last), date!(2040 - 01 - 01)),
            CardState::Revoked
        );
        assert_eq!(CardStatus::Pending.on(None, last), CardState::Pending);
        assert!(!CardState::Pending.allows_new_application());
        assert!(!CardState::Active.allows_new_application());
        assert!(CardState::Expired.allows_new_application());
    }

    fn status(findings: Value) -> Status {
        let mut m = json!({"verbale_id": "V1", "fiscal_code": "RSSMRA80A01H501U",
            "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
            "source": "telematic"});
        m.as_object_mut()
            .unwrap()
            .extend(findings.as_object().unwrap().clone());
        let v = crate::VerbaleInput::parse(m.as_object().unwrap(), date!(2026 - 01 - 01)).unwrap();
        Status::compute([&v], date!(2026 - 01 - 01))
    }

    #[test]
    fn eligibility_follows_the_rules() {
        let r = rules();
        let adult = date!(1980 - 01 - 01);
        let minor = date!(2015 - 01 - 01);
        let today = date!(2026 - 01 - 01);
        let yes = |f: Value, birth| r.eligible(&status(f), birth, today);
        assert!(yes(
            json!({"invalidity_code": "02", "invalidity_percentage": 67}),
            adult
        ));
        assert!(!yes(
            json!({"invalidity_code": "02", "invalidity_percentage": 66}),
            adult
        ));
        assert!(yes(
            json!({"invalidity_code": "03", "invalidity_percentage": 74}),
            adult
        ));
        assert!(yes(json!({"invalidity_code": "11"}), adult));
        assert!(yes(json!({"invalidity_code": "07"}), minor));
        assert!(!yes(json!({"invalidity_code": "07"}), adult));
        assert!(yes(json!({"accompaniment": true}), adult));
        assert!(yes(json!({"blindness": "partial"}), adult));
        assert!(yes(json!({"deafness": true}), adult));
        assert!(yes(json!({"handicap": "art3_c3", "art21": false}), adult));
        assert!(!yes(json!({"handicap": "art3_c1", "art21": false}), adult));
        assert!(!yes(
            json!({"invalidity_code": "01", "invalidity_percentage": 20}),
            adult
        ));
        // The "A" mark follows accompaniment, also implied by the code.
        assert!(r.a_mark(&status(
            json!({"invalidity_code": "05", "invalidity_percentage": 100})
        )));
        assert!(!r.a_mark(&status(
            json!({"invalidity_code": "03", "invalidity_percentage": 80})
        )));
    }

    #[test]
    fn the_cases_are_worded_from_the_rules() {
        assert_eq!(
            rules().cases_text(),
            "civil invalidity of at least 67%, invalidity code 11, invalid minor, \
             accompaniment allowance, partial or absolute blindness, deafness, Law 104 art. 3 c.3"
        );
    }

    #[test]
    fn validity_is_ten_years_or_the_revision_month() {
        let r = rules();
        let issued = date!(2026 - 01 - 15);
        let none = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"exempt": true}}));
        assert_eq!(r.expires_on(&none, issued), date!(2036 - 01 - 15));
        let due = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2029-02"}}));
        assert_eq!(r.expires_on(&due, issued), date!(2029 - 02 - 28));
        // An overdue revision does not shorten the card.
        let overdue = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2025-12"}}));
        assert_eq!(r.expires_on(&overdue, issued), date!(2036 - 01 - 15));
        // A revision after ten years does not lengthen it.
        let late = status(json!({"invalidity_code": "03", "invalidity_percentage": 80,
            "revision": {"due": "2040-01"}}));
        assert_eq!(r.expires_on(&late, issued), date!(2036 - 01 - 15));
        assert_eq!(
            r.expires_on(&none, date!(2028 - 02 - 29)),
            date!(2038 - 02 - 28)
        );
    }

    fn fields(e: DeclarationError) -> Vec<String> {
        match e {
            DeclarationError::Invalid(f) => f.into_iter().map(|f| f.field).collect(),
            other => panic!("not field errors: {other:?}"),
        }
    }

    #[test]
    fn declarations_are_checked() {
        let today = date!(2026 - 01 - 01);
        assert_eq!(Declaration::from_json(None, today), Ok(None));
        assert_eq!(Declaration::from_json(Some("  "), today), Ok(None));
        let d = Declaration::from_json(Some(r#"{"paper_pre2010": true}"#), today)
            .unwrap()
            .unwrap();
        assert_eq!(
            d.to_json(),
            json!({"paper_pre2010": true, "autonomous_region": false, "court": null})
        );
        assert!(d.outside_archive());
        assert!(!Declaration::default().outside_archive());
        let d = Declaration::from_json(
            Some(r#"{"court": {"name": " Tribunale di Bari ", "date": "2023-04-01"}}"#),
            today,
        )
        .unwrap()
        .unwrap();
        assert!(d.outside_archive());
        let court = d.court.as_ref().unwrap();
        assert_eq!(court.name(), "Tribunale di Bari");
        assert_eq!(court.date(), date!(2023 - 04 - 01));
        assert_eq!(
            d.to_json().to_string(),
            r#"{"autonomous_region":false,"court":{"date":"2023-04-01","name":"Tribunale di Bari"},"paper_pre2010":false}"#
        );
        assert_eq!(Declaration::from_canonical_json(&d.to_json()), Some(d));
        assert!(matches!(
            Declaration::from_json(Some("{"), today),
            Err(DeclarationError::NotJson(_))
        ));
        assert_eq!(
            Declaration::from_json(Some("[1]"), today),
            Err(DeclarationError::NotAnObject)
        );
        assert_eq!(
            Declaration::from_json(Some(r#"{"x": 1}"#), today),
            Err(DeclarationError::UnknownFields(vec!["x".into()]))
        );
        let e = Declaration::from_json(
            Some(r#"{"court": {"name": "", "date": "2030-01-01"}}"#),
            today,
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            ["declaration.court.name", "declaration.court.date"]
        );
        let e = Declaration::from_json(
            Some(r#"{"paper_pre2010": 1, "court": {"name": "T", "date": "2020-01-01", "x": 1}}"#),
            today,
        )
        .unwrap_err();
        assert_eq!(
            fields(e),
            ["declaration.paper_pre2010", "declaration.court"]
        );
        let e = Declaration::from_json(Some(r#"{"court": "Bari"}"#), today).unwrap_err();
        assert_eq!(fields(e), ["declaration.court"]);
        // The court's own day is allowed, not the day after.
        assert!(
            Declaration::from_json(
                Some(r#"{"court": {"name": "T", "date": "2026-01-01"}}"#),
                today
            )
            .is_ok()
        );
    }

    #[test]
    fn the_form_declares_the_same() {
        let today = date!(2026 - 01 - 01);
        assert_eq!(
            Declaration::from_form(false, false, "", "", today),
            Ok(None)
        );
        assert_eq!(
            Declaration::from_form(true, false, "", "", today),
            Declaration::from_json(Some(r#"{"paper_pre2010": true}"#), today)
        );
        assert_eq!(
            Declaration::from_form(false, false, "Tribunale di Bari", "2023-04-01", today),
            Declaration::from_json(
                Some(r#"{"court": {"name": "Tribunale di Bari", "date": "2023-04-01"}}"#),
                today
            )
        );
        let e = Declaration::from_form(false, false, "Tribunale di Roma", "", today).unwrap_err();
        assert_eq!(fields(e), ["declaration.court.date"]);
        let e = Declaration::from_form(false, true, "", "2999-01-01", today).unwrap_err();
        assert_eq!(
            fields(e),
            ["declaration.court.name", "declaration.court.date"]
        );
    }

    #[test]
    fn stored_declarations_read_back() {
        assert_eq!(
            Declaration::from_canonical_json(&json!({"paper_pre2010": true})),
            Some(Declaration {
                paper_pre2010: true,
                ..Declaration::default()
            })
        );
        assert_eq!(Declaration::from_canonical_json(&json!([])), None);
        assert_eq!(
            Declaration::from_canonical_json(&json!({"court": {"name": "T"}})),
            None
        );
    }
}
