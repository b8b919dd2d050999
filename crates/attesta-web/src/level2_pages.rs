//! The level-2 pages: from the level-1 result, "ask for the detail" → code
//! sent to the holder's mobile → code form → the detail. No JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::ErrorCode;
use attesta_app::{AppError, Level2Detail, Level2View, Role, Session};
use attesta_domain::VerbaleKind;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::MaybeSession;
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::{Layout, csrf_ok};

type PageResult = Result<Response, PageError>;

fn operator(session: Option<Session>) -> Result<Session, PageError> {
    match session {
        Some(s) if s.role == Role::Operator => Ok(s),
        _ => Err(PageError(AppError::new(
            ErrorCode::LoginRequired,
            Lang::current().t("l2-login-required"),
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "otp.html")]
struct OtpPage {
    layout: Layout,
    csrf: String,
    /// The open check's handle (SPEC §12): "send a new code" goes through it.
    handle: String,
    fiscal_code: String,
    otp_request_id: Option<String>,
    sent_to: Option<String>,
    expires: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct AskForm {
    csrf: String,
    fiscal_code: String,
}

/// "Ask for the detail" (`POST /v/check/{handle}/level2`): sends the code.
pub async fn ask(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(handle): Path<String>,
    Form(f): Form<AskForm>,
) -> PageResult {
    let session = operator(session)?;
    csrf_ok(&session, &f.csrf)?;
    let token = match crate::pages::token_of(&s, &handle, &Some(session.clone())).await? {
        Ok(t) => t,
        Err(expired) => return Ok(expired),
    };
    let sent = s
        .app
        .request_otp(Some(&session), &token, &f.fiscal_code)
        .await?;
    Ok(no_store(
        OtpPage {
            layout: Layout::keyed("otp-sent-title")
                .crumbs(&[(key("check-title"), "/v")])
                .with_session(&Some(session.clone())),
            csrf: session.csrf_token,
            handle,
            fiscal_code: f.fiscal_code,
            otp_request_id: Some(sent.otp_request_id),
            sent_to: Some(sent.sent_to),
            expires: Some(crate::format_italian_time(sent.expires_at)),
            error: None,
        }
        .into_response(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    csrf: String,
    handle: String,
    fiscal_code: String,
    otp_request_id: String,
    otp: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "level2.html")]
struct Level2Page {
    layout: Layout,
    view: Level2View,
    checked_at: String,
    rows: Rows,
    sources: Rows,
    judgements: Vec<String>,
}

/// The code the holder read out → the detail, or the form again.
pub async fn confirm(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<CodeForm>,
) -> PageResult {
    let session = operator(session)?;
    csrf_ok(&session, &f.csrf)?;
    match s
        .app
        .verify_level2(Some(&session), &f.otp_request_id, &f.otp)
        .await
    {
        Ok(view) => {
            let (rows, sources, judgements) = describe(&view.detail, Lang::current());
            Ok(no_store(
                Level2Page {
                    layout: Layout::keyed("l2-title")
                        .crumbs(&[(key("check-title"), "/v")])
                        .with_session(&Some(session)),
                    checked_at: crate::format_italian_datetime(view.level1.checked_at),
                    view,
                    rows,
                    sources,
                    judgements,
                }
                .into_response(),
            ))
        }
        Err(e)
            if e.status() != 500
                && e.code != ErrorCode::LoginRequired
                && e.code != ErrorCode::RevokedToken =>
        {
            // Back to the code form with the reason; a spent code leaves
            // only "send a new code".
            let spent = e.status() == 410 || e.code == ErrorCode::UnknownOtpRequest;
            let error = crate::error::error_text(&e, Lang::current());
            let mut layout = Layout::keyed("otp-title")
                .crumbs(&[(key("check-title"), "/v")])
                .with_session(&Some(session.clone()));
            if !spent {
                // The code field is on the page: the summary links to it.
                layout = layout.field_error("otp", error.clone());
            }
            let page = OtpPage {
                layout,
                csrf: session.csrf_token,
                handle: f.handle,
                fiscal_code: f.fiscal_code,
                otp_request_id: (!spent).then_some(f.otp_request_id),
                sent_to: None,
                expires: None,
                error: Some(error),
            };
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
}

fn yes_no(v: Option<bool>, lang: Lang) -> String {
    match v {
        Some(true) => lang.t("yes"),
        Some(false) => lang.t("no"),
        None => lang.t("l2-not-assessed"),
    }
}

/// Label and value, as a row of a table.
pub(crate) type Rows = Vec<(String, String)>;

/// The detail as label/value rows in the order an operator reads them, the
/// source verbale of each finding, and the judgements (each once).
fn describe(d: &Level2Detail, lang: Lang) -> (Rows, Rows, Vec<String>) {
    use attesta_domain::Group;
    let t = |key: &str| lang.t(key);
    let rows = findings_rows(&d.status.findings, d.revision_overdue, lang);
    let mut sources = Vec::new();
    let mut judgements: Vec<String> = Vec::new();
    let names = [
        (Group::Invalidity, key("l2-src-invalidity")),
        (Group::Accompaniment, key("l2-src-accompaniment")),
        (Group::Blindness, key("l2-src-blindness")),
        (Group::Deafness, key("l2-src-deafness")),
        (Group::Handicap, key("l2-src-handicap")),
        (Group::Law68Disability, key("l2-src-law68")),
        (Group::Dl52012Art4, key("l2-src-dl5")),
        (Group::Revision, key("l2-revision")),
    ];
    for (group, label) in names {
        if let Some(src) = d.status.sources.get(&group) {
            sources.push((
                t(label),
                format!(
                    "{} — {}",
                    kind_text(src.verbale_kind, lang),
                    attesta_domain::format_date(src.session_date)
                ),
            ));
            if let Some(j) = &src.judgement
                && !judgements.iter().any(|x| x == j)
            {
                judgements.push(j.clone());
            }
        }
    }
    (rows, sources, judgements)
}

/// The findings as label/value rows, in the order an operator (or the
/// holder, on their own verbale) reads them.
pub(crate) fn findings_rows(
    f: &attesta_domain::Findings,
    revision_overdue: bool,
    lang: Lang,
) -> Rows {
    use attesta_domain::{Blindness, Handicap, Revision};
    let t = |key: &str| lang.t(key);
    let mut rows = Vec::new();
    let code = match f.invalidity {
        Some(i) => {
            let (it, en) = i.code.text();
            let text = if lang == Lang::En { en } else { it };
            format!("{} — {text}", i.code.as_string())
        }
        None => t("l2-not-assessed-f"),
    };
    rows.push((t("l2-judgement-code"), code));
    rows.push((
        t("l2-percentage"),
        f.invalidity
            .and_then(|i| i.percentage)
            .map_or("—".into(), |p| format!("{p}%")),
    ));
    rows.push((
        t("l2-handicap"),
        match f.handicap.map(|h| h.handicap) {
            Some(Handicap::Art3C3) => t("l2-handicap-severe"),
            Some(Handicap::Art3C1) => t("l2-handicap-not-severe"),
            Some(Handicap::None) => t("l2-not-recognised"),
            None => t("l2-not-assessed"),
        },
    ));
    rows.push((t("l2-art21"), yes_no(f.handicap.map(|h| h.art21), lang)));
    rows.push((t("l2-accompaniment"), yes_no(f.accompaniment, lang)));
    rows.push((
        t("l2-blindness"),
        match f.blindness {
            Some(Blindness::Absolute) => t("l2-blindness-absolute"),
            Some(Blindness::Partial) => t("l2-blindness-partial"),
            Some(Blindness::None) => t("no"),
            None => t("l2-not-assessed-f"),
        },
    ));
    rows.push((t("l2-deafness"), yes_no(f.deafness, lang)));
    rows.push((t("l2-law68"), yes_no(f.law68_disability, lang)));
    rows.push((t("l2-dl5"), yes_no(f.dl5_2012_art4, lang)));
    rows.push((
        t("l2-revision"),
        match f.revision {
            Some(Revision::Due(due)) => {
                let overdue = if revision_overdue {
                    format!(" — {}", t("l2-revision-overdue"))
                } else {
                    String::new()
                };
                format!("{} {due}{overdue}", t("l2-revision-due"))
            }
            Some(Revision::Exempt) => t("l2-revision-exempt"),
            Some(Revision::None) => t("l2-revision-none"),
            None => t("l2-not-assessed-f"),
        },
    ));
    rows
}

pub(crate) fn kind_text(kind: VerbaleKind, lang: Lang) -> String {
    lang.t(match kind {
        VerbaleKind::FirstInstance => key("kind-first-instance"),
        VerbaleKind::Aggravation => key("kind-aggravation"),
        VerbaleKind::Revision => key("kind-revision"),
        VerbaleKind::ExtraordinaryCheck => key("kind-extraordinary-check"),
        VerbaleKind::SelfCorrection => key("kind-self-correction"),
        VerbaleKind::BasicAssessment => key("kind-basic-assessment"),
    })
}
