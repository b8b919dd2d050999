//! Login through the identity provider: `GET /login?role=…` sends the
//! browser there; `GET /auth/callback` brings it back and opens a session
//! (`attesta_app::oidc` does the protocol).

use attesta_app::ErrorCode;
use attesta_app::{AppError, Role};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;

/// The cookie that carries a login in progress, only to the callback.
const LOGIN_COOKIE: &str = "attesta_login";

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    role: Option<String>,
}

/// `GET /login?role=citizen|operator` (citizen by default).
pub async fn start(
    State(s): State<AppState>,
    crate::extract::PageQuery(q): crate::extract::PageQuery<LoginQuery>,
) -> Result<Response, PageError> {
    let role = match q.role.as_deref() {
        None | Some("citizen") => Role::Citizen,
        Some("operator") => Role::Operator,
        Some(_) => {
            return Err(PageError(AppError::new(
                ErrorCode::InvalidQuery,
                "`role` is citizen or operator.",
            )));
        }
    };
    let (to, ticket) = s.app.begin_login(role).await?;
    let mut r = Redirect::to(&to).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        ticket_cookie(&s, &ticket.0, attesta_app::oidc::TICKET_LIFETIME.as_secs()),
    );
    Ok(r)
}

/// The login-ticket cookie (only sent to `/auth`); `max_age` 0 removes it.
fn ticket_cookie(s: &AppState, value: &str, max_age: u64) -> HeaderValue {
    let secure = if s.web.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{LOGIN_COOKIE}={value}; Path=/auth; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}"
    ))
    .expect("the ticket is base64url and hex: valid header text")
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// `GET /auth/callback?code=…&state=…` (or `?error=…` when the person
/// cancelled at the provider).
pub async fn callback(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CallbackQuery>,
) -> Result<Response, PageError> {
    if q.error.is_some() {
        // The ticket is spent either way.
        let mut r = PageError(AppError::new(ErrorCode::LoginCancelled,
            "The login was cancelled or refused at the identity provider. Start it again to use attesta.",
        ))
        .into_response();
        r.headers_mut()
            .append(header::SET_COOKIE, ticket_cookie(&s, "", 0));
        return Ok(r);
    }
    let (Some(code), Some(state), Some(ticket)) = (
        q.code,
        q.state,
        crate::extract::cookie(&headers, LOGIN_COOKIE),
    ) else {
        return Err(PageError(AppError::new(
            ErrorCode::LoginExpired,
            "This login link is not complete or has expired. Start the login again.",
        )));
    };
    let (cookie, session) = s.app.finish_login(&ticket, &code, &state).await?;
    crate::end_previous_session(&s, &headers).await?;
    let to = if session.role == Role::Citizen {
        "/me"
    } else {
        "/v"
    };
    let mut r = Redirect::to(to).into_response();
    let h = r.headers_mut();
    h.append(
        header::SET_COOKIE,
        crate::session_cookie_header(&s, &cookie.0),
    );
    h.append(header::SET_COOKIE, ticket_cookie(&s, "", 0));
    Ok(r)
}
