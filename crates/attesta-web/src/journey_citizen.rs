//! The citizen's side of the application journey (SPEC §10.2): the JSON
//! API under `/api/v1/me/…` and the page `/me/applications`, the journey
//! as a timeline. A delegate acting for the holder works through the same
//! `Citizen` actor; the activity list says who did what.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::CertificateView;
use attesta_domain::journey::{
    ApplicationState, ApplicationView, CertificateStatus, DeadlineWhat, Phase, PhaseStatus,
    Procedure, Purpose,
};
use axum::Form;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::{Value, json};
use time::Date;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::extract::{ApiJson, Citizen, MaybeSession, PageQuery};
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::{Layout, citizen, csrf_ok};

type ApiResult<T> = Result<T, ApiError>;
type PageResult = Result<Response, PageError>;

// ---- API -------------------------------------------------------------------

/// `GET /api/v1/me/certificates`.
pub async fn api_certificates(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .my_certificates(&c.actor)
        .await?
        .iter()
        .map(CertificateView::to_json)
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `GET /api/v1/me/applications`: newest first.
pub async fn api_applications(State(s): State<AppState>, c: Citizen) -> ApiResult<Response> {
    let items: Vec<Value> = s
        .app
        .my_applications(&c.actor)
        .await?
        .iter()
        .map(ApplicationView::to_json)
        .collect();
    Ok(no_store(Json(items).into_response()))
}

/// `POST /api/v1/me/applications` `{"certificate_id"}`.
pub async fn api_apply(
    State(s): State<AppState>,
    c: Citizen,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let certificate_id = s.app.my_application_from_json(&body)?;
    let id = s
        .app
        .apply_from_certificate(&c.actor, &certificate_id)
        .await?;
    Ok(no_store(
        (StatusCode::CREATED, Json(json!({"application_id": id}))).into_response(),
    ))
}

/// `POST /api/v1/me/applications/{id}/reschedule` `{"reason"}`.
pub async fn api_reschedule(
    State(s): State<AppState>,
    c: Citizen,
    Path(application_id): Path<String>,
    ApiJson(body): ApiJson,
) -> ApiResult<Response> {
    let view = s
        .app
        .request_new_date(&c.actor, &application_id, &body)
        .await?;
    Ok(no_store(Json(view.to_json()).into_response()))
}

/// The OpenAPI description of these paths.
pub(crate) fn document(doc: &mut Value) {
    use crate::openapi::{ok_json, op};
    let date = || json!({"type": "string", "format": "date"});
    let purposes: Vec<&str> = Purpose::ALL.iter().map(|p| p.as_str()).collect();
    let procedures: Vec<&str> = Procedure::ALL.iter().map(|p| p.as_str()).collect();
    let statuses: Vec<&str> = CertificateStatus::ALL.iter().map(|p| p.as_str()).collect();
    let paths = &mut doc["paths"];
    paths["/api/v1/me/certificates"] = json!({"get": op(
        "The holder's doctor's certificates, newest issue first, with whether an application may still be made (apply_by on every ordinary certificate)",
        Some("session"), None,
        ("200", ok_json(json!({"type": "array", "items": {"type": "object",
            "required": ["certificate_id", "issued_on", "purposes", "procedure", "status"], "properties": {
            "certificate_id": {"type": "string"}, "issued_on": date(),
            "purposes": {"type": "array", "items": {"enum": purposes}},
            "procedure": {"enum": procedures}, "status": {"enum": statuses}, "apply_by": date()}}}))),
        &["401", "403"])});
    paths["/api/v1/me/applications"] = json!({
        "get": op("The holder's applications as the citizen sees them today, newest first", Some("session"), None,
            ("200", ok_json(json!({"type": "array", "items": {"$ref": "#/components/schemas/Application"}}))),
            &["401", "403"]),
        "post": op(
            "Apply (ordinary procedure) from one of the holder's usable certificates. 404 unknown_certificate (also another person's); 409 certificate_used, assessment_open; 422 certificate_expired, invalid_application",
            Some("session"),
            Some(json!({"type": "object", "required": ["certificate_id"], "additionalProperties": false,
                "properties": {"certificate_id": crate::openapi::external_id()}})),
            ("201", ok_json(json!({"type": "object", "required": ["application_id"], "properties": {"application_id": {"type": "string"}}}))),
            &["400", "401", "403", "404", "409", "422"])});
    let mut reschedule = op(
        "Reform: ask for a new visit date, before the visit time (else 409 invalid_transition). The reason may hold health data: it is stored, never logged. Answers the application",
        Some("session"),
        Some(
            json!({"type": "object", "required": ["reason"], "additionalProperties": false,
            "properties": {"reason": crate::openapi::text(1000)}}),
        ),
        (
            "200",
            ok_json(json!({"$ref": "#/components/schemas/Application"})),
        ),
        &["400", "401", "403", "404", "409", "422"],
    );
    reschedule["parameters"] = json!([{"name": "application_id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    paths["/api/v1/me/applications/{application_id}/reschedule"] = json!({"post": reschedule});
}

// ---- page ------------------------------------------------------------------

/// One phase of a timeline, in words.
struct PhaseLine {
    label: String,
    /// "done", "current", "to do", "skipped" in words.
    status: String,
    /// A symbol beside the words (never the only sign).
    symbol: &'static str,
    class: &'static str,
    current: bool,
    /// "on 03/11/2026" or "by 10/11/2026".
    when: Option<String>,
}

struct VisitLine {
    date: String,
    time: String,
    place: String,
    home: bool,
}

struct ApplicationBlock {
    id: String,
    heading: String,
    state: String,
    opened: String,
    phases: Vec<PhaseLine>,
    visit: Option<VisitLine>,
    next: Option<String>,
    overdue: bool,
    concluded: bool,
    verbale_id: Option<String>,
    /// The address of the holder's page of that verbale.
    verbale_href: Option<String>,
    /// The reform's request for a new date is possible.
    may_reschedule: bool,
    /// What was typed in the reason, and what is wrong with it.
    reason: String,
    reason_error: Option<String>,
    /// Documents may be sent (the application is open).
    may_send_documents: bool,
    /// The documents already sent for it, newest first.
    documents: Vec<DocumentLine>,
}

/// A document already sent, as listed under its application.
struct DocumentLine {
    file_name: String,
    sent: String,
    kind: &'static str,
}

struct CertificateBlock {
    id: String,
    issued: String,
    purposes: String,
    procedure: String,
    status: String,
    usable_ordinary: bool,
    apply_by: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "applications.html")]
struct ApplicationsPage {
    layout: Layout,
    csrf: String,
    acting_for: Option<String>,
    notice: Option<String>,
    problem: Option<String>,
    applications: Vec<ApplicationBlock>,
    certificates: Vec<CertificateBlock>,
}

pub(crate) fn date_text(d: Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

fn phase_key(p: Phase) -> &'static str {
    match p {
        Phase::Certificate => key("journey-phase-certificate"),
        Phase::Application => key("journey-phase-application"),
        Phase::Visit => key("journey-phase-visit"),
        Phase::CommissionVerbale => key("journey-phase-commission-verbale"),
        Phase::InpsValidation => key("journey-phase-inps-validation"),
        Phase::DefinitiveVerbale => key("journey-phase-definitive-verbale"),
        Phase::Convocation => key("journey-phase-convocation"),
        Phase::DisabilityCertificate => key("journey-phase-disability-certificate"),
    }
}

fn state_key(s: ApplicationState) -> &'static str {
    use ApplicationState as S;
    match s {
        S::Submitted => key("journey-state-submitted"),
        S::VisitScheduled => key("journey-state-visit-scheduled"),
        S::SecondSummons => key("journey-state-second-summons"),
        S::AwaitingInps => key("journey-state-awaiting-inps"),
        S::InpsVisit => key("journey-state-inps-visit"),
        S::Started => key("journey-state-started"),
        S::VisitToReschedule => key("journey-state-visit-to-reschedule"),
        S::DocumentsRequested => key("journey-state-documents-requested"),
        S::Concluded => key("journey-state-concluded"),
        S::Lapsed => key("journey-state-lapsed"),
        S::Withdrawn => key("journey-state-withdrawn"),
    }
}

fn purpose_key(p: Purpose) -> &'static str {
    match p {
        Purpose::Invalidity => key("journey-purpose-invalidity"),
        Purpose::Blindness => key("journey-purpose-blindness"),
        Purpose::Deafness => key("journey-purpose-deafness"),
        Purpose::Handicap => key("journey-purpose-handicap"),
        Purpose::Law68Disability => key("journey-purpose-law68"),
    }
}

fn procedure_key(p: Procedure) -> &'static str {
    match p {
        Procedure::Ordinary => key("journey-procedure-ordinary"),
        Procedure::Reform => key("journey-procedure-reform"),
    }
}

fn certificate_status_key(s: CertificateStatus) -> &'static str {
    match s {
        CertificateStatus::Usable => key("journey-cert-usable"),
        CertificateStatus::Used => key("journey-cert-used"),
        CertificateStatus::Expired => key("journey-cert-expired"),
    }
}

fn deadline_key(w: DeadlineWhat) -> &'static str {
    match w {
        DeadlineWhat::HomeVisitRequestBy => key("journey-next-home-visit"),
        DeadlineWhat::Visit => key("journey-next-visit"),
        DeadlineWhat::InpsDecision => key("journey-next-inps"),
        DeadlineWhat::Target => key("journey-next-target"),
        DeadlineWhat::AppealBy => key("journey-next-appeal"),
    }
}

fn purposes_text(purposes: &[Purpose], lang: Lang) -> String {
    purposes
        .iter()
        .map(|p| lang.t(purpose_key(*p)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn phase_line(p: &attesta_domain::journey::PhaseView, lang: Lang) -> PhaseLine {
    let (status, symbol, class) = match p.status {
        PhaseStatus::Done => (key("journey-status-done"), "✓", "done"),
        PhaseStatus::Current => (key("journey-status-current"), "●", "current"),
        PhaseStatus::Todo => (key("journey-status-todo"), "○", "todo"),
        PhaseStatus::Skipped => (key("journey-status-skipped"), "–", "skipped"),
    };
    let when = match (p.on, p.due) {
        (Some(on), _) => Some(lang.t_args("journey-on", &[("date", date_text(on))])),
        (None, Some(due)) => Some(lang.t_args("journey-due", &[("date", date_text(due))])),
        (None, None) => None,
    };
    PhaseLine {
        label: lang.t(phase_key(p.phase)),
        status: lang.t(status),
        symbol,
        class,
        current: p.status == PhaseStatus::Current,
        when,
    }
}

fn application_block(v: &ApplicationView, lang: Lang) -> ApplicationBlock {
    ApplicationBlock {
        id: v.application_id.clone(),
        heading: format!(
            "{} — {}",
            purposes_text(v.purposes.as_slice(), lang),
            lang.t(procedure_key(v.procedure))
        ),
        state: lang.t(state_key(v.state)),
        opened: date_text(v.opened_on),
        phases: v.phases.iter().map(|p| phase_line(p, lang)).collect(),
        visit: v.visit.as_ref().map(|visit| VisitLine {
            date: date_text(visit.day()),
            time: crate::format_italian_time(visit.at),
            place: visit.place.clone(),
            home: visit.home,
        }),
        next: v
            .next_deadline
            .map(|d| lang.t_args(deadline_key(d.what), &[("date", date_text(d.due))])),
        overdue: v.overdue,
        concluded: v.state == ApplicationState::Concluded,
        verbale_id: v.verbale_id.clone(),
        verbale_href: v.verbale_id.as_deref().map(verbale_href),
        may_reschedule: v.procedure == Procedure::Reform
            && v.state == ApplicationState::VisitScheduled,
        reason: String::new(),
        reason_error: None,
        may_send_documents: !v.state.is_terminal(),
        documents: Vec::new(),
    }
}

fn certificate_block(c: &CertificateView, lang: Lang) -> CertificateBlock {
    CertificateBlock {
        id: c.certificate_id.clone(),
        issued: date_text(c.issued_on),
        purposes: purposes_text(c.purposes.as_slice(), lang),
        procedure: lang.t(procedure_key(c.procedure)),
        status: lang.t(certificate_status_key(c.status)),
        usable_ordinary: c.procedure == Procedure::Ordinary
            && c.status == CertificateStatus::Usable,
        apply_by: c.apply_by.map(date_text),
    }
}

#[derive(Debug, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_key(done: Option<&str>) -> Option<&'static str> {
    match done {
        Some("applied") => Some(key("journey-done-applied")),
        Some("rescheduled") => Some(key("journey-done-rescheduled")),
        Some("document") => Some(key("journey-done-document")),
        _ => None,
    }
}

fn layout(session: &Option<attesta_app::Session>) -> Layout {
    Layout::keyed("journey-h1")
        .crumbs(&[(key("journey-crumb-me"), "/me")])
        .with_session(session)
}

async fn render(
    s: &AppState,
    layout: Layout,
    session: &attesta_app::Session,
    actor: &attesta_app::Actor,
    notice: Option<String>,
    problem: Option<String>,
) -> Result<ApplicationsPage, PageError> {
    let lang = layout.lang;
    let documents = s.app.my_documents(actor).await?;
    let applications = s
        .app
        .my_applications(actor)
        .await?
        .iter()
        .map(|v| {
            let mut block = application_block(v, lang);
            block.documents = documents
                .iter()
                .filter(|d| d.application_id == v.application_id)
                .map(|d| DocumentLine {
                    file_name: d.file_name.clone(),
                    sent: date_text(attesta_domain::calendar::rome_date(d.at)),
                    kind: match d.content_type.as_str() {
                        "application/pdf" => "PDF",
                        "image/png" => "PNG",
                        _ => "JPEG",
                    },
                })
                .collect();
            block
        })
        .collect();
    let certificates = s
        .app
        .my_certificates(actor)
        .await?
        .iter()
        .map(|c| certificate_block(c, lang))
        .collect();
    let acting_for = if actor.is_delegate() {
        Some(s.app.me(actor).await?.record.person.full_name())
    } else {
        None
    };
    Ok(ApplicationsPage {
        layout,
        csrf: session.csrf_token.clone(),
        acting_for,
        notice,
        problem,
        applications,
        certificates,
    })
}

/// `GET /me/applications`.
pub async fn page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    PageQuery(q): PageQuery<DoneQuery>,
) -> PageResult {
    let layout = layout(&session);
    let (session, actor) = citizen(&s, session).await?;
    let notice = done_key(q.done.as_deref()).map(|k| layout.t(k));
    let page = render(&s, layout, &session, &actor, notice, None).await?;
    Ok(no_store(page.into_response()))
}

#[derive(Debug, Deserialize)]
pub struct ApplyForm {
    csrf: String,
    certificate_id: String,
}

/// `POST /me/applications`: apply from a certificate; a refusal shows the
/// page again with the reason, nothing changed.
pub async fn page_apply(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Form(f): Form<ApplyForm>,
) -> PageResult {
    let layout = layout(&session);
    let (session, actor) = citizen(&s, session).await?;
    csrf_ok(&session, &f.csrf)?;
    match s
        .app
        .apply_from_certificate(&actor, f.certificate_id.trim())
        .await
    {
        Ok(_) => Ok(Redirect::to("/me/applications?done=applied").into_response()),
        Err(e) if matches!(e.status(), 404 | 409 | 422) => {
            let problem = crate::error::error_text(&e, layout.lang);
            let page = render(&s, layout, &session, &actor, None, Some(problem)).await?;
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
}

#[derive(Debug, Deserialize)]
pub struct RescheduleForm {
    csrf: String,
    reason: String,
}

/// `POST /me/applications/{id}/reschedule`: the reform's request for a new
/// date; a bad reason shows the page again with the error summary and the
/// field marked, what was typed kept.
pub async fn page_reschedule(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(application_id): Path<String>,
    Form(f): Form<RescheduleForm>,
) -> PageResult {
    let layout = layout(&session);
    let (session, actor) = citizen(&s, session).await?;
    csrf_ok(&session, &f.csrf)?;
    let body = json!({"reason": f.reason});
    match s.app.request_new_date(&actor, &application_id, &body).await {
        Ok(_) => Ok(Redirect::to("/me/applications?done=rescheduled").into_response()),
        Err(e) if e.status() == 422 => {
            let lang = layout.lang;
            let text = lang.t("journey-reason-error");
            let layout = layout.field_error("reschedule-reason", text.clone());
            let mut page = render(&s, layout, &session, &actor, None, None).await?;
            for a in &mut page.applications {
                if a.id == application_id {
                    a.reason = f.reason.clone();
                    a.reason_error = Some(text.clone());
                }
            }
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) if matches!(e.status(), 404 | 409) => {
            let problem = crate::error::error_text(&e, layout.lang);
            let page = render(&s, layout, &session, &actor, None, Some(problem)).await?;
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_verbale_id_is_one_path_segment() {
        assert_eq!(
            super::verbale_href("ASL-BA/2024.001_x"),
            "/me/verbali/ASL-BA%2F2024%2E001_x"
        );
    }

    use super::*;

    /// Keys chosen by a `match` exist in both languages.
    #[test]
    fn computed_keys_exist() {
        for lang in Lang::ALL {
            let mut keys: Vec<&str> = Vec::new();
            keys.extend(Phase::ALL.iter().map(|p| phase_key(*p)));
            keys.extend(ApplicationState::ALL.iter().map(|p| state_key(*p)));
            keys.extend(Purpose::ALL.iter().map(|p| purpose_key(*p)));
            keys.extend(Procedure::ALL.iter().map(|p| procedure_key(*p)));
            keys.extend(
                CertificateStatus::ALL
                    .iter()
                    .map(|p| certificate_status_key(*p)),
            );
            keys.extend(DeadlineWhat::ALL.iter().map(|p| deadline_key(*p)));
            keys.extend(
                ["applied", "rescheduled"]
                    .iter()
                    .filter_map(|d| done_key(Some(d))),
            );
            for k in keys {
                let text = lang.t_args(k, &[("date", "01/02/2027".to_owned())]);
                assert!(!text.contains("Unknown"), "{k} in {lang:?}: {text}");
            }
        }
    }
}

// ---- the holder's own verbale ---------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "my_verbale.html")]
struct MyVerbalePage {
    layout: Layout,
    verbale_id: String,
    kind: String,
    session_date: String,
    /// "Yes, since …" or "not yet".
    definitive: String,
    rows: crate::level2_pages::Rows,
    judgement: Option<String>,
    csrf: String,
    /// The verbale guide (SPEC §11), for 6 months after the verbale
    /// became definitive; after that the facts alone.
    guide: Option<Guide>,
}

/// What the verbale guide explains.
struct Guide {
    /// What the outcome code means, in plain words.
    meaning: Option<String>,
    /// Each other finding the verbale assessed: its label (as in the
    /// table) and what it means for the holder, in plain words.
    findings: Vec<(String, String)>,
    /// The revision obligation.
    revision: String,
    /// The last day to appeal to a court.
    appeal_by: String,
    /// Where the page's QR button posts.
    qr_action: String,
}

fn guide(
    v: &attesta_domain::Verbale,
    definitive_on: Option<Date>,
    today: Date,
    lang: Lang,
) -> Option<Guide> {
    let on = definitive_on.filter(|_| v.definitive)?;
    // Six months, as the appeal window (SPEC §11): the same last day.
    let appeal_by = attesta_domain::journey::view::appeal_by(on);
    if today > appeal_by {
        return None;
    }
    let revision = match v.findings.revision {
        Some(attesta_domain::Revision::Due(ym)) => {
            format!("{} {ym}.", lang.t("guide-revision-due"))
        }
        Some(attesta_domain::Revision::Exempt) => lang.t("guide-revision-exempt"),
        _ => lang.t("guide-revision-none"),
    };
    Some(Guide {
        meaning: v
            .findings
            .invalidity
            .map(|i| lang.t(&format!("guide-code-{}", i.code.as_string()))),
        findings: Finding::of(&v.findings)
            .into_iter()
            .map(|f| (lang.t(f.label_key()), lang.t(f.meaning_key())))
            .collect(),
        revision,
        appeal_by: date_text(appeal_by),
        qr_action: format!("{}/qr", verbale_href(&v.id)),
    })
}

/// One value a verbale's finding groups can carry, besides the invalidity
/// code (explained by `guide-code-NN`) and the revision (the guide's
/// obligations): what the guide explains in plain words (DOMAIN §2.5–§2.12).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Finding {
    Handicap(attesta_domain::Handicap),
    /// Art. 21 L. 104/1992: invalidity above two thirds.
    Art21(bool),
    Accompaniment(bool),
    Blindness(attesta_domain::Blindness),
    Deafness(bool),
    Law68(bool),
    Dl5(bool),
}

impl Finding {
    /// The assessed ones of `f`, in the order of the findings table.
    fn of(f: &attesta_domain::Findings) -> Vec<Finding> {
        [
            f.handicap.map(|h| Finding::Handicap(h.handicap)),
            f.handicap.map(|h| Finding::Art21(h.art21)),
            f.accompaniment.map(Finding::Accompaniment),
            f.blindness.map(Finding::Blindness),
            f.deafness.map(Finding::Deafness),
            f.law68_disability.map(Finding::Law68),
            f.dl5_2012_art4.map(Finding::Dl5),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// The row label of the findings table.
    fn label_key(self) -> &'static str {
        match self {
            Finding::Handicap(_) => key("l2-handicap"),
            Finding::Art21(_) => key("l2-art21"),
            Finding::Accompaniment(_) => key("l2-accompaniment"),
            Finding::Blindness(_) => key("l2-blindness"),
            Finding::Deafness(_) => key("l2-deafness"),
            Finding::Law68(_) => key("l2-law68"),
            Finding::Dl5(_) => key("l2-dl5"),
        }
    }

    /// What the value means for the holder.
    fn meaning_key(self) -> &'static str {
        use attesta_domain::{Blindness, Handicap};
        match self {
            Finding::Handicap(Handicap::None) => key("guide-finding-handicap-none"),
            Finding::Handicap(Handicap::Art3C1) => key("guide-finding-handicap-art3-c1"),
            Finding::Handicap(Handicap::Art3C3) => key("guide-finding-handicap-art3-c3"),
            Finding::Art21(true) => key("guide-finding-art21-yes"),
            Finding::Art21(false) => key("guide-finding-art21-no"),
            Finding::Accompaniment(true) => key("guide-finding-accompaniment-yes"),
            Finding::Accompaniment(false) => key("guide-finding-accompaniment-no"),
            Finding::Blindness(Blindness::None) => key("guide-finding-blindness-none"),
            Finding::Blindness(Blindness::Partial) => key("guide-finding-blindness-partial"),
            Finding::Blindness(Blindness::Absolute) => key("guide-finding-blindness-absolute"),
            Finding::Deafness(true) => key("guide-finding-deafness-yes"),
            Finding::Deafness(false) => key("guide-finding-deafness-no"),
            Finding::Law68(true) => key("guide-finding-law68-yes"),
            Finding::Law68(false) => key("guide-finding-law68-no"),
            Finding::Dl5(true) => key("guide-finding-dl5-yes"),
            Finding::Dl5(false) => key("guide-finding-dl5-no"),
        }
    }

    /// Every value, for the key test.
    #[cfg(test)]
    fn all() -> Vec<Finding> {
        use attesta_domain::{Blindness, Handicap};
        let mut out: Vec<Finding> = Handicap::ALL
            .iter()
            .map(|h| Finding::Handicap(*h))
            .collect();
        out.extend(Blindness::ALL.iter().map(|b| Finding::Blindness(*b)));
        for b in [true, false] {
            out.extend([
                Finding::Art21(b),
                Finding::Accompaniment(b),
                Finding::Deafness(b),
                Finding::Law68(b),
                Finding::Dl5(b),
            ]);
        }
        out
    }
}

#[cfg(test)]
mod finding_tests {
    use super::*;

    /// Every finding's label and sentence exist in both languages, and no
    /// two values share a sentence.
    #[test]
    fn finding_keys_exist_in_both_languages() {
        let all = Finding::all();
        assert_eq!(all.len(), 16);
        for lang in Lang::ALL {
            let mut seen = std::collections::HashSet::new();
            for f in &all {
                for k in [f.label_key(), f.meaning_key()] {
                    let text = lang.t(k);
                    assert!(!text.contains("Unknown"), "{k} in {lang:?}: {text}");
                }
                assert!(seen.insert(lang.t(f.meaning_key())), "{f:?} in {lang:?}");
            }
        }
        // An English key missing would fall back to the Italian text.
        for f in &all {
            let k = f.meaning_key();
            assert_ne!(Lang::It.t(k), Lang::En.t(k), "{k}");
        }
    }

    /// Only the assessed groups are explained.
    #[test]
    fn only_assessed_findings_are_explained() {
        use attesta_domain::{Blindness, Findings, Handicap, HandicapFinding};
        assert_eq!(Finding::of(&Findings::default()), []);
        let f = Findings {
            handicap: Some(HandicapFinding {
                handicap: Handicap::Art3C3,
                art21: true,
            }),
            blindness: Some(Blindness::Partial),
            ..Findings::default()
        };
        assert_eq!(
            Finding::of(&f),
            [
                Finding::Handicap(Handicap::Art3C3),
                Finding::Art21(true),
                Finding::Blindness(Blindness::Partial)
            ]
        );
    }
}

/// `GET /me/verbali/{verbale_id}`: one of the holder's verbali, linked from
/// a concluded application. The holder (or their delegate) sees the
/// findings an operator sees at level 2; nobody else's verbale is found.
pub async fn verbale_page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(verbale_id): Path<String>,
) -> PageResult {
    let layout = Layout::keyed("my-verbale-h1")
        .crumbs(&[
            (key("journey-crumb-me"), "/me"),
            (key("journey-h1"), "/me/applications"),
        ])
        .with_session(&session);
    let (session, actor) = citizen(&s, session).await?;
    let mine = s.app.my_verbale(&actor, &verbale_id).await?;
    let lang = layout.lang;
    let v = &mine.stored.verbale;
    let definitive = match (v.definitive, mine.stored.definitive_on) {
        (true, Some(on)) => format!(
            "{} ({} {})",
            lang.t("yes"),
            lang.t("my-verbale-since"),
            date_text(on)
        ),
        (true, None) => lang.t("yes"),
        (false, _) => lang.t("my-verbale-not-yet"),
    };
    let page = MyVerbalePage {
        verbale_id: v.id.clone(),
        kind: crate::level2_pages::kind_text(v.kind, lang),
        session_date: date_text(v.session_date),
        definitive,
        rows: crate::level2_pages::findings_rows(&v.findings, mine.revision_overdue, lang),
        judgement: v.judgement.clone(),
        csrf: session.csrf_token.clone(),
        guide: guide(v, mine.stored.definitive_on, s.app.today(), lang),
        layout,
    };
    Ok(no_store(page.into_response()))
}

#[derive(Debug, Deserialize)]
pub struct QrForm {
    csrf: String,
}

/// `POST /me/verbali/{verbale_id}/qr`: the guide's button. The active QR
/// if there is one (a printed QR is never revoked), else a new one; the
/// privacy notice first when it is not yet accepted.
pub async fn verbale_qr(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(verbale_id): Path<String>,
    Form(f): Form<QrForm>,
) -> PageResult {
    let (session, actor) = citizen(&s, session).await?;
    csrf_ok(&session, &f.csrf)?;
    // Only the holder's (or their delegate's) verbale has the button.
    s.app.my_verbale(&actor, &verbale_id).await?;
    if s.app.current_attestation(&actor).await.is_ok() {
        return Ok(Redirect::to("/me/qr").into_response());
    }
    if s.app.me(&actor).await?.record.privacy_accepted_at.is_none() {
        return Ok(Redirect::to("/me/new").into_response());
    }
    s.app.generate_attestation(&actor).await?;
    Ok(Redirect::to("/me/qr").into_response())
}

/// `/me/verbali/{id}` with the id as one path segment: a verbale id may
/// hold `/` and `.` (SPEC §6), which are percent-encoded like any byte
/// outside `A–Z a–z 0–9 - _`.
pub(crate) fn verbale_href(id: &str) -> String {
    let mut out = String::from("/me/verbali/");
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `POST /me/applications/{id}/documents` (multipart: `csrf`, `file`): a
/// document for the commission; a refusal shows the page again saying
/// why and what to send, nothing stored.
pub async fn page_document(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    Path(application_id): Path<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let layout = layout(&session);
    let (session, actor) = citizen(&s, session).await?;
    let sent = match multipart {
        Ok(m) => crate::documents::read_upload(m).await,
        Err(e) => Err(attesta_app::AppError::invalid_request(e.body_text())),
    };
    let outcome = match sent {
        Ok(form) => {
            csrf_ok(&session, form.csrf.as_deref().unwrap_or_default())?;
            match form.file {
                Some((name, bytes)) if !bytes.is_empty() => {
                    s.app
                        .send_document(&actor, &application_id, name.as_deref(), bytes)
                        .await
                }
                _ => Err(attesta_app::AppError::new(
                    attesta_app::ErrorCode::UnsupportedDocument,
                    "No file was chosen.",
                )),
            }
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/me/applications?done=document").into_response()),
        Err(e) if matches!(e.status(), 400 | 404 | 409 | 413 | 415) => {
            let problem = if e.code == attesta_app::ErrorCode::PayloadTooLarge {
                layout.t("journey-document-too-large")
            } else {
                crate::error::error_text(&e, layout.lang)
            };
            let page = render(&s, layout, &session, &actor, None, Some(problem)).await?;
            Ok(crate::error::form_again(&e, page))
        }
        Err(e) => Err(PageError(e)),
    }
}
