//! The status of a person on a date, and the level-1 outcome (SPEC §2, §9).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Date;

use crate::Verbale;
use crate::input::{Fields, format_date, parse_date};
use crate::verbale::{Blindness, Findings, Group, Handicap, Revision, VerbaleKind};

/// Which verbale a finding group came from (shown at level 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusSource {
    pub verbale_id: String,
    pub verbale_kind: VerbaleKind,
    pub session_date: Date,
    pub judgement: Option<String>,
}

/// For each finding group, the value from the latest definitive verbale
/// that assessed it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    pub findings: Findings,
    pub sources: BTreeMap<Group, StatusSource>,
}

/// The four area flags of a level-1 answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AreaFlags {
    pub civil_invalidity: bool,
    pub civil_blindness: bool,
    pub deafness: bool,
    pub handicap: bool,
}

/// The level-1 answer: whether the person falls in at least one of the
/// listed cases on the day, and the four areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level1Outcome {
    pub qualifies: bool,
    pub flags: AreaFlags,
}

impl Level1Outcome {
    /// How the check is written in the citizen's log.
    pub fn check_outcome(&self) -> CheckOutcome {
        if self.qualifies {
            CheckOutcome::Qualifies
        } else {
            CheckOutcome::DoesNotQualify
        }
    }

    pub fn as_str(&self) -> &'static str {
        self.check_outcome().as_str()
    }
}

/// What one line of the citizen's log of checks says happened (SPEC §6
/// `GET /api/v1/me/verifications`), as stored in `verifications.outcome`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckOutcome {
    /// Level 1 (or 2) answered: falls in at least one of the cases.
    Qualifies,
    /// Level 1 (or 2) answered: falls in none of the cases.
    DoesNotQualify,
    /// A wrong codice fiscale was typed for this QR.
    FiscalCodeMismatch,
    /// The QR was refused: too many wrong codici fiscali.
    Locked,
    /// A level-2 code went to the holder's mobile.
    OtpSent,
    /// A wrong level-2 code was typed.
    OtpFailed,
    /// The operator saw the level-2 detail.
    Level2Viewed,
    /// A revoked QR was read or checked (a lost or replaced printout in use).
    RevokedQr,
}

impl CheckOutcome {
    pub const ALL: [CheckOutcome; 8] = [
        CheckOutcome::Qualifies,
        CheckOutcome::DoesNotQualify,
        CheckOutcome::FiscalCodeMismatch,
        CheckOutcome::Locked,
        CheckOutcome::OtpSent,
        CheckOutcome::OtpFailed,
        CheckOutcome::Level2Viewed,
        CheckOutcome::RevokedQr,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Qualifies => "qualifies",
            CheckOutcome::DoesNotQualify => "does_not_qualify",
            CheckOutcome::FiscalCodeMismatch => "fiscal_code_mismatch",
            CheckOutcome::Locked => "locked",
            CheckOutcome::OtpSent => "otp_sent",
            CheckOutcome::OtpFailed => "otp_failed",
            CheckOutcome::Level2Viewed => "level2_viewed",
            CheckOutcome::RevokedQr => "revoked_qr",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// Whole years between `birth` and `on` (the birthday counts from its day;
/// 29 February birthdays count from 1 March in common years).
pub fn age_on(birth: Date, on: Date) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month() as u8, on.day()) < (birth.month() as u8, birth.day()) {
        age -= 1;
    }
    age
}

impl Status {
    /// The status on `on` from a person's verbali, given in the order they
    /// were ingested. Non-definitive verbali never count; ties on the session
    /// date go to the later ingested (SPEC §2).
    pub fn compute<'a>(verbali: impl IntoIterator<Item = &'a Verbale>, on: Date) -> Status {
        let mut counted: Vec<(usize, &Verbale)> = verbali
            .into_iter()
            .enumerate()
            .filter(|(_, v)| v.definitive && v.session_date <= on)
            .collect();
        counted.sort_by_key(|(seq, v)| (v.session_date, *seq));
        let mut status = Status::default();
        for (_, v) in counted {
            for group in Group::ALL {
                if v.findings.assessed(group) {
                    status.findings.take_group(&v.findings, group);
                    status.sources.insert(
                        group,
                        StatusSource {
                            verbale_id: v.id.clone(),
                            verbale_kind: v.kind,
                            session_date: v.session_date,
                            judgement: v.judgement.clone(),
                        },
                    );
                }
            }
        }
        status
    }

    /// True when no definitive verbale assessed anything.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The level-1 outcome on `on` for a person born on `birth_date`
    /// (SPEC §2 and §9.1–§9.5).
    pub fn level1(&self, birth_date: Date, on: Date) -> Level1Outcome {
        let f = &self.findings;
        let code = f.invalidity.map(|i| (i.code.number(), i.percentage));
        // §9.2: code 07 counts while the person is under 18 on the day.
        let invalid_minor = matches!(code, Some((7, _))) && age_on(birth_date, on) < 18;
        // §9.1: 02 only with ≥ 34; 03–06; 11 is the over-67 recognition.
        let civil_invalidity_case = match code {
            Some((2, Some(p))) => p >= 34,
            Some((3..=6 | 11, _)) => true,
            _ => false,
        };
        // §9.3: the right recognised in the verbale (flag, or implied by code).
        let accompaniment =
            f.accompaniment == Some(true) || matches!(code, Some((5 | 6 | 9 | 12, _)));
        let blindness = matches!(f.blindness, Some(Blindness::Partial | Blindness::Absolute));
        let deafness = f.deafness == Some(true);
        let law104 = matches!(
            f.handicap.map(|h| h.handicap),
            Some(Handicap::Art3C1 | Handicap::Art3C3)
        );
        // §9.4: Law 68/99 sets the handicap flag but is not one of the six cases.
        let law68 = f.law68_disability == Some(true);
        let flags = AreaFlags {
            civil_invalidity: civil_invalidity_case
                || invalid_minor
                || matches!(code, Some((12, _))),
            civil_blindness: blindness,
            deafness,
            handicap: law104 || law68,
        };
        // §9.5: a revision date in the past does not enter this computation.
        let qualifies = civil_invalidity_case
            || invalid_minor
            || accompaniment
            || blindness
            || deafness
            || law104;
        Level1Outcome { qualifies, flags }
    }

    /// §9.5: a revision month that has passed without a new verbale.
    pub fn revision_overdue(&self, on: Date) -> bool {
        matches!(self.findings.revision, Some(Revision::Due(ym)) if ym.is_before_month_of(on))
    }

    /// The stored form (the person's current status, kept up to date as
    /// verbali arrive so that a check is one indexed read). Compact: each
    /// source verbale once, with the groups it gave
    /// (`{"findings": …, "from": [{"verbale_id", "verbale_kind",
    /// "session_date", "judgement", "groups": […]}]}`), not its judgement
    /// repeated for every group (issue #15: a seeded person's status went
    /// from 1,651 bytes to a third of that).
    pub fn to_json(&self) -> Value {
        let mut from: Vec<(&StatusSource, Vec<&'static str>)> = Vec::new();
        for (group, s) in &self.sources {
            match from.iter_mut().find(|(f, _)| *f == s) {
                Some((_, groups)) => groups.push(group_name(*group)),
                None => from.push((s, vec![group_name(*group)])),
            }
        }
        let from: Vec<Value> = from
            .into_iter()
            .map(|(s, groups)| {
                json!({
                    "verbale_id": s.verbale_id,
                    "verbale_kind": s.verbale_kind.as_str(),
                    "session_date": format_date(s.session_date),
                    "judgement": s.judgement,
                    "groups": groups,
                })
            })
            .collect();
        json!({"findings": self.findings.to_json(), "from": from})
    }

    /// Reads the stored form back: the compact one of [`Status::to_json`],
    /// or the earlier one (`"sources"`: one entry per group) that databases
    /// written before it still hold. `None` if it is neither.
    pub fn from_json(value: &Value) -> Option<Status> {
        let findings_map = value.get("findings")?.as_object()?;
        let mut fields = Fields::new(findings_map);
        let findings = crate::verbale::findings_from(&mut fields);
        if !fields.errors.is_empty() {
            return None;
        }
        let source = |s: &Value| -> Option<StatusSource> {
            Some(StatusSource {
                verbale_id: s.get("verbale_id")?.as_str()?.to_owned(),
                verbale_kind: VerbaleKind::parse(s.get("verbale_kind")?.as_str()?)?,
                session_date: parse_date(s.get("session_date")?.as_str()?)?,
                judgement: s.get("judgement")?.as_str().map(str::to_owned),
            })
        };
        let group = |name: &str| Group::ALL.into_iter().find(|g| group_name(*g) == name);
        let mut sources = BTreeMap::new();
        if let Some(from) = value.get("from") {
            for s in from.as_array()? {
                let src = source(s)?;
                for name in s.get("groups")?.as_array()? {
                    sources.insert(group(name.as_str()?)?, src.clone());
                }
            }
        } else {
            for (name, s) in value.get("sources")?.as_object()? {
                sources.insert(group(name)?, source(s)?);
            }
        }
        Some(Status { findings, sources })
    }
}

/// The name of a finding group in JSON (SPEC §6 `sources`).
pub fn group_name(group: Group) -> &'static str {
    match group {
        Group::Invalidity => "invalidity",
        Group::Accompaniment => "accompaniment",
        Group::Blindness => "blindness",
        Group::Deafness => "deafness",
        Group::Handicap => "handicap",
        Group::Law68Disability => "law68_disability",
        Group::Dl52012Art4 => "dl5_2012_art4",
        Group::Revision => "revision",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::InputError;
    use crate::verbale::VerbaleInput;
    use serde_json::Map;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);
    const ADULT: Date = date!(1980 - 01 - 01);

    fn verbale(id: &str, session: &str, definitive: bool, findings: Value) -> Verbale {
        let mut m = json!({
            "verbale_id": id, "fiscal_code": "RSSMRA80A01H501U", "kind": "first_instance",
            "session_date": session, "definitive": definitive, "source": "telematic"
        })
        .as_object()
        .unwrap()
        .clone();
        m.extend(findings.as_object().unwrap().clone());
        match VerbaleInput::parse(&m, TODAY) {
            Ok(v) => v,
            Err(InputError::Invalid(e)) => panic!("{e:?}"),
            Err(e) => panic!("{e}"),
        }
    }

    /// Every finding group assessed, all "nothing": what a code-01 verbale
    /// that ends a status looks like.
    fn nothing(code01: bool) -> Value {
        let mut v = json!({"accompaniment": false, "blindness": "none", "deafness": false,
            "handicap": "none", "art21": false, "law68_disability": false, "dl5_2012_art4": false,
            "revision": {"none": true}});
        if code01 {
            v["invalidity_code"] = json!("01");
            v["invalidity_percentage"] = json!(20);
        }
        v
    }

    fn outcome(findings: Value, birth: Date) -> Level1Outcome {
        let v = verbale("V1", "2024-05-10", true, findings);
        Status::compute([&v], TODAY).level1(birth, TODAY)
    }

    fn qualifies(findings: Value) -> bool {
        outcome(findings, ADULT).qualifies
    }

    #[test]
    fn rule_9_1_thresholds() {
        assert!(!qualifies(
            json!({"invalidity_code": "01", "invalidity_percentage": 33})
        ));
        assert!(qualifies(
            json!({"invalidity_code": "02", "invalidity_percentage": 34})
        ));
        assert!(qualifies(
            json!({"invalidity_code": "03", "invalidity_percentage": 74})
        ));
        assert!(qualifies(
            json!({"invalidity_code": "04", "invalidity_percentage": 100})
        ));
        assert!(qualifies(
            json!({"invalidity_code": "05", "invalidity_percentage": 100})
        ));
        assert!(qualifies(
            json!({"invalidity_code": "06", "invalidity_percentage": 100})
        ));
        // 11: the over-67 recognition counts as civil invalidity.
        let o = outcome(json!({"invalidity_code": "11"}), date!(1950 - 03 - 01));
        assert!(o.qualifies && o.flags.civil_invalidity);
        // 12 qualifies through accompaniment.
        let o = outcome(json!({"invalidity_code": "12"}), date!(1950 - 03 - 01));
        assert!(o.qualifies);
        // 01 alone does not qualify, and sets no flag.
        let o = outcome(nothing(true), ADULT);
        assert_eq!(
            o,
            Level1Outcome {
                qualifies: false,
                flags: AreaFlags::default()
            }
        );
    }

    #[test]
    fn rule_9_1_code_02_needs_34_percent() {
        // The domain keeps the ≥ 34 rule even for stored data that predates
        // the 34–73 input range check.
        let mut s = Status::default();
        s.findings.invalidity = Some(crate::verbale::Invalidity {
            code: crate::InvalidityCode::parse("02").unwrap(),
            percentage: Some(33),
        });
        assert!(!s.level1(ADULT, TODAY).qualifies);
        assert!(!s.level1(ADULT, TODAY).flags.civil_invalidity);
    }

    #[test]
    fn rule_9_2_invalid_minor_until_the_18th_birthday() {
        let v = verbale("V1", "2020-05-10", true, json!({"invalidity_code": "07"}));
        let s = Status::compute([&v], TODAY);
        let birth = date!(2008 - 11 - 24);
        let o = s.level1(birth, TODAY);
        assert!(
            o.qualifies && o.flags.civil_invalidity,
            "17 years and 364 days"
        );
        let o = s.level1(birth, date!(2026 - 11 - 24));
        assert!(!o.qualifies && !o.flags.civil_invalidity, "18th birthday");
        // Other cases may still hold after 18.
        let v2 = verbale(
            "V2",
            "2020-05-10",
            true,
            json!({"invalidity_code": "07", "handicap": "art3_c1"}),
        );
        let o = Status::compute([&v2], TODAY).level1(birth, date!(2026 - 12 - 01));
        assert!(o.qualifies && o.flags.handicap && !o.flags.civil_invalidity);
    }

    #[test]
    fn leap_day_birthdays_turn_18_on_the_first_of_march() {
        assert_eq!(age_on(date!(2008 - 02 - 29), date!(2026 - 02 - 28)), 17);
        assert_eq!(age_on(date!(2008 - 02 - 29), date!(2026 - 03 - 01)), 18);
    }

    #[test]
    fn rule_9_3_accompaniment_is_the_recognised_right() {
        assert!(qualifies(json!({"accompaniment": true})));
        assert!(!qualifies(json!({"accompaniment": false})));
        assert!(qualifies(json!({"invalidity_code": "09"})));
    }

    #[test]
    fn blindness_and_deafness_qualify_and_set_their_flags() {
        let o = outcome(json!({"blindness": "partial"}), ADULT);
        assert!(o.qualifies && o.flags.civil_blindness);
        let o = outcome(json!({"invalidity_code": "09"}), ADULT);
        assert!(o.qualifies && o.flags.civil_blindness && !o.flags.civil_invalidity);
        let o = outcome(json!({"invalidity_code": "10"}), ADULT);
        assert!(o.qualifies && o.flags.deafness);
        assert!(!qualifies(json!({"blindness": "none", "deafness": false})));
    }

    #[test]
    fn rule_9_4_handicap_flag_and_law_68() {
        let o = outcome(json!({"handicap": "art3_c1"}), ADULT);
        assert!(o.qualifies && o.flags.handicap);
        let o = outcome(json!({"handicap": "art3_c3"}), ADULT);
        assert!(o.qualifies && o.flags.handicap);
        // Law 68/99 alone: the flag, but not one of the six cases.
        let o = outcome(json!({"law68_disability": true}), ADULT);
        assert!(!o.qualifies && o.flags.handicap);
        // Art. 21 alone is not one of the cases either.
        assert!(!qualifies(json!({"handicap": "none", "art21": true})));
    }

    #[test]
    fn rule_9_5_an_overdue_revision_does_not_end_the_status() {
        let v = verbale(
            "V1",
            "2020-05-10",
            true,
            json!({"invalidity_code": "03", "invalidity_percentage": 80, "revision": {"due": "2023-05"}}),
        );
        let s = Status::compute([&v], TODAY);
        assert!(s.level1(ADULT, TODAY).qualifies);
        assert!(s.revision_overdue(TODAY));
        assert!(
            !s.revision_overdue(date!(2023 - 05 - 31)),
            "not overdue during its month"
        );
    }

    #[test]
    fn non_definitive_verbali_never_count() {
        let v = verbale("V1", "2024-05-10", false, json!({"handicap": "art3_c3"}));
        let s = Status::compute([&v], TODAY);
        assert!(s.is_empty());
        assert!(!s.level1(ADULT, TODAY).qualifies);
    }

    #[test]
    fn a_later_verbale_replaces_only_what_it_assessed() {
        let first = verbale(
            "V1",
            "2020-01-10",
            true,
            json!({"invalidity_code": "03", "invalidity_percentage": 80, "handicap": "none"}),
        );
        let aggravation = verbale("V2", "2022-03-01", true, json!({"handicap": "art3_c3"}));
        let s = Status::compute([&first, &aggravation], TODAY);
        assert_eq!(s.findings.invalidity.unwrap().percentage, Some(80));
        assert_eq!(s.findings.handicap.unwrap().handicap, Handicap::Art3C3);
        assert_eq!(s.sources[&Group::Invalidity].verbale_id, "V1");
        assert_eq!(s.sources[&Group::Handicap].verbale_id, "V2");
    }

    #[test]
    fn a_code_01_verbale_assessing_everything_ends_the_status() {
        let first = verbale(
            "V1",
            "2020-01-10",
            true,
            json!({"invalidity_code": "03", "invalidity_percentage": 80, "handicap": "art3_c1"}),
        );
        let revision = verbale("V2", "2025-01-10", true, nothing(true));
        let s = Status::compute([&first, &revision], TODAY);
        assert!(!s.level1(ADULT, TODAY).qualifies);
        // Ingest order does not matter; the session date does.
        let s = Status::compute([&revision, &first], TODAY);
        assert!(!s.level1(ADULT, TODAY).qualifies);
    }

    #[test]
    fn ties_on_the_session_date_go_to_the_later_ingested() {
        let a = verbale("A", "2024-01-10", true, json!({"handicap": "art3_c3"}));
        let b = verbale("B", "2024-01-10", true, json!({"handicap": "none"}));
        assert!(
            !Status::compute([&a, &b], TODAY)
                .level1(ADULT, TODAY)
                .qualifies
        );
        assert!(
            Status::compute([&b, &a], TODAY)
                .level1(ADULT, TODAY)
                .qualifies
        );
    }

    #[test]
    fn status_on_a_date_ignores_later_verbali() {
        let a = verbale("A", "2020-01-10", true, json!({"handicap": "art3_c3"}));
        let b = verbale("B", "2024-01-10", true, nothing(true));
        let s = Status::compute([&a, &b], date!(2023 - 12 - 31));
        assert!(s.level1(ADULT, date!(2023 - 12 - 31)).qualifies);
    }

    #[test]
    fn stored_form_round_trips() {
        let a = verbale(
            "A",
            "2020-01-10",
            true,
            json!({"invalidity_code": "05", "invalidity_percentage": 100, "revision": {"due": "2027-05"}, "judgement": "text"}),
        );
        let b = verbale(
            "B",
            "2021-01-10",
            true,
            json!({"handicap": "art3_c3", "art21": true, "law68_disability": true, "dl5_2012_art4": true}),
        );
        let s = Status::compute([&a, &b], TODAY);
        assert_eq!(Status::from_json(&s.to_json()), Some(s.clone()));
        assert_eq!(Status::from_json(&json!({"x": 1})), None);
        // Compact: each source verbale once, with its groups.
        let stored = s.to_json();
        let from = stored["from"].as_array().unwrap();
        assert_eq!(from.len(), 2, "{stored}");
        assert_eq!(from[0]["verbale_id"], "A");
        assert_eq!(from[0]["judgement"], "text");
        assert!(from[0]["groups"].as_array().unwrap().len() >= 3, "{stored}");
        assert_eq!(stored.to_string().matches("\"text\"").count(), 1);
    }

    #[test]
    fn the_earlier_stored_form_is_still_read() {
        let a = verbale(
            "A",
            "2020-01-10",
            true,
            json!({"invalidity_code": "05", "invalidity_percentage": 100, "judgement": "text"}),
        );
        let b = verbale("B", "2021-01-10", true, json!({"handicap": "art3_c3"}));
        let s = Status::compute([&a, &b], TODAY);
        // The form written before the compact one: one entry per group.
        let sources: Map<String, Value> = s
            .sources
            .iter()
            .map(|(g, src)| {
                (
                    group_name(*g).to_owned(),
                    json!({"verbale_id": src.verbale_id, "verbale_kind": src.verbale_kind.as_str(),
                        "session_date": format_date(src.session_date), "judgement": src.judgement}),
                )
            })
            .collect();
        let earlier = json!({"findings": s.findings.to_json(), "sources": sources});
        assert_eq!(Status::from_json(&earlier), Some(s));
        let bad = json!({"findings": {}, "from": [{"verbale_id": "A", "groups": ["nope"]}]});
        assert_eq!(Status::from_json(&bad), None);
    }
}
