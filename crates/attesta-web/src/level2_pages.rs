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
use crate::pages::{Layout, csrf_ok};

type PageResult = Result<Response, PageError>;

fn operator(session: Option<Session>) -> Result<Session, PageError> {
    match session {
        Some(s) if s.role == Role::Operator => Ok(s),
        _ => Err(PageError(AppError::new(
            401,
            "login_required",
            "Per il secondo livello accedi con le tue credenziali di operatore (SPID, CIE o CNS), poi verifica di nuovo il QR. / Level 2 needs your own operator login: log in, then check the QR again.",
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
            layout: Layout::new("Codice inviato al titolare").with_session(&Some(session.clone())),
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
            let (rows, sources, judgements) = describe(&view.detail);
            Ok(no_store(
                Level2Page {
                    layout: Layout::new("Esito di secondo livello").with_session(&Some(session)),
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
                layout: Layout::new("Codice del titolare").with_session(&Some(session.clone())),
                csrf: session.csrf_token,
                token: f.token,
                fiscal_code: f.fiscal_code,
                otp_request_id: (!spent).then_some(f.otp_request_id),
                sent_to: None,
                expires: None,
                error: Some(e.message.clone()),
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

fn yes_no(v: &Value) -> String {
    match v.as_bool() {
        Some(true) => "Sì / Yes".into(),
        Some(false) => "No".into(),
        None => "Non valutato / Not assessed".into(),
    }
}

/// Label and value, as a row of a table.
type Rows = Vec<(&'static str, String)>;

/// The detail as label/value rows in the order an operator reads them, the
/// source verbale of each finding, and the judgements (each once).
fn describe(d: &Value) -> (Rows, Rows, Vec<String>) {
    let mut rows = Vec::new();
    let code = match (
        d["invalidity_code"].as_str(),
        d["invalidity_code_text"].as_object(),
    ) {
        (Some(c), Some(t)) => format!(
            "{c} — {} / {}",
            t["it"].as_str().unwrap_or_default(),
            t["en"].as_str().unwrap_or_default()
        ),
        _ => "Non valutata / Not assessed".into(),
    };
    rows.push(("Giudizio (codice) / Judgement (code)", code));
    rows.push((
        "Percentuale di invalidità / Invalidity percentage",
        d["invalidity_percentage"]
            .as_u64()
            .map_or("—".into(), |p| format!("{p}%")),
    ));
    rows.push((
        "Handicap (Legge 104/1992) / Handicap (Law 104/1992)",
        match d["handicap"].as_str() {
            Some("art3_c3") => "Grave, art. 3 c. 3 / Severe, art. 3 c. 3".into(),
            Some("art3_c1") => "Art. 3 c. 1 (senza gravità) / Art. 3 c. 1 (not severe)".into(),
            Some("none") => "Non riconosciuto / Not recognised".into(),
            _ => "Non valutato / Not assessed".into(),
        },
    ));
    rows.push((
        "Art. 21 (invalidità > 2/3) / Art. 21 (over 2/3)",
        yes_no(&d["art21"]),
    ));
    rows.push((
        "Indennità di accompagnamento / Accompaniment allowance",
        yes_no(&d["accompaniment"]),
    ));
    rows.push((
        "Cecità civile / Civil blindness",
        match d["blindness"].as_str() {
            Some("absolute") => "Assoluta / Absolute".into(),
            Some("partial") => "Parziale / Partial".into(),
            Some("none") => "No".into(),
            _ => "Non valutata / Not assessed".into(),
        },
    ));
    rows.push(("Sordità / Deafness", yes_no(&d["deafness"])));
    rows.push((
        "Disabilità Legge 68/1999 / Law 68/1999 disability",
        yes_no(&d["law68_disability"]),
    ));
    rows.push((
        "Requisiti art. 4 DL 5/2012 / Art. 4 DL 5/2012 requirements",
        yes_no(&d["dl5_2012_art4"]),
    ));
    let revision = &d["revision"];
    rows.push((
        "Revisione / Revision",
        if let Some(due) = revision["due"].as_str() {
            let overdue = if d["revision_overdue"].as_bool() == Some(true) {
                " — scaduta: i benefici continuano fino alla visita di revisione / overdue: benefits continue until the revision visit"
            } else {
                ""
            };
            format!("Prevista / Due {due}{overdue}")
        } else if revision["exempt"].as_bool() == Some(true) {
            "Esonero (DM 2 agosto 2007) / Exempt (DM 2 Aug 2007)".into()
        } else if revision["none"].as_bool() == Some(true) {
            "Nessuna revisione prevista / No revision planned".into()
        } else {
            "Non valutata / Not assessed".into()
        },
    ));
    let mut sources = Vec::new();
    let mut judgements: Vec<String> = Vec::new();
    let names = [
        ("invalidity", "Invalidità / Invalidity"),
        ("accompaniment", "Accompagnamento / Accompaniment"),
        ("blindness", "Cecità / Blindness"),
        ("deafness", "Sordità / Deafness"),
        ("handicap", "Handicap"),
        ("law68_disability", "Legge 68/1999 / Law 68/1999"),
        ("dl5_2012_art4", "Art. 4 DL 5/2012"),
        ("revision", "Revisione / Revision"),
    ];
    for (key, label) in names {
        if let Some(src) = d["sources"].get(key) {
            sources.push((
                label,
                format!(
                    "{} — {}",
                    kind_text(src["verbale_kind"].as_str().unwrap_or_default()),
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

fn kind_text(kind: &str) -> &'static str {
    match kind {
        "first_instance" => "Prima istanza / First instance",
        "aggravation" => "Aggravamento / Aggravation",
        "revision" => "Revisione / Revision",
        "extraordinary_check" => "Verifica straordinaria / Extraordinary check",
        "self_correction" => "Autotutela / Self-correction",
        _ => "Verbale",
    }
}
