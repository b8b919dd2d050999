//! EU Disability Card applications and cards (SPEC §5, §6). One row per
//! application; an approved application is the card. The photo is stored
//! re-encoded, as base64 text. Rows are decoded into the domain's types
//! (status, serial, dates, declaration), as people are.

use attesta_domain::{CardSerial, CardStatus, Declaration, RevokeReason, format_date, parse_date};
use sqlx::Row;
use sqlx::any::AnyRow;
use time::Date;

use crate::{Millis, Result, Store, StoreError};

/// A new application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCardApplication {
    pub application_id: String,
    pub person_id: String,
    /// The declaration, if one was given (stored as its canonical JSON).
    pub declaration: Option<Declaration>,
    /// The re-encoded JPEG photo, base64.
    pub photo_jpeg_base64: String,
    pub submitted_at: Millis,
    /// Who applied (the citizen's or the delegate's name).
    pub submitted_by: String,
}

/// Why an application was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardApplyRefusal {
    /// A pending application, or an active card not yet expired.
    ApplicationOpen,
}

/// An application (and, once approved, the card).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardApplicationRecord {
    pub application_id: String,
    pub person_id: String,
    /// As stored (expiry is computed: [`CardStatus::on`]).
    pub status: CardStatus,
    pub declaration: Option<Declaration>,
    pub photo_jpeg_base64: String,
    pub submitted_at: Millis,
    pub submitted_by: String,
    pub decided_at: Option<Millis>,
    pub decided_by: Option<String>,
    pub reject_reason: Option<String>,
    pub serial: Option<CardSerial>,
    pub issued_on: Option<Date>,
    /// The last valid day.
    pub expires_on: Option<Date>,
    pub a_mark: Option<bool>,
    pub qr_text: Option<String>,
    pub revoked_at: Option<Millis>,
    pub revoke_reason: Option<RevokeReason>,
}

/// A line of the back office's list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardApplicationSummary {
    pub application_id: String,
    pub fiscal_code: String,
    pub status: CardStatus,
    pub submitted_at: Millis,
    pub declaration: Option<Declaration>,
}

/// Which applications a back-office listing shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardListing {
    /// In a stored state (`active` whatever the date).
    Stored(CardStatus),
    /// Active cards still valid on the day.
    ActiveOn(Date),
    /// Active cards whose last valid day is before the day.
    ExpiredBy(Date),
}

/// What approval writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardIssue {
    pub serial: CardSerial,
    pub issued_on: Date,
    pub expires_on: Date,
    pub a_mark: bool,
    pub qr_text: String,
    pub decided_at: Millis,
    pub decided_by: String,
}

macro_rules! application_columns {
    () => {
        "application_id, person_id, status, declaration_json, photo_jpeg_base64, submitted_at, \
         submitted_by, decided_at, decided_by, reject_reason, serial, issued_on, expires_on, \
         a_mark, qr_text, revoked_at, revoke_reason"
    };
}

fn application_from_row(r: &AnyRow) -> Result<CardApplicationRecord> {
    Ok(CardApplicationRecord {
        application_id: r.try_get("application_id")?,
        person_id: r.try_get("person_id")?,
        status: status_column(r)?,
        declaration: declaration_column(r)?,
        photo_jpeg_base64: r.try_get("photo_jpeg_base64")?,
        submitted_at: r.try_get("submitted_at")?,
        submitted_by: r.try_get("submitted_by")?,
        decided_at: r.try_get("decided_at")?,
        decided_by: r.try_get("decided_by")?,
        reject_reason: r.try_get("reject_reason")?,
        serial: r
            .try_get::<Option<String>, _>("serial")?
            .map(|s| CardSerial::parse(&s).map_err(|_| StoreError::Corrupt("serial".into())))
            .transpose()?,
        issued_on: optional_date(r, "issued_on")?,
        expires_on: optional_date(r, "expires_on")?,
        a_mark: r.try_get::<Option<i64>, _>("a_mark")?.map(|v| v != 0),
        qr_text: r.try_get("qr_text")?,
        revoked_at: r.try_get("revoked_at")?,
        revoke_reason: r
            .try_get::<Option<String>, _>("revoke_reason")?
            .map(|s| {
                RevokeReason::parse(&s).ok_or_else(|| StoreError::Corrupt("revoke_reason".into()))
            })
            .transpose()?,
    })
}

fn status_column(r: &AnyRow) -> Result<CardStatus> {
    let text: String = r.try_get("status")?;
    CardStatus::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("card status {text:?}")))
}

fn declaration_column(r: &AnyRow) -> Result<Option<Declaration>> {
    let text: Option<String> = r.try_get("declaration_json")?;
    text.map(|t| {
        serde_json::from_str(&t)
            .ok()
            .and_then(|v| Declaration::from_canonical_json(&v))
            .ok_or_else(|| StoreError::Corrupt("declaration_json".into()))
    })
    .transpose()
}

fn optional_date(r: &AnyRow, column: &str) -> Result<Option<Date>> {
    let text: Option<String> = r.try_get(column)?;
    text.map(|t| {
        parse_date(&t).ok_or_else(|| StoreError::Corrupt(format!("{column} is not a date")))
    })
    .transpose()
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

impl Store {
    /// Stores an application unless the person has one open: a pending
    /// application, or an active card whose `expires_on` is on or after
    /// `today`. A rejected, revoked or expired one does not
    /// block a new application.
    pub async fn insert_card_application(
        &self,
        new: &NewCardApplication,
        today: Date,
    ) -> Result<Result<(), CardApplyRefusal>> {
        let mut tx = self.begin().await?;
        let open = sqlx::query(
            "SELECT 1 AS one FROM card_applications WHERE person_id = $1 AND \
             (status = 'pending' OR (status = 'active' AND expires_on >= $2))",
        )
        .bind(new.person_id.clone())
        .bind(format_date(today))
        .fetch_optional(&mut *tx)
        .await?;
        if open.is_some() {
            return Ok(Err(CardApplyRefusal::ApplicationOpen));
        }
        let inserted = sqlx::query(
            "INSERT INTO card_applications (application_id, person_id, status, declaration_json, \
             photo_jpeg_base64, submitted_at, submitted_by) VALUES ($1, $2, 'pending', $3, $4, $5, $6)",
        )
        .bind(new.application_id.clone())
        .bind(new.person_id.clone())
        .bind(new.declaration.as_ref().map(|d| d.to_json().to_string()))
        .bind(new.photo_jpeg_base64.clone())
        .bind(new.submitted_at)
        .bind(new.submitted_by.clone())
        .execute(&mut *tx)
        .await;
        match inserted {
            // A concurrent application of the same person won the race
            // (the one-pending index refused this one).
            Err(e) if is_unique_violation(&e) => return Ok(Err(CardApplyRefusal::ApplicationOpen)),
            other => {
                other?;
            }
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn card_application(
        &self,
        application_id: &str,
    ) -> Result<Option<CardApplicationRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM card_applications WHERE application_id = $1"
        ))
        .bind(application_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| application_from_row(&r)).transpose()
    }

    pub async fn card_by_serial(
        &self,
        serial: &CardSerial,
    ) -> Result<Option<CardApplicationRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM card_applications WHERE serial = $1"
        ))
        .bind(serial.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| application_from_row(&r)).transpose()
    }

    /// The person's latest application (newest submission).
    pub async fn latest_card_application(
        &self,
        person_id: &str,
    ) -> Result<Option<CardApplicationRecord>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM card_applications WHERE person_id = $1 \
             ORDER BY submitted_at DESC, application_id DESC LIMIT 1"
        ))
        .bind(person_id.to_owned())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| application_from_row(&r)).transpose()
    }

    /// The person's cards in state `active` (expired ones included: the
    /// caller compares `expires_on`).
    pub async fn active_cards_of(&self, person_id: &str) -> Result<Vec<CardApplicationRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM card_applications WHERE person_id = $1 AND status = 'active' \
             ORDER BY submitted_at"
        ))
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application_from_row).collect()
    }

    /// The applications in a listing, oldest first, with the holder's
    /// codice fiscale (the back office's work list).
    pub async fn card_applications_by_status(
        &self,
        listing: CardListing,
        limit: i64,
    ) -> Result<Vec<CardApplicationSummary>> {
        macro_rules! listing_query {
            ($where:literal) => {
                concat!(
                    "SELECT a.application_id, p.fiscal_code, a.status, a.submitted_at, a.declaration_json \
                     FROM card_applications a JOIN people p ON p.person_id = a.person_id WHERE ",
                    $where,
                    " ORDER BY a.submitted_at, a.application_id LIMIT $2"
                )
            };
        }
        // Dates are stored as YYYY-MM-DD text, so they compare as text.
        let (query, bound) = match listing {
            CardListing::Stored(status) => {
                (listing_query!("a.status = $1"), status.as_str().to_owned())
            }
            CardListing::ActiveOn(day) => (
                listing_query!("a.status = 'active' AND a.expires_on >= $1"),
                format_date(day),
            ),
            CardListing::ExpiredBy(day) => (
                listing_query!("a.status = 'active' AND a.expires_on < $1"),
                format_date(day),
            ),
        };
        let rows = sqlx::query(query)
            .bind(bound)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                Ok(CardApplicationSummary {
                    application_id: r.try_get("application_id")?,
                    fiscal_code: r.try_get("fiscal_code")?,
                    status: status_column(r)?,
                    submitted_at: r.try_get("submitted_at")?,
                    declaration: declaration_column(r)?,
                })
            })
            .collect()
    }

    /// The person ids, among the codici fiscali given, of the people who
    /// hold a card in state `active` (the import reviews only these).
    pub async fn active_card_holders(&self, fiscal_codes: &[String]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for chunk in fiscal_codes.chunks(500) {
            let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT DISTINCT a.person_id FROM card_applications a \
                 JOIN people p ON p.person_id = a.person_id \
                 WHERE a.status = 'active' AND p.fiscal_code IN ({})",
                placeholders.join(", ")
            );
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for cf in chunk {
                query = query.bind(cf.clone());
            }
            for row in query.fetch_all(&self.pool).await? {
                out.push(row.try_get("person_id")?);
            }
        }
        Ok(out)
    }

    /// Whether a serial is used by a card or by a card credential.
    pub async fn card_serial_taken(&self, serial: &CardSerial) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 AS one FROM card_applications WHERE serial = $1 \
             UNION ALL SELECT 1 AS one FROM card_credentials WHERE serial = $1",
        )
        .bind(serial.as_str().to_owned())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Pending → active with the card's data; false when the application
    /// was not pending (already decided).
    pub async fn approve_card_application(
        &self,
        application_id: &str,
        issue: &CardIssue,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE card_applications SET status = 'active', serial = $2, issued_on = $3, \
             expires_on = $4, a_mark = $5, qr_text = $6, decided_at = $7, decided_by = $8 \
             WHERE application_id = $1 AND status = 'pending'",
        )
        .bind(application_id.to_owned())
        .bind(issue.serial.as_str().to_owned())
        .bind(format_date(issue.issued_on))
        .bind(format_date(issue.expires_on))
        .bind(i64::from(issue.a_mark))
        .bind(issue.qr_text.clone())
        .bind(issue.decided_at)
        .bind(issue.decided_by.clone())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Pending → rejected; false when the application was not pending.
    pub async fn reject_card_application(
        &self,
        application_id: &str,
        reason: &str,
        at: Millis,
        by: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE card_applications SET status = 'rejected', reject_reason = $2, \
             decided_at = $3, decided_by = $4 WHERE application_id = $1 AND status = 'pending'",
        )
        .bind(application_id.to_owned())
        .bind(reason.to_owned())
        .bind(at)
        .bind(by.to_owned())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Active → revoked; false when the card was not active.
    pub async fn revoke_card(
        &self,
        serial: &CardSerial,
        reason: RevokeReason,
        at: Millis,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE card_applications SET status = 'revoked', revoked_at = $2, revoke_reason = $3 \
             WHERE serial = $1 AND status = 'active'",
        )
        .bind(serial.as_str().to_owned())
        .bind(at)
        .bind(reason.as_str().to_owned())
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
