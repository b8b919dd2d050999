//! One mapping from [`AppError`] to HTTP, rendered as JSON for the API and
//! as an HTML page for people: the status, `Retry-After` and text are the
//! same in both.

use askama::Template;
use attesta_app::AppError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

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
    title_it: &'a str,
    title_en: &'a str,
    message: &'a str,
}

/// A short title for an error page, Italian and English.
fn titles(e: &AppError) -> (&'static str, &'static str) {
    match e.status {
        400 | 422 => ("Dati non validi", "Invalid data"),
        401 => ("Accesso richiesto", "Login required"),
        403 => ("Non consentito", "Not allowed"),
        404 => ("Non trovato", "Not found"),
        410 => ("Non più valido", "No longer valid"),
        413 => ("Dati troppo grandi", "Too large"),
        429 => ("Troppi tentativi", "Too many attempts"),
        503 => ("Servizio non disponibile", "Service unavailable"),
        _ => ("Errore", "Error"),
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let (title_it, title_en) = titles(&e);
        let page = ErrorPage {
            layout: Layout::new(title_it),
            status: e.status,
            title_it,
            title_en,
            message: &e.message,
        };
        let html = page.render().unwrap_or_else(|_| {
            format!(
                "<!doctype html><title>{title_en}</title><p>{}</p>",
                e.message
            )
        });
        with_headers(&e, (status_of(&e), Html(html)).into_response())
    }
}
