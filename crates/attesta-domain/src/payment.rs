//! Payments of a benefit ("Pagamenti e cedolini", SPEC §11, DOMAIN §8.2):
//! what the back office says was planned or paid to a person, for a month.
//!
//! The amount is written as a JSON string `"123.45"` (at most two
//! decimals, a dot, no sign, no separators) and held in cents, so nothing
//! is ever a float. `paid_on` is required when the status is `paid`,
//! refused when `planned`, and must fall between the first day of the
//! period and today (a payment is not made before the month it pays, nor
//! in the future).

use serde_json::{Map, Value};
use time::{Date, Month};

use crate::FiscalCode;
use crate::benefits::{AmountError, Euros};
use crate::input::{Fields, InputError};

/// The fields of a payment record.
pub const PAYMENT_FIELDS: &[&str] = &[
    "payment_id",
    "fiscal_code",
    "benefit",
    "period",
    "amount_eur",
    "status",
    "paid_on",
];

/// Whether the payment is only planned or already paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentStatus {
    Planned,
    Paid,
}

impl PaymentStatus {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "planned" => Some(Self::Planned),
            "paid" => Some(Self::Paid),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Planned => "planned",
            Self::Paid => "paid",
        }
    }
}

/// A month, `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    pub year: i32,
    pub month: Month,
}

impl Period {
    /// `YYYY-MM`, year 1900 to 9999.
    pub fn parse(s: &str) -> Option<Period> {
        let (y, m) = s.split_once('-')?;
        if y.len() != 4 || m.len() != 2 || !(y.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month = Month::try_from(m.parse::<u8>().ok()?).ok()?;
        (year >= 1900).then_some(Period { year, month })
    }

    pub fn first_day(self) -> Date {
        Date::from_calendar_date(self.year, self.month, 1).expect("day 1 exists")
    }

    pub fn as_string(self) -> String {
        format!("{:04}-{:02}", self.year, u8::from(self.month))
    }
}

/// One payment as the back office sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub payment_id: String,
    pub fiscal_code: FiscalCode,
    pub benefit: String,
    pub period: Period,
    pub amount: Euros,
    pub status: PaymentStatus,
    pub paid_on: Option<Date>,
}

/// The largest amount accepted: one payment above it is a typing mistake.
const MAX_CENTS: i64 = 1_000_000 * 100;

/// `"123.45"`, `"123.4"` or `"123"`: a positive amount in euros.
pub fn parse_amount(s: &str) -> Result<Euros, &'static str> {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    const PLAIN: &str = "must be an amount in euros written like \"123.45\" (a dot, no sign, no thousands separators)";
    if s.contains('.') && frac.is_empty() {
        return Err(PLAIN);
    }
    let amount = Euros::of_parts(whole, frac, MAX_CENTS).map_err(|e| match e {
        AmountError::NotPlain => PLAIN,
        AmountError::TooManyDecimals => "must have at most two decimals (cents)",
        AmountError::TooLarge => "is too large for one payment (at most 1000000.00)",
    })?;
    if amount.cents() == 0 {
        return Err("must be more than zero");
    }
    Ok(amount)
}

/// Reads a payment object.
#[derive(Debug)]
pub struct PaymentInput;

impl PaymentInput {
    /// Every error of `map` at once; `benefits` are the benefit ids of the
    /// rules file, `today` the day in Italy.
    pub fn parse(
        map: &Map<String, Value>,
        benefits: &[&str],
        today: Date,
    ) -> Result<Payment, InputError> {
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| !PAYMENT_FIELDS.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(InputError::UnknownFields(unknown));
        }
        let mut f = Fields::new(map);
        let payment_id = f.string("payment_id").map(str::trim);
        let payment_id = match f.required("payment_id", payment_id) {
            Some("") => {
                f.error("payment_id", "must not be empty");
                None
            }
            Some(id) if id.chars().count() > 100 => {
                f.error("payment_id", "must be at most 100 characters");
                None
            }
            other => other,
        };
        let cf = f.string("fiscal_code");
        let cf = match f.required("fiscal_code", cf).map(FiscalCode::parse) {
            Some(Ok(cf)) => Some(cf),
            Some(Err(e)) => {
                f.error("fiscal_code", e.to_string());
                None
            }
            None => None,
        };
        let benefit = f.string("benefit");
        let benefit = match f.required("benefit", benefit) {
            Some(b) if benefits.contains(&b) => Some(b),
            Some(_) => {
                f.error(
                    "benefit",
                    format!(
                        "must be a benefit id of the rules file: {}",
                        benefits.join(", ")
                    ),
                );
                None
            }
            None => None,
        };
        let period = f.string("period");
        let period = match f.required("period", period).map(|p| (p, Period::parse(p))) {
            Some((_, Some(p))) => Some(p),
            Some((_, None)) => {
                f.error("period", "must be a month written YYYY-MM");
                None
            }
            None => None,
        };
        let amount = match f.get("amount_eur") {
            None => {
                f.error("amount_eur", "is required");
                None
            }
            Some(Value::String(s)) => match parse_amount(s) {
                Ok(a) => Some(a),
                Err(e) => {
                    f.error("amount_eur", e);
                    None
                }
            },
            Some(_) => {
                f.error(
                    "amount_eur",
                    "must be a string like \"123.45\" (not a number, so that cents stay exact)",
                );
                None
            }
        };
        let status = f.choice("status", PaymentStatus::parse, "planned, paid");
        let status = f.required("status", status);
        let paid_on = f.date("paid_on", today);
        match (status, paid_on, f.get("paid_on").is_some()) {
            (Some(PaymentStatus::Paid), None, false) => {
                f.error("paid_on", "is required when the status is paid")
            }
            (Some(PaymentStatus::Planned), _, true) => {
                f.error("paid_on", "must be left out while the status is planned")
            }
            _ => {}
        }
        if let (Some(p), Some(d)) = (period, paid_on)
            && d < p.first_day()
        {
            f.error("paid_on", "is before the first day of the period it pays");
        }
        if !f.errors.is_empty() {
            return Err(InputError::Invalid(f.errors));
        }
        Ok(Payment {
            payment_id: payment_id.expect("checked").to_owned(),
            fiscal_code: cf.expect("checked"),
            benefit: benefit.expect("checked").to_owned(),
            period: period.expect("checked"),
            amount: amount.expect("checked"),
            status: status.expect("checked"),
            paid_on: if status == Some(PaymentStatus::Paid) {
                paid_on
            } else {
                None
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);
    const BENEFITS: &[&str] = &["pensione_inabilita", "assegno_mensile"];

    fn base() -> Value {
        json!({"payment_id": "P-1", "fiscal_code": "RSSMRA80A01H501U",
               "benefit": "assegno_mensile", "period": "2026-10",
               "amount_eur": "333.33", "status": "paid", "paid_on": "2026-10-01"})
    }

    fn parse(v: Value) -> Result<Payment, InputError> {
        PaymentInput::parse(v.as_object().unwrap(), BENEFITS, TODAY)
    }

    fn with(key: &str, value: Value) -> Value {
        let mut v = base();
        v[key] = value;
        v
    }

    fn fields(r: Result<Payment, InputError>) -> Vec<String> {
        match r {
            Err(InputError::Invalid(f)) => f.into_iter().map(|e| e.field).collect(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_paid_payment_reads_exactly() {
        let p = parse(base()).unwrap();
        assert_eq!(p.amount.cents(), 33_333);
        assert_eq!(p.period.as_string(), "2026-10");
        assert_eq!(p.status, PaymentStatus::Paid);
        assert_eq!(p.paid_on, Some(date!(2026 - 10 - 01)));
    }

    #[test]
    fn a_planned_payment_has_no_paid_on() {
        let mut v = with("status", json!("planned"));
        v.as_object_mut().unwrap().remove("paid_on");
        let p = parse(v).unwrap();
        assert_eq!((p.status, p.paid_on), (PaymentStatus::Planned, None));
        assert_eq!(fields(parse(with("status", json!("planned")))), ["paid_on"]);
    }

    #[test]
    fn paid_needs_paid_on_within_the_period_and_today() {
        let mut v = base();
        v.as_object_mut().unwrap().remove("paid_on");
        assert_eq!(fields(parse(v)), ["paid_on"]);
        assert_eq!(
            fields(parse(with("paid_on", json!("2026-09-30")))),
            ["paid_on"]
        );
        assert_eq!(
            fields(parse(with("paid_on", json!("2026-11-24")))),
            ["paid_on"]
        );
        assert!(parse(with("paid_on", json!("2026-11-23"))).is_ok());
    }

    #[test]
    fn amounts_are_exact_strings() {
        assert_eq!(parse_amount("1234.5").unwrap().cents(), 123_450);
        assert_eq!(parse_amount("7").unwrap().cents(), 700);
        for bad in [
            "", "1,5", "-3", "1.234", "1.", ".5", "0", "0.00", "1 000", "99999999",
        ] {
            assert!(parse_amount(bad).is_err(), "{bad}");
        }
        assert_eq!(
            fields(parse(with("amount_eur", json!(333.33)))),
            ["amount_eur"]
        );
    }

    #[test]
    fn every_error_at_once_and_unknown_fields_apart() {
        let v = json!({"payment_id": "", "fiscal_code": "X", "benefit": "nope",
                       "period": "2026-13", "amount_eur": "abc", "status": "late"});
        assert_eq!(
            fields(parse(v)),
            [
                "payment_id",
                "fiscal_code",
                "benefit",
                "period",
                "amount_eur",
                "status"
            ]
        );
        assert_eq!(
            parse(with("extra", json!(1))),
            Err(InputError::UnknownFields(vec!["extra".into()]))
        );
    }

    #[test]
    fn an_unknown_benefit_names_the_known_ones() {
        match parse(with("benefit", json!("bonus"))) {
            Err(InputError::Invalid(f)) => {
                assert!(f[0].reason.contains("pensione_inabilita, assegno_mensile"))
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn periods() {
        assert_eq!(
            Period::parse("2026-02").unwrap().first_day(),
            date!(2026 - 02 - 01)
        );
        for bad in [
            "2026-2",
            "26-02",
            "2026-00",
            "1899-12",
            "2026/02",
            "2026-02-01",
        ] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }
}
