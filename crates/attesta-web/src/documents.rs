//! Documents for the commission (issue #14, SPEC §11): the citizen's JSON
//! API (`POST /api/v1/me/applications/{id}/documents`, multipart with
//! one `file`; `GET /api/v1/me/documents`) and the back office's list and
//! download. The body is capped while it streams (10 MiB and the
//! multipart framing, `body_guard::cap`); the bytes are checked by their
//! content and cleaned off the async workers (`attesta_app::documents`).

use attesta_app::AppError;
use attesta_app::documents::{DocumentView, MAX_DOCUMENT_BYTES, document_too_large};
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::api::rfc3339;
use crate::error::ApiError;
use crate::extract::{Admin, Citizen};
use crate::no_store;

/// The body limit of the upload: the 10 MiB document plus room for the
/// multipart framing.
pub const DOCUMENT_BODY_LIMIT: usize = MAX_DOCUMENT_BYTES + 64 * 1024;

type ApiResult<T> = Result<T, ApiError>;

fn multipart_error(e: &MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        document_too_large()
    } else {
        AppError::invalid_request(format!(
            "The form data could not be read: {}",
            e.body_text()
        ))
    }
}

/// The one `file` of an upload form, with its sent name; `csrf` when a
/// page sent it.
#[derive(Debug, Default)]
pub(crate) struct Upload {
    pub file: Option<(Option<String>, Vec<u8>)>,
    pub csrf: Option<String>,
    pub unknown: Vec<String>,
}

/// Reads the form while the body streams: a file past 10 MiB is refused
/// as soon as it is (the route's cap ends the body there).
pub(crate) async fn read_upload(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut form = Upload::default();
    while let Some(mut field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if form.file.is_none() => {
                let file_name = field.file_name().map(str::to_owned);
                let mut bytes = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
                    if bytes.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                        return Err(document_too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                form.file = Some((file_name, bytes));
            }
            "csrf" => {
                let bytes = field.bytes().await.map_err(|e| multipart_error(&e))?;
                form.csrf = Some(String::from_utf8_lossy(&bytes).into_owned());
            }
            _ => form.unknown.push(name),
        }
    }
    Ok(form)
}

fn document_json(d: &DocumentView) -> Value {
    json!({
        "document_id": d.document_id,
        "application_id": d.application_id,
        "at": rfc3339(d.at),
        "content_type": d.content_type,
        "size": d.size,
        "file_name": d.file_name,
        "by_delegate": d.by_delegate,
    })
}

/// `POST /api/v1/me/applications/{application_id}/documents`.
pub async fn api_upload(
    State(s): State<AppState>,
    c: Citizen,
    Path(application_id): Path<String>,
    multipart: Result<Multipart, MultipartRejection>,
) -> ApiResult<Response> {
    let multipart = multipart.map_err(|e| {
        ApiError(AppError::invalid_request(format!(
            "Send the document as multipart/form-data with one `file` field: {}",
            e.body_text()
        )))
    })?;
    let form = read_upload(multipart).await?;
    if !form.unknown.is_empty() {
        return Err(ApiError(AppError::invalid_request(format!(
            "Unknown or repeated field(s): {}. The form has one `file` (a PDF, JPEG or PNG).",
            form.unknown.join(", ")
        ))));
    }
    let Some((file_name, bytes)) = form.file else {
        return Err(ApiError(AppError::invalid_request(
            "The `file` field is missing: send the document (PDF, JPEG or PNG, up to 10 MiB) as the `file` field.",
        )));
    };
    let id = s
        .app
        .send_document(&c.actor, &application_id, file_name.as_deref(), bytes)
        .await?;
    Ok(no_store(
        (StatusCode::CREATED, Json(json!({"document_id": id}))).into_response(),
    ))
}

/// `GET /api/v1/me/documents`: the holder's documents, newest first.
pub async fn api_list(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .my_documents(&c.actor)
        .await?
        .iter()
        .map(document_json)
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `GET /api/v1/admin/applications/{application_id}/documents`.
pub async fn admin_list(
    State(s): State<AppState>,
    _: Admin,
    Path(application_id): Path<String>,
) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .application_documents(&application_id)
        .await?
        .iter()
        .map(document_json)
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `GET /api/v1/admin/documents/{document_id}`: the stored bytes, as an
/// attachment, never sniffed, never cached.
pub async fn admin_file(
    State(s): State<AppState>,
    _: Admin,
    Path(document_id): Path<String>,
) -> ApiResult<Response> {
    let file = s.app.document_file(&document_id).await?;
    let content_type = HeaderValue::from_str(&file.view.content_type)
        .map_err(|e| ApiError(AppError::internal(&e)))?;
    // The stored name holds only letters, digits, `.`, `-`, `_`.
    let ascii: String = file
        .view
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{ascii}\""))
        .map_err(|e| ApiError(AppError::internal(&e)))?;
    let mut r = file.bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(no_store(r))
}

// ---- OpenAPI ------------------------------------------------------------

/// The document paths, added to the OpenAPI document (`openapi.rs`).
pub(crate) fn document(doc: &mut Value) {
    let error = || json!({"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}});
    let param = |name: &str, desc: &str| json!([{"name": name, "in": "path", "required": true, "description": desc, "schema": {"type": "string"}}]);
    let list = json!({"type": "array", "items": {"type": "object",
        "required": ["document_id", "application_id", "at", "content_type", "size", "file_name", "by_delegate"],
        "properties": {
            "document_id": {"type": "string"}, "application_id": {"type": "string"},
            "at": {"type": "string", "format": "date-time"},
            "content_type": {"enum": ["application/pdf", "image/jpeg", "image/png"]},
            "size": {"type": "integer", "minimum": 1, "description": "bytes stored (an image after re-encoding)"},
            "file_name": {"type": "string", "description": "the sent name, sanitised (letters, digits, . - _)"},
            "by_delegate": {"type": "boolean"}}}});
    let paths = &mut doc["paths"];
    paths["/api/v1/me/applications/{application_id}/documents"] = json!({"post": {
        "summary": "Send a document for one of the holder's open applications (PDF, JPEG or PNG up to 10 MiB, told by its content; images re-encoded without metadata)",
        "security": [{"session": []}],
        "parameters": param("application_id", "one of the holder's applications (another person's is 404)"),
        "requestBody": {"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"], "additionalProperties": false, "properties": {
                "file": {"type": "string", "format": "binary", "description": "PDF (must parse), JPEG or PNG, at most 10 MiB; the type is told by the first bytes, not the name or declared type"}}}}}},
        "responses": {"201": {"description": "stored", "content": {"application/json": {"schema": {"type": "object",
                "required": ["document_id"], "properties": {"document_id": {"type": "string"}}}}}},
            "400": error(), "401": error(), "403": error(), "404": error(), "409": error(), "413": error(), "415": error()}}});
    paths["/api/v1/me/documents"] = json!({"get": {"summary": "The documents the holder sent, newest first",
        "security": [{"session": []}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": list.clone()}}},
            "401": error(), "403": error()}}});
    paths["/api/v1/admin/applications/{application_id}/documents"] = json!({"get": {"summary": "The documents sent for an application, newest first",
        "security": [{"adminKey": []}],
        "parameters": param("application_id", "the application"),
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": list}}},
            "401": error(), "404": error()}}});
    paths["/api/v1/admin/documents/{document_id}"] = json!({"get": {"summary": "A document's stored bytes, as an attachment",
        "security": [{"adminKey": []}],
        "parameters": param("document_id", "the document"),
        "responses": {"200": {"description": "the document", "content": {
                "application/pdf": {}, "image/jpeg": {}, "image/png": {}}},
            "401": error(), "404": error()}}});
}
