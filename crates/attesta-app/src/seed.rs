//! `attesta seed --people N [--tokens FILE]` (SPEC §7): synthetic people
//! with valid codici fiscali and one qualifying verbale each, for load tests.
//!
//! Person `i` (0-based) is always the same: re-seeding updates the same
//! people and finds their verbali unchanged. The codici fiscali are valid
//! (check character included) but carry the birthplace code `Z999`, which
//! no comune or country has, so they never collide with a real person.

use std::fmt;

use attesta_credential::{AttestationId, Token};
use attesta_domain::{
    Activity, FiscalCode, PersonInput, VerbaleInput, fiscal_code::with_check_character,
};
use attesta_store::{Batch, BulkIngest, IngestOutcome, NewAttestation, Upserted};
use serde_json::{Map, Value, json};

use crate::{App, AppError, AppResult, to_millis};

/// The most people `seed` can make: six letters give 26⁶ distinct codes.
pub const MAX_PEOPLE: u64 = 26u64.pow(6);

/// People written per transaction.
pub const BATCH_SIZE: usize = 5_000;

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
/// definitive code-03 (80%) verbale, `BATCH_SIZE` people per transaction,
/// through the import's bulk statements. With `with_tokens`, also accepts
/// each one's privacy notice and generates their attestation (revoking one
/// made by an earlier run), in bulk too, with the same checks and activity
/// rows as the citizen's own use cases.
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
    let stage = if with_tokens {
        SeedStage::Attestations
    } else {
        SeedStage::People
    };
    progress(stage, 0, count);
    let mut start = 0;
    while start < count {
        let end = (start + BATCH_SIZE as u64).min(count);
        let now = to_millis(app.now());
        let mut people = Vec::with_capacity((end - start) as usize);
        let mut verbali = Vec::with_capacity((end - start) as usize);
        for index in start..end {
            let s = synthetic(index);
            let cf = with_check_character(&s.code_first15)
                .map_err(|e| AppError::internal(&format!("synthetic codice fiscale: {e}")))?;
            people.push(
                PersonInput::parse(Ok(cf.clone()), &person_body(&s), today)
                    .map_err(|e| AppError::internal(&format!("synthetic person: {e:?}")))?,
            );
            verbali.push(
                VerbaleInput::parse(&verbale_body(index, &cf), today)
                    .map_err(|e| AppError::internal(&format!("synthetic verbale: {e:?}")))?,
            );
        }
        let mut batch = app.store().bulk_batch().await?;
        for outcome in batch.upsert_people(&people, now).await? {
            match outcome {
                Upserted::Created => report.created += 1,
                Upserted::Updated => report.updated += 1,
            }
        }
        let outcomes = batch.ingest_verbali(&verbali, today, now).await?;
        for (verbale, outcome) in verbali.iter().zip(outcomes) {
            match outcome {
                BulkIngest::Done(Ok(IngestOutcome::Created)) => report.verbali_created += 1,
                BulkIngest::Done(Ok(_)) => {}
                // Only a verbale stored with other content (or linked to an
                // application) can refuse here: someone else used the
                // SEED- id space.
                other => {
                    return Err(AppError::internal(&format!(
                        "synthetic verbale {} refused: {other:?}",
                        verbale.id
                    )));
                }
            }
        }
        if with_tokens {
            let tokens = attestations(app, &mut batch, &people, today, now).await?;
            report.tokens.extend(tokens);
        }
        batch.commit().await?;
        progress(stage, end, count);
        start = end;
    }
    Ok(report)
}

/// In the batch: the privacy notice accepted and a new attestation for
/// each person (checked as [`App::new_attestation`] checks one), with the
/// same activity rows as the two use cases.
async fn attestations(
    app: &App,
    batch: &mut Batch,
    people: &[attesta_domain::Person],
    today: time::Date,
    now: attesta_store::Millis,
) -> AppResult<Vec<SeededToken>> {
    let codes: Vec<&FiscalCode> = people.iter().map(|p| &p.fiscal_code).collect();
    let stored = batch.people_by_fiscal_codes(&codes).await?;
    let mut records = Vec::with_capacity(people.len());
    for person in people {
        let record = stored
            .get(person.fiscal_code.as_str())
            .ok_or_else(|| AppError::internal(&"a seeded person is missing"))?;
        if !record
            .status
            .level1(record.person.birth_date, today)
            .qualifies
        {
            return Err(AppError::new(
                crate::ErrorCode::NoQualifyingStatus,
                format!("seeded person {} does not qualify", record.person_id),
            ));
        }
        records.push(record);
    }
    let ids: Vec<&str> = records.iter().map(|r| r.person_id.as_str()).collect();
    batch.accept_privacy_notices(&ids, now).await?;
    let mut rows = Vec::with_capacity(records.len());
    let mut tokens = Vec::with_capacity(records.len());
    for record in &records {
        let id = AttestationId::generate();
        let token = Token::derive(&app.secret, &id);
        rows.push(NewAttestation {
            person_id: record.person_id.clone(),
            attestation_id: id.to_hex(),
            token_hash: token.storage_hash(),
        });
        tokens.push(SeededToken {
            token: token.encode().to_uppercase(),
            fiscal_code: record.person.fiscal_code.clone(),
        });
    }
    batch.create_attestations(&rows, now).await?;
    let activity: Vec<(&str, Activity)> = ids
        .iter()
        .flat_map(|id| {
            [
                (*id, Activity::PrivacyNoticeAccepted),
                (*id, Activity::AttestationGenerated),
            ]
        })
        .collect();
    batch.record_activities(&activity, BY_NAME, now).await?;
    Ok(tokens)
}

/// Who the seeded activity rows say did it.
const BY_NAME: &str = "attesta seed";

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
