//! The EU Disability Card application (issue #6, SPEC §6): the citizen's
//! JSON API (`/api/v1/me/card…`, multipart with the photo), the back
//! office's decisions (`/api/v1/admin/cards…`), and the citizen's page
//! `GET|POST /me/card` with the application form (no JavaScript).

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::AppError;
use attesta_app::ErrorCode;
use attesta_app::card_photo::MAX_PHOTO_BYTES;
use attesta_app::cards::CardView;
use attesta_domain::{CardSerial, CardState, Declaration};
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::AppState;
use crate::api::rfc3339;
use crate::error::{ApiError, PageError};
use crate::extract::{Admin, ApiJson, Citizen, MaybeSession};
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::{Layout, csrf_ok};

/// The body limit of the routes that take a photo: the 5 MiB photo plus
/// room for the declaration, the form fields and the multipart framing.
pub const CARD_BODY_LIMIT: usize = MAX_PHOTO_BYTES + 64 * 1024;

type ApiResult<T> = Result<T, ApiError>;

fn too_large() -> AppError {
    AppError::new(
        ErrorCode::PayloadTooLarge,
        "The request is larger than allowed: the photo may be at most 5 MiB.",
    )
}

fn multipart_error(e: &MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        too_large()
    } else {
        AppError::invalid_request(format!(
            "The form data could not be read: {}",
            e.body_text()
        ))
    }
}

fn multipart_rejection(e: &MultipartRejection) -> AppError {
    AppError::invalid_request(format!(
        "Send the application as multipart/form-data with a `photo` file: {}",
        e.body_text()
    ))
}

/// The fields of an application form (API or page).
#[derive(Debug, Default)]
struct Form {
    photo: Option<Vec<u8>>,
    declaration: Option<String>,
    csrf: Option<String>,
    paper_pre2010: bool,
    autonomous_region: bool,
    court_name: String,
    court_date: String,
    unknown: Vec<String>,
}

async fn read_form(mut multipart: Multipart) -> Result<Form, AppError> {
    let mut form = Form::default();
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| multipart_error(&e))?;
        let text = || String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "photo" => {
                if bytes.len() > MAX_PHOTO_BYTES {
                    return Err(too_large());
                }
                form.photo = Some(bytes.to_vec());
            }
            "declaration" => form.declaration = Some(text()),
            "csrf" => form.csrf = Some(text()),
            "paper_pre2010" => form.paper_pre2010 = true,
            "autonomous_region" => form.autonomous_region = true,
            "court_name" => form.court_name = text().trim().to_owned(),
            "court_date" => form.court_date = text().trim().to_owned(),
            _ => form.unknown.push(name),
        }
    }
    Ok(form)
}

fn card_json(v: &CardView) -> Value {
    let mut body = json!({
        "application_id": v.application_id,
        "status": v.status.as_str(),
        "submitted_at": rfc3339(v.submitted_at),
    });
    if let Some(s) = &v.serial {
        body["serial"] = json!(s.as_str());
        body["a_mark"] = json!(v.a_mark);
    }
    if let Some(d) = v.issued_on {
        body["issued_on"] = json!(attesta_domain::format_date(d));
    }
    if let Some(d) = v.expires_on {
        body["expires_on"] = json!(attesta_domain::format_date(d));
    }
    if let Some(q) = &v.qr_text {
        body["qr_text"] = json!(q);
    }
    if let Some(r) = &v.reject_reason {
        body["reject_reason"] = json!(r);
    }
    body
}

// ---- citizen API ------------------------------------------------------

/// `POST /api/v1/me/card` (multipart: `photo`, optional `declaration`).
pub async fn api_apply(
    State(s): State<AppState>,
    c: Citizen,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let multipart = multipart.map_err(|e| ApiError(multipart_rejection(&e)))?;
    let form = read_form(multipart).await?;
    if !form.unknown.is_empty() {
        return Err(ApiError(AppError::invalid_request(format!(
            "Unknown field(s): {}. The form has `photo` and, optionally, `declaration`.",
            form.unknown.join(", ")
        ))));
    }
    let declaration = Declaration::from_json(form.declaration.as_deref(), s.app.today())
        .map_err(|e| ApiError(AppError::from(e)))?;
    let photo = form.photo.unwrap_or_default();
    let view = s.app.apply_for_card(&c.actor, &photo, declaration).await?;
    Ok(no_store(
        (
            StatusCode::CREATED,
            Json(json!({"application_id": view.application_id, "status": view.status.as_str()})),
        )
            .into_response(),
    ))
}

/// `GET /api/v1/me/card`.
pub async fn api_get(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let view = s.app.card(&c.actor).await?;
    Ok(no_store(Json(card_json(&view)).into_response()))
}

/// `GET /api/v1/me/card/pdf`: active cards only.
pub async fn api_pdf(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let pdf = s.app.card_pdf(&c.actor).await?;
    let mut r = pdf.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("inline; filename=\"carta-europea-disabilita.pdf\""),
    );
    Ok(no_store(r))
}

// ---- back office --------------------------------------------------------

#[derive(Debug, Deserialize)]
pub struct StatusQuery {
    status: Option<String>,
}

/// `GET /api/v1/admin/cards?status=pending`.
pub async fn admin_list(
    State(s): State<AppState>,
    _: Admin,
    crate::extract::ApiQuery(q): crate::extract::ApiQuery<StatusQuery>,
) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .card_applications(q.status.as_deref())
        .await?
        .into_iter()
        .map(|a| {
            json!({"application_id": a.application_id, "fiscal_code": a.fiscal_code,
                "status": a.status.as_str(), "submitted_at": rfc3339(a.submitted_at),
                "declaration": a.declaration.as_ref().map(Declaration::to_json)})
        })
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `POST /api/v1/admin/cards/{application_id}/approve`.
pub async fn admin_approve(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let serial = s.app.approve_card(&id, "back_office").await?;
    Ok(Json(json!({"serial": serial.as_str()})).into_response())
}

/// `POST /api/v1/admin/cards/{application_id}/reject` `{"reason"}`.
pub async fn admin_reject(
    State(s): State<AppState>,
    _: Admin,
    Path(id): Path<String>,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let map = body
        .as_object()
        .ok_or_else(|| ApiError(AppError::invalid_request("The body must be a JSON object.")))?;
    let unknown: Vec<&str> = map
        .keys()
        .map(String::as_str)
        .filter(|k| *k != "reason")
        .collect();
    if !unknown.is_empty() {
        return Err(ApiError(AppError::invalid_request(format!(
            "Unknown field(s): {}. The body is {{\"reason\"}}.",
            unknown.join(", ")
        ))));
    }
    let reason = match map.get("reason") {
        Some(Value::String(r)) => r.as_str(),
        None | Some(Value::Null) => "",
        Some(_) => {
            return Err(ApiError(AppError::invalid_request(
                "`reason` must be a string.",
            )));
        }
    };
    s.app.reject_card(&id, reason, "back_office").await?;
    Ok(
        Json(json!({"application_id": id.trim(), "status": CardState::Rejected.as_str()}))
            .into_response(),
    )
}

/// `POST /api/v1/admin/cards/{serial}/revoke`.
pub async fn admin_revoke(
    State(s): State<AppState>,
    _: Admin,
    Path(serial): Path<String>,
) -> ApiResult<Response> {
    s.app.revoke_card(&serial).await?;
    Ok(
        Json(json!({"serial": serial.trim().to_ascii_uppercase(), "status": CardState::Revoked.as_str()}))
            .into_response(),
    )
}

// ---- the citizen's page ---------------------------------------------------

struct CardBlock {
    status: CardState,
    status_text: String,
    submitted: String,
    serial: Option<CardSerial>,
    issued: Option<String>,
    expires: Option<String>,
    a_mark: bool,
    reject_reason: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "card_apply.html")]
struct CardApplyPage {
    layout: Layout,
    csrf: String,
    acting_for: Option<String>,
    card: Option<CardBlock>,
    can_apply: bool,
    /// Why the status on record gives no card (the declaration path).
    not_eligible: Option<String>,
    notice: Option<String>,
    problem: Option<String>,
    /// Errors tied to their fields (also summed up in `problem`).
    errors: FieldErrors,
    /// What was typed, kept after an error.
    paper_pre2010: bool,
    autonomous_region: bool,
    court_name: String,
    court_date: String,
}

fn status_text(status: CardState, lang: Lang) -> String {
    lang.t(match status {
        CardState::Pending => key("card-status-pending"),
        CardState::Rejected => key("card-status-rejected"),
        CardState::Active => key("card-status-active"),
        CardState::Revoked => key("card-status-revoked"),
        CardState::Expired => key("card-status-expired"),
    })
}

fn italian_date(d: time::Date) -> String {
    format!("{:02}/{:02}/{:04}", d.day(), u8::from(d.month()), d.year())
}

/// What is wrong with each field of the form, in the page's language.
#[derive(Debug, Default)]
struct FieldErrors {
    photo: Option<String>,
    court_name: Option<String>,
    court_date: Option<String>,
}

impl FieldErrors {
    fn of(e: &AppError, lang: Lang) -> Self {
        let mut errors = Self::default();
        match e.code {
            ErrorCode::InvalidPhoto | ErrorCode::PayloadTooLarge => {
                errors.photo = Some(crate::error::error_text(e, lang));
            }
            _ => {
                for f in &e.fields {
                    match f.field.as_str() {
                        "declaration.court.name" => {
                            errors.court_name = Some(lang.t("cardapp-err-court-name"));
                        }
                        "declaration.court.date" | "declaration.court" => {
                            errors.court_date = Some(lang.t("cardapp-err-court-date"));
                        }
                        _ => {}
                    }
                }
            }
        }
        errors
    }

    /// Each field with an error (its id) and the error, in the form's
    /// order, for the error summary.
    fn each(&self) -> impl Iterator<Item = (&'static str, &String)> {
        [
            ("photo", &self.photo),
            ("court_name", &self.court_name),
            ("court_date", &self.court_date),
        ]
        .into_iter()
        .filter_map(|(id, e)| e.as_ref().map(|e| (id, e)))
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

async fn render_page(
    s: &AppState,
    session: &attesta_app::Session,
    actor: &attesta_app::Actor,
    notice: Option<String>,
    problem: Option<String>,
    errors: FieldErrors,
    typed: &Form,
) -> Result<CardApplyPage, PageError> {
    let card = match s.app.card(actor).await {
        Ok(v) => Some(v),
        Err(e) if e.code == ErrorCode::NoCard => None,
        Err(e) => return Err(PageError(e)),
    };
    let can_apply = card
        .as_ref()
        .is_none_or(|c| c.status.allows_new_application());
    let not_eligible = if can_apply {
        (!s.app.card_eligible(actor).await?).then(|| Lang::current().t("err-not-eligible"))
    } else {
        None
    };
    let me = s.app.me(actor).await?;
    let layout = errors.each().fold(
        Layout::keyed("me-eu-card")
            .crumbs(&[(key("me-h1"), "/me")])
            .with_session(&Some(session.clone())),
        |layout, (field, text)| layout.field_error(field, text.clone()),
    );
    Ok(CardApplyPage {
        layout,
        csrf: session.csrf_token.clone(),
        acting_for: me.acting_as_delegate.then(|| me.record.person.full_name()),
        card: card.map(|c| CardBlock {
            status: c.status,
            status_text: status_text(c.status, Lang::current()),
            submitted: crate::format_italian_datetime(c.submitted_at),
            serial: c.serial,
            issued: c.issued_on.map(italian_date),
            expires: c.expires_on.map(italian_date),
            a_mark: c.a_mark,
            reject_reason: c.reject_reason,
        }),
        can_apply,
        not_eligible,
        notice,
        problem,
        errors,
        paper_pre2010: typed.paper_pre2010,
        autonomous_region: typed.autonomous_region,
        court_name: typed.court_name.clone(),
        court_date: typed.court_date.clone(),
    })
}

/// `GET /me/card`: the card's status and the application form.
pub async fn page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    crate::extract::PageQuery(q): crate::extract::PageQuery<DoneQuery>,
) -> Result<Response, PageError> {
    let (sess, actor) = crate::pages::citizen(&s, session).await?;
    let lang = Lang::current();
    let notice = match q.done.as_deref() {
        Some("applied") => Some(lang.t("card-done-applied")),
        Some("issued") => Some(lang.t("card-done-issued")),
        _ => None,
    };
    let page = render_page(
        &s,
        &sess,
        &actor,
        notice,
        None,
        FieldErrors::default(),
        &Form::default(),
    )
    .await?;
    Ok(no_store(page.into_response()))
}

/// `POST /me/card`: the form (multipart, with the CSRF token).
pub async fn page_apply(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, PageError> {
    let (sess, actor) = crate::pages::citizen(&s, session).await?;
    let multipart = multipart.map_err(|e| PageError(multipart_rejection(&e)))?;
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(e) => return Err(PageError(e)),
    };
    csrf_ok(&sess, form.csrf.as_deref().unwrap_or_default())?;
    let declaration = Declaration::from_form(
        form.paper_pre2010,
        form.autonomous_region,
        &form.court_name,
        &form.court_date,
        s.app.today(),
    );
    let photo = form.photo.clone().unwrap_or_default();
    let applied = match declaration {
        Ok(declaration) => s.app.apply_for_card(&actor, &photo, declaration).await,
        Err(e) => Err(AppError::from(e)),
    };
    match applied {
        Ok(v) => {
            let done = if v.status == CardState::Active {
                "issued"
            } else {
                "applied"
            };
            Ok(Redirect::to(&format!("/me/card?done={done}")).into_response())
        }
        // Mistakes the citizen can fix go back to the form, with what was typed.
        Err(e) if matches!(e.status(), 400 | 409 | 413 | 422) => {
            let lang = Lang::current();
            let errors = FieldErrors::of(&e, lang);
            // An error of a field sits under it and in the error summary;
            // any other is the problem at the top.
            let problem = errors
                .each()
                .next()
                .is_none()
                .then(|| crate::error::error_text(&e, lang));
            let page = render_page(&s, &sess, &actor, None, problem, errors, &form).await?;
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
}

// ---- OpenAPI ------------------------------------------------------------

/// The card paths, added to the OpenAPI document (`openapi.rs`).
pub(crate) fn document(doc: &mut Value) {
    let error = || json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let card = json!({"type": "object", "required": ["application_id", "status"], "properties": {
        "application_id": {"type": "string"},
        "status": {"enum": ["pending", "rejected", "active", "revoked", "expired"]},
        "serial": {"type": "string", "pattern": "^IT[0-9]{10}$", "description": "IT + 9 digits + Luhn check digit"},
        "issued_on": {"type": "string", "format": "date"},
        "expires_on": {"type": "string", "format": "date"},
        "qr_text": {"type": "string", "description": "the card QR: {public_url}/C/EUDC1:…"},
        "a_mark": {"type": "boolean"},
        "reject_reason": {"type": "string"},
        "submitted_at": {"type": "string", "format": "date-time"}}});
    let id_param = |desc: &str| json!([{"name": "id", "in": "path", "required": true, "description": desc, "schema": {"type": "string"}}]);
    let paths = &mut doc["paths"];
    paths["/api/v1/me/card"] = json!({
        "get": {"summary": "The citizen's EU Disability Card or latest application", "security": [{"session": []}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": card}}},
                "401": error(), "403": error(), "404": error()}},
        "post": {"summary": "Apply for the EU Disability Card (photo JPEG/PNG up to 5 MiB; auto-approved when configured)",
            "security": [{"session": []}],
            "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["photo"], "additionalProperties": false, "properties": {
                    "photo": {"type": "string", "format": "binary", "description": "JPEG or PNG, portrait, at least 300 × 400 px, width/height 0.6–0.9; re-encoded without metadata"},
                    "declaration": {"type": "object", "additionalProperties": false,
                        "description": "what the holder declares about verbali the service cannot read (SPEC §5); the court's date may not be in the future",
                        "properties": {
                        "paper_pre2010": {"type": ["boolean", "null"]}, "autonomous_region": {"type": ["boolean", "null"]},
                        "court": {"anyOf": [{"type": "null"}, {"type": "object", "required": ["name", "date"], "additionalProperties": false, "properties": {
                            "name": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00-\\x1f\\x7f-\\x9f]*\\S[^\\x00-\\x1f\\x7f-\\x9f]*$"},
                            "date": {"type": "string", "format": "date"}}}]}}}}},
                "encoding": {"declaration": {"contentType": "application/json"}}}}},
            "responses": {"201": {"description": "applied", "content": {"application/json": {"schema": {"type": "object",
                    "required": ["application_id", "status"], "properties": {
                    "application_id": {"type": "string"}, "status": {"enum": ["pending", "active"]}}}}}},
                "400": error(), "401": error(), "403": error(), "409": error(), "413": error(), "422": error()}}
    });
    paths["/api/v1/me/card/pdf"] = json!({"get": {"summary": "The card PDF (ID-1, front and back; active cards only)",
        "security": [{"session": []}],
        "responses": {"200": {"description": "PDF", "content": {"application/pdf": {}}},
            "401": error(), "404": error(), "409": error()}}});
    paths["/api/v1/admin/cards"] = json!({"get": {"summary": "Card applications by status (default pending), oldest first",
        "security": [{"adminKey": []}],
        "parameters": [{"name": "status", "in": "query", "required": false,
            "schema": {"enum": ["pending", "rejected", "active", "expired", "revoked"]}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {
            "type": "object", "required": ["application_id", "fiscal_code", "submitted_at", "declaration"], "properties": {
            "application_id": {"type": "string"}, "fiscal_code": {"type": "string"},
            "status": {"type": "string"}, "submitted_at": {"type": "string", "format": "date-time"},
            "declaration": {"type": ["object", "null"]}}}}}}},
            "400": error(), "401": error(), "422": error()}}});
    paths["/api/v1/admin/cards/{id}/approve"] = json!({"post": {"summary": "Approve a pending application: the card is issued and e-mailed",
        "security": [{"adminKey": []}], "parameters": id_param("the application_id"),
        "responses": {"200": {"description": "issued", "content": {"application/json": {"schema": {"type": "object",
            "required": ["serial"], "properties": {"serial": {"type": "string"}}}}}},
            "401": error(), "404": error(), "409": error(), "422": error(), "503": error()}}});
    paths["/api/v1/admin/cards/{id}/reject"] = json!({"post": {"summary": "Reject a pending application; the citizen is e-mailed the reason",
        "security": [{"adminKey": []}], "parameters": id_param("the application_id"),
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"type": "object",
            "required": ["reason"], "additionalProperties": false, "properties": {"reason": crate::openapi::text(1000)}}}}},
        "responses": {"200": {"description": "rejected"}, "400": error(), "401": error(), "404": error(),
            "409": error(), "422": error()}}});
    paths["/api/v1/admin/cards/{id}/revoke"] = json!({"post": {"summary": "Revoke an active card (its status-list bit is set)",
        "security": [{"adminKey": []}], "parameters": [{"name": "id", "in": "path", "required": true,
            "description": "the card serial: IT, 9 digits and a Luhn check digit (a wrong check digit is 422 invalid_serial)",
            "schema": {"type": "string", "pattern": "^IT[0-9]{10}$"}}],
        "responses": {"200": {"description": "revoked"}, "401": error(), "404": error(), "409": error(), "422": error()}}});
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_words() {
        for lang in Lang::ALL {
            for st in CardState::ALL {
                assert!(!status_text(*st, lang).contains("Unknown"), "{st}");
            }
        }
    }

    #[test]
    fn the_documented_states_are_the_domain_s() {
        let mut doc = json!({"paths": {}});
        document(&mut doc);
        let words = |v: &Value| -> Vec<String> {
            let mut w: Vec<String> = v
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect();
            w.sort();
            w
        };
        let mut all: Vec<String> = CardState::ALL
            .iter()
            .map(|s| s.as_str().to_owned())
            .collect();
        all.sort();
        let paths = &doc["paths"];
        assert_eq!(
            words(&paths["/api/v1/admin/cards"]["get"]["parameters"][0]["schema"]["enum"]),
            all
        );
        assert_eq!(
            words(
                &paths["/api/v1/me/card"]["get"]["responses"]["200"]["content"]["application/json"]
                    ["schema"]["properties"]["status"]["enum"]
            ),
            all
        );
    }
}
