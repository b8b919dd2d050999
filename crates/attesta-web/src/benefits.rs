//! "What you may be entitled to" (issue #8): `GET /api/v1/me/benefits`
//! (SPEC §6) and the citizen page `GET /me/benefits`. The income typed in
//! the page's form only refines the answer: it is never stored.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::AppError;
use attesta_app::ErrorCode;
use attesta_app::benefits::{BenefitsView, parse_benefits_query};
use attesta_domain::benefits::{EconomicOutcome, Exclusion, Standing, Text};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::extract::{Citizen, MaybeSession};
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::Layout;

type Pairs = Result<Query<Vec<(String, String)>>, QueryRejection>;

/// `income` and `on` from the query string; anything else, or a parameter
/// given twice, is a 400 `invalid_request` (SPEC §6: unknown fields).
fn query_values(pairs: Pairs, strict: bool) -> Result<(Option<String>, Option<String>), AppError> {
    let Query(pairs) = pairs.map_err(|e| {
        AppError::invalid_request(format!("The query string could not be read: {e}"))
    })?;
    let (mut income, mut on) = (None, None);
    for (key, value) in pairs {
        let slot = match key.as_str() {
            "income" => &mut income,
            "on" => &mut on,
            _ if strict => {
                return Err(AppError::invalid_request(format!(
                    "Unknown query parameter `{key}`: this endpoint takes `income` (your own annual income in euros) and `on` (a date, YYYY-MM-DD), both optional."
                )));
            }
            _ => continue,
        };
        if slot.replace(value).is_some() {
            return Err(AppError::invalid_request(format!(
                "`{key}` is given more than once: give it once."
            )));
        }
    }
    Ok((income, on))
}

fn economic_json(o: &EconomicOutcome) -> Value {
    let mut item = json!({
        "id": o.id,
        "name": o.name.en,
        "name_it": o.name.it,
        "monthly_amount_eur": o.monthly_amount.as_f64(),
        "payments_per_year": o.payments_per_year,
        "status": o.standing.as_str(),
    });
    if let Some(r) = o.reason {
        item["reason"] = json!(r.as_str());
    }
    if let Some(c) = &o.condition {
        item["condition"] = json!(c.en);
    }
    if !o.incompatible_with.is_empty() {
        item["incompatible_with"] = json!(o.incompatible_with);
    }
    if let Some(n) = &o.note {
        item["note"] = json!(n.en);
    }
    item
}

fn benefits_json(v: &BenefitsView) -> Value {
    let e = &v.entitlements;
    json!({
        "year": e.year,
        "on": attesta_domain::format_date(v.on),
        "source": e.source,
        "economic": e.economic.iter().map(economic_json).collect::<Vec<_>>(),
        "non_economic": e.non_economic.iter()
            .map(|n| json!({"id": n.id, "name": n.name.en, "name_it": n.name.it}))
            .collect::<Vec<_>>(),
    })
}

/// `GET /api/v1/me/benefits?income=EUR&on=YYYY-MM-DD`.
pub async fn api(
    State(s): State<AppState>,
    c: Citizen,
    query: Pairs,
) -> Result<Response, ApiError> {
    let (income, on) = query_values(query, true)?;
    let (income, on) = parse_benefits_query(income.as_deref(), on.as_deref())?;
    let view = s.app.benefits(&c.person_id, income, on).await?;
    Ok(no_store(Json(benefits_json(&view)).into_response()))
}

// ---- the page ---------------------------------------------------------

struct Row {
    name: String,
    legal_basis: Option<String>,
    amount: String,
    payments: Option<u8>,
    standing: String,
    class: &'static str,
    /// Condition, incompatibilities and notes.
    details: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "benefits.html")]
struct BenefitsPage {
    layout: Layout,
    year: i32,
    source: String,
    on: String,
    /// The day is in a later year than the newest tables.
    later_year: bool,
    on_param: String,
    income: String,
    income_declared: bool,
    error: Option<String>,
    rows: Vec<Row>,
    non_economic: Vec<String>,
}

/// The rules' text in the page's language.
fn pick(text: &Text, lang: Lang) -> String {
    match lang {
        Lang::It => text.it.clone(),
        Lang::En => text.en.clone(),
    }
}

fn row(o: &EconomicOutcome, lang: Lang) -> Row {
    let (standing, class) = match (o.standing, o.reason) {
        (Standing::MayBeEntitled, _) => (key("benefits-may"), "may"),
        (Standing::Depends, _) => (key("benefits-depends"), "depends"),
        (Standing::Excluded, Some(Exclusion::Income)) => {
            (key("benefits-excluded-income"), "excluded")
        }
        (Standing::Excluded, _) => (key("benefits-excluded-age"), "excluded"),
    };
    let mut details = Vec::new();
    if let Some(c) = &o.condition {
        let lead = match o.standing {
            Standing::Excluded => lang.t("benefits-requires"),
            _ => lang.t("benefits-provided"),
        };
        details.push(format!("{lead}: {}.", pick(c, lang)));
    }
    if let Some(n) = &o.note {
        details.push(pick(n, lang));
    }
    Row {
        name: pick(&o.name, lang),
        legal_basis: o.legal_basis.clone(),
        amount: match lang {
            Lang::It => o.monthly_amount.format_it(),
            Lang::En => o.monthly_amount.format_en(),
        },
        payments: o.payments_per_year,
        standing: lang.t(standing),
        class,
        details,
    }
}

fn italian_date(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

/// What to fix in the form, in the page's language.
fn page_error(e: &AppError, lang: Lang) -> String {
    e.fields
        .iter()
        .map(|f| match f.field.as_str() {
            "income" => lang.t("benefits-error-income"),
            "on" => lang.t("benefits-error-on"),
            other => lang.t_args("benefits-error-field", &[("field", other.to_owned())]),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// `GET /me/benefits`: the same answer as the API, for people. A bad value
/// in the form comes back to the form with what to fix (422).
pub async fn page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    query: Pairs,
) -> Result<Response, PageError> {
    let layout = Layout::keyed("benefits-title")
        .crumbs(&[(crate::i18n::key("me-h1"), "/me")])
        .with_session(&session);
    let lang = layout.lang;
    // The citizen, or the holder a delegate acts for.
    let person_id = crate::pages::citizen(&s, session).await?.1.person_id;
    let (income_raw, on_raw) = query_values(query, false)?;
    let income_typed = income_raw.clone().unwrap_or_default();
    let on_param = on_raw.clone().unwrap_or_default();
    let parsed = parse_benefits_query(income_raw.as_deref(), on_raw.as_deref());
    let result = match parsed {
        Ok((income, on)) => s.app.benefits(&person_id, income, on).await,
        Err(e) => Err(e),
    };
    let (view, error) = match result {
        Ok(view) => (Some(view), None),
        Err(e) if e.code == ErrorCode::InvalidQuery => (None, Some(e)),
        Err(e) => return Err(PageError(e)),
    };
    // On a bad value, show the answer without it, with the message.
    let view = match view {
        Some(v) => v,
        None => s.app.benefits(&person_id, None, None).await?,
    };
    let error = error.as_ref().map(|e| page_error(e, lang));
    let layout = match &error {
        Some(text) => layout.field_error("income", text.clone()),
        None => layout,
    };
    let e = &view.entitlements;
    let page = BenefitsPage {
        layout,
        year: e.year,
        source: e.source.clone(),
        on: italian_date(view.on),
        later_year: view.on.year() > e.year,
        on_param: if error.is_some() {
            String::new()
        } else {
            on_param
        },
        income: income_typed,
        income_declared: view.income.is_some(),
        error,
        rows: e.economic.iter().map(|o| row(o, lang)).collect(),
        non_economic: e.non_economic.iter().map(|n| pick(&n.name, lang)).collect(),
    };
    let failed = page.error.is_some();
    let mut r = page.into_response();
    if failed {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(no_store(r))
}
