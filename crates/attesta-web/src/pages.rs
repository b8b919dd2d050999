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
    problem: Option<String>,
    /// Set when a delegate is acting for this holder: who the holder is.
    acting_for: Option<String>,
    represented: Vec<attesta_app::RepresentedView>,
    delegates: Vec<DelegateLine>,
    activity: Vec<ActivityLine>,
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

struct DelegateLine {
    delegation_id: String,
    who: String,
    since: String,
    by_back_office: bool,
}

struct ActivityLine {
    at: String,
    action: &'static str,
    by: String,
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

fn action_text(action: &str) -> &'static str {
    match action {
        "privacy_notice_accepted" => "Informativa accettata / Privacy notice accepted",
        "attestation_generated" => "QR generato / QR code generated",
        "attestation_revoked" => "QR revocato / QR code revoked",
        "attestation_emailed" => "PDF inviato per e-mail / PDF sent by e-mail",
        "delegate_added" => "Delegato aggiunto / Delegate added",
        "delegate_removed" => "Delegato rimosso / Delegate removed",
        "card_applied" => "Carta europea: domanda inviata / EU card: application sent",
        "card_issued" => "Carta europea emessa / EU card issued",
        "card_rejected" => "Carta europea: domanda respinta / EU card: application rejected",
        "card_revoked" => "Carta europea revocata / EU card revoked",
        "card_emailed" => "Carta europea: e-mail inviata / EU card: e-mail sent",
        _ => "Altro / Other",
    }
}

/// The logged-in citizen's session, or the login-required page.
fn citizen_session(
    session: Option<attesta_app::Session>,
) -> Result<attesta_app::Session, PageError> {
    match session {
        Some(sess) if sess.role == Role::Citizen => Ok(sess),
        _ => Err(PageError(AppError::login_required())),
    }
}

/// The session and the actor (the citizen, or whom a delegate acts for).
async fn citizen(
    s: &AppState,
    session: Option<attesta_app::Session>,
) -> Result<(attesta_app::Session, attesta_app::Actor), PageError> {
    let session = citizen_session(session)?;
    let actor = s.app.actor(&session).await?;
    Ok((session, actor))
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
    let (session, actor) = citizen(&s, session).await?;
    let me = s.app.me(&actor).await?;
    let attestation = match s.app.current_attestation(&actor).await {
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
        .verifications(&actor)
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
    let delegates = s
        .app
        .delegates(&actor)
        .await?
        .into_iter()
        .map(|d| DelegateLine {
            who: match d.name {
                Some(n) => format!("{n} ({})", d.fiscal_code),
                None => d.fiscal_code,
            },
            since: crate::format_italian_datetime(d.since),
            by_back_office: d.created_by == "back_office",
            delegation_id: d.delegation_id,
        })
        .collect();
    let activity = s
        .app
        .activity(&actor)
        .await?
        .into_iter()
        .map(|a| ActivityLine {
            at: crate::format_italian_datetime(a.at),
            action: action_text(&a.action),
            by: if a.by_delegate {
                format!("{} (delegato / delegate)", a.by)
            } else {
                a.by
            },
        })
        .collect();
    let represented = if actor.is_delegate() {
        Vec::new()
    } else {
        s.app.represented(&session).await?
    };
    let p = &me.record.person;
    let (notice, problem) = match q.done.as_deref() {
        Some("generated") => (
            Some(
                "Nuovo QR generato e inviato per e-mail: il precedente, se c'era, non vale più. / New QR code generated and e-mailed: any previous one no longer works.",
            ),
            None,
        ),
        Some("generated_no_email") => (
            Some(
                "Nuovo QR generato: il precedente, se c'era, non vale più. Non c'è un indirizzo e-mail in anagrafica: scarica il PDF. / New QR code generated; no e-mail address on record: download the PDF.",
            ),
            None,
        ),
        Some("generated_email_failed") => (
            Some(
                "Nuovo QR generato: il precedente, se c'era, non vale più. / New QR code generated: any previous one no longer works.",
            ),
            Some(
                "Non è stato possibile inviare l'e-mail. Il QR è valido: scarica il PDF o riprova l'invio. / The e-mail could not be sent. The QR code is valid: download the PDF or try sending it again.",
            ),
        ),
        Some("emailed") => (
            Some("PDF inviato di nuovo per e-mail. / PDF sent again by e-mail."),
            None,
        ),
        Some("email_failed") => (
            None,
            Some(
                "Non è stato possibile inviare l'e-mail: riprova tra poco o scarica il PDF. / The e-mail could not be sent: try again in a moment or download the PDF.",
            ),
        ),
        Some("revoked") => (
            Some(
                "QR revocato: chi lo scansiona ora vede che non è più valido. / QR code revoked: anyone scanning it now sees it is no longer valid.",
            ),
            None,
        ),
        Some("privacy") => (
            Some("Informativa accettata. / Privacy notice accepted."),
            None,
        ),
        Some("delegate_added") => (
            Some(
                "Delegato aggiunto: dopo l'accesso potrà agire per te. / Delegate added: after logging in they can act for you.",
            ),
            None,
        ),
        Some("delegate_removed") => (Some("Delegato rimosso. / Delegate removed."), None),
        Some("delegate_invalid") => (
            None,
            Some(
                "Il codice fiscale del delegato non è valido: controllalo e riprova. / The delegate's codice fiscale is not valid: check it and try again.",
            ),
        ),
        _ => (None, None),
    };
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
        notice: notice.map(str::to_owned),
        problem: problem.map(str::to_owned),
        acting_for: me.acting_as_delegate.then(|| p.full_name()),
        represented,
        delegates,
        activity,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "new_request.html")]
struct NewRequestPage {
    layout: Layout,
    csrf: String,
    step: u8,
    qualifies: bool,
    no_status_text: &'static str,
    email: Option<String>,
    mobile: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct StepQuery {
    step: Option<u8>,
}

/// The INPS steps (DOMAIN §3.3): new request → check contact data → accept
/// the privacy notice → confirm.
pub async fn new_request(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Query(q): Query<StepQuery>,
) -> PageResult {
    let layout = Layout::new("Nuova richiesta").with_session(&session);
    let (session, actor) = citizen(&s, session).await?;
    let me = s.app.me(&actor).await?;
    let p = &me.record.person;
    Ok(NewRequestPage {
        layout,
        csrf: session.csrf_token.clone(),
        step: if q.step == Some(2) { 2 } else { 1 },
        qualifies: me.qualifies,
        no_status_text: attesta_app::NO_QUALIFYING_STATUS,
        email: p.email.clone(),
        mobile: p.mobile.as_ref().map(|m| m.as_str().to_owned()),
    }
    .into_response())
}

/// "Confirm": accepts the notice (the first time) and generates.
pub async fn new_request_confirm(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        app.accept_privacy_notice(&actor).await?;
        let view = app.generate_attestation(&actor).await?;
        Ok(match view.email {
            attesta_app::EmailOutcome::Failed => "generated_email_failed",
            attesta_app::EmailOutcome::NoAddress => "generated_no_email",
            _ => "generated",
        })
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct CsrfOnly {
    csrf: String,
}

/// Runs one citizen-area form action after the CSRF check, then goes back
/// to `/me` with a notice.
async fn me_action<F, Fut>(
    s: &AppState,
    session: Option<attesta_app::Session>,
    csrf: &str,
    action: F,
) -> PageResult
where
    F: FnOnce(attesta_app::App, attesta_app::Actor) -> Fut,
    Fut: std::future::Future<Output = Result<&'static str, AppError>>,
{
    let (session, actor) = citizen(s, session).await?;
    csrf_ok(&session, csrf)?;
    let done = action(s.app.clone(), actor).await?;
    Ok(Redirect::to(&format!("/me?done={done}")).into_response())
}

pub async fn me_privacy(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        app.accept_privacy_notice(&actor).await?;
        Ok("privacy")
    })
    .await
}

pub async fn me_generate(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        let view = app.generate_attestation(&actor).await?;
        Ok(match view.email {
            attesta_app::EmailOutcome::Failed => "generated_email_failed",
            attesta_app::EmailOutcome::NoAddress => "generated_no_email",
            _ => "generated",
        })
    })
    .await
}

pub async fn me_revoke(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        app.revoke_attestation(&actor).await?;
        Ok("revoked")
    })
    .await
}

pub async fn me_email(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CsrfOnly>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        match app.email_attestation(&actor).await {
            Ok(()) => Ok("emailed"),
            Err(e) if e.code == "email_unavailable" => Ok("email_failed"),
            Err(e) => Err(e),
        }
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct DelegateForm {
    csrf: String,
    fiscal_code: String,
}

pub async fn me_add_delegate(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<DelegateForm>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        match app
            .add_delegate(&actor, &serde_json::json!({"fiscal_code": f.fiscal_code}))
            .await
        {
            Ok(_) => Ok("delegate_added"),
            Err(e) if e.status == 422 => Ok("delegate_invalid"),
            Err(e) => Err(e),
        }
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct RemoveDelegateForm {
    csrf: String,
    delegation_id: String,
}

pub async fn me_remove_delegate(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<RemoveDelegateForm>,
) -> PageResult {
    me_action(&s, session, &f.csrf, |app, actor| async move {
        app.remove_delegate(&actor, &f.delegation_id).await?;
        Ok("delegate_removed")
    })
    .await
}

#[derive(Debug, Deserialize)]
pub struct ActingForForm {
    csrf: String,
    /// Empty: back to one's own area.
    fiscal_code: String,
}

pub async fn me_acting_for(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<ActingForForm>,
) -> PageResult {
    let session = citizen_session(session)?;
    csrf_ok(&session, &f.csrf)?;
    let body = if f.fiscal_code.trim().is_empty() {
        serde_json::json!({"fiscal_code": null})
    } else {
        serde_json::json!({"fiscal_code": f.fiscal_code})
    };
    s.app.set_acting_for(&session, &body).await?;
    Ok(Redirect::to("/me").into_response())
}

pub async fn page_not_found() -> PageError {
    PageError(AppError::new(
        404,
        "not_found",
        "Questa pagina non esiste. / This page does not exist.",
    ))
}
