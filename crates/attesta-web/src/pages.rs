//! HTML pages: landing, operator check, demo login, citizen area. Every
//! form works without JavaScript; forms of a logged-in user carry a CSRF
//! token.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::{AppError, Level1View, Role, TokenState};
use attesta_credential::{Token, qr_svg};
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{MaybeSession, session_cookie};

type PageResult = Result<Response, PageError>;

/// What every page's frame needs.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    /// The logged-in user's name and the CSRF token for the logout form.
    pub user: Option<(String, String)>,
}

impl Layout {
    pub fn new(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user: None,
        }
    }

    pub(crate) fn with_session(mut self, session: &Option<attesta_app::Session>) -> Self {
        self.user = session
            .as_ref()
            .map(|s| (s.identity.name.clone(), s.csrf_token.clone()));
        self
    }
}

pub(crate) fn csrf_ok(session: &attesta_app::Session, given: &str) -> Result<(), PageError> {
    if subtle::ConstantTimeEq::ct_eq(session.csrf_token.as_bytes(), given.as_bytes()).into() {
        Ok(())
    } else {
        Err(PageError(AppError::new(
            403,
            "csrf_failed",
            "This form has expired or did not come from attesta. Go back, reload the page and try again.",
        )))
    }
}

// ---- landing --------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "index.html")]
struct IndexPage {
    layout: Layout,
    demo: bool,
}

pub async fn index(State(s): State<AppState>, MaybeSession(session): MaybeSession) -> Response {
    IndexPage {
        layout: Layout::new("attesta").with_session(&session),
        demo: s.app.config().demo,
    }
    .into_response()
}

// ---- operator: short code and level 1 --------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "check.html")]
struct CheckPage {
    layout: Layout,
    code: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct CodeQuery {
    code: Option<String>,
}

pub async fn check_form(Query(q): Query<CodeQuery>) -> Response {
    let Some(code) = q.code.filter(|c| !c.trim().is_empty()) else {
        return CheckPage {
            layout: Layout::new("Verifica un'attestazione"),
            code: String::new(),
            error: None,
        }
        .into_response();
    };
    match Token::parse(&code) {
        Some(token) => Redirect::to(&format!("/v/{}", token.encode())).into_response(),
        None => CheckPage {
            layout: Layout::new("Verifica un'attestazione"),
            code,
            error: Some("Il codice non è valido: sono 26 caratteri (lettere e cifre, senza I, L, O, U), di solito scritti a gruppi di quattro. Controllalo e riprova. / The code is not valid: 26 letters and digits, usually in groups of four. Check it and try again.".into()),
        }
        .into_response(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    token: String,
    fiscal_code: String,
    error: Option<String>,
}

fn verify_page(token: &str, fiscal_code: String, error: Option<String>) -> VerifyPage {
    VerifyPage {
        layout: Layout::new("Verifica di primo livello"),
        token: token.to_owned(),
        fiscal_code,
        error,
    }
}

async fn checkable(s: &AppState, token: &str) -> Result<(), PageError> {
    match s.app.token_state(token).await? {
        TokenState::Active => Ok(()),
        TokenState::Revoked => Err(PageError(AppError::revoked_token())),
        TokenState::Unknown => Err(PageError(AppError::unknown_token())),
    }
}

pub async fn verify_form(State(s): State<AppState>, Path(token): Path<String>) -> PageResult {
    checkable(&s, &token).await?;
    Ok(verify_page(&token, String::new(), None).into_response())
}

#[derive(Debug, Deserialize)]
pub struct VerifyForm {
    fiscal_code: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "result.html")]
struct ResultPage {
    layout: Layout,
    view: Level1View,
    checked_at: String,
    token: String,
    fiscal_code: String,
    /// The operator's CSRF token when an operator is logged in (level 2).
    operator_csrf: Option<String>,
    demo: bool,
}

pub async fn verify_submit(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(token): Path<String>,
    Form(form): Form<VerifyForm>,
) -> PageResult {
    match s.app.verify_level1(&token, &form.fiscal_code).await {
        Ok(view) => {
            let checked_at = crate::format_italian_datetime(view.checked_at);
            let operator_csrf = session
                .as_ref()
                .filter(|s| s.role == Role::Operator)
                .map(|s| s.csrf_token.clone());
            let mut r = ResultPage {
                layout: Layout::new("Esito della verifica").with_session(&session),
                view,
                checked_at,
                token: token.clone(),
                fiscal_code: form.fiscal_code.trim().to_ascii_uppercase(),
                operator_csrf,
                demo: s.app.config().demo,
            }
            .into_response();
            r.headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            Ok(r)
        }
        // Wrong or badly typed codes go back to the form, with the reason
        // and the number of attempts left, keeping what was typed.
        Err(e) if matches!(e.code, "invalid_fiscal_code" | "fiscal_code_mismatch") => {
            let mut r =
                verify_page(&token, form.fiscal_code, Some(e.message.clone())).into_response();
            *r.status_mut() = axum::http::StatusCode::from_u16(e.status).unwrap_or_default();
            Ok(r)
        }
        Err(e) => Err(PageError(e)),
    }
}

// ---- demo login -----------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "demo.html")]
struct DemoPage {
    layout: Layout,
    citizens: Vec<attesta_app::demo::DemoPerson>,
    operators: Vec<attesta_app::demo::DemoPerson>,
}

pub async fn demo_page(MaybeSession(session): MaybeSession) -> Response {
    let (operators, citizens) = attesta_app::demo::people()
        .into_iter()
        .partition(|p| p.is_operator());
    DemoPage {
        layout: Layout::new("Accesso dimostrativo").with_session(&session),
        citizens,
        operators,
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct DemoLoginForm {
    fiscal_code: String,
    role: String,
    organisation: Option<String>,
    name: Option<String>,
}

pub async fn demo_login(State(s): State<AppState>, Form(f): Form<DemoLoginForm>) -> PageResult {
    let body = serde_json::json!({"fiscal_code": f.fiscal_code, "role": f.role,
        "organisation": f.organisation, "name": f.name});
    let (cookie, session) = s.app.demo_login(&body).await?;
    let to = if session.role == Role::Citizen {
        "/me"
    } else {
        "/v"
    };
    let mut r = Redirect::to(to).into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        crate::session_cookie_header(&s, &cookie.0),
    );
    Ok(r)
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn logout(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    headers: axum::http::HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    if let (Some(session), Some(cookie)) = (session, session_cookie(&headers)) {
        csrf_ok(&session, &f.csrf)?;
        s.app.logout(&cookie).await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("attesta_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax"),
    );
    Ok(r)
}

// ---- citizen area ---------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "me.html")]
struct MePage {
    layout: Layout,
    csrf: String,
    name: String,
    email: Option<String>,
    mobile: Option<String>,
    privacy_accepted: bool,
    qualifies: bool,
    no_status_text: &'static str,
    attestation: Option<AttestationBlock>,
    checks: Vec<CheckLine>,
    notice: Option<String>,
}

struct AttestationBlock {
    url: String,
    short_code: String,
    created: String,
    qr_svg: String,
}

struct CheckLine {
    at: String,
    level: i64,
    outcome_it: &'static str,
    who: String,
}

fn outcome_it(outcome: &str) -> &'static str {
    match outcome {
        "qualifies" => "Esito positivo: rientra nei casi / Positive",
        "does_not_qualify" => "Esito negativo: non rientra nei casi / Negative",
        "fiscal_code_mismatch" => "Codice fiscale errato / Wrong codice fiscale",
        "locked" => "Bloccato per troppi tentativi / Locked after too many attempts",
        "otp_sent" => "Codice OTP inviato / One-time code sent",
        "otp_failed" => "Codice OTP errato / Wrong one-time code",
        "level2_viewed" => "Dettaglio consultato / Detail viewed",
        _ => "Altro / Other",
    }
}

/// The logged-in citizen and their person id, or the login-required page.
fn citizen(
    session: Option<attesta_app::Session>,
) -> Result<(attesta_app::Session, String), PageError> {
    match session {
        Some(sess) if sess.role == Role::Citizen => {
            let id = sess.identity.subject.clone();
            Ok((sess, id))
        }
        _ => Err(PageError(AppError::login_required())),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoticeQuery {
    done: Option<String>,
}

pub async fn me_page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let layout = Layout::new("La mia attestazione").with_session(&session);
    let (session, person_id) = citizen(session)?;
    let me = s.app.me(&person_id).await?;
    let attestation = match s.app.current_attestation(&person_id).await {
        Ok(v) => Some(AttestationBlock {
            qr_svg: qr_svg(&v.url),
            created: crate::format_italian_datetime(v.created_at),
            url: v.url,
            short_code: v.short_code,
        }),
        Err(e) if e.code == "no_attestation" => None,
        Err(e) => return Err(PageError(e)),
    };
    let checks = s
        .app
        .verifications(&person_id)
        .await?
        .into_iter()
        .map(|c| CheckLine {
            at: crate::format_italian_datetime(c.at),
            level: c.level,
            outcome_it: outcome_it(&c.outcome),
            who: match (c.operator, c.organisation) {
                (Some(o), Some(org)) => format!("{o} ({org})"),
                (Some(o), None) => o,
                (None, Some(org)) => org,
                (None, None) => {
                    "Operatore anonimo (primo livello) / Anonymous operator (level 1)".into()
                }
            },
        })
        .collect();
    let p = &me.record.person;
    let notice = q.done.as_deref().map(|d| match d {
        "generated" => "Nuovo QR generato: il precedente, se c'era, non vale più. / New QR code generated: any previous one no longer works.",
        "revoked" => "QR revocato: chi lo scansiona ora vede che non è più valido. / QR code revoked: anyone scanning it now sees it is no longer valid.",
        "privacy" => "Informativa accettata. / Privacy notice accepted.",
        _ => "",
    }.to_owned()).filter(|n| !n.is_empty());
    Ok(MePage {
        layout,
        csrf: session.csrf_token.clone(),
        name: p.full_name(),
        email: p.email.clone(),
        mobile: p.mobile.as_ref().map(|m| m.as_str().to_owned()),
        privacy_accepted: me.record.privacy_accepted_at.is_some(),
        qualifies: me.qualifies,
        no_status_text: attesta_app::NO_QUALIFYING_STATUS,
        attestation,
        checks,
        notice,
    }
    .into_response())
}

pub async fn me_privacy(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let (session, person_id) = citizen(session)?;
    csrf_ok(&session, &f.csrf)?;
    s.app.accept_privacy_notice(&person_id).await?;
    Ok(Redirect::to("/me?done=privacy").into_response())
}

pub async fn me_generate(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let (session, person_id) = citizen(session)?;
    csrf_ok(&session, &f.csrf)?;
    s.app.generate_attestation(&person_id).await?;
    Ok(Redirect::to("/me?done=generated").into_response())
}

pub async fn me_revoke(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let (session, person_id) = citizen(session)?;
    csrf_ok(&session, &f.csrf)?;
    s.app.revoke_attestation(&person_id).await?;
    Ok(Redirect::to("/me?done=revoked").into_response())
}

pub async fn page_not_found() -> PageError {
    PageError(AppError::new(
        404,
        "not_found",
        "Questa pagina non esiste. / This page does not exist.",
    ))
}
