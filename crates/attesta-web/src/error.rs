//! One mapping from [`AppError`] to HTTP, rendered as JSON for the API and
//! as an HTML page for people: the status, `Retry-After` and text are the
//! same in both.

use askama::Template;
use attesta_app::AppError;
use attesta_app::ErrorCode;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use crate::i18n::{Lang, key};
use crate::pages::Layout;

fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn with_headers(e: &AppError, mut response: Response) -> Response {
    if let Some(seconds) = e.retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    crate::no_store(response)
}

/// A form shown again after `e` (its fields marked, what was typed kept):
/// the status and headers of `e`, from the same mapping as an error page.
pub(crate) fn form_again(e: &AppError, page: impl IntoResponse) -> Response {
    let mut r = page.into_response();
    *r.status_mut() = status_of(e);
    with_headers(e, r)
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
}

/// The key of a short title for an error page.
fn title_key(e: &AppError) -> &'static str {
    match e.status() {
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

/// What an error says to a person, in `lang`: the `err-<code>` message of
/// the translation files, with the attempts left and the minutes to wait.
/// (The JSON API keeps attesta-app's English `message`, for developers.)
pub(crate) fn error_text(e: &AppError, lang: Lang) -> String {
    let minutes = e.retry_after.map_or(0, |s| s.div_ceil(60));
    let args = [
        ("attempts", e.attempts_left.unwrap_or(0)),
        ("minutes", i64::try_from(minutes).unwrap_or(i64::MAX)),
    ];
    // A code without a message is caught by a test; should one slip
    // through, the English message is better than nothing.
    lang.try_t_num(e.code.message_key(), &args)
        .unwrap_or_else(|| e.message.clone())
}

/// What to tell under a form's codice fiscale field after `e`: for a
/// malformed code (`invalid_fiscal_code`), which character is wrong (or that
/// the field is empty), else the error's message.
pub(crate) fn fiscal_code_field_text(e: &AppError, typed: &str, lang: Lang) -> String {
    e.code
        .is(ErrorCode::InvalidFiscalCode)
        .then(|| fiscal_code_problem(typed, lang))
        .flatten()
        .unwrap_or_else(|| error_text(e, lang))
}

/// Why `input` is not a codice fiscale, in `lang` (`None` if it is one).
fn fiscal_code_problem(input: &str, lang: Lang) -> Option<String> {
    use attesta_domain::FiscalCodeError as E;
    if input.trim().is_empty() {
        return Some(lang.t("cf-missing"));
    }
    let problem = attesta_domain::FiscalCode::parse(input).err()?;
    let num = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let (key, args): (&str, Vec<(&'static str, i64)>) = match problem {
        E::Length(n) => (key("cf-length"), vec![("count", num(n))]),
        E::ExpectedLetter { position } => (key("cf-letter"), vec![("position", num(position))]),
        E::ExpectedDigit { position } => (key("cf-digit"), vec![("position", num(position))]),
        E::Month => (key("cf-month"), vec![]),
        E::Day => (key("cf-day"), vec![]),
        E::CheckCharacter => (key("cf-check"), vec![]),
    };
    lang.try_t_num(key, &args)
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let e = self.0;
        let lang = Lang::current();
        let title = lang.t(title_key(&e));
        let message = error_text(&e, lang);
        let page = ErrorPage {
            layout: Layout::new(title.clone()),
            status: e.status(),
            message: &message,
        };
        let html = page
            .render()
            .unwrap_or_else(|_| format!("<!doctype html><title>{title}</title><p>{}</p>", e.code));
        with_headers(&e, (status_of(&e), Html(html)).into_response())
    }
}
