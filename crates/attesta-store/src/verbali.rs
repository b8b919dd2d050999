//! Storing verbali and keeping each person's current status true.

use attesta_domain::{Resubmission, Status, Verbale, format_date, parse_date};
use sqlx::{AnyConnection, Row};
use time::{Date, OffsetDateTime};

use crate::{Millis, Result, StoreError, verbale_from_body};

/// What happened to a verbale that was accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// A new verbale (201).
    Created,
    /// The same content again: nothing changed (200).
    Unchanged,
    /// `definitive` went from false to true; the status was recomputed (200).
    Confirmed,
    /// The same content with an application link it lacked: the link was
    /// added (200; SPEC §10.1, the link is not part of the content).
    Linked,
}

/// A stored verbale with what the journey adds to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVerbale {
    pub verbale: Verbale,
    /// The application it is linked to.
    pub application_id: Option<String>,
    /// The day it became definitive (null for verbali stored before it was
    /// recorded, and for those not definitive yet).
    pub definitive_on: Option<Date>,
}

/// Why a verbale was refused by what is already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestError {
    /// No person with that codice fiscale (422 `unknown_person`).
    UnknownPerson,
    /// The id is stored with other content, or linked to another
    /// application (409 `verbale_conflict`).
    Conflict,
}

/// Ingests inside the caller's transaction. Every check happens before the
/// first write, so a refused verbale writes nothing. `link` is the
/// application it is linked to (compared apart from the content);
/// `definitive_on` is recorded when the verbale is, or becomes, definitive
/// now. With `alert`, a verbale that becomes definitive here (created
/// definitive, or false → true) queues its alerts in this same transaction
/// ([`crate::alerts`]); an unchanged or only linked one queues nothing.
pub(crate) async fn ingest(
    conn: &mut AnyConnection,
    verbale: &Verbale,
    link: Option<&str>,
    definitive_on: Date,
    now: Millis,
    alert: bool,
) -> Result<Result<IngestOutcome, IngestError>> {
    let person = sqlx::query("SELECT person_id FROM people WHERE fiscal_code = $1")
        .bind(verbale.fiscal_code.as_str().to_owned())
        .fetch_optional(&mut *conn)
        .await?;
    let existing = sqlx::query("SELECT body, application_id FROM verbali WHERE verbale_id = $1")
        .bind(verbale.id.clone())
        .fetch_optional(&mut *conn)
        .await?;
    let outcome = match existing {
        Some(row) => {
            let stored = verbale_from_body(&row.try_get::<String, _>("body")?)?;
            let stored_link: Option<String> = row.try_get("application_id")?;
            let gains_link = match (stored_link.as_deref(), link) {
                (Some(a), Some(b)) if a != b => return Ok(Err(IngestError::Conflict)),
                (None, Some(_)) => true,
                _ => false,
            };
            match stored.compare(verbale) {
                Resubmission::Same if gains_link => IngestOutcome::Linked,
                Resubmission::Same => return Ok(Ok(IngestOutcome::Unchanged)),
                Resubmission::Conflict => return Ok(Err(IngestError::Conflict)),
                Resubmission::Confirmed => IngestOutcome::Confirmed,
            }
        }
        None => IngestOutcome::Created,
    };
    let Some(person) = person else {
        return Ok(Err(IngestError::UnknownPerson));
    };
    let person_id: String = person.try_get("person_id")?;
    let body = verbale.to_json().to_string();
    match outcome {
        IngestOutcome::Created => {
            let next = sqlx::query(
                "SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM verbali WHERE person_id = $1",
            )
            .bind(person_id.clone())
            .fetch_one(&mut *conn)
            .await?;
            let seq: i64 = next.try_get("next")?;
            sqlx::query(
                "INSERT INTO verbali (verbale_id, person_id, seq, session_date, definitive, body, \
                 ingested_at, updated_at, application_id, definitive_on) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)",
            )
            .bind(verbale.id.clone())
            .bind(person_id.clone())
            .bind(seq)
            .bind(format_date(verbale.session_date))
            .bind(i64::from(verbale.definitive))
            .bind(body)
            .bind(now)
            .bind(link.map(str::to_owned))
            .bind(verbale.definitive.then(|| format_date(definitive_on)))
            .execute(&mut *conn)
            .await?;
        }
        _ => {
            // A link, once made, stays; definitive_on is the first day.
            sqlx::query(
                "UPDATE verbali SET definitive = $2, body = $3, updated_at = $4, \
                 application_id = COALESCE(application_id, $5), \
                 definitive_on = CASE WHEN $2 = 1 THEN COALESCE(definitive_on, $6) ELSE NULL END \
                 WHERE verbale_id = $1",
            )
            .bind(verbale.id.clone())
            .bind(i64::from(verbale.definitive))
            .bind(body)
            .bind(now)
            .bind(link.map(str::to_owned))
            .bind(format_date(definitive_on))
            .execute(&mut *conn)
            .await?;
        }
    }
    if verbale.definitive && outcome != IngestOutcome::Linked {
        recompute_status(conn, &person_id, now).await?;
    }
    let becomes_definitive = match outcome {
        IngestOutcome::Created => verbale.definitive,
        IngestOutcome::Confirmed => true,
        IngestOutcome::Unchanged | IngestOutcome::Linked => false,
    };
    if alert && becomes_definitive {
        crate::alerts::queue(conn, &person_id, &verbale.id, now).await?;
    }
    Ok(Ok(outcome))
}

/// Rewrites the person's stored current status from their verbali. Session
/// dates are never in the future (input validation refuses them), so the
/// status computed for today holds for every later day too.
async fn recompute_status(conn: &mut AnyConnection, person_id: &str, now: Millis) -> Result<()> {
    let verbali = of_person(conn, person_id).await?;
    let today = OffsetDateTime::from_unix_timestamp(now / 1000)
        .map(attesta_domain::calendar::rome_date)
        .unwrap_or(time::Date::MAX);
    let status = Status::compute(&verbali, today.max(latest_session(&verbali)));
    sqlx::query("UPDATE people SET status_json = $2, updated_at = $3 WHERE person_id = $1")
        .bind(person_id.to_owned())
        .bind(status.to_json().to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) fn latest_session(verbali: &[Verbale]) -> time::Date {
    verbali
        .iter()
        .map(|v| v.session_date)
        .max()
        .unwrap_or(time::Date::MIN)
}

/// A person's verbali in ingest order.
pub(crate) async fn of_person(conn: &mut AnyConnection, person_id: &str) -> Result<Vec<Verbale>> {
    let rows =
        sqlx::query("SELECT body FROM verbali WHERE person_id = $1 ORDER BY seq, verbale_id")
            .bind(person_id.to_owned())
            .fetch_all(&mut *conn)
            .await?;
    rows.iter()
        .map(|r| verbale_from_body(&r.try_get::<String, _>("body")?))
        .collect()
}

/// See [`crate::Store::definitive_verbali_of`].
pub(crate) async fn definitive_of_person(
    conn: &mut AnyConnection,
    person_id: &str,
) -> Result<Vec<(String, Date)>> {
    let rows = sqlx::query(
        "SELECT verbale_id, definitive_on FROM verbali \
         WHERE person_id = $1 AND definitive = 1 AND definitive_on IS NOT NULL \
         ORDER BY definitive_on, verbale_id",
    )
    .bind(person_id.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let on: String = r.try_get("definitive_on")?;
            let on = parse_date(&on).ok_or_else(|| StoreError::Corrupt("definitive_on".into()))?;
            Ok((r.try_get("verbale_id")?, on))
        })
        .collect()
}

/// One verbale by id, with its link and the day it became definitive.
pub(crate) async fn by_id(
    conn: &mut AnyConnection,
    verbale_id: &str,
) -> Result<Option<StoredVerbale>> {
    let row = sqlx::query(
        "SELECT body, application_id, definitive_on FROM verbali WHERE verbale_id = $1",
    )
    .bind(verbale_id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.map(|r| {
        Ok(StoredVerbale {
            verbale: verbale_from_body(&r.try_get::<String, _>("body")?)?,
            application_id: r.try_get("application_id")?,
            definitive_on: r
                .try_get::<Option<String>, _>("definitive_on")?
                .map(|t| parse_date(&t).ok_or_else(|| StoreError::Corrupt("definitive_on".into())))
                .transpose()?,
        })
    })
    .transpose()
}
