//! The level-2 pages: from the level-1 result, "ask for the detail" → code
//! sent to the holder's mobile → code form → the detail. No JavaScript.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::{AppError, Level2View, Role, Session};
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::Value;

use crate::AppState;
use crate::error::PageError;
use crate::extract::MaybeSession;
use crate::i18n::Lang;
use crate::pages::{Layout, csrf_ok};

type PageResult = Result<Response, PageError>;

fn operator(session: Option<Session>) -> Result<Session, PageError> {
    match session {
        Some(s) if s.role == Role::Operator => Ok(s),
        _ => Err(PageError(AppError::new(
            401,
            "login_required",
            Lang::current().t("l2-login-required"),
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "otp.html")]
struct OtpPage {
    layout: Layout,
    csrf: String,
    token: String,
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

/// "Ask for the detail": sends the code.
pub async fn ask(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(token): Path<String>,
    Form(f): Form<AskForm>,
) -> PageResult {
    let session = operator(session)?;
    csrf_ok(&session, &f.csrf)?;
    let sent = s
        .app
        .request_otp(Some(&session), &token, &f.fiscal_code)
        .await?;
    Ok(no_store(
        OtpPage {
            layout: Layout::keyed("otp-sent-title").with_session(&Some(session.clone())),
            csrf: session.csrf_token,
            token,
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
    token: String,
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
                    layout: Layout::keyed("l2-title").with_session(&Some(session)),
                    checked_at: crate::format_italian_datetime(view.level1.checked_at),
                    view,
                    rows,
                    sources,
                    judgements,
                }
                .into_response(),
            ))
        }
        Err(e) if e.status != 500 && e.code != "login_required" && e.code != "revoked_token" => {
            // Back to the code form with the reason; a spent code leaves
            // only "send a new code".
            let spent = e.status == 410 || e.code == "unknown_otp_request";
            let mut r = OtpPage {
                layout: Layout::keyed("otp-title").with_session(&Some(session.clone())),
                csrf: session.csrf_token,
                token: f.token,
                fiscal_code: f.fiscal_code,
                otp_request_id: (!spent).then_some(f.otp_request_id),
                sent_to: None,
                expires: None,
                error: Some(crate::error::error_text(&e, Lang::current())),
            }
            .into_response();
            *r.status_mut() = StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST);
            Ok(no_store(r))
        }
        Err(e) => Err(PageError(e)),
    }
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn yes_no(v: &Value, lang: Lang) -> String {
    match v.as_bool() {
        Some(true) => lang.t("yes"),
        Some(false) => lang.t("no"),
        None => lang.t("l2-not-assessed"),
    }
}

/// Label and value, as a row of a table.
type Rows = Vec<(String, String)>;

/// The detail as label/value rows in the order an operator reads them, the
/// source verbale of each finding, and the judgements (each once).
fn describe(d: &Value, lang: Lang) -> (Rows, Rows, Vec<String>) {
    let t = |key: &str| lang.t(key);
    let mut rows = Vec::new();
    let code = match (
        d["invalidity_code"].as_str(),
        d["invalidity_code_text"].as_object(),
    ) {
        (Some(c), Some(text)) => {
            format!("{c} — {}", text[lang.code()].as_str().unwrap_or_default())
        }
        _ => t("l2-not-assessed-f"),
    };
    rows.push((t("l2-judgement-code"), code));
    rows.push((
        t("l2-percentage"),
        d["invalidity_percentage"]
            .as_u64()
            .map_or("—".into(), |p| format!("{p}%")),
    ));
    rows.push((
        t("l2-handicap"),
        match d["handicap"].as_str() {
            Some("art3_c3") => t("l2-handicap-severe"),
            Some("art3_c1") => t("l2-handicap-not-severe"),
            Some("none") => t("l2-not-recognised"),
            _ => t("l2-not-assessed"),
        },
    ));
    rows.push((t("l2-art21"), yes_no(&d["art21"], lang)));
    rows.push((t("l2-accompaniment"), yes_no(&d["accompaniment"], lang)));
    rows.push((
        t("l2-blindness"),
        match d["blindness"].as_str() {
            Some("absolute") => t("l2-blindness-absolute"),
            Some("partial") => t("l2-blindness-partial"),
            Some("none") => t("no"),
            _ => t("l2-not-assessed-f"),
        },
    ));
    rows.push((t("l2-deafness"), yes_no(&d["deafness"], lang)));
    rows.push((t("l2-law68"), yes_no(&d["law68_disability"], lang)));
    rows.push((t("l2-dl5"), yes_no(&d["dl5_2012_art4"], lang)));
    let revision = &d["revision"];
    rows.push((
        t("l2-revision"),
        if let Some(due) = revision["due"].as_str() {
            let overdue = if d["revision_overdue"].as_bool() == Some(true) {
                format!(" — {}", t("l2-revision-overdue"))
            } else {
                String::new()
            };
            format!("{} {due}{overdue}", t("l2-revision-due"))
        } else if revision["exempt"].as_bool() == Some(true) {
            t("l2-revision-exempt")
        } else if revision["none"].as_bool() == Some(true) {
            t("l2-revision-none")
        } else {
            t("l2-not-assessed-f")
        },
    ));
    let mut sources = Vec::new();
    let mut judgements: Vec<String> = Vec::new();
    let names = [
        ("invalidity", t("l2-src-invalidity")),
        ("accompaniment", t("l2-src-accompaniment")),
        ("blindness", t("l2-src-blindness")),
        ("deafness", t("l2-src-deafness")),
        ("handicap", t("l2-src-handicap")),
        ("law68_disability", t("l2-src-law68")),
        ("dl5_2012_art4", t("l2-src-dl5")),
        ("revision", t("l2-revision")),
    ];
    for (key, label) in names {
        if let Some(src) = d["sources"].get(key) {
            sources.push((
                label,
                format!(
                    "{} — {}",
                    kind_text(src["verbale_kind"].as_str().unwrap_or_default(), lang),
                    src["session_date"].as_str().unwrap_or_default()
                ),
            ));
            if let Some(j) = src["judgement"].as_str()
                && !judgements.iter().any(|x| x == j)
            {
                judgements.push(j.to_owned());
            }
        }
    }
    (rows, sources, judgements)
}

fn kind_text(kind: &str, lang: Lang) -> String {
    match kind {
        "first_instance" => lang.t("kind-first-instance"),
        "aggravation" => lang.t("kind-aggravation"),
        "revision" => lang.t("kind-revision"),
        "extraordinary_check" => lang.t("kind-extraordinary-check"),
        "self_correction" => lang.t("kind-self-correction"),
        _ => "Verbale".into(),
    }
}
