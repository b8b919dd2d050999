//! `attesta seed --people N [--tokens FILE]` (SPEC §7): synthetic people
//! with valid codici fiscali and one qualifying verbale each, for load tests.
//!
//! Person `i` (0-based) is always the same: re-seeding updates the same
//! people and finds their verbali unchanged. The codici fiscali are valid
//! (check character included) but carry the birthplace code `Z999`, which
//! no comune or country has, so they never collide with a real person.

use std::fmt;

use attesta_domain::{FiscalCode, PersonInput, VerbaleInput, fiscal_code::with_check_character};
use attesta_store::{IngestOutcome, Upserted};
use serde_json::{Map, Value, json};

use crate::{App, AppError, AppResult, to_millis};

/// The most people `seed` can make: six letters give 26⁶ distinct codes.
pub const MAX_PEOPLE: u64 = 26u64.pow(6);

/// People written per transaction.
pub const BATCH_SIZE: usize = 500;

/// What `seed` is doing, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeedStage {
    /// Writing people and their verbali.
    People,
    /// Accepting the privacy notice and generating the attestations.
    Attestations,
}

impl fmt::Display for SeedStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SeedStage::People => "people",
            SeedStage::Attestations => "attestations",
        })
    }
}

/// One generated attestation: the 26-character token and its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeededToken {
    pub token: String,
    pub fiscal_code: FiscalCode,
}

/// What `seed` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub people: u64,
    /// People new to the database.
    pub created: u64,
    /// People already there (same index, earlier run).
    pub updated: u64,
    /// Verbali written now (the others were already stored).
    pub verbali_created: u64,
    /// With `with_tokens`, one per person, in index order.
    pub tokens: Vec<SeededToken>,
}

/// The codice fiscale of synthetic person `index` (< [`MAX_PEOPLE`]).
pub fn synthetic_fiscal_code(index: u64) -> FiscalCode {
    let Synthetic { code_first15, .. } = synthetic(index);
    with_check_character(&code_first15).expect("synthetic codes are well formed")
}

struct Synthetic {
    code_first15: String,
    given_name: &'static str,
    family_name: &'static str,
    birth_date: String,
    mobile: String,
}

const GIVEN: [&str; 16] = [
    "Mario",
    "Giulia",
    "Luca",
    "Francesca",
    "Marco",
    "Chiara",
    "Andrea",
    "Sara",
    "Giuseppe",
    "Anna",
    "Paolo",
    "Elena",
    "Stefano",
    "Laura",
    "Davide",
    "Marta",
];
const FAMILY: [&str; 16] = [
    "Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
    "Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano",
];
const MONTH_LETTERS: &[u8; 12] = b"ABCDEHLMPRST";

fn synthetic(index: u64) -> Synthetic {
    assert!(index < MAX_PEOPLE, "at most {MAX_PEOPLE} synthetic people");
    let mut letters = [b'A'; 6];
    let mut n = index;
    for slot in letters.iter_mut().rev() {
        *slot = b'A' + (n % 26) as u8;
        n /= 26;
    }
    let letters = std::str::from_utf8(&letters).expect("ASCII");
    // Adults born 1940–1999, on days 1–28 so that every month has them.
    let year = 1940 + index % 60;
    let month = (index / 60) % 12;
    let day = 1 + (index / 720) % 28;
    let female = index % 2 == 1;
    let code_day = if female { day + 40 } else { day };
    let code_first15 = format!(
        "{letters}{:02}{}{code_day:02}Z999",
        year % 100,
        MONTH_LETTERS[month as usize] as char
    );
    let given = if female { 1 } else { 0 } + 2 * ((index / 2) % 8);
    Synthetic {
        code_first15,
        given_name: GIVEN[given as usize],
        family_name: FAMILY[((index / 16) % 16) as usize],
        birth_date: format!("{year:04}-{:02}-{day:02}", month + 1),
        mobile: format!("+393{:09}", index % 1_000_000_000),
    }
}

fn person_body(s: &Synthetic) -> Map<String, Value> {
    let value = json!({
        "given_name": s.given_name,
        "family_name": s.family_name,
        "birth_date": s.birth_date,
        "mobile": s.mobile,
    });
    value.as_object().expect("an object").clone()
}

fn verbale_body(index: u64, cf: &FiscalCode) -> Map<String, Value> {
    let value = json!({
        "verbale_id": format!("SEED-{index:09}"),
        "fiscal_code": cf.as_str(),
        "kind": "first_instance",
        "session_date": "2024-05-10",
        "definitive": true,
        "source": "telematic",
        "invalidity_code": "03",
        "invalidity_percentage": 80,
        "accompaniment": false,
        "blindness": "none",
        "deafness": false,
        "handicap": "none",
        "art21": false,
        "law68_disability": false,
        "dl5_2012_art4": false,
        "revision": {"none": true},
        "judgement": "Synthetic verbale made by `attesta seed` for load tests.",
    });
    value.as_object().expect("an object").clone()
}

/// Makes `count` synthetic people (indices 0..count), each with one
/// definitive code-03 (80%) verbale, `BATCH_SIZE` people per transaction.
/// With `with_tokens`, also accepts each one's privacy notice and generates
/// their attestation (revoking one made by an earlier run).
/// `progress(stage, done, total)` is called after every batch.
pub async fn seed(
    app: &App,
    count: u64,
    with_tokens: bool,
    mut progress: impl FnMut(SeedStage, u64, u64),
) -> AppResult<SeedReport> {
    if count > MAX_PEOPLE {
        return Err(AppError::invalid_request(format!(
            "at most {MAX_PEOPLE} synthetic people can be made"
        )));
    }
    let today = app.today();
    let mut report = SeedReport {
        people: count,
        ..SeedReport::default()
    };
    let mut codes = Vec::with_capacity(if with_tokens { count as usize } else { 0 });
    progress(SeedStage::People, 0, count);
    let mut start = 0;
    while start < count {
        let end = (start + BATCH_SIZE as u64).min(count);
        let now = to_millis(app.now());
        let mut batch = app.store().batch().await?;
        for index in start..end {
            let s = synthetic(index);
            let cf = with_check_character(&s.code_first15)
                .map_err(|e| AppError::internal(&format!("synthetic codice fiscale: {e}")))?;
            let person = PersonInput::parse(Ok(cf.clone()), &person_body(&s), today)
                .map_err(|e| AppError::internal(&format!("synthetic person: {e:?}")))?;
            let verbale = VerbaleInput::parse(&verbale_body(index, &cf), today)
                .map_err(|e| AppError::internal(&format!("synthetic verbale: {e:?}")))?;
            match batch.upsert_person(&person, now).await? {
                Upserted::Created => report.created += 1,
                Upserted::Updated => report.updated += 1,
            }
            match batch.ingest_verbale(&verbale, now).await? {
                Ok(IngestOutcome::Created) => report.verbali_created += 1,
                Ok(_) => {}
                Err(e) => {
                    // Only a verbale stored with other content can refuse
                    // here: someone else used the SEED- id space.
                    return Err(AppError::internal(&format!(
                        "synthetic verbale SEED-{index:09} refused: {e:?}"
                    )));
                }
            }
            if with_tokens {
                codes.push(cf);
            }
        }
        batch.commit().await?;
        progress(SeedStage::People, end, count);
        start = end;
    }
    if with_tokens {
        progress(SeedStage::Attestations, 0, count);
        for (done, cf) in codes.into_iter().enumerate() {
            let record = app
                .store()
                .person_by_fiscal_code(&cf)
                .await?
                .ok_or_else(|| AppError::internal(&"a seeded person is missing"))?;
            let actor = crate::Actor::own(record.person_id.clone(), "attesta seed");
            app.accept_privacy_notice(&actor).await?;
            let (view, _) = app.new_attestation(&actor).await?;
            let token = view.url.rsplit('/').next().unwrap_or_default().to_owned();
            report.tokens.push(SeededToken {
                token,
                fiscal_code: cf,
            });
            let done = done as u64 + 1;
            if done.is_multiple_of(BATCH_SIZE as u64) || done == count {
                progress(SeedStage::Attestations, done, count);
            }
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn synthetic_codes_are_valid_unique_and_match_the_birth_date() {
        let mut seen = HashSet::new();
        for index in (0..5000).chain([MAX_PEOPLE - 1, 123_456_789]) {
            let cf = synthetic_fiscal_code(index);
            assert!(FiscalCode::parse(cf.as_str()).is_ok());
            assert!(seen.insert(cf.as_str().to_owned()), "duplicate at {index}");
            let s = synthetic(index);
            let person = PersonInput::parse(
                Ok(cf.clone()),
                &person_body(&s),
                time::macros::date!(2026 - 01 - 01),
            );
            assert!(person.is_ok(), "{index}: {person:?}");
            assert_eq!(&cf.as_str()[6..8], &s.birth_date[2..4]);
        }
    }

    #[test]
    fn the_synthetic_verbale_is_valid() {
        let cf = synthetic_fiscal_code(7);
        assert!(
            VerbaleInput::parse(&verbale_body(7, &cf), time::macros::date!(2026 - 01 - 01)).is_ok()
        );
    }
}
