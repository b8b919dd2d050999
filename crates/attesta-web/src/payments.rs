//! The citizen's page of payments, `/me/payments` (SPEC §11, "Pagamenti e
//! cedolini"): every payment newest period first, paid or planned said in
//! words, and the totals per benefit; amounts in the reader's language.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::PageError;
use crate::extract::MaybeSession;
use crate::i18n::{Lang, key};
use crate::no_store;
use crate::pages::{Layout, citizen};
use attesta_domain::payment::PaymentStatus;

type PageResult = Result<Response, PageError>;

struct PaymentLine {
    period: String,
    benefit: String,
    amount: String,
    state: String,
    paid: bool,
}

struct TotalLine {
    benefit: String,
    paid: String,
    planned: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "payments.html")]
struct PaymentsPage {
    layout: Layout,
    acting_for: Option<String>,
    payments: Vec<PaymentLine>,
    totals: Vec<TotalLine>,
}

/// Euro cents as the benefits page writes them: "€ 1.234,56" in Italian,
/// "€1,234.56" in English.
fn euros(cents: i64, lang: Lang) -> String {
    let e = attesta_domain::benefits::Euros::from_cents(cents);
    match lang {
        Lang::It => e.format_it(),
        Lang::En => e.format_en(),
    }
}

/// A benefit's name in `lang` from the benefits rules files (the newest
/// year that has it), else its id.
fn benefit_name(id: &str, lang: Lang) -> String {
    let Ok(book) = attesta_app::benefits::benefit_rules() else {
        return id.to_owned();
    };
    let years: Vec<i32> = book.years().collect();
    years
        .iter()
        .rev()
        .filter_map(|y| time::Date::from_calendar_date(*y, time::Month::December, 31).ok())
        .filter_map(|d| book.for_date(d))
        .find_map(|r| r.economic.iter().find(|e| e.id == id))
        .map(|e| match lang {
            Lang::It => e.name.it.clone(),
            Lang::En => e.name.en.clone(),
        })
        .unwrap_or_else(|| id.to_owned())
}

/// `GET /me/payments`.
pub async fn page(State(s): State<AppState>, MaybeSession(session): MaybeSession) -> PageResult {
    let layout = Layout::keyed("payments-h1")
        .crumbs(&[(key("journey-crumb-me"), "/me")])
        .with_session(&session);
    let (_, actor) = citizen(&s, session).await?;
    let lang = layout.lang;
    let records = s.app.payments(&actor).await?;
    let mut sums: Vec<(String, i64, i64)> = Vec::new();
    let mut payments = Vec::new();
    for p in &records {
        let cents = p.amount.cents();
        let paid = p.status == PaymentStatus::Paid;
        match sums.iter_mut().find(|(b, _, _)| *b == p.benefit) {
            Some(sum) if paid => sum.1 += cents,
            Some(sum) => sum.2 += cents,
            None if paid => sums.push((p.benefit.clone(), cents, 0)),
            None => sums.push((p.benefit.clone(), 0, cents)),
        }
        payments.push(PaymentLine {
            period: format!("{:02}/{}", u8::from(p.period.month), p.period.year),
            benefit: benefit_name(&p.benefit, lang),
            amount: euros(cents, lang),
            state: match p.paid_on {
                Some(on) if paid => lang.t_args(
                    "payments-paid-on",
                    &[("date", crate::journey_citizen::date_text(on))],
                ),
                _ => lang.t("payments-planned"),
            },
            paid,
        });
    }
    let totals = sums
        .into_iter()
        .map(|(b, paid, planned)| TotalLine {
            benefit: benefit_name(&b, lang),
            paid: euros(paid, lang),
            planned: euros(planned, lang),
        })
        .collect();
    let acting_for = if actor.is_delegate() {
        Some(s.app.me(&actor).await?.record.person.full_name())
    } else {
        None
    };
    let page = PaymentsPage {
        layout,
        acting_for,
        payments,
        totals,
    };
    Ok(no_store(page.into_response()))
}
