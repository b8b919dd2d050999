//! The application journey (SPEC §10): certificates, applications with
//! their current state on the row, the full event history, and the lock
//! that keeps the scheduled job on one node. Rows decode into the journey's
//! words (`attesta_domain::journey`); an unknown stored word is
//! [`StoreError::Corrupt`]. The rules live in the domain: this module only
//! stores what they decided, atomically.

use attesta_domain::journey::{ApplicationState, EventKind, Procedure, Purpose, Via};
use attesta_domain::{format_date, parse_date};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::Date;

use crate::{Batch, Millis, Result, Store, StoreError};

/// A doctor's certificate as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    pub certificate_id: String,
    pub person_id: String,
    pub issued_on: Date,
    pub purposes: Vec<Purpose>,
    /// The province code (e.g. `BA`).
    pub province: String,
    pub oncological: bool,
    /// The procedure it follows (stated by the back office, or from the rules).
    pub procedure: Procedure,
    /// Whether the back office stated it.
    pub procedure_stated: bool,
    pub doctor: Option<String>,
    /// The first day it could no longer be used, once the job marked it.
    pub expired_on: Option<Date>,
}

impl CertificateRecord {
    /// The content compared on resubmission (everything the back office sent).
    fn same_content(&self, other: &CertificateRecord) -> bool {
        self.person_id == other.person_id
            && self.issued_on == other.issued_on
            && self.purposes == other.purposes
            && self.province == other.province
            && self.oncological == other.oncological
            && self.procedure == other.procedure
            && self.procedure_stated == other.procedure_stated
            && self.doctor == other.doctor
    }
}

/// A new application, as the rules opened it.
#[derive(Debug, Clone, PartialEq)]
pub struct NewApplication {
    pub application_id: String,
    pub certificate_id: String,
    pub person_id: String,
    pub procedure: Procedure,
    pub purposes: Vec<Purpose>,
    pub state: ApplicationState,
    pub opened_on: Date,
    pub via: Option<Via>,
    /// The domain's facts beyond the columns (opaque here).
    pub facts: Value,
}

/// An application with its current state, read in one query.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationRecord {
    pub application_id: String,
    pub certificate_id: String,
    pub person_id: String,
    pub procedure: Procedure,
    pub purposes: Vec<Purpose>,
    pub state: ApplicationState,
    pub opened_on: Date,
    pub via: Option<Via>,
    /// Ordinary, from the commission's verbale: INPS's due date.
    pub inps_due: Option<Date>,
    /// The linked verbale.
    pub verbale_id: Option<String>,
    /// Concluded with a court appeal open.
    pub appeal_open: bool,
    /// The `on` of the latest event (an event may not be dated before it).
    pub last_event_on: Option<Date>,
    pub facts: Value,
    /// How many events were applied: the optimistic guard of the next one.
    pub version: i64,
    pub created_at: Millis,
}

/// What an event makes of the application row (every column the rules
/// may change).
#[derive(Debug, Clone, PartialEq)]
pub struct ApplicationChange {
    pub state: ApplicationState,
    pub inps_due: Option<Date>,
    pub verbale_id: Option<String>,
    pub appeal_open: bool,
    pub facts: Value,
}

/// One event to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub on: Date,
    /// The event's body beyond `event` and `on` (visit, justified, …).
    pub payload: Value,
}

/// One event of the history.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// 1 for the first event; equals the version it produced.
    pub seq: i64,
    pub kind: EventKind,
    pub on: Date,
    pub payload: Value,
    pub recorded_at: Millis,
}

/// What storing a certificate did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CertificatePut {
    /// New (201); with the application it opened, if any.
    Created { application_id: Option<String> },
    /// The same content again (200): nothing written.
    Unchanged { application_id: Option<String> },
}

/// Why a write was refused by what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JourneyRefusal {
    /// The certificate id is stored with other content (409 `certificate_conflict`).
    CertificateConflict,
    /// No such certificate (404 `unknown_certificate`).
    UnknownCertificate,
    /// The certificate already has its application (409 `certificate_used`).
    CertificateUsed,
    /// No such application (404 `unknown_application`).
    UnknownApplication,
    /// Another write came first since what it depends on was read (an
    /// event on the same application): read again.
    Stale,
}

macro_rules! certificate_columns {
    () => {
        "certificate_id, person_id, issued_on, purposes, province, oncological, procedure, \
         procedure_stated, doctor, expired_on"
    };
}

macro_rules! application_columns {
    () => {
        "application_id, certificate_id, person_id, procedure, purposes, state, opened_on, via, \
         inps_due, verbale_id, appeal_open, last_event_on, facts_json, version, created_at"
    };
}

impl Store {
    /// Stores a certificate, idempotently by id: the same content again
    /// changes nothing, other content is a conflict. `opens` is the
    /// application a reform certificate opens, written in the same
    /// transaction (only when the certificate is new).
    pub async fn put_certificate(
        &self,
        certificate: &CertificateRecord,
        opens: Option<&NewApplication>,
        now: Millis,
    ) -> Result<Result<CertificatePut, JourneyRefusal>> {
        // A concurrent first submission of the same id can win between
        // the read and the insert: then read again, once, and compare.
        for _ in 0..2 {
            let mut batch = self.batch().await?;
            let outcome = batch.put_certificate(certificate, opens, now).await?;
            if outcome == Err(JourneyRefusal::Stale) {
                continue;
            }
            if outcome.is_ok() {
                batch.commit().await?;
            }
            return Ok(outcome);
        }
        Ok(Err(JourneyRefusal::Stale))
    }

    pub async fn certificate(&self, certificate_id: &str) -> Result<Option<CertificateRecord>> {
        let mut conn = self.pool.acquire().await?;
        certificate_by_id(&mut conn, certificate_id).await
    }

    /// A person's certificates, newest issue first.
    pub async fn certificates_of(&self, person_id: &str) -> Result<Vec<CertificateRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            certificate_columns!(),
            " FROM certificates WHERE person_id = $1 \
             ORDER BY issued_on DESC, certificate_id DESC"
        ))
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(certificate_from_row).collect()
    }

    /// Ordinary certificates with no application that the job has not
    /// marked expired yet: the expiry job's candidates.
    pub async fn unused_certificates(&self) -> Result<Vec<CertificateRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            certificate_columns!(),
            " FROM certificates c WHERE procedure = $1 \
             AND expired_on IS NULL AND NOT EXISTS \
             (SELECT 1 FROM applications a WHERE a.certificate_id = c.certificate_id) \
             ORDER BY issued_on, certificate_id"
        ))
        .bind(Procedure::Ordinary.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(certificate_from_row).collect()
    }

    /// Marks a certificate expired from `on`, once: false when it was
    /// already marked (or has its application since).
    pub async fn mark_certificate_expired(&self, certificate_id: &str, on: Date) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE certificates SET expired_on = $2 WHERE certificate_id = $1 \
             AND expired_on IS NULL AND NOT EXISTS \
             (SELECT 1 FROM applications a WHERE a.certificate_id = $1)",
        )
        .bind(certificate_id.to_owned())
        .bind(format_date(on))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Opens an application from a stored certificate (one per certificate).
    pub async fn open_application(
        &self,
        application: &NewApplication,
        now: Millis,
    ) -> Result<Result<(), JourneyRefusal>> {
        let mut batch = self.batch().await?;
        let outcome = batch.open_application(application, now).await?;
        if outcome.is_ok() {
            batch.commit().await?;
        }
        Ok(outcome)
    }

    pub async fn application(&self, application_id: &str) -> Result<Option<ApplicationRecord>> {
        let mut conn = self.pool.acquire().await?;
        application_by_id(&mut conn, application_id).await
    }

    /// A person's applications, newest first.
    pub async fn applications_of(&self, person_id: &str) -> Result<Vec<ApplicationRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM applications WHERE person_id = $1 \
             ORDER BY created_at DESC, application_id DESC"
        ))
        .bind(person_id.to_owned())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application_from_row).collect()
    }

    /// The applications that hold a person's assessment open (SPEC §10.1
    /// "one at a time"): every non-terminal one, and concluded ones whose
    /// court appeal is open. The domain compares their purposes.
    pub async fn open_assessments_of(&self, person_id: &str) -> Result<Vec<ApplicationRecord>> {
        let mut conn = self.pool.acquire().await?;
        open_assessments(&mut conn, person_id).await
    }

    /// Ordinary applications awaiting INPS whose due date is before `on`:
    /// silent assent applies to them when the job runs on `on`.
    pub async fn silent_assent_due(&self, on: Date) -> Result<Vec<ApplicationRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            application_columns!(),
            " FROM applications WHERE state = $1 \
             AND inps_due IS NOT NULL AND inps_due < $2 ORDER BY inps_due, application_id"
        ))
        .bind(ApplicationState::AwaitingInps.as_str())
        .bind(format_date(on))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(application_from_row).collect()
    }

    /// Appends one event and updates the application's row in one
    /// transaction, if no other event was applied since `expected_version`
    /// (else [`JourneyRefusal::Stale`], nothing written). Returns the new
    /// version.
    pub async fn append_event(
        &self,
        application_id: &str,
        expected_version: i64,
        change: &ApplicationChange,
        event: &NewEvent,
        now: Millis,
    ) -> Result<Result<i64, JourneyRefusal>> {
        let mut batch = self.batch().await?;
        let outcome = batch
            .append_event(application_id, expected_version, change, event, now)
            .await?;
        if outcome.is_ok() {
            batch.commit().await?;
        }
        Ok(outcome)
    }

    /// An application's history, oldest first.
    pub async fn events_of(&self, application_id: &str) -> Result<Vec<EventRecord>> {
        let mut conn = self.pool.acquire().await?;
        events(&mut conn, application_id).await
    }

    /// Takes the named job's lock for `holder` until `until`, unless
    /// another holder has it and it has not lapsed at `now`. One atomic
    /// conditional upsert, so of two nodes asking at once one gets it.
    pub async fn try_job_lock(
        &self,
        name: &str,
        holder: &str,
        now: Millis,
        until: Millis,
    ) -> Result<bool> {
        let row = sqlx::query(
            "INSERT INTO job_locks (name, holder, held_until) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, \
             held_until = excluded.held_until WHERE job_locks.held_until <= $4 \
             RETURNING holder",
        )
        .bind(name.to_owned())
        .bind(holder.to_owned())
        .bind(until)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Gives the lock back (only the holder can).
    pub async fn release_job_lock(&self, name: &str, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM job_locks WHERE name = $1 AND holder = $2")
            .bind(name.to_owned())
            .bind(holder.to_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Batch {
    /// Holds the person's row until this batch ends, so that rules read
    /// outside it about the person (one assessment at a time) hold when it
    /// writes: a second writer for the same person waits here. SQLite's
    /// `BEGIN IMMEDIATE` already let only one writer in.
    pub async fn lock_person(&mut self, person_id: &str) -> Result<()> {
        if self.engine == crate::Engine::Postgres {
            sqlx::query("SELECT person_id FROM people WHERE person_id = $1 FOR UPDATE")
                .bind(person_id.to_owned())
                .fetch_optional(&mut *self.tx)
                .await?;
        }
        Ok(())
    }

    /// See [`Store::certificate`]; read in this batch.
    pub async fn certificate(&mut self, certificate_id: &str) -> Result<Option<CertificateRecord>> {
        certificate_by_id(&mut self.tx, certificate_id).await
    }

    /// See [`Store::open_assessments_of`]; read in this batch.
    pub async fn open_assessments_of(&mut self, person_id: &str) -> Result<Vec<ApplicationRecord>> {
        open_assessments(&mut self.tx, person_id).await
    }

    /// See [`Store::events_of`]; read in this batch.
    pub async fn events_of(&mut self, application_id: &str) -> Result<Vec<EventRecord>> {
        events(&mut self.tx, application_id).await
    }

    /// See [`Store::put_certificate`].
    pub async fn put_certificate(
        &mut self,
        certificate: &CertificateRecord,
        opens: Option<&NewApplication>,
        now: Millis,
    ) -> Result<Result<CertificatePut, JourneyRefusal>> {
        let conn: &mut AnyConnection = &mut self.tx;
        if let Some(stored) = certificate_by_id(conn, &certificate.certificate_id).await? {
            if !stored.same_content(certificate) {
                return Ok(Err(JourneyRefusal::CertificateConflict));
            }
            let application =
                sqlx::query("SELECT application_id FROM applications WHERE certificate_id = $1")
                    .bind(certificate.certificate_id.clone())
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| r.try_get::<String, _>("application_id"))
                    .transpose()?;
            return Ok(Ok(CertificatePut::Unchanged {
                application_id: application,
            }));
        }
        let inserted = sqlx::query(
            "INSERT INTO certificates (certificate_id, person_id, issued_on, purposes, province, \
             oncological, procedure, procedure_stated, doctor, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(certificate.certificate_id.clone())
        .bind(certificate.person_id.clone())
        .bind(format_date(certificate.issued_on))
        .bind(purposes_text(&certificate.purposes))
        .bind(certificate.province.clone())
        .bind(i64::from(certificate.oncological))
        .bind(certificate.procedure.as_str())
        .bind(i64::from(certificate.procedure_stated))
        .bind(certificate.doctor.clone())
        .bind(now)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(Err(JourneyRefusal::Stale));
            }
            Err(e) => return Err(e.into()),
        }
        let application_id = match opens {
            Some(application) => {
                if let Err(refusal) = self.open_application(application, now).await? {
                    return Ok(Err(refusal));
                }
                Some(application.application_id.clone())
            }
            None => None,
        };
        Ok(Ok(CertificatePut::Created { application_id }))
    }

    /// See [`Store::open_application`].
    pub async fn open_application(
        &mut self,
        application: &NewApplication,
        now: Millis,
    ) -> Result<Result<(), JourneyRefusal>> {
        let conn: &mut AnyConnection = &mut self.tx;
        let used = sqlx::query("SELECT 1 AS one FROM applications WHERE certificate_id = $1")
            .bind(application.certificate_id.clone())
            .fetch_optional(&mut *conn)
            .await?;
        if used.is_some() {
            return Ok(Err(JourneyRefusal::CertificateUsed));
        }
        if certificate_by_id(conn, &application.certificate_id)
            .await?
            .is_none()
        {
            return Ok(Err(JourneyRefusal::UnknownCertificate));
        }
        let inserted = sqlx::query(
            "INSERT INTO applications (application_id, certificate_id, person_id, procedure, \
             purposes, state, opened_on, via, facts_json, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $10)",
        )
        .bind(application.application_id.clone())
        .bind(application.certificate_id.clone())
        .bind(application.person_id.clone())
        .bind(application.procedure.as_str())
        .bind(purposes_text(&application.purposes))
        .bind(application.state.as_str())
        .bind(format_date(application.opened_on))
        .bind(application.via.map(Via::as_str))
        .bind(application.facts.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await;
        match inserted {
            Ok(_) => Ok(Ok(())),
            // A concurrent request opened one first (PostgreSQL sees it only
            // at the unique index).
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Ok(Err(JourneyRefusal::CertificateUsed))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// See [`Store::append_event`]; inside a batch, with the verbale that
    /// caused it (the caller commits both or neither).
    pub async fn append_event(
        &mut self,
        application_id: &str,
        expected_version: i64,
        change: &ApplicationChange,
        event: &NewEvent,
        now: Millis,
    ) -> Result<Result<i64, JourneyRefusal>> {
        let conn: &mut AnyConnection = &mut self.tx;
        let next = expected_version + 1;
        let updated = sqlx::query(
            "UPDATE applications SET state = $3, inps_due = $4, verbale_id = $5, \
             appeal_open = $6, facts_json = $7, last_event_on = $8, version = $9, \
             updated_at = $10 WHERE application_id = $1 AND version = $2",
        )
        .bind(application_id.to_owned())
        .bind(expected_version)
        .bind(change.state.as_str())
        .bind(change.inps_due.map(format_date))
        .bind(change.verbale_id.clone())
        .bind(i64::from(change.appeal_open))
        .bind(change.facts.to_string())
        .bind(format_date(event.on))
        .bind(next)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() == 0 {
            let exists = sqlx::query("SELECT 1 AS one FROM applications WHERE application_id = $1")
                .bind(application_id.to_owned())
                .fetch_optional(&mut *conn)
                .await?;
            return Ok(Err(if exists.is_some() {
                JourneyRefusal::Stale
            } else {
                JourneyRefusal::UnknownApplication
            }));
        }
        sqlx::query(
            "INSERT INTO application_events (application_id, seq, kind, on_day, payload_json, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(application_id.to_owned())
        .bind(next)
        .bind(event.kind.as_str())
        .bind(format_date(event.on))
        .bind(event.payload.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        Ok(Ok(next))
    }
}

async fn open_assessments(
    conn: &mut AnyConnection,
    person_id: &str,
) -> Result<Vec<ApplicationRecord>> {
    let rows = sqlx::query(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications WHERE person_id = $1 \
         AND (state NOT IN ($2, $3, $4) OR appeal_open = 1) \
         ORDER BY created_at DESC, application_id DESC"
    ))
    .bind(person_id.to_owned())
    // The terminal states (`ApplicationState::is_terminal`).
    .bind(ApplicationState::Concluded.as_str())
    .bind(ApplicationState::Lapsed.as_str())
    .bind(ApplicationState::Withdrawn.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(application_from_row).collect()
}

async fn events(conn: &mut AnyConnection, application_id: &str) -> Result<Vec<EventRecord>> {
    let rows = sqlx::query(
        "SELECT seq, kind, on_day, payload_json, recorded_at FROM application_events \
         WHERE application_id = $1 ORDER BY seq",
    )
    .bind(application_id.to_owned())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = r.try_get("kind")?;
            Ok(EventRecord {
                seq: r.try_get("seq")?,
                kind: EventKind::parse(&kind)
                    .ok_or_else(|| StoreError::Corrupt(format!("event kind {kind:?}")))?,
                on: date_column(r, "on_day")?,
                payload: json_column(r, "payload_json")?,
                recorded_at: r.try_get("recorded_at")?,
            })
        })
        .collect()
}

async fn certificate_by_id(
    conn: &mut AnyConnection,
    certificate_id: &str,
) -> Result<Option<CertificateRecord>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        certificate_columns!(),
        " FROM certificates WHERE certificate_id = $1"
    ))
    .bind(certificate_id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(certificate_from_row).transpose()
}

async fn application_by_id(
    conn: &mut AnyConnection,
    application_id: &str,
) -> Result<Option<ApplicationRecord>> {
    let row = sqlx::query(concat!(
        "SELECT ",
        application_columns!(),
        " FROM applications WHERE application_id = $1"
    ))
    .bind(application_id.to_owned())
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(application_from_row).transpose()
}

fn certificate_from_row(r: &AnyRow) -> Result<CertificateRecord> {
    Ok(CertificateRecord {
        certificate_id: r.try_get("certificate_id")?,
        person_id: r.try_get("person_id")?,
        issued_on: date_column(r, "issued_on")?,
        purposes: purposes_column(r)?,
        province: r.try_get("province")?,
        oncological: r.try_get::<i64, _>("oncological")? != 0,
        procedure: procedure_column(r)?,
        procedure_stated: r.try_get::<i64, _>("procedure_stated")? != 0,
        doctor: r.try_get("doctor")?,
        expired_on: optional_date(r, "expired_on")?,
    })
}

fn application_from_row(r: &AnyRow) -> Result<ApplicationRecord> {
    let state: String = r.try_get("state")?;
    Ok(ApplicationRecord {
        application_id: r.try_get("application_id")?,
        certificate_id: r.try_get("certificate_id")?,
        person_id: r.try_get("person_id")?,
        procedure: procedure_column(r)?,
        purposes: purposes_column(r)?,
        state: ApplicationState::parse(&state)
            .ok_or_else(|| StoreError::Corrupt(format!("application state {state:?}")))?,
        opened_on: date_column(r, "opened_on")?,
        via: r
            .try_get::<Option<String>, _>("via")?
            .map(|v| Via::parse(&v).ok_or_else(|| StoreError::Corrupt(format!("via {v:?}"))))
            .transpose()?,
        inps_due: optional_date(r, "inps_due")?,
        verbale_id: r.try_get("verbale_id")?,
        appeal_open: r.try_get::<i64, _>("appeal_open")? != 0,
        last_event_on: optional_date(r, "last_event_on")?,
        facts: json_column(r, "facts_json")?,
        version: r.try_get("version")?,
        created_at: r.try_get("created_at")?,
    })
}

/// Purposes as stored: their words, comma-separated, in the given order.
fn purposes_text(purposes: &[Purpose]) -> String {
    purposes
        .iter()
        .map(|p| p.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

fn purposes_column(r: &AnyRow) -> Result<Vec<Purpose>> {
    let text: String = r.try_get("purposes")?;
    text.split(',')
        .filter(|w| !w.is_empty())
        .map(|w| Purpose::parse(w).ok_or_else(|| StoreError::Corrupt(format!("purpose {w:?}"))))
        .collect()
}

fn procedure_column(r: &AnyRow) -> Result<Procedure> {
    let text: String = r.try_get("procedure")?;
    Procedure::parse(&text).ok_or_else(|| StoreError::Corrupt(format!("procedure {text:?}")))
}

fn date_column(r: &AnyRow, column: &str) -> Result<Date> {
    let text: String = r.try_get(column)?;
    parse_date(&text).ok_or_else(|| StoreError::Corrupt(format!("{column} is not a date")))
}

fn optional_date(r: &AnyRow, column: &str) -> Result<Option<Date>> {
    r.try_get::<Option<String>, _>(column)?
        .map(|t| parse_date(&t).ok_or_else(|| StoreError::Corrupt(format!("{column} {t:?}"))))
        .transpose()
}

fn json_column(r: &AnyRow, column: &str) -> Result<Value> {
    let text: String = r.try_get(column)?;
    serde_json::from_str(&text).map_err(|_| StoreError::Corrupt(column.into()))
}
