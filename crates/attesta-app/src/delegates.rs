//! Who acts in a citizen's area: the citizen, or a delegate (carer, parent,
//! guardian, association) they or the back office named (SPEC §6, §9.7).
//! Every action records who did it.

use crate::ErrorCode;
use attesta_domain::{Activity, FiscalCode};
use serde_json::Value;

use crate::backoffice::object_with;
use crate::{App, AppError, AppResult, Role, Session, Written, from_millis};

/// Whose area a request works on, and who is doing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The holder whose area this is.
    pub person_id: String,
    /// The logged-in person.
    pub by_person_id: String,
    pub by_name: String,
}

impl Actor {
    /// The citizen in their own area.
    pub fn own(person_id: impl Into<String>, name: impl Into<String>) -> Self {
        let person_id = person_id.into();
        Self {
            by_person_id: person_id.clone(),
            person_id,
            by_name: name.into(),
        }
    }

    pub fn is_delegate(&self) -> bool {
        self.person_id != self.by_person_id
    }
}

/// One delegate of a holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateView {
    pub delegation_id: String,
    pub fiscal_code: String,
    /// Their name when they have a record.
    pub name: Option<String>,
    pub since: time::OffsetDateTime,
    /// `holder` or `back_office`.
    pub created_by: String,
}

/// One holder a delegate may act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepresentedView {
    pub fiscal_code: String,
    pub name: String,
}

/// One action in the activity list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActivityView {
    pub at: time::OffsetDateTime,
    pub action: Activity,
    pub by: String,
    pub by_delegate: bool,
}

fn not_a_delegate() -> AppError {
    AppError::new(
        ErrorCode::NotADelegate,
        "You are not a delegate of this person: they (or the back office, for parents and guardians) must name you first.",
    )
}

fn parse_cf(value: Option<&Value>, field: &str) -> AppResult<FiscalCode> {
    parse_cf_text(value.and_then(Value::as_str), field)
}

pub(crate) fn parse_cf_text(text: Option<&str>, field: &str) -> AppResult<FiscalCode> {
    let text = text.ok_or_else(|| {
        AppError::new(
            ErrorCode::InvalidFiscalCodeField,
            format!("`{field}` is required: a codice fiscale."),
        )
        .with_fields(vec![attesta_domain::FieldError::new(field, "is required")])
    })?;
    FiscalCode::parse(text).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidFiscalCodeField,
            format!("`{field}` is not a valid codice fiscale: {e}."),
        )
        .with_fields(vec![attesta_domain::FieldError::new(field, e.to_string())])
    })
}

/// The body of `POST /api/v1/me/delegates` `{"fiscal_code"}`: the
/// delegate's codice fiscale.
pub fn delegate_from_json(body: &Value) -> AppResult<FiscalCode> {
    let map = object_with(body, &["fiscal_code"])?;
    parse_cf(map.get("fiscal_code"), "fiscal_code")
}

/// The delegate form's codice fiscale field.
pub fn delegate_from_form(fiscal_code: &str) -> AppResult<FiscalCode> {
    parse_cf_text(Some(fiscal_code), "fiscal_code")
}

/// A delegation the back office records (parents of minors, guardians).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRequest {
    pub holder: FiscalCode,
    pub delegate: FiscalCode,
}

/// The body of `POST /api/v1/admin/delegations` `{"holder","delegate"}`,
/// with both fields' errors at once.
pub fn delegation_from_json(body: &Value) -> AppResult<DelegationRequest> {
    let map = object_with(body, &["holder", "delegate"])?;
    match (
        parse_cf(map.get("holder"), "holder"),
        parse_cf(map.get("delegate"), "delegate"),
    ) {
        (Ok(holder), Ok(delegate)) => Ok(DelegationRequest { holder, delegate }),
        (h, d) => {
            let fields = [h.err(), d.err()]
                .into_iter()
                .flatten()
                .flat_map(|e| e.fields)
                .collect();
            Err(AppError::new(
                ErrorCode::InvalidDelegation,
                "The delegation has invalid fields: see `fields`.",
            )
            .with_fields(fields))
        }
    }
}

impl App {
    /// The actor behind a citizen session: the citizen, or — after
    /// `acting-for` — the holder they act for, checked again on every
    /// request so that a removed delegate stops at once.
    pub async fn actor(&self, session: &Session) -> AppResult<Actor> {
        if session.role != Role::Citizen {
            return Err(AppError::citizen_only());
        }
        let me = &session.identity.subject;
        let Some(holder) = &session.acting_for else {
            return Ok(Actor::own(me.clone(), session.identity.name.clone()));
        };
        let my_cf = self.person(me).await?.person.fiscal_code;
        if !self.store.is_delegate(holder, my_cf.as_str()).await? {
            self.store.set_acting_for(&session.id, None).await?;
            return Err(not_a_delegate());
        }
        Ok(Actor {
            person_id: holder.clone(),
            by_person_id: me.clone(),
            by_name: session.identity.name.clone(),
        })
    }

    /// Appends to the holder's activity list.
    pub(crate) async fn record(&self, actor: &Actor, action: Activity) -> AppResult<()> {
        Ok(self
            .store
            .record_activity(
                &actor.person_id,
                self.now_millis(),
                action,
                &actor.by_name,
                actor.is_delegate(),
            )
            .await?)
    }

    /// `GET /api/v1/me/activity`, newest first.
    pub async fn activity(&self, actor: &Actor) -> AppResult<Vec<ActivityView>> {
        Ok(self
            .store
            .activity_of(&actor.person_id, 500)
            .await?
            .into_iter()
            .map(|a| ActivityView {
                at: from_millis(a.at),
                action: a.action,
                by: a.by_name,
                by_delegate: a.by_delegate,
            })
            .collect())
    }

    /// `GET /api/v1/me/delegates`.
    pub async fn delegates(&self, actor: &Actor) -> AppResult<Vec<DelegateView>> {
        let mut out = Vec::new();
        for d in self.store.delegations_of_holder(&actor.person_id).await? {
            let name = match FiscalCode::parse(&d.delegate_fiscal_code) {
                Ok(cf) => self
                    .store
                    .person_by_fiscal_code(&cf)
                    .await?
                    .map(|p| p.person.full_name()),
                Err(_) => None,
            };
            out.push(DelegateView {
                delegation_id: d.delegation_id,
                fiscal_code: d.delegate_fiscal_code,
                name,
                since: from_millis(d.created_at),
                created_by: d.created_by,
            });
        }
        Ok(out)
    }

    /// `POST /api/v1/me/delegates` `{"fiscal_code"}`.
    pub async fn add_delegate(
        &self,
        actor: &Actor,
        cf: &FiscalCode,
    ) -> AppResult<(String, Written)> {
        let holder = self.person(&actor.person_id).await?;
        if holder.person.fiscal_code == *cf {
            return Err(AppError::new(
                ErrorCode::InvalidDelegate,
                "You cannot name yourself as your own delegate.",
            ));
        }
        let (d, created) = self
            .store
            .add_delegation(&actor.person_id, cf.as_str(), "holder", self.now_millis())
            .await?;
        if created {
            self.record(actor, Activity::DelegateAdded).await?;
        }
        Ok((
            d.delegation_id,
            if created {
                Written::Created
            } else {
                Written::Unchanged
            },
        ))
    }

    /// `DELETE /api/v1/me/delegates/{delegation_id}`.
    pub async fn remove_delegate(&self, actor: &Actor, delegation_id: &str) -> AppResult<()> {
        if self
            .store
            .revoke_delegation(&actor.person_id, delegation_id, self.now_millis())
            .await?
        {
            self.record(actor, Activity::DelegateRemoved).await
        } else {
            Err(AppError::new(ErrorCode::NoDelegation, "No such delegate."))
        }
    }

    /// `GET /api/v1/me/represented`: whom the logged-in citizen may act for.
    pub async fn represented(&self, session: &Session) -> AppResult<Vec<RepresentedView>> {
        let me = self.person(&session.identity.subject).await?;
        let mut out = Vec::new();
        for d in self
            .store
            .delegations_to(me.person.fiscal_code.as_str())
            .await?
        {
            if let Some(holder) = self.store.person_by_id(&d.holder_id).await? {
                out.push(RepresentedView {
                    fiscal_code: holder.person.fiscal_code.as_str().to_owned(),
                    name: holder.person.full_name(),
                });
            }
        }
        Ok(out)
    }

    /// `POST /api/v1/me/acting-for` `{"fiscal_code"}` or `{"fiscal_code": null}`.
    pub async fn set_acting_for(
        &self,
        session: &Session,
        body: &Value,
    ) -> AppResult<Option<RepresentedView>> {
        if session.role != Role::Citizen {
            return Err(AppError::citizen_only());
        }
        let map = object_with(body, &["fiscal_code"])?;
        if map.get("fiscal_code").is_none_or(Value::is_null) {
            self.store.set_acting_for(&session.id, None).await?;
            return Ok(None);
        }
        let cf = parse_cf(map.get("fiscal_code"), "fiscal_code")?;
        let me = self.person(&session.identity.subject).await?;
        let holder = self
            .store
            .person_by_fiscal_code(&cf)
            .await?
            .ok_or_else(not_a_delegate)?;
        if holder.person_id == me.person_id {
            self.store.set_acting_for(&session.id, None).await?;
            return Ok(None);
        }
        if !self
            .store
            .is_delegate(&holder.person_id, me.person.fiscal_code.as_str())
            .await?
        {
            return Err(not_a_delegate());
        }
        self.store
            .set_acting_for(&session.id, Some(&holder.person_id))
            .await?;
        Ok(Some(RepresentedView {
            fiscal_code: cf.as_str().to_owned(),
            name: holder.person.full_name(),
        }))
    }

    /// `POST /api/v1/admin/delegations` `{"holder", "delegate"}`: parents of
    /// minors and guardians, recorded by the back office.
    pub async fn admin_add_delegation(
        &self,
        request: &DelegationRequest,
    ) -> AppResult<(String, Written)> {
        let DelegationRequest {
            holder: holder_cf,
            delegate: delegate_cf,
        } = request;
        let holder = self
            .store
            .person_by_fiscal_code(holder_cf)
            .await?
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::UnknownPerson,
                    "No person with the holder's codice fiscale is on record.",
                )
                .with_fields(vec![attesta_domain::FieldError::new(
                    "holder",
                    "no such person",
                )])
            })?;
        if holder_cf == delegate_cf {
            return Err(AppError::new(
                ErrorCode::InvalidDelegation,
                "A person cannot be their own delegate.",
            ));
        }
        let (d, created) = self
            .store
            .add_delegation(
                &holder.person_id,
                delegate_cf.as_str(),
                "back_office",
                self.now_millis(),
            )
            .await?;
        if created {
            self.store
                .record_activity(
                    &holder.person_id,
                    self.now_millis(),
                    Activity::DelegateAdded,
                    "Back office",
                    false,
                )
                .await?;
        }
        Ok((
            d.delegation_id,
            if created {
                Written::Created
            } else {
                Written::Unchanged
            },
        ))
    }
}
