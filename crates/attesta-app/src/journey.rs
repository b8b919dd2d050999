//! The application journey's back office and scheduled rules (SPEC §10):
//! certificates in, applications opened, events applied, verbali linked,
//! silent assent and certificate expiry. The rules are the domain's
//! (`attesta_domain::journey`); here they meet the store: an application
//! is rebuilt from its history, the next event is decided by the domain,
//! and the event, the new state (and the verbale it moves) are written in
//! one transaction guarded by the version read.

use std::sync::LazyLock;

mod citizen;
pub use citizen::{CertificateView, MyVerbale};

use attesta_domain::journey::{
    Application, ApplicationInput, ApplicationRefusal, ApplicationRequest, ApplicationState,
    ApplicationView, Certificate, CertificateInput, DatedEvent, Event, EventInput, EventKind,
    Procedure, ProcedureRules, ProcedureRulesError, Province, Purposes, TransitionError,
    assessment_open, silent_assent_due, verbale_fits,
};
use attesta_domain::{FieldError, FiscalCode, InputError, Verbale, format_date};
use attesta_store::journey::{
    ApplicationChange, ApplicationRecord, CertificatePut, CertificateRecord, EventRecord,
    JourneyRefusal, NewApplication, NewEvent,
};
use attesta_store::{Batch, IngestOutcome, ids};
use serde_json::{Map, Value, json};
use time::Date;

use crate::backoffice::{Written, ingest_error, object, unknown_fields};
use crate::{App, AppError, AppResult, ErrorCode};

// ---- rules ------------------------------------------------------------

const PROCEDURE_RULES_TEXT: &str = include_str!("../../../rules/procedures.toml");

static RULES: LazyLock<Result<ProcedureRules, ProcedureRulesError>> =
    LazyLock::new(|| ProcedureRules::parse(PROCEDURE_RULES_TEXT));

/// The procedure rules (`rules/procedures.toml`, embedded at build time),
/// parsed and checked once.
pub fn procedure_rules() -> Result<&'static ProcedureRules, ProcedureRulesError> {
    RULES.as_ref().map_err(Clone::clone)
}

/// Called at start: refuse to serve with a rules file that has a mistake.
pub fn check_procedure_rules() -> Result<(), ProcedureRulesError> {
    procedure_rules().map(|_| ())
}

fn rules() -> AppResult<&'static ProcedureRules> {
    procedure_rules().map_err(|e| AppError::internal(&e))
}

/// How many times a write is tried again when another event was applied to
/// the same application in between (each try reads the state afresh).
const STALE_RETRIES: usize = 3;

/// The answer to `POST /api/v1/admin/certificates`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateAnswer {
    pub written: Written,
    pub certificate_id: String,
    pub procedure: Procedure,
    /// The application a reform certificate opened.
    pub application_id: Option<String>,
}

impl CertificateAnswer {
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("certificate_id".into(), json!(self.certificate_id));
        m.insert("procedure".into(), json!(self.procedure.as_str()));
        if let Some(id) = &self.application_id {
            m.insert("application_id".into(), json!(id));
        }
        Value::Object(m)
    }
}

/// A verbale body with its optional link to an application (SPEC §10.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkedVerbale {
    pub verbale: Verbale,
    pub application_id: Option<String>,
}

/// What one run of the scheduled rules did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct JobReport {
    /// False when another node held the lock: this run did nothing.
    pub ran: bool,
    /// Applications concluded by silent assent.
    pub silent_assent: usize,
    /// Certificates marked expired.
    pub certificates_expired: usize,
    /// Level-2 one-time code requests deleted 24 hours after their expiry
    /// (retention, SPEC §12).
    pub otp_requests_deleted: u64,
    /// Verification log entries removed after the retention period
    /// (`ATTESTA_LOG_RETENTION_DAYS`, SPEC §12).
    pub log_entries_deleted: u64,
}

impl JobReport {
    /// One line for the operator.
    pub fn summary(&self, on: Date) -> String {
        if !self.ran {
            return format!(
                "jobs on {}: another node is running them; nothing done here",
                format_date(on)
            );
        }
        if self.silent_assent == 0
            && self.certificates_expired == 0
            && self.otp_requests_deleted == 0
            && self.log_entries_deleted == 0
        {
            return format!("jobs on {}: nothing to do", format_date(on));
        }
        format!(
            "jobs on {}: silent assent applied to {} application(s); {} certificate(s) expired; {} expired one-time code(s) deleted; {} verification log entries past retention deleted",
            format_date(on),
            self.silent_assent,
            self.certificates_expired,
            self.otp_requests_deleted,
            self.log_entries_deleted
        )
    }
}

/// How long a one-time code request is kept after it expires.
const OTP_RETENTION_MS: i64 = 24 * 60 * 60 * 1000;

/// The name of the journey job's lock row.
const JOB_LOCK: &str = "journey";
/// How long a node holds the lock at most (a crashed node's lapses).
const JOB_LOCK_MS: i64 = 10 * 60 * 1000;

impl App {
    // ---- parsing at the edge -------------------------------------------

    /// The body of `POST /api/v1/admin/certificates` (or an import row).
    pub fn certificate_from_json(&self, body: &Value) -> AppResult<Certificate> {
        parse_certificate(object(body)?, self.today())
    }

    /// The body of `POST /api/v1/admin/applications` (the domain's
    /// reading of it).
    pub fn application_request_from_json(&self, body: &Value) -> AppResult<ApplicationRequest> {
        ApplicationInput::parse(object(body)?, self.today()).map_err(|e| match e {
            InputError::UnknownFields(keys) => unknown_fields(&keys),
            InputError::Invalid(fields) => AppError::new(
                ErrorCode::InvalidApplication,
                "The application has invalid fields: see `fields`.",
            )
            .with_fields(fields),
        })
    }

    /// The §6 verbale body with its optional `application_id` (not a
    /// finding: it is taken out before the verbale is read).
    pub fn linked_verbale_from_json(&self, body: &Value) -> AppResult<LinkedVerbale> {
        linked_verbale_from(object(body)?, self.today())
    }

    // ---- certificates ---------------------------------------------------

    /// `POST /api/v1/admin/certificates`: stores the certificate,
    /// idempotently by id; a reform certificate opens its application.
    pub async fn put_certificate(&self, certificate: &Certificate) -> AppResult<CertificateAnswer> {
        let rules = rules()?;
        let person = self.person_for(&certificate.fiscal_code).await?;
        let procedure = certificate.procedure(rules);
        let record = CertificateRecord {
            certificate_id: certificate.certificate_id.clone(),
            person_id: person.clone(),
            issued_on: certificate.issued_on,
            purposes: certificate.purposes.as_slice().to_vec(),
            province: certificate.province.as_str().to_owned(),
            oncological: certificate.oncological,
            procedure,
            procedure_stated: certificate.procedure.is_some(),
            doctor: certificate.doctor.clone(),
            expired_on: None,
        };
        let put = if procedure == Procedure::Reform {
            self.put_reform_certificate(&record, &certificate.purposes)
                .await?
        } else {
            self.store
                .put_certificate(&record, None, self.now_millis())
                .await?
        };
        let (written, application_id) = match put {
            Ok(CertificatePut::Created { application_id }) => (Written::Created, application_id),
            Ok(CertificatePut::Unchanged { application_id }) => {
                (Written::Unchanged, application_id)
            }
            Err(JourneyRefusal::CertificateConflict) => {
                return Err(AppError::new(
                    ErrorCode::CertificateConflict,
                    "A certificate with this certificate_id is stored with different content. A certificate does not change: a new one needs a new certificate_id.",
                ));
            }
            Err(other) => return Err(refusal(other)),
        };
        Ok(CertificateAnswer {
            written,
            certificate_id: certificate.certificate_id.clone(),
            procedure,
            application_id,
        })
    }

    /// A reform certificate opens its application: one at a time per
    /// person, checked and written in one transaction holding the person.
    async fn put_reform_certificate(
        &self,
        record: &CertificateRecord,
        purposes: &Purposes,
    ) -> AppResult<Result<CertificatePut, JourneyRefusal>> {
        let now = self.now_millis();
        let mut batch = self.store.batch().await?;
        batch.lock_person(&record.person_id).await?;
        if batch.certificate(&record.certificate_id).await?.is_none() {
            self.refuse_if_assessment_open(&mut batch, &record.person_id, purposes)
                .await?;
            let today = self.today();
            let opened = Application::open(Procedure::Reform, purposes.clone(), today);
            let opens = NewApplication {
                application_id: ids::random_id(),
                certificate_id: record.certificate_id.clone(),
                person_id: record.person_id.clone(),
                procedure: Procedure::Reform,
                purposes: purposes.as_slice().to_vec(),
                state: opened.state(),
                opened_on: today,
                via: None,
                facts: facts(&opened),
            };
            let outcome = batch.put_certificate(record, Some(&opens), now).await?;
            if outcome != Err(JourneyRefusal::Stale) {
                if outcome.is_ok() {
                    batch.commit().await?;
                }
                return Ok(outcome);
            }
        }
        // Stored already (or just now, by another request): compare.
        drop(batch);
        Ok(self.store.put_certificate(record, None, now).await?)
    }

    // ---- applications ---------------------------------------------------

    /// `POST /api/v1/admin/applications`: an ordinary application from a
    /// stored certificate (by the back office, for a patronato or an
    /// association). Returns the new application's id.
    pub async fn open_application(&self, request: &ApplicationRequest) -> AppResult<String> {
        let rules = rules()?;
        let Some(record) = self.store.certificate(&request.certificate_id).await? else {
            return Err(AppError::new(
                ErrorCode::UnknownCertificate,
                "No certificate with this certificate_id: send it first with POST /api/v1/admin/certificates.",
            ));
        };
        let certificate = self.domain_certificate(&record).await?;
        let on = request.on.unwrap_or_else(|| self.today());
        let used = self
            .store
            .applications_of(&record.person_id)
            .await?
            .iter()
            .any(|a| a.certificate_id == record.certificate_id);
        certificate
            .may_apply(rules, used, on)
            .map_err(application_refusal)?;
        let mut batch = self.store.batch().await?;
        self.refuse_if_assessment_open(&mut batch, &record.person_id, &certificate.purposes)
            .await?;
        let application_id = ids::random_id();
        let opened = Application::open(Procedure::Ordinary, certificate.purposes.clone(), on);
        let new = NewApplication {
            application_id: application_id.clone(),
            certificate_id: record.certificate_id.clone(),
            person_id: record.person_id.clone(),
            procedure: Procedure::Ordinary,
            purposes: certificate.purposes.as_slice().to_vec(),
            state: opened.state(),
            opened_on: on,
            via: request.via,
            facts: facts(&opened),
        };
        batch
            .open_application(&new, self.now_millis())
            .await?
            .map_err(refusal)?;
        batch.commit().await?;
        Ok(application_id)
    }

    /// `POST /api/v1/admin/applications/{id}/events`: applies one event and
    /// answers the application as the citizen sees it (SPEC §10.2).
    pub async fn post_event(&self, application_id: &str, body: &Value) -> AppResult<Value> {
        let map = object(body)?;
        for _ in 0..STALE_RETRIES {
            let loaded = self.load_application(application_id).await?;
            let event = EventInput::parse(map, self.today(), &loaded.app).map_err(|e| match e {
                InputError::UnknownFields(keys) => unknown_fields(&keys),
                InputError::Invalid(fields) => invalid_event(fields),
            })?;
            let next = loaded.app.apply(&event).map_err(transition_error)?;
            if self.write_event(&loaded, &next, &event).await? {
                return Ok(self
                    .application_view(&loaded.record, &next)
                    .await?
                    .to_json());
            }
        }
        Err(busy())
    }

    /// The application as the citizen sees it today (the domain's view).
    pub async fn application_json(&self, application_id: &str) -> AppResult<Value> {
        let loaded = self.load_application(application_id).await?;
        Ok(self
            .application_view(&loaded.record, &loaded.app)
            .await?
            .to_json())
    }

    // ---- verbali linked to applications ---------------------------------

    /// `POST /api/v1/admin/verbali` with its optional `application_id`
    /// (SPEC §6, §10.1): the verbale is stored as before (the person's
    /// status, QR and card follow), and a linked one moves its application
    /// in the same transaction.
    /// A verbale that becomes definitive here queues its alerts in the
    /// same transaction (SPEC §11).
    pub async fn ingest_linked_verbale(&self, linked: &LinkedVerbale) -> AppResult<Written> {
        self.ingest_linked_verbale_alerting(linked, true).await
    }

    /// [`App::ingest_linked_verbale`], queueing alerts only when `alert`
    /// (`attesta import` without `--notify` alerts no one).
    pub async fn ingest_linked_verbale_alerting(
        &self,
        linked: &LinkedVerbale,
        alert: bool,
    ) -> AppResult<Written> {
        let verbale = &linked.verbale;
        for _ in 0..STALE_RETRIES {
            let stored = self.store.verbale(&verbale.id).await?;
            // The link is not content: a resubmission without it keeps the
            // stored one (so false → true of a linked verbale moves its
            // application, SPEC §10.1); another link is the store's conflict.
            let link = linked
                .application_id
                .clone()
                .or_else(|| stored.as_ref().and_then(|s| s.application_id.clone()));
            let unchanged = stored.as_ref().is_some_and(|s| {
                s.verbale.compare(verbale) == attesta_domain::Resubmission::Same
                    && (linked.application_id.is_none()
                        || s.application_id == linked.application_id)
            });
            let Some(application_id) = link.filter(|_| !unchanged) else {
                // Unlinked (or nothing new): today's path.
                return self.ingest_verbale_alerting(verbale, alert).await;
            };
            if stored
                .as_ref()
                .and_then(|s| s.application_id.as_deref())
                .is_some_and(|a| a != application_id)
            {
                return Err(ingest_error(attesta_store::IngestError::Conflict));
            }
            let loaded = self.linked_application(&application_id, verbale).await?;
            let today = self.today();
            let event = DatedEvent::new(
                today.max(loaded.app.last_event_on()),
                Event::Verbale {
                    verbale_id: verbale.id.clone(),
                    definitive: verbale.definitive,
                    kind: verbale.kind,
                    session_date: verbale.session_date,
                },
            );
            let next = loaded.app.apply(&event).map_err(transition_error)?;
            let now = self.now_millis();
            let mut batch = self.store.batch().await?;
            let outcome = match batch
                .ingest_linked_verbale_alerting(verbale, Some(&application_id), today, now, alert)
                .await?
            {
                Ok(o) => o,
                Err(e) => return Err(ingest_error(e)),
            };
            if outcome == IngestOutcome::Unchanged {
                return Ok(Written::Unchanged);
            }
            let appended = batch
                .append_event(
                    &application_id,
                    loaded.record.version,
                    &change(&next),
                    &new_event(&event),
                    now,
                )
                .await?;
            match appended {
                Ok(_) => {
                    batch.commit().await?;
                    self.review_card_of(&verbale.fiscal_code).await;
                    return Ok(match outcome {
                        IngestOutcome::Created => Written::Created,
                        _ => Written::Updated,
                    });
                }
                Err(JourneyRefusal::Stale) => continue,
                Err(other) => return Err(refusal(other)),
            }
        }
        Err(busy())
    }

    // ---- scheduled rules ------------------------------------------------

    /// `attesta jobs run [--on DATE]` and the hourly job of `attesta serve`:
    /// silent assent and certificate expiry as of `on`, on one node at a
    /// time, idempotently (a second run finds nothing to do).
    pub async fn run_jobs(&self, on: Date) -> AppResult<JobReport> {
        let holder = ids::random_id();
        let now = self.now_millis();
        if !self
            .store
            .try_job_lock(JOB_LOCK, &holder, now, now + JOB_LOCK_MS)
            .await?
        {
            crate::telemetry::job_run("skipped", now);
            return Ok(JobReport::default());
        }
        let result = self.run_jobs_locked(on).await;
        crate::telemetry::job_run(
            if result.is_ok() { "ran" } else { "failed" },
            self.now_millis(),
        );
        // Released even after a failure; a failed release lapses by itself.
        if let Err(e) = self.store.release_job_lock(JOB_LOCK, &holder).await {
            tracing::error!(error = %e, "jobs: cannot release the lock");
        }
        result
    }

    async fn run_jobs_locked(&self, on: Date) -> AppResult<JobReport> {
        let mut report = JobReport {
            ran: true,
            ..JobReport::default()
        };
        for record in self.store.silent_assent_due(on).await? {
            match self.apply_silent_assent(&record.application_id, on).await {
                Ok(true) => report.silent_assent += 1,
                Ok(false) => {}
                // One application's trouble never stops the others.
                Err(e) => tracing::error!(error = %e, "jobs: silent assent failed"),
            }
        }
        let rules = rules()?;
        for record in self.store.unused_certificates().await? {
            let certificate = self.domain_certificate(&record).await?;
            let Some(last_day) = certificate.apply_by(rules) else {
                continue;
            };
            if on > last_day
                && self
                    .store
                    .mark_certificate_expired(
                        &record.certificate_id,
                        last_day.next_day().unwrap_or(on),
                    )
                    .await?
            {
                report.certificates_expired += 1;
            }
        }
        // Retention: one-time code requests 24 hours after their expiry
        // (the clock's time, not `on`: retention counts real time).
        report.otp_requests_deleted = self
            .store
            .purge_otp_requests(self.now_millis() - OTP_RETENTION_MS)
            .await?;
        report.log_entries_deleted = self
            .store
            .purge_verifications(self.now_millis() - self.config.log_retention.as_millis() as i64)
            .await?;
        Ok(report)
    }

    /// Silent assent on one application: its linked verbale becomes
    /// definitive (`definitive_on` = due + 1) through the same path as a
    /// confirmation, event `silent_assent`, state `concluded`. False when
    /// it no longer applies (another run did it).
    async fn apply_silent_assent(&self, application_id: &str, on: Date) -> AppResult<bool> {
        for _ in 0..STALE_RETRIES {
            let loaded = self.load_application(application_id).await?;
            let Some(definitive_on) = silent_assent_due(&loaded.app, on) else {
                return Ok(false);
            };
            let event = DatedEvent::new(on, Event::SilentAssent);
            let next = loaded.app.apply(&event).map_err(transition_error)?;
            if self
                .write_event_confirming(&loaded, &next, &event, definitive_on)
                .await?
            {
                return Ok(true);
            }
        }
        Err(busy())
    }

    // ---- helpers --------------------------------------------------------

    async fn person_for(&self, fiscal_code: &FiscalCode) -> AppResult<String> {
        match self.store.person_by_fiscal_code(fiscal_code).await? {
            Some(p) => Ok(p.person_id),
            None => Err(ingest_error(attesta_store::IngestError::UnknownPerson)),
        }
    }

    /// 409 `assessment_open` when an application of the person whose
    /// purposes overlap is still open (SPEC §10.1). Read in `batch` after
    /// holding the person, so that the write that follows in it is the only
    /// one deciding on this person meanwhile.
    async fn refuse_if_assessment_open(
        &self,
        batch: &mut Batch,
        person_id: &str,
        purposes: &Purposes,
    ) -> AppResult<()> {
        batch.lock_person(person_id).await?;
        let mut open = Vec::new();
        for record in batch.open_assessments_of(person_id).await? {
            let events = batch.events_of(&record.application_id).await?;
            open.push(replay(&record, &events)?);
        }
        if assessment_open(purposes, &open) {
            return Err(AppError::new(
                ErrorCode::AssessmentOpen,
                "An assessment of the same purposes is still open for this person (an application not concluded, or a court appeal): wait for it to end.",
            ));
        }
        Ok(())
    }

    /// The stored certificate as the domain's.
    async fn domain_certificate(&self, record: &CertificateRecord) -> AppResult<Certificate> {
        let person = self
            .store
            .person_by_id(&record.person_id)
            .await?
            .ok_or_else(|| AppError::internal(&"certificate of an unknown person"))?;
        let corrupt = |what: &str| AppError::internal(&format!("stored certificate: {what}"));
        Ok(Certificate {
            certificate_id: record.certificate_id.clone(),
            fiscal_code: person.person.fiscal_code,
            issued_on: record.issued_on,
            purposes: Purposes::new(record.purposes.iter().copied())
                .ok_or_else(|| corrupt("purposes"))?,
            province: Province::parse(&record.province).ok_or_else(|| corrupt("province"))?,
            oncological: record.oncological,
            procedure: record.procedure_stated.then_some(record.procedure),
            doctor: record.doctor.clone(),
        })
    }

    async fn load_application(&self, application_id: &str) -> AppResult<Loaded> {
        let Some(record) = self.store.application(application_id).await? else {
            return Err(unknown_application());
        };
        self.load(record).await
    }

    async fn load(&self, record: ApplicationRecord) -> AppResult<Loaded> {
        let events = self.store.events_of(&record.application_id).await?;
        // The history and the row are read apart: a version that does not
        // match the events read is a concurrent write, caught at the write.
        let app = replay(&record, &events)?;
        Ok(Loaded { record, app })
    }

    /// The application a verbale links to, checked (422 `invalid_verbale`
    /// naming `application_id` or `kind`).
    async fn linked_application(
        &self,
        application_id: &str,
        verbale: &Verbale,
    ) -> AppResult<Loaded> {
        let invalid = |field: FieldError| {
            AppError::new(
                ErrorCode::InvalidVerbale,
                "The verbale cannot be linked to this application: see `fields`.",
            )
            .with_fields(vec![field])
        };
        let Some(record) = self.store.application(application_id).await? else {
            return Err(invalid(FieldError::new(
                "application_id",
                "no such application",
            )));
        };
        let person = self.person_for(&verbale.fiscal_code).await?;
        if record.person_id != person {
            return Err(invalid(FieldError::new(
                "application_id",
                "is another person's application",
            )));
        }
        let loaded = self.load(record).await?;
        verbale_fits(&loaded.app, verbale.kind, verbale.definitive).map_err(invalid)?;
        Ok(loaded)
    }

    /// Writes one back-office event: an `inps_confirmed` also confirms the
    /// linked verbale (definitive from the event's day). False when another
    /// event came first (read again).
    async fn write_event(
        &self,
        loaded: &Loaded,
        next: &Application,
        event: &DatedEvent,
    ) -> AppResult<bool> {
        if event.event.kind() == EventKind::InpsConfirmed {
            return self
                .write_event_confirming(loaded, next, event, event.on)
                .await;
        }
        let appended = self
            .store
            .append_event(
                &loaded.record.application_id,
                loaded.record.version,
                &change(next),
                &new_event(event),
                self.now_millis(),
            )
            .await?;
        match appended {
            Ok(_) => Ok(true),
            Err(JourneyRefusal::Stale) => Ok(false),
            Err(other) => Err(refusal(other)),
        }
    }

    /// Writes an event that makes the linked verbale definitive on
    /// `definitive_on` (INPS's confirmation, silent assent) in the same
    /// transaction, through the verbali's false → true path; the person's
    /// status is recomputed and the card reviewed.
    async fn write_event_confirming(
        &self,
        loaded: &Loaded,
        next: &Application,
        event: &DatedEvent,
        definitive_on: Date,
    ) -> AppResult<bool> {
        let verbale_id = loaded
            .app
            .verbale_id()
            .ok_or_else(|| AppError::internal(&"awaiting INPS without a verbale"))?;
        let stored = self
            .store
            .verbale(verbale_id)
            .await?
            .ok_or_else(|| AppError::internal(&"linked verbale missing"))?;
        let mut confirmed = stored.verbale.clone();
        confirmed.definitive = true;
        let now = self.now_millis();
        let mut batch = self.store.batch().await?;
        if let Err(e) = batch
            .ingest_linked_verbale(
                &confirmed,
                Some(&loaded.record.application_id),
                definitive_on,
                now,
            )
            .await?
        {
            return Err(ingest_error(e));
        }
        let appended = batch
            .append_event(
                &loaded.record.application_id,
                loaded.record.version,
                &change(next),
                &new_event(event),
                now,
            )
            .await?;
        match appended {
            Ok(_) => {
                batch.commit().await?;
                self.review_card_of(&confirmed.fiscal_code).await;
                Ok(true)
            }
            Err(JourneyRefusal::Stale) => Ok(false),
            Err(other) => Err(refusal(other)),
        }
    }

    /// The application as the citizen sees it today (the domain's view):
    /// its certificate and the person's birth date read, the rules applied.
    async fn application_view(
        &self,
        record: &ApplicationRecord,
        app: &Application,
    ) -> AppResult<ApplicationView> {
        let certificate = self
            .store
            .certificate(&record.certificate_id)
            .await?
            .ok_or_else(|| AppError::internal(&"application without its certificate"))?;
        let person = self
            .store
            .person_by_id(&record.person_id)
            .await?
            .ok_or_else(|| AppError::internal(&"application of an unknown person"))?;
        let certificate = self.domain_certificate(&certificate).await?;
        Ok(ApplicationView::of(
            &record.application_id,
            app,
            &certificate,
            person.person.birth_date,
            self.today(),
        ))
    }
}

/// The domain's application rebuilt from its stored history.
fn replay(record: &ApplicationRecord, events: &[EventRecord]) -> AppResult<Application> {
    let dated: Vec<DatedEvent> = events
        .iter()
        .map(|e| {
            let data = e.payload.as_object().cloned().unwrap_or_default();
            Event::from_data(e.kind, &data)
                .map(|event| DatedEvent::new(e.on, event))
                .ok_or_else(|| AppError::internal(&format!("stored event {}", e.kind)))
        })
        .collect::<AppResult<_>>()?;
    let purposes = Purposes::new(record.purposes.iter().copied())
        .ok_or_else(|| AppError::internal(&"stored application purposes"))?;
    Application::replay(record.procedure, purposes, record.opened_on, &dated)
        .map_err(|e| AppError::internal(&format!("stored history does not replay: {e}")))
}

/// An application's stored row and the domain's application its history
/// replays to.
struct Loaded {
    record: ApplicationRecord,
    app: Application,
}

/// The row's columns after the event (what the queries read), and a
/// snapshot of the domain's facts for readers of the database; the rules
/// themselves always replay the history.
fn change(app: &Application) -> ApplicationChange {
    ApplicationChange {
        state: app.state(),
        inps_due: app.inps_due(),
        verbale_id: app.verbale_id().map(str::to_owned),
        appeal_open: app.appeal_open(),
        facts: facts(app),
    }
}

fn facts(app: &Application) -> Value {
    json!({
        "absences_in_phase": app.absences_in_phase(),
        "documents_requested": app.documents_requested(),
        "documents_from": app.documents_from().map(ApplicationState::as_str),
        "definitive_on": app.definitive_on().map(format_date),
        "silent_assent_applied": app.silent_assent_applied(),
        "visit": app.visit().map(|v| v.to_json()),
    })
}

fn new_event(event: &DatedEvent) -> NewEvent {
    NewEvent {
        kind: event.event.kind(),
        on: event.on,
        payload: Value::Object(event.event.data()),
    }
}

fn parse_certificate(map: &Map<String, Value>, today: Date) -> AppResult<Certificate> {
    CertificateInput::parse(map, today, rules()?).map_err(|e| match e {
        InputError::UnknownFields(keys) => unknown_fields(&keys),
        InputError::Invalid(fields) => AppError::new(
            ErrorCode::InvalidCertificate,
            "The certificate has invalid fields: see `fields`.",
        )
        .with_fields(fields),
    })
}

/// A verbale object (API body or import row) with its optional link.
pub(crate) fn linked_verbale_from(
    map: &Map<String, Value>,
    today: Date,
) -> AppResult<LinkedVerbale> {
    let mut rest = map.clone();
    let (application_id, link_error) = match rest.remove("application_id") {
        None | Some(Value::Null) => (None, None),
        Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 64 => {
            (Some(s.trim().to_owned()), None)
        }
        Some(_) => (
            None,
            Some(FieldError::new(
                "application_id",
                "must be the application_id the application was opened with",
            )),
        ),
    };
    match (crate::backoffice::parse_verbale(&rest, today), link_error) {
        (Ok(verbale), None) => Ok(LinkedVerbale {
            verbale,
            application_id,
        }),
        (Ok(_), Some(field)) => Err(AppError::new(
            ErrorCode::InvalidVerbale,
            "The verbale has invalid fields: see `fields`.",
        )
        .with_fields(vec![field])),
        (Err(mut e), Some(field)) if e.code == ErrorCode::InvalidVerbale => {
            e.fields.push(field);
            Err(e)
        }
        (Err(e), _) => Err(e),
    }
}

fn transition_error(e: TransitionError) -> AppError {
    match e {
        TransitionError::InvalidTransition { state, event } => AppError::new(
            ErrorCode::InvalidTransition,
            format!("The application is in state {state}, which does not take the event {event}."),
        ),
        TransitionError::SilentAssentApplied { due } => AppError::new(
            ErrorCode::SilentAssentApplied,
            format!(
                "INPS's 60 days ended on {}: silent assent applies, the verbale is definitive as it is.",
                format_date(due)
            ),
        ),
        TransitionError::HomeVisitTooLate { last_day } => AppError::new(
            ErrorCode::HomeVisitTooLate,
            format!(
                "A home visit must be asked at least 5 days before the visit, by {}.",
                format_date(last_day)
            ),
        )
        .with_fields(vec![FieldError::new(
            "on",
            format!("must be on or before {}", format_date(last_day)),
        )]),
        TransitionError::InvalidEvent(InputError::Invalid(fields)) => invalid_event(fields),
        TransitionError::InvalidEvent(InputError::UnknownFields(keys)) => unknown_fields(&keys),
    }
}

fn invalid_event(fields: Vec<FieldError>) -> AppError {
    AppError::new(
        ErrorCode::InvalidEvent,
        "The event has invalid fields: see `fields`.",
    )
    .with_fields(fields)
}

fn application_refusal(e: ApplicationRefusal) -> AppError {
    match e {
        ApplicationRefusal::Reform => AppError::new(
            ErrorCode::InvalidApplication,
            "This certificate follows the reform procedure, which needs no application: the certificate opened it.",
        ),
        ApplicationRefusal::Used => certificate_used(),
        ApplicationRefusal::Expired { .. } | ApplicationRefusal::ReformStarted { .. } => {
            AppError::new(
                ErrorCode::CertificateExpired,
                format!("The certificate can no longer be used: {e}."),
            )
        }
    }
}

fn certificate_used() -> AppError {
    AppError::new(
        ErrorCode::CertificateUsed,
        "This certificate already has its application: one application per certificate.",
    )
}

fn unknown_application() -> AppError {
    AppError::new(
        ErrorCode::UnknownApplication,
        "No application with this application_id.",
    )
}

fn refusal(r: JourneyRefusal) -> AppError {
    match r {
        JourneyRefusal::CertificateConflict => AppError::new(
            ErrorCode::CertificateConflict,
            "A certificate with this certificate_id is stored with different content.",
        ),
        JourneyRefusal::UnknownCertificate => AppError::new(
            ErrorCode::UnknownCertificate,
            "No certificate with this certificate_id.",
        ),
        JourneyRefusal::CertificateUsed => certificate_used(),
        JourneyRefusal::UnknownApplication => unknown_application(),
        JourneyRefusal::Stale => busy(),
    }
}

/// Other events kept arriving for the same application while this one was
/// being applied.
fn busy() -> AppError {
    AppError::internal(&"application changed concurrently on every retry")
}
