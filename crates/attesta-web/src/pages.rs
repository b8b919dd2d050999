//! HTML pages: landing, operator check, demo login, citizen area. Every
//! form works without JavaScript; forms of a logged-in user carry a CSRF
//! token.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::ErrorCode;
use attesta_app::{AppError, Level1View, Role, TokenState};
use attesta_credential::Token;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{MaybeSession, PageQuery, session_cookie};
use crate::i18n::{Lang, key};
use crate::no_store;
use attesta_domain::{Activity, CheckOutcome};

type PageResult = Result<Response, PageError>;

/// What every page's frame needs.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub title: String,
    /// The logged-in user's name and the CSRF token for the logout form.
    pub user: Option<(String, String)>,
    /// The language of this request.
    pub lang: Lang,
    /// This page's path and query without `lang`, for the language switch.
    pub here: String,
    /// The pages between the home page and this one (the breadcrumbs end
    /// with this page's title); `None`: no trail (the home page, errors).
    pub crumbs: Option<Vec<Crumb>>,
    /// The fields of this page's form that need fixing, summed up at the
    /// top of the page with a link to each (the error summary).
    pub errors: Vec<FieldProblem>,
    /// Said before the title in the window's title only (not in the
    /// breadcrumbs): a check's outcome, read first when the page loads.
    pub title_status: Option<String>,
}

/// A page above the current one, in the breadcrumbs.
#[derive(Debug, Clone)]
pub struct Crumb {
    pub label: String,
    pub href: &'static str,
}

/// A field to fix: its id (the summary links to it) and what is wrong.
#[derive(Debug, Clone)]
pub struct FieldProblem {
    pub field: &'static str,
    pub text: String,
}

/// The step indicator of a journey (`templates/stepper.html`, the kit's
/// "steppers"): every step with its number and text, the current one marked
/// with `aria-current="step"`, the ones before it as done.
#[derive(Debug, Clone)]
pub struct Stepper {
    /// The list's accessible name, e.g. "Steps".
    pub label: String,
    pub steps: Vec<Step>,
    /// "Step 1 of 2".
    pub index_text: String,
    /// Said after a step already done.
    pub done_text: String,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub number: usize,
    pub label: String,
    state: StepState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StepState {
    Done,
    Current,
    Next,
}

impl Step {
    /// The kit's class of the step.
    pub fn class(&self) -> &'static str {
        match self.state {
            StepState::Done => "confirmed",
            StepState::Current => "active",
            StepState::Next => "",
        }
    }

    pub fn is_current(&self) -> bool {
        self.state == StepState::Current
    }

    pub fn is_done(&self) -> bool {
        self.state == StepState::Done
    }
}

impl Stepper {
    /// The steps named by the keys of their text, in order; `current`
    /// counts from 1.
    pub fn new(lang: Lang, label_key: &str, step_keys: &[&str], current: usize) -> Self {
        let steps = step_keys
            .iter()
            .enumerate()
            .map(|(i, k)| Step {
                number: i + 1,
                label: lang.t(k),
                state: match (i + 1).cmp(&current) {
                    std::cmp::Ordering::Less => StepState::Done,
                    std::cmp::Ordering::Equal => StepState::Current,
                    std::cmp::Ordering::Greater => StepState::Next,
                },
            })
            .collect();
        Self {
            label: lang.t(label_key),
            steps,
            index_text: lang.t_args(
                "steppers-index",
                &[
                    ("current", current.to_string()),
                    ("total", step_keys.len().to_string()),
                ],
            ),
            done_text: lang.t("steppers-done"),
        }
    }
}

/// One entry of the language switch.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl Layout {
    /// A frame in the current request's language; `title` is already text.
    pub fn new(title: impl Into<String>) -> Self {
        let ctx = crate::i18n::current();
        Self {
            title: title.into(),
            user: None,
            lang: ctx.lang,
            here: ctx.here,
            crumbs: None,
            errors: Vec::new(),
            title_status: None,
        }
    }

    /// The breadcrumbs: the pages between the home page and this one, as
    /// (key of the title, path), e.g. `&[(key("me-h1"), "/me")]`; `&[]`
    /// for a page right under the home page.
    pub fn crumbs(mut self, parents: &[(&str, &'static str)]) -> Self {
        let lang = self.lang;
        self.crumbs = Some(
            parents
                .iter()
                .map(|&(k, href)| Crumb {
                    label: lang.t(k),
                    href,
                })
                .collect(),
        );
        self
    }

    /// Adds a field to the error summary.
    pub fn field_error(mut self, field: &'static str, text: impl Into<String>) -> Self {
        self.errors.push(FieldProblem {
            field,
            text: text.into(),
        });
        self
    }

    /// The stylesheet's address, with its fingerprint (cached for a year).
    pub fn style_href(&self) -> String {
        crate::style_href()
    }

    /// A frame whose title is the text of `key`.
    pub fn keyed(key: &str) -> Self {
        let lang = Lang::current();
        Self::new(lang.t(key))
    }

    /// The text of `key` in this page's language.
    pub fn t(&self, key: &str) -> String {
        self.lang.t(key)
    }

    /// The language switch: every language, linking to this page.
    pub fn lang_links(&self) -> Vec<LangLink> {
        let sep = if self.here.contains('?') { '&' } else { '?' };
        Lang::ALL
            .iter()
            .map(|l| LangLink {
                code: l.code(),
                name: l.name(),
                href: format!("{}{sep}lang={}", self.here, l.code()),
                current: *l == self.lang,
            })
            .collect()
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
            ErrorCode::CsrfFailed,
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
    /// An identity provider is configured (`/login`).
    login: bool,
}

pub async fn index(State(s): State<AppState>, MaybeSession(session): MaybeSession) -> Response {
    IndexPage {
        layout: Layout::keyed("index-title").with_session(&session),
        demo: s.app.config().demo,
        login: s.app.has_identity_provider(),
    }
    .into_response()
}

// ---- operator: short code and level 1 --------------------------------
//
// Token hygiene (SPEC §12): the token reaches the server once, in the QR's
// address (`GET /v/{token}`) or in the body of the code form (`POST /v`),
// and is answered at once with a 303 to `/v/check/{handle}`. Every later
// address, link and form carries the handle, which stands for the
// attestation 15 minutes; the token is derived again from it when needed.

/// The code field of `/v`, of every level-1 result ("next QR") and of the
/// scan-again page (`templates/code_form.html`): it takes what a scanner
/// types (counter mode), is focused on arrival, and posts to `/v`.
#[derive(Debug, Clone)]
pub struct CodeField {
    /// The key of the label.
    pub label: &'static str,
    pub value: String,
    pub error: Option<String>,
    /// Ids of more text the field is described by (` id`), read with it.
    pub described_by: &'static str,
}

impl CodeField {
    fn new(label: &'static str) -> Self {
        Self {
            label,
            value: String::new(),
            error: None,
            described_by: "",
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "check.html")]
struct CheckPage {
    layout: Layout,
    code_field: CodeField,
}

fn check_layout(session: &Option<attesta_app::Session>) -> Layout {
    Layout::keyed("check-title")
        .crumbs(&[])
        .with_session(session)
}

/// `GET /v`: the code field, focused. (A `?code=` of an old bookmark is
/// not read: the code form is a POST, so no code stays in an address.)
pub async fn check_form(MaybeSession(session): MaybeSession) -> Response {
    CheckPage {
        layout: check_layout(&session),
        code_field: CodeField::new(key("check-code")),
    }
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /v`: a short code, a token or a whole scanned URL (counter mode,
/// [`Token::from_scan`]) → 303 to the check of that QR; anything else → the
/// form again with what to fix.
pub async fn check_submit(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let lang = Lang::current();
    let again = |value: String, error: String, e: &AppError| {
        let page = CheckPage {
            layout: check_layout(&session).field_error("code", error.clone()),
            code_field: CodeField {
                value,
                error: Some(error),
                ..CodeField::new(key("check-code"))
            },
        };
        crate::error::form_again(e, page)
    };
    if f.code.trim().is_empty() {
        let e = AppError::new(ErrorCode::InvalidRequest, "The code is empty.");
        return Ok(again(String::new(), lang.t("check-empty"), &e));
    }
    let Some(token) = Token::from_scan(&f.code) else {
        // Kept as typed: a mistyped manual code is fixed in place.
        let e = AppError::new(ErrorCode::InvalidRequest, "The code is not valid.");
        return Ok(again(f.code, lang.t("check-invalid"), &e));
    };
    match s.app.open_check(&token.encode()).await {
        Ok(handle) => Ok(Redirect::to(&format!("/v/check/{handle}")).into_response()),
        // A well-formed code of no usable QR: the field is emptied, so the
        // next scan does not land after the old one.
        Err(e) if matches!(e.code, ErrorCode::UnknownToken | ErrorCode::RevokedToken) => {
            let text = crate::error::error_text(&e, lang);
            Ok(again(String::new(), text, &e))
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `GET /v/{token}` (and `/V/{TOKEN}`, the QR's upper-case form): opens a
/// check and answers 303 to its handle's page.
pub async fn open_check(State(s): State<AppState>, Path(token): Path<String>) -> PageResult {
    let handle = s.app.open_check(&token).await?;
    Ok(Redirect::to(&format!("/v/check/{handle}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "check_expired.html")]
struct CheckExpiredPage {
    layout: Layout,
    code_field: CodeField,
}

/// What a page of an expired (or unknown) handle answers: scan again, with
/// the code field focused. 410: the check existed and is over.
pub(crate) fn check_expired(session: &Option<attesta_app::Session>) -> Response {
    let page = CheckExpiredPage {
        layout: Layout::keyed("expired-title")
            .crumbs(&[(key("check-title"), "/v")])
            .with_session(session),
        code_field: CodeField::new(key("check-code")),
    };
    let mut r = no_store(page.into_response());
    *r.status_mut() = axum::http::StatusCode::GONE;
    r
}

/// The token of an open check, or the scan-again page.
pub(crate) async fn token_of(
    s: &AppState,
    handle: &str,
    session: &Option<attesta_app::Session>,
) -> Result<Result<String, Response>, PageError> {
    Ok(s.app
        .check_token(handle)
        .await?
        .ok_or_else(|| check_expired(session)))
}

#[derive(Template, WebTemplate)]
#[template(path = "verify.html")]
struct VerifyPage {
    layout: Layout,
    handle: String,
    fiscal_code: String,
    error: Option<String>,
}

fn verify_page(handle: &str, fiscal_code: String, error: Option<String>) -> VerifyPage {
    let mut layout = Layout::keyed("verify-title").crumbs(&[(key("check-title"), "/v")]);
    if let Some(e) = &error {
        layout = layout.field_error("fiscal_code", e.clone());
    }
    VerifyPage {
        layout,
        handle: handle.to_owned(),
        fiscal_code,
        error,
    }
}

async fn checkable(s: &AppState, token: &str) -> Result<(), PageError> {
    match s.app.read_token(token).await? {
        TokenState::Active => Ok(()),
        TokenState::Revoked => Err(PageError(AppError::revoked_token())),
        TokenState::Unknown => Err(PageError(AppError::unknown_token())),
    }
}

/// `GET /v/check/{handle}`: the codice fiscale form (the QR may have been
/// revoked since the check was opened: then that page).
pub async fn verify_form(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(handle): Path<String>,
) -> PageResult {
    let token = match token_of(&s, &handle, &session).await? {
        Ok(t) => t,
        Err(expired) => return Ok(expired),
    };
    checkable(&s, &token).await?;
    Ok(no_store(
        verify_page(&handle, String::new(), None).into_response(),
    ))
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
    handle: String,
    fiscal_code: String,
    /// The operator's CSRF token when an operator is logged in (level 2).
    operator_csrf: Option<String>,
    demo: bool,
    login: bool,
    /// The next QR's code field, focused (counter mode).
    code_field: CodeField,
}

/// `POST /v/check/{handle}`: the level-1 result, or the form again.
pub async fn verify_submit(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(handle): Path<String>,
    Form(form): Form<VerifyForm>,
) -> PageResult {
    let token = match token_of(&s, &handle, &session).await? {
        Ok(t) => t,
        Err(expired) => return Ok(expired),
    };
    match s.app.verify_level1(&token, &form.fiscal_code).await {
        Ok(view) => {
            let lang = Lang::current();
            let checked_at = crate::format_italian_datetime(view.checked_at);
            let operator_csrf = session
                .as_ref()
                .filter(|s| s.role == Role::Operator)
                .map(|s| s.csrf_token.clone());
            // The outcome leads the title, which a screen reader reads
            // first when the page loads (see result.html for the rest).
            let outcome = if view.qualifies {
                format!("✓ {}", lang.t("result-yes-short"))
            } else {
                format!("✗ {}", lang.t("result-no-short"))
            };
            let mut layout = Layout::keyed("result-h1")
                .crumbs(&[(key("check-title"), "/v")])
                .with_session(&session);
            layout.title_status = Some(outcome);
            let r = ResultPage {
                layout,
                view,
                checked_at,
                handle,
                fiscal_code: form.fiscal_code.trim().to_ascii_uppercase(),
                operator_csrf,
                demo: s.app.config().demo,
                login: s.app.has_identity_provider(),
                code_field: CodeField {
                    described_by: " outcome-text",
                    ..CodeField::new(key("next-code"))
                },
            }
            .into_response();
            Ok(no_store(r))
        }
        // Wrong or badly typed codes go back to the form, with the reason
        // and the number of attempts left, keeping what was typed.
        Err(e)
            if matches!(
                e.code,
                ErrorCode::InvalidFiscalCode | ErrorCode::FiscalCodeMismatch
            ) =>
        {
            let lang = Lang::current();
            let mut message = crate::error::fiscal_code_field_text(&e, &form.fiscal_code, lang);
            if e.code == ErrorCode::InvalidFiscalCode {
                // The operator reads it off the holder's health card.
                message = format!("{message} {}", lang.t("verify-error"));
            }
            Ok(crate::error::form_again(
                &e,
                verify_page(&handle, form.fiscal_code, Some(message)),
            ))
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
        layout: Layout::keyed("demo-title")
            .crumbs(&[])
            .with_session(&session),
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

pub async fn demo_login(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    Form(f): Form<DemoLoginForm>,
) -> PageResult {
    let login = attesta_app::DemoLogin::parse(
        Some(&f.fiscal_code),
        Some(&f.role),
        f.organisation.as_deref(),
        f.name.as_deref(),
    )?;
    crate::end_previous_session(&s, &headers).await?;
    let (cookie, session) = s.app.demo_login(login).await?;
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
    if let (Some(session), Some(cookie)) = (session, session_cookie(&headers, &s)) {
        csrf_ok(&session, &f.csrf)?;
        s.app.logout(&cookie).await?;
    }
    let mut r = Redirect::to("/").into_response();
    r.headers_mut()
        .insert(header::SET_COOKIE, crate::expired_session_cookie_header(&s));
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
    attestation: Option<AttestationBlock>,
    checks: Vec<CheckLine>,
    notice: Option<String>,
    problem: Option<String>,
    /// Set when a delegate is acting for this holder: who the holder is.
    acting_for: Option<String>,
    represented: Vec<attesta_app::RepresentedView>,
    delegates: Vec<DelegateLine>,
    /// The "add a delegate" form: what was typed and what is wrong with it.
    delegate_form: DelegateFormState,
    activity: Vec<ActivityLine>,
    /// The link to the messages, with how many are unread.
    messages_link: String,
    /// The proactive consent (SPEC §11): e-mail and SMS alerts when a
    /// verbale is issued.
    proactive: bool,
    /// What to do next and by when (SPEC §11), soonest first.
    notices: Vec<NoticeLine>,
}

/// One notice in words, with the page it leads to.
struct NoticeLine {
    text: String,
    href: Option<String>,
}

/// A notice as a sentence in `lang`, and where to act on it.
fn notice_line(n: &attesta_domain::journey::Notice, lang: Lang) -> NoticeLine {
    use attesta_domain::journey::NoticeKind as K;
    let date = n
        .due
        .or(n.on)
        .map(crate::journey_citizen::date_text)
        .unwrap_or_default();
    let (key, href) = match n.kind {
        K::CertificateExpiring => (
            "notice-certificate-expiring",
            Some("/me/applications".to_owned()),
        ),
        K::HomeVisitDeadline => (
            "notice-home-visit-deadline",
            Some("/me/applications".to_owned()),
        ),
        K::VisitUpcoming => ("notice-visit-upcoming", Some("/me/applications".to_owned())),
        K::DocumentsRequested => (
            "notice-documents-requested",
            Some("/me/applications".to_owned()),
        ),
        K::AppealDeadline => (
            "notice-appeal-deadline",
            n.reference
                .as_deref()
                .map(crate::journey_citizen::verbale_href),
        ),
        K::RevisionDue => ("notice-revision-due", None),
        K::CardExpiring => ("notice-card-expiring", Some("/me/card".to_owned())),
        K::VerbaleIssued => (
            "notice-verbale-issued",
            n.reference
                .as_deref()
                .map(crate::journey_citizen::verbale_href),
        ),
        K::MessageUnread => ("notice-message-unread", Some("/me/messages".to_owned())),
    };
    let text = match n.count {
        // Fluent chooses "one" or "other" on a number only.
        Some(count) => lang
            .try_t_num(key, &[("count", i64::from(count))])
            .unwrap_or_else(|| lang.t(key)),
        None => lang.t_args(key, &[("date", date)]),
    };
    NoticeLine { text, href }
}

#[derive(Debug, Default)]
struct DelegateFormState {
    value: String,
    error: Option<String>,
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
    outcome: String,
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
    action: String,
    by: String,
}

fn outcome_text(outcome: CheckOutcome, lang: Lang) -> String {
    lang.t(match outcome {
        CheckOutcome::Qualifies => key("outcome-qualifies"),
        CheckOutcome::DoesNotQualify => key("outcome-does-not-qualify"),
        CheckOutcome::FiscalCodeMismatch => key("outcome-fiscal-code-mismatch"),
        CheckOutcome::Locked => key("outcome-locked"),
        CheckOutcome::OtpSent => key("outcome-otp-sent"),
        CheckOutcome::OtpFailed => key("outcome-otp-failed"),
        CheckOutcome::Level2Viewed => key("outcome-level2-viewed"),
        CheckOutcome::RevokedQr => key("outcome-revoked-qr"),
    })
}

fn action_text(action: Activity, lang: Lang) -> String {
    lang.t(match action {
        Activity::PrivacyNoticeAccepted => key("action-privacy-notice-accepted"),
        Activity::AttestationGenerated => key("action-attestation-generated"),
        Activity::AttestationRevoked => key("action-attestation-revoked"),
        Activity::AttestationEmailed => key("action-attestation-emailed"),
        Activity::DelegateAdded => key("action-delegate-added"),
        Activity::DelegateRemoved => key("action-delegate-removed"),
        Activity::CardApplied => key("action-card-applied"),
        Activity::CardIssued => key("action-card-issued"),
        Activity::CardRejected => key("action-card-rejected"),
        Activity::CardRevoked => key("action-card-revoked"),
        Activity::CardEmailed => key("action-card-emailed"),
        Activity::ApplicationFiled => key("action-application-filed"),
        Activity::RescheduleRequested => key("action-reschedule-requested"),
        Activity::DocumentSent => key("action-document-sent"),
        Activity::ProactiveConsentGiven => key("action-proactive-consent-given"),
        Activity::ProactiveConsentWithdrawn => key("action-proactive-consent-withdrawn"),
        Activity::WalletCredentialIssued => key("action-wallet-credential-issued"),
        Activity::WalletProofRefused => key("action-wallet-proof-refused"),
    })
}

/// The logged-in citizen's session, or the login-required page.
fn logged_in(session: Option<attesta_app::Session>) -> Result<attesta_app::Session, PageError> {
    session.ok_or_else(|| PageError(AppError::login_required()))
}

/// The session and the actor (the citizen, or whom a delegate acts for);
/// `App::actor` refuses an operator's session with `citizen_only`.
pub(crate) async fn citizen(
    s: &AppState,
    session: Option<attesta_app::Session>,
) -> Result<(attesta_app::Session, attesta_app::Actor), PageError> {
    let session = logged_in(session)?;
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
    PageQuery(q): PageQuery<NoticeQuery>,
) -> PageResult {
    let layout = Layout::keyed("me-h1").crumbs(&[]).with_session(&session);
    let (session, actor) = citizen(&s, session).await?;
    let (notice, problem) = notice_keys(q.done.as_deref());
    let page = render_me(
        &s,
        layout,
        &session,
        &actor,
        (notice, problem),
        DelegateFormState::default(),
    )
    .await?;
    Ok(page.into_response())
}

/// The citizen's area, with a notice or problem after a form action and the
/// state of the delegate form.
async fn render_me(
    s: &AppState,
    layout: Layout,
    session: &attesta_app::Session,
    actor: &attesta_app::Actor,
    (notice, problem): (Option<&'static str>, Option<&'static str>),
    delegate_form: DelegateFormState,
) -> Result<MePage, PageError> {
    let lang = layout.lang;
    let me = s.app.me(actor).await?;
    let attestation = match s.app.current_attestation(actor).await {
        Ok(v) => Some(AttestationBlock {
            qr_svg: page_qr(&v, &me.record.person.full_name(), lang)?,
            created: crate::format_italian_datetime(v.created_at),
            url: v.url,
            short_code: v.short_code,
        }),
        Err(e) if e.code == ErrorCode::NoAttestation => None,
        Err(e) => return Err(PageError(e)),
    };
    let checks = s
        .app
        .verifications(actor)
        .await?
        .into_iter()
        .map(|c| CheckLine {
            at: crate::format_italian_datetime(c.at),
            level: c.level,
            outcome: outcome_text(c.outcome, lang),
            who: match (c.operator, c.organisation) {
                (Some(o), Some(org)) => format!("{o} ({org})"),
                (Some(o), None) => o,
                (None, Some(org)) => org,
                (None, None) => lang.t("me-anonymous-operator"),
            },
        })
        .collect();
    let delegates = s
        .app
        .delegates(actor)
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
        .activity(actor)
        .await?
        .into_iter()
        .map(|a| ActivityLine {
            at: crate::format_italian_datetime(a.at),
            action: action_text(a.action, lang),
            by: if a.by_delegate {
                format!("{} ({})", a.by, lang.t("me-by-delegate"))
            } else {
                a.by
            },
        })
        .collect();
    let represented = if actor.is_delegate() {
        Vec::new()
    } else {
        s.app.represented(session).await?
    };
    let unread = s.app.unread_messages(actor).await?;
    let notices = s
        .app
        .my_notices(actor)
        .await?
        .iter()
        .map(|n| notice_line(n, lang))
        .collect();
    let messages_link = if unread > 0 {
        format!(
            "{} ({unread} {})",
            lang.t("messages-link"),
            lang.t("messages-unread-count")
        )
    } else {
        lang.t("messages-link")
    };
    let proactive = s.app.proactive_consent(actor).await?;
    let p = &me.record.person;
    Ok(MePage {
        layout,
        csrf: session.csrf_token.clone(),
        name: p.full_name(),
        email: p.email.clone(),
        mobile: p.mobile.as_ref().map(|m| m.as_str().to_owned()),
        privacy_accepted: me.record.privacy_accepted_at.is_some(),
        qualifies: me.qualifies,
        attestation,
        checks,
        notice: notice.map(|k| lang.t(k)),
        problem: problem.map(|k| lang.t(k)),
        acting_for: me.acting_as_delegate.then(|| p.full_name()),
        represented,
        delegates,
        delegate_form,
        activity,
        messages_link,
        proactive,
        notices,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "show_qr.html")]
struct ShowQrPage {
    layout: Layout,
    name: String,
    qr_svg: String,
    short_code: String,
}

/// The attestation's QR as SVG, its text alternative (holder and manual
/// code) in the page's language.
fn page_qr(
    v: &attesta_app::AttestationView,
    holder: &str,
    lang: Lang,
) -> Result<String, PageError> {
    let label = format!(
        "{} {holder}. {}: {}",
        lang.t("showqr-alt"),
        lang.t("me-manual-code"),
        v.short_code
    );
    attesta_credential::try_qr_svg_labelled(&v.url, &label)
        .map_err(|e| PageError(AppError::internal(&e)))
}

/// `GET /me/qr`: the QR alone, black on white and as large as the phone's
/// screen allows, with the manual code, to show at a counter.
pub async fn me_show_qr(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
) -> PageResult {
    let layout = Layout::keyed("showqr-h1").with_session(&session);
    let (_, actor) = citizen(&s, session).await?;
    let v = s.app.current_attestation(&actor).await?;
    let me = s.app.me(&actor).await?;
    let name = me.record.person.full_name();
    let qr_svg = page_qr(&v, &name, layout.lang)?;
    let r = ShowQrPage {
        layout,
        name,
        qr_svg,
        short_code: v.short_code,
    }
    .into_response();
    Ok(no_store(r))
}

/// The keys of the notice and the problem to show after a form action.
fn notice_keys(done: Option<&str>) -> (Option<&'static str>, Option<&'static str>) {
    match done {
        Some("generated") => (Some(key("done-generated")), None),
        Some("generated_no_email") => (Some(key("done-generated-no-email")), None),
        Some("generated_email_failed") => (
            Some(key("done-generated-email-failed")),
            Some(key("problem-generated-email-failed")),
        ),
        Some("emailed") => (Some(key("done-emailed")), None),
        Some("email_failed") => (None, Some(key("problem-email-failed"))),
        Some("revoked") => (Some(key("done-revoked")), None),
        Some("privacy") => (Some(key("done-privacy")), None),
        Some("delegate_added") => (Some(key("done-delegate-added")), None),
        Some("delegate_removed") => (Some(key("done-delegate-removed")), None),
        Some("consents") => (Some(key("done-consents")), None),
        _ => (None, None),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "new_request.html")]
struct NewRequestPage {
    layout: Layout,
    csrf: String,
    step: u8,
    stepper: Stepper,
    qualifies: bool,
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
    let layout = Layout::keyed("new-title")
        .crumbs(&[(key("me-h1"), "/me")])
        .with_session(&session);
    let (session, actor) = citizen(&s, session).await?;
    let me = s.app.me(&actor).await?;
    let p = &me.record.person;
    let step = if q.step == Some(2) { 2 } else { 1 };
    Ok(NewRequestPage {
        stepper: Stepper::new(
            layout.lang,
            "new-steps",
            &[key("new-step-1"), key("new-step-2")],
            usize::from(step),
        ),
        layout,
        csrf: session.csrf_token.clone(),
        step,
        qualifies: me.qualifies,
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
        Ok(generated_notice(view.email))
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

/// The `/me` notice after a new attestation, by what happened to its e-mail.
fn generated_notice(email: attesta_app::EmailOutcome) -> &'static str {
    match email {
        attesta_app::EmailOutcome::Failed => "generated_email_failed",
        attesta_app::EmailOutcome::NoAddress => "generated_no_email",
        _ => "generated",
    }
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

#[derive(Debug, Deserialize)]
pub struct ConsentsForm {
    csrf: String,
    /// A checkbox: present ("on") when ticked.
    proactive: Option<String>,
}

/// `POST /me/consents`: the proactive alerts on or off (SPEC §11).
pub async fn me_consents(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<ConsentsForm>,
) -> PageResult {
    let on = f.proactive.is_some();
    me_action(&s, session, &f.csrf, move |app, actor| async move {
        app.set_consents(&actor, on).await?;
        Ok("consents")
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
        Ok(generated_notice(view.email))
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
            Err(e) if e.code == ErrorCode::EmailUnavailable => Ok("email_failed"),
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
    let layout = Layout::keyed("me-h1").crumbs(&[]).with_session(&session);
    let (session, actor) = citizen(&s, session).await?;
    csrf_ok(&session, &f.csrf)?;
    let added = match attesta_app::delegate_from_form(&f.fiscal_code) {
        Ok(delegate) => s.app.add_delegate(&actor, &delegate).await,
        Err(e) => Err(e),
    };
    match added {
        Ok(_) => Ok(Redirect::to("/me?done=delegate_added").into_response()),
        // A mistake in the field: the page again, the error tied to the
        // field and what was typed kept.
        Err(e) if e.status() == 422 => {
            let lang = layout.lang;
            let error = crate::error::fiscal_code_field_text(&e, &f.fiscal_code, lang);
            let layout = layout.field_error("delegate_cf", error.clone());
            let form = DelegateFormState {
                value: f.fiscal_code,
                error: Some(error),
            };
            let page = render_me(&s, layout, &session, &actor, (None, None), form).await?;
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
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
    // `set_acting_for` refuses an operator's session.
    let session = logged_in(session)?;
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
        ErrorCode::PageNotFound,
        "This page does not exist.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stepper_marks_the_steps_before_the_current_one_done() {
        let keys = [key("new-step-1"), key("new-step-2"), key("new-title")];
        let s = Stepper::new(Lang::En, "new-steps", &keys, 2);
        let classes: Vec<_> = s.steps.iter().map(Step::class).collect();
        assert_eq!(classes, ["confirmed", "active", ""]);
        assert_eq!(
            s.steps.iter().filter(|s| s.is_current()).count(),
            1,
            "one current step"
        );
        assert!(s.steps[0].is_done() && !s.steps[2].is_done());
        assert_eq!(s.steps[2].number, 3);
        assert_eq!(s.steps[1].label, "Accept the privacy notice and confirm");
        assert_eq!(s.index_text, "Step 2 of 3");
        assert_eq!(
            Stepper::new(Lang::It, "new-steps", &keys, 1).index_text,
            "Passo 1 di 3"
        );
    }

    /// Keys chosen by a `match` are checked here too, by resolving them.
    #[test]
    fn computed_keys_exist() {
        let outcomes = CheckOutcome::ALL;
        let actions = Activity::ALL;
        let done = [
            "generated",
            "generated_no_email",
            "generated_email_failed",
            "emailed",
            "email_failed",
            "revoked",
            "privacy",
            "delegate_added",
            "delegate_removed",
        ];
        for lang in Lang::ALL {
            for d in done {
                let (n, p) = notice_keys(Some(d));
                assert!(n.is_some() || p.is_some(), "{d}");
                for key in n.into_iter().chain(p) {
                    assert!(!lang.t(key).contains("Unknown"), "{key}");
                }
            }
            for o in outcomes {
                assert!(!outcome_text(o, lang).contains("Unknown"), "{o:?}");
            }
            for a in actions {
                assert!(!action_text(a, lang).contains("Unknown"), "{a:?}");
            }
        }
    }
}
