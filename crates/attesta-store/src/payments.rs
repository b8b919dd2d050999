//! Payments of a benefit (SPEC §11, "Pagamenti e cedolini"): written by the
//! back office, idempotent by `payment_id`, listed newest period first.

use attesta_domain::benefits::Euros;
use attesta_domain::{Payment, PaymentStatus, Period, format_date, parse_date};
use sqlx::{AnyConnection, Row};

use crate::{Millis, Result, Store, StoreError};

/// A stored payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRecord {
    pub payment_id: String,
    pub benefit: String,
    pub period: Period,
    pub amount: Euros,
    pub status: PaymentStatus,
    pub paid_on: Option<time::Date>,
}

/// What a payment write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentOutcome {
    Created,
    /// Planned before, paid now.
    MarkedPaid,
    Unchanged,
}

/// Why a payment was refused by what is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentError {
    /// No person with that codice fiscale.
    UnknownPerson,
    /// The id is stored with other content: the fields that differ.
    Conflict(Vec<&'static str>),
}

impl Store {
    /// Writes `payment`: new → created; the same → unchanged; planned
    /// stored and paid sent (all else equal) → marked paid; any other
    /// difference → a conflict naming the fields, writing nothing.
    pub async fn ingest_payment(
        &self,
        payment: &Payment,
        now: Millis,
    ) -> Result<std::result::Result<PaymentOutcome, PaymentError>> {
        let mut tx = self.begin().await?;
        let outcome = ingest(&mut tx, payment, now).await?;
        if outcome.is_ok() {
            tx.commit().await?;
        }
        Ok(outcome)
    }

    /// The payments of `person_id`, newest period first (then by benefit
    /// and id, so the order is stable).
    pub async fn payments_for(&self, person_id: &str) -> Result<Vec<PaymentRecord>> {
        let rows = sqlx::query(
            "SELECT payment_id, benefit, period, amount_cents, status, paid_on FROM payments \
             WHERE person_id = $1 ORDER BY period DESC, benefit, payment_id",
        )
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(record).collect()
    }
}

fn record(r: &sqlx::any::AnyRow) -> Result<PaymentRecord> {
    let corrupt = |what: &str| StoreError::Corrupt(format!("payment {what}"));
    let period: String = r.try_get("period")?;
    let status: String = r.try_get("status")?;
    let paid_on: Option<String> = r.try_get("paid_on")?;
    Ok(PaymentRecord {
        payment_id: r.try_get("payment_id")?,
        benefit: r.try_get("benefit")?,
        period: Period::parse(&period).ok_or_else(|| corrupt("period"))?,
        amount: Euros::from_cents(r.try_get("amount_cents")?),
        status: PaymentStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        paid_on: match paid_on {
            Some(d) => Some(parse_date(&d).ok_or_else(|| corrupt("paid_on"))?),
            None => None,
        },
    })
}

/// Inside the caller's transaction; every check before the first write.
pub(crate) async fn ingest(
    conn: &mut AnyConnection,
    p: &Payment,
    now: Millis,
) -> Result<std::result::Result<PaymentOutcome, PaymentError>> {
    let person = sqlx::query("SELECT person_id FROM people WHERE fiscal_code = $1")
        .bind(p.fiscal_code.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(person) = person else {
        return Ok(Err(PaymentError::UnknownPerson));
    };
    let person_id: String = person.try_get("person_id")?;
    let existing = sqlx::query(
        "SELECT payment_id, person_id, benefit, period, amount_cents, status, paid_on \
         FROM payments WHERE payment_id = $1",
    )
    .bind(p.payment_id.clone())
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(row) = existing {
        let stored = record(&row)?;
        let stored_person: String = row.try_get("person_id")?;
        let mut differ = Vec::new();
        if stored_person != person_id {
            differ.push("fiscal_code");
        }
        if stored.benefit != p.benefit {
            differ.push("benefit");
        }
        if stored.period != p.period {
            differ.push("period");
        }
        if stored.amount != p.amount {
            differ.push("amount_eur");
        }
        let marks_paid = stored.status == PaymentStatus::Planned && p.status == PaymentStatus::Paid;
        if stored.status != p.status && !marks_paid {
            differ.push("status");
        }
        if stored.paid_on != p.paid_on && !marks_paid {
            differ.push("paid_on");
        }
        if !differ.is_empty() {
            return Ok(Err(PaymentError::Conflict(differ)));
        }
        if !marks_paid {
            return Ok(Ok(PaymentOutcome::Unchanged));
        }
        sqlx::query(
            "UPDATE payments SET status = 'paid', paid_on = $1, updated_at = $2 \
             WHERE payment_id = $3",
        )
        .bind(p.paid_on.map(format_date))
        .bind(now)
        .bind(p.payment_id.clone())
        .execute(&mut *conn)
        .await?;
        return Ok(Ok(PaymentOutcome::MarkedPaid));
    }
    sqlx::query(
        "INSERT INTO payments (payment_id, person_id, benefit, period, amount_cents, status, \
         paid_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(p.payment_id.clone())
    .bind(person_id)
    .bind(p.benefit.clone())
    .bind(p.period.as_string())
    .bind(p.amount.cents())
    .bind(p.status.as_str())
    .bind(p.paid_on.map(format_date))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(Ok(PaymentOutcome::Created))
}
