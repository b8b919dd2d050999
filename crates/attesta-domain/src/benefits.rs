//! What a person may be entitled to (issue #8, SPEC §6 `GET /api/v1/me/benefits`,
//! §9.10, DOMAIN §7).
//!
//! The benefit tables are data, one TOML file per year
//! (`rules/benefits-YYYY.toml`, format in `docs/benefits.md`), parsed here
//! from text — this module does no I/O — and checked once at start:
//! a mistake is refused with the file, line and field ([`RulesError`]).
//! [`Rules::entitlements`] is the pure rule: status, age and an optional
//! declared income in, the list out.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use time::Date;
use toml::Spanned;

use crate::Status;
use crate::verbale::{Blindness, Findings, Handicap, InvalidityCode};

// ---- money ------------------------------------------------------------

/// An amount of euros, held in cents so that limits compare exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Euros(i64);

/// The largest income accepted as input: above it the number is a typing
/// mistake, not an income.
const MAX_CENTS: i64 = 1_000_000_000 * 100;

/// Why digits are not an amount ([`Euros::of_parts`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not digits (a sign, a thousands separator, a letter).
    NotPlain,
    TooManyDecimals,
    TooLarge,
}

impl Euros {
    pub fn from_cents(cents: i64) -> Self {
        Self(cents)
    }

    pub fn cents(self) -> i64 {
        self.0
    }

    /// For JSON: `333.33`.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 100.0
    }

    /// A declared amount as people type it: `5725.46`, `5725,46`, `5725`.
    /// No sign, no thousands separators, at most two decimals.
    pub fn parse(s: &str) -> Result<Euros, &'static str> {
        let s = s.trim().trim_start_matches('€').trim();
        if s.starts_with('-') {
            return Err("must not be negative");
        }
        let (whole, frac) = s.split_once(['.', ',']).unwrap_or((s, ""));
        match Euros::of_parts(whole, frac, MAX_CENTS) {
            Ok(e) => Ok(e),
            Err(AmountError::NotPlain) => {
                Err("is not a plain amount in euros (no thousands separators)")
            }
            Err(AmountError::TooManyDecimals) => Err("must have at most two decimals (cents)"),
            Err(AmountError::TooLarge) => Err("is too large for an annual income"),
        }
    }

    /// The amount whose euros are the digits `whole` and whose cents are
    /// `frac` (0 to 2 digits), at most `max_cents`.
    pub fn of_parts(whole: &str, frac: &str, max_cents: i64) -> Result<Euros, AmountError> {
        let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(frac) {
            return Err(AmountError::NotPlain);
        }
        if frac.len() > 2 {
            return Err(AmountError::TooManyDecimals);
        }
        // Past this many digits the euros alone are above any maximum.
        if whole.len() > 15 {
            return Err(AmountError::TooLarge);
        }
        let whole: i64 = whole.parse().map_err(|_| AmountError::TooLarge)?;
        let cents: i64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
        let total = whole * 100 + cents;
        if total > max_cents {
            return Err(AmountError::TooLarge);
        }
        Ok(Euros(total))
    }

    /// `€ 19.461,12`
    pub fn format_it(self) -> String {
        format!("€ {},{:02}", group(self.0 / 100, '.'), self.0 % 100)
    }

    /// `€19,461.12`
    pub fn format_en(self) -> String {
        format!("€{}.{:02}", group(self.0 / 100, ','), self.0 % 100)
    }
}

fn group(n: i64, sep: char) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

impl<'de> Deserialize<'de> for Euros {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Euros;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount in euros, e.g. 333.33")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Euros, E> {
                if v < 0 {
                    return Err(E::custom(format!("must not be negative (found {v})")));
                }
                v.checked_mul(100)
                    .filter(|c| *c <= MAX_CENTS)
                    .map(Euros)
                    .ok_or_else(|| E::custom("is too large"))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Euros, E> {
                self.visit_i64(i64::try_from(v).map_err(|_| E::custom("is too large"))?)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Euros, E> {
                if v.is_sign_negative() {
                    return Err(E::custom(format!("must not be negative (found {v})")));
                }
                let cents = (v * 100.0).round();
                if !v.is_finite() || cents > MAX_CENTS as f64 {
                    return Err(E::custom("is too large"));
                }
                if (v * 100.0 - cents).abs() > 1e-6 {
                    return Err(E::custom(format!(
                        "must have at most two decimals (found {v})"
                    )));
                }
                Ok(Euros(cents as i64))
            }
        }
        d.deserialize_any(V)
    }
}

// ---- the rules, as loaded ----------------------------------------------

/// A text in Italian and English.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Text {
    pub it: String,
    pub en: String,
}

/// A requirement over the status (SPEC §2). Every given condition must hold;
/// `any_of` holds when one of its parts does, `unless` when it does not.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Requirement {
    pub anyone: bool,
    pub codes: Option<Vec<InvalidityCode>>,
    pub percentage_min: Option<u8>,
    pub percentage_max: Option<u8>,
    pub accompaniment: Option<bool>,
    pub blindness: Option<Vec<Blindness>>,
    pub deafness: Option<bool>,
    pub handicap: Option<Vec<Handicap>>,
    pub art21: Option<bool>,
    pub law68_disability: Option<bool>,
    pub dl5_2012_art4: Option<bool>,
    pub any_of: Vec<Requirement>,
    pub unless: Option<Box<Requirement>>,
}

impl Requirement {
    /// Whether the findings meet the requirement. A group not assessed
    /// counts as "none"/false; codes count with the fields they imply.
    pub fn holds(&self, f: &Findings) -> bool {
        if self.anyone {
            return true;
        }
        let code = f.invalidity.map(|i| i.code);
        let percentage = f.invalidity.and_then(|i| i.percentage);
        // SPEC §9.3: accompaniment is the recognised right (flag or code).
        let accompaniment = f.accompaniment == Some(true)
            || code.is_some_and(InvalidityCode::implies_accompaniment);
        let blindness = f
            .blindness
            .or_else(|| code.and_then(InvalidityCode::implied_blindness))
            .unwrap_or(Blindness::None);
        let deafness =
            f.deafness == Some(true) || code.is_some_and(InvalidityCode::implies_deafness);
        let handicap = f.handicap.map_or(Handicap::None, |h| h.handicap);
        let art21 = f.handicap.is_some_and(|h| h.art21);
        let checks = [
            self.codes
                .as_ref()
                .is_none_or(|cs| code.is_some_and(|c| cs.contains(&c))),
            self.percentage_min
                .is_none_or(|min| percentage.is_some_and(|p| p >= min)),
            self.percentage_max
                .is_none_or(|max| percentage.is_some_and(|p| p <= max)),
            self.accompaniment.is_none_or(|want| want == accompaniment),
            self.blindness
                .as_ref()
                .is_none_or(|bs| bs.contains(&blindness)),
            self.deafness.is_none_or(|want| want == deafness),
            self.handicap
                .as_ref()
                .is_none_or(|hs| hs.contains(&handicap)),
            self.art21.is_none_or(|want| want == art21),
            self.law68_disability
                .is_none_or(|want| want == (f.law68_disability == Some(true))),
            self.dl5_2012_art4
                .is_none_or(|want| want == (f.dl5_2012_art4 == Some(true))),
            self.any_of.is_empty() || self.any_of.iter().any(|r| r.holds(f)),
            self.unless.as_ref().is_none_or(|r| !r.holds(f)),
        ];
        checks.into_iter().all(|c| c)
    }
}

/// Ages as the tables give them: `min_age` ≤ age < `below_age`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AgeRange {
    pub min_age: Option<u8>,
    pub below_age: Option<u8>,
}

impl AgeRange {
    pub fn contains(self, age: i32) -> bool {
        self.min_age.is_none_or(|m| age >= i32::from(m))
            && self.below_age.is_none_or(|b| age < i32::from(b))
    }

    pub fn is_any(self) -> bool {
        self.min_age.is_none() && self.below_age.is_none()
    }

    fn text(self) -> Text {
        match (self.min_age, self.below_age) {
            (Some(a), Some(b)) => Text {
                it: format!("età da {a} a {} anni", b - 1),
                en: format!("age {a} to {}", b - 1),
            },
            (Some(a), None) => Text {
                it: format!("età di almeno {a} anni"),
                en: format!("age {a} or over"),
            },
            (None, Some(b)) => Text {
                it: format!("età inferiore a {b} anni"),
                en: format!("under {b}"),
            },
            (None, None) => Text {
                it: "a ogni età".into(),
                en: "any age".into(),
            },
        }
    }
}

/// The social supplement some pensions carry ("incremento al milione",
/// C. Cost. 152/2020), with its own, lower, income limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supplement {
    pub name: Text,
    pub ages: AgeRange,
    pub income_limit_single: Euros,
    pub income_limit_married: Euros,
}

/// One row of DOMAIN §7.1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EconomicRule {
    pub id: String,
    pub name: Text,
    pub legal_basis: Option<String>,
    pub requires: Requirement,
    pub ages: AgeRange,
    pub monthly_amount: Euros,
    /// `None`: not a fixed number (attendance allowance: months of
    /// attendance; thalassaemia: not stated).
    pub payments_per_year: Option<u8>,
    /// The person's own annual income (gross for IRPEF, net of deductible
    /// charges); `None`: no limit.
    pub income_limit: Option<Euros>,
    pub supplement: Option<Supplement>,
    /// A fact attesta does not hold, on which the benefit rests (§9.10).
    pub depends: Option<Text>,
    /// Ids of the benefits it cannot be paid with, made symmetric at load.
    pub incompatible_with: Vec<String>,
    pub note: Option<Text>,
}

/// One row of DOMAIN §7.2 / §7.3.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonEconomicRule {
    pub id: String,
    pub name: Text,
    pub requires: Requirement,
    pub ages: AgeRange,
}

/// The tables of one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub year: i32,
    pub source: String,
    pub economic: Vec<EconomicRule>,
    pub non_economic: Vec<NonEconomicRule>,
}

/// Every year's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleBook {
    years: BTreeMap<i32, Rules>,
}

impl RuleBook {
    /// Parses and checks `(file name, text)` pairs, one file per year.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<RuleBook, RulesError> {
        let mut years = BTreeMap::new();
        for (name, text) in files {
            let rules = Rules::parse(name, text)?;
            if years.contains_key(&rules.year) {
                return Err(RulesError::at(
                    name,
                    text,
                    0..0,
                    "year",
                    format!("another file already holds the rules of {}", rules.year),
                ));
            }
            years.insert(rules.year, rules);
        }
        if years.is_empty() {
            return Err(RulesError {
                file: "rules/".into(),
                line: 0,
                column: 0,
                field: "year".into(),
                message: "no benefits-YYYY.toml file was found".into(),
            });
        }
        Ok(RuleBook { years })
    }

    /// The latest year's rules not after `on`'s year (2024 rules answer for
    /// 2026 too, and say so with their `year`). `None` before the first.
    pub fn for_date(&self, on: Date) -> Option<&Rules> {
        self.years.range(..=on.year()).next_back().map(|(_, r)| r)
    }

    pub fn first_year(&self) -> i32 {
        *self.years.keys().next().expect("at least one year")
    }

    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }
}

// ---- the answer -----------------------------------------------------------

/// Where the person stands on one economic benefit (SPEC §6 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    MayBeEntitled,
    Excluded,
    Depends,
}

impl Standing {
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::MayBeEntitled => "may_be_entitled",
            Standing::Excluded => "excluded",
            Standing::Depends => "depends",
        }
    }
}

/// Why a benefit whose health requirement is met is excluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    Age,
    Income,
}

impl Exclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::Age => "age",
            Exclusion::Income => "income",
        }
    }
}

/// One economic benefit whose health requirement the status meets.
#[derive(Debug, Clone, PartialEq)]
pub struct EconomicOutcome {
    pub id: String,
    pub name: Text,
    pub legal_basis: Option<String>,
    pub monthly_amount: Euros,
    pub payments_per_year: Option<u8>,
    pub income_limit: Option<Euros>,
    pub standing: Standing,
    pub reason: Option<Exclusion>,
    /// What must also hold (the fact attesta does not hold, the income
    /// limit when no income was declared), or, when excluded, the age or
    /// income condition not met.
    pub condition: Option<Text>,
    pub incompatible_with: Vec<String>,
    pub note: Option<Text>,
}

/// The whole answer for one person on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct Entitlements {
    /// The year of the tables used (the source year).
    pub year: i32,
    pub source: String,
    pub economic: Vec<EconomicOutcome>,
    pub non_economic: Vec<NonEconomicRule>,
}

fn join(parts: &[Text]) -> Option<Text> {
    if parts.is_empty() {
        return None;
    }
    Some(Text {
        it: parts
            .iter()
            .map(|t| t.it.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        en: parts
            .iter()
            .map(|t| t.en.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    })
}

fn income_text(limit: Euros) -> Text {
    Text {
        it: format!(
            "reddito personale annuo (lordo IRPEF, al netto degli oneri deducibili) fino a {}",
            limit.format_it()
        ),
        en: format!(
            "own annual income (gross for IRPEF, net of deductible charges) up to {}",
            limit.format_en()
        ),
    }
}

fn supplement_text(s: &Supplement, income: Option<Euros>) -> Text {
    let limits_it = format!(
        "{}: reddito fino a {} (persona sola) o {} (persona coniugata)",
        s.name.it,
        s.income_limit_single.format_it(),
        s.income_limit_married.format_it()
    );
    let limits_en = format!(
        "{}: income up to {} (single) or {} (married)",
        s.name.en,
        s.income_limit_single.format_en(),
        s.income_limit_married.format_en()
    );
    let (it, en) = match income {
        None => (
            "Può spettare anche una maggiorazione.",
            "A supplement may also be due.",
        ),
        Some(i) if i <= s.income_limit_single => (
            "Il reddito dichiarato rientra in entrambi i limiti della maggiorazione.",
            "Your declared income is within both limits of the supplement.",
        ),
        Some(i) if i <= s.income_limit_married => (
            "Il reddito dichiarato rientra solo nel limite della maggiorazione per le persone coniugate.",
            "Your declared income is within the supplement's limit for married people only.",
        ),
        Some(_) => (
            "Il reddito dichiarato supera i limiti della maggiorazione.",
            "Your declared income is above the supplement's limits.",
        ),
    };
    let (it, en) = (format!("{it} {limits_it}."), format!("{en} {limits_en}."));
    Text { it, en }
}

fn append(note: Option<Text>, more: Text) -> Option<Text> {
    Some(match note {
        None => more,
        Some(n) => Text {
            it: format!("{} {}", n.it, more.it),
            en: format!("{} {}", n.en, more.en),
        },
    })
}

impl Rules {
    /// What a person with `status`, aged `age` on the day, may be entitled
    /// to under these tables, with an optional declared annual `income`
    /// (SPEC §9.10). Only benefits whose health requirement the status
    /// meets are listed.
    pub fn entitlements(&self, status: &Status, age: i32, income: Option<Euros>) -> Entitlements {
        let f = &status.findings;
        let mut economic: Vec<EconomicOutcome> = self
            .economic
            .iter()
            .filter(|r| r.requires.holds(f))
            .map(|r| economic_outcome(r, age, income))
            .collect();

        // §9.10: two benefits that exclude each other are both listed, each
        // naming the other, with a note that the person chooses. Only the
        // ones still open count: an excluded benefit leaves nothing to choose.
        let open: BTreeSet<String> = economic
            .iter()
            .filter(|o| o.standing != Standing::Excluded)
            .map(|o| o.id.clone())
            .collect();
        let names: BTreeMap<&str, &Text> = self
            .economic
            .iter()
            .map(|r| (r.id.as_str(), &r.name))
            .collect();
        for o in &mut economic {
            if o.standing == Standing::Excluded {
                continue;
            }
            let rule = self
                .economic
                .iter()
                .find(|r| r.id == o.id)
                .expect("listed from the rules");
            o.incompatible_with = rule
                .incompatible_with
                .iter()
                .filter(|id| open.contains(*id))
                .cloned()
                .collect();
            if !o.incompatible_with.is_empty() {
                let others: Vec<&Text> = o
                    .incompatible_with
                    .iter()
                    .map(|id| names[id.as_str()])
                    .collect();
                let it = others
                    .iter()
                    .map(|t| t.it.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                let en = others
                    .iter()
                    .map(|t| t.en.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                o.note = append(
                    o.note.take(),
                    Text {
                        it: format!(
                            "Non cumulabile con: {it}. Si sceglie una delle prestazioni (di solito la più favorevole)."
                        ),
                        en: format!(
                            "Cannot be paid together with: {en}. You choose one of them (usually the more favourable)."
                        ),
                    },
                );
            }
        }

        let non_economic = self
            .non_economic
            .iter()
            .filter(|r| r.requires.holds(f) && r.ages.contains(age))
            .cloned()
            .collect();
        Entitlements {
            year: self.year,
            source: self.source.clone(),
            economic,
            non_economic,
        }
    }
}

fn economic_outcome(r: &EconomicRule, age: i32, income: Option<Euros>) -> EconomicOutcome {
    let mut standing = Standing::MayBeEntitled;
    let mut reason = None;
    let mut conditions = Vec::new();
    let mut note = r.note.clone();
    if !r.ages.contains(age) {
        standing = Standing::Excluded;
        reason = Some(Exclusion::Age);
        conditions.push(r.ages.text());
    } else if let (Some(limit), Some(declared)) = (r.income_limit, income)
        // §9.10: an income equal to the limit qualifies.
        && declared > limit
    {
        standing = Standing::Excluded;
        reason = Some(Exclusion::Income);
        conditions.push(income_text(limit));
    } else {
        // §9.10: the two benefits resting on facts attesta does not hold
        // (attendance, thalassaemia) are `depends`, with the fact in words.
        if let Some(d) = &r.depends {
            standing = Standing::Depends;
            conditions.push(d.clone());
        }
        // §9.10: without a declared income, a benefit with a limit stays
        // `may_be_entitled` with the limit in `condition`.
        if let (Some(limit), None) = (r.income_limit, income) {
            conditions.push(income_text(limit));
        }
        if let Some(s) = &r.supplement
            && s.ages.contains(age)
        {
            note = append(note, supplement_text(s, income));
        }
    }
    EconomicOutcome {
        id: r.id.clone(),
        name: r.name.clone(),
        legal_basis: r.legal_basis.clone(),
        monthly_amount: r.monthly_amount,
        payments_per_year: r.payments_per_year,
        income_limit: r.income_limit,
        standing,
        reason,
        condition: join(&conditions),
        incompatible_with: Vec::new(),
        note,
    }
}

// ---- loading and checking ---------------------------------------------------

/// A rules file refused at start: which file, where, which field, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub file: String,
    /// 1-based; 0 when the mistake is not at one place.
    pub line: usize,
    pub column: usize,
    pub field: String,
    pub message: String,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "benefit rules {}, line {}, column {}, field `{}`: {}",
            self.file, self.line, self.column, self.field, self.message
        )
    }
}

impl std::error::Error for RulesError {}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// The key a value at `span` belongs to: the identifier before the last
/// `=` on its line, or the span itself when it is a key.
fn key_at(text: &str, span: &Range<usize>) -> Option<String> {
    let is_key = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let at = text.get(span.clone()).unwrap_or("");
    if !at.is_empty() && at.chars().all(is_key) {
        let after = text[span.end..].trim_start();
        if after.starts_with('=') {
            return Some(at.to_owned());
        }
    }
    let line_start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let before = &text[line_start..span.start.min(text.len())];
    let eq = before.rfind('=')?;
    let key: String = before[..eq]
        .trim_end()
        .chars()
        .rev()
        .take_while(|c| is_key(*c))
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (!key.is_empty()).then_some(key)
}

impl RulesError {
    fn at(
        file: &str,
        text: &str,
        span: Range<usize>,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let (line, column) = if span == (0..0) {
            (0, 0)
        } else {
            line_col(text, span.start)
        };
        RulesError {
            file: file.to_owned(),
            line,
            column,
            field: field.to_owned(),
            message: message.into(),
        }
    }

    fn from_toml(file: &str, text: &str, e: &toml::de::Error) -> Self {
        let message = e.message().trim().to_owned();
        let span = e.span().unwrap_or(0..0);
        // serde names the field in "unknown field `x`" / "missing field `x`";
        // otherwise the key is read from the line the value sits on.
        let named = message
            .split_once("field `")
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(f, _)| f.to_owned());
        let field = named
            .or_else(|| key_at(text, &span))
            .unwrap_or_else(|| "?".into());
        let (line, column) = line_col(text, span.start);
        RulesError {
            file: file.to_owned(),
            line,
            column,
            field,
            message,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    year: Spanned<i32>,
    source: String,
    #[serde(default)]
    economic: Vec<RawEconomic>,
    #[serde(default)]
    non_economic: Vec<RawNonEconomic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEconomic {
    id: Spanned<String>,
    name: Text,
    legal_basis: Option<String>,
    requires: Spanned<RawRequirement>,
    min_age: Option<Spanned<u8>>,
    below_age: Option<Spanned<u8>>,
    monthly_amount_eur: Euros,
    payments_per_year: Option<Spanned<u8>>,
    income_limit_eur: Option<Euros>,
    supplement: Option<RawSupplement>,
    depends: Option<Text>,
    #[serde(default)]
    incompatible_with: Vec<Spanned<String>>,
    note: Option<Text>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSupplement {
    name: Text,
    min_age: Option<Spanned<u8>>,
    below_age: Option<Spanned<u8>>,
    income_limit_single_eur: Euros,
    income_limit_married_eur: Euros,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNonEconomic {
    id: Spanned<String>,
    name: Text,
    requires: Spanned<RawRequirement>,
    min_age: Option<Spanned<u8>>,
    below_age: Option<Spanned<u8>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRequirement {
    #[serde(default)]
    anyone: bool,
    codes: Option<Vec<Spanned<String>>>,
    percentage_min: Option<Spanned<u8>>,
    percentage_max: Option<Spanned<u8>>,
    accompaniment: Option<bool>,
    blindness: Option<Vec<Blindness>>,
    deafness: Option<bool>,
    handicap: Option<Vec<Handicap>>,
    art21: Option<bool>,
    law68_disability: Option<bool>,
    dl5_2012_art4: Option<bool>,
    #[serde(default)]
    any_of: Vec<Spanned<RawRequirement>>,
    unless: Option<Box<Spanned<RawRequirement>>>,
}

struct Checker<'a> {
    file: &'a str,
    text: &'a str,
}

impl Checker<'_> {
    fn err(&self, span: Range<usize>, field: &str, message: impl Into<String>) -> RulesError {
        RulesError::at(self.file, self.text, span, field, message)
    }

    fn text(&self, t: &Text, span: Range<usize>, field: &str) -> Result<(), RulesError> {
        if t.it.trim().is_empty() || t.en.trim().is_empty() {
            return Err(self.err(span, field, "needs a non-empty `it` and `en` text"));
        }
        Ok(())
    }

    fn ages(
        &self,
        min: Option<Spanned<u8>>,
        below: Option<Spanned<u8>>,
    ) -> Result<AgeRange, RulesError> {
        if let (Some(m), Some(b)) = (&min, &below)
            && *m.get_ref() >= *b.get_ref()
        {
            return Err(self.err(
                b.span(),
                "below_age",
                format!("must be greater than min_age ({})", m.get_ref()),
            ));
        }
        Ok(AgeRange {
            min_age: min.map(Spanned::into_inner),
            below_age: below.map(Spanned::into_inner),
        })
    }

    fn requirement(&self, raw: Spanned<RawRequirement>) -> Result<Requirement, RulesError> {
        let span = raw.span();
        let raw = raw.into_inner();
        let mut codes = None;
        if let Some(list) = raw.codes {
            let mut parsed = Vec::new();
            for c in list {
                match InvalidityCode::parse(c.get_ref()) {
                    Some(code) => parsed.push(code),
                    None => {
                        return Err(self.err(
                            c.span(),
                            "codes",
                            format!(
                                "`{}` is not a verbale code: use \"01\" to \"12\"",
                                c.get_ref()
                            ),
                        ));
                    }
                }
            }
            codes = Some(parsed);
        }
        for (p, field) in [
            (&raw.percentage_min, "percentage_min"),
            (&raw.percentage_max, "percentage_max"),
        ] {
            if let Some(p) = p
                && *p.get_ref() > 100
            {
                return Err(self.err(p.span(), field, "must be a percentage from 0 to 100"));
            }
        }
        if let (Some(min), Some(max)) = (&raw.percentage_min, &raw.percentage_max)
            && min.get_ref() > max.get_ref()
        {
            return Err(self.err(
                max.span(),
                "percentage_max",
                "must not be below percentage_min",
            ));
        }
        let mut any_of = Vec::new();
        for r in raw.any_of {
            any_of.push(self.requirement(r)?);
        }
        let unless = match raw.unless {
            Some(r) => Some(Box::new(self.requirement(*r)?)),
            None => None,
        };
        let req = Requirement {
            anyone: raw.anyone,
            codes,
            percentage_min: raw.percentage_min.map(Spanned::into_inner),
            percentage_max: raw.percentage_max.map(Spanned::into_inner),
            accompaniment: raw.accompaniment,
            blindness: raw.blindness,
            deafness: raw.deafness,
            handicap: raw.handicap,
            art21: raw.art21,
            law68_disability: raw.law68_disability,
            dl5_2012_art4: raw.dl5_2012_art4,
            any_of,
            unless,
        };
        let conditions = Requirement {
            anyone: false,
            ..req.clone()
        };
        // An empty requirement would match everyone by mistake: say so.
        if req.anyone && conditions != Requirement::default() {
            return Err(self.err(
                span,
                "requires",
                "`anyone = true` cannot be combined with other conditions",
            ));
        }
        if !req.anyone && conditions == Requirement::default() {
            return Err(self.err(
                span,
                "requires",
                "is empty: give at least one condition, or `anyone = true` for a benefit that rests on no finding",
            ));
        }
        Ok(req)
    }

    fn id(&self, id: &Spanned<String>, seen: &mut BTreeSet<String>) -> Result<String, RulesError> {
        let s = id.get_ref();
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Err(self.err(
                id.span(),
                "id",
                format!("`{s}` must be snake_case (a-z, 0-9, _)"),
            ));
        }
        if !seen.insert(s.clone()) {
            return Err(self.err(id.span(), "id", format!("`{s}` is used twice")));
        }
        Ok(s.clone())
    }
}

impl Rules {
    /// Parses and checks one year's file. `file` is its name, for messages
    /// (`benefits-2024.toml`); when it has that form, its year must match
    /// the `year` inside.
    pub fn parse(file: &str, text: &str) -> Result<Rules, RulesError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| RulesError::from_toml(file, text, &e))?;
        let c = Checker { file, text };
        let year = *raw.year.get_ref();
        if !(2000..=2200).contains(&year) {
            return Err(c.err(raw.year.span(), "year", "must be a year from 2000 to 2200"));
        }
        let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
        if let Some(named) = base
            .strip_prefix("benefits-")
            .and_then(|s| s.strip_suffix(".toml"))
            .and_then(|s| s.parse::<i32>().ok())
            && named != year
        {
            return Err(c.err(
                raw.year.span(),
                "year",
                format!("is {year} but the file name says {named}"),
            ));
        }
        if raw.source.trim().is_empty() {
            return Err(c.err(0..0, "source", "must say where the figures come from"));
        }

        let mut seen = BTreeSet::new();
        let mut economic = Vec::new();
        let mut pending: Vec<Vec<Spanned<String>>> = Vec::new();
        for e in raw.economic {
            let id = c.id(&e.id, &mut seen)?;
            let span = e.id.span();
            c.text(&e.name, span.clone(), "name")?;
            if let Some(n) = &e.note {
                c.text(n, span.clone(), "note")?;
            }
            if let Some(d) = &e.depends {
                c.text(d, span.clone(), "depends")?;
            }
            if let Some(p) = &e.payments_per_year
                && !(1..=14).contains(p.get_ref())
            {
                return Err(c.err(
                    p.span(),
                    "payments_per_year",
                    "must be from 1 to 14, or left out when not a fixed number",
                ));
            }
            let supplement = match e.supplement {
                Some(s) => {
                    c.text(&s.name, span.clone(), "supplement.name")?;
                    Some(Supplement {
                        name: s.name,
                        ages: c.ages(s.min_age, s.below_age)?,
                        income_limit_single: s.income_limit_single_eur,
                        income_limit_married: s.income_limit_married_eur,
                    })
                }
                None => None,
            };
            pending.push(e.incompatible_with);
            economic.push(EconomicRule {
                id,
                name: e.name,
                legal_basis: e.legal_basis,
                requires: c.requirement(e.requires)?,
                ages: c.ages(e.min_age, e.below_age)?,
                monthly_amount: e.monthly_amount_eur,
                payments_per_year: e.payments_per_year.map(Spanned::into_inner),
                income_limit: e.income_limit_eur,
                supplement,
                depends: e.depends,
                incompatible_with: Vec::new(),
                note: e.note,
            });
        }
        // Incompatibilities name other economic benefits of the same file;
        // the table lists them on one side or both, the answer on both.
        let ids: Vec<String> = economic.iter().map(|r| r.id.clone()).collect();
        for (i, list) in pending.into_iter().enumerate() {
            for other in list {
                let name = other.get_ref();
                let Some(j) = ids.iter().position(|id| id == name) else {
                    return Err(c.err(
                        other.span(),
                        "incompatible_with",
                        format!("names `{name}`, which is not an economic benefit in this file"),
                    ));
                };
                if i == j {
                    return Err(c.err(
                        other.span(),
                        "incompatible_with",
                        format!("`{name}` names itself"),
                    ));
                }
                for (a, b) in [(i, j), (j, i)] {
                    if !economic[a].incompatible_with.contains(&ids[b]) {
                        economic[a].incompatible_with.push(ids[b].clone());
                    }
                }
            }
        }

        let mut non_economic = Vec::new();
        for n in raw.non_economic {
            let id = c.id(&n.id, &mut seen)?;
            c.text(&n.name, n.id.span(), "name")?;
            non_economic.push(NonEconomicRule {
                id,
                name: n.name,
                requires: c.requirement(n.requires)?,
                ages: c.ages(n.min_age, n.below_age)?,
            });
        }
        Ok(Rules {
            year,
            source: raw.source,
            economic,
            non_economic,
        })
    }
}
