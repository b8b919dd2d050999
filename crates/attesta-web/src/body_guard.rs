//! Request bodies (SPEC §6, §12): never compressed, capped while they
//! stream, never left stalled.
//!
//! [`stall_and_encoding`] runs on every request: a `Content-Encoding` (or
//! a transfer coding other than `chunked`) is 415, and the body is wrapped
//! so that no byte for the configured time ends it with 408. [`cap`] runs
//! on every route with that route's limit: a declared `Content-Length`
//! over it is 413 before a byte is read, and a body that streams past it
//! is 413 as soon as it does. Each refusal comes from the one error
//! mapping (`error.rs`), JSON under `/api/` and a page elsewhere, whatever
//! the handler's extractor made of the failed read; the connection is then
//! closed, so the rest of the body is never read.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use attesta_app::{AppError, ErrorCode};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use tower_http::timeout::{TimeoutBody, TimeoutError};

use crate::error::{ApiError, PageError};

/// A route's body limit, and whether its errors are JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    max: usize,
    api: bool,
    /// What the 413 says instead of the limit in KiB (a route whose
    /// limit is a file's: "at most 10 MiB").
    message: Option<&'static str>,
}

impl Limit {
    pub(crate) const fn new(max: usize, api: bool) -> Self {
        Limit {
            max,
            api,
            message: None,
        }
    }

    pub(crate) const fn saying(self, message: &'static str) -> Self {
        Limit {
            message: Some(message),
            ..self
        }
    }
}

/// Set by a body wrapper when it ends the body for its reason.
#[derive(Clone, Default)]
struct Tripped(Arc<AtomicBool>);

impl Tripped {
    fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

fn refuse(api: bool, e: AppError) -> Response {
    let mut r = if api {
        ApiError(e).into_response()
    } else {
        PageError(e).into_response()
    };
    r.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    r
}

fn too_large(limit: Limit) -> AppError {
    match limit.message {
        Some(message) => AppError::new(ErrorCode::PayloadTooLarge, message),
        None => AppError::new(
            ErrorCode::PayloadTooLarge,
            format!("The body is larger than {} KiB.", limit.max / 1024),
        ),
    }
}

/// The route's limit, before a byte is read and while the body streams.
pub(crate) async fn cap(State(limit): State<Limit>, request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.max as u64) {
        return refuse(limit.api, too_large(limit));
    }
    let tripped = Tripped::default();
    let flag = tripped.clone();
    let request = request.map(|body| {
        Body::new(Limited::new(body, limit.max).map_err(move |e| {
            if e.is::<LengthLimitError>() {
                flag.set();
            }
            e
        }))
    });
    let response = next.run(request).await;
    // A handler that answered the 413 itself (a form shown again, JSON)
    // keeps its answer; axum's plain-text rejection is replaced.
    let own_answer = response.status() == 413
        && response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|ct| !ct.as_bytes().starts_with(b"text/plain"));
    if tripped.get() && !own_answer {
        return refuse(limit.api, too_large(limit));
    }
    response
}

/// No compressed bodies; a body that stalls for `stall` gets 408.
pub(crate) async fn stall_and_encoding(
    State(stall): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let headers = request.headers();
    let content_coded = headers
        .get_all(header::CONTENT_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .any(|c| !c.trim().is_empty() && !c.trim().eq_ignore_ascii_case("identity"));
    let transfer_coded = headers
        .get_all(header::TRANSFER_ENCODING)
        .iter()
        .flat_map(|v| v.to_str().unwrap_or("?").split(','))
        .any(|c| !c.trim().eq_ignore_ascii_case("chunked"));
    if content_coded || transfer_coded {
        return refuse(
            api,
            AppError::new(
                ErrorCode::UnsupportedContentEncoding,
                "attesta accepts no compressed request body: send it without Content-Encoding (gzip, deflate, br…).",
            ),
        );
    }
    let stalled = Tripped::default();
    let flag = stalled.clone();
    let request = request.map(|body| {
        Body::new(TimeoutBody::new(stall, body).map_err(move |e| {
            if e.is::<TimeoutError>() {
                flag.set();
            }
            e
        }))
    });
    let response = next.run(request).await;
    if stalled.get() {
        return refuse(
            api,
            AppError::new(
                ErrorCode::RequestTimeout,
                format!(
                    "No byte of the request body arrived for {} seconds: send it again.",
                    stall.as_secs()
                ),
            ),
        );
    }
    response
}
