//! One mapping from [`AppError`] to HTTP, rendered as JSON for the API and
//! as an HTML page for people: the status, `Retry-After` and text are the
//! same in both.

use askama::Template;
use attesta_app::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::{Lang, key};
use crate::pages::Layout;

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn with_headers(e: &AppError, mut response: Response) -> Response {
    if let Some(seconds) = e.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// An error answered as SPEC §6 JSON: `{"error": {...}}`.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let body = axum::Json(json!({ "error": e }));
        with_headers(&e, (status_of(&e), body).into_response())
    }
}

/// An error answered as an HTML page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(e: AppError) -> Self {
        PageError(e)
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    layout: Layout,
    status: u16,
    message: &'a str,
    /// `Some("en")` when the message is English on a page in another language.
    message_lang: Option<&'static str>,
}

/// The key of a short title for an error page.
fn title_key(e: &AppError) -> &'static str {
    match e.status {
        400 | 422 => key("error-invalid"),
        401 => key("error-login-required"),
        403 => key("error-forbidden"),
        404 => key("error-not-found"),
        410 => key("error-gone"),
        413 => key("error-too-large"),
        429 => key("error-too-many"),
        503 => key("error-unavailable"),
        _ => key("error-other"),
    }
}

/// The messages the web layer words itself, in the page's language.
fn own_message(e: &AppError, lang: Lang) -> Option<String> {
    match e.code {
        "page_not_found" => Some(lang.t("error-page-not-found")),
        "csrf_failed" => Some(lang.t("error-csrf-failed")),
        _ => None,
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let lang = Lang::current();
        let title = lang.t(title_key(&e));
        let own = own_message(&e, lang);
        let message = own.as_deref().unwrap_or(&e.message);
        // attesta-app's messages are English (or "Italiano / English").
        let message_lang =
            (own.is_none() && lang != Lang::En && !message.contains(" / ")).then_some("en");
        let page = ErrorPage {
            layout: Layout::new(title.clone()),
            status: e.status,
            message,
            message_lang,
        };
        let html = page.render().unwrap_or_else(|_| {
            format!("<!doctype html><title>{title}</title><p>{}</p>", e.message)
        });
        with_headers(&e, (status_of(&e), Html(html)).into_response())
    }
}
