//! The JSON API of SPEC §6. Handlers are thin: extract, call one use case,
//! shape the view.

use attesta_app::ErrorCode;
use attesta_app::{AppError, AttestationView, Level1View, Written};
use attesta_credential::PrintSize;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;

use crate::AppState;
use crate::error::ApiError;
use crate::extract::{Admin, ApiJson, Citizen, MaybeSession};
use crate::no_store;

type ApiResult<T> = Result<T, ApiError>;

pub fn rfc3339(t: time::OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

fn written(w: Written) -> StatusCode {
    match w {
        Written::Created => StatusCode::CREATED,
        Written::Updated | Written::Unchanged => StatusCode::OK,
    }
}

// ---- verification ---------------------------------------------------

fn string_field<'a>(body: &'a Value, key: &str) -> Result<&'a str, ApiError> {
    match body.get(key) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(ApiError(attesta_app::AppError::invalid_request(format!(
            "`{key}` is required and must be a string."
        )))),
    }
}

pub fn level1_json(v: &Level1View) -> Value {
    json!({
        "level": 1,
        "outcome": v.outcome().as_str(),
        "holder": {"name": v.holder_name},
        "statuses": v.statuses,
        "checked_at": rfc3339(v.checked_at),
        "verification_id": v.verification_id,
    })
}

pub async fn verify(State(s): State<AppState>, ApiJson(body): ApiJson) -> ApiResult<Response> {
    if let Some(obj) = body.as_object() {
        let unknown: Vec<&String> = obj
            .keys()
            .filter(|k| *k != "token" && *k != "fiscal_code")
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError(attesta_app::AppError::invalid_request(format!(
                "Unknown field(s): {}. The body is {{\"token\", \"fiscal_code\"}}.",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))));
        }
    }
    let fiscal_code = string_field(&body, "fiscal_code")?;
    let token = string_field(&body, "token")?;
    let view = s.app.verify_level1(token, fiscal_code).await?;
    Ok(no_store(Json(level1_json(&view)).into_response()))
}

/// Level 2 is asked for with the operator's session cookie: the request
/// must be same-origin (SPEC §6).
fn operator_session(
    s: &AppState,
    headers: &axum::http::HeaderMap,
    session: Option<attesta_app::Session>,
) -> ApiResult<Option<attesta_app::Session>> {
    if session.is_some() && !crate::extract::same_origin(headers, s) {
        return Err(ApiError(crate::extract::cross_origin()));
    }
    Ok(session)
}

fn only_fields(body: &Value, allowed: &[&str]) -> ApiResult<()> {
    if let Some(obj) = body.as_object() {
        let unknown: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError(attesta_app::AppError::invalid_request(format!(
                "Unknown field(s): {}. The body has only: {}.",
                unknown.join(", "),
                allowed.join(", ")
            ))));
        }
    }
    Ok(())
}

pub async fn level2_otp(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let session = operator_session(&s, &headers, session)?;
    only_fields(&body, &["token", "fiscal_code"])?;
    let fiscal_code = string_field(&body, "fiscal_code")?;
    let token = string_field(&body, "token")?;
    let sent = s
        .app
        .request_otp(session.as_ref(), token, fiscal_code)
        .await?;
    Ok(no_store(
        (
            StatusCode::ACCEPTED,
            Json(
                json!({"otp_request_id": sent.otp_request_id, "sent_to": sent.sent_to,
                "expires_at": rfc3339(sent.expires_at)}),
            ),
        )
            .into_response(),
    ))
}

pub fn level2_json(v: &attesta_app::Level2View) -> Value {
    let mut body = level1_json(&v.level1);
    body["level"] = json!(2);
    body["detail"] = v.detail.to_json();
    body
}

pub async fn level2(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let session = operator_session(&s, &headers, session)?;
    only_fields(&body, &["otp_request_id", "otp"])?;
    let id = string_field(&body, "otp_request_id")?;
    let otp = string_field(&body, "otp")?;
    let view = s.app.verify_level2(session.as_ref(), id, otp).await?;
    Ok(no_store(Json(level2_json(&view)).into_response()))
}

// ---- back office ----------------------------------------------------

pub async fn put_person(
    State(s): State<AppState>,
    _: Admin,
    Path(fiscal_code): Path<String>,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let person = s.app.person_from_json(&fiscal_code, &body)?;
    let w = s.app.put_person(&person).await?;
    Ok((written(w), Json(json!({"fiscal_code": person.fiscal_code.as_str(), "result": if w == Written::Created {"created"} else {"updated"}}))).into_response())
}

pub async fn post_verbale(
    State(s): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let linked = s.app.linked_verbale_from_json(&body)?;
    let w = s.app.ingest_linked_verbale(&linked).await?;
    let verbale = linked.verbale;
    let result = match w {
        Written::Created => "created",
        Written::Updated => "confirmed",
        Written::Unchanged => "unchanged",
    };
    Ok((
        written(w),
        Json(json!({"verbale_id": verbale.id, "result": result})),
    )
        .into_response())
}

pub async fn post_payment(
    State(s): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let payment = s.app.payment_from_json(&body)?;
    let w = s.app.ingest_payment(&payment).await?;
    let result = match w {
        Written::Created => "created",
        Written::Updated => "paid",
        Written::Unchanged => "unchanged",
    };
    Ok((
        written(w),
        Json(json!({"payment_id": payment.payment_id, "result": result})),
    )
        .into_response())
}

// ---- back office, the application journey (SPEC §10.2) -------------

pub async fn post_certificate(
    State(s): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let certificate = s.app.certificate_from_json(&body)?;
    let answer = s.app.put_certificate(&certificate).await?;
    Ok((written(answer.written), Json(answer.to_json())).into_response())
}

pub async fn post_application(
    State(s): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let request = s.app.application_request_from_json(&body)?;
    let application_id = s.app.open_application(&request).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"application_id": application_id})),
    )
        .into_response())
}

pub async fn post_application_event(
    State(s): State<AppState>,
    _: Admin,
    Path(application_id): Path<String>,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let view = s.app.post_event(&application_id, &body).await?;
    Ok(Json(view).into_response())
}

// ---- citizen --------------------------------------------------------

pub async fn me(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let me = s.app.me(&c.actor).await?;
    let unread_messages = s.app.unread_messages(&c.actor).await?;
    let proactive = s.app.proactive_consent(&c.actor).await?;
    let p = &me.record.person;
    Ok(no_store(
        Json(json!({
            "person": {
                "fiscal_code": p.fiscal_code.as_str(),
                "given_name": p.given_name,
                "family_name": p.family_name,
                "birth_date": attesta_domain::format_date(p.birth_date),
            },
            "contact": {
                "email": p.email,
                "mobile": p.mobile.as_ref().map(|m| m.as_str()),
            },
            "privacy_notice": {
                "accepted": me.record.privacy_accepted_at.is_some(),
                "accepted_at": me.record.privacy_accepted_at.map(|t| rfc3339(attesta_app::from_millis(t))),
            },
            "qualifies": me.qualifies,
            "unread_messages": unread_messages,
            "consents": {"proactive": proactive},
        }))
        .into_response(),
    ))
}

pub async fn accept_privacy(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    s.app.accept_privacy_notice(&c.actor).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn attestation_json(v: &AttestationView) -> Value {
    let mut body =
        json!({"url": v.url, "short_code": v.short_code, "created_at": rfc3339(v.created_at)});
    if let Some(email) = v.email.as_str() {
        body["email"] = json!(email);
    }
    body
}

pub async fn create_attestation(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let v = s.app.generate_attestation(&c.actor).await?;
    Ok(no_store(
        (StatusCode::CREATED, Json(attestation_json(&v))).into_response(),
    ))
}

pub async fn get_attestation(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let v = s.app.current_attestation(&c.actor).await?;
    Ok(no_store(Json(attestation_json(&v)).into_response()))
}

pub async fn delete_attestation(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    s.app.revoke_attestation(&c.actor).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Debug, Deserialize)]
pub struct PdfQuery {
    /// `standard` (default) or `large` (large print).
    print: Option<String>,
}

pub async fn attestation_pdf(
    State(s): State<AppState>,
    c: Citizen,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<PdfQuery>,
) -> ApiResult<Response> {
    let print = match q.print.as_deref() {
        None | Some("standard") => PrintSize::Standard,
        Some("large") => PrintSize::Large,
        Some(_) => {
            return Err(ApiError(
                AppError::new(
                    ErrorCode::InvalidQuery,
                    "`print` is `standard` (the default) or `large` (large print).",
                )
                .with_fields(vec![attesta_domain::FieldError::new(
                    "print",
                    "standard or large",
                )]),
            ));
        }
    };
    let pdf = s.app.attestation_pdf(&c.actor, print).await?;
    let mut r = pdf.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(match print {
            PrintSize::Large => "inline; filename=\"attestazione-qr-caratteri-grandi.pdf\"",
            PrintSize::Standard => "inline; filename=\"attestazione-qr.pdf\"",
        }),
    );
    Ok(no_store(r))
}

pub async fn verifications(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let list = s.app.verifications(&c.actor).await?;
    let items: Vec<Value> = list
        .iter()
        .map(|v| {
            let mut item =
                json!({"at": rfc3339(v.at), "level": v.level, "outcome": v.outcome.as_str()});
            if let Some(op) = &v.operator {
                item["operator"] = json!(op);
            }
            if let Some(org) = &v.organisation {
                item["organisation"] = json!(org);
            }
            item
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

pub async fn email_attestation(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    s.app.email_attestation(&c.actor).await?;
    Ok((StatusCode::ACCEPTED, Json(json!({"email": "sent"}))).into_response())
}

pub async fn activity(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .activity(&c.actor)
        .await?
        .iter()
        .map(|a| json!({"at": rfc3339(a.at), "action": a.action.as_str(), "by": a.by, "by_delegate": a.by_delegate}))
        .collect();
    Ok(no_store(Json(items).into_response()))
}

pub async fn delegates(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .delegates(&c.actor)
        .await?
        .iter()
        .map(|d| {
            json!({"delegation_id": d.delegation_id, "fiscal_code": d.fiscal_code, "name": d.name,
                "since": rfc3339(d.since), "created_by": d.created_by})
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

pub async fn add_delegate(
    State(s): State<AppState>,
    c: Citizen,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let delegate = attesta_app::delegate_from_json(&body)?;
    let (id, w) = s.app.add_delegate(&c.actor, &delegate).await?;
    Ok((written(w), Json(json!({"delegation_id": id}))).into_response())
}

pub async fn remove_delegate(
    State(s): State<AppState>,
    c: Citizen,
    Path(delegation_id): Path<String>,
) -> ApiResult<Response> {
    s.app.remove_delegate(&c.actor, &delegation_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The logged-in citizen's own session, whomever it acts for.
async fn own_session(
    s: &AppState,
    session: Option<attesta_app::Session>,
    headers: &axum::http::HeaderMap,
    changes_state: bool,
) -> ApiResult<attesta_app::Session> {
    let session = session.ok_or_else(|| ApiError(attesta_app::AppError::login_required()))?;
    if changes_state && !crate::extract::same_origin(headers, s) {
        return Err(ApiError(crate::extract::cross_origin()));
    }
    Ok(session)
}

pub async fn represented(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: axum::http::HeaderMap,
) -> ApiResult<Response> {
    let session = own_session(&s, session, &headers, false).await?;
    let items: Vec<Value> = s
        .app
        .represented(&session)
        .await?
        .iter()
        .map(|r| json!({"fiscal_code": r.fiscal_code, "name": r.name}))
        .collect();
    Ok(no_store(Json(items).into_response()))
}

pub async fn acting_for(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let session = own_session(&s, session, &headers, true).await?;
    let now = s.app.set_acting_for(&session, &body).await?;
    Ok(Json(
        json!({"acting_for": now.map(|r| json!({"fiscal_code": r.fiscal_code, "name": r.name}))}),
    )
    .into_response())
}

pub async fn admin_delegation(
    State(s): State<AppState>,
    _: Admin,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let request = attesta_app::delegation_from_json(&body)?;
    let (id, w) = s.app.admin_add_delegation(&request).await?;
    Ok((written(w), Json(json!({"delegation_id": id}))).into_response())
}

// ---- demo -----------------------------------------------------------

pub async fn demo_login(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let login = s.app.demo_login_from_json(&body)?;
    crate::end_previous_session(&s, &headers).await?;
    let (cookie, session) = s.app.demo_login(login).await?;
    let mut r = Json(json!({
        "role": match session.role { attesta_app::Role::Citizen => "citizen", attesta_app::Role::Operator => "operator" },
        "name": session.identity.name,
        "organisation": session.identity.organisation,
        "csrf_token": session.csrf_token,
    }))
    .into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        crate::session_cookie_header(&s, &cookie.0),
    );
    Ok(r)
}

/// The SMS and e-mails "sent" in demo mode, newest first.
pub async fn demo_outbox(State(s): State<AppState>) -> ApiResult<Response> {
    let messages = s.app.outbox().await?;
    let items: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({"channel": m.channel, "to": m.recipient, "body": m.body,
                "sent_at": rfc3339(attesta_app::from_millis(m.sent_at))})
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

// ---- operations -----------------------------------------------------

pub async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

pub async fn readyz(State(s): State<AppState>) -> ApiResult<Response> {
    s.app.ready().await?;
    Ok(Json(json!({"status": "ready"})).into_response())
}

pub async fn not_found() -> ApiError {
    ApiError(attesta_app::AppError::new(
        ErrorCode::NotFound,
        "No such endpoint: see /api/v1/openapi.json.",
    ))
}

// ---- messages (SPEC §11) --------------------------------------------

pub async fn admin_message(
    State(s): State<AppState>,
    _: Admin,
    Path(fiscal_code): Path<String>,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let message = attesta_app::message_from_json(&body)?;
    let id = s.app.send_message(&fiscal_code, &message).await?;
    Ok((StatusCode::CREATED, Json(json!({"message_id": id}))).into_response())
}

pub async fn messages(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .messages(&c.actor)
        .await?
        .iter()
        .map(|m| {
            json!({"message_id": m.message_id, "at": rfc3339(m.at), "subject": m.subject,
                "body": m.body, "read": m.read})
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `GET /api/v1/me/notices` (SPEC §11): derived on each read.
pub async fn notices(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .my_notices(&c.actor)
        .await?
        .iter()
        .map(attesta_domain::journey::Notice::to_json)
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `GET /api/v1/me/payments` (SPEC §11): newest period first.
pub async fn payments(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .payments(&c.actor)
        .await?
        .iter()
        .map(|p| {
            let amount = p.amount.cents();
            json!({"payment_id": p.payment_id, "benefit": p.benefit,
                "period": p.period.as_string(),
                "amount_eur": format!("{}.{:02}", amount / 100, amount % 100),
                "status": p.status.as_str(),
                "paid_on": p.paid_on.map(attesta_domain::format_date)})
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

pub async fn read_message(
    State(s): State<AppState>,
    c: Citizen,
    Path(message_id): Path<String>,
) -> ApiResult<Response> {
    s.app.mark_message_read(&c.actor, &message_id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

// ---- consents (SPEC §11, the verbale guide) --------------------------

pub async fn consents(
    State(s): State<AppState>,
    c: Citizen,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let proactive = attesta_app::alerts::consents_from_json(&body)?;
    s.app.set_consents(&c.actor, proactive).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
