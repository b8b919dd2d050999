//! Request extractors: JSON bodies with SPEC §6 errors, sessions from the
//! cookie, the back-office API key, and the same-origin rule.

use attesta_app::ErrorCode;
use attesta_app::{AppError, Role, Session};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde_json::Value;
use subtle::ConstantTimeEq;

use crate::AppState;
use crate::error::ApiError;

pub const SESSION_COOKIE: &str = "attesta_session";
/// Over https the session cookie is `__Host-` prefixed: browsers then
/// accept it only Secure, for Path=/ and without Domain, so neither a
/// sibling subdomain nor a plain-http page can plant or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-attesta_session";

/// The session cookie's name for this server.
pub fn session_cookie_name(state: &AppState) -> &'static str {
    if state.web.secure_cookies {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// A JSON body: malformed → 400 `invalid_request`, too large → 413
/// `payload_too_large`, empty → `{}`.
#[derive(Debug)]
pub struct ApiJson(pub Value);

impl<S: Send + Sync> FromRequest<S> for ApiJson {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        // A body labelled as something else (a form, text) was not meant as
        // this JSON; no label is tolerated, as curl and scripts often omit it.
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|v| v.to_str().unwrap_or_default().to_ascii_lowercase());
        if let Some(ct) = content_type {
            let essence = ct.split(';').next().unwrap_or_default().trim();
            if essence != "application/json" && !essence.ends_with("+json") {
                return Err(ApiError(AppError::invalid_request(format!(
                    "The body must be JSON sent with `Content-Type: application/json` (it was `{essence}`)."
                ))));
            }
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError(AppError::new(
                    ErrorCode::PayloadTooLarge,
                    "The body is larger than 64 KiB.",
                ))
            } else {
                ApiError(AppError::invalid_request(format!(
                    "The body could not be read: {rejection}"
                )))
            }
        })?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(ApiJson(Value::Object(Default::default())));
        }
        let malformed = |e: serde_json::Error| {
            ApiError(AppError::invalid_request(format!(
                "The body is not valid JSON: {e}."
            )))
        };
        // serde_json keeps the last of two equal keys; a body that says two
        // things about one field is refused instead of read one way.
        serde_json::from_slice::<NoDuplicateKeys>(&bytes).map_err(malformed)?;
        serde_json::from_slice(&bytes)
            .map(ApiJson)
            .map_err(malformed)
    }
}

/// Walks a JSON document and fails on an object with a key given twice.
struct NoDuplicateKeys;

impl<'de> serde::Deserialize<'de> for NoDuplicateKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NoDuplicateKeys)
    }
}

impl<'de> serde::de::Visitor<'de> for NoDuplicateKeys {
    type Value = NoDuplicateKeys;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self, E> {
        Ok(self)
    }
    fn visit_unit<E>(self) -> Result<Self, E> {
        Ok(self)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self, A::Error> {
        while seq.next_element::<NoDuplicateKeys>()?.is_some() {}
        Ok(self)
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self, A::Error> {
        let mut keys = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !keys.insert(key.clone()) {
                return Err(serde::de::Error::custom(format!(
                    "the key `{key}` is given twice"
                )));
            }
            map.next_value::<NoDuplicateKeys>()?;
        }
        Ok(self)
    }
}

/// The raw session cookie value, if any.
pub fn session_cookie(headers: &HeaderMap, state: &AppState) -> Option<String> {
    cookie(headers, session_cookie_name(state))
}

/// The value of the cookie `wanted` of a request.
pub fn cookie(headers: &HeaderMap, wanted: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == wanted)
        .map(|(_, value)| value.to_owned())
}

/// The live session, if the request carries one.
#[derive(Debug, Clone)]
pub struct MaybeSession(pub Option<Session>);

/// Why the session could not be read (the database is unreachable: 503
/// `service_unavailable`), answered as the request's surface answers: JSON
/// on the API, a page elsewhere (SPEC §12).
#[derive(Debug)]
pub struct SessionError {
    error: AppError,
    page: bool,
}

impl From<SessionError> for ApiError {
    fn from(e: SessionError) -> Self {
        ApiError(e.error)
    }
}

impl IntoResponse for SessionError {
    fn into_response(self) -> Response {
        if self.page {
            crate::error::PageError(self.error).into_response()
        } else {
            ApiError(self.error).into_response()
        }
    }
}

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = SessionError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(cookie) = session_cookie(&parts.headers, state) else {
            return Ok(MaybeSession(None));
        };
        match state.app.session(&cookie).await {
            Ok(session) => Ok(MaybeSession(session)),
            Err(error) => {
                // A nested router sees its own path: the original one
                // tells the API from the pages.
                let path = parts
                    .extensions
                    .get::<axum::extract::OriginalUri>()
                    .map_or_else(|| parts.uri.path(), |u| u.0.path());
                let page = !path.starts_with("/api/");
                Err(SessionError { error, page })
            }
        }
    }
}

/// A logged-in citizen, for `/api/v1/me…`. State-changing requests must be
/// same-origin (SPEC §6).
#[derive(Debug, Clone)]
pub struct Citizen {
    /// The holder whose area this is (the citizen, or whom a delegate acts for).
    pub person_id: String,
    pub actor: attesta_app::Actor,
}

impl FromRequestParts<AppState> for Citizen {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let MaybeSession(session) = MaybeSession::from_request_parts(parts, state).await?;
        let session = session.ok_or_else(|| ApiError(AppError::login_required()))?;
        if session.role != Role::Citizen {
            return Err(ApiError(AppError::citizen_only()));
        }
        if !matches!(parts.method, Method::GET | Method::HEAD)
            && !same_origin(&parts.headers, state)
        {
            return Err(ApiError(cross_origin()));
        }
        let actor = state.app.actor(&session).await?;
        Ok(Citizen {
            person_id: actor.person_id.clone(),
            actor,
        })
    }
}

pub fn cross_origin() -> AppError {
    AppError::new(
        ErrorCode::CrossOrigin,
        "This request changes data with a session cookie, so it must come from attesta's own pages (same-origin Origin or Sec-Fetch-Site header).",
    )
}

/// SPEC §6: a same-origin `Origin`, or `Sec-Fetch-Site: same-origin`.
pub fn same_origin(headers: &HeaderMap, state: &AppState) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "same-origin")
    {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let origin = origin.trim_end_matches('/').to_ascii_lowercase();
    let public = origin_of(&state.app.config().public_url);
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(|h| h.to_ascii_lowercase());
    origin == public
        || host.is_some_and(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
}

fn origin_of(url: &str) -> String {
    let lower = url.to_ascii_lowercase();
    match lower.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split('/').next().unwrap_or(rest);
            format!("{scheme}://{host}")
        }
        None => lower,
    }
}

/// The back office, authenticated by `Authorization: Bearer <key>`.
#[derive(Debug, Clone, Copy)]
pub struct Admin;

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let given = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        match (given, &state.web.admin_api_key) {
            (Some(given), Some(key))
                if bool::from(given.as_bytes().ct_eq(key.expose_secret().as_bytes())) =>
            {
                Ok(Admin)
            }
            (_, None) => Err(ApiError(AppError::new(
                ErrorCode::Unauthorized,
                "The back-office API is disabled: set ATTESTA_ADMIN_API_KEY on the server.",
            ))),
            _ => Err(ApiError(AppError::new(
                ErrorCode::Unauthorized,
                "Give the back-office API key as `Authorization: Bearer <key>`.",
            ))),
        }
    }
}

/// The query string of an API route: what cannot be read (a parameter given
/// twice, a wrong type) is 400 `invalid_request` in the JSON error shape
/// naming the parameter, not axum's plain-text 400.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        read_query(parts).map(ApiQuery).map_err(ApiError)
    }
}

/// The query string of a page: the same rule, answered as an error page.
#[derive(Debug)]
pub struct PageQuery<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequestParts<S> for PageQuery<T> {
    type Rejection = crate::error::PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        read_query(parts)
            .map(PageQuery)
            .map_err(crate::error::PageError)
    }
}

fn read_query<T: serde::de::DeserializeOwned>(parts: &Parts) -> Result<T, AppError> {
    let query = parts.uri.query().unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    for (name, _) in form_urlencoded::parse(query.as_bytes()) {
        if seen.iter().any(|s| *s == name) {
            return Err(AppError::invalid_request(format!(
                "The query parameter `{name}` is given more than once: give it once."
            ))
            .with_fields(vec![attesta_domain::FieldError::new(
                name.as_ref(),
                "is given more than once",
            )]));
        }
        seen.push(name.into_owned());
    }
    serde_urlencoded::from_str(query)
        .map_err(|e| AppError::invalid_request(format!("The query string could not be read: {e}.")))
}
