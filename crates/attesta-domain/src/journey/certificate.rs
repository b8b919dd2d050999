//! The doctor's introductory certificate (*certificato medico
//! introduttivo*, SPEC §10.2): what it asks, where it was issued, which
//! procedure it follows, and until when it can be used.

use serde_json::{Map, Value, json};
use time::{Date, Duration};

use super::procedures::{PROVINCES, ProcedureRules, Province};
use super::{CertificateStatus, Procedure, Purpose};
use crate::FiscalCode;
use crate::input::{Fields, InputError, format_date};

/// "Within 90 days of `issued_on`" (DOMAIN §9.2 step 2).
pub const APPLY_WITHIN_DAYS: i64 = 90;

/// What a certificate asks to be assessed: at least one purpose, none
/// twice, kept in the vocabulary's order so equal sets compare equal.
/// Which assessments a person asked for is health data: `Debug` shows only
/// how many.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Purposes(Vec<Purpose>);

impl std::fmt::Debug for Purposes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Purposes(<{} redacted>)", self.0.len())
    }
}

impl Purposes {
    /// `None` when the list is empty or names a purpose twice.
    pub fn new(purposes: impl IntoIterator<Item = Purpose>) -> Option<Purposes> {
        let given: Vec<Purpose> = purposes.into_iter().collect();
        let ordered: Vec<Purpose> = Purpose::ALL
            .iter()
            .copied()
            .filter(|p| given.contains(p))
            .collect();
        (!ordered.is_empty() && ordered.len() == given.len()).then_some(Purposes(ordered))
    }

    /// From stored words; `None` on an unknown word, a duplicate or none.
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<Purposes> {
        let parsed: Option<Vec<Purpose>> = words.into_iter().map(Purpose::parse).collect();
        Purposes::new(parsed?)
    }

    pub fn as_slice(&self) -> &[Purpose] {
        &self.0
    }

    pub fn contains(&self, purpose: Purpose) -> bool {
        self.0.contains(&purpose)
    }

    /// Whether the two ask to assess something in common (the "one at a
    /// time" rule).
    pub fn overlaps(&self, other: &Purposes) -> bool {
        self.0.iter().any(|p| other.contains(*p))
    }

    pub fn to_json(&self) -> Value {
        Value::Array(self.0.iter().map(|p| json!(p.as_str())).collect())
    }
}

/// A validated certificate. Its `Debug` leaves out what is personal or
/// health data (the codice fiscale, the purposes, `oncological`, the
/// doctor), so that a debug line cannot leak them.
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    pub certificate_id: String,
    pub fiscal_code: FiscalCode,
    pub issued_on: Date,
    pub purposes: Purposes,
    pub province: Province,
    /// The certificate reports a cancer (faster time targets).
    pub oncological: bool,
    /// Stated by the back office; it wins over the rules file.
    pub procedure: Option<Procedure>,
    pub doctor: Option<String>,
}

impl std::fmt::Debug for Certificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certificate")
            .field("certificate_id", &self.certificate_id)
            .field("fiscal_code", &self.fiscal_code)
            .field("issued_on", &self.issued_on)
            .field("purposes", &self.purposes)
            .field("province", &self.province)
            .field("oncological", &"<redacted>")
            .field("procedure", &self.procedure)
            .field("doctor", &self.doctor.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// How a re-submission of the same `certificate_id` relates to the stored
/// one (same content → 200, other → 409 `certificate_conflict`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateResubmission {
    Same,
    Conflict,
}

/// Why an application cannot be made from a certificate (SPEC §10.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationRefusal {
    /// 422 `invalid_application`: the reform needs no application.
    #[error("a certificate of the reform procedure opens its application itself")]
    Reform,
    /// 409 `certificate_used`: one application per certificate.
    #[error("this certificate already has its application")]
    Used,
    /// 422 `certificate_expired`: more than 90 days have passed.
    #[error("the 90 days to apply from this certificate ended on {}", format_date(*.last_day))]
    Expired { last_day: Date },
    /// 422 `certificate_expired`: its province has started the reform.
    #[error(
        "the reform started in this province on {}: a new certificate under the reform is needed",
        format_date(*.reform_from)
    )]
    ReformStarted { reform_from: Date },
}

impl ApplicationRefusal {
    /// The SPEC §10.2 error code.
    pub fn code(self) -> &'static str {
        match self {
            ApplicationRefusal::Reform => "invalid_application",
            ApplicationRefusal::Used => "certificate_used",
            ApplicationRefusal::Expired { .. } | ApplicationRefusal::ReformStarted { .. } => {
                "certificate_expired"
            }
        }
    }
}

impl Certificate {
    /// The procedure it follows: the back office's word, else the rules'.
    pub fn procedure(&self, rules: &ProcedureRules) -> Procedure {
        self.procedure
            .unwrap_or_else(|| rules.procedure_for(self.province, self.issued_on))
    }

    /// The last day an application may be made from an ordinary
    /// certificate: `issued_on` + 90 ("within N days of D" includes D+N),
    /// or the day before its province started the reform, whichever is
    /// earlier. `None` for a reform certificate.
    pub fn apply_by(&self, rules: &ProcedureRules) -> Option<Date> {
        match self.procedure(rules) {
            Procedure::Reform => None,
            Procedure::Ordinary => {
                let within = self.issued_on + Duration::days(APPLY_WITHIN_DAYS);
                Some(if self.procedure.is_some() {
                    // The back office stated the procedure: it wins, also
                    // over the province's later start.
                    within
                } else {
                    within.min(rules.ordinary_usable_until(self.province))
                })
            }
        }
    }

    /// Whether an application may be made from it on `on`; `used` is
    /// whether it already has one.
    pub fn may_apply(
        &self,
        rules: &ProcedureRules,
        used: bool,
        on: Date,
    ) -> Result<(), ApplicationRefusal> {
        if self.procedure(rules) == Procedure::Reform {
            return Err(ApplicationRefusal::Reform);
        }
        if used {
            return Err(ApplicationRefusal::Used);
        }
        let within = self.issued_on + Duration::days(APPLY_WITHIN_DAYS);
        if on > within {
            return Err(ApplicationRefusal::Expired { last_day: within });
        }
        let last = self.apply_by(rules).unwrap_or(within);
        if on > last {
            return Err(ApplicationRefusal::ReformStarted {
                reform_from: rules.reform_from(self.province),
            });
        }
        Ok(())
    }

    /// The certificate as the citizen sees it on `today`.
    pub fn status_on(&self, rules: &ProcedureRules, used: bool, today: Date) -> CertificateStatus {
        if used {
            return CertificateStatus::Used;
        }
        match self.apply_by(rules) {
            Some(last) if today > last => CertificateStatus::Expired,
            _ => CertificateStatus::Usable,
        }
    }

    /// How a re-submission relates to this one.
    pub fn compare(&self, new: &Certificate) -> CertificateResubmission {
        if self == new {
            CertificateResubmission::Same
        } else {
            CertificateResubmission::Conflict
        }
    }

    /// The canonical JSON under the API's field names (what is stored, and
    /// what [`CertificateInput::parse`] reads back).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("certificate_id".into(), json!(self.certificate_id));
        m.insert("fiscal_code".into(), json!(self.fiscal_code.as_str()));
        m.insert("issued_on".into(), json!(format_date(self.issued_on)));
        m.insert("purposes".into(), self.purposes.to_json());
        m.insert("province".into(), json!(self.province.as_str()));
        m.insert("oncological".into(), json!(self.oncological));
        if let Some(p) = self.procedure {
            m.insert("procedure".into(), json!(p.as_str()));
        }
        if let Some(d) = &self.doctor {
            m.insert("doctor".into(), json!(d));
        }
        Value::Object(m)
    }
}

/// The fields of a certificate body (`POST /api/v1/admin/certificates`).
pub const CERTIFICATE_FIELDS: &[&str] = &[
    "certificate_id",
    "fiscal_code",
    "issued_on",
    "purposes",
    "province",
    "oncological",
    "procedure",
    "doctor",
];

/// Validation of a certificate object from outside.
#[derive(Debug)]
pub struct CertificateInput;

impl CertificateInput {
    /// Validates a certificate body: [`InputError::UnknownFields`] for keys
    /// that are not certificate fields, else every invalid field at once.
    /// `issued_on` may not be after `today`. The rules are not consulted
    /// for the procedure (that is [`Certificate::procedure`]); they are
    /// taken so that a later check (e.g. a province's start) needs no new
    /// signature.
    pub fn parse(
        map: &Map<String, Value>,
        today: Date,
        _rules: &ProcedureRules,
    ) -> Result<Certificate, InputError> {
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !CERTIFICATE_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);

        let id = f.string("certificate_id").and_then(|s| {
            let ok = !s.is_empty()
                && s.len() <= 64
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b));
            if !ok {
                f.error(
                    "certificate_id",
                    "must be 1–64 characters: letters, digits, '-', '_', '.', '/'",
                );
            }
            ok.then(|| s.to_owned())
        });
        let id = f.required("certificate_id", id);
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
        let issued_on = f.date("issued_on", today);
        let issued_on = f.required("issued_on", issued_on);
        let purposes = purposes_from(&mut f);
        let purposes = f.required("purposes", purposes);
        let province = f.string("province").and_then(|s| {
            let p = Province::parse(s);
            if p.is_none() {
                f.error(
                    "province",
                    format!(
                        "must be an Italian province code in capitals, e.g. \"BA\" ({} codes)",
                        PROVINCES.len()
                    ),
                );
            }
            p
        });
        let province = f.required("province", province);
        let oncological = f.boolean("oncological").unwrap_or(false);
        let procedure = f.choice("procedure", Procedure::parse, &choices(Procedure::ALL));
        let doctor = f.string("doctor").and_then(|s| {
            let s = s.trim();
            if s.chars().count() > 200 {
                f.error("doctor", "must be at most 200 characters");
                None
            } else {
                (!s.is_empty()).then(|| s.to_owned())
            }
        });

        match (id, fiscal_code, issued_on, purposes, province) {
            (
                Some(certificate_id),
                Some(fiscal_code),
                Some(issued_on),
                Some(purposes),
                Some(province),
            ) if f.errors.is_empty() => Ok(Certificate {
                certificate_id,
                fiscal_code,
                issued_on,
                purposes,
                province,
                oncological,
                procedure,
                doctor,
            }),
            _ => Err(InputError::Invalid(f.errors)),
        }
    }
}

/// The words of a vocabulary, for "must be one of: …".
pub(crate) fn choices<T: std::fmt::Display>(all: &[T]) -> String {
    all.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn purposes_from(f: &mut Fields<'_>) -> Option<Purposes> {
    let value = f.get("purposes")?;
    let reason = format!(
        "must be a list of one or more of: {}, each once",
        choices(Purpose::ALL)
    );
    let words: Option<Vec<&str>> = value
        .as_array()
        .and_then(|a| a.iter().map(Value::as_str).collect());
    let purposes = words.and_then(Purposes::from_words);
    if purposes.is_none() {
        f.error("purposes", reason);
    }
    purposes
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const CF: &str = "RSSMRA80A01H501U";

    fn rules() -> ProcedureRules {
        ProcedureRules::parse(include_str!("../../../../rules/procedures.toml")).unwrap()
    }

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    fn ordinary_in(province: &str, issued_on: &str) -> Certificate {
        let b = body(
            json!({"certificate_id":"C-1","fiscal_code":CF,"issued_on":issued_on,
            "purposes":["invalidity"],"province":province}),
        );
        CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap()
    }

    fn fields(e: InputError) -> Vec<String> {
        match e {
            InputError::Invalid(errors) => errors.into_iter().map(|e| e.field).collect(),
            InputError::UnknownFields(keys) => keys,
        }
    }

    #[test]
    fn a_full_body_parses_and_reads_back_from_its_json() {
        let b = body(
            json!({"certificate_id":"C-1","fiscal_code":CF,"issued_on":"2026-11-02",
            "purposes":["handicap","invalidity"],"province":"BA","oncological":true,
            "procedure":"ordinary","doctor":" Dr. Bianchi "}),
        );
        let c = CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap();
        assert_eq!(
            c.purposes.as_slice(),
            &[Purpose::Invalidity, Purpose::Handicap]
        );
        assert_eq!(c.doctor.as_deref(), Some("Dr. Bianchi"));
        assert!(c.oncological);
        let again = CertificateInput::parse(
            c.to_json().as_object().unwrap(),
            date!(2026 - 12 - 01),
            &rules(),
        )
        .unwrap();
        assert_eq!(c.compare(&again), CertificateResubmission::Same);
        let mut other = again.clone();
        other.purposes = Purposes::new([Purpose::Blindness]).unwrap();
        assert_eq!(c.compare(&other), CertificateResubmission::Conflict);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let b = body(json!({"certificate_id":"","fiscal_code":"RSSMRA80A01H501X",
            "issued_on":"2026-12-02","purposes":["invalidity","invalidity"],"province":"ba",
            "oncological":"yes","procedure":"new","doctor":7}));
        let got = fields(CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap_err());
        assert_eq!(
            got,
            [
                "certificate_id",
                "fiscal_code",
                "issued_on",
                "purposes",
                "province",
                "oncological",
                "procedure",
                "doctor"
            ]
        );
        let got = fields(
            CertificateInput::parse(&Map::new(), date!(2026 - 12 - 01), &rules()).unwrap_err(),
        );
        assert_eq!(
            got,
            [
                "certificate_id",
                "fiscal_code",
                "issued_on",
                "purposes",
                "province"
            ]
        );
        let b = body(json!({"purposes":[], "province":"BA"}));
        assert!(
            fields(CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap_err())
                .contains(&"purposes".to_owned())
        );
        let b = body(json!({"purposes":["walking"]}));
        match CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap_err() {
            InputError::Invalid(errors) => {
                let p = errors.iter().find(|e| e.field == "purposes").unwrap();
                assert!(p.reason.contains("law68_disability"), "{}", p.reason);
            }
            e => panic!("{e:?}"),
        }
        let b = body(json!({"certificate_id":"C-1","hospital":"x"}));
        assert_eq!(
            CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).unwrap_err(),
            InputError::UnknownFields(vec!["hospital".into()])
        );
    }

    #[test]
    fn issued_today_is_fine_tomorrow_is_the_future() {
        let b = body(
            json!({"certificate_id":"C-1","fiscal_code":CF,"issued_on":"2026-12-01",
            "purposes":["invalidity"],"province":"BA"}),
        );
        assert!(CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()).is_ok());
        assert_eq!(
            fields(CertificateInput::parse(&b, date!(2026 - 11 - 30), &rules()).unwrap_err()),
            ["issued_on"]
        );
    }

    #[test]
    fn the_application_is_due_within_90_days_of_the_certificate() {
        let r = rules();
        // Bari (ordinary until 2027), issued 1 August 2026: day 90 is 30 October.
        let c = ordinary_in("BA", "2026-08-01");
        assert_eq!(c.procedure(&r), Procedure::Ordinary);
        assert_eq!(c.apply_by(&r), Some(date!(2026 - 10 - 30)));
        // (on, result, status)
        let rows = [
            (date!(2026 - 08 - 01), Ok(()), CertificateStatus::Usable),
            (date!(2026 - 10 - 30), Ok(()), CertificateStatus::Usable),
            (
                date!(2026 - 10 - 31),
                Err(ApplicationRefusal::Expired {
                    last_day: date!(2026 - 10 - 30),
                }),
                CertificateStatus::Expired,
            ),
        ];
        for (on, want, status) in rows {
            assert_eq!(c.may_apply(&r, false, on), want, "{on}");
            assert_eq!(c.status_on(&r, false, on), status, "{on}");
        }
        assert_eq!(
            c.may_apply(&r, true, date!(2026 - 08 - 02)),
            Err(ApplicationRefusal::Used)
        );
        assert_eq!(
            c.status_on(&r, true, date!(2026 - 08 - 02)),
            CertificateStatus::Used
        );
    }

    #[test]
    fn an_ordinary_certificate_is_usable_only_before_its_province_starts() {
        let r = rules();
        // Bari: the reform starts everywhere on 1 January 2027.
        let c = ordinary_in("BA", "2026-11-15");
        assert_eq!(c.apply_by(&r), Some(date!(2026 - 12 - 31)));
        assert_eq!(c.may_apply(&r, false, date!(2026 - 12 - 31)), Ok(()));
        assert_eq!(
            c.may_apply(&r, false, date!(2027 - 01 - 01)),
            Err(ApplicationRefusal::ReformStarted {
                reform_from: date!(2027 - 01 - 01)
            })
        );
        assert_eq!(
            c.status_on(&r, false, date!(2027 - 01 - 01)),
            CertificateStatus::Expired
        );
        assert!(
            ApplicationRefusal::ReformStarted {
                reform_from: date!(2027 - 01 - 01)
            }
            .to_string()
            .contains("new certificate under the reform")
        );
        // Stated by the back office, the procedure wins over the start day.
        let mut stated = c.clone();
        stated.procedure = Some(Procedure::Ordinary);
        assert_eq!(stated.apply_by(&r), Some(date!(2027 - 02 - 13)));
    }

    #[test]
    fn a_reform_certificate_needs_no_application() {
        let r = rules();
        let c = ordinary_in("MI", "2026-03-01");
        assert_eq!(c.procedure(&r), Procedure::Reform);
        assert_eq!(c.apply_by(&r), None);
        assert_eq!(
            c.may_apply(&r, false, date!(2026 - 03 - 02)),
            Err(ApplicationRefusal::Reform)
        );
        let mut stated = ordinary_in("MI", "2026-02-28");
        assert_eq!(stated.procedure(&r), Procedure::Ordinary);
        stated.procedure = Some(Procedure::Reform);
        assert_eq!(stated.procedure(&r), Procedure::Reform);
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(
            id in ".{0,70}", cf in "[A-Z0-9]{0,17}", on in "[0-9-]{0,11}",
            purposes in proptest::collection::vec("[a-z68_]{0,17}", 0..4),
            province in "[A-Za-z]{0,3}", oncological in proptest::prelude::any::<bool>(),
        ) {
            let b = body(json!({"certificate_id":id,"fiscal_code":cf,"issued_on":on,
                "purposes":purposes,"province":province,"oncological":oncological}));
            if let Ok(c) = CertificateInput::parse(&b, date!(2026 - 12 - 01), &rules()) {
                // What parses reads back the same from its stored form.
                let again = CertificateInput::parse(
                    c.to_json().as_object().unwrap(), date!(2026 - 12 - 01), &rules()).unwrap();
                proptest::prop_assert_eq!(c.compare(&again), CertificateResubmission::Same);
            }
        }
    }

    #[test]
    fn debug_leaves_out_health_data() {
        let mut c = ordinary_in("BA", "2026-08-01");
        c.oncological = true;
        c.doctor = Some("Dr. Bianchi".into());
        let text = format!("{c:?}");
        for secret in [CF, "invalidity", "true", "Bianchi"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("C-1") && text.contains("BA"), "{text}");
    }

    #[test]
    fn refusals_map_to_the_contracts_codes() {
        let d = date!(2026 - 01 - 01);
        assert_eq!(ApplicationRefusal::Reform.code(), "invalid_application");
        assert_eq!(ApplicationRefusal::Used.code(), "certificate_used");
        assert_eq!(
            ApplicationRefusal::Expired { last_day: d }.code(),
            "certificate_expired"
        );
        assert_eq!(
            ApplicationRefusal::ReformStarted { reform_from: d }.code(),
            "certificate_expired"
        );
    }

    #[test]
    fn purposes_overlap_on_a_common_one() {
        let a = Purposes::new([Purpose::Invalidity, Purpose::Handicap]).unwrap();
        let b = Purposes::new([Purpose::Handicap]).unwrap();
        let c = Purposes::new([Purpose::Deafness]).unwrap();
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&c));
        assert!(Purposes::new([]).is_none());
        assert!(Purposes::from_words(["deafness", "deafness"]).is_none());
        assert_eq!(Purposes::from_words(["handicap", "invalidity"]), Some(a));
    }
}
