//! "What you may be entitled to" (issue #8): `GET /api/v1/me/benefits`
//! (SPEC §6) and the citizen page `GET /me/benefits`. The income typed in
//! the page's form only refines the answer: it is never stored.

use askama::Template;
use askama_web::WebTemplate;
use attesta_app::benefits::{BenefitsView, parse_benefits_query};
use attesta_app::{AppError, Role};
use attesta_domain::benefits::{EconomicOutcome, Exclusion, Standing, Text};
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::extract::{Citizen, MaybeSession};
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

fn no_store(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
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
    name: Text,
    legal_basis: Option<String>,
    amount_it: String,
    amount_en: String,
    payments: Option<u8>,
    standing_it: &'static str,
    standing_en: &'static str,
    class: &'static str,
    /// Condition, incompatibilities and notes, Italian and English.
    details: Vec<Text>,
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
    error: Option<Text>,
    rows: Vec<Row>,
    non_economic: Vec<Text>,
}

fn row(o: &EconomicOutcome) -> Row {
    let (standing_it, standing_en, class) = match (o.standing, o.reason) {
        (Standing::MayBeEntitled, _) => ("Può spettarti", "You may be entitled", "may"),
        (Standing::Depends, _) => (
            "Dipende da fatti che attesta non conosce",
            "Depends on facts attesta does not hold",
            "depends",
        ),
        (Standing::Excluded, Some(Exclusion::Income)) => (
            "Non spetta con il reddito dichiarato",
            "Not due with the income you declared",
            "excluded",
        ),
        (Standing::Excluded, _) => ("Non spetta per l'età", "Not due at your age", "excluded"),
    };
    let mut details = Vec::new();
    if let Some(c) = &o.condition {
        let (it, en) = match o.standing {
            Standing::Excluded => ("Richiede", "Requires"),
            _ => ("A condizione di", "Provided"),
        };
        details.push(Text {
            it: format!("{it}: {}.", c.it),
            en: format!("{en}: {}.", c.en),
        });
    }
    if let Some(n) = &o.note {
        details.push(n.clone());
    }
    Row {
        name: o.name.clone(),
        legal_basis: o.legal_basis.clone(),
        amount_it: o.monthly_amount.format_it(),
        amount_en: o.monthly_amount.format_en(),
        payments: o.payments_per_year,
        standing_it,
        standing_en,
        class,
        details,
    }
}

fn italian_date(d: time::Date) -> String {
    format!("{:02}/{:02}/{}", d.day(), d.month() as u8, d.year())
}

/// Italian words for what to fix in the form; the English is the API's.
fn page_error(e: &AppError) -> Text {
    let it = e
        .fields
        .iter()
        .map(|f| match f.field.as_str() {
            "income" => "Il reddito non è valido: scrivi il tuo reddito personale annuo in euro, senza punti delle migliaia, ad esempio 12000 o 12000,50.".to_owned(),
            "on" => "La data non è valida: usa il formato AAAA-MM-GG, dal 2024 in poi e non prima della tua data di nascita.".to_owned(),
            other => format!("Il campo {other} non è valido."),
        })
        .collect::<Vec<_>>()
        .join(" ");
    Text {
        it,
        en: e.message.clone(),
    }
}

/// `GET /me/benefits`: the same answer as the API, for people. A bad value
/// in the form comes back to the form with what to fix (422).
pub async fn page(
    State(s): State<AppState>,
    MaybeSession(session): MaybeSession,
    query: Pairs,
) -> Result<Response, PageError> {
    let title = "Cosa ti può spettare";
    let user = session
        .as_ref()
        .map(|s| (s.identity.name.clone(), s.csrf_token.clone()));
    let layout = Layout {
        title: title.into(),
        user,
    };
    // The citizen, or the holder a delegate acts for.
    let person_id = match &session {
        Some(sess) if sess.role == Role::Citizen => s.app.actor(sess).await?.person_id,
        _ => return Err(PageError(AppError::login_required())),
    };
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
        Err(e) if e.code == "invalid_query" => (None, Some(e)),
        Err(e) => return Err(PageError(e)),
    };
    // On a bad value, show the answer without it, with the message.
    let view = match view {
        Some(v) => v,
        None => s.app.benefits(&person_id, None, None).await?,
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
        error: error.as_ref().map(page_error),
        rows: e.economic.iter().map(row).collect(),
        non_economic: e.non_economic.iter().map(|n| n.name.clone()).collect(),
    };
    let mut r = page.into_response();
    if error.is_some() {
        *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(no_store(r))
}
