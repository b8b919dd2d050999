//! Issue #8: the benefits explainer against the 2024 tables (DOMAIN §7.1,
//! §7.2) and SPEC §9.10. Every expected line below was written by hand from
//! the tables, not produced by the code.

use attesta_domain::benefits::{Euros, RuleBook, Rules, Standing};
use attesta_domain::{InputError, Status, VerbaleInput};
use serde_json::{Value, json};
use time::macros::date;

const RULES_2024: &str = include_str!("../../../rules/benefits-2024.toml");

fn rules() -> Rules {
    Rules::parse("benefits-2024.toml", RULES_2024).unwrap_or_else(|e| panic!("{e}"))
}

fn status(findings: Value) -> Status {
    let mut m = json!({"verbale_id": "V1", "fiscal_code": "RSSMRA80A01H501U",
        "kind": "first_instance", "session_date": "2024-05-10", "definitive": true,
        "source": "telematic"})
    .as_object()
    .unwrap()
    .clone();
    m.extend(findings.as_object().unwrap().clone());
    let v = match VerbaleInput::parse(&m, date!(2026 - 01 - 01)) {
        Ok(v) => v,
        Err(InputError::Invalid(e)) => panic!("{e:?}"),
        Err(e) => panic!("{e}"),
    };
    Status::compute([&v], date!(2026 - 01 - 01))
}

/// One line per economic benefit listed, in file order:
/// `id:may`, `id:depends`, `id:excluded(age)`, `id:excluded(income)`,
/// with `[other,…]` for `incompatible_with`.
fn economic_lines(findings: &Value, age: i32, income: Option<&str>) -> (String, String) {
    let income = income.map(|i| Euros::parse(i).unwrap());
    let e = rules().entitlements(&status(findings.clone()), age, income);
    let economic = e
        .economic
        .iter()
        .map(|o| {
            let mut s = format!(
                "{}:{}",
                o.id,
                match (o.standing, o.reason) {
                    (Standing::MayBeEntitled, _) => "may".to_owned(),
                    (Standing::Depends, _) => "depends".to_owned(),
                    (Standing::Excluded, Some(r)) => format!("excluded({})", r.as_str()),
                    (Standing::Excluded, None) => "excluded(?)".to_owned(),
                }
            );
            if !o.incompatible_with.is_empty() {
                s.push_str(&format!("[{}]", o.incompatible_with.join(",")));
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" ");
    let non = e
        .non_economic
        .iter()
        .map(|n| n.id.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    (economic, non)
}

struct Case {
    name: &'static str,
    findings: Value,
    age: i32,
    income: Option<&'static str>,
    economic: &'static str,
    non_economic: &'static str,
}

const THAL: &str = "thalassaemia_allowance:depends";
const THAL_YOUNG: &str = "thalassaemia_allowance:excluded(age)";
const PCT_34_46_67: &str =
    "prostheses_and_aids special_placement_lists prescription_charge_exemption";

fn cases() -> Vec<Case> {
    // Owned strings for the common tails, leaked: a test table reads best flat.
    let s = |x: String| -> &'static str { Box::leak(x.into_boxed_str()) };
    vec![
        // ---- §7.1, one case per row ---------------------------------
        Case {
            name: "7.1 incapacity pension: 100 %, adult",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 40,
            income: None,
            economic: s(format!("incapacity_pension:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "7.1 monthly allowance: 80 %, adult",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80}),
            age: 40,
            income: None,
            economic: s(format!("monthly_allowance:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "7.1 accompaniment allowance: code 05 (also 100 %: incapacity pension)",
            findings: json!({"invalidity_code": "05", "invalidity_percentage": 100}),
            age: 40,
            income: None,
            economic: s(format!(
                "incapacity_pension:may accompaniment_allowance:may {THAL}"
            )),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "7.1 accompaniment allowance: code 06",
            findings: json!({"invalidity_code": "06", "invalidity_percentage": 100}),
            age: 50,
            income: None,
            economic: s(format!(
                "incapacity_pension:may accompaniment_allowance:may {THAL}"
            )),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "7.1 accompaniment allowance: code 12, over 67",
            findings: json!({"invalidity_code": "12"}),
            age: 80,
            income: None,
            economic: s(format!("accompaniment_allowance:may {THAL}")),
            non_economic: "",
        },
        Case {
            name: "7.1 attendance allowance: code 07 minor (depends on attendance)",
            findings: json!({"invalidity_code": "07"}),
            age: 10,
            income: None,
            economic: s(format!("attendance_allowance:depends {THAL_YOUNG}")),
            non_economic: "",
        },
        Case {
            name: "7.1 pension and accompaniment for the absolutely blind: code 09",
            findings: json!({"invalidity_code": "09"}),
            age: 40,
            income: None,
            economic: s(format!(
                "absolute_blind_pension:may blind_accompaniment_allowance:may {THAL}"
            )),
            non_economic: "",
        },
        Case {
            name: "7.1 pension and special allowance for the partially blind: code 08",
            findings: json!({"invalidity_code": "08"}),
            age: 40,
            income: None,
            economic: s(format!(
                "partial_blind_pension:may partial_blind_special_allowance:may {THAL}"
            )),
            non_economic: "",
        },
        Case {
            name: "7.1 deaf pension and communication allowance: code 10",
            findings: json!({"invalidity_code": "10"}),
            age: 30,
            income: None,
            economic: s(format!(
                "deaf_pension:may communication_allowance:may {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "7.1 thalassaemia: always depends from 35, whatever the status",
            findings: json!({"invalidity_code": "01", "invalidity_percentage": 20}),
            age: 35,
            income: None,
            economic: THAL,
            non_economic: "",
        },
        Case {
            name: "7.1 thalassaemia: 34 is too young",
            findings: json!({"invalidity_code": "01", "invalidity_percentage": 20}),
            age: 34,
            income: None,
            economic: THAL_YOUNG,
            non_economic: "",
        },
        Case {
            name: "code 11 (over 67): no economic benefit",
            findings: json!({"invalidity_code": "11"}),
            age: 70,
            income: None,
            economic: THAL,
            non_economic: "",
        },
        // ---- §7.2, one case per row ---------------------------------
        Case {
            name: "7.2 prostheses from 34 % (> 1/3)",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 34}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "prostheses_and_aids",
        },
        Case {
            name: "7.2 special placement lists from 46 %",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 46}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "prostheses_and_aids special_placement_lists",
        },
        Case {
            name: "7.2 placement lists: 45 % is not enough",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 45}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "prostheses_and_aids",
        },
        Case {
            name: "7.2 prescription-charge exemption from 67 %",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 67}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "7.2 prescription charges: 66 % is not enough",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 66}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "prostheses_and_aids special_placement_lists",
        },
        Case {
            name: "7.2 art. 21: priority choice of posting",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80, "handicap": "none", "art21": true}),
            age: 40,
            income: None,
            economic: s(format!("monthly_allowance:may {THAL}")),
            non_economic: s(format!("{PCT_34_46_67} art21_priority_posting")),
        },
        Case {
            name: "7.2 handicap art. 3 c. 1: tax benefits only",
            findings: json!({"handicap": "art3_c1"}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "law104_tax_benefits",
        },
        Case {
            name: "7.2/7.3 severe handicap, adult: permits and extraordinary leave",
            findings: json!({"handicap": "art3_c3"}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "law104_tax_benefits law104_permits_for_the_worker law104_permits_for_family extraordinary_leave",
        },
        Case {
            name: "7.3 severe handicap, child of 2: also extended parental leave and daily rest",
            findings: json!({"handicap": "art3_c3"}),
            age: 2,
            income: None,
            economic: THAL_YOUNG,
            non_economic: "law104_tax_benefits law104_permits_for_the_worker law104_permits_for_family extended_parental_leave two_hours_daily_rest extraordinary_leave",
        },
        Case {
            name: "7.3 severe handicap, child of 3: no daily rest; 11: parental leave",
            findings: json!({"handicap": "art3_c3"}),
            age: 11,
            income: None,
            economic: THAL_YOUNG,
            non_economic: "law104_tax_benefits law104_permits_for_the_worker law104_permits_for_family extended_parental_leave extraordinary_leave",
        },
        Case {
            name: "7.3 severe handicap, child of 12: no extended parental leave",
            findings: json!({"handicap": "art3_c3"}),
            age: 12,
            income: None,
            economic: THAL_YOUNG,
            non_economic: "law104_tax_benefits law104_permits_for_the_worker law104_permits_for_family extraordinary_leave",
        },
        Case {
            name: "7.2 art. 4 DL 5/2012: parking badge and vehicle tax",
            findings: json!({"dl5_2012_art4": true}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: "parking_badge_and_vehicle_tax",
        },
        Case {
            name: "code 01: nothing",
            findings: json!({"invalidity_code": "01", "invalidity_percentage": 33}),
            age: 20,
            income: None,
            economic: THAL_YOUNG,
            non_economic: "",
        },
        // ---- boundaries: income ---------------------------------------
        Case {
            name: "income exactly at the monthly allowance's limit qualifies",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80}),
            age: 40,
            income: Some("5725.46"),
            economic: s(format!("monthly_allowance:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "one cent over the monthly allowance's limit",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80}),
            age: 40,
            income: Some("5725.47"),
            economic: s(format!("monthly_allowance:excluded(income) {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "income exactly at the incapacity pension's limit qualifies",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 40,
            income: Some("19461.12"),
            economic: s(format!("incapacity_pension:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "over the incapacity pension's limit; accompaniment has none",
            findings: json!({"invalidity_code": "05", "invalidity_percentage": 100}),
            age: 40,
            income: Some("19461,13"),
            economic: s(format!(
                "incapacity_pension:excluded(income) accompaniment_allowance:may {THAL}"
            )),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "blind pensions: the limit applies to the pension only",
            findings: json!({"invalidity_code": "09"}),
            age: 40,
            income: Some("25000"),
            economic: s(format!(
                "absolute_blind_pension:excluded(income) blind_accompaniment_allowance:may {THAL}"
            )),
            non_economic: "",
        },
        Case {
            name: "attendance allowance over its income limit",
            findings: json!({"invalidity_code": "07"}),
            age: 10,
            income: Some("6000"),
            economic: s(format!(
                "attendance_allowance:excluded(income) {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        // ---- boundaries: age -------------------------------------------
        Case {
            name: "incapacity pension at 17",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 17,
            income: None,
            economic: s(format!("incapacity_pension:excluded(age) {THAL_YOUNG}")),
            non_economic: "prostheses_and_aids prescription_charge_exemption",
        },
        Case {
            name: "incapacity pension at 18",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 18,
            income: None,
            economic: s(format!("incapacity_pension:may {THAL_YOUNG}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "incapacity pension at 66",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 66,
            income: None,
            economic: s(format!("incapacity_pension:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "incapacity pension at 67 becomes the assegno sociale",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 67,
            income: None,
            economic: s(format!("incapacity_pension:excluded(age) {THAL}")),
            non_economic: "prostheses_and_aids prescription_charge_exemption",
        },
        Case {
            name: "monthly allowance at 67",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80}),
            age: 67,
            income: None,
            economic: s(format!("monthly_allowance:excluded(age) {THAL}")),
            non_economic: "prostheses_and_aids prescription_charge_exemption",
        },
        Case {
            name: "deaf pension at 17 and at 67; communication allowance at any age",
            findings: json!({"invalidity_code": "10"}),
            age: 17,
            income: None,
            economic: s(format!(
                "deaf_pension:excluded(age) communication_allowance:may {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "deaf pension at 67",
            findings: json!({"invalidity_code": "10"}),
            age: 67,
            income: None,
            economic: s(format!(
                "deaf_pension:excluded(age) communication_allowance:may {THAL}"
            )),
            non_economic: "",
        },
        Case {
            name: "absolutely blind pension at 17, and continuing at 67",
            findings: json!({"invalidity_code": "09"}),
            age: 17,
            income: None,
            economic: s(format!(
                "absolute_blind_pension:excluded(age) blind_accompaniment_allowance:may {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "absolutely blind pension at 67",
            findings: json!({"invalidity_code": "09"}),
            age: 67,
            income: None,
            economic: s(format!(
                "absolute_blind_pension:may blind_accompaniment_allowance:may {THAL}"
            )),
            non_economic: "",
        },
        Case {
            name: "attendance allowance at 17",
            findings: json!({"invalidity_code": "07"}),
            age: 17,
            income: None,
            economic: s(format!("attendance_allowance:depends {THAL_YOUNG}")),
            non_economic: "",
        },
        Case {
            name: "attendance allowance ends at 18",
            findings: json!({"invalidity_code": "07"}),
            age: 18,
            income: None,
            economic: s(format!("attendance_allowance:excluded(age) {THAL_YOUNG}")),
            non_economic: "",
        },
        // ---- boundaries: percentage ------------------------------------
        Case {
            name: "73 %: no monthly allowance",
            findings: json!({"invalidity_code": "02", "invalidity_percentage": 73}),
            age: 40,
            income: None,
            economic: THAL,
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "74 %: monthly allowance (D4, not D3's 75)",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 74}),
            age: 40,
            income: None,
            economic: s(format!("monthly_allowance:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "99 %: monthly allowance",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 99}),
            age: 40,
            income: None,
            economic: s(format!("monthly_allowance:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        Case {
            name: "100 %: incapacity pension, not the monthly allowance",
            findings: json!({"invalidity_code": "04", "invalidity_percentage": 100}),
            age: 40,
            income: None,
            economic: s(format!("incapacity_pension:may {THAL}")),
            non_economic: PCT_34_46_67,
        },
        // ---- incompatibilities ------------------------------------------
        Case {
            name: "minor with accompaniment and attendance allowance: both listed, the family chooses",
            findings: json!({"invalidity_code": "07", "accompaniment": true}),
            age: 10,
            income: None,
            economic: s(format!(
                "accompaniment_allowance:may[attendance_allowance] attendance_allowance:depends[accompaniment_allowance] {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "hearing-impaired minor: attendance or communication allowance",
            findings: json!({"invalidity_code": "07", "deafness": true}),
            age: 10,
            income: None,
            economic: s(format!(
                "attendance_allowance:depends[communication_allowance] deaf_pension:excluded(age) communication_allowance:may[attendance_allowance] {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "minor with accompaniment over the attendance income limit: nothing to choose",
            findings: json!({"invalidity_code": "07", "accompaniment": true}),
            age: 10,
            income: Some("10000"),
            economic: s(format!(
                "accompaniment_allowance:may attendance_allowance:excluded(income) {THAL_YOUNG}"
            )),
            non_economic: "",
        },
        Case {
            name: "80 % and partially blind: monthly allowance or the partial-blind pension",
            findings: json!({"invalidity_code": "03", "invalidity_percentage": 80, "blindness": "partial"}),
            age: 40,
            income: None,
            economic: s(format!(
                "monthly_allowance:may[partial_blind_pension] partial_blind_pension:may[monthly_allowance] partial_blind_special_allowance:may {THAL}"
            )),
            non_economic: PCT_34_46_67,
        },
    ]
}

#[test]
fn table_of_cases_from_domain_section_7() {
    let mut failures = Vec::new();
    for c in cases() {
        let (economic, non) = economic_lines(&c.findings, c.age, c.income);
        if economic != c.economic || non != c.non_economic {
            failures.push(format!(
                "{}\n  economic  expected: {}\n            got:      {}\n  non-econ. expected: {}\n            got:      {}",
                c.name, c.economic, economic, c.non_economic, non
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

fn outcome(
    findings: Value,
    age: i32,
    income: Option<&str>,
    id: &str,
) -> attesta_domain::benefits::EconomicOutcome {
    let e = rules().entitlements(
        &status(findings),
        age,
        income.map(|i| Euros::parse(i).unwrap()),
    );
    e.economic
        .into_iter()
        .find(|o| o.id == id)
        .unwrap_or_else(|| panic!("{id} not listed"))
}

#[test]
fn amounts_and_payments_are_the_2024_table() {
    let r = rules();
    let expected = [
        ("incapacity_pension", 33333, Some(13), Some(1946112)),
        ("monthly_allowance", 33333, Some(13), Some(572546)),
        ("accompaniment_allowance", 53176, Some(12), None),
        ("attendance_allowance", 33333, None, Some(572546)),
        ("absolute_blind_pension", 36048, Some(13), Some(1946112)),
        ("blind_accompaniment_allowance", 97850, Some(12), None),
        ("partial_blind_pension", 33333, Some(13), Some(1946112)),
        ("partial_blind_special_allowance", 22120, Some(12), None),
        ("deaf_pension", 33333, Some(13), Some(1946112)),
        ("communication_allowance", 26319, Some(12), None),
        ("thalassaemia_allowance", 59861, None, None),
    ];
    assert_eq!(r.economic.len(), expected.len());
    for (rule, (id, cents, payments, limit)) in r.economic.iter().zip(expected) {
        assert_eq!(rule.id, id);
        assert_eq!(rule.monthly_amount.cents(), cents, "{id}");
        assert_eq!(rule.payments_per_year, payments, "{id}");
        assert_eq!(rule.income_limit.map(Euros::cents), limit, "{id}");
    }
    let sup = r.economic[0].supplement.as_ref().unwrap();
    assert_eq!(sup.income_limit_single.cents(), 955565);
    assert_eq!(sup.income_limit_married.cents(), 1650298);
}

#[test]
fn conditions_reasons_and_notes() {
    // §9.10: no income declared → may_be_entitled, the limit in `condition`.
    let o = outcome(
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
        40,
        None,
        "monthly_allowance",
    );
    assert_eq!(o.standing, Standing::MayBeEntitled);
    assert!(
        o.condition.as_ref().unwrap().en.contains("€5,725.46"),
        "{:?}",
        o.condition
    );
    assert!(o.condition.as_ref().unwrap().it.contains("€ 5.725,46"));
    // Declared and within: nothing left to say about income.
    let o = outcome(
        json!({"invalidity_code": "03", "invalidity_percentage": 80}),
        40,
        Some("100"),
        "monthly_allowance",
    );
    assert_eq!(o.condition, None);
    // Excluded: the reason, and the condition not met.
    let o = outcome(
        json!({"invalidity_code": "04", "invalidity_percentage": 100}),
        67,
        None,
        "incapacity_pension",
    );
    assert_eq!(o.reason.map(|r| r.as_str()), Some("age"));
    assert_eq!(o.condition.unwrap().en, "age 18 to 66");
    assert!(o.note.unwrap().en.contains("assegno sociale"));
    // Attendance: depends on attendance, and on income when none declared;
    // payments per year not fixed.
    let o = outcome(
        json!({"invalidity_code": "07"}),
        10,
        None,
        "attendance_allowance",
    );
    let c = o.condition.unwrap().en;
    assert!(
        c.contains("attending a school") && c.contains("€5,725.46"),
        "{c}"
    );
    assert_eq!(o.payments_per_year, None);
    // Thalassaemia depends on contribution weeks.
    let o = outcome(
        json!({"handicap": "art3_c1"}),
        40,
        None,
        "thalassaemia_allowance",
    );
    assert_eq!(o.standing, Standing::Depends);
    assert!(o.condition.unwrap().en.contains("520 weeks"));
    // Absolutely blind: the non-hospitalised amount, the other in the note.
    let o = outcome(
        json!({"invalidity_code": "09"}),
        40,
        None,
        "absolute_blind_pension",
    );
    assert_eq!(o.monthly_amount.cents(), 36048);
    assert!(o.note.unwrap().en.contains("€333.33"));
    // The supplement's limits, and where a declared income falls.
    let o = outcome(
        json!({"invalidity_code": "04", "invalidity_percentage": 100}),
        40,
        Some("12000"),
        "incapacity_pension",
    );
    let note = o.note.unwrap().en;
    assert!(
        note.contains("€9,555.65")
            && note.contains("€16,502.98")
            && note.contains("married people only"),
        "{note}"
    );
    // Incompatible pair: each side names the other and says the person chooses.
    let o = outcome(
        json!({"invalidity_code": "07", "accompaniment": true}),
        10,
        None,
        "accompaniment_allowance",
    );
    assert_eq!(o.incompatible_with, ["attendance_allowance"]);
    assert!(o.note.unwrap().en.contains("You choose"));
    // Hospitalisation only ever appears in notes.
    let o = outcome(
        json!({"invalidity_code": "05", "invalidity_percentage": 100}),
        40,
        None,
        "accompaniment_allowance",
    );
    assert_eq!(o.standing, Standing::MayBeEntitled);
    assert!(o.note.unwrap().en.contains("hospitalisation"));
}

#[test]
fn the_latest_year_not_after_the_date_applies() {
    let book = RuleBook::from_files([("benefits-2024.toml", RULES_2024)]).unwrap();
    assert_eq!(book.for_date(date!(2024 - 01 - 01)).unwrap().year, 2024);
    assert_eq!(book.for_date(date!(2026 - 11 - 23)).unwrap().year, 2024);
    assert!(book.for_date(date!(2023 - 12 - 31)).is_none());
    // Adding a year is a new file: 2025 rules answer from 2025 on.
    let y2025 = RULES_2024.replacen("year = 2024", "year = 2025", 1);
    let book = RuleBook::from_files([
        ("benefits-2024.toml", RULES_2024),
        ("benefits-2025.toml", y2025.as_str()),
    ])
    .unwrap();
    assert_eq!(book.for_date(date!(2024 - 12 - 31)).unwrap().year, 2024);
    assert_eq!(book.for_date(date!(2026 - 03 - 01)).unwrap().year, 2025);
}

#[test]
fn euros_parse_as_people_type_them() {
    assert_eq!(Euros::parse("5725.46").unwrap().cents(), 572546);
    assert_eq!(Euros::parse("5725,46").unwrap().cents(), 572546);
    assert_eq!(Euros::parse("5725.4").unwrap().cents(), 572540);
    assert_eq!(Euros::parse(" 12000 ").unwrap().cents(), 1200000);
    assert_eq!(Euros::parse("0").unwrap().cents(), 0);
    for bad in ["", "-1", "abc", "1.234", "1.000,00", "12e3", "99999999999"] {
        assert!(Euros::parse(bad).is_err(), "{bad}");
    }
    assert_eq!(Euros::from_cents(1946112).format_it(), "€ 19.461,12");
    assert_eq!(Euros::from_cents(1946112).format_en(), "€19,461.12");
    assert_eq!(Euros::from_cents(5).format_en(), "€0.05");
}

// ---- rules files with mistakes are refused, naming file, line and field ----

fn line_of(text: &str, needle: &str) -> usize {
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

fn refused(text: &str) -> attesta_domain::benefits::RulesError {
    match RuleBook::from_files([("benefits-2024.toml", text)]) {
        Ok(_) => panic!("accepted a rules file with a mistake"),
        Err(e) => e,
    }
}

#[test]
fn an_unknown_field_is_refused() {
    let text = RULES_2024.replacen(
        "payments_per_year = 13",
        "payments_per_year = 13\npayment_per_month = 1",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.file.as_str(), e.line, e.field.as_str()),
        (
            "benefits-2024.toml",
            line_of(&text, "payment_per_month"),
            "payment_per_month"
        )
    );
    let shown = e.to_string();
    assert!(
        shown.contains("benefits-2024.toml")
            && shown.contains(&format!("line {}", e.line))
            && shown.contains("payment_per_month"),
        "{shown}"
    );
    // Also inside a requirement.
    let text = RULES_2024.replacen(
        "requires = { percentage_min = 100 }",
        "requires = { percent_min = 100 }",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "percent_min"), "percent_min")
    );
}

#[test]
fn a_negative_amount_is_refused() {
    let text = RULES_2024.replacen(
        "monthly_amount_eur = 531.76",
        "monthly_amount_eur = -531.76",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "-531.76"), "monthly_amount_eur")
    );
    assert!(e.message.contains("negative"), "{e}");
    let text = RULES_2024.replacen(
        "income_limit_eur = 5725.46",
        "income_limit_eur = 5725.456",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "5725.456"), "income_limit_eur")
    );
}

#[test]
fn an_incompatibility_naming_a_missing_benefit_is_refused() {
    let text = RULES_2024.replacen(
        "incompatible_with = [\"partial_blind_pension\"]",
        "incompatible_with = [\"partial_blind_pensoin\"]",
        1,
    );
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "partial_blind_pensoin"), "incompatible_with")
    );
    assert!(e.message.contains("partial_blind_pensoin"), "{e}");
}

#[test]
fn other_mistakes_are_refused_too() {
    // A code that does not exist.
    let text = RULES_2024.replacen("codes = [\"07\"]", "codes = [\"7\"]", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "codes = [\"7\"]"), "codes")
    );
    // An empty requirement would match everyone.
    let text = RULES_2024.replacen("requires = { dl5_2012_art4 = true }", "requires = {}", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "requires = {}"), "requires")
    );
    // A year that does not match the file name.
    let text = RULES_2024.replacen("year = 2024", "year = 2025", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "year = 2025"), "year")
    );
    // A duplicated id.
    let text = RULES_2024.replacen("id = \"deaf_pension\"", "id = \"monthly_allowance\"", 1);
    let e = refused(&text);
    assert_eq!(e.field, "id");
    // Payments per year out of range.
    let text = RULES_2024.replacen("payments_per_year = 12", "payments_per_year = 0", 1);
    let e = refused(&text);
    assert_eq!(
        (e.line, e.field.as_str()),
        (line_of(&text, "payments_per_year = 0"), "payments_per_year")
    );
    // A missing field.
    let text = RULES_2024.replacen("monthly_amount_eur = 598.61\n", "", 1);
    let e = refused(&text);
    assert_eq!(e.field, "monthly_amount_eur");
    assert!(e.line > 0);
    // Bad TOML syntax still names file and line.
    let text = RULES_2024.replacen("below_age = 18", "below_age = ", 1);
    let e = refused(&text);
    let at = text.lines().position(|l| l == "below_age = ").unwrap() + 1;
    assert_eq!((e.file.as_str(), e.line), ("benefits-2024.toml", at), "{e}");
}
