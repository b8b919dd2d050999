//! "What am I entitled to?" (issue #8, SPEC §6 `GET /api/v1/me/benefits`,
//! §9.10): the citizen's status against the year's benefit tables.
//!
//! The tables are the `rules/benefits-YYYY.toml` files, embedded at build
//! time (see `build.rs`) and checked once: `attesta serve` calls
//! [`check_benefit_rules`] before it listens, so a bad file stops the start
//! with its name, line and field.

use crate::ErrorCode;
use std::sync::LazyLock;

use attesta_domain::benefits::{Entitlements, Euros, RuleBook, RulesError};
use attesta_domain::{FieldError, Status, age_on, format_date, parse_date};
use time::Date;

use crate::{App, AppError, AppResult};

/// `(file name, text)` of every embedded rules file.
const EMBEDDED: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/benefit_rules.rs"));

static RULES: LazyLock<Result<RuleBook, RulesError>> =
    LazyLock::new(|| RuleBook::from_files(EMBEDDED.iter().copied()));

/// The benefit tables, parsed and checked once.
pub fn benefit_rules() -> Result<&'static RuleBook, RulesError> {
    RULES.as_ref().map_err(Clone::clone)
}

/// Called at start: refuse to serve with a rules file that has a mistake.
pub fn check_benefit_rules() -> Result<(), RulesError> {
    benefit_rules().map(|_| ())
}

/// The answer for the citizen, with what it was computed from.
#[derive(Debug, Clone)]
pub struct BenefitsView {
    pub entitlements: Entitlements,
    /// The day the answer is for.
    pub on: Date,
    pub age: i32,
    /// The declared income, if any (never stored).
    pub income: Option<Euros>,
}

/// Parses the optional `income` and `on` query values (empty = absent):
/// every mistake as a 422 `invalid_query` field error that says what to
/// write instead.
pub fn parse_benefits_query(
    income: Option<&str>,
    on: Option<&str>,
) -> AppResult<(Option<Euros>, Option<Date>)> {
    let mut errors = Vec::new();
    let income = match income.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match Euros::parse(s) {
            Ok(e) => Some(e),
            Err(why) => {
                errors.push(FieldError::new(
                    "income",
                    format!("{why}: write your own annual income in euros, e.g. 12000 or 12000.50"),
                ));
                None
            }
        },
    };
    let on = match on.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match parse_date(s) {
            Some(d) => Some(d),
            None => {
                errors.push(FieldError::new(
                    "on",
                    "must be a date written YYYY-MM-DD, e.g. 2024-06-30",
                ));
                None
            }
        },
    };
    if errors.is_empty() {
        Ok((income, on))
    } else {
        Err(invalid_query(errors))
    }
}

fn invalid_query(fields: Vec<FieldError>) -> AppError {
    let message = fields
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    AppError::new(
        ErrorCode::InvalidQuery,
        format!("Fix the query: {message}."),
    )
    .with_fields(fields)
}

impl App {
    /// `GET /api/v1/me/benefits`: what the person may be entitled to on
    /// `on` (default: today in Italy), under the latest tables not after
    /// that year, with an optional declared annual income.
    pub async fn benefits(
        &self,
        person_id: &str,
        income: Option<Euros>,
        on: Option<Date>,
    ) -> AppResult<BenefitsView> {
        let book = benefit_rules().map_err(|e| AppError::internal(&e))?;
        let today = self.today();
        let on = on.unwrap_or(today);
        let rules = book.for_date(on).ok_or_else(|| {
            invalid_query(vec![FieldError::new(
                "on",
                format!(
                    "attesta holds the benefit tables from {} on: give a date from {}-01-01",
                    book.first_year(),
                    book.first_year()
                ),
            )])
        })?;
        let record = self
            .store
            .person_by_id(person_id)
            .await?
            .ok_or_else(AppError::login_required)?;
        let birth = record.person.birth_date;
        if on < birth {
            return Err(invalid_query(vec![FieldError::new(
                "on",
                format!("is before your birth date ({})", format_date(birth)),
            )]));
        }
        // The stored status is today's and holds for later days (verbali
        // dated in the future are refused); an earlier day is replayed from
        // the verbali as they stood then.
        let status = if on >= today {
            record.status
        } else {
            let verbali = self.store.verbali_of(person_id).await?;
            Status::compute(&verbali, on)
        };
        let age = age_on(birth, on);
        Ok(BenefitsView {
            entitlements: rules.entitlements(&status, age, income),
            on,
            age,
            income,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_rules_are_valid() {
        check_benefit_rules().unwrap_or_else(|e| panic!("{e}"));
        assert!(
            EMBEDDED
                .iter()
                .any(|(name, _)| *name == "rules/benefits-2024.toml")
        );
    }

    #[test]
    fn query_values_are_checked_together() {
        assert_eq!(parse_benefits_query(None, Some("")).unwrap(), (None, None));
        let e = parse_benefits_query(Some("-5"), Some("2024-02-30")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidQuery);
        let fields: Vec<&str> = e.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["income", "on"]);
        assert!(e.message.contains("negative"), "{}", e.message);
    }
}
