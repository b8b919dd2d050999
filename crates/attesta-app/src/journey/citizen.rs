//! The citizen's side of the journey (SPEC §10.2 "Citizen (and delegate
//! acting for them)"): their certificates, their applications as the
//! domain's view, an ordinary application from a usable certificate (the
//! back office's use case), and the reform's request for a new date. Every
//! act is written to the holder's activity list with who did it.

use attesta_domain::journey::{
    ApplicationView, CertificateStatus, DatedEvent, Procedure, Purposes, RescheduleInput,
};
use attesta_domain::{Activity, InputError, format_date};
use serde_json::{Map, Value, json};
use time::Date;

use super::{Loaded, invalid_event, rules, transition_error, unknown_application};
use crate::backoffice::{object, unknown_fields};
use crate::{Actor, App, AppError, AppResult, ErrorCode};
use attesta_domain::journey::ApplicationRequest;

/// One certificate as its holder sees it today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateView {
    pub certificate_id: String,
    pub issued_on: Date,
    pub purposes: Purposes,
    pub procedure: Procedure,
    pub status: CertificateStatus,
    /// The last day to apply (every ordinary certificate).
    pub apply_by: Option<Date>,
}

impl CertificateView {
    /// SPEC §10.2's JSON.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("certificate_id".into(), json!(self.certificate_id));
        m.insert("issued_on".into(), json!(format_date(self.issued_on)));
        m.insert("purposes".into(), self.purposes.to_json());
        m.insert("procedure".into(), json!(self.procedure.as_str()));
        m.insert("status".into(), json!(self.status.as_str()));
        if let Some(d) = self.apply_by {
            m.insert("apply_by".into(), json!(format_date(d)));
        }
        Value::Object(m)
    }
}

/// A verbale as its holder sees it.
#[derive(Debug, Clone)]
pub struct MyVerbale {
    pub stored: attesta_store::StoredVerbale,
    /// Its revision month has passed.
    pub revision_overdue: bool,
}

impl App {
    /// One of the holder's verbali, for `/me/verbali/{id}` (the link from a
    /// concluded application): another person's is as unknown as a missing
    /// one, so the answer says nothing about who else has which verbale.
    pub async fn my_verbale(&self, actor: &Actor, verbale_id: &str) -> AppResult<MyVerbale> {
        let unknown = || {
            AppError::new(
                ErrorCode::UnknownVerbale,
                "no verbale of the holder has that id",
            )
        };
        let (Some(stored), Some(holder)) = (
            self.store.verbale(verbale_id).await?,
            self.store.person_by_id(&actor.person_id).await?,
        ) else {
            return Err(unknown());
        };
        if stored.verbale.fiscal_code != holder.person.fiscal_code {
            return Err(unknown());
        }
        let revision_overdue = matches!(
            stored.verbale.findings.revision,
            Some(attesta_domain::Revision::Due(month)) if month.is_before_month_of(self.today())
        );
        Ok(MyVerbale {
            stored,
            revision_overdue,
        })
    }

    /// `GET /api/v1/me/certificates`: newest issue first.
    pub async fn my_certificates(&self, actor: &Actor) -> AppResult<Vec<CertificateView>> {
        let rules = rules()?;
        let used: Vec<String> = self
            .store
            .applications_of(&actor.person_id)
            .await?
            .into_iter()
            .map(|a| a.certificate_id)
            .collect();
        let today = self.today();
        let mut out = Vec::new();
        for record in self.store.certificates_of(&actor.person_id).await? {
            let certificate = self.domain_certificate(&record).await?;
            let is_used = used.contains(&record.certificate_id);
            out.push(CertificateView {
                status: certificate.status_on(rules, is_used, today),
                apply_by: certificate.apply_by(rules),
                procedure: certificate.procedure(rules),
                certificate_id: record.certificate_id,
                issued_on: record.issued_on,
                purposes: certificate.purposes,
            });
        }
        Ok(out)
    }

    /// `GET /api/v1/me/applications`: the domain's view of each, today,
    /// newest first.
    pub async fn my_applications(&self, actor: &Actor) -> AppResult<Vec<ApplicationView>> {
        let mut out = Vec::new();
        for record in self.store.applications_of(&actor.person_id).await? {
            let loaded = self.load(record).await?;
            out.push(self.view_of(&loaded).await?);
        }
        Ok(out)
    }

    /// The body of `POST /api/v1/me/applications`: `{"certificate_id"}`.
    pub fn my_application_from_json(&self, body: &Value) -> AppResult<String> {
        let map = object(body)?;
        let unknown: Vec<String> = map
            .keys()
            .filter(|k| *k != "certificate_id")
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(unknown_fields(&unknown));
        }
        match map.get("certificate_id") {
            Some(Value::String(s)) if !s.trim().is_empty() && s.len() <= 64 => {
                Ok(s.trim().to_owned())
            }
            _ => Err(AppError::new(
                ErrorCode::InvalidApplication,
                "The application has invalid fields: see `fields`.",
            )
            .with_fields(vec![attesta_domain::FieldError::new(
                "certificate_id",
                "is required: the certificate_id of one of your certificates",
            )])),
        }
    }

    /// `POST /api/v1/me/applications`: an ordinary application from one of
    /// the holder's certificates, today, through the back office's use
    /// case (same rules and error codes). Another person's certificate is
    /// 404 `unknown_certificate`, as an unknown one.
    pub async fn apply_from_certificate(
        &self,
        actor: &Actor,
        certificate_id: &str,
    ) -> AppResult<String> {
        let owned = self
            .store
            .certificate(certificate_id)
            .await?
            .is_some_and(|c| c.person_id == actor.person_id);
        if !owned {
            return Err(AppError::new(
                ErrorCode::UnknownCertificate,
                "You have no certificate with this certificate_id: see GET /api/v1/me/certificates.",
            ));
        }
        let request = ApplicationRequest {
            certificate_id: certificate_id.to_owned(),
            on: None,
            via: None,
        };
        let id = self.open_application(&request).await?;
        self.record(actor, Activity::ApplicationFiled).await?;
        Ok(id)
    }

    /// `POST /api/v1/me/applications/{id}/reschedule` `{"reason"}`: the
    /// reform's request for a new date, before the visit time (else 409
    /// `invalid_transition`). The reason may describe health: it is stored
    /// with the event and never logged. Answers the application's view.
    pub async fn request_new_date(
        &self,
        actor: &Actor,
        application_id: &str,
        body: &Value,
    ) -> AppResult<ApplicationView> {
        let map = object(body)?;
        let event = RescheduleInput::parse(map, self.now()).map_err(|e| match e {
            InputError::UnknownFields(keys) => unknown_fields(&keys),
            InputError::Invalid(fields) => invalid_event(fields),
        })?;
        for _ in 0..super::STALE_RETRIES {
            let loaded = self.my_application(actor, application_id).await?;
            // Never before the application's last event (the day is today).
            let event = DatedEvent::new(
                event.on.max(loaded.app.last_event_on()),
                event.event.clone(),
            );
            let next = loaded.app.apply(&event).map_err(transition_error)?;
            if self.write_event(&loaded, &next, &event).await? {
                self.record(actor, Activity::RescheduleRequested).await?;
                let loaded = self.my_application(actor, application_id).await?;
                return self.view_of(&loaded).await;
            }
        }
        Err(super::busy())
    }

    /// The state of one of the holder's applications (another person's is
    /// unknown, 404).
    pub(crate) async fn my_application_state(
        &self,
        actor: &Actor,
        application_id: &str,
    ) -> AppResult<attesta_domain::journey::ApplicationState> {
        Ok(self
            .my_application(actor, application_id)
            .await?
            .app
            .state())
    }

    /// One of the holder's applications (another person's is unknown).
    async fn my_application(&self, actor: &Actor, application_id: &str) -> AppResult<Loaded> {
        match self.store.application(application_id).await? {
            Some(record) if record.person_id == actor.person_id => self.load(record).await,
            _ => Err(unknown_application()),
        }
    }

    async fn view_of(&self, loaded: &Loaded) -> AppResult<ApplicationView> {
        self.application_view(&loaded.record, &loaded.app).await
    }
}
