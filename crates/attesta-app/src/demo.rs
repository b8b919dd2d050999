//! Demo data for `attesta serve --demo`: people covering every level-1 case
//! and the negative ones, and demo operators.

use attesta_domain::fiscal_code::with_check_character;
use serde_json::{Value, json};

use crate::{App, AppResult};

/// One demo identity, as listed on the `/demo` page.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    pub fiscal_code: String,
    pub given_name: &'static str,
    pub family_name: &'static str,
    /// Operators have an organisation; citizens do not.
    pub organisation: Option<&'static str>,
    /// What case the person shows, Italian and English.
    pub case_it: &'static str,
    pub case_en: &'static str,
    birth_date: &'static str,
    mobile: Option<&'static str>,
    verbali: Vec<Value>,
}

impl DemoPerson {
    pub fn is_operator(&self) -> bool {
        self.organisation.is_some()
    }
}

fn cf(first15: &str) -> String {
    with_check_character(first15)
        .expect("demo codici fiscali are well formed")
        .as_str()
        .to_owned()
}

fn verbale(id: &str, session: &str, definitive: bool, findings: Value) -> Value {
    let mut v = json!({"verbale_id": id, "kind": "first_instance", "session_date": session,
        "definitive": definitive, "source": "telematic",
        "judgement": "Giudizio della commissione medica (testo dimostrativo) / Medical commission judgement (demo text)"});
    v.as_object_mut()
        .expect("object")
        .extend(findings.as_object().expect("object").clone());
    v
}

#[expect(
    clippy::too_many_arguments,
    reason = "one demo person per call, its fields in the order the table reads"
)]
fn citizen(
    first15: &str,
    given_name: &'static str,
    family_name: &'static str,
    birth_date: &'static str,
    mobile: Option<&'static str>,
    case_it: &'static str,
    case_en: &'static str,
    verbali: Vec<Value>,
) -> DemoPerson {
    DemoPerson {
        fiscal_code: cf(first15),
        given_name,
        family_name,
        organisation: None,
        case_it,
        case_en,
        birth_date,
        mobile,
        verbali,
    }
}

/// Everything "none": a verbale that assessed every group and found nothing.
fn nothing_else() -> Value {
    json!({"accompaniment": false, "blindness": "none", "deafness": false, "handicap": "none",
        "art21": false, "law68_disability": false, "dl5_2012_art4": false, "revision": {"none": true}})
}

fn merged(a: Value, b: Value) -> Value {
    let mut a = a;
    a.as_object_mut()
        .expect("object")
        .extend(b.as_object().expect("object").clone());
    a
}

/// The demo people and operators.
pub fn people() -> Vec<DemoPerson> {
    vec![
        citizen(
            "RSSMRA80A01H501",
            "Mario",
            "Rossi",
            "1980-01-01",
            Some("+393331234567"),
            "Invalidità civile 80% (codice 03), revisione a maggio 2027",
            "Civil invalidity 80% (code 03), revision due May 2027",
            vec![verbale(
                "DEMO-0001",
                "2024-05-10",
                true,
                merged(
                    nothing_else(),
                    json!({"invalidity_code": "03", "invalidity_percentage": 80, "dl5_2012_art4": true,
                       "revision": {"due": "2027-05"}}),
                ),
            )],
        ),
        citizen(
            "BNCGLI85M52A662",
            "Giulia",
            "Bianchi",
            "1985-08-12",
            Some("+393471112233"),
            "Cecità assoluta con accompagnamento (codice 09)",
            "Absolute blindness with accompaniment (code 09)",
            vec![verbale(
                "DEMO-0002",
                "2019-03-04",
                true,
                json!({"invalidity_code": "09", "revision": {"exempt": true}}),
            )],
        ),
        citizen(
            "VRDLCU90C15F205",
            "Luca",
            "Verdi",
            "1990-03-15",
            Some("+393489876543"),
            "Sordità (codice 10)",
            "Deafness (code 10)",
            vec![verbale(
                "DEMO-0003",
                "2021-09-20",
                true,
                json!({"invalidity_code": "10"}),
            )],
        ),
        citizen(
            "NRENNA75D48L219",
            "Anna",
            "Neri",
            "1975-04-08",
            Some("+393402223344"),
            "Handicap grave, Legge 104 art. 3 c. 3 (solo aggravamento)",
            "Severe handicap, Law 104 art. 3 c. 3 (aggravation only)",
            vec![
                verbale(
                    "DEMO-0004",
                    "2018-02-01",
                    true,
                    merged(
                        nothing_else(),
                        json!({"invalidity_code": "02", "invalidity_percentage": 40}),
                    ),
                ),
                merged(
                    verbale(
                        "DEMO-0005",
                        "2023-06-15",
                        true,
                        json!({"handicap": "art3_c3", "art21": true}),
                    ),
                    json!({"kind": "aggravation"}),
                ),
            ],
        ),
        citizen(
            "SPSSFO15H41F839",
            "Sofia",
            "Esposito",
            "2015-06-01",
            Some("+393395556677"),
            "Minore invalida (codice 07)",
            "Invalid minor (code 07)",
            vec![verbale(
                "DEMO-0006",
                "2022-01-12",
                true,
                json!({"invalidity_code": "07", "revision": {"due": "2033-06"}}),
            )],
        ),
        citizen(
            "GLLMRA50L60C351",
            "Maria",
            "Gallo",
            "1950-07-20",
            Some("+393351239876"),
            "Ultrasessantasettenne con accompagnamento (codice 12)",
            "Over 67 with accompaniment (code 12)",
            vec![verbale(
                "DEMO-0007",
                "2020-11-30",
                true,
                json!({"invalidity_code": "12"}),
            )],
        ),
        citizen(
            "FRRMRC07C10H501",
            "Marco",
            "Ferrari",
            "2007-03-10",
            Some("+393204445566"),
            "Ex minore: codice 07, ha compiuto 18 anni (nessun caso)",
            "Former minor: code 07, has turned 18 (no case)",
            vec![verbale(
                "DEMO-0008",
                "2016-04-18",
                true,
                json!({"invalidity_code": "07"}),
            )],
        ),
        citizen(
            "RMNPLA70E20D612",
            "Paolo",
            "Romano",
            "1970-05-20",
            Some("+393287778899"),
            "Codice 01, non invalido (nessun caso)",
            "Code 01, not invalid (no case)",
            vec![verbale(
                "DEMO-0009",
                "2022-10-03",
                true,
                merged(
                    nothing_else(),
                    json!({"invalidity_code": "01", "invalidity_percentage": 20}),
                ),
            )],
        ),
        citizen(
            "CLMCHR88T65G273",
            "Chiara",
            "Colombo",
            "1988-12-25",
            Some("+393921112233"),
            "Verbale non ancora definitivo (nessun caso per ora)",
            "Verbale not yet definitive (no case for now)",
            vec![verbale(
                "DEMO-0010",
                "2026-10-01",
                false,
                json!({"handicap": "art3_c3"}),
            )],
        ),
        citizen(
            "CNTFNC92S03L736",
            "Francesco",
            "Conti",
            "1992-11-03",
            Some("+393665554433"),
            "Solo disabilità Legge 68/99 (nessun caso, area handicap)",
            "Law 68/99 disability only (no case, handicap area)",
            vec![verbale(
                "DEMO-0011",
                "2024-02-20",
                true,
                json!({"law68_disability": true}),
            )],
        ),
        citizen(
            "RCCGPP55B14A662",
            "Giuseppe",
            "Ricci",
            "1955-02-14",
            None,
            "Verbali cartacei prima del 2010: nessun verbale in archivio, nessun cellulare",
            "Paper verbali before 2010: nothing in the archive, no mobile on record",
            vec![],
        ),
        citizen(
            "GRCLNE68E45A662",
            "Elena",
            "Greco",
            "1968-05-05",
            Some("+393381234321"),
            "Domanda ordinaria: verbale della commissione in attesa dell'INPS, silenzio-assenso da domani (vedi Le mie domande)",
            "Ordinary application: the commission's verbale awaits INPS, silent assent from tomorrow (see My applications)",
            vec![],
        ),
        citizen(
            "FNTRRT72H10A662",
            "Roberto",
            "Fontana",
            "1972-06-10",
            Some("+393391239876"),
            "Valutazione di base (riforma): convocato a visita la prossima settimana, può chiedere una nuova data",
            "Basic assessment (reform): summoned to a visit next week, may ask for a new date",
            vec![],
        ),
        DemoPerson {
            fiscal_code: cf("BRNLSS82A41A662"),
            given_name: "Alessia",
            family_name: "Bruno",
            organisation: Some("Comune di Bari"),
            case_it: "Operatrice del Comune di Bari",
            case_en: "Operator at the Comune di Bari",
            birth_date: "1982-01-01",
            mobile: None,
            verbali: vec![],
        },
        DemoPerson {
            fiscal_code: cf("MRNDVD79P12L219"),
            given_name: "Davide",
            family_name: "Marino",
            organisation: Some("Museo Egizio di Torino"),
            case_it: "Operatore del Museo Egizio di Torino",
            case_en: "Operator at the Museo Egizio, Turin",
            birth_date: "1979-09-12",
            mobile: None,
            verbali: vec![],
        },
    ]
}

/// Loads the demo citizens and their verbali through the same use cases as
/// the back-office API. Idempotent: safe to run at every start.
pub async fn seed(app: &App) -> AppResult<usize> {
    // A card signing key, so that cards can be approved in the demo; when
    // this node has no key directory it cannot hold one, and says so later.
    if app.config().keys_dir.is_some() && app.signing_keys().await?.is_empty() {
        app.generate_signing_key().await?;
    }
    let mut count = 0;
    for p in people().into_iter().filter(|p| !p.is_operator()) {
        let mut body = json!({"given_name": p.given_name, "family_name": p.family_name,
            "birth_date": p.birth_date, "email": format!("{}.{}@example.it",
                p.given_name.to_lowercase(), p.family_name.to_lowercase())});
        if let Some(m) = p.mobile {
            body["mobile"] = json!(m);
        }
        app.put_person(&app.person_from_json(&p.fiscal_code, &body)?)
            .await?;
        for mut v in p.verbali {
            v["fiscal_code"] = json!(p.fiscal_code);
            app.ingest_verbale(&app.verbale_from_json(&v)?).await?;
        }
        count += 1;
    }
    seed_journey(app).await?;
    seed_messages(app).await?;
    seed_payments(app).await?;
    Ok(count)
}

/// Mario Rossi's monthly allowance (SPEC §11): the last two months paid on
/// their first day, this month planned. Ids name the month, so a later
/// start adds the new months and marks the planned one paid.
async fn seed_payments(app: &App) -> AppResult<()> {
    let today = app.today();
    let first = today.replace_day(1).expect("day 1 exists");
    let before = |d: time::Date| {
        d.previous_day()
            .expect("a day before")
            .replace_day(1)
            .expect("day 1 exists")
    };
    let months = [
        (before(before(first)), true),
        (before(first), true),
        (first, false),
    ];
    for (month, paid) in months {
        let period = format!("{:04}-{:02}", month.year(), u8::from(month.month()));
        let mut body = json!({"payment_id": format!("DEMO-PAY-{period}"),
            "fiscal_code": cf("RSSMRA80A01H501"), "benefit": "monthly_allowance",
            "period": period, "amount_eur": "336.00", "status": "planned"});
        if paid {
            body["status"] = json!("paid");
            body["paid_on"] = json!(attesta_domain::format_date(month));
        }
        match app.ingest_payment(&app.payment_from_json(&body)?).await {
            // A month already stored paid stays as it is.
            Ok(_) => {}
            Err(e) if e.code == crate::ErrorCode::PaymentConflict => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Two messages for Mario Rossi (SPEC §11), one already read, so that his
/// `/me/messages` shows both states; seeded while he has none.
async fn seed_messages(app: &App) -> AppResult<()> {
    let mario = cf("RSSMRA80A01H501");
    let Some(person) =
        app.store()
            .person_by_fiscal_code(&attesta_domain::FiscalCode::parse(&mario).map_err(|e| {
                crate::AppError::invalid_request(format!("demo codice fiscale: {e}"))
            })?)
            .await?
    else {
        return Ok(());
    };
    if !app
        .store()
        .messages_for(&person.person_id)
        .await?
        .is_empty()
    {
        return Ok(());
    }
    let read = crate::messages::message_from_json(&json!({
        "subject": "Benvenuto nell'area personale",
        "body": "Gentile Mario Rossi,\nda qui può generare il QR code che attesta la sua condizione di invalidità.\n\nCordiali saluti,\nINPS (demo)"}))?;
    // Sent a day before, so the unread one is the newest.
    let now = app.now_millis();
    let id = app
        .store()
        .add_message(
            &person.person_id,
            &read.subject,
            &read.body,
            now - 86_400_000,
        )
        .await?;
    app.store()
        .mark_message_read(&person.person_id, &id, now)
        .await?;
    let unread = crate::messages::message_from_json(&json!({
        "subject": "Revisione prevista a maggio 2027",
        "body": "Gentile Mario Rossi,\nil suo verbale prevede una revisione a maggio 2027: riceverà la convocazione per tempo.\nNon deve fare nulla ora.\n\nINPS (demo)"}))?;
    app.send_message(&mario, &unread).await?;
    Ok(())
}

/// The demo certificate of the ordinary applicant: its presence says the
/// journey was seeded in this data directory.
const ORDINARY_CERTIFICATE: &str = "DEMO-CERT-0001";
const REFORM_CERTIFICATE: &str = "DEMO-CERT-0002";

/// The demo applicants (SPEC §10.1 "Dates and tests"): seeded once per
/// data directory, with dates relative to that first start, and never
/// rewritten at later starts (the stored certificate says it is done).
/// Elena Greco's ordinary application awaits INPS, silent assent due the
/// day after the first start; Roberto Fontana's reform convocation is a
/// week after it.
async fn seed_journey(app: &App) -> AppResult<()> {
    if app
        .store()
        .certificate(ORDINARY_CERTIFICATE)
        .await?
        .is_some()
    {
        return Ok(());
    }
    let today = app.today();
    let day = |offset: i64| attesta_domain::format_date(today + time::Duration::days(offset));
    let elena = cf("GRCLNE68E45A662");
    let roberto = cf("FNTRRT72H10A662");

    // Ordinary: certificate, application, visit, the commission's verbale
    // (session 59 days ago: INPS's 60 days end tomorrow).
    let certificate = app.certificate_from_json(&json!({
        "certificate_id": ORDINARY_CERTIFICATE, "fiscal_code": elena, "issued_on": day(-75),
        "purposes": ["invalidity", "handicap"], "province": "BA", "procedure": "ordinary",
        "doctor": "Dott.ssa Lopez (demo)"}))?;
    app.put_certificate(&certificate).await?;
    let request = app.application_request_from_json(&json!({
        "certificate_id": ORDINARY_CERTIFICATE, "on": day(-70), "via": "patronato"}))?;
    let application = app.open_application(&request).await?;
    app.post_event(
        &application,
        &json!({"event": "visit_scheduled", "on": day(-65),
            "visit": {"at": visit_at(today, -59), "place": "Commissione ASL Bari, via Caldarola 1", "home": false}}),
    )
    .await?;
    app.post_event(&application, &json!({"event": "attended", "on": day(-59)}))
        .await?;
    let mut v = verbale(
        "DEMO-0012",
        &day(-59),
        false,
        merged(
            nothing_else(),
            json!({"invalidity_code": "03", "invalidity_percentage": 75, "handicap": "art3_c1"}),
        ),
    );
    v["fiscal_code"] = json!(elena);
    v["application_id"] = json!(application);
    app.ingest_linked_verbale(&app.linked_verbale_from_json(&v)?)
        .await?;

    // A newer certificate she may still apply from (for targeted employment).
    let certificate = app.certificate_from_json(&json!({
        "certificate_id": "DEMO-CERT-0003", "fiscal_code": elena, "issued_on": day(-5),
        "purposes": ["law68_disability"], "province": "BA", "procedure": "ordinary"}))?;
    app.put_certificate(&certificate).await?;

    // Reform: the certificate opens the procedure; INPS convokes for next week.
    let certificate = app.certificate_from_json(&json!({
        "certificate_id": REFORM_CERTIFICATE, "fiscal_code": roberto, "issued_on": day(-10),
        "purposes": ["invalidity", "handicap"], "province": "BA", "procedure": "reform",
        "doctor": "Dott. Ferri (demo)"}))?;
    let answer = app.put_certificate(&certificate).await?;
    if let Some(application) = answer.application_id {
        app.post_event(
            &application,
            &json!({"event": "visit_scheduled", "on": day(0),
                "visit": {"at": visit_at(today, 7), "place": "INPS, Unità di valutazione di base, Bari", "home": false}}),
        )
        .await?;
    }
    Ok(())
}

/// 09:30 in Italy, `offset` days from `today`, as RFC 3339.
fn visit_at(today: time::Date, offset: i64) -> String {
    let day = today + time::Duration::days(offset);
    let winter = day
        .with_hms(9, 30, 0)
        .expect("a valid time")
        .assume_offset(time::UtcOffset::from_hms(1, 0, 0).expect("valid"));
    let local = crate::italian_time(winter);
    let at = if local.hour() == 9 {
        winter
    } else {
        day.with_hms(9, 30, 0)
            .expect("a valid time")
            .assume_offset(time::UtcOffset::from_hms(2, 0, 0).expect("valid"))
    };
    at.format(&time::format_description::well_known::Rfc3339)
        .expect("formats")
}
